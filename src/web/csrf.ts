// CSRF protection that works without JavaScript: a signed double-submit token (@fastify/csrf) in a
// hidden form field, checked against a secret in a SameSite=Strict, HttpOnly cookie. Each side has
// its own cookie: a token of a reporter page is refused by a staff form and the other way round.
import Tokens from '@fastify/csrf';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors.ts';
import { sideOf, type Side } from './side.ts';

const tokens = Tokens();
/** The secret's cookie per side; the staff one is sent to the staff pages only (they all sit under /staff). */
export const CSRF_COOKIES: Record<Side, { name: string; path: string }> = {
  reporter: { name: 'sj_csrf', path: '/' },
  staff: { name: 'sj_staff_csrf', path: '/staff' },
};

/** The token to put in a form; sets the secret cookie on first use. */
export function csrfToken(req: FastifyRequest, reply: FastifyReply, isSecure: boolean): string {
  const cookie = CSRF_COOKIES[sideOf(req)];
  let secret = req.cookies[cookie.name];
  if (secret === undefined || secret.length > 64) {
    secret = tokens.secretSync();
    req.cookies[cookie.name] = secret; // so a second call in the same request reuses it
    reply.setCookie(cookie.name, secret, { path: cookie.path, httpOnly: true, sameSite: 'strict', secure: isSecure });
  }
  return tokens.create(secret as string);
}

/** Throws AppError('forbidden') unless `token` matches the secret cookie of the request's side. */
export function checkCsrf(req: FastifyRequest, token: unknown): void {
  const secret = req.cookies[CSRF_COOKIES[sideOf(req)].name];
  if (!secret || typeof token !== 'string' || token.length > 200 || !tokens.verify(secret, token)) {
    throw new AppError('forbidden', 'missing or invalid CSRF token', 'error.csrf');
  }
}
