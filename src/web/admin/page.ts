// How a page of administration or of the staff account is sent (the menu, the CSRF token, the
// one-time notice and the error summary's data) and how its forms are posted, the same on every
// page of these groups.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppError } from '../../errors.ts';
import type { StaffRole } from '../../db/schema.ts';
import type { StaffActor } from '../../staff/session.ts';
import type { WebDeps } from '../deps.ts';
import { errorView, type Form, formOf, postForm } from '../form.ts';
import { sendPage } from '../render.ts';
import { requireRole } from '../staff-auth.ts';
import { staffMenu } from './nav.ts';

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
      ...staffMenu(actor, deps.staffNav),
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

/**
 * For a form that acts on something the request names (a user, a request): not found is the error
 * page's, so that something of another agency looks exactly like nothing; any other error is for
 * the form's page to show.
 */
export function unlessMissing(shown: Shown): Shown {
  if (shown.error?.code === 'not_found') throw shown.error;
  return shown;
}

type Params = Record<string, string>;

/** An `authorize` of pageRoute and formRoute: the signed-in user, holding one of `roles` (403 otherwise). */
export const withRole =
  (...roles: StaffRole[]) =>
  (req: FastifyRequest): StaffActor =>
    requireRole(req, ...roles);

/** The GET route of a staff page: who may see it (`authorize`), then the page. */
export function pageRoute(
  scope: FastifyInstance,
  deps: Pick<WebDeps, 'config'>,
  path: string,
  authorize: (req: FastifyRequest) => StaffActor,
  page: (f: Form, actor: StaffActor) => Promise<FastifyReply> | FastifyReply,
): void {
  scope.get(path, async (req, reply) => page(formOf(req, reply, deps.config.isSecureCookies), authorize(req)));
}

/**
 * The POST route of a staff form: who may (`authorize` refuses before anything is read), then
 * postForm: `act` does the one domain call and redirects (or sends its page); on any error, `again`
 * shows the form's page once more with it and what was typed.
 */
export function formRoute<P extends Params = Params>(
  scope: FastifyInstance,
  deps: Pick<WebDeps, 'config'>,
  path: string,
  authorize: (req: FastifyRequest) => StaffActor,
  act: (f: Form, actor: StaffActor, params: P) => Promise<FastifyReply> | FastifyReply,
  again: (f: Form, actor: StaffActor, shown: Shown, params: P) => Promise<FastifyReply> | FastifyReply,
): void {
  scope.post(path, async (req, reply) => {
    const actor = authorize(req);
    const f = formOf(req, reply, deps.config.isSecureCookies);
    const params = req.params as P;
    return postForm(
      f,
      () => act(f, actor, params),
      (error, status) => again(f, actor, { error, status }, params),
    );
  });
}
