// What the console's case pages share around their own content: the frame of a staff page, the
// one-time notice after a redirect, and which refusals a form shows again.
import type { AppError } from '../../errors.ts';
import { adminNav } from '../admin/routes.ts';
import type { WebDeps } from '../deps.ts';
import type { Form } from '../form.ts';
import { staffOf } from '../staff-auth.ts';

/** The frame of a staff page: the CSRF token of its forms, the signed-in user and the menu. */
export function staffFrame(deps: WebDeps, f: Form) {
  const actor = staffOf(f.req);
  return { csrf: f.csrf(), staffEmail: actor.email, nav: (deps.staffNav ?? adminNav)(actor) };
}

/** A one-time notice after a redirect (`?sent=assigned`): the text `notices` gives for it, or null. */
export function noticeOf(f: Form, notices: Readonly<Record<string, string>>): string | null {
  const v = f.query('sent', 40);
  return Object.hasOwn(notices, v) ? f.t(notices[v]) : null;
}

/**
 * Refusals that are no fault of what was typed: an unknown case (or one of another agency) and a
 * forged CSRF token get the error page, never the form again. A post to a case the user may not
 * see MUST read like a post to no case at all, and a forged post opens nothing.
 */
export function isPageRefusal(error: AppError): boolean {
  return error.code === 'not_found' || error.userMessage === 'error.csrf';
}

/** What a refused form typed, to show it again: every posted string but the CSRF token, each cut to `max`. */
export function typedOf(fields: Record<string, unknown>, max: number): Record<string, string> {
  return Object.fromEntries(
    Object.entries(fields)
      .filter((e): e is [string, string] => e[0] !== '_csrf' && typeof e[1] === 'string')
      .map(([k, v]) => [k, v.slice(0, max)]),
  );
}
