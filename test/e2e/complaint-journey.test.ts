// A citizen's complaint in a real browser with JavaScript off, against the real server process:
// the citizen files a named service complaint on a phone and reads the tracking code and the dates
// the agency is held to; follows it with the code; OPDC's intake officer acknowledges it and
// replies in the console; the citizen's one page shows the reply, the new status and what comes
// next, never the name or contact, and takes the citizen's answer; once the supervisor closes the
// case the citizen reads how it ended (partly resolved) and rates it 4, on the same page. Seeding
// goes through the CLI; the database is checked after the UI acts; axe checks every page.
// Screenshots of the refused form and the case page go to /tmp.
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { watchAxe } from '../support/axe.ts';
import { foreignRequests, launchBrowser, openContext, type RecordedContext } from '../support/browser.ts';
import { addStaffByCli, clickAndLoad, closeJourney, moveCase, pathOf, runCli, staffPages } from '../support/journey.ts';
import { CHEAP_KDF_ENV, serverFixture, startServerProcess, type ServerProcess } from '../support/server.ts';

const OPDC_TH = 'สำนักงาน ก.พ.ร.';
const PASSWORD = 'a long staff passphrase for the complaint journey';
const STAFF = {
  io: { email: 'intake@opdc.example', role: 'intake_officer', name: 'สมหญิง รับเรื่อง' },
  sup: { email: 'supervisor@opdc.example', role: 'supervisor', name: 'สมชาย หัวหน้างาน' },
} as const;
const NAME = 'นายประชา พลเมืองดี';
const CONTACT = '081-555-0199';
const WHAT = 'ยื่นเอกสารขอรับเบี้ยยังชีพผู้สูงอายุที่สำนักงานเขตมาสามเดือนแล้วยังไม่มีความคืบหน้า';
const REPLY = 'หน่วยงานได้รับเรื่องแล้ว และจะแจ้งผลการตรวจสอบเอกสารภายใน 7 วัน';
const ANSWER = 'ส่งสำเนาบัตรประชาชนไปแล้วเมื่อวันจันทร์';
const FORM_SHOT = path.join(tmpdir(), 'sujarit-e2e-complaint-form.png');
const STATUS_SHOT = path.join(tmpdir(), 'sujarit-e2e-status.png');

