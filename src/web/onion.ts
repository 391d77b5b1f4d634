// Which requests came through the Tor onion service: those whose Host is an .onion name. The
// shipped Caddyfile (deploy/Caddyfile) sets that Host on every request its onion listener passes
// on, whatever the Tor client sent, so an onion visitor cannot claim the clearnet name; any other
// client naming an .onion host only gets the reporter side, which it could reach anyway.
import type { FastifyRequest } from 'fastify';

/** True when the request's Host header names an .onion address (with or without a port). */
export function isOnionRequest(req: FastifyRequest): boolean {
  const host = (req.headers.host ?? '').toLowerCase().replace(/:\d+$/, '').replace(/\.$/, '');
  return host.endsWith('.onion');
}
