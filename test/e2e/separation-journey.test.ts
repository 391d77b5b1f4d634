// Separation of duties and links that reach their owner, in a real browser against the real server
// process with a real SMTP server: the platform administrator invites OPDC's administrator (the
// link is mailed, never shown); that administrator cannot give their own account a role; they invite
// an intake officer, whose role is only requested until an existing key holder (a supervisor)
// confirms it at /staff/role-grants; a tip filed afterwards on a phone is sealed to the new officer.
// Then the escrow: the administrator asks to restore the officer's access, an identity custodian
// approves, and the restore link goes to the officer's mailbox alone. Along the way a user's
// missteps: a reload, a stale tab submitting a decision again, confirming an account not set up.
// Administration and the account as people use them (issue 13, B.8 and B.10): administrators land
// on administration; every form says what is wrong in a summary whose links reach the fields; the
// invitation's and the recovery codes' pages switch language; deadlines for complaints; recovery
// codes printed, downloaded, used and made again; the audit trail read by kind, person and B.E. days.
// Each new or changed page is screenshotted at 1280 px and at 390 px (files under os.tmpdir()),
// must not overflow sideways at 390 px, and every page loaded is checked with axe (WCAG 2.2 AA).
import assert from 'node:assert/strict';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { watchAxe } from '../support/axe.ts';
import { checkErrorSummary } from '../support/error-summary.ts';
import { Secret } from 'otpauth';
import type { Browser, Page } from 'playwright-core';
import { translator } from '../../src/i18n/messages.ts';
import { totpCode } from '../../src/staff/totp.ts';
import { launchBrowser, openContext, type RecordedContext } from '../support/browser.ts';
import { addStaffByCli, clickAndLoad, closeJourney, pathOf, runCli, signInFirstTime } from '../support/journey.ts';
import { CHEAP_KDF_ENV, serverFixture, startServerProcess, type ServerProcess } from '../support/server.ts';
import { startSmtp } from '../support/smtp.ts';

const t = translator('th');
const OPDC_TH = 'สำนักงาน ก.พ.ร.';
const PASSWORD = 'a long staff passphrase for the journey';
const NEW_PASSWORD = 'another long passphrase after the restore';
const ROOT = { agency: '-', email: 'root@platform.example', role: 'platform_admin', name: 'ผู้ดูแลระบบกลาง' };
/** Key holders of OPDC, seeded by the server operator's command line: their roles are in effect at once. */
const SUP = { agency: 'OPDC', email: 'supervisor@opdc.example', role: 'supervisor', name: 'สมชาย หัวหน้างาน' };
const KEEPER = { agency: 'OPDC', email: 'custodian@opdc.example', role: 'identity_custodian', name: 'มาลี ผู้ดูแลตัวตน' };
const AUDITOR = { agency: 'OPDC', email: 'auditor@opdc.example', role: 'auditor', name: 'ประพันธ์ ผู้ตรวจประวัติ' };
const ADMIN = { email: 'admin@opdc.example', name: 'วันดี ผู้ดูแลหน่วยงาน' };
const OFFICER = { email: 'newintake@opdc.example', name: 'สมศรี รับเรื่องใหม่' };
const WHAT = 'เจ้าหน้าที่การเงินเรียกเงินค่าดำเนินการเพิ่มเติมโดยไม่มีใบเสร็จ';
const DESKTOP = { viewport: { width: 1280, height: 900 }, isMobile: false, hasTouch: false, deviceScaleFactor: 1 };

