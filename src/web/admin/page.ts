// How a page of administration or of the staff account is sent: the menu, the CSRF token, the
// one-time notice and the error summary's data, the same on every page of these groups.
import type { FastifyReply } from 'fastify';
import type { AppError } from '../../errors.ts';
import type { StaffActor } from '../../staff/session.ts';
import type { WebDeps } from '../deps.ts';
import { errorView, type Form } from '../form.ts';
import { sendPage } from '../render.ts';
import { adminNav } from './nav.ts';

/**
 * What a page shows besides its own data: a notice (an i18n key) or an error, the status, and the
 * parameters of the error's messages (`{min}` of a password's length).
 */
export type Shown = {
  notice?: string | null;
  error?: AppError | null;
  status?: number;
  params?: Record<string, string | number>;
};

/**
 * Sends `view` in the staff layout for `actor` (no menu until they have a second factor). Only a
 * GET page offers the language switch: the answer to a POST would be lost by it (a POST that can
 * redirect does, to a GET page).
 */
export function sendStaffPage(
  f: Form,
  deps: Pick<WebDeps, 'staffNav'>,
  actor: StaffActor | null,
  view: string,
  data: Record<string, unknown>,
  shown: Shown = {},
): FastifyReply {
  return sendPage(
    f.reply,
    { lang: f.lang, t: f.t, side: f.side },
    view,
    {
      csrf: f.csrf(),
      staffEmail: actor?.email ?? null,
      nav: actor?.isEnrolled ? (deps.staffNav ?? adminNav)(actor) : [],
      notice: shown.notice ? f.t(shown.notice) : null,
      ...errorView(f, shown.error ?? null),
      ...(shown.error && shown.params ? { alert: f.t(shown.error.userMessage, shown.params) } : {}),
      params: shown.params,
      ...data,
    },
    shown.status ?? 200,
    f.req.method === 'GET',
  );
}

/** A one-time notice named in the query (`?done=`), when it is one of `allowed`: its i18n key. */
export function doneNotice(f: Form, prefix: string, allowed: readonly string[]): string | null {
  const done = f.query('done', 40);
  return allowed.includes(done) ? `${prefix}${done}` : null;
}
