// Drives a running server over real HTTP (fetch) like a browser without JavaScript: a cookie jar
// kept by hand, CSRF tokens read from pages, url-encoded and multipart forms, and the JSON API.
import { multipart, type FilePart } from './web.ts';
import { Secret } from 'otpauth';
import { totpCode } from '../../src/staff/totp.ts';
import { FORM_COOKIE } from '../../src/web/form-back.ts';

/** Cookie name → value. Paths are ignored: every cookie is sent to every path of the one server. */
export type CookieJar = Map<string, string>;

export type HttpResponse = { status: number; headers: Headers; body: string; bytes: Buffer; location: string | null };

export function cookieJar(): CookieJar {
  return new Map();
}

function keep(jar: CookieJar, res: Response): void {
  for (const line of res.headers.getSetCookie()) {
    const [pair, ...attrs] = line.split(';');
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    const attr = (n: string) =>
      attrs
        .map((a) => a.trim())
        .find((a) => a.toLowerCase().startsWith(`${n}=`))
        ?.slice(n.length + 1);
    const maxAge = attr('max-age');
    const expires = attr('expires');
    const isGone =
      value === '' ||
      (maxAge !== undefined && Number(maxAge) <= 0) ||
      (expires !== undefined && Date.parse(expires) < Date.now());
    if (isGone) jar.delete(name);
    else jar.set(name, value);
  }
}

function cookieHeader(jar: CookieJar): Record<string, string> {
  return jar.size === 0 ? {} : { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') };
}

/** One request; redirects are not followed (their Location is returned), the body is read in full. */
export async function send(
  base: string,
  jar: CookieJar | null,
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: RequestInit['body']; duplex?: 'half' } = {},
): Promise<HttpResponse> {
  const res = await fetch(new URL(path, base), {
    method: init.method ?? 'GET',
    redirect: 'manual',
    headers: { ...(jar ? cookieHeader(jar) : {}), ...init.headers },
    body: init.body,
    ...(init.duplex ? { duplex: init.duplex } : {}),
  } as RequestInit);
  if (jar) keep(jar, res);
  const bytes = Buffer.from(await res.arrayBuffer());
  return {
    status: res.status,
    headers: res.headers,
    body: bytes.toString('utf8'),
    bytes,
    location: res.headers.get('location'),
  };
}

export function httpGet(base: string, jar: CookieJar, path: string): Promise<HttpResponse> {
  return send(base, jar, path);
}

/**
 * A filing's 303 to the receipt page, a survey's to its thank-you page, and a refused form's to its
 * own page (with the `sj_form` cookie) are followed, as a browser does (the page a reload shows again).
 */
export async function followPost(base: string, jar: CookieJar, res: HttpResponse): Promise<HttpResponse> {
  const to = res.location ?? '';
  const isFormGivenBack = res.headers
    .getSetCookie()
    .some((c) => c.startsWith(`${FORM_COOKIE}=`) && !c.startsWith(`${FORM_COOKIE}=;`));
  const isFollowed = to === '/receipt' || to.startsWith('/ita/done/') || isFormGivenBack;
  return res.status === 303 && isFollowed ? send(base, jar, to) : res;
}

export async function httpPostForm(
  base: string,
  jar: CookieJar,
  path: string,
  fields: Record<string, string>,
): Promise<HttpResponse> {
  return followPost(
    base,
    jar,
    await send(base, jar, path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    }),
  );
}

/** Fields first (put `_csrf` first among them), then files, as a browser sends a form. */
export async function httpPostMultipart(
  base: string,
  jar: CookieJar,
  path: string,
  fields: Record<string, string>,
  files: FilePart[] = [],
): Promise<HttpResponse> {
  const { body, contentType } = await multipart(fields, files);
  return followPost(
    base,
    jar,
    await send(base, jar, path, {
      method: 'POST',
      headers: { 'content-type': contentType },
      body: new Uint8Array(body),
    }),
  );
}

/** A JSON API call; `token` is sent as a bearer token. The body is parsed when it is JSON. */
export async function api<T = Record<string, unknown>>(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  token?: string,
): Promise<{ status: number; json: T; text: string }> {
  const res = await send(base, null, path, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let json = {} as T;
  if (/json/.test(res.headers.get('content-type') ?? '')) json = JSON.parse(res.body) as T;
  return { status: res.status, json, text: res.body };
}

/** Opens a report with its receipt through the JSON API, as a reporter's app would. */
export async function openReportByReceipt(
  base: string,
  receipt: string,
): Promise<{ status: number; report: ApiCase | null; detail: string }> {
  const s = await api<{ token: string }>(base, 'POST', '/api/v1/reporter/session', { receipt });
  if (s.status !== 200) return { status: s.status, report: null, detail: s.text };
  const r = await api<ApiCase>(base, 'GET', '/api/v1/reporter/report', undefined, s.json.token);
  return { status: r.status, report: r.status === 200 ? r.json : null, detail: r.text };
}

export type ApiFile = { id: string; name: string; type: string; size: number; uploadedBy: string };
export type ApiCase = {
  reference: string;
  agency: string;
  status: string;
  content: { what: string; when: string; where: string; who: string };
  hasIdentity: boolean;
  attachments: ApiFile[];
  messages: { id: string; author: string; text: string; attachments: ApiFile[] }[];
};

/**
 * Completes the second-factor enrolment a new staff member is sent to after their first login, as
 * a person with an authenticator app would: reads the secret shown, types the current code.
 */
export async function enrolSecondFactor(
  base: string,
  jar: CookieJar,
): Promise<{ secret: Buffer; base32: string; recoveryCodes: string[] }> {
  const page = await httpGet(base, jar, '/staff/account/totp');
  if (page.status !== 200) throw new Error(`enrolment page: ${page.status}`);
  const base32 = /<code id="totp-secret"[^>]*>([A-Z2-7 ]+)<\/code>/.exec(page.body)![1].replace(/ /g, '');
  const secret = Buffer.from(Secret.fromBase32(base32).bytes);
  const sealed = /name="enrolment" value="([^"]+)"/.exec(page.body)![1];
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1];
  const done = await httpPostForm(base, jar, '/staff/account/totp', {
    _csrf: csrf,
    enrolment: sealed,
    code: totpCode(secret),
  });
  // The codes are shown by a page of their own (a reload keeps them): the enrolment redirects there.
  if (done.status !== 303) throw new Error(`enrolment: ${done.status} ${done.body.slice(0, 300)}`);
  const shown = await httpGet(base, jar, done.location ?? '');
  if (shown.status !== 200) throw new Error(`recovery codes page: ${shown.status}`);
  const recoveryCodes = [...shown.body.matchAll(/\b(\d{4}-\d{4}-\d{4}-\d{4})\b/g)].map((m) => m[1]);
  return { secret, base32, recoveryCodes };
}
