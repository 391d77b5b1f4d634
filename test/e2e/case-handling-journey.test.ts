// A case handled across roles and agencies in a real browser with JavaScript off, against the real
// server process: a reporter files with their name and contact; OPDC's intake officer acknowledges
// and screens; the supervisor (metadata only) moves it to investigation and assigns an
// investigator, whose key the intake officer's inbox hands over; the investigator asks the reporter
// a question and waits, the reporter answers; the investigator asks for the identity, a custodian
// approves, the reporter is told; the supervisor transfers the case to NACC, whose intake officer
// acknowledges and screens it, whose investigator concludes it and whose supervisor closes it. The
// reporter, with the same receipt, sees it closed and referred. Everyone is seeded by the CLI and
// enrols TOTP at first sign-in; each person keeps one browser context for the whole journey.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { foreignRequests, launchBrowser, openContext, type RecordedContext } from '../support/browser.ts';
import { addStaffByCli, clickAndLoad, closeJourney, moveCase, pathOf, runCli, staffPages } from '../support/journey.ts';
import { CHEAP_KDF_ENV, serverFixture, startServerProcess, type ServerProcess } from '../support/server.ts';

const OPDC_TH = 'สำนักงาน ก.พ.ร.';
const NACC_TH = 'สำนักงาน ป.ป.ช.';
const PASSWORD = 'a long staff passphrase for the journey';
const STAFF = {
  io: { agency: 'OPDC', email: 'intake@opdc.example', role: 'intake_officer', name: 'สมหญิง รับเรื่อง' },
  sup: { agency: 'OPDC', email: 'supervisor@opdc.example', role: 'supervisor', name: 'สมชาย หัวหน้างาน' },
  inv: { agency: 'OPDC', email: 'investigator@opdc.example', role: 'investigator', name: 'วิชัย ตรวจตรา' },
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

describe('case handling across roles and agencies in a browser without JavaScript', () => {
  let fixture: Awaited<ReturnType<typeof serverFixture>>;
  let server: ServerProcess;
  let browser: Browser;
  const contexts: RecordedContext[] = [];
  let reporter: Page;
  let receipt = '';
  let reference = '';

  const caseUrl = () => `${server.url}/staff/cases/${encodeURIComponent(reference)}`;
  /** The person's page, signed in (the first call enrols their second factor). */
  const as = staffPages({ browser: () => browser, baseUrl: () => server.url, contexts }, STAFF, PASSWORD);
  const goto = async (page: Page, url: string, status = 200) => {
    const res = await page.goto(url);
    assert.equal(res?.status(), status, await res?.text());
  };
  const statusShown = async (page: Page) => ((await page.locator('dl.meta .status').textContent()) ?? '').trim();
  const mainText = async (page: Page) => (await page.locator('main').textContent()) ?? '';
  /** Moves the case with the form of the case page: the new status (its Thai label), an outcome, a reason. */
  const move = async (page: Page, to: string, reason: string, outcome?: string) => {
    await moveCase(page, to, reason, outcome);
    assert.equal(pathOf(page), `/staff/cases/${encodeURIComponent(reference)}`);
  };
  const openCase = async (page: Page) => {
    const opened = await clickAndLoad(page, page.getByRole('link', { name: reference, exact: true }));
    assert.equal(opened.status(), 200, await opened.text());
    await page.getByRole('heading', { level: 1, name: reference }).waitFor();
  };

  before(async () => {
    fixture = await serverFixture();
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
    await addStaffByCli(env, Object.values(STAFF), PASSWORD);
    server = await startServerProcess({ databaseUrl: fixture.database.url, dataDir: fixture.dataDir });
    browser = await launchBrowser();
  });

  after(() => closeJourney({ contexts, browser, server, fixture }));

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
    const sent = await clickAndLoad(reporter, reporter.getByRole('button', { name: 'ส่งเรื่อง' }));
    assert.equal(sent.status(), 200, await sent.text());
    await reporter.getByRole('heading', { level: 1, name: 'ส่งเรื่องเรียบร้อยแล้ว' }).waitFor();
    receipt = ((await reporter.locator('output').textContent()) ?? '').replace(/ /g, '');
    assert.match(receipt, /^\d{16}$/);
    reference = ((await reporter.locator('dl.meta dd').first().textContent()) ?? '').trim();
    assert.match(reference, /^OPDC-\d{4}-\d{6}$/);
  });

  it('the OPDC intake officer acknowledges the report and moves it to screening, with reasons', async () => {
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
  });

  it('the supervisor, seeing metadata only, moves it to investigation and assigns the investigator', async () => {
    const page = await as('sup');
    await openCase(page);
    await page.getByText('คุณเห็นเฉพาะข้อมูลกำกับของเรื่องนี้').waitFor();
    assert.ok(!(await mainText(page)).includes(WHAT), 'no content for the supervisor');
    await move(page, 'อยู่ระหว่างตรวจสอบ', 'มีมูลพอที่จะตรวจสอบ');
    await page.getByLabel('มอบหมายเจ้าหน้าที่ผู้ตรวจสอบ').selectOption({ label: STAFF.inv.name });
    const assigned = await clickAndLoad(page, page.getByRole('button', { name: 'มอบหมาย', exact: true }));
    assert.equal(assigned.status(), 200, await assigned.text());
    // The supervisor holds no key: the investigator waits for a key holder's session.
    const row = page.getByRole('region', { name: 'ผู้เข้าถึงเรื่องนี้' }).getByRole('row').filter({ hasText: STAFF.inv.name });
    assert.match((await row.textContent()) ?? '', /ได้รับมอบหมาย[\s\S]*รอส่งมอบกุญแจ/);
  });

  it('the intake officer opens the inbox, which hands the key to the investigator', async () => {
    const page = await as('io');
    await goto(page, `${server.url}/staff/cases`);
    await goto(page, caseUrl());
    const row = page.getByRole('region', { name: 'ผู้เข้าถึงเรื่องนี้' }).getByRole('row').filter({ hasText: STAFF.inv.name });
    const cells = (await row.textContent()) ?? '';
    assert.match(cells, /เนื้อหา/);
    assert.doesNotMatch(cells, /รอส่งมอบกุญแจ/);
  });

  it('the investigator asks the reporter a question and waits for the answer', async () => {
    const page = await as('inv');
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
    assert.equal(pathOf(page), '/staff/cases');
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
    await move(page, 'รับเรื่องแล้ว', 'รับเรื่องที่ส่งต่อจาก ก.พ.ร.');
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

  it('the NACC investigator concludes it substantiated, and the NACC supervisor closes it', async () => {
    const inv = await as('ninv');
    await inv.getByText('ทั้งหมด 1 เรื่อง').waitFor();
    await openCase(inv);
    await move(inv, 'ได้ข้อสรุปแล้ว', 'พยานหลักฐานยืนยันการกำหนดคุณสมบัติเอื้อผู้เสนอราคารายเดียว', 'มีมูล');
    const sup = await as('nsup');
    await goto(sup, caseUrl());
    await move(sup, 'ยุติเรื่อง', 'อนุมัติข้อสรุปและยุติเรื่อง');
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
