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
  unsupported_media_type: 415,
  too_many_requests: 429,
  unavailable: 503,
  internal: 500,
};

const DB_DOWN_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOENT',
  'EPIPE',
  'ETIMEDOUT',
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  '53300',
]);

/** True when the database cannot be reached: the request is answered 503, never as if it worked. */
export function isDatabaseDown(e: unknown): boolean {
  const err = e as { code?: string; message?: string };
  return (
    (err.code !== undefined && DB_DOWN_CODES.has(err.code)) ||
    /Connection terminated|timeout exceeded when trying to connect|connect ECONNREFUSED|Client has encountered a connection error/.test(
      err.message ?? '',
    )
  );
}

// Text PostgreSQL cannot store (a NUL: 22021), a value not of the column's type (22P02), a number
// out of its range (22003), a string too long for it (22001). Validation refuses these first; this
// is the safety net that keeps a missed case a 400 instead of a 500.
const DB_INPUT_CODES = new Set(['22021', '22P02', '22003', '22001']);

/** True when PostgreSQL refused a value sent to it: the input was invalid, the server is fine. */
export function isDatabaseInputError(e: unknown): boolean {
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' && DB_INPUT_CODES.has(code);
}

/** Classifies any error. Unknown errors become a generic internal error that leaks nothing. */
export function toAppError(e: unknown): AppError | null {
  if (isAppError(e)) return e;
  if (isDatabaseDown(e)) return new AppError('unavailable', 'database unavailable; retry later', 'error.unavailable');
  if (isDatabaseInputError(e))
    return new AppError(
      'invalid_input',
      `the database refused the input (${(e as { code: string }).code})`,
      'error.bad_request',
    );
  const fe = e as FastifyError;
  if (typeof fe.statusCode === 'number' && fe.statusCode < 500) {
    if (fe.statusCode === 413) return new AppError('too_large', 'request body too large', 'error.report_too_large');
    if (fe.statusCode === 429) return new AppError('too_many_requests', 'too many requests', 'error.too_many_requests');
    if (fe.statusCode === 415)
      return new AppError('unsupported_media_type', 'unsupported content type', 'error.unsupported_media_type');
    if (fe.statusCode === 404) return new AppError('not_found', 'not found', 'error.not_found');
    return new AppError(
      'invalid_input',
      fe.code ? `malformed request (${fe.code})` : 'malformed request',
      'error.bad_request',
    );
  }
  return null;
}

/** Any error as an AppError: what toAppError cannot classify is `internal` (its message stays in the log). */
export function asAppError(e: unknown): AppError {
  return toAppError(e) ?? new AppError('internal', 'internal error', 'error.internal');
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

/** The RFC 9457 problem document of an error (null: the generic internal error). */
export function problemOf(e: AppError | null) {
  return {
    type: `/api/problems/${e?.code ?? 'internal'}`,
    title: e?.code ?? 'internal',
    status: statusOf(e),
    detail: e?.message ?? 'internal error',
    ...(e && Object.keys(e.fields).length > 0 ? { errors: e.fields } : {}),
  };
}

/** Sends an RFC 9457 problem document. */
export function sendProblem(reply: FastifyReply, e: AppError | null): FastifyReply {
  return reply.code(replyStatus(reply, e)).type('application/problem+json; charset=utf-8').send(problemOf(e));
}

/**
 * How one side shows an error to a person: its own layout (the staff one keeps the menu). Given the
 * message key and the status; MUST NOT change either.
 */
export type ErrorPage = (
  req: FastifyRequest,
  reply: FastifyReply,
  messageKey: string,
  status: number,
) => FastifyReply | Promise<FastifyReply>;

/**
 * The error handler of a side: logs what an operator needs (the error's code, never the request),
 * then answers problem+json on the API and the side's error page otherwise. Unknown errors are a
 * generic 500 that leaks nothing.
 */
export function errorHandler(page: ErrorPage) {
  return (error: unknown, req: FastifyRequest, reply: FastifyReply) => {
    const e = toAppError(error);
    if (!e)
      req.log.error(
        { err: { message: (error as Error).message, code: (error as { code?: string }).code } },
        'unhandled error',
      );
    else if (e.code === 'unavailable') req.log.warn('database unavailable');
    else if (isDatabaseInputError(error))
      req.log.warn({ err: { code: (error as { code?: string }).code } }, 'invalid input reached the database');
    if (isApiRequest(req)) return sendProblem(reply, e);
    return page(req, reply, e?.userMessage ?? 'error.internal', replyStatus(reply, e));
  };
}

/** The not-found handler of a side: problem+json on the API, the side's page otherwise. */
export function notFoundHandler(page: ErrorPage) {
  return (req: FastifyRequest, reply: FastifyReply) => {
    const e = new AppError('not_found', 'not found', 'error.not_found');
    if (isApiRequest(req)) return sendProblem(reply, e);
    return page(req, reply, e.userMessage, statusOf(e));
  };
}
