// The only place that maps errors to HTTP: problem+json for the API, a page for people.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, isAppError, type ErrorCode } from '../errors.ts';

export const HTTP_STATUS: Record<ErrorCode, number> = {
  invalid_input: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  too_many_requests: 429,
  unavailable: 503,
};

const DB_DOWN_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOENT', 'EPIPE', 'ETIMEDOUT', '57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006', '53300']);

/** True when the database cannot be reached: the request is answered 503, never as if it worked. */
export function isDatabaseDown(e: unknown): boolean {
  const err = e as { code?: string; message?: string };
  return (err.code !== undefined && DB_DOWN_CODES.has(err.code)) || /Connection terminated|timeout exceeded when trying to connect|connect ECONNREFUSED|Client has encountered a connection error/.test(err.message ?? '');
}

/** Classifies any error. Unknown errors become a generic internal error that leaks nothing. */
export function toAppError(e: unknown): AppError | null {
  if (isAppError(e)) return e;
  if (isDatabaseDown(e)) return new AppError('unavailable', 'database unavailable; retry later', 'error.unavailable');
  const fe = e as FastifyError;
  if (typeof fe.statusCode === 'number' && fe.statusCode < 500) {
    if (fe.statusCode === 413) return new AppError('too_large', 'request body too large', 'error.report_too_large');
    if (fe.statusCode === 429) return new AppError('too_many_requests', 'too many requests', 'error.too_many_requests');
    if (fe.statusCode === 404) return new AppError('not_found', 'not found', 'error.not_found');
    return new AppError('invalid_input', fe.code ? `malformed request (${fe.code})` : 'malformed request', 'error.bad_request');
  }
  return null;
}

export function statusOf(e: AppError | null): number {
  return e ? HTTP_STATUS[e.code] : 500;
}

/** The status of an error answer, setting Retry-After when the error says when to retry (a 429 from a login limit). */
export function replyStatus(reply: FastifyReply, e: AppError | null): number {
  if (e?.retryAfterSeconds !== undefined) reply.header('retry-after', String(e.retryAfterSeconds));
  return statusOf(e);
}

export function isApiRequest(req: FastifyRequest): boolean {
  return req.url.startsWith('/api/');
}

/** Sends an RFC 9457 problem document. */
export function sendProblem(reply: FastifyReply, e: AppError | null): FastifyReply {
  const status = replyStatus(reply, e);
  return reply
    .code(status)
    .type('application/problem+json; charset=utf-8')
    .send({
      type: `/api/problems/${e?.code ?? 'internal'}`,
      title: e?.code ?? 'internal',
      status,
      detail: e?.message ?? 'internal error',
      ...(e && Object.keys(e.fields).length > 0 ? { errors: e.fields } : {}),
    });
}
