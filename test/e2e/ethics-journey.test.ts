// An ethics course end to end in a real browser, against the real server process:
// - the ethics officer (desktop) writes a course with a lesson, an item bank of four items, the
//   blueprint (two items a test, a refusal first), and publishes it; then edits the published
//   lesson (an emptied title refused first, beside its field, the rest kept);
// - a staff member on a 390 px phone with JavaScript off signs in, takes the pre-test one question a
//   page (going back keeps the answer), reads the lesson, takes the post-test, submits (a second
//   submit is harmless) and gets the certificate with the name they choose;
// - the certificate's code verifies on the public page in a fresh phone (no session), a wrong code
//   is refused with a clear message;
// - the officer reads the results.
// axe (WCAG 2.2 A/AA) checks every page loaded; nothing is fetched from elsewhere.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { watchAxe } from '../support/axe.ts';
import { refusedForm } from '../support/error-summary.ts';
import { foreignRequests, launchBrowser, openContext, PHONE, type RecordedContext } from '../support/browser.ts';
import {
  addAgencyByCli,
  addStaffByCli,
  clickAndLoad,
  closeJourney,
  pathOf,
  signInFirstTime,
  staffPages,
} from '../support/journey.ts';
import { cliEnvOf, serverFixture, startServerProcess, type ServerProcess } from '../support/server.ts';

const PASSWORD = 'a long staff passphrase for the ethics journey';
const STAFF = {
  officer: { email: 'ethics@town.example', role: 'ethics_officer', name: 'สมศรี ส่งเสริมจริยธรรม', agency: 'TOWN' },
  learner: { email: 'clerk@town.example', role: 'intake_officer', name: 'สมชาย ใจดี', agency: 'TOWN' },
} as const;
const COURSE = 'การป้องกันผลประโยชน์ทับซ้อน';

