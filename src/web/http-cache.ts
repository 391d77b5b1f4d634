// Conditional GET for public, cacheable answers: a strong ETag from the body's SHA-256, the
// Cache-Control given, and 304 Not Modified when the client already holds that version.
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

export const CACHE = {
  /** A monthly release never changes once made. */
  immutable: 'public, max-age=31536000, immutable',
  /** What changes when a new release or publication comes: an hour, then revalidate with the ETag. */
  hour: 'public, max-age=3600, must-revalidate',
  /** Pages computed from the latest release: ten minutes. */
  short: 'public, max-age=600, must-revalidate',
} as const;

export function etagOf(body: string | Buffer): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`;
}

/** Sends `body` with its ETag and `cacheControl`, or 304 when If-None-Match names that ETag. */
export function sendCached(
  req: FastifyRequest,
  reply: FastifyReply,
  body: string | Buffer,
  cacheControl: string,
  etag = etagOf(body),
): FastifyReply {
  reply.header('etag', etag).header('cache-control', cacheControl);
  const match = req.headers['if-none-match'];
  if (match?.split(',').some((m) => m.trim().replace(/^W\//, '') === etag)) return reply.code(304).send();
  return reply.send(body);
}
