// A refused form given back on its own page (issue 13, B.1), for every reporter-side form that
// files something (a report, a complaint, a witness statement, a reply, a rating). The refused post
// writes what the page must show again (what was typed, the error) as a one-time record that only
// this browser can open (intake/form-return.ts) and answers 303 to the form's page, whose GET shows
// it. So reloading the refused form, or going back to it after the form was sent, never asks to
// send it again and never files twice. The post's own answer gives the form back instead when the
// post is not the browser's own form (no valid CSRF token, a malformed body: another site's post
// must leave nothing for the page to show) or when no record can be written (the database is down).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError, type ErrorCode } from '../errors.ts';
import { forgetFormReturn, keepFormReturn, readFormReturn } from '../intake/form-return.ts';
import { REVEAL_MINUTES } from '../intake/receipt-reveal.ts';
import type { WebDeps } from './deps.ts';

/** The cookie that opens a refused form's record; its path is the form's. */
export const FORM_COOKIE = 'sj_form';

/** What every form given back carries: the error (null: a language switch without fault) and the status it answers. */
export type Back = { error: AppError | null; status: number };

/**
 * Where a form comes back: `page`, the GET address a refused post redirects to; `path`, the cookie's
 * path (covering the page and the form's action); `name`, the record's name, which only that page
 * shows (a page whose content depends on a session names the session's case in it).
 */
export type BackPlace = { page: string; path: string; name: string };

type KeptError = { code: ErrorCode; message: string; userMessage: string; fields: Record<string, string> };
type Kept<B extends Back> = Omit<B, 'error'> & { error: KeptError | null };

/** The form this browser's refused post left for `place`, or null (a fresh form). */
export async function takeBack<B extends Back>(
  req: FastifyRequest,
  deps: WebDeps,
  place: BackPlace,
): Promise<B | null> {
  const kept = await readFormReturn<Kept<B>>(deps.db, req.cookies[FORM_COOKIE], place.name);
  if (!kept) return null;
  const e = kept.error;
  return { ...kept, error: e ? new AppError(e.code, e.message, e.userMessage, e.fields) : null } as unknown as B;
}

/** Gives `back` after a post: its record and 303 to the page, or `inPlace()` (see above). */
export async function giveBack<B extends Back>(
  req: FastifyRequest,
  reply: FastifyReply,
  deps: WebDeps,
  {
    place,
    back,
    isOwnForm,
    inPlace,
  }: { place: BackPlace; back: B; isOwnForm: boolean; inPlace: () => Promise<FastifyReply> | FastifyReply },
): Promise<FastifyReply> {
  if (!isOwnForm) return inPlace();
  const e = back.error;
  const kept = {
    ...back,
    error: e ? { code: e.code, message: e.message, userMessage: e.userMessage, fields: { ...e.fields } } : null,
  };
  let cookie: string;
  try {
    cookie = await keepFormReturn(deps.db, { form: place.name, shown: kept }, req.cookies[FORM_COOKIE]);
  } catch {
    return inPlace();
  }
  reply.setCookie(FORM_COOKIE, cookie, {
    path: place.path,
    httpOnly: true,
    sameSite: 'strict',
    secure: deps.config.isSecureCookies,
    maxAge: REVEAL_MINUTES * 60,
  });
  return reply.redirect(place.page, 303);
}

/** After the form was sent: its page is fresh again (the record would go by itself within REVEAL_MINUTES). */
export async function clearBack(
  req: FastifyRequest,
  reply: FastifyReply,
  deps: WebDeps,
  place: BackPlace,
): Promise<void> {
  const cookie = req.cookies[FORM_COOKIE];
  if (!cookie) return;
  await forgetFormReturn(deps.db, cookie).catch(() => undefined);
  reply.clearCookie(FORM_COOKIE, { path: place.path });
}
