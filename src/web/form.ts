// One forms helper for every HTML page of both sides: the page context, the posted body read as
// strings cut to their limits, the CSRF token, and "post, then show the form again with the error".
// Route handlers stay parse → authorize → one domain call → render; this is the parse and the
// error half of it, written once.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppError } from '../errors.ts';
import { checkCsrf, csrfToken } from './csrf.ts';
import { asAppError, replyStatus } from './errors.ts';
import { pageContext, type PageContext } from './render.ts';

/** One request seen as a form page. */
export type Form = PageContext & {
  req: FastifyRequest;
  reply: FastifyReply;
  /** The posted fields (url-encoded); `{}` on a GET. */
  body: Record<string, unknown>;
  /** A posted field as a string of at most `max` characters ('' when absent or not a string). */
  str(name: string, max: number): string;
  /** A query-string parameter as a string of at most `max` characters. */
  query(name: string, max: number): string;
  /** The CSRF token for the form shown (sets the side's secret cookie on first use). */
  csrf(): string;
};

/** A value as a string cut to `max` characters: anything else (absent, an array, a number) is ''. */
export function str(v: unknown, max: number): string {
  return typeof v === 'string' ? v.slice(0, max) : '';
}

/** `context`: the page's language and side, when not the request's own (a query whose `lang` means something else). */
export function formOf(
  req: FastifyRequest,
  reply: FastifyReply,
  isSecureCookies: boolean,
  context: PageContext = pageContext(req, reply),
): Form {
  const body = (req.body ?? {}) as Record<string, unknown>;
  const q = (req.query ?? {}) as Record<string, unknown>;
  return {
    ...context,
    req,
    reply,
    body,
    str: (name, max) => str(body[name], max),
    query: (name, max) => str(q[name], max),
    csrf: () => csrfToken(req, reply, isSecureCookies),
  };
}

/**
 * Post, then show again with errors. Checks the CSRF token, then runs `act` (which redirects, or
 * sends a page). An AppError, or anything else (logged by its message only, shown as the generic
 * `error.internal`), gives `again` the error and the status to answer with, so the form comes back
 * with what was typed, the summary and the field messages. `again` must not lose what was typed.
 */
export async function postForm(
  f: Form,
  act: () => Promise<FastifyReply> | FastifyReply,
  again: (error: AppError, status: number) => Promise<FastifyReply> | FastifyReply,
): Promise<FastifyReply> {
  return actOnForm(
    f,
    () => {
      checkCsrf(f.req, f.body._csrf);
      return act();
    },
    again,
  );
}

/**
 * postForm for a multipart form, whose CSRF token multipart-form.ts checked as the form streamed in
 * (before any file): runs `act`, and any error goes to `again` as in postForm.
 */
export async function actOnForm(
  f: Form,
  act: () => Promise<FastifyReply> | FastifyReply,
  again: (error: AppError, status: number) => Promise<FastifyReply> | FastifyReply,
): Promise<FastifyReply> {
  try {
    return await act();
  } catch (e) {
    const err = asAppError(e);
    if (err.code === 'internal') f.req.log.error({ err: { message: (e as Error).message } }, 'form action failed');
    return again(err, replyStatus(f.reply, err));
  }
}

/**
 * What a form page shows of an error: the summary's text and the field messages (i18n keys by field
 * name). Every view renders it with `_error-summary.eta` and `_field-error.eta`.
 */
export function errorView(f: Form, error: AppError | null): { alert: string | null; errors: Record<string, string> } {
  return { alert: error ? f.t(error.userMessage) : null, errors: error ? { ...error.fields } : {} };
}
