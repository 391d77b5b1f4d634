// A case handled across roles and agencies in a real browser with JavaScript off, against the real
// server process: a reporter files with their name and contact; OPDC's intake officer acknowledges
// and screens; the supervisor (metadata only) moves it to investigation and assigns an
// investigator, whose key the intake officer's inbox hands over; the investigator asks the reporter
// a question and waits, the reporter answers; the investigator asks for the identity, a custodian
// approves, the reporter is told; the supervisor transfers the case to NACC, whose intake officer
// acknowledges and screens it, whose investigator concludes it and whose supervisor closes it. The
// reporter, with the same receipt, sees it closed and referred. Everyone is seeded by the CLI and
// enrols TOTP at first sign-in; each person keeps one browser context for the whole journey.
// Along the way: the case page's forms show their errors as a summary linked to the fields, the
// actions sit near the top and say what they saved, removal from a case is confirmed on a page of
// its own, the key holders are mailed when an investigator waits for access and their inbox says
// what it handed over, the approving supervisor reads the conclusion, and axe (WCAG 2.2 A/AA)
// checks every console page the journey loads. The pages changed for issue 13 are screenshotted
// at 1280 and 390 px (under os.tmpdir()), where nothing may be wider than the screen.
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { watchAxe } from '../support/axe.ts';
import { foreignRequests, launchBrowser, openContext, type RecordedContext } from '../support/browser.ts';
import { jpegWithGps } from '../support/images.ts';
import { addStaffByCli, clickAndLoad, closeJourney, moveCase, pathOf, runCli, staffPages } from '../support/journey.ts';
import { CHEAP_KDF_ENV, serverFixture, startServerProcess, type ServerProcess } from '../support/server.ts';
import { startSmtp } from '../support/smtp.ts';

const OPDC_TH = 'สำนักงาน ก.พ.ร.';
const NACC_TH = 'สำนักงาน ป.ป.ช.';
const PASSWORD = 'a long staff passphrase for the journey';
const STAFF = {
  io: { agency: 'OPDC', email: 'intake@opdc.example', role: 'intake_officer', name: 'สมหญิง รับเรื่อง' },
  sup: { agency: 'OPDC', email: 'supervisor@opdc.example', role: 'supervisor', name: 'สมชาย หัวหน้างาน' },
  inv: { agency: 'OPDC', email: 'investigator@opdc.example', role: 'investigator', name: 'วิชัย ตรวจตรา' },
  inv2: { agency: 'OPDC', email: 'investigator2@opdc.example', role: 'investigator', name: 'สุดา ตรวจสอบ' },
  keeper: { agency: 'OPDC', email: 'custodian@opdc.example', role: 'identity_custodian', name: 'มาลี ผู้ดูแลตัวตน' },
  nio: { agency: 'NACC', email: 'intake@nacc.example', role: 'intake_officer', name: 'ประภา รับเรื่อง' },
  nsup: { agency: 'NACC', email: 'supervisor@nacc.example', role: 'supervisor', name: 'ธนา หัวหน้างาน' },
  ninv: { agency: 'NACC', email: 'investigator@nacc.example', role: 'investigator', name: 'อรุณ สืบสวน' },
} as const;

const WHAT = 'หัวหน้าพัสดุกำหนดคุณสมบัติผู้เสนอราคาให้มีผู้ผ่านเพียงรายเดียวในการจัดซื้อรถพยาบาล';
const WHO_TEXT = 'หัวหน้าฝ่ายพัสดุ และผู้รับเหมารายหนึ่ง';
const REPORTER_NAME = 'นางสาวกล้าหาญ ใจซื่อ';
const REPORTER_CONTACT = '081-234-5678';
const QUESTION = 'ท่านพอจะทราบเลขที่สัญญาหรือวันที่ประกาศประกวดราคาหรือไม่';
const ANSWER = 'ประกาศเมื่อวันที่ 5 มีนาคม สัญญาเลขที่ 12/2568';
const IDENTITY_REASON = 'ต้องเชิญผู้แจ้งมาให้ถ้อยคำเป็นพยานในการสอบข้อเท็จจริง';
const CONCLUSION = 'พยานหลักฐานยืนยันการกำหนดคุณสมบัติเอื้อผู้เสนอราคารายเดียว';
const DESKTOP = { width: 1280, height: 900 };

