// Loaded before every test file: any connection to a host other than this machine fails the test.
import net from 'node:net';

const LOCAL = /^(127\.|::1$|localhost$|::ffff:127\.)/;
const original = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
  const first = args[0] as { host?: string; path?: string; port?: number } | number | string;
  const host =
    typeof first === 'object' && first !== null ? first.host : typeof args[1] === 'string' ? args[1] : undefined;
  const isUnixSocket = typeof first === 'object' && first !== null && first.path !== undefined;
  if (!isUnixSocket && host !== undefined && !LOCAL.test(host)) {
    throw new Error(`outbound network call to ${host} in a test`);
  }
  return (original as (...a: unknown[]) => net.Socket).apply(this, args);
} as typeof net.Socket.prototype.connect;
