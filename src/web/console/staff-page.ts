// What the console's form pages share around their own content: the frame of a staff page, the
// one-time notice after a redirect, and the one rule of which refusals a form shows again. The
// rest of a handler is parse → authorize → one domain call → render (form.ts: formOf, postForm).
import type { AppError } from '../../errors.ts';
import { staffMenu } from '../admin/nav.ts';
import type { WebDeps } from '../deps.ts';
import { errorView, type Form } from '../form.ts';
import { staffOf } from '../staff-auth.ts';

/** The frame of a staff page: the CSRF token of its forms, the signed-in user and the menu. */
export function staffFrame(deps: WebDeps, f: Form) {
  const actor = staffOf(f.req);
  return { csrf: f.csrf(), ...staffMenu(actor, deps.staffNav) };
}

/** A one-time notice after a redirect (`?sent=opened`): the text `notices` gives for the value of `param`, or null. */
export function noticeOf(f: Form, param: string, notices: Readonly<Record<string, string>>): string | null {
  const v = f.query(param, 40);
  return Object.hasOwn(notices, v) ? f.t(notices[v]) : null;
}

/** What a refused form typed, to show it again: every posted string but the CSRF token, each cut to `max`. */
export function typedOf(fields: Record<string, unknown>, max: number): Record<string, string> {
  return Object.fromEntries(
    Object.entries(fields)
      .filter((e): e is [string, string] => e[0] !== '_csrf' && typeof e[1] === 'string')
      .map(([k, v]) => [k, v.slice(0, max)]),
  );
}

/**
 * Refusals that are no fault of what was typed, on the case pages: an unknown case (or one of
 * another agency) and a forged CSRF token get the error page, never the form again. A post to a
 * case the user may not see MUST read like a post to no case at all, and a forged post opens nothing.
 */
export function isPageRefusal(error: AppError): boolean {
  return error.code === 'not_found' || error.userMessage === 'error.csrf';
}

/** Refusals that are no fault of the input: the error page answers them, never the form. */
const NOT_THE_FORMS = new Set(['not_found', 'forbidden', 'unauthorized', 'unavailable']);

/**
 * A refused form, to show again: the error summary's text, the field messages, and under `form`
 * which form of the page it was (`name`) with what was typed (each value cut to `max`). Not found,
 * forbidden and the database down are thrown to the error page: a stranger's post to another
 * agency's page MUST read like any unknown address. No error (a post of the language switch, which
 * the staff forms do not offer) shows the form again as typed.
 */
export function refusedForm(
  f: Form,
  error: AppError | null,
  name: string,
  max: number,
  fields: Record<string, unknown> = f.body,
) {
  if (error && NOT_THE_FORMS.has(error.code)) throw error;
  return { ...errorView(f, error), notice: null, form: { name, ...typedOf(fields, max) } };
}
