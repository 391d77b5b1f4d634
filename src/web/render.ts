// Server-rendered pages: Eta templates with auto-escaping, the translator and date formats, and the
// language switch every page offers.
import { formDateValue } from '../i18n/form-date.ts';
import path from 'node:path';
import { Eta } from 'eta';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  formatDate,
  formatDayOf,
  formatMonth,
  formatSize,
  isLang,
  translator,
  type Lang,
  type T,
} from '../i18n/messages.ts';
import { sideOf, type Side } from './side.ts';

const eta = new Eta({ views: path.join(import.meta.dirname, 'views'), autoEscape: true, cache: true, useWith: false });

export const LANG_COOKIE = 'sj_lang';
/** The field a form's language switch posts (see LangSwitch). */
export const LANG_FIELD = '_lang';

/**
 * The page language: `?lang=`, or the `_lang` field a form's language switch posted (either is
 * remembered in a cookie), then the cookie, then Thai.
 */
export function langOf(req: FastifyRequest, reply?: FastifyReply): Lang {
  const q = (req.query as Record<string, unknown> | undefined)?.lang;
  const posted = langSwitchOf(req);
  const chosen = isLang(q) ? q : posted;
  if (chosen) {
    reply?.setCookie(LANG_COOKIE, chosen, { path: '/', sameSite: 'strict', httpOnly: true, maxAge: 365 * 86400 });
    return chosen;
  }
  const c = req.cookies?.[LANG_COOKIE]; // absent on an answer made before routing (app.ts frameworkErrors)
  return isLang(c) ? c : 'th';
}

/** The language a form's switch posted (`_lang`), or null: the request asks for the page again, not for its action. */
export function langSwitchOf(req: FastifyRequest): Lang | null {
  const body = req.body;
  const v = body && typeof body === 'object' ? (body as Record<string, unknown>)[LANG_FIELD] : undefined;
  return isLang(v) ? v : null;
}

export type PageContext = { lang: Lang; t: T; side: Side };

/** The language and the side of a page: the side (and so the layout) is the plugin's that routed the request. */
export function pageContext(req: FastifyRequest, reply: FastifyReply): PageContext {
  const lang = langOf(req, reply);
  return { lang, t: translator(lang), side: sideOf(req) };
}

/**
 * How a page offers the other language. Every page has a switch, and it never loses what the page
 * shows nor sends a form again:
 * - a GET page links to itself (the default);
 * - `{ href }`: a GET page that shows the same thing (a page that answers a POST and has one);
 * - `{ form }`: the id of the page's form, for a form shown again with what was typed: the switch
 *   is a button of that form that posts its fields with `_lang` (url-encoded, files left out); the
 *   handler shows the form again in that language and does nothing else (form.ts, postForm);
 * - `{ relative: true }`: on a GET, `?lang=` alone, the same address without its query and with
 *   no path written in the page (error pages: two refusals must read alike, whatever was asked);
 *   after a POST, the side's home.
 * A page answering a POST that names neither a form nor a page links to the GET page at the same
 * address if there is one, else to the side's home.
 */
export type LangSwitch = { href: string } | { form: string } | { relative: true };

/** Query parameters of a one-time notice ("message sent"): not part of the page, dropped by the switch. */
const ONE_TIME_PARAMS = ['sent', 'rated'];

function switchOf(req: FastifyRequest, reply: FastifyReply, lang: Lang, given: LangSwitch | undefined) {
  const to: Lang = lang === 'th' ? 'en' : 'th';
  if (given && 'form' in given) return { to, form: given.form, href: null };
  const isGet = req.method === 'GET' || req.method === 'HEAD';
  const home = sideOf(req) === 'staff' ? '/staff/cases' : '/';
  if (given && 'relative' in given) return { to, form: null, href: isGet ? `?lang=${to}` : `${home}?lang=${to}` };
  const route = req.routeOptions?.url;
  const hasGetTwin = route !== undefined && reply.server.hasRoute({ url: route, method: 'GET' });
  const href = given && 'href' in given ? given.href : null;
  const url = new URL(href ?? (isGet || hasGetTwin ? req.url : home), 'http://x');
  for (const p of ONE_TIME_PARAMS) url.searchParams.delete(p);
  url.searchParams.set('lang', to);
  return { to, form: null, href: `${url.pathname}${url.search}` };
}

/**
 * Renders a view into the layout and sends it. `lang` says how the page's language switch keeps
 * what it shows (LangSwitch); a boolean is the former "is a GET page" flag and is ignored (a GET
 * page always links to itself).
 */
export function sendPage(
  reply: FastifyReply,
  ctx: PageContext,
  view: string,
  data: Record<string, unknown>,
  status = 200,
  lang?: LangSwitch | boolean,
): FastifyReply {
  const html = eta.render(`./${view}`, {
    ...ctx,
    date: (d: Date) => formatDate(ctx.lang, d),
    day: (d: Date) => formatDayOf(ctx.lang, d),
    monthName: (m: string) => formatMonth(ctx.lang, m),
    size: (n: number) => formatSize(ctx.lang, n),
    // A YYYY-MM-DD day in a date field: DD/MM/B.E. in Thai; what was typed and did not read as a date is shown back as typed.
    formDate: (v: string | null | undefined) => formDateValue(v, ctx.lang),
    langSwitch: switchOf(reply.request, reply, ctx.lang, typeof lang === 'object' ? lang : undefined),
    ...data,
  });
  return reply.code(status).type('text/html; charset=utf-8').send(html);
}