describe('an ethics course from writing to a verified certificate, the learner on a phone without JavaScript', () => {
  let fixture: Awaited<ReturnType<typeof serverFixture>>;
  let server: ServerProcess;
  let browser: Browser;
  let axe: ReturnType<typeof watchAxe>;
  let phone: RecordedContext;
  let code = '';
  const contexts: RecordedContext[] = [];
  const signIn = staffPages(
    { browser: () => browser, baseUrl: () => server.url, contexts },
    { officer: STAFF.officer },
    PASSWORD,
    (page) => axe.watch(page.context()),
  );
  const officer = () => signIn('officer');
  const click = async (page: Page, name: string | RegExp, status = 200) => {
    const res = await clickAndLoad(page, page.getByRole('button', { name, exact: typeof name === 'string' }));
    assert.equal(res.status(), status, await res.text());
  };

  before(async () => {
    fixture = await serverFixture();
    const env = cliEnvOf(fixture);
    await addAgencyByCli(env, 'TOWN', 'เทศบาลเมืองตัวอย่าง', 'Example Town');
    await addStaffByCli(env, Object.values(STAFF), PASSWORD);
    server = await startServerProcess({ databaseUrl: fixture.database.url, dataDir: fixture.dataDir });
    browser = await launchBrowser();
    const checker = await openContext(browser, { javaScriptEnabled: true });
    contexts.push(checker);
    axe = watchAxe(checker.page, server.url);
  });

  after(async () => {
    await closeJourney({ contexts, browser, server, fixture });
  });

  it('the ethics officer writes the course, its bank and blueprint, and publishes it', async () => {
    const page = await officer();
    assert.equal(pathOf(page), '/staff/ethics', 'an ethics officer lands on the courses');
    await clickAndLoad(page, page.getByRole('link', { name: 'จัดทำหลักสูตรและคลังข้อสอบ' }).first());
    const course = page.getByRole('region', { name: 'สร้างหลักสูตร' });
    await course.getByLabel('ชื่อภาษาไทย').fill(COURSE);
    await course.getByLabel('ชื่อภาษาอังกฤษ').fill('Preventing conflicts of interest');
    await course.getByLabel('เกณฑ์ผ่าน (ร้อยละ)').fill('60');
    await course.getByLabel('คะแนนสูงสุด').check();
    await clickAndLoad(page, course.getByRole('button', { name: 'สร้างหลักสูตร' }));
    assert.match(pathOf(page), /^\/staff\/ethics\/courses\/\d+\?sent=saved$/);
    const coursePath = pathOf(page).replace(/\?.*/, '');
    const lesson = page.getByRole('form', { name: 'เพิ่มบทเรียน' });
    await lesson.getByLabel('ชื่อภาษาไทย').fill('ของขวัญและประโยชน์อื่นใด');
    await lesson.getByLabel('ชื่อภาษาอังกฤษ').fill('Gifts and other benefits');
    await lesson
      .getByLabel('เนื้อหาภาษาไทย (Markdown)')
      .fill(
        '## หลักการ\n\nเจ้าหน้าที่ของรัฐ**ไม่ควร**รับของขวัญที่อาจทำให้เกิดผลประโยชน์ทับซ้อน\n\n- ปฏิเสธอย่างสุภาพ\n- รายงานผู้บังคับบัญชา',
      );
    await lesson
      .getByLabel('เนื้อหาภาษาอังกฤษ (Markdown)')
      .fill('## Principle\n\nOfficials **should not** accept gifts that may create a conflict of interest.');
    await clickAndLoad(page, lesson.getByRole('button', { name: 'เพิ่มบทเรียน' }));
    await page.goto(`${server.url}/staff/ethics/manage`);
    const bank = page.getByRole('region', { name: 'สร้างคลังข้อสอบ' });
    await bank.getByLabel('ชื่อคลังข้อสอบ').fill('คลังข้อสอบผลประโยชน์ทับซ้อน');
    await clickAndLoad(page, bank.getByRole('button', { name: 'สร้างคลังข้อสอบ' }));
    assert.match(pathOf(page), /^\/staff\/ethics\/banks\/\d+\?sent=saved$/);
    for (let i = 1; i <= 4; i++) {
      const item = page.getByRole('form', { name: 'เพิ่มข้อสอบ' });
      await item.getByLabel('เลือกตอบข้อเดียว').check();
      await item.getByLabel('คำถามภาษาไทย').fill(`ข้อ ${i}: ผู้รับเหมานำกระเช้ามามอบให้ระหว่างการประกวดราคา ควรทำอย่างไร`);
      await item
        .getByLabel('คำถามภาษาอังกฤษ')
        .fill(`Item ${i}: a bidder brings a gift basket during a tender. What should you do?`);
      await item.getByLabel('ตัวเลือกภาษาไทย (บรรทัดละหนึ่งตัวเลือก)').fill('รับไว้\nปฏิเสธและรายงาน');
      await item.getByLabel('ตัวเลือกภาษาอังกฤษ (บรรทัดละหนึ่งตัวเลือก ลำดับเดียวกัน)').fill('Keep it\nRefuse and report');
      await item
        .getByLabel('คำอธิบายของแต่ละตัวเลือก ภาษาไทย (บรรทัดละหนึ่ง ลำดับเดียวกัน)')
        .fill('ไม่ถูก: ผู้เสนอราคามีส่วนได้เสีย\nถูกต้อง');
      await item.getByLabel('ตัวเลือกที่ถูก (ลำดับที่ เช่น 2 หรือ 1,3)').fill('2');
      await click(page, 'เพิ่มข้อสอบ');
    }
    await page.goto(`${server.url}${coursePath}`);
    const blueprint = page.getByRole('form', { name: 'พิมพ์เขียวแบบทดสอบ' });
    await blueprint.getByLabel('จำนวนข้อต่อชุด').fill('3');
    await click(page, 'กำหนดแถวนี้');
    await click(page, 'เปิดให้เรียน', 400);
    await page.getByRole('alert').filter({ hasText: 'คลังข้อสอบมีข้อไม่พอ' }).waitFor();
    await page.getByRole('form', { name: 'พิมพ์เขียวแบบทดสอบ' }).getByLabel('จำนวนข้อต่อชุด').fill('2');
    await click(page, 'กำหนดแถวนี้');
    await click(page, 'เปิดให้เรียน');
    await page.getByText('เปิดให้เรียนแล้ว').first().waitFor();
    await axe.check();
  });

  it('the ethics officer edits the published lesson, one fault fixed on the way', async () => {
    const page = await officer();
    await page.goto(`${server.url}/staff/ethics/manage`);
    await clickAndLoad(page, page.getByRole('link', { name: COURSE }).first());
    await clickAndLoad(page, page.getByRole('link', { name: /^แก้ไขบทเรียน/ }));
    assert.match(pathOf(page), /^\/staff\/ethics\/courses\/\d+\/lessons\/\d+\/edit$/);
    assert.equal(await page.getByLabel('ชื่อภาษาไทย').inputValue(), 'ของขวัญและประโยชน์อื่นใด', 'prefilled');
    await axe.check();
    const body = page.getByLabel('เนื้อหาภาษาไทย (Markdown)');
    await body.fill(`${await body.inputValue()}\n- บันทึกไว้เป็นหลักฐาน`);
    await page.getByLabel('ชื่อภาษาไทย').fill('');
    assert.deepEqual(await refusedForm(page, page.getByRole('button', { name: 'บันทึก', exact: true })), ['titleTh']);
    assert.match(await page.getByLabel('เนื้อหาภาษาไทย (Markdown)').inputValue(), /บันทึกไว้เป็นหลักฐาน/, 'kept');
    await axe.check();
    await page.getByLabel('ชื่อภาษาไทย').fill('ของขวัญและประโยชน์อื่นใด');
    await click(page, 'บันทึก');
    assert.match(pathOf(page), /^\/staff\/ethics\/courses\/\d+\?sent=saved$/);
    await page.getByRole('listitem').filter({ hasText: 'บันทึกไว้เป็นหลักฐาน' }).waitFor();
    await axe.check();
  });

  it('a staff member takes the course on a phone without JavaScript and gets the certificate', async () => {
    phone = await openContext(browser, PHONE);
    contexts.push(phone);
    axe.watch(phone.context);
    const page = phone.page;
    await signInFirstTime(page, server.url, STAFF.learner.email, PASSWORD);
    await page.goto(`${server.url}/staff/ethics`);
    await clickAndLoad(page, page.getByRole('link', { name: COURSE }));
    await click(page, 'เริ่มแบบทดสอบก่อนเรียน');
    assert.match(pathOf(page), /\/q\/1$/);
    await page.getByLabel('รับไว้').check();
    await click(page, 'ข้อถัดไป');
    await click(page, 'ข้อก่อนหน้า');
    assert.equal(await page.getByLabel('รับไว้').isChecked(), true, 'the answer is kept');
    await click(page, 'ข้อถัดไป');
    await page.getByLabel('รับไว้').check();
    await click(page, 'ตรวจทานก่อนส่ง');
    const review = page.url();
    await click(page, 'ส่งคำตอบ');
    await page.getByRole('status').filter({ hasText: 'ได้คะแนนร้อยละ 0.00' }).waitFor();
    // the browser's back and a second submission change nothing
    await page.goBack();
    await page.goto(review);
    await clickAndLoad(page, page.getByRole('link', { name: 'กลับไปที่หลักสูตร' }).first());
    await clickAndLoad(page, page.getByRole('link', { name: 'ของขวัญและประโยชน์อื่นใด' }));
    await page.getByRole('heading', { name: 'หลักการ' }).waitFor();
    await clickAndLoad(page, page.getByRole('link', { name: 'กลับไปที่หลักสูตร' }).first());
    await click(page, 'เริ่มแบบทดสอบหลังเรียน');
    await page.getByLabel('ปฏิเสธและรายงาน').check();
    await click(page, 'ข้อถัดไป');
    await page.getByLabel('ปฏิเสธและรายงาน').check();
    await click(page, 'ตรวจทานก่อนส่ง');
    await click(page, 'ส่งคำตอบ');
    await page.getByRole('status').filter({ hasText: 'ได้คะแนนร้อยละ 100.00' }).waitFor();
    await clickAndLoad(page, page.getByRole('link', { name: 'กลับไปที่หลักสูตร' }).first());
    await page.getByText('ผ่านเกณฑ์แล้ว').waitFor();
    await page.getByLabel('ชื่อที่จะแสดงบนเกียรติบัตร').fill('นายสมชาย ใจดี');
    await click(page, 'ออกเกียรติบัตร');
    const text = await page.getByRole('region', { name: 'เกียรติบัตร' }).innerText();
    code = /ETH-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}/.exec(text)?.[0] ?? '';
    assert.ok(code, text);
    const width = await page.evaluate<number>('document.documentElement.scrollWidth').catch(() => 390);
    assert.ok(width <= 390, `no sideways scrolling (${width})`);
    await axe.check();
  });

  it('the certificate verifies on the public page; a wrong code is refused', async () => {
    const visitor = await openContext(browser, PHONE);
    contexts.push(visitor);
    axe.watch(visitor.context);
    const page = visitor.page;
    await page.goto(`${server.url}/verify-certificate`);
    await page.getByLabel('รหัสตรวจสอบ').fill(code.toLowerCase());
    await click(page, 'ตรวจสอบ');
    await page.getByRole('status').filter({ hasText: 'นายสมชาย ใจดี' }).waitFor();
    assert.match(await page.getByRole('status').innerText(), new RegExp(COURSE));
    await page.getByLabel('รหัสตรวจสอบ').fill('ETH-0000-0000-0000');
    await click(page, 'ตรวจสอบ', 404);
    await page.getByRole('alert').filter({ hasText: 'ไม่พบเกียรติบัตรที่มีรหัสนี้' }).waitFor();
    await axe.check();
  });

  it('the officer reads the results, and nothing was fetched from elsewhere', async () => {
    const page = await officer();
    await page.goto(`${server.url}/staff/ethics/results`);
    await page.getByRole('heading', { name: COURSE }).waitFor();
    await axe.check();
    assert.ok(axe.checked >= 10, `axe checked ${axe.checked} pages`);
    for (const c of contexts) assert.deepEqual(foreignRequests(c.requests, server.url), []);
  });
});
