// Which side of the application a request is on: the reporter's or the staff's. Each side is its
// own encapsulated Fastify plugin (reporter-side.ts, staff-side.ts) that decorates its requests
// with its name; nothing reads the side from the URL.
import type { FastifyRequest } from 'fastify';

export type Side = 'reporter' | 'staff';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the plugin of the side that routed the request; absent on an answer made before routing. */
    side?: Side;
  }
}

/**
 * The side of a request. A request answered before routing (app.ts frameworkErrors) belongs to no
 * plugin: it is treated as the reporter's, which shows nothing of the staff console and logs nothing.
 */
export function sideOf(req: FastifyRequest): Side {
  return req.side ?? 'reporter';
}