describe('separation of duties and mailed links, as staff use them in a browser', () => {
  let fixture: Awaited<ReturnType<typeof serverFixture>>;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let server: ServerProcess;
  let browser: Browser;
  let shots = '';
  const contexts: RecordedContext[] = [];
  const pages = new Map<string, Page>();
  const secrets = new Map<string, Buffer>();
  let axe: ReturnType<typeof watchAxe>;
  let officerId = 0;
  let reference = '';

  const open = async (options: Parameters<typeof openContext>[1] = DESKTOP) => {
    const c = await openContext(browser, options);
    c.context.setDefaultTimeout(10_000);
    contexts.push(c);
    axe.watch(c.context);
    return c.page;
  };
  /**
   * Where each person lands after keeping their recovery codes: administrators on administration
   * (they read no case, so an inbox would be empty by design), everyone else on the inbox.
   */
  const HOMES: Record<string, string> = { [ROOT.email]: '/staff/admin/agencies', [ADMIN.email]: '/staff/admin/users' };
  /** The person's desktop page, signed in (the first call signs in for the first time, enrolling TOTP). */
  const as = async (email: string, password = PASSWORD) => {
    let page = pages.get(email);
    if (!page) {
      page = await open();
      secrets.set(email, await signInFirstTime(page, server.url, email, password, HOMES[email]));
      pages.set(email, page);
    }
    return page;
  };
  const goto = async (page: Page, url: string, status = 200) => {
    const res = await page.goto(url);
    assert.equal(res?.status(), status, await res?.text());
  };
  const mainText = async (page: Page) => ((await page.locator('main').textContent()) ?? '').replace(/\s+/g, ' ');
  const mailsTo = (email: string) => smtp.received.filter((m) => m.to.includes(email));
  /** The path of the one setup link in a mail (its host is the server's public URL). */
  const linkIn = (text: string) => {
    const all = [...text.matchAll(/https?:\/\/\S+?(\/staff\/setup\/[A-Za-z0-9_-]+)/g)].map((m) => m[1]);
    assert.equal(new Set(all).size, 1, `one setup link in the mail:\n${text}`);
    return all[0];
  };
  const menu = (page: Page, name: string) =>
    page.getByRole('navigation', { name: t('console.nav') }).getByRole('link', { name, exact: true });
  const userId = async (email: string) =>
    (
      await fixture.database.db
        .selectFrom('staff_user')
        .select('id')
        .where('email', '=', email)
        .executeTakeFirstOrThrow()
    ).id;
  const rolesOf = async (id: number) =>
    (
      await fixture.database.db
        .selectFrom('staff_role')
        .select('role')
        .where('user_id', '=', id)
        .orderBy('role')
        .execute()
    ).map((r) => r.role);

  /**
   * A screenshot of the page as it is now at 1280 px and one at 390 px, where nothing may be wider
   * than the screen. (axe checks every page the journey loads, after each step: watchAxe.)
   */
  const look = async (page: Page, shot?: string) => {
    if (!shot) return;
    await page.screenshot({ path: path.join(shots, `${shot}-1280.png`), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      const wide = await page.evaluate<{ doc: number; body: number }>(
        '({ doc: document.documentElement.scrollWidth, body: document.body.scrollWidth })',
      );
      assert.ok(wide.doc <= 390 && wide.body <= 390, `${shot} fits 390 px: ${JSON.stringify(wide)}`);
      await page.screenshot({ path: path.join(shots, `${shot}-390.png`), fullPage: true });
    } finally {
      await page.setViewportSize(DESKTOP.viewport);
    }
  };
  /** Signs in with the login form (a code from the app or a recovery code, once enrolled); the answer to it. */
  const signIn = async (page: Page, email: string, code = '') => {
    await goto(page, `${server.url}/staff/login`);
    await page.getByLabel(t('staff.email'), { exact: true }).fill(email);
    await page.getByLabel(t('staff.password'), { exact: true }).fill(PASSWORD);
    if (code) await page.getByLabel(t('console.code')).fill(code);
    return clickAndLoad(page, page.getByRole('button', { name: t('staff.signin'), exact: true }));
  };
  /** Sets the password on a setup (or restore) link, on a phone, as its owner reading their mail. */
  const setUpFromMail = async (email: string, password: string) => {
    const mails = mailsTo(email);
    assert.ok(mails.length > 0, `a mail reached ${email}`);
    const phone = await open({
      ...DESKTOP,
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
      deviceScaleFactor: 2,
    });
    await goto(phone, `${server.url}${linkIn(mails.at(-1)!.text)}`);
    assert.ok((await mainText(phone)).includes(email), 'the setup page names the account');
    // The same password twice, or the form says which field differs.
    await phone.getByLabel(t('setup.password'), { exact: true }).fill(password);
    await phone.getByLabel(t('setup.password2'), { exact: true }).fill(`${password}!`);
    const differ = await clickAndLoad(phone, phone.getByRole('button', { name: t('setup.submit') }));
    assert.equal(differ.status(), 400);
    await checkErrorSummary(phone, ['password2']);
    await phone.getByLabel(t('setup.password'), { exact: true }).fill(password);
    await phone.getByLabel(t('setup.password2'), { exact: true }).fill(password);
    const saved = await clickAndLoad(phone, phone.getByRole('button', { name: t('setup.submit') }));
    assert.equal(saved.status(), 200, await saved.text());
    assert.equal(pathOf(phone), '/staff/login?done=setup');
    await phone.getByText(t('setup.done')).waitFor();
    return phone;
  };

  before(async () => {
    smtp = await startSmtp();
    fixture = await serverFixture();
    shots = await mkdtemp(path.join(tmpdir(), 'sujarit-separation-shots-'));
    const env = {
      DATABASE_URL: fixture.database.url,
      SUJARIT_DATA: fixture.dataDir,
      SUJARIT_LOG_LEVEL: 'warn',
      ...CHEAP_KDF_ENV,
    };
    assert.match(
      await runCli(['agency', 'add', '--code', 'OPDC', '--name-th', OPDC_TH, '--name-en', 'OPDC'], env),
      /agency OPDC added/,
    );
    await addStaffByCli(env, [ROOT, SUP, KEEPER, AUDITOR], PASSWORD);
    server = await startServerProcess({
      databaseUrl: fixture.database.url,
      dataDir: fixture.dataDir,
      env: { SUJARIT_SMTP_URL: smtp.url },
    });
    browser = await launchBrowser();
    const axeContext = await openContext(browser, { ...DESKTOP, javaScriptEnabled: true });
    contexts.push(axeContext);
    axe = watchAxe(axeContext.page, server.url);
  });

  // Every page the step loaded, errors included, checked with axe (WCAG 2.2 A/AA).
  afterEach(async () => {
    await axe?.check();
  });

  after(async () => {
    await closeJourney({ contexts, browser, server, fixture });
    await smtp?.close();
    if (shots) console.log(`# screenshots in ${shots}`);
  });

  it('the platform administrator lands on administration, and each form says what is wrong at its field', async () => {
    const page = await as(ROOT.email); // signInFirstTime: after the recovery codes, /staff/admin/agencies
    assert.equal(pathOf(page), '/staff/admin/agencies', 'administration, not an inbox empty by design');
    await page.getByRole('heading', { level: 1, name: t('admin.agencies.title') }).waitFor();
    const add = page.locator('form[action="/staff/admin/agencies"]');
    await add.getByLabel(t('admin.agency.code'), { exact: true }).fill('!');
    const refused = await clickAndLoad(page, add.getByRole('button', { name: t('admin.agencies.add.submit') }));
    assert.equal(refused.status(), 400);
    await checkErrorSummary(page, ['code', 'nameTh', 'nameEn']);
    await look(page, 'admin-agencies-errors');
    // The summary's link takes the keyboard to the field.
    await page.locator('#error-summary a[href="#nameTh"]').click();
    assert.equal(await page.evaluate('document.activeElement && document.activeElement.id'), 'nameTh');

    const invite = page.locator('form[action="/staff/admin/agencies/invite"]');
    await invite.getByLabel(t('admin.agency'), { exact: true }).selectOption('OPDC');
    const empty = await clickAndLoad(page, invite.getByRole('button', { name: t('admin.invite.submit') }));
    assert.equal(empty.status(), 400);
    await checkErrorSummary(page, ['invite-email']);
    assert.equal(await page.locator('#invite-agency').inputValue(), 'OPDC', 'what was chosen stays');
  });

  it('the platform administrator invites OPDC’s administrator: the link is mailed, not shown', async () => {
    const page = await as(ROOT.email);
    await clickAndLoad(page, menu(page, t('admin.nav.agencies')));
    const form = page.locator('form[action="/staff/admin/agencies/invite"]');
    await form.getByLabel(t('admin.agency'), { exact: true }).selectOption('OPDC');
    await form.getByLabel(t('staff.email'), { exact: true }).fill(ADMIN.email);
    await form.getByLabel(t('setup.name')).fill(ADMIN.name);
    const sent = await clickAndLoad(page, form.getByRole('button', { name: t('admin.invite.submit') }));
    assert.equal(sent.status(), 200, await sent.text());
    assert.equal(pathOf(page), '/staff/admin/invitation', 'the answer is a page of its own: a reload sends nothing');
    await page
      .getByRole('status')
      .filter({ hasText: t('admin.link.mailed', { email: ADMIN.email, days: 7 }) })
      .waitFor();
    assert.doesNotMatch(await page.content(), /\/staff\/setup\//, 'no setup link on the inviter’s page');
    await look(page, 'admin-link-mailed-agency-admin');
    // The invitation's page switches language, and back, keeping what it says.
    const en = translator('en');
    await clickAndLoad(page, page.getByRole('link', { name: t('nav.language') }));
    await page
      .getByRole('status')
      .filter({ hasText: en('admin.link.mailed', { email: ADMIN.email, days: 7 }) })
      .waitFor();
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
    await clickAndLoad(page, page.getByRole('link', { name: en('nav.language') }));
    await page.getByRole('heading', { level: 1, name: t('admin.link.mailed_title') }).waitFor();
    const mails = mailsTo(ADMIN.email);
    assert.equal(mails.length, 1, 'a reload or a change of language sends nothing again');
    assert.ok(mails[0].subject.includes(t('mail.invite.subject')), mails[0].subject);
  });

  it('the new administrator sets up the account from the mail and enrols the second factor', async () => {
    await setUpFromMail(ADMIN.email, PASSWORD);
    const page = await as(ADMIN.email); // lands on the agency's staff: HOMES
    assert.equal(pathOf(page), '/staff/admin/users');
    await page.getByRole('navigation', { name: t('console.nav') }).waitFor();
    assert.deepEqual(await rolesOf(await userId(ADMIN.email)), ['agency_admin']);
  });

  it('the administrator cannot give their own account a role, a key role or any other', async () => {
    const page = await as(ADMIN.email);
    await clickAndLoad(page, menu(page, t('admin.nav.users')));
    await clickAndLoad(page, page.getByRole('link', { name: ADMIN.email, exact: true }));
    const own = pathOf(page);
    for (const [role, message, status] of [
      ['intake_officer', 'admin.error.separation', 400],
      ['auditor', 'admin.error.own_roles', 403],
    ] as const) {
      await page.locator(`input[name="roles"][value="${role}"]`).check();
      const refused = await clickAndLoad(page, page.getByRole('button', { name: t('staff.save'), exact: true }));
      assert.equal(refused.status(), status, `${role}: ${await refused.text()}`);
      await page
        .getByRole('alert')
        .filter({ hasText: t(message) })
        .waitFor();
      await checkErrorSummary(page, ['roles-agency_admin']); // the first box of the roles' group
      assert.equal(
        await page.locator(`input[name="roles"][value="${role}"]`).isChecked(),
        false,
        'the form shows the roles as they are',
      );
      await goto(page, `${server.url}${own}`);
    }
    const id = await userId(ADMIN.email);
    assert.deepEqual(await rolesOf(id), ['agency_admin']);
    assert.equal(
      await fixture.database.db.selectFrom('role_grant').select('id').where('user_id', '=', id).executeTakeFirst(),
      undefined,
      'nothing was requested either',
    );
  });

  it('the administrator invites an intake officer with a Thai name: mailed, and the role only requested', async () => {
    const page = await as(ADMIN.email);
    await clickAndLoad(page, menu(page, t('admin.nav.users')));
    const form = page.locator('form[action="/staff/admin/users"]');
    // A mistyped email and no role: both marked at once, what was typed kept.
    await form.getByLabel(t('staff.email'), { exact: true }).fill('newintake.opdc.example');
    await form.getByLabel(t('setup.name')).fill(OFFICER.name);
    const refused = await clickAndLoad(page, form.getByRole('button', { name: t('admin.invite.submit') }));
    assert.equal(refused.status(), 400);
    await checkErrorSummary(page, ['email', 'roles-agency_admin']);
    assert.equal(await form.getByLabel(t('setup.name')).inputValue(), OFFICER.name);
    await look(page, 'admin-users-errors');
    await form.getByLabel(t('staff.email'), { exact: true }).fill(OFFICER.email);
    await form.getByLabel(t('setup.name')).fill(OFFICER.name);
    await form.locator('input[name="roles"][value="intake_officer"]').check();
    const sent = await clickAndLoad(page, form.getByRole('button', { name: t('admin.invite.submit') }));
    assert.equal(sent.status(), 200, await sent.text());
    await page
      .getByRole('status')
      .filter({ hasText: t('admin.link.mailed', { email: OFFICER.email, days: 7 }) })
      .waitFor();
    await page.getByText(t('admin.link.pending', { roles: t('role.intake_officer') })).waitFor();
    assert.doesNotMatch(await page.content(), /\/staff\/setup\//);
    await look(page, 'admin-link-mailed-pending-role');
    assert.equal(mailsTo(OFFICER.email).length, 1);

    officerId = await userId(OFFICER.email);
    assert.deepEqual(await rolesOf(officerId), [], 'no role in effect before a key holder confirms it');
    await clickAndLoad(page, page.getByRole('link', { name: t('admin.back') }));
    const row = page.getByRole('row').filter({ hasText: OFFICER.email });
    const cells = ((await row.textContent()) ?? '').replace(/\s+/g, ' ');
    assert.ok(cells.includes(OFFICER.name), 'the Thai display name is kept as typed');
    assert.ok(cells.includes(t('admin.users.pending', { roles: t('admin.role.intake_officer') })), cells);
    assert.ok(cells.includes(t('admin.state.invited')), cells);
    await look(page, 'admin-users-pending');
    await clickAndLoad(page, row.getByRole('link', { name: OFFICER.email }));
    assert.equal(
      await page.locator('input[name="roles"][value="intake_officer"]').isChecked(),
      true,
      'the requested role stays ticked, marked as awaiting',
    );
    await look(page, 'admin-user-pending-role');
  });

  it('a key holder cannot confirm the role before its owner has set up the account', async () => {
    const page = await as(SUP.email);
    await clickAndLoad(page, menu(page, t('grants.nav')));
    assert.equal(pathOf(page), '/staff/role-grants');
    const card = page.getByRole('region', { name: `${OFFICER.name} · ${t('admin.role.intake_officer')}` });
    const text = ((await card.textContent()) ?? '').replace(/\s+/g, ' ');
    assert.ok(text.includes(t('grants.not_set_up')) && text.includes(ADMIN.email), text);
    const confirm = card.getByRole('button', { name: t('grants.confirm') });
    assert.equal(await confirm.isDisabled(), true, 'the confirm button is disabled');
    await card.getByText(t('grants.error.not_set_up')).waitFor(); // and says why, next to it
    await look(page, 'role-grants-not-set-up');
    // A form sent anyway (an old page, a crafted request) gets a clear answer, and changes nothing.
    await confirm.evaluate((b) => b.removeAttribute('disabled'));
    const refused = await clickAndLoad(page, confirm);
    assert.equal(refused.status(), 409, await refused.text());
    await page
      .getByRole('alert')
      .filter({ hasText: t('grants.error.not_set_up') })
      .waitFor();
    assert.deepEqual(await rolesOf(officerId), []);
  });

  it('the officer sets up the account from the mailed link and signs in', async () => {
    await setUpFromMail(OFFICER.email, PASSWORD);
    const page = await as(OFFICER.email);
    assert.ok(!(await mainText(page)).includes(WHAT));
  });

  it('the supervisor confirms the role; a reload or a stale tab decides nothing twice', async () => {
    const page = await as(SUP.email);
    await goto(page, `${server.url}/staff/role-grants`);
    const stale = await page.context().newPage(); // the same page left open in another tab
    await goto(stale, `${server.url}/staff/role-grants`);
    const card = page.getByRole('region', { name: `${OFFICER.name} · ${t('admin.role.intake_officer')}` });
    assert.equal(await card.getByRole('button', { name: t('grants.confirm') }).isDisabled(), false);
    await look(page, 'role-grants-ready');
    const done = await clickAndLoad(page, card.getByRole('button', { name: t('grants.confirm') }));
    assert.equal(done.status(), 200, await done.text());
    assert.equal(pathOf(page), '/staff/role-grants?done=1');
    await page
      .getByRole('status')
      .filter({ hasText: t('grants.done') })
      .waitFor();
    await page.getByText(t('grants.none')).waitFor();
    await look(page, 'role-grants-done');
    assert.deepEqual(await rolesOf(officerId), ['intake_officer']);

    const decisions = () =>
      fixture.database.db.selectFrom('audit_event').select('id').where('action', '=', 'role_grant_decided').execute();
    assert.equal((await decisions()).length, 1);
    const reloaded = await page.reload();
    assert.equal(reloaded?.status(), 200);
    assert.equal((await decisions()).length, 1, 'a reload is a GET after the redirect: nothing decided again');
    const back = await page.goBack();
    assert.equal(back?.status(), 200);
    assert.equal(
      await page.getByRole('button', { name: t('grants.confirm') }).count(),
      0,
      'going back shows the page as it is now',
    );

    // The tab left open still shows the request; deciding it again gets an answer that says so.
    const again = await clickAndLoad(
      stale,
      stale
        .getByRole('region', { name: `${OFFICER.name} · ${t('admin.role.intake_officer')}` })
        .getByRole('button', { name: t('grants.refuse') }),
    );
    assert.equal(again.status(), 409, await again.text());
    await stale
      .getByRole('alert')
      .filter({ hasText: t('grants.error.decided') })
      .waitFor();
    await look(stale, 'role-grants-already-decided');
    await stale.close();
    assert.equal((await decisions()).length, 1);
    assert.deepEqual(await rolesOf(officerId), ['intake_officer'], 'the refusal from the stale tab changed nothing');
  });

  it('a tip filed afterwards on a phone without JavaScript is sealed to the new officer', async () => {
    const reporter = await open({}); // a phone, JavaScript off (test/support/browser.ts PHONE)
    await goto(reporter, `${server.url}/report`);
    await reporter.getByLabel('หน่วยงานที่เกี่ยวข้อง').selectOption({ label: OPDC_TH });
    await reporter.getByRole('radio', { name: 'การเรียกรับสินบน' }).check();
    await reporter.getByLabel('เกิดอะไรขึ้น').fill(WHAT);
    const sent = await clickAndLoad(reporter, reporter.getByRole('button', { name: 'ส่งเรื่อง' }));
    assert.equal(sent.status(), 200, await sent.text());
    await reporter.getByRole('heading', { level: 1, name: 'ส่งเรื่องเรียบร้อยแล้ว' }).waitFor();
    reference = ((await reporter.locator('dl.meta dd').first().textContent()) ?? '').trim();
    assert.match(reference, /^OPDC-\d{4}-\d{6}$/);
    const keys = await fixture.database.db
      .selectFrom('case_key')
      .innerJoin('report_case as c', 'c.id', 'case_key.case_id')
      .select(['case_key.purpose'])
      .where('case_key.user_id', '=', officerId)
      .where('c.reference', '=', reference)
      .orderBy('case_key.purpose')
      .execute();
    assert.deepEqual(
      keys.map((k) => k.purpose),
      ['content', 'team'],
      'the tip is sealed to the officer',
    );
    const page = await as(OFFICER.email);
    await goto(page, `${server.url}/staff/cases/${encodeURIComponent(reference)}`);
    assert.ok((await mainText(page)).includes(WHAT), 'the officer reads the tip');
  });

  it('the administrator enables the escrow; the officer’s next login escrows their key; a restore is asked', async () => {
    const admin = await as(ADMIN.email);
    await clickAndLoad(admin, menu(admin, t('escrow.title')));
    const enabled = await clickAndLoad(admin, admin.getByRole('button', { name: t('escrow.enable') }));
    assert.equal(enabled.status(), 200, await enabled.text());
    await admin
      .getByRole('status')
      .filter({ hasText: t('escrow.enabled') })
      .waitFor();

    // The officer signs in again (a later TOTP step: a code is accepted once).
    const page = await open();
    const signedIn = await signIn(page, OFFICER.email, totpCode(secrets.get(OFFICER.email)!, Date.now() + 30_000));
    assert.equal(signedIn.status(), 200, await signedIn.text());
    assert.equal(pathOf(page), '/staff/cases');

    await goto(admin, `${server.url}/staff/admin/escrow`);
    const row = admin.getByRole('row').filter({ hasText: OFFICER.name });
    assert.ok(((await row.textContent()) ?? '').includes(t('staff.yes')), 'the officer’s key is in escrow');
    await look(admin, 'admin-escrow');
    const asked = await clickAndLoad(admin, row.getByRole('button', { name: t('escrow.restore') }));
    assert.equal(asked.status(), 200, await asked.text());
    await admin
      .getByRole('status')
      .filter({ hasText: t('escrow.requested') })
      .waitFor();
    const told = mailsTo(OFFICER.email).at(-1)!;
    assert.ok(told.subject.includes(t('mail.restore_requested.subject')), told.subject);
    assert.ok(told.text.includes(ADMIN.email), 'the mail says who asked');
    assert.doesNotMatch(told.text, /\/staff\/setup\//, 'no link before a custodian approves');
  });

  it('the identity custodian approves; the page shows no link and the officer alone receives it', async () => {
    const page = await as(KEEPER.email);
    await clickAndLoad(page, menu(page, t('escrow.restores')));
    assert.equal(pathOf(page), '/staff/escrow');
    const card = page.getByRole('region', { name: OFFICER.email });
    assert.ok(((await card.textContent()) ?? '').includes(t('escrow.requested_by', { who: ADMIN.email })));
    await look(page, 'escrow-custodian-pending');
    const before = smtp.received.length;
    const approved = await clickAndLoad(page, card.getByRole('button', { name: t('escrow.approve') }));
    assert.equal(approved.status(), 200, await approved.text());
    await page
      .getByRole('status')
      .filter({ hasText: t('escrow.mailed') })
      .waitFor();
    assert.doesNotMatch(await page.content(), /\/staff\/setup\//, 'no restore link on the custodian’s page');
    await look(page, 'escrow-custodian-approved');
    const sent = smtp.received.slice(before);
    assert.deepEqual(
      sent.map((m) => m.to),
      [[OFFICER.email]],
      'one mail, to the officer only',
    );
    assert.ok(sent[0].subject.includes(t('mail.restore_link.subject')), sent[0].subject);
  });

  it('the officer sets a new password from the mailed link, enrols again and still reads the tip', async () => {
    await setUpFromMail(OFFICER.email, NEW_PASSWORD);
    const page = await open();
    await signInFirstTime(page, server.url, OFFICER.email, NEW_PASSWORD);
    await goto(page, `${server.url}/staff/cases/${encodeURIComponent(reference)}`);
    assert.ok((await mainText(page)).includes(WHAT), 'the same key: the tip sealed before the restore opens');
  });

  it('the agency administrator sets deadlines for complaints too; a wrong value is shown at its field', async () => {
    const page = await as(ADMIN.email);
    await clickAndLoad(page, menu(page, t('admin.nav.settings')));
    await page.getByRole('heading', { name: t('admin.settings.group.complaint') }).waitFor();
    await page.getByRole('heading', { name: t('admin.settings.group.permit') }).waitFor();
    const field = () => page.locator('[id="service_delay.replyDays"]');
    await field().fill('0');
    const refused = await clickAndLoad(page, page.getByRole('button', { name: t('staff.save'), exact: true }));
    assert.equal(refused.status(), 400);
    await checkErrorSummary(page, ['service_delay.replyDays']);
    assert.equal(await field().inputValue(), '0', 'what was typed comes back');
    await look(page, 'admin-settings-error');
    await field().fill('10');
    await clickAndLoad(page, page.getByRole('button', { name: t('staff.save'), exact: true }));
    assert.equal(pathOf(page), '/staff/admin/settings?done=settings');
    await page
      .getByRole('status')
      .filter({ hasText: t('admin.done.settings') })
      .waitFor();
    const agency = await fixture.database.db
      .selectFrom('agency')
      .select('settings')
      .where('code', '=', 'OPDC')
      .executeTakeFirstOrThrow();
    assert.deepEqual(agency.settings.categoryDeadlines, { service_delay: { replyDays: 10 } });
  });

  let auditorCodes: string[] = [];
  const codesOn = async (page: Page) => (await page.locator('ol.recovery li').allTextContents()).map((c) => c.trim());

  it('the auditor enrols: a wrong code is shown at its field; the recovery codes print, save and read in English', async () => {
    const page = await open();
    await signIn(page, AUDITOR.email);
    assert.equal(pathOf(page), '/staff/account/totp');
    const secret = Buffer.from(
      Secret.fromBase32(((await page.locator('#totp-secret').textContent()) ?? '').replace(/\s/g, '')).bytes,
    );
    const right = totpCode(secret);
    await page.getByLabel(t('totp.code')).fill(right === '000000' ? '111111' : '000000');
    const wrong = await clickAndLoad(page, page.getByRole('button', { name: t('totp.submit'), exact: true }));
    assert.equal(wrong.status(), 400);
    await checkErrorSummary(page, ['code']);
    await page.getByLabel(t('totp.code')).fill(right);
    await clickAndLoad(page, page.getByRole('button', { name: t('totp.submit'), exact: true }));
    assert.equal(pathOf(page), '/staff/account/recovery');
    auditorCodes = await codesOn(page);
    assert.equal(auditorCodes.length, 10);
    await look(page, 'account-recovery-codes');
    assert.equal((await page.reload())?.status(), 200);
    assert.deepEqual(await codesOn(page), auditorCodes, 'a reload shows the same codes');

    const en = translator('en');
    await clickAndLoad(page, page.getByRole('link', { name: t('nav.language') }));
    await page.getByRole('heading', { level: 1, name: en('totp.recovery.title') }).waitFor();
    assert.deepEqual(await codesOn(page), auditorCodes, 'in English, the same codes');
    await clickAndLoad(page, page.getByRole('link', { name: en('nav.language') }));

    await clickAndLoad(page, page.getByRole('link', { name: t('totp.recovery.print') }));
    assert.equal(pathOf(page), '/staff/account/recovery/print');
    assert.deepEqual(await codesOn(page), auditorCodes);
    assert.ok((await mainText(page)).includes(AUDITOR.email), 'the sheet names the account');
    assert.equal(await page.getByRole('navigation').count(), 0, 'no menu on the sheet');
    await look(page, 'account-recovery-print');
    await page.emulateMedia({ media: 'print' });
    assert.equal(
      await page.getByText(t('totp.recovery.print.how')).isVisible(),
      false,
      'the instructions are not printed',
    );
    await page.screenshot({ path: path.join(shots, 'account-recovery-print-media.png'), fullPage: true });
    await page.emulateMedia({ media: 'screen' });
    await clickAndLoad(page, page.getByRole('link', { name: t('totp.recovery.print.back') }));

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: t('totp.recovery.download') }).click(),
    ]);
    assert.equal(download.suggestedFilename(), 'sujarit-recovery-codes.txt');
    const file = await readFile((await download.path())!, 'utf8');
    for (const c of auditorCodes) assert.ok(file.includes(c), `${c} in the file`);
    assert.ok(file.includes(AUDITOR.email));

    await clickAndLoad(page, page.getByRole('button', { name: t('totp.recovery.continue') }));
    assert.equal(pathOf(page), '/staff/cases', 'an auditor oversees the agency’s cases: the inbox');
    await goto(page, `${server.url}/staff/account/recovery`);
    assert.ok(!(await mainText(page)).includes(auditorCodes[0]), 'once kept, the codes are not shown again');
    pages.set(AUDITOR.email, page);
  });

  it('the auditor reads the trail: events by name, details as fields, filtered by kind, person and B.E. days', async () => {
    const page = pages.get(AUDITOR.email)!;
    await clickAndLoad(page, menu(page, t('admin.nav.audit')));
    assert.equal(pathOf(page), '/staff/audit');
    assert.ok((await mainText(page)).includes(t('audit.action.user_created')));
    assert.doesNotMatch(await page.locator('main').innerHTML(), /\{"|&quot;\w+&quot;:/, 'no raw JSON');
    await page.getByLabel(t('audit.filter.action')).selectOption({ label: t('audit.action.role_grant_decided') });
    await page.getByLabel(t('audit.filter.person')).selectOption({ label: `${OFFICER.email} · ${OFFICER.name}` });
    const [y, m, d] = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Bangkok' }).format(new Date()).split('-');
    const todayBE = `${Number(d)}/${Number(m)}/${Number(y) + 543}`;
    await page.getByLabel(t('audit.filter.from')).fill(todayBE);
    await page.getByLabel(t('audit.filter.to')).fill(todayBE);
    await clickAndLoad(page, page.getByRole('button', { name: t('audit.filter.submit') }));
    const events = page.locator('ol.audit-events > li');
    assert.equal(await events.count(), 1, 'the one confirmation of the officer’s role');
    // Each detail a term and its description: who acted, on whose account, which role, the decision.
    const described = async (term: string) =>
      (
        (await events
          .first()
          .locator('dt', { hasText: term })
          .locator('xpath=following-sibling::dd[1]')
          .textContent()) ?? ''
      ).trim();
    assert.equal(await described(t('audit.actor')), SUP.email);
    assert.equal(await described(t('audit.field.user')), OFFICER.email);
    assert.equal(await described(t('audit.field.role')), t('admin.role.intake_officer'));
    assert.equal(await described(t('audit.field.approved')), t('staff.yes'));
    const head = (await events.first().locator('.audit-head').textContent()) ?? '';
    assert.ok(head.includes(t('audit.action.role_grant_decided')), head);
    assert.ok(head.includes(String(Number(y) + 543)), `a Buddhist Era date: ${head}`);
    await look(page, 'admin-audit-filtered');

    await page.getByLabel(t('audit.filter.to')).fill('31/02/2569');
    const refused = await clickAndLoad(page, page.getByRole('button', { name: t('audit.filter.submit') }));
    assert.equal(refused.status(), 400);
    await checkErrorSummary(page, ['to']);
    assert.equal(await page.getByLabel(t('audit.filter.to')).inputValue(), '31/02/2569');
  });

  it('the auditor signs in with a recovery code, sees how many are left and makes new ones with the password', async () => {
    const page = await open();
    const signedIn = await signIn(page, AUDITOR.email, auditorCodes[0]);
    assert.equal(signedIn.status(), 200, await signedIn.text());
    // (Where this sign-in lands is the console's to say: landingOf in src/web/admin/nav.ts.)
    await clickAndLoad(page, menu(page, t('admin.nav.totp')));
    await page.getByText(t('totp.recovery.left', { n: 9 })).waitFor();
    await clickAndLoad(page, page.getByRole('link', { name: t('totp.recovery.manage') }));
    assert.equal(pathOf(page), '/staff/account/recovery');
    await page.getByText(t('totp.recovery.left', { n: 9 })).waitFor();
    await page.getByLabel(t('admin.password.current')).fill('not the password');
    const refused = await clickAndLoad(page, page.getByRole('button', { name: t('totp.recovery.renew.submit') }));
    assert.equal(refused.status(), 401);
    await checkErrorSummary(page, ['current']);
    await look(page, 'account-recovery-left-error');
    await page.getByLabel(t('admin.password.current')).fill(PASSWORD);
    await clickAndLoad(page, page.getByRole('button', { name: t('totp.recovery.renew.submit') }));
    assert.equal(pathOf(page), '/staff/account/recovery');
    await page
      .getByRole('status')
      .filter({ hasText: t('totp.recovery.renewed') })
      .waitFor();
    const fresh = await codesOn(page);
    assert.equal(fresh.length, 10);
    assert.equal(fresh.filter((c) => auditorCodes.includes(c)).length, 0, 'all new');
    // An earlier code no longer opens the account.
    const other = await open();
    const old = await signIn(other, AUDITOR.email, auditorCodes[1]);
    assert.equal(old.status(), 401);
  });
});
