// A staff member links their account to LINE and takes the lesson of the day there, against the
// real server process (its LINE worker, the official SDK client and the LINE stand-in):
// - on a 390 px phone with JavaScript off, they sign in, open "LINE" from the menu and get a code;
// - the test sends "เชื่อมบัญชี <code>" through the signed webhook, as LINE would: linked;
// - "บทเรียนวันนี้" brings back the lesson and a practice question in the stand-in;
// - the course page on the phone shows the lesson read on LINE; unlinking on the page works.
// axe (WCAG 2.2 A/AA) checks every page loaded; nothing is fetched from elsewhere.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { addLesson, addBank, addItem, publishCourse, saveCourse, setBlueprintRow } from '../../src/ethics/courses.ts';
import type { StaffActor } from '../../src/staff/session.ts';
import { watchAxe } from '../support/axe.ts';
import { foreignRequests, launchBrowser, openContext, PHONE, type RecordedContext } from '../support/browser.ts';
import {
  addAgencyByCli,
  addStaffByCli,
  clickAndLoad,
  closeJourney,
  pathOf,
  signInFirstTime,
} from '../support/journey.ts';
import {
  lineUserId,
  signBody,
  startLineApi,
  textEvent,
  webhookBody,
  type Delivery,
  type LineApi,
  type WebhookEvent,
} from '../support/line-api.ts';
import { cliEnvOf, serverFixture, startServerProcess, type ServerProcess } from '../support/server.ts';

const PASSWORD = 'a long staff passphrase for the LINE journey';
const SECRET = '0123456789abcdef0123456789abcdef';
const STAFF = {
  officer: { email: 'ethics@town.example', role: 'ethics_officer', name: 'สมศรี ส่งเสริมจริยธรรม', agency: 'TOWN' },
  learner: { email: 'clerk@town.example', role: 'intake_officer', name: 'สมชาย ใจดี', agency: 'TOWN' },
} as const;
const textsOf = (d: Delivery) => d.messages.map((m) => String(m.text ?? ''));

