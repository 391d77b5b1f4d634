// The staff session on the web: the cookie, and the hook every staff page runs first.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../db/connection.ts';
import type { StaffRole } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { hasRole, resolveStaffSession, type StaffActor } from '../staff/session.ts';

export const STAFF_COOKIE = 'sj_staff';
/** Where a signed-in user without a second factor is sent (the only page open to them). */
export const ENROL_PATH = '/staff/account/totp';

declare module 'fastify' {
  interface FastifyRequest {
    staff?: StaffActor;
  }
}

/**
 * A preHandler: resolves the session cookie into `req.staff`, or sends the user to log in. A user
 * without a second factor may only enrol one (and log out).
 */
export function requireStaff(db: Db, opts: { allowUnenrolled?: boolean } = {}) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const actor = await resolveStaffSession({ db, token: req.cookies[STAFF_COOKIE] });
    if (!actor) return reply.redirect('/staff/login', 303);
    req.staff = actor;
    if (!actor.isEnrolled && !opts.allowUnenrolled) return reply.redirect(ENROL_PATH, 303);
  };
}

/** A staff path for the log, with one-time tokens (setup links) cut out: a log reader must not be able to use one. */
export function logPath(url: string): string {
  return url.split('?')[0].replace(/^\/staff\/setup\/[^/]+/, '/staff/setup/…');
}

/** Throws forbidden unless the signed-in user holds one of the roles. */
export function requireRole(req: FastifyRequest, ...roles: StaffRole[]): StaffActor {
  const actor = req.staff;
  if (!actor || !hasRole(actor, ...roles))
    throw new AppError('forbidden', `needs one of: ${roles.join(', ')}`, 'error.forbidden');
  return actor;
}

/**
 * The signed-in user of a staff page. Every staff route sits behind `requireStaff`, so a request
 * reaching a handler has one; a route registered outside it by mistake is refused, not crashed.
 */
export function staffOf(req: FastifyRequest): StaffActor {
  if (!req.staff) throw new AppError('unauthorized', 'no staff session on a staff page', 'error.unauthorized');
  return req.staff;
}
