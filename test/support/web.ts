// Helpers to drive the app like a browser without JavaScript: cookies, CSRF tokens, forms.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { FORM_COOKIE } from '../../src/web/form-back.ts';

export type Jar = Map<string, string>;

export function newJar(): Jar {
  return new Map();
}

export function cookieHeader(jar: Jar): string {
  return [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
}

export function keepCookies(jar: Jar, res: LightMyRequestResponse): void {
  for (const c of res.cookies as { name: string; value: string; maxAge?: number; expires?: Date }[]) {
    if (c.value === '' || c.maxAge === 0 || (c.expires && c.expires.getTime() < Date.now())) jar.delete(c.name);
    else jar.set(c.name, c.value);
  }
}

export async function get(app: FastifyInstance, jar: Jar, url: string): Promise<LightMyRequestResponse> {
  const res = await app.inject({ method: 'GET', url, headers: { cookie: cookieHeader(jar) } });
  keepCookies(jar, res);
  return res;
}

/** The CSRF token of the first form on a page. */
/** The hidden fields of a follow-up page's forms: the CSRF token and the tag of the session's case. */
export function caseFormOf(html: string): { _csrf: string; _case: string } {
  const m = /name="_case" value="([^"]+)"/.exec(html);
  if (!m) throw new Error('no case tag on the page');
  return { _csrf: csrfOf(html), _case: m[1] };
}

export function csrfOf(html: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!m) throw new Error('no CSRF token on the page');
  return m[1];
}

/**
 * GETs a page, then POSTs one of its forms with the page's CSRF token (repeated fields as lists),
 * keeping the cookies the answer sets as a browser does. The answer is not followed.
 */
export async function submitPage(
  app: FastifyInstance,
  jar: Jar,
  pageUrl: string,
  action: string,
  fields: Record<string, string | string[]>,
): Promise<LightMyRequestResponse> {
  const page = await get(app, jar, pageUrl);
  const body = new URLSearchParams({ _csrf: csrfOf(page.body) });
  for (const [k, v] of Object.entries(fields)) for (const x of Array.isArray(v) ? v : [v]) body.append(k, x);
  const res = await app.inject({
    method: 'POST',
    url: action,
    headers: { cookie: cookieHeader(jar), 'content-type': 'application/x-www-form-urlencoded' },
    payload: body.toString(),
  });
  keepCookies(jar, res);
  return res;
}

export async function postForm(
  app: FastifyInstance,
  jar: Jar,
  url: string,
  fields: Record<string, string>,
): Promise<LightMyRequestResponse> {
  const res = await app.inject({
    method: 'POST',
    url,
    headers: { cookie: cookieHeader(jar), 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams(fields).toString(),
  });
  keepCookies(jar, res);
  return followPost(app, jar, res);
}

/**
 * A filing answers 303 to the receipt page (a reload there never files again), a survey to its
 * thank-you page (a reload never answers twice), and a refused form to its own page, which gives
 * the form back (with the `sj_form` cookie, src/web/form-back.ts); like a browser, the form
 * helpers follow that one redirect.
 * Tests of the redirect itself call `app.inject` directly.
 */
export async function followPost(
  app: FastifyInstance,
  jar: Jar,
  res: LightMyRequestResponse,
): Promise<LightMyRequestResponse> {
  const to = String(res.headers.location ?? '');
  const cookies = res.cookies as { name: string; value: string }[];
  const isFormGivenBack = cookies.some((c) => c.name === FORM_COOKIE && c.value !== '');
  const isFollowed = to === '/receipt' || to.startsWith('/ita/done/') || isFormGivenBack;
  return res.statusCode === 303 && isFollowed ? get(app, jar, to) : res;
}

export type FilePart = { name: string; type: string; data: Buffer };

/** Encodes fields then files, in that order, as a browser does for a form. */
export async function multipart(
  fields: Record<string, string>,
  files: FilePart[] = [],
  fileField = 'files',
): Promise<{ body: Buffer; contentType: string }> {
  const fd = new FormData();
  for (const [k, v] of Object.entries(fields)) fd.append(k, v);
  for (const f of files) fd.append(fileField, new Blob([new Uint8Array(f.data)], { type: f.type }), f.name);
  const req = new Request('http://127.0.0.1/', { method: 'POST', body: fd });
  return { body: Buffer.from(await req.arrayBuffer()), contentType: req.headers.get('content-type')! };
}

export async function postMultipart(
  app: FastifyInstance,
  jar: Jar,
  url: string,
  fields: Record<string, string>,
  files: FilePart[] = [],
): Promise<LightMyRequestResponse> {
  const { body, contentType } = await multipart(fields, files);
  const res = await app.inject({
    method: 'POST',
    url,
    headers: { cookie: cookieHeader(jar), 'content-type': contentType },
    payload: body,
  });
  keepCookies(jar, res);
  return followPost(app, jar, res);
}

/** The 16-digit receipt shown on a receipt page. */
export function receiptOf(html: string): string {
  const m = /<output[^>]*>([\d ]{19})<\/output>/.exec(html);
  if (!m) throw new Error('no receipt on the page');
  return m[1].replace(/ /g, '');
}
