// One forms helper for every HTML page of both sides: the page context, the posted body read as
// strings cut to their limits, the CSRF token, and "post, then show the form again with the error".
// Route handlers stay parse → authorize → one domain call → render; this is the parse and the
// error half of it, written once.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppError } from '../errors.ts';
import { checkCsrf, csrfToken } from './csrf.ts';
import { asAppError, replyStatus, statusOf } from './errors.ts';
import { langSwitchOf, pageContext, type PageContext } from './render.ts';

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
  /** The post is the page's language switch (render.ts, LangSwitch): show the form again, do nothing else. */
  isLangSwitch: boolean;
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
    isLangSwitch: req.method === 'POST' && langSwitchOf(req) !== null,
  };
}

/**
 * Post, then show again with errors. Checks the CSRF token, then runs `act` (which redirects, or
 * sends a page). An AppError, or anything else (logged by its message only, shown as the generic
 * `error.internal`), gives `again` the error and the status to answer with, so the form comes back
 * with what was typed, the summary and the field messages. `again` must not lose what was typed.
 * The form's language switch (a form shown again after a post) does not act: `again` shows the
 * form in the other language with the faults `check` finds in what was typed (null when none or no
 * `check`), since those are what the person switched language to read.
 */
export async function postForm(
  f: Form,
  act: () => Promise<FastifyReply> | FastifyReply,
  again: (error: AppError | null, status: number) => Promise<FastifyReply> | FastifyReply,
  check?: () => unknown,
): Promise<FastifyReply> {
  return actOnForm(
    f,
    () => {
      checkCsrf(f.req, f.body._csrf);
      if (!f.isLangSwitch) return act();
      const fault = check ? faultOf(check) : null;
      return again(fault, fault ? statusOf(fault) : 200);
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
 * The post carries this browser's own CSRF token: a form of ours, sent by its page. Only such a post
 * may leave anything for the browser's next page (form-back.ts).
 */
export function isOwnPost(f: Form): boolean {
  return faultOf(() => checkCsrf(f.req, f.body._csrf)) === null;
}

/** The error `check` throws, as an AppError, or null when it returns. */
export function faultOf(check: () => unknown): AppError | null {
  try {
    check();
    return null;
  } catch (e) {
    return asAppError(e);
  }
}

/**
 * What a form page shows of an error: the summary's text (translated with `params`, such as a
 * form's file limits) and the field messages (i18n keys by field name). Every view renders it with `_error-summary.eta` and `_field-error.eta`.
 */
export function errorView(
  f: Form,
  error: AppError | null,
  params?: Record<string, string | number>,
): { alert: string | null; errors: Record<string, string> } {
  return { alert: error ? f.t(error.userMessage, params) : null, errors: error ? { ...error.fields } : {} };
}