describe('a citizen complaint on the web, handled in the console, in a browser without JavaScript', () => {
  let fixture: Awaited<ReturnType<typeof serverFixture>>;
  let server: ServerProcess;
  let browser: Browser;
  const contexts: RecordedContext[] = [];
  let citizen: RecordedContext;
  let code = '';
  let reference = '';
  let axe: ReturnType<typeof watchAxe>;

  const as = staffPages({ browser: () => browser, baseUrl: () => server.url, contexts }, STAFF, PASSWORD);
  const openCase = async (page: Page) => {
    const opened = await clickAndLoad(page, page.getByRole('link', { name: reference, exact: true }));
    assert.equal(opened.status(), 200, await opened.text());
    await page.getByRole('heading', { level: 1, name: reference }).waitFor();
  };
  /** The citizen opens the case with the code typed in the form at /status, as written down (groups of 4). */
  const lookUp = async () => {
    const { page } = citizen;
    const form = await page.goto(`${server.url}/status`);
    assert.equal(form?.status(), 200);
    await page.getByLabel('รหัสติดตามเรื่อง 16 หลัก').fill(code.replace(/(\d{4})(?=\d)/g, '$1 '));
    const shown = await clickAndLoad(page, page.getByRole('button', { name: 'เข้าสู่เรื่องของฉัน', exact: true }));
    assert.equal(shown.status(), 200, await shown.text());
    assert.equal(pathOf(page), '/followup/case');
    await page.getByRole('heading', { level: 1, name: 'เรื่องของคุณ' }).waitFor();
    return page;
  };
  /** The one page shows what the citizen sent, never their name or contact, nor a staff member's name. */
  const assertNothingPersonal = async (page: Page) => {
    const html = await page.content();
    for (const s of [NAME, CONTACT, STAFF.io.name, STAFF.io.email, STAFF.sup.name])
      assert.ok(!html.includes(s), `"${s}" is not on the case page`);
    assert.ok(html.includes(WHAT), 'what the citizen sent');
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
    await addStaffByCli(
      env,
      Object.values(STAFF).map((s) => ({ ...s, agency: 'OPDC' })),
      PASSWORD,
    );
    server = await startServerProcess({ databaseUrl: fixture.database.url, dataDir: fixture.dataDir });
    browser = await launchBrowser();
    const checker = await openContext(browser, { javaScriptEnabled: true });
    contexts.push(checker);
    axe = watchAxe(checker.page, server.url);
  });

  after(() => closeJourney({ contexts, browser, server, fixture }));

  it('a citizen on a phone files a named complaint from the home page and reads the tracking code', async () => {
    citizen = await openContext(browser);
    contexts.push(citizen);
    axe.watch(citizen.context);
    citizen.context.setDefaultTimeout(10_000);
    const { page } = citizen;
    assert.equal((await page.goto(`${server.url}/`))?.status(), 200);
    const form = await clickAndLoad(page, page.getByRole('link', { name: 'ร้องเรียนการให้บริการของหน่วยงาน' }));
    assert.equal(form.status(), 200);
    assert.equal(pathOf(page), '/complaint');
    await page.getByLabel('หน่วยงานที่ร้องเรียน').selectOption({ label: OPDC_TH });
    await page.getByRole('radio', { name: 'ให้บริการล่าช้า' }).check();
    await page.getByLabel('รายละเอียดที่ร้องเรียน').fill(WHAT);
    await page.getByLabel('ชื่อ-นามสกุล').fill(NAME);
    // Sent once without the contact: the form comes back with the rest kept and the error linked.
    const refused = await clickAndLoad(page, page.getByRole('button', { name: 'ส่งเรื่องร้องเรียน' }));
    assert.equal(refused.status(), 400);
    assert.equal(await page.getByLabel('รายละเอียดที่ร้องเรียน').inputValue(), WHAT);
    assert.equal(await page.getByLabel('ชื่อ-นามสกุล').inputValue(), NAME);
    await page
      .getByRole('alert')
      .getByRole('link', { name: /โทรศัพท์หรืออีเมลสำหรับติดต่อกลับ/ })
      .waitFor();
    await page.screenshot({ path: FORM_SHOT, fullPage: true });
    await page.getByLabel('โทรศัพท์หรืออีเมลสำหรับติดต่อกลับ').fill(CONTACT);
    await page.getByLabel('หน่วยงานที่ร้องเรียน').selectOption({ label: OPDC_TH });
    const sent = await clickAndLoad(page, page.getByRole('button', { name: 'ส่งเรื่องร้องเรียน' }));
    assert.equal(sent.status(), 200, await sent.text());
    await page.getByRole('heading', { level: 1, name: 'ส่งเรื่องร้องเรียนเรียบร้อยแล้ว' }).waitFor();
    code = ((await page.locator('output').textContent()) ?? '').replace(/ /g, '');
    assert.match(code, /^\d{16}$/);
    reference = ((await page.locator('dl.meta dd').first().textContent()) ?? '').trim();
    assert.match(reference, /^OPDC-\d{4}-\d{6}$/);
    const row = await fixture.database.db
      .selectFrom('report_case')
      .select(['kind', 'channel', 'category', 'status'])
      .where('reference', '=', reference)
      .executeTakeFirstOrThrow();
    assert.deepEqual(row, { kind: 'complaint', channel: 'web', category: 'service_delay', status: 'new' });
    const next = (await page.getByRole('region', { name: 'ขั้นตอนต่อไป' }).locator('li').allTextContents()).map((t) =>
      t.trim(),
    );
    assert.equal(next.length, 3, next.join(' | '));
    assert.match(next[1], /^เจ้าหน้าที่จะตอบคุณครั้งแรกภายใน \d{1,2} \S+ 25\d\d$/, 'the 15-day reply, Buddhist Era');
    await axe.check();
  });

  it('the citizen follows it with the code', async () => {
    const status = await clickAndLoad(citizen.page, citizen.page.getByRole('link', { name: 'ไปยังหน้าติดตามเรื่อง' }));
    assert.equal(status.status(), 200);
    assert.equal(pathOf(citizen.page), '/status');
    const page = await lookUp();
    assert.equal(((await page.locator('dl.meta .status').textContent()) ?? '').trim(), 'เรื่องใหม่');
    await page.getByText('ยังไม่มีข้อความ').waitFor();
    await assertNothingPersonal(page);
    await axe.check();
  });

  it('the intake officer reads the complainant, acknowledges and replies in the console', async () => {
    const page = await as('io');
    await page.getByText('ทั้งหมด 1 เรื่อง').waitFor();
    await openCase(page);
    const complainant = (await page.getByRole('region', { name: 'ผู้ร้องเรียน' }).textContent()) ?? '';
    assert.ok(complainant.includes(NAME) && complainant.includes(CONTACT), complainant);
    assert.ok(
      ((await page.locator('main').textContent()) ?? '').includes('เรื่องร้องเรียนการให้บริการ'),
      'the kind is shown',
    );
    await moveCase(page, 'รับเรื่องแล้ว', 'รับเรื่องร้องเรียนไว้ดำเนินการ');
    await page.getByRole('textbox', { name: 'ข้อความถึงผู้แจ้ง' }).fill(REPLY);
    const replied = await clickAndLoad(page, page.getByRole('button', { name: 'ส่งข้อความ' }));
    assert.equal(replied.status(), 200, await replied.text());
    await page.locator('li.message', { hasText: REPLY }).waitFor();
  });

  it('the citizen’s one page shows the reply by role, the new status and what comes next, and takes an answer', async () => {
    const page = await lookUp();
    assert.equal(((await page.locator('dl.meta .status').textContent()) ?? '').trim(), 'รับเรื่องแล้ว');
    const reply = page.locator('li.message', { hasText: REPLY });
    assert.equal(((await reply.locator('.by strong').textContent()) ?? '').trim(), 'เจ้าหน้าที่รับเรื่อง');
    assert.match(
      (await page.getByRole('region', { name: 'ความคืบหน้า' }).textContent()) ?? '',
      /สถานะเปลี่ยนเป็น "รับเรื่องแล้ว"[\s\S]*เจ้าหน้าที่รับเรื่อง/,
    );
    assert.match((await page.locator('dl.meta').textContent()) ?? '', /25\d\d/, 'dates in the Buddhist Era');
    await assertNothingPersonal(page);
    assert.equal(await page.getByRole('button', { name: 'ส่งการประเมิน' }).count(), 0, 'no rating before closure');
    const next = (await page.getByRole('region', { name: 'ขั้นตอนต่อไป' }).locator('li').allTextContents()).join('|');
    assert.doesNotMatch(next, /ตอบรับ|ตอบคุณครั้งแรก/, 'acknowledged and answered: those dates are met');
    assert.match(next, /หน่วยงานจะแจ้งผลการดำเนินการภายใน \d{1,2} \S+ 25\d\d/);
    // The answer goes from the same page: no second place to log in to.
    await page.getByRole('textbox', { name: 'ข้อความของคุณ' }).fill(ANSWER);
    const sent = await clickAndLoad(page, page.getByRole('button', { name: 'ส่งข้อความ' }));
    assert.equal(sent.status(), 200, await sent.text());
    assert.equal(pathOf(page), '/followup/case?sent=1');
    const mine = page.locator('li.message', { hasText: ANSWER });
    assert.equal(((await mine.locator('.by strong').textContent()) ?? '').trim(), 'คุณ');
    await axe.check();
  });

  it('the case is concluded and the supervisor closes it', async () => {
    const io = await as('io');
    await moveCase(io, 'อยู่ระหว่างกลั่นกรอง', 'ตรวจสอบเอกสาร');
    await moveCase(io, 'ได้ข้อสรุปแล้ว', 'แจ้งผลการตรวจสอบเอกสารแก่ผู้ร้องเรียนแล้ว', 'แก้ไขได้บางส่วน');
    const sup = await as('sup');
    await openCase(sup);
    await moveCase(sup, 'ยุติเรื่อง', 'ดำเนินการครบถ้วน');
  });

  it('the citizen reads the outcome and rates the closed case 4 on the same page', async () => {
    const page = await lookUp();
    assert.equal(((await page.locator('dl.meta .status').textContent()) ?? '').trim(), 'ยุติเรื่อง');
    assert.equal(
      ((await page.locator('dl.meta dd.outcome').textContent()) ?? '').trim(),
      'แก้ไขได้บางส่วน',
      'the citizen reads how the complaint ended',
    );
    await page.getByText('ผลการดำเนินการ', { exact: true }).waitFor();
    const rating = page.getByRole('region', { name: 'ประเมินความพึงพอใจ' });
    await page.screenshot({ path: STATUS_SHOT, fullPage: true });
    await rating.getByRole('radio', { name: '4 พอใจ', exact: true }).check();
    await rating.getByLabel('ความเห็นเพิ่มเติม').fill('เจ้าหน้าที่ตอบเร็ว');
    await page.getByText('เรื่องนี้ยุติแล้ว ผลการดำเนินการ: แก้ไขได้บางส่วน').waitFor();
    const rated = await clickAndLoad(page, rating.getByRole('button', { name: 'ส่งการประเมิน' }));
    assert.equal(rated.status(), 200, await rated.text());
    assert.equal(rated.request().redirectedFrom()?.method(), 'POST', 'a reload does not rate again');
    assert.equal(pathOf(page), '/followup/case?rated=1');
    await page.getByRole('status').filter({ hasText: 'ขอบคุณสำหรับการประเมิน' }).waitFor();
    const db = fixture.database.db;
    const c = await db
      .selectFrom('report_case')
      .select(['id', 'status'])
      .where('reference', '=', reference)
      .executeTakeFirstOrThrow();
    assert.equal(c.status, 'closed');
    const r = await db
      .selectFrom('case_rating')
      .select(['score', 'channel', 'comment'])
      .where('case_id', '=', c.id)
      .executeTakeFirstOrThrow();
    assert.equal(r.score, 4);
    assert.equal(r.channel, 'web');
    assert.ok(r.comment && !r.comment.includes(Buffer.from('เจ้าหน้าที่ตอบเร็ว')), 'the comment is sealed');
    await page.getByText('คุณให้คะแนนเรื่องนี้ 4 จาก 5 แล้ว').waitFor();
    assert.equal(await page.getByRole('button', { name: 'ส่งการประเมิน' }).count(), 0, 'rated once');
    await axe.check();
    assert.deepEqual(foreignRequests(citizen.requests, server.url), [], 'nothing left the server');
  });
});
