// The security headers of every answer, from the one helmet configuration. @fastify/helmet sends
// them on every routed request; answers made before routing (a malformed URL, an over-long
// parameter) or before Fastify sees the request at all (a header block over Node's limit, a method
// Node does not know) get the very same headers from here.
import { STATUS_CODES } from 'node:http';
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import type { FastifyHelmetOptions } from '@fastify/helmet';
import type { ConnectionError } from 'fastify';
import { AppError } from '../errors.ts';
import { translator } from '../i18n/messages.ts';
import { problemOf } from './errors.ts';
import { CSP_DIRECTIVES } from './csp.ts';

type Middleware = (
  req: object,
  res: { setHeader: (name: string, value: unknown) => void; removeHeader: (name: string) => void },
  next: (e?: unknown) => void,
) => void;
// helmet as @fastify/helmet loads it (its own dependency), so both produce the same headers.
const require = createRequire(import.meta.url);
const helmet = createRequire(require.resolve('@fastify/helmet'))('helmet') as (options: object) => Middleware;

/** The helmet configuration of the whole app. */
export function helmetOptions({ isSecureCookies }: { isSecureCookies: boolean }): FastifyHelmetOptions {
  return {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: CSP_DIRECTIVES,
    },
    referrerPolicy: { policy: 'no-referrer' },
    crossOriginEmbedderPolicy: false,
    hsts: isSecureCookies ? { maxAge: 31536000 } : false,
  };
}

/** The headers helmet sets for `options`, plus `cache-control: no-store` (app.ts sends it on every page). */
export function securityHeaders(options: FastifyHelmetOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  helmet(options)(
    {},
    { setHeader: (name, value) => (headers[name.toLowerCase()] = String(value)), removeHeader: () => {} },
    () => {},
  );
  return { ...headers, 'cache-control': 'no-store' };
}

/**
 * Node's `clientError` handler (Fastify's `clientErrorHandler`): the request could not be parsed,
 * so it is answered on the socket with `headers`, as problem+json when its first line names an
 * /api/ path and as a small page in Thai and English otherwise, and the connection is closed.
 */
export function clientErrorHandler(headers: Record<string, string>): (err: ConnectionError, socket: Socket) => void {
  return (err, socket) => {
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    const isApi = Buffer.isBuffer(err.rawPacket) && /^[A-Z]+ \/api\//.test(err.rawPacket.toString('latin1', 0, 64));
    const e = new AppError('invalid_input', `unreadable request (${err.code ?? 'client error'})`, 'error.bad_request');
    const [th, en] = [translator('th'), translator('en')];
    const body = isApi
      ? JSON.stringify({ ...problemOf(e), status })
      : `<!doctype html><html lang="th"><meta charset="utf-8"><title>${th('error.title')}</title><h1>${th('error.title')}</h1><p>${th(e.userMessage)}</p><p lang="en">${en(e.userMessage)}</p></html>`;
    const head = {
      ...headers,
      'content-type': isApi ? 'application/problem+json; charset=utf-8' : 'text/html; charset=utf-8',
      'content-length': String(Buffer.byteLength(body)),
      connection: 'close',
    };
    if (socket.writable)
      socket.write(
        `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${Object.entries(head)
          .map(([k, v]) => `${k}: ${v}\r\n`)
          .join('')}\r\n${body}`,
      );
    socket.destroy(err);
  };
}