describe('case handling across roles and agencies in a browser without JavaScript', () => {
  let fixture: Awaited<ReturnType<typeof serverFixture>>;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let server: ServerProcess;
  let browser: Browser;
  const contexts: RecordedContext[] = [];
  let reporter: Page;
  let receipt = '';
  let reference = '';
  let axe: ReturnType<typeof watchAxe>;
  let shots = '';

  const caseUrl = () => `${server.url}/staff/cases/${encodeURIComponent(reference)}`;
  /** The person's page, signed in (the first call enrols their second factor); axe watches it from then on. */
  const signedIn = staffPages({ browser: () => browser, baseUrl: () => server.url, contexts }, STAFF, PASSWORD);
  const watched = new Set<Page>();
  const as = async (who: keyof typeof STAFF) => {
    const page = await signedIn(who);
    if (!watched.has(page)) axe.watch(page.context());
    watched.add(page);
    return page;
  };
  const goto = async (page: Page, url: string, status = 200) => {
    const res = await page.goto(url);
    assert.equal(res?.status(), status, await res?.text());
  };
  const statusShown = async (page: Page) => ((await page.locator('dl.meta .status').textContent()) ?? '').trim();
  const mainText = async (page: Page) => (await page.locator('main').textContent()) ?? '';
  /** Moves the case with the form of the case page: the new status (its Thai label), an outcome, a reason. */
  const move = async (page: Page, to: string, reason: string, outcome?: string) => {
    await moveCase(page, to, reason, outcome);
    assert.equal(pathOf(page), `/staff/cases/${encodeURIComponent(reference)}?sent=transition`);
    await page.getByRole('status').filter({ hasText: 'บันทึกการเปลี่ยนสถานะแล้ว' }).waitFor();
  };
  const mailsTo = (email: string) => smtp.received.filter((m) => m.to.includes(email));
  /**
   * The error summary of the page: each item links to a field that exists, is marked invalid and
   * is described by its own message. Returns the fields' ids.
   */
  const errorSummary = async (page: Page): Promise<string[]> => {
    const summary = page.getByRole('alert');
    await summary.waitFor();
    const ids: string[] = [];
    for (const link of await summary.getByRole('link').all()) {
      const id = ((await link.getAttribute('href')) ?? '').replace(/^#/, '');
      const field = page.locator(`[id="${id}"]`);
      assert.equal(await field.count(), 1, `the summary links to #${id}, which exists once`);
      assert.equal(await field.getAttribute('aria-invalid'), 'true', `#${id} is marked invalid`);
      const described = ((await field.getAttribute('aria-describedby')) ?? '').split(' ');
      const message = described.find((d) => d.endsWith('-error'));
      assert.ok(message, `#${id} is described by its message`);
      assert.ok(
        ((await page.locator(`[id="${message}"]`).textContent()) ?? '').trim(),
        `#${message} says what is wrong`,
      );
      ids.push(id);
    }
    return ids;
  };
  /**
   * A screenshot of the page at 1280 px and at 390 px (a phone), where nothing may be wider than
   * the screen; under os.tmpdir(), to look at.
   */
  const shoot = async (page: Page, name: string) => {
    await page.screenshot({ path: path.join(shots, `${name}-1280.png`), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      const wide = await page.evaluate<{ doc: number; body: number; wider: string[] }>(
        `({ doc: document.documentElement.scrollWidth, body: document.body.scrollWidth,
            wider: [...document.querySelectorAll('main *')].filter((e) => e.getBoundingClientRect().right > 390 && !e.closest('.table-wrap'))
              .map((e) => e.tagName + (e.id ? '#' + e.id : '') + (e.className ? '.' + e.className : '')).slice(0, 8) })`,
      );
      assert.ok(wide.doc <= 390 && wide.body <= 390, `${name} fits 390 px: ${JSON.stringify(wide)}`);
      await page.screenshot({ path: path.join(shots, `${name}-390.png`), fullPage: true });
    } finally {
      await page.setViewportSize(DESKTOP);
    }
  };
  const openCase = async (page: Page) => {
    const opened = await clickAndLoad(page, page.getByRole('link', { name: reference, exact: true }));
    assert.equal(opened.status(), 200, await opened.text());
    await page.getByRole('heading', { level: 1, name: reference }).waitFor();
  };

  before(async () => {
    fixture = await serverFixture();
    smtp = await startSmtp();
    shots = await mkdtemp(path.join(tmpdir(), 'sujarit-case-handling-'));
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
    assert.match(
      await runCli(['agency', 'add', '--code', 'NACC', '--name-th', NACC_TH, '--name-en', 'NACC'], env),
      /agency NACC added/,
    );
    // An agency nobody works at yet: no case can be referred there.
    assert.match(
      await runCli(['agency', 'add', '--code', 'DOPA', '--name-th', 'กรมการปกครอง', '--name-en', 'DOPA'], env),
      /agency DOPA added/,
    );
    await addStaffByCli(env, Object.values(STAFF), PASSWORD);
    server = await startServerProcess({
      databaseUrl: fixture.database.url,
      dataDir: fixture.dataDir,
      env: { SUJARIT_SMTP_URL: smtp.url, SUJARIT_MAIL_FROM: 'sujarit@opdc.example' },
    });
    browser = await launchBrowser();
    const axeContext = await openContext(browser, { javaScriptEnabled: true });
    contexts.push(axeContext);
    axe = watchAxe(axeContext.page, server.url);
  });

  after(async () => {
    await closeJourney({ contexts, browser, server, fixture });
    await smtp?.close();
  });

  it('a staff member who leaves the sign-in fields empty is shown each one, on a phone', async () => {
    const phone = await openContext(browser, { viewport: { width: 390, height: 844 } });
    phone.context.setDefaultTimeout(10_000);
    contexts.push(phone);
    axe.watch(phone.context);
    const page = phone.page;
    await goto(page, `${server.url}/staff/login`);
    const empty = await clickAndLoad(page, page.getByRole('button', { name: 'เข้าสู่ระบบ', exact: true }));
    assert.equal(empty.status(), 400, await empty.text());
    assert.deepEqual((await errorSummary(page)).sort(), ['email', 'password']);
    await page.getByLabel('อีเมล').fill(STAFF.io.email);
    await page.getByLabel('รหัสผ่าน').fill('not the passphrase');
    const wrong = await clickAndLoad(page, page.getByRole('button', { name: 'เข้าสู่ระบบ', exact: true }));
    assert.equal(wrong.status(), 401);
    await page.getByRole('alert').filter({ hasText: 'อีเมล รหัสผ่าน หรือรหัสยืนยันตัวตนไม่ถูกต้อง' }).waitFor();
    assert.equal(await page.getByLabel('อีเมล').inputValue(), STAFF.io.email, 'the email typed is kept');
    assert.equal(await page.getByLabel('รหัสผ่าน').inputValue(), '', 'the password is not');
    await axe.check();
  });

  it('a reporter files a report to OPDC with their name and contact, and keeps the receipt', async () => {
    const phone = await openContext(browser);
    phone.context.setDefaultTimeout(10_000); // a missing text fails in seconds, not half a minute
    contexts.push(phone);
    reporter = phone.page;
    await goto(reporter, `${server.url}/report`);
    await reporter.getByLabel('หน่วยงานที่เกี่ยวข้อง').selectOption({ label: OPDC_TH });
    await reporter.getByRole('radio', { name: 'การทุจริตจัดซื้อจัดจ้าง' }).check();
    await reporter.getByLabel('เกิดอะไรขึ้น').fill(WHAT);
    await reporter.getByLabel('ผู้เกี่ยวข้อง').fill(WHO_TEXT);
    await reporter.getByLabel('ชื่อ-นามสกุล').fill(REPORTER_NAME);
    await reporter.getByLabel('ช่องทางติดต่อ (อีเมลหรือโทรศัพท์)').fill(REPORTER_CONTACT);
    await reporter
      .getByLabel('ไฟล์แนบ (ไม่บังคับ)')
      .setInputFiles({ name: 'photo.jpg', mimeType: 'image/jpeg', buffer: await jpegWithGps('CASE') });
    const sent = await clickAndLoad(reporter, reporter.getByRole('button', { name: 'ส่งเรื่อง' }));
    assert.equal(sent.status(), 200, await sent.text());
    await reporter.getByRole('heading', { level: 1, name: 'ส่งเรื่องเรียบร้อยแล้ว' }).waitFor();
    receipt = ((await reporter.locator('output').textContent()) ?? '').replace(/ /g, '');
    assert.match(receipt, /^\d{16}$/);
    reference = ((await reporter.locator('dl.meta dd').first().textContent()) ?? '').trim();
    assert.match(reference, /^OPDC-\d{4}-\d{6}$/);
  });

  it('the OPDC intake officer acknowledges and screens the report, triaged from a one-line summary', async () => {
    assert.ok(reference, 'the report step ran');
    const page = await as('io');
    await page.getByText('ทั้งหมด 1 เรื่อง').waitFor();
    await openCase(page);
    const text = await mainText(page);
    assert.ok(text.includes(WHAT) && text.includes(WHO_TEXT), 'the intake officer reads the report');
    assert.ok(!text.includes(REPORTER_NAME), 'the identity stays with the custodian');
    assert.equal(await statusShown(page), 'เรื่องใหม่');
    await move(page, 'รับเรื่องแล้ว', 'รับเรื่องไว้พิจารณา');
    await move(page, 'อยู่ระหว่างกลั่นกรอง', 'เรื่องอยู่ในอำนาจ ส่งกลั่นกรองข้อเท็จจริง');
    await shoot(page, 'case-team');
    const headings = await page.getByRole('heading', { level: 2 }).allTextContents();
    assert.ok(
      headings.indexOf('ดำเนินการต่อ') >= 0 && headings.indexOf('ดำเนินการต่อ') < headings.indexOf('เรื่องที่แจ้ง'),
      `the next step comes before the report: ${headings.join(' | ')}`,
    );
    const photo = page.getByRole('list', { name: 'ไฟล์แนบ' }).getByRole('listitem').filter({ hasText: 'photo.jpg' });
    assert.match((await photo.textContent()) ?? '', /ระบบบันทึกภาพนี้ใหม่เพื่อลบข้อมูลแฝง/);
    await goto(page, `${server.url}/staff/cases`);
    const row = page.getByRole('row').filter({ hasText: reference });
    assert.ok(((await row.textContent()) ?? '').includes(WHAT.slice(0, 40)), 'the inbox says what the case is about');
    await shoot(page, 'inbox');
    await axe.check();
  });

  it('the intake officer is told at the top, and beside the field, that an empty note cannot be added', async () => {
    const page = await as('io');
    await goto(page, caseUrl());
    const refused = await clickAndLoad(page, page.getByRole('button', { name: 'เพิ่มบันทึก' }));
    assert.equal(refused.status(), 400, await refused.text());
    assert.deepEqual(await errorSummary(page), ['note']);
    await shoot(page, 'case-error');
    await axe.check();
  });

  it('the supervisor, seeing metadata only, moves it to investigation and assigns the investigator', async () => {
    const page = await as('sup');
    await openCase(page);
    await page.getByText('คุณเห็นเฉพาะข้อมูลกำกับของเรื่องนี้').waitFor();
    assert.ok(!(await mainText(page)).includes(WHAT), 'no content for the supervisor');
    assert.ok(!(await mainText(page)).includes(WHAT.slice(0, 40)), 'nor a summary of it');
    await move(page, 'อยู่ระหว่างตรวจสอบ', 'มีมูลพอที่จะตรวจสอบ');
    const destinations = await page.getByLabel('หน่วยงานปลายทาง', { exact: true }).locator('option').allTextContents();
    assert.deepEqual(destinations, [`${NACC_TH} (NACC)`], 'only an agency that can receive the case is offered');
    await page.getByLabel('มอบหมายเจ้าหน้าที่ผู้ตรวจสอบ').selectOption({ label: STAFF.inv.name });
    const assigned = await clickAndLoad(page, page.getByRole('button', { name: 'มอบหมาย', exact: true }));
    assert.equal(assigned.status(), 200, await assigned.text());
    // The supervisor holds no key: the investigator waits for a key holder, whom the platform mails.
    await page.getByRole('status').filter({ hasText: 'รอเจ้าหน้าที่ผู้ถือกุญแจส่งมอบสิทธิ์เข้าถึง' }).waitFor();
    const row = page.getByRole('region', { name: 'ผู้เข้าถึงเรื่องนี้' }).getByRole('row').filter({ hasText: STAFF.inv.name });
    assert.match((await row.textContent()) ?? '', /ได้รับมอบหมาย[\s\S]*รอส่งมอบกุญแจ/);
    const history = (await page.getByRole('region', { name: 'ประวัติของเรื่อง' }).textContent()) ?? '';
    assert.ok(history.includes(STAFF.sup.name), 'the history names who acted');
    assert.doesNotMatch(history, /#\d/, 'never by a number');
    await axe.check();
  });

  it('the supervisor assigns a second investigator by mistake and takes them off, confirming on a page of its own', async () => {
    const page = await as('sup');
    await page.getByLabel('มอบหมายเจ้าหน้าที่ผู้ตรวจสอบ').selectOption({ label: STAFF.inv2.name });
    await clickAndLoad(page, page.getByRole('button', { name: 'มอบหมาย', exact: true }));
    const team = page.getByRole('region', { name: 'ผู้เข้าถึงเรื่องนี้' });
    const asked = await clickAndLoad(page, team.getByRole('link', { name: `นำออกจากเรื่อง ${STAFF.inv2.name}` }));
    assert.equal(asked.status(), 200, await asked.text());
    await page.getByRole('heading', { level: 1, name: `นำ ${STAFF.inv2.name} ออกจากเรื่อง ${reference}` }).waitFor();
    assert.ok(
      await fixture.database.db
        .selectFrom('case_assignment as a')
        .innerJoin('staff_user as u', 'u.id', 'a.user_id')
        .select('u.id')
        .where('u.email', '=', STAFF.inv2.email)
        .executeTakeFirst(),
      'nothing is removed by asking',
    );
    const refused = await clickAndLoad(page, page.getByRole('button', { name: 'ยืนยันการนำออกจากเรื่อง' }));
    assert.equal(refused.status(), 400, await refused.text());
    assert.deepEqual(await errorSummary(page), ['remove-reason']);
    await shoot(page, 'remove-confirm');
    await page.getByRole('textbox', { name: 'เหตุผล', exact: true }).fill('มอบหมายผิดคน');
    const removed = await clickAndLoad(page, page.getByRole('button', { name: 'ยืนยันการนำออกจากเรื่อง' }));
    assert.equal(removed.status(), 200, await removed.text());
    await page.getByRole('status').filter({ hasText: 'นำเจ้าหน้าที่ออกจากเรื่องแล้ว' }).waitFor();
    assert.equal(await team.getByRole('row').filter({ hasText: STAFF.inv2.name }).count(), 0, 'no longer on the case');
    const history = (await page.getByRole('region', { name: 'ประวัติของเรื่อง' }).textContent()) ?? '';
    assert.match(history, new RegExp(`นำเจ้าหน้าที่ออกจากเรื่อง[^\n]*${STAFF.sup.name}`));
    await axe.check();
  });

  it('the investigator sees the case assigned to them, waiting for access, before any key holder acts', async () => {
    const page = await as('inv');
    await goto(page, `${server.url}/staff/cases`);
    const waiting = page.getByRole('region', { name: 'ได้รับมอบหมาย รอสิทธิ์เข้าถึง' });
    await waiting.getByRole('link', { name: reference, exact: true }).waitFor();
    await shoot(page, 'inbox-waiting');
    await goto(page, caseUrl());
    await page.getByText('เรื่องนี้มอบหมายให้คุณแล้ว').waitFor();
    assert.ok(!(await mainText(page)).includes(WHAT), 'no content before the keys are handed over');
    await axe.check();
  });

  it('the intake officer is mailed, follows the link and the inbox hands the key to the investigator', async (t) => {
    // One mail per assignment to the one key holder, each naming who waits (the second: both investigators).
    const mails = mailsTo(STAFF.io.email);
    assert.equal(mails.length, 2, 'the key holder is mailed at each assignment');
    assert.ok(mails[0].text.includes(STAFF.inv.name), mails[0].text);
    assert.ok(mails[0].subject.includes(reference), mails[0].subject);
    assert.ok(!mails[0].text.includes(WHAT.slice(0, 20)), 'no content in the mail');
    const link = /https?:\/\/\S+?(\/staff\/cases)\b/.exec(mails[0].text);
    assert.ok(link, mails[0].text);
    assert.equal(mailsTo(STAFF.inv.email).length, 0, 'the investigator, who holds no key, is not asked');
    const page = await as('io');
    const followed = Date.now();
    await goto(page, `${server.url}${link[1]}`);
    const banner = page.getByRole('status').filter({ hasText: 'ส่งมอบสิทธิ์เข้าถึงเรื่องแล้ว' });
    assert.match((await banner.textContent()) ?? '', new RegExp(`${STAFF.inv.name}[\\s\\S]*${reference}`));
    await shoot(page, 'inbox-handed-over');
    await goto(page, caseUrl());
    const row = page.getByRole('region', { name: 'ผู้เข้าถึงเรื่องนี้' }).getByRole('row').filter({ hasText: STAFF.inv.name });
    const cells = (await row.textContent()) ?? '';
    assert.match(cells, /เนื้อหา/);
    assert.doesNotMatch(cells, /รอส่งมอบกุญแจ/);
    const grant = await fixture.database.db
      .selectFrom('case_grant as g')
      .innerJoin('staff_user as u', 'u.id', 'g.user_id')
      .select(['g.requested_at', 'g.settled_at', 'g.state'])
      .where('u.email', '=', STAFF.inv.email)
      .executeTakeFirstOrThrow();
    assert.equal(grant.state, 'sealed');
    const settled = grant.settled_at!.getTime();
    t.diagnostic(
      `hand-over: ${settled - grant.requested_at.getTime()} ms from assignment to access, ${settled - followed} ms from following the mail's link`,
    );
    await axe.check();
  });

  it('the investigator asks the reporter a question and waits for the answer', async () => {
    const page = await as('inv');
    await goto(page, `${server.url}/staff/cases`);
    await page.getByText('ทั้งหมด 1 เรื่อง').waitFor();
    await openCase(page);
    assert.ok((await mainText(page)).includes(WHAT));
    await page.getByRole('textbox', { name: 'ข้อความถึงผู้แจ้ง' }).fill(QUESTION);
    await page.getByRole('checkbox', { name: /ถามผู้แจ้งและรอคำตอบ/ }).check();
    const sent = await clickAndLoad(page, page.getByRole('button', { name: 'ส่งข้อความ' }));
    assert.equal(sent.status(), 200, await sent.text());
    const message = page.locator('li.message', { hasText: QUESTION });
    assert.equal(((await message.locator('.by strong').textContent()) ?? '').trim(), 'เจ้าหน้าที่ผู้ตรวจสอบ');
    assert.match(
      (await page.getByRole('region', { name: 'กำหนดเวลา' }).textContent()) ?? '',
      /หยุดนับระหว่างรอผู้แจ้ง/,
      'the clocks wait for the reporter',
    );
    await page.getByRole('status').filter({ hasText: 'ส่งข้อความถึงผู้แจ้งแล้ว' }).waitFor();
    // The category's name finds the case, in Thai and in English: the report never says จัดจ้าง.
    for (const words of ['จัดจ้าง', 'procurement']) {
      await goto(page, `${server.url}/staff/search?q=${encodeURIComponent(words)}`);
      await page.getByRole('link', { name: reference, exact: true }).waitFor();
    }
    await axe.check();
  });

  it('the reporter, with JavaScript off, opens the case with the receipt, sees the question from a role and answers', async () => {
    await goto(reporter, `${server.url}/followup`);
    await reporter.getByLabel('รหัสติดตามเรื่อง 16 หลัก').fill(receipt.replace(/(\d{4})(?=\d)/g, '$1 '));
    const opened = await clickAndLoad(reporter, reporter.getByRole('button', { name: 'เข้าสู่เรื่องของฉัน' }));
    assert.equal(opened.status(), 200, await opened.text());
    assert.equal(pathOf(reporter), '/followup/case');
    const question = reporter.locator('li.message', { hasText: QUESTION });
    assert.equal(((await question.locator('.by strong').textContent()) ?? '').trim(), 'เจ้าหน้าที่ผู้ตรวจสอบ');
    const html = await reporter.content();
    for (const s of Object.values(STAFF))
      assert.ok(
        !html.includes(s.name) && !html.includes(s.email),
        `no staff name or email (${s.email}) on the reporter's page`,
      );
    await reporter.getByRole('textbox', { name: 'ข้อความของคุณ' }).fill(ANSWER);
    const replied = await clickAndLoad(reporter, reporter.getByRole('button', { name: 'ส่งข้อความ' }));
    assert.equal(replied.status(), 200, await replied.text());
    await reporter.getByRole('status').filter({ hasText: 'ส่งข้อความแล้ว' }).waitFor();
  });

  it('the investigator reads the answer and asks for the reporter’s identity, with a reason', async () => {
    const page = await as('inv');
    await goto(page, caseUrl());
    const answer = page.locator('li.message', { hasText: ANSWER });
    assert.equal(((await answer.locator('.by strong').textContent()) ?? '').trim(), 'ผู้แจ้ง');
    assert.doesNotMatch(
      (await page.getByRole('region', { name: 'กำหนดเวลา' }).textContent()) ?? '',
      /หยุดนับระหว่างรอผู้แจ้ง/,
      'the answer resumed the clocks',
    );
    const identity = page.getByRole('region', { name: 'ตัวตนของผู้แจ้ง' });
    await identity.getByLabel('เหตุผลที่ต้องทราบตัวตนผู้แจ้ง').fill(IDENTITY_REASON);
    const asked = await clickAndLoad(page, identity.getByRole('button', { name: 'ขอเปิดเผยตัวตน' }));
    assert.equal(asked.status(), 200, await asked.text());
    await page.getByRole('region', { name: 'ตัวตนของผู้แจ้ง' }).getByText('คำขอของคุณรอการพิจารณา').waitFor();
    assert.ok(!(await mainText(page)).includes(REPORTER_NAME));
  });

  it('the identity custodian approves the request on the identity requests page', async () => {
    const page = await as('keeper');
    const waiting = await clickAndLoad(page, page.getByRole('link', { name: 'มีคำขอเปิดเผยตัวตนรอการพิจารณา 1 รายการ' }));
    assert.equal(waiting.status(), 200, await waiting.text());
    assert.equal(pathOf(page), '/staff/identity-requests');
    const request = page.getByRole('region', { name: reference });
    const shown = (await request.textContent()) ?? '';
    assert.ok(shown.includes(STAFF.inv.name) && shown.includes(IDENTITY_REASON), 'the custodian sees who asks and why');
    assert.ok(
      !shown.includes(REPORTER_NAME) && !(await mainText(page)).includes(WHAT),
      'but neither the identity nor the report',
    );
    await request.getByLabel('เหตุผลของการตัดสินใจ').fill('จำเป็นต่อการสอบข้อเท็จจริง อนุมัติ');
    const decided = await clickAndLoad(page, request.getByRole('button', { name: 'อนุมัติการเปิดเผย' }));
    assert.equal(decided.status(), 200, await decided.text());
    await page.getByText('ไม่มีคำขอที่รอพิจารณา').waitFor();
  });

  it('the investigator sees the identity, by a deliberate, audited step', async () => {
    const page = await as('inv');
    await goto(page, caseUrl());
    assert.ok(!(await mainText(page)).includes(REPORTER_NAME), 'not shown until asked for');
    const shown = await clickAndLoad(page, page.getByRole('button', { name: 'เปิดดูตัวตนของผู้แจ้ง (บันทึกในประวัติการเข้าถึง)' }));
    assert.equal(shown.status(), 200, await shown.text());
    assert.equal(shown.headers()['cache-control'], 'no-store');
    const identity = (await page.getByRole('region', { name: 'ตัวตนของผู้แจ้ง' }).textContent()) ?? '';
    assert.ok(identity.includes(REPORTER_NAME) && identity.includes(REPORTER_CONTACT), identity);
  });

  it('the reporter’s page tells them their identity was disclosed', async () => {
    await goto(reporter, `${server.url}/followup/case`);
    const progress = (await reporter.getByRole('region', { name: 'ความคืบหน้า' }).textContent()) ?? '';
    assert.match(progress, /ตัวตนของคุณถูกเปิดเผยแก่เจ้าหน้าที่ผู้ตรวจสอบเรื่องนี้ หลังผู้ดูแลข้อมูลตัวตนอนุมัติ/);
  });

  it('the supervisor transfers the case to NACC, giving up OPDC’s access', async () => {
    const page = await as('sup');
    await goto(page, caseUrl());
    const form = page.getByRole('region', { name: 'ส่งต่อเรื่องไปยังหน่วยงานอื่น' });
    await form.getByLabel('หน่วยงานปลายทาง', { exact: true }).selectOption({ label: `${NACC_TH} (NACC)` });
    await form.getByRole('radio', { name: 'โอนเรื่องทั้งหมด (หน่วยงานปลายทางเป็นเจ้าของเรื่อง)' }).check();
    await form.getByRole('checkbox', { name: 'หน่วยงานของเรายังเข้าถึงเรื่องได้' }).uncheck();
    await form.getByRole('textbox', { name: 'เหตุผล', exact: true }).fill('เป็นเรื่องในอำนาจของ ป.ป.ช. ตามกฎหมาย');
    const referred = await clickAndLoad(page, form.getByRole('button', { name: 'ส่งต่อ', exact: true }));
    // OPDC gave the case up, metadata included: the supervisor lands on the inbox, now without it.
    assert.equal(referred.status(), 200, await referred.text());
    assert.equal(pathOf(page), '/staff/cases?sent=referred');
    await page.getByRole('status').filter({ hasText: 'ส่งต่อเรื่องแล้ว' }).waitFor();
    await page.getByText('ทั้งหมด 0 เรื่อง').waitFor();
    await goto(page, caseUrl(), 404);
  });

  it('the OPDC investigator’s inbox seals the keys to NACC, and OPDC’s keys go', async () => {
    const page = await as('inv');
    await goto(page, `${server.url}/staff/cases`);
    await page.getByText('ทั้งหมด 0 เรื่อง').waitFor();
    await goto(page, caseUrl(), 404);
    assert.ok(!(await mainText(page)).includes(WHAT));
  });

  it('the NACC intake officer acknowledges the referred case and screens it', async () => {
    const page = await as('nio');
    await page.getByText('ทั้งหมด 1 เรื่อง').waitFor();
    await openCase(page);
    assert.equal(await statusShown(page), 'ส่งต่อหน่วยงานอื่น');
    const text = await mainText(page);
    assert.ok(
      text.includes(WHAT) && text.includes(QUESTION) && text.includes(ANSWER),
      'one case, one history: the report and the conversation came along',
    );
    assert.ok(text.includes(NACC_TH));
    assert.ok(!text.includes(REPORTER_NAME), 'the identity was disclosed to the OPDC investigator only');
    await move(page, 'รับเรื่องแล้ว', '');
    await move(page, 'อยู่ระหว่างกลั่นกรอง', 'กลั่นกรองตามระเบียบ ป.ป.ช.');
  });

  it('the NACC supervisor moves it to investigation and assigns NACC’s investigator; the intake officer’s inbox hands the key over', async () => {
    const page = await as('nsup');
    await openCase(page);
    await move(page, 'อยู่ระหว่างตรวจสอบ', 'ไต่สวนข้อเท็จจริง');
    await page.getByLabel('มอบหมายเจ้าหน้าที่ผู้ตรวจสอบ').selectOption({ label: STAFF.ninv.name });
    const assigned = await clickAndLoad(page, page.getByRole('button', { name: 'มอบหมาย', exact: true }));
    assert.equal(assigned.status(), 200, await assigned.text());
    await goto(await as('nio'), `${server.url}/staff/cases`);
  });

  it('the NACC investigator concludes it substantiated, told first that a conclusion needs an outcome', async () => {
    const inv = await as('ninv');
    await inv.getByText('ทั้งหมด 1 เรื่อง').waitFor();
    await openCase(inv);
    const form = inv.getByRole('region', { name: 'ดำเนินการต่อ' });
    await form.getByRole('textbox', { name: 'เหตุผล', exact: true }).fill(CONCLUSION);
    const refused = await clickAndLoad(inv, form.getByRole('button', { name: 'บันทึกข้อสรุป' }));
    assert.equal(refused.status(), 400, await refused.text());
    assert.deepEqual(await errorSummary(inv), ['outcome']);
    assert.equal(await form.getByRole('textbox', { name: 'เหตุผล', exact: true }).inputValue(), CONCLUSION, 'kept');
    await move(inv, 'ได้ข้อสรุปแล้ว', CONCLUSION, 'มีมูล');
    await axe.check();
  });

  it('the NACC supervisor reads the conclusion and its reasons, and approves it with the button that says so', async () => {
    const sup = await as('nsup');
    await goto(sup, caseUrl());
    const conclusion = (await sup.getByRole('region', { name: 'ข้อสรุปที่รออนุมัติ' }).textContent()) ?? '';
    for (const part of ['มีมูล', CONCLUSION, STAFF.ninv.name])
      assert.ok(conclusion.includes(part), `${part} in ${conclusion}`);
    assert.ok(!(await mainText(sup)).includes(WHAT), 'the conclusion, not the report');
    const form = sup.getByRole('region', { name: 'ดำเนินการต่อ' });
    const buttons = (await form.getByRole('button').allTextContents()).map((b) => b.trim());
    assert.deepEqual(buttons, ['อนุมัติข้อสรุปและยุติเรื่อง', 'ส่งกลับไปตรวจสอบเพิ่มเติม'], 'closing first, each named');
    await shoot(sup, 'case-conclusion');
    await move(sup, 'ยุติเรื่อง', 'อนุมัติข้อสรุปและยุติเรื่อง');
    await axe.check();
  });

  it('the reporter, with the same receipt, sees the case closed at NACC and the referral, in Thai', async () => {
    await goto(reporter, `${server.url}/followup/case`);
    assert.equal(await reporter.locator('html').getAttribute('lang'), 'th');
    assert.equal(await statusShown(reporter), 'ยุติเรื่อง');
    const progress = (await reporter.getByRole('region', { name: 'ความคืบหน้า' }).textContent()) ?? '';
    assert.ok(progress.includes(`เรื่องของคุณถูกส่งต่อไปยัง ${NACC_TH} ซึ่งจะดำเนินการต่อ รหัสติดตามเรื่องเดิมของคุณยังใช้ได้`), progress);
    assert.ok(progress.includes('สถานะเปลี่ยนเป็น "ยุติเรื่อง"'), progress);
    assert.ok((await mainText(reporter)).includes(NACC_TH), 'the case is shown under NACC');
    const html = await reporter.content();
    for (const s of Object.values(STAFF))
      assert.ok(!html.includes(s.name) && !html.includes(s.email), `no staff name or email (${s.email})`);
    for (const reason of [IDENTITY_REASON, 'อนุมัติข้อสรุปและยุติเรื่อง'])
      assert.ok(!html.includes(reason), 'the reporter sees no staff reasons');
  });

  it('left an audited trail, and the pages loaded nothing from elsewhere', async () => {
    const db = fixture.database.db;
    const c = await db
      .selectFrom('report_case as c')
      .innerJoin('agency as a', 'a.id', 'c.agency_id')
      .select(['c.id', 'c.status', 'c.outcome', 'a.code'])
      .where('c.reference', '=', reference)
      .executeTakeFirstOrThrow();
    assert.deepEqual([c.status, c.outcome, c.code], ['closed', 'substantiated', 'NACC']);
    const actions = new Set(
      (await db.selectFrom('audit_event').select('action').where('case_id', '=', c.id).execute()).map((a) => a.action),
    );
    for (const a of [
      'case_opened',
      'case_metadata_viewed',
      'status_changed',
      'case_assigned',
      'key_granted',
      'message_posted',
      'identity_requested',
      'identity_request_decided',
      'identity_opened',
      'case_referred',
    ])
      assert.ok(actions.has(a), `audit has ${a}: ${[...actions].join(', ')}`);
    const holders = await db
      .selectFrom('case_key as k')
      .innerJoin('staff_user as u', 'u.id', 'k.user_id')
      .select('u.email')
      .distinct()
      .where('k.case_id', '=', c.id)
      .execute();
    assert.deepEqual(
      holders.map((h) => h.email).sort(),
      [STAFF.ninv.email, STAFF.nio.email].sort(),
      'only NACC holds keys now',
    );
    assert.deepEqual(
      foreignRequests(
        contexts.flatMap((x) => x.requests),
        server.url,
      ),
      [],
    );
  });
});
