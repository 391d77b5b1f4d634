// CSRF protection that works without JavaScript: a signed double-submit token (@fastify/csrf) in a
// hidden form field, checked against a secret in a SameSite=Strict, HttpOnly cookie.
import Tokens from '@fastify/csrf';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors.ts';

const tokens = Tokens();
const COOKIE = 'sj_csrf';

/** The token to put in a form; sets the secret cookie on first use. */
export function csrfToken(req: FastifyRequest, reply: FastifyReply, isSecure: boolean): string {
  let secret = req.cookies[COOKIE];
  if (secret === undefined || secret.length > 64) {
    secret = tokens.secretSync();
    req.cookies[COOKIE] = secret; // so a second call in the same request reuses it
    reply.setCookie(COOKIE, secret, { path: '/', httpOnly: true, sameSite: 'strict', secure: isSecure });
  }
  return tokens.create(secret as string);
}

/** Throws AppError('forbidden') unless `token` matches the request's secret cookie. */
export function checkCsrf(req: FastifyRequest, token: unknown): void {
  const secret = req.cookies[COOKIE];
  if (!secret || typeof token !== 'string' || token.length > 200 || !tokens.verify(secret, token)) {
    throw new AppError('forbidden', 'missing or invalid CSRF token', 'error.csrf');
  }
}