describe('a staff member links LINE on a phone and takes the lesson of the day there', () => {
  let fixture: Awaited<ReturnType<typeof serverFixture>>;
  let server: ServerProcess;
  let browser: Browser;
  let line: LineApi;
  let axe: ReturnType<typeof watchAxe>;
  let phone: RecordedContext;
  let courseId = 0;
  const contexts: RecordedContext[] = [];
  const lineUser = lineUserId();

  /** Sends one event as LINE does and waits for its reply in the stand-in. */
  const sendOnLine = async (event: WebhookEvent): Promise<string[]> => {
    const body = webhookBody([event]);
    const res = await fetch(`${server.url}/channels/line/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-line-signature': signBody(body, SECRET) },
      body,
    });
    assert.equal(res.status, 200, await res.text());
    const all = await line.waitFor((ds) => ds.some((d) => d.replyToken === event.replyToken), 30_000);
    return textsOf(all.find((d) => d.replyToken === event.replyToken) as Delivery);
  };

  before(async () => {
    fixture = await serverFixture();
    const env = cliEnvOf(fixture);
    await addAgencyByCli(env, 'TOWN', 'เทศบาลเมืองตัวอย่าง', 'Example Town');
    await addStaffByCli(env, Object.values(STAFF), PASSWORD);
    // The course is written in the domain (the ethics journey writes one in the browser).
    const db = fixture.database.db;
    const row = await db
      .selectFrom('staff_user')
      .select(['id', 'agency_id', 'public_key'])
      .where('email', '=', STAFF.officer.email)
      .executeTakeFirstOrThrow();
    const officer = {
      id: row.id,
      agencyId: row.agency_id,
      email: STAFF.officer.email,
      displayName: STAFF.officer.name,
      roles: ['ethics_officer'],
      isEnrolled: true,
      keys: { publicKey: row.public_key, privateKey: Buffer.alloc(0) },
    } as StaffActor;
    courseId = await saveCourse(db, officer, {
      titleTh: 'การป้องกันผลประโยชน์ทับซ้อน',
      titleEn: 'Preventing conflicts of interest',
      passMark: '60',
      attemptsAllowed: '0',
      delayMinutes: '0',
      grading: 'highest',
    });
    await addLesson(db, officer, courseId, {
      titleTh: 'ของขวัญและประโยชน์อื่นใด',
      titleEn: 'Gifts and other benefits',
      bodyTh: 'เจ้าหน้าที่ของรัฐ**ไม่ควร**รับของขวัญที่อาจทำให้เกิดผลประโยชน์ทับซ้อน',
      bodyEn: 'Officials should not accept gifts that may create a conflict of interest.',
    });
    const bank = await addBank(db, officer, { bankName: 'คลังข้อสอบ' });
    for (let i = 1; i <= 3; i++)
      await addItem(db, officer, bank, {
        kind: 'truefalse',
        stemTh: `ข้อ ${i}: รับกระเช้าจากผู้รับเหมาได้`,
        stemEn: `Item ${i}: a contractor's gift basket may be kept`,
        correct: '2',
      });
    await setBlueprintRow(db, officer, courseId, { bank: String(bank), category: '', count: '1' });
    await publishCourse(db, officer, courseId, () => 0);
    line = await startLineApi({ accessToken: 'journey-line-token' });
    server = await startServerProcess({
      databaseUrl: fixture.database.url,
      dataDir: fixture.dataDir,
      env: { LINE_CHANNEL_SECRET: SECRET, LINE_CHANNEL_ACCESS_TOKEN: 'journey-line-token', LINE_API_BASE: line.url },
    });
    browser = await launchBrowser();
    const checker = await openContext(browser, { javaScriptEnabled: true });
    contexts.push(checker);
    axe = watchAxe(checker.page, server.url);
    phone = await openContext(browser, PHONE);
    phone.context.setDefaultTimeout(10_000);
    contexts.push(phone);
    axe.watch(phone.context);
  });

  after(async () => {
    await closeJourney({ contexts, browser, server, fixture });
    await line?.close();
  });

  it('gets a link code on the account page, from the menu', async () => {
    const page = phone.page;
    await signInFirstTime(page, server.url, STAFF.learner.email, PASSWORD, '/staff/cases');
    await clickAndLoad(page, page.getByRole('link', { name: 'LINE', exact: true }).first());
    assert.equal(pathOf(page), '/staff/account/line');
    assert.ok(await page.getByText('บัญชีนี้ยังไม่ได้เชื่อมกับ LINE').isVisible());
    const res = await clickAndLoad(page, page.getByRole('button', { name: 'ขอรหัสเชื่อมบัญชี' }));
    assert.equal(res.status(), 200);
    const code = (await page.locator('#link-code').textContent()) ?? '';
    assert.match(code, /^\d{10}$/);
    await axe.check();

    assert.match((await sendOnLine(textEvent(lineUser, `เชื่อมบัญชี ${code}`)))[0], /เชื่อมบัญชีเจ้าหน้าที่กับ LINE นี้แล้ว/);
    await page.goto(`${server.url}/staff/account/line`);
    assert.ok(await page.getByText(/บัญชีนี้เชื่อมกับ LINE แล้ว/).isVisible());
  });

  it('the lesson of the day comes back on LINE, and the course page shows it read', async () => {
    const texts = await sendOnLine(textEvent(lineUser, 'บทเรียนวันนี้'));
    assert.match(texts[0], /ของขวัญและประโยชน์อื่นใด/);
    assert.match(texts[0], /ไม่ควรรับของขวัญ/);
    assert.match(texts[1], new RegExp(`/staff/ethics/learn/${courseId}/lessons/1`));
    assert.match(texts[2], /คำถามฝึกหัด/);
    const page = phone.page;
    await page.goto(`${server.url}/staff/ethics/learn/${courseId}`);
    assert.ok(await page.getByText('(อ่านแล้วทาง LINE)').isVisible());
    const width = await page.evaluate<number>('document.documentElement.scrollWidth');
    assert.ok(width <= 390, `no sideways scrolling at 390 px (${width})`);
    await axe.check();
  });

  it('unlinks on the account page', async () => {
    const page = phone.page;
    await page.goto(`${server.url}/staff/account/line`);
    await clickAndLoad(page, page.getByRole('button', { name: 'ยกเลิกการเชื่อมบัญชี' }));
    assert.equal(pathOf(page), '/staff/account/line?done=unlinked');
    assert.ok(await page.getByText('บัญชีนี้ยังไม่ได้เชื่อมกับ LINE').isVisible());
    await axe.check();
    assert.deepEqual(foreignRequests(phone.requests, server.url), []);
  });
});
