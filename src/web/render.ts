// Server-rendered pages: Eta templates with auto-escaping, the translator and date formats.
import { formDateValue } from '../i18n/form-date.ts';
import path from 'node:path';
import { Eta } from 'eta';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { formatDate, formatSize, isLang, translator, type Lang, type T } from '../i18n/messages.ts';
import { sideOf, type Side } from './side.ts';

const eta = new Eta({ views: path.join(import.meta.dirname, 'views'), autoEscape: true, cache: true, useWith: false });

export const LANG_COOKIE = 'sj_lang';

/** The page language: `?lang=` (remembered in a cookie), then the cookie, then Thai. */
export function langOf(req: FastifyRequest, reply?: FastifyReply): Lang {
  const q = (req.query as Record<string, unknown> | undefined)?.lang;
  if (isLang(q)) {
    reply?.setCookie(LANG_COOKIE, q, { path: '/', sameSite: 'strict', httpOnly: true, maxAge: 365 * 86400 });
    return q;
  }
  const c = req.cookies?.[LANG_COOKIE]; // absent on an answer made before routing (app.ts frameworkErrors)
  return isLang(c) ? c : 'th';
}

export type PageContext = { lang: Lang; t: T; side: Side };

/** The language and the side of a page: the side (and so the layout) is the plugin's that routed the request. */
export function pageContext(req: FastifyRequest, reply: FastifyReply): PageContext {
  const lang = langOf(req, reply);
  return { lang, t: translator(lang), side: sideOf(req) };
}

/**
 * Renders a view into the layout and sends it. `langHref` is offered only on pages a GET can
 * show again (a switch on a POST result would lose what it shows).
 */
export function sendPage(
  reply: FastifyReply,
  ctx: PageContext,
  view: string,
  data: Record<string, unknown>,
  status = 200,
  isGetPage = false,
): FastifyReply {
  const req = reply.request;
  const other = ctx.lang === 'th' ? 'en' : 'th';
  const url = new URL(req.url, 'http://x');
  url.searchParams.delete('sent'); // a one-time notice, not part of the page
  url.searchParams.set('lang', other);
  const html = eta.render(`./${view}`, {
    ...ctx,
    date: (d: Date) => formatDate(ctx.lang, d),
    size: (n: number) => formatSize(ctx.lang, n),
    // A YYYY-MM-DD day in a date field: DD/MM/B.E. in Thai; what was typed and did not read as a date is shown back as typed.
    formDate: (v: string | null | undefined) => formDateValue(v, ctx.lang),
    langHref: isGetPage ? `${url.pathname}${url.search}` : null,
    ...data,
  });
  return reply.code(status).type('text/html; charset=utf-8').send(html);
}
