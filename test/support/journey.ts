// Small steps shared by the browser journeys: the CLI as an administrator runs it, a click that
// waits for the page it leads to, and a staff member's first sign-in with TOTP enrolment.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { Secret } from 'otpauth';
import type { Browser, Locator, Page, Response } from 'playwright-core';
import { openContext, type RecordedContext } from './browser.ts';
import type { StaffRole } from '../../src/db/schema.ts';
import { CASE_STATUSES } from '../../src/db/schema.ts';
import { translator } from '../../src/i18n/messages.ts';
import { totpCode } from '../../src/staff/totp.ts';
import { homeOf } from '../../src/web/admin/nav.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** Runs `node src/cli/main.ts ...args` (what `npm run sujarit --` runs); resolves with its stdout. */
export function runCli(args: string[], env: Record<string, string>, stdin = ''): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['src/cli/main.ts', ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`sujarit ${args.join(' ')} exited ${code}:\n${out}${err}`)),
    );
    child.stdin.end(stdin);
  });
}

/**
 * Clicks (a submit button or a link) and waits until the page it leads to has loaded: the final,
 * non-redirect response of a main-frame navigation. Returns that response for its status and URL.
 */
export async function clickAndLoad(page: Page, target: Locator): Promise<Response> {
  const loaded = page.waitForResponse(
    (r) =>
      r.request().isNavigationRequest() && r.frame() === page.mainFrame() && (r.status() < 300 || r.status() >= 400),
  );
  await target.click();
  const response = await loaded;
  await page.waitForLoadState('load');
  return response;
}

export function pathOf(page: Page): string {
  const u = new URL(page.url());
  return `${u.pathname}${u.search}`;
}

/**
 * A staff member created by the CLI signs in for the first time: password, then the enrolment of
 * the second factor as with an authenticator app (the code computed from the secret shown), the
 * recovery codes, and their home page (`home`: the inbox, or administration for those who only
 * manage: src/web/admin/nav.ts). Returns the TOTP secret. The session lasts the journey, so each
 * person signs in once (a TOTP code is accepted once).
 */
export async function signInFirstTime(
  page: Page,
  baseUrl: string,
  email: string,
  password: string,
  home = '/staff/cases',
): Promise<Buffer> {
  await page.goto(`${baseUrl}/staff/login`);
  await page.getByLabel('อีเมล').fill(email);
  await page.getByLabel('รหัสผ่าน').fill(password);
  const enrol = await clickAndLoad(page, page.getByRole('button', { name: 'เข้าสู่ระบบ', exact: true }));
  assert.equal(enrol.status(), 200, await enrol.text());
  assert.equal(pathOf(page), '/staff/account/totp');
  const secret = Buffer.from(
    Secret.fromBase32(((await page.locator('#totp-secret').textContent()) ?? '').replace(/\s/g, '')).bytes,
  );
  await page.getByLabel('รหัส 6 หลักจากแอป').fill(totpCode(secret));
  const codes = await clickAndLoad(page, page.getByRole('button', { name: 'ยืนยัน', exact: true }));
  assert.equal(codes.status(), 200, await codes.text());
  assert.equal(pathOf(page), '/staff/account/recovery', 'the codes on a page a reload shows again');
  assert.equal(await page.locator('ol.recovery li').count(), 10, 'ten recovery codes');
  const landed = await clickAndLoad(page, page.getByRole('button', { name: 'เก็บรหัสแล้ว ไปต่อ' }));
  assert.equal(landed.status(), 200, await landed.text());
  assert.equal(pathOf(page), home);
  return secret;
}

/** Adds an agency with `agency add` and checks the CLI says so. */
export async function addAgencyByCli(env: Record<string, string>, code: string, nameTh: string, nameEn: string) {
  assert.match(
    await runCli(['agency', 'add', '--code', code, '--name-th', nameTh, '--name-en', nameEn], env),
    new RegExp(`agency ${code} added`),
  );
}

/** Adds each person with `user add` (password on standard input) and checks the CLI says so. */
export async function addStaffByCli(
  env: Record<string, string>,
  people: readonly { agency: string; email: string; role: string; name: string }[],
  password: string,
): Promise<void> {
  for (const s of people) {
    const out = await runCli(
      ['user', 'add', '--agency', s.agency, '--email', s.email, '--role', s.role, '--name', s.name, '--password-stdin'],
      env,
      `${password}\n`,
    );
    assert.match(out, new RegExp(`user ${s.email.replace(/\./g, '\\.')} added to ${s.agency} as ${s.role}`));
  }
}

/** Ends a journey: its browser contexts, the browser, the server, then its database and data folder. */
export async function closeJourney(j: {
  contexts: readonly { context: { close: () => Promise<void> } }[];
  browser?: { close: () => Promise<void> };
  server?: { stop: () => Promise<void> };
  fixture?: { cleanup: () => Promise<void> };
}): Promise<void> {
  for (const c of j.contexts) await c.context.close().catch(() => {});
  await j.browser?.close();
  await j.server?.stop();
  await j.fixture?.cleanup();
}

/**
 * A signed-in desktop page per staff member, opened (first sign-in with TOTP enrolment) on first
 * use and kept. `browser` and `baseUrl` are read when a page is first needed (they are set in
 * `before`); the contexts go to `contexts`, for closeJourney.
 */
export function staffPages<K extends string>(
  j: { browser: () => Browser; baseUrl: () => string; contexts: RecordedContext[] },
  people: Record<K, { email: string; role?: string }>,
  password: string,
  /** called once per person, after their first sign-in (e.g. to have axe watch their pages from then on) */
  onSignedIn: (page: Page) => void = () => {},
): (who: K) => Promise<Page> {
  const pages = new Map<K, Page>();
  return async (who) => {
    let page = pages.get(who);
    if (!page) {
      const c = await openContext(j.browser(), {
        viewport: { width: 1280, height: 900 },
        isMobile: false,
        hasTouch: false,
        deviceScaleFactor: 1,
      });
      c.context.setDefaultTimeout(10_000);
      j.contexts.push(c);
      page = c.page;
      const { email, role } = people[who];
      await signInFirstTime(page, j.baseUrl(), email, password, homeOf({ roles: role ? [role as StaffRole] : [] }));
      onSignedIn(page);
      pages.set(who, page);
    }
    return page;
  };
}

/** A status code from its Thai label ('รับเรื่องแล้ว' → 'acknowledged'). */
function statusOf(label: string): string {
  const th = translator('th');
  const code = CASE_STATUSES.find((s) => th(`status.${s}`) === label);
  assert.ok(code, `no status is called ${label}`);
  return code;
}

/**
 * Moves the open case with the case page's form: the new status (its Thai label, whose move's
 * button is pressed), an outcome when one is asked, a reason; checks the page saved and shows the
 * new status.
 */
export async function moveCase(page: Page, to: string, reason: string, outcome?: string): Promise<void> {
  const form = page.getByRole('region', { name: 'ดำเนินการต่อ' });
  if (outcome) await form.getByLabel('ผลการกลั่นกรองหรือข้อสรุป').selectOption({ label: outcome });
  await form.getByRole('textbox', { name: 'เหตุผล', exact: true }).fill(reason);
  const saved = await clickAndLoad(page, form.locator(`button[name="to"][value="${statusOf(to)}"]`));
  assert.equal(saved.status(), 200, await saved.text());
  assert.equal(((await page.locator('dl.meta .status').textContent()) ?? '').trim(), to);
}
