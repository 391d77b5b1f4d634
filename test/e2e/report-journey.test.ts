// The whole journey in a real browser with JavaScript off, against the real server process:
// a reporter on a phone files a report with a geotagged photo, reads the tracking code and what
// happens next (in Thai, then in English without losing the code), a recipient answers and
// acknowledges it in the console, and the reporter reads the answer with the code and replies; a
// reply or a report refused comes back with the error summary linked to its field, and the
// language switch of every page (forms, errors) keeps what the page shows. axe checks every page.
// Seeding goes through the real CLI. Screenshots of the receipt and follow-up pages go to /tmp.
import { clickAndLoad, closeJourney, moveCase, pathOf, runCli, signInFirstTime } from '../support/journey.ts';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import sharp from 'sharp';
import { watchAxe } from '../support/axe.ts';
import { foreignRequests, launchBrowser, openContext, type RecordedContext } from '../support/browser.ts';
import { jpegWithGps } from '../support/images.ts';
import { CHEAP_KDF_ENV, serverFixture, startServerProcess, type ServerProcess } from '../support/server.ts';

const OFFICER = 'officer@opdc.example';
const OFFICER_PASSWORD = 'a long officer passphrase for the test';
const AGENCY_TH = 'สำนักงาน ก.พ.ร.';
const WHAT = 'เจ้าหน้าที่เรียกเงินสองพันบาทเพื่อเร่งออกใบอนุญาตก่อสร้าง';
const WHEN = 'ต้นเดือนพฤศจิกายน ช่วงบ่าย';
const WHERE = 'สำนักงานเขต ชั้น 2 ห้องรับเรื่อง';
const WHO = 'หัวหน้าฝ่ายโยธา (ชาย อายุประมาณ 50 ปี)';
const STAFF_REPLY = 'ขอบคุณที่แจ้ง กรุณาระบุวันที่ที่แน่นอนหากจำได้';
const REPORTER_REPLY = 'วันที่ 3 พฤศจิกายน ประมาณบ่ายสองโมง';
const RECEIPT_SHOT = path.join(tmpdir(), 'sujarit-e2e-receipt.png');
const FOLLOWUP_SHOT = path.join(tmpdir(), 'sujarit-e2e-followup.png');

describe('report journey in a browser without JavaScript', () => {
  let fixture: Awaited<ReturnType<typeof serverFixture>>;
  let server: ServerProcess;
  let browser: Browser;
  const contexts: RecordedContext[] = [];
  // Shared along the journey, in order.
  let reporter: RecordedContext;
  let receipt = '';
  let reference = '';
  let axe: ReturnType<typeof watchAxe>;

  const open = async (options: Parameters<typeof openContext>[1] = {}): Promise<RecordedContext> => {
    const c = await openContext(browser, options);
    contexts.push(c);
    axe?.watch(c.context);
    return c;
  };
  const cases = async () =>
    Number(
      (
        await fixture.database.db
          .selectFrom('report_case')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  before(async () => {
    fixture = await serverFixture();
    const env = {
      DATABASE_URL: fixture.database.url,
      SUJARIT_DATA: fixture.dataDir,
      SUJARIT_LOG_LEVEL: 'warn',
      ...CHEAP_KDF_ENV,
    };
    const agency = await runCli(['agency', 'add', '--code', 'OPDC', '--name-th', AGENCY_TH, '--name-en', 'OPDC'], env);
    assert.match(agency, /agency OPDC added/);
    const user = await runCli(
      ['user', 'add', '--agency', 'OPDC', '--email', OFFICER, '--role', 'intake_officer', '--password-stdin'],
      env,
      `${OFFICER_PASSWORD}\n`,
    );
    assert.match(user, /user officer@opdc\.example added to OPDC as intake_officer/);
    server = await startServerProcess({ databaseUrl: fixture.database.url, dataDir: fixture.dataDir });
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    browser = await launchBrowser();
    const checker = await openContext(browser, { javaScriptEnabled: true });
    contexts.push(checker);
    axe = watchAxe(checker.page, server.url);
  });

  after(() => closeJourney({ contexts, browser, server, fixture }));

  it('a reporter on a phone files a report with a geotagged photo and gets a receipt', async () => {
    reporter = await open();
    const { page } = reporter;
    const home = await page.goto(`${server.url}/`);
    assert.equal(home?.status(), 200);
    assert.equal(await page.locator('html').getAttribute('lang'), 'th');
    await page.getByRole('heading', { level: 1, name: 'แจ้งเบาะแสการทุจริตอย่างปลอดภัย' }).waitFor();

    const form = await clickAndLoad(page, page.getByRole('link', { name: 'แจ้งเรื่องใหม่' }));
    assert.equal(form.status(), 200);
    assert.equal(pathOf(page), '/report');
    await page.getByLabel('หน่วยงานที่เกี่ยวข้อง').selectOption({ label: AGENCY_TH });
    await page.getByRole('radio', { name: 'การเรียกรับสินบน' }).check();
    await page.getByLabel('เกิดอะไรขึ้น').fill(WHAT);
    await page.getByLabel('เมื่อไร').fill(WHEN);
    await page.getByLabel('ที่ไหน').fill(WHERE);
    await page.getByLabel('ผู้เกี่ยวข้อง').fill(WHO);
    await page
      .getByLabel('ไฟล์แนบ (ไม่บังคับ)')
      .setInputFiles({ name: 'photo.jpg', mimeType: 'image/jpeg', buffer: await jpegWithGps('E2E') });

    const sent = await clickAndLoad(page, page.getByRole('button', { name: 'ส่งเรื่อง' }));
    assert.equal(sent.status(), 200, await sent.text());
    // Post, then redirect: the receipt page is a GET that a reload shows again without filing again.
    assert.equal(sent.request().redirectedFrom()?.method(), 'POST');
    assert.equal(pathOf(page), '/receipt');
    assert.equal(sent.headers()['cache-control'], 'no-store');
    await page.getByRole('heading', { level: 1, name: 'ส่งเรื่องเรียบร้อยแล้ว' }).waitFor();

    const shown = (await page.locator('output').textContent()) ?? '';
    assert.match(shown, /^\d{4} \d{4} \d{4} \d{4}$/, `receipt as shown: ${JSON.stringify(shown)}`);
    receipt = shown.replace(/ /g, '');
    assert.equal(await cases(), 1);
    const reloaded = await page.reload();
    assert.equal(reloaded?.status(), 200);
    assert.equal(reloaded?.request().method(), 'GET');
    assert.equal((await page.locator('output').textContent()) ?? '', shown, 'a reload shows the same receipt');
    await page.goBack();
    await page.goForward();
    assert.equal((await page.locator('output').textContent()) ?? '', shown, 'back and forward show it again');
    assert.equal(await cases(), 1, 'a reload, back or forward never files again');
    reference = ((await page.locator('dl.meta dd').first().textContent()) ?? '').trim();
    assert.ok(reference.length > 0, 'the receipt page shows the case reference');

    const removed = page.getByRole('region', { name: 'ข้อมูลแฝงที่ลบออกจากไฟล์แนบ' });
    const removedText = (await removed.textContent()) ?? '';
    assert.match(removedText, /photo\.jpg/);
    assert.match(removedText, /พิกัดตำแหน่ง GPS/);
    assert.match(removedText, /ยี่ห้อ รุ่น และหมายเลขกล้อง/);

    // The layout must fit a phone: nothing wider than the screen.
    const { width } = page.viewportSize()!;
    for (const selector of ['main', '.receipt', 'output', 'header.top']) {
      const box = await page.locator(selector).first().boundingBox();
      assert.ok(
        box && box.x >= 0 && box.x + box.width <= width + 0.5,
        `${selector} fits in ${width}px: ${JSON.stringify(box)}`,
      );
    }
    await page.screenshot({ path: RECEIPT_SHOT, fullPage: true });
    await axe.check();
  });

  it('the receipt page says what happens next, by when, and switches language without losing the code', async () => {
    assert.ok(receipt, 'the report step ran');
    const { page } = reporter;
    const code = receipt.replace(/(\d{4})(?=\d)/g, '$1 ');
    const next = page.getByRole('region', { name: 'ขั้นตอนต่อไป' });
    const steps = (await next.locator('li').allTextContents()).map((s) => s.trim());
    assert.equal(steps.length, 3, steps.join(' | '));
    assert.match(steps[0], /^หน่วยงานจะตอบรับเรื่องของคุณภายใน \d{1,2} \S+ 25\d\d$/, 'acknowledged by a Buddhist Era day');
    assert.match(steps[1], /^เจ้าหน้าที่จะตอบคุณครั้งแรกภายใน \d{1,2} \S+ 25\d\d$/);
    assert.match(steps[2], /^หน่วยงานจะแจ้งผลการดำเนินการภายใน \d{1,2} \S+ 25\d\d$/);
    assert.equal(((await page.locator('.receipt .label').textContent()) ?? '').trim(), 'รหัสติดตามเรื่อง 16 หลัก');

    const english = await clickAndLoad(page, page.getByRole('link', { name: 'English' }));
    assert.equal(english.status(), 200, await english.text());
    assert.equal(english.request().method(), 'GET');
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
    await page.getByRole('heading', { level: 1, name: 'Your report has been filed' }).waitFor();
    assert.equal((await page.locator('output').textContent()) ?? '', code, 'the same code, in English');
    assert.equal(((await page.locator('.receipt .label').textContent()) ?? '').trim(), '16-digit tracking code');
    const en = (await page.getByRole('region', { name: 'What happens next' }).locator('li').allTextContents()).map(
      (s) => s.trim(),
    );
    assert.match(en[0], /^The agency acknowledges your case by \d{1,2} \w+ 25\d\d/, en.join(' | '));
    await clickAndLoad(page, page.getByRole('link', { name: 'ไทย' }));
    assert.equal((await page.locator('output').textContent()) ?? '', code);
    assert.equal(await cases(), 1, 'switching language files nothing');
    await axe.check();
  });

  it('a report refused comes back with its error summary linked to the field, and in English with what was typed', async () => {
    const visitor = await open();
    const { page } = visitor;
    await page.goto(`${server.url}/report`);
    await page.getByLabel('หน่วยงานที่เกี่ยวข้อง').selectOption({ label: AGENCY_TH });
    await page.getByRole('radio', { name: 'การเรียกรับสินบน' }).check();
    await page.getByLabel('เมื่อไร').fill(WHEN);
    await page.getByLabel('ที่ไหน').fill(WHERE);
    const refused = await clickAndLoad(page, page.getByRole('button', { name: 'ส่งเรื่อง' }));
    assert.equal(refused.status(), 400);
    const summary = page.getByRole('alert');
    const link = summary.getByRole('link', { name: 'เกิดอะไรขึ้น: กรุณากรอกช่องนี้' });
    assert.equal(await link.getAttribute('href'), '#what');
    await link.click();
    assert.equal(new URL(page.url()).hash, '#what', 'the link goes to the field');
    const what = page.locator('#what');
    assert.equal(await what.getAttribute('aria-invalid'), 'true');
    assert.match((await what.getAttribute('aria-describedby')) ?? '', /\bwhat-error\b/);
    assert.equal(((await page.locator('#what-error').textContent()) ?? '').trim(), 'กรุณากรอกช่องนี้');

    const english = await clickAndLoad(page, page.getByRole('button', { name: 'English' }));
    assert.equal(
      english.request().redirectedFrom()?.method(),
      'POST',
      'the switch posts the form: what was typed comes back, on the form page (refused-form-journey.test.ts)',
    );
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
    await page.getByRole('heading', { level: 1, name: 'File a report' }).waitFor();
    assert.equal(await page.getByLabel('When').inputValue(), WHEN);
    assert.equal(await page.getByLabel('Where').inputValue(), WHERE);
    await page.getByRole('alert').getByRole('link', { name: 'What happened: Please fill in this field.' }).waitFor();
    assert.equal(await cases(), 1, 'nothing was filed');
    await axe.check();
    await visitor.context.close();
  });

  it('error pages, and the code form after a wrong code, offer the other language', async () => {
    const visitor = await open();
    const { page } = visitor;
    const missing = await page.goto(`${server.url}/no-such-page`);
    assert.equal(missing?.status(), 404);
    const en = await clickAndLoad(page, page.getByRole('link', { name: 'English' }));
    assert.equal(en.status(), 404);
    await page.getByRole('alert').getByText('The page or case was not found.').waitFor();
    assert.equal(new URL(page.url()).pathname, '/no-such-page');

    await page.goto(`${server.url}/followup?lang=th`);
    await page.getByLabel('รหัสติดตามเรื่อง 16 หลัก').fill('1111 2222 3333 4444');
    const wrong = await clickAndLoad(page, page.getByRole('button', { name: 'เข้าสู่เรื่องของฉัน' }));
    assert.equal(wrong.status(), 401);
    const field = page.getByRole('alert').getByRole('link', { name: /รหัสติดตามเรื่อง 16 หลัก: ไม่พบเรื่อง/ });
    assert.equal(await field.getAttribute('href'), '#receipt');
    const switched = await clickAndLoad(page, page.getByRole('link', { name: 'English' }));
    assert.equal(switched.request().method(), 'GET', 'no code is posted again');
    assert.equal(pathOf(page), '/followup?lang=en');
    await page.getByLabel('16-digit tracking code').waitFor();
    await axe.check();
    await visitor.context.close();
  });

  it('a recipient signs in, opens the case, downloads the cleaned photo, replies and acknowledges it', async () => {
    assert.ok(reference, 'the report step ran');
    const staff = await open({
      viewport: { width: 1280, height: 900 },
      isMobile: false,
      hasTouch: false,
      deviceScaleFactor: 1,
    });
    const { page } = staff;
    // First login: the second factor is enrolled as with an authenticator app, then the inbox.
    await signInFirstTime(page, server.url, OFFICER, OFFICER_PASSWORD);
    await page.getByText('ทั้งหมด 1 เรื่อง').waitFor();
    // On a phone's width the inbox's rows stack: status and deadline in view, nothing to scroll sideways.
    await page.setViewportSize({ width: 390, height: 844 });
    const right = async (sel: string) => {
      const box = await page.locator(sel).first().boundingBox();
      return box ? box.x + box.width : Number.POSITIVE_INFINITY;
    };
    const wrap = await page.locator('.table-wrap').evaluate((el) => el.scrollWidth - el.clientWidth);
    const inbox = {
      page: Number(await page.evaluate('document.documentElement.scrollWidth')),
      table: wrap,
      status: await right('tbody .status'),
      due: await right('tbody td[data-label]:nth-last-child(3)'),
    };
    assert.ok(inbox.page <= 390 && inbox.table <= 0, JSON.stringify(inbox));
    assert.ok(inbox.status <= 390 && inbox.due <= 390, JSON.stringify(inbox));
    await page.screenshot({ path: path.join(tmpdir(), 'sujarit-e2e-inbox-phone.png'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });

    const opened = await clickAndLoad(page, page.getByRole('link', { name: reference, exact: true }));
    assert.equal(opened.status(), 200);
    assert.equal(pathOf(page), `/staff/cases/${encodeURIComponent(reference)}`);
    await page.getByRole('heading', { level: 1, name: reference }).waitFor();
    const main = (await page.locator('main').textContent()) ?? '';
    for (const text of [WHAT, WHEN, WHERE, WHO, AGENCY_TH, 'การเรียกรับสินบน', 'เรื่องใหม่'])
      assert.ok(main.includes(text), `the case page shows ${text}`);

    // The attachment link downloads the photo, with its GPS and camera data gone.
    const link = page.getByRole('link', { name: /ดาวน์โหลด\s+photo\.jpg/ });
    assert.match((await link.getAttribute('href')) ?? '', /^\/staff\/cases\/[^/]+\/attachments\/[0-9a-f-]{36}$/);
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    assert.equal(download.suggestedFilename(), 'photo.jpg');
    const photo = await readFile(await download.path());
    const meta = await sharp(photo).metadata();
    assert.equal(meta.format, 'jpeg');
    assert.equal(meta.width, 64);
    assert.equal(meta.exif, undefined, 'no EXIF left in the downloaded photo');
    assert.ok(!photo.includes('SujaritTestCam'), 'no camera make left in the downloaded photo');

    await page.getByRole('textbox', { name: 'ข้อความถึงผู้แจ้ง' }).fill(STAFF_REPLY);
    const replied = await clickAndLoad(page, page.getByRole('button', { name: 'ส่งข้อความ' }));
    assert.equal(replied.status(), 200, await replied.text());
    assert.equal(pathOf(page), `/staff/cases/${encodeURIComponent(reference)}?sent=message`);
    const message = page.locator('li.message', { hasText: STAFF_REPLY });
    assert.equal(((await message.locator('.by strong').textContent()) ?? '').trim(), 'เจ้าหน้าที่รับเรื่อง');

    await moveCase(page, 'รับเรื่องแล้ว', 'รับเรื่องไว้ตรวจสอบ');
    await staff.context.close();
  });

  it('the reporter follows up with the receipt, sees the answer from a role, not a person, and replies', async () => {
    assert.ok(receipt, 'the report step ran');
    const { page } = reporter;
    const login = await clickAndLoad(page, page.getByRole('link', { name: 'ไปยังหน้าติดตามเรื่อง' }));
    assert.equal(login.status(), 200);
    assert.equal(pathOf(page), '/followup');
    // Typed as it was written down, in groups of four.
    await page.getByLabel('รหัสติดตามเรื่อง 16 หลัก').fill(receipt.replace(/(\d{4})(?=\d)/g, '$1 '));
    const opened = await clickAndLoad(page, page.getByRole('button', { name: 'เข้าสู่เรื่องของฉัน' }));
    assert.equal(opened.status(), 200, await opened.text());
    assert.equal(pathOf(page), '/followup/case');

    assert.equal(((await page.locator('dl.meta .status').textContent()) ?? '').trim(), 'รับเรื่องแล้ว');
    // Acknowledged and answered: only the feedback date is still ahead.
    const next = (await page.getByRole('region', { name: 'ขั้นตอนต่อไป' }).locator('li').allTextContents()).map((t) =>
      t.trim(),
    );
    assert.equal(next.length, 1, next.join(' | '));
    assert.match(next[0], /^หน่วยงานจะแจ้งผลการดำเนินการภายใน \d{1,2} \S+ 25\d\d$/);
    const answer = page.locator('li.message', { hasText: STAFF_REPLY });
    assert.equal(((await answer.locator('.by strong').textContent()) ?? '').trim(), 'เจ้าหน้าที่รับเรื่อง');
    const html = await page.content();
    assert.ok(!html.includes(OFFICER), 'the officer’s email is never shown to the reporter');
    assert.ok(html.includes(WHAT));
    await page.getByRole('link', { name: /ดาวน์โหลด\s+photo\.jpg/ }).waitFor();

    // Sent empty: the page comes back with the summary linked to the field, then in English.
    const empty = await clickAndLoad(page, page.getByRole('button', { name: 'ส่งข้อความ' }));
    assert.equal(empty.status(), 400);
    const toField = page.getByRole('alert').getByRole('link', { name: 'ข้อความของคุณ: กรุณากรอกช่องนี้' });
    assert.equal(await toField.getAttribute('href'), '#message');
    const box = page.locator('#message');
    assert.equal(await box.getAttribute('aria-invalid'), 'true');
    assert.equal(await box.getAttribute('aria-describedby'), 'message-error');
    assert.equal(((await page.locator('#message-error').textContent()) ?? '').trim(), 'กรุณากรอกช่องนี้');
    await clickAndLoad(page, page.getByRole('button', { name: 'English' }));
    await page.getByRole('alert').getByRole('link', { name: 'Your message: Please fill in this field.' }).waitFor();
    await page.getByRole('heading', { level: 1, name: 'Your case' }).waitFor();
    await clickAndLoad(page, page.getByRole('button', { name: 'ไทย' }));
    assert.equal(await page.locator('html').getAttribute('lang'), 'th');

    await page.getByRole('textbox', { name: 'ข้อความของคุณ' }).fill(REPORTER_REPLY);
    const replied = await clickAndLoad(page, page.getByRole('button', { name: 'ส่งข้อความ' }));
    assert.equal(replied.status(), 200, await replied.text());
    assert.equal(pathOf(page), '/followup/case?sent=1');
    await page.getByRole('status').filter({ hasText: 'ส่งข้อความแล้ว' }).waitFor();
    const mine = page.locator('li.message', { hasText: REPORTER_REPLY });
    assert.equal(((await mine.locator('.by strong').textContent()) ?? '').trim(), 'คุณ');
    assert.equal(await page.locator('li.message').count(), 2);

    const { width } = page.viewportSize()!;
    for (const selector of ['main', 'dl.meta', 'ol.messages', 'textarea#message']) {
      const box = await page.locator(selector).first().boundingBox();
      assert.ok(
        box && box.x >= 0 && box.x + box.width <= width + 0.5,
        `${selector} fits in ${width}px: ${JSON.stringify(box)}`,
      );
    }
    await page.screenshot({ path: FOLLOWUP_SHOT, fullPage: true });
    await axe.check();
    await reporter.context.close();
  });

  it('the language switch shows the pages in English and keeps the choice', async () => {
    const visitor = await open();
    const { page } = visitor;
    await page.goto(`${server.url}/`);
    const switched = await clickAndLoad(page, page.getByRole('link', { name: 'English' }));
    assert.equal(switched.status(), 200);
    assert.equal(pathOf(page), '/?lang=en');
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
    await page.getByRole('heading', { level: 1, name: 'Report corruption safely' }).waitFor();
    await clickAndLoad(page, page.getByRole('link', { name: 'File a new report' }));
    await page.getByRole('heading', { level: 1, name: 'File a report' }).waitFor();
    assert.equal(await page.getByLabel('Agency concerned').locator('option', { hasText: 'OPDC' }).count(), 1);
    await page.getByRole('link', { name: 'ไทย' }).waitFor();
    await visitor.context.close();
  });

  it('the pages load nothing from anywhere but the server', () => {
    const all = contexts.flatMap((c) => c.requests);
    assert.ok(
      all.some((u) => u.endsWith('/static/app.css')),
      'the style sheet was loaded',
    );
    assert.deepEqual(foreignRequests(all, server.url), []);
  });

  it('left in the database what the pages showed, with the content sealed', async () => {
    const db = fixture.database.db;
    const cases = await db
      .selectFrom('report_case')
      .select(['id', 'reference', 'status', 'content', 'has_identity'])
      .execute();
    assert.equal(cases.length, 1);
    assert.equal(cases[0].status, 'acknowledged');
    assert.equal(cases[0].reference, reference);
    assert.equal(cases[0].has_identity, false);
    assert.ok(!Buffer.from(cases[0].content).includes(Buffer.from(WHAT.slice(0, 10))), 'the content is stored sealed');
    const messages = await db
      .selectFrom('case_message')
      .select(['author_kind', 'author_role'])
      .where('case_id', '=', cases[0].id)
      .orderBy('number')
      .execute();
    assert.deepEqual(messages, [
      { author_kind: 'staff', author_role: 'intake_officer' },
      { author_kind: 'reporter', author_role: null },
    ]);
    const attachments = await db.selectFrom('attachment').select(['uploaded_by', 'message_id']).execute();
    assert.deepEqual(attachments, [{ uploaded_by: 'reporter', message_id: null }]);
    const audit = await db.selectFrom('audit_event').select(['action', 'case_id']).orderBy('id').execute();
    const actions = audit.map((a) => a.action);
    assert.ok(actions.includes('case_opened'), `audit actions: ${actions.join(', ')}`);
    for (const action of ['attachment_downloaded', 'message_posted', 'status_changed'])
      assert.ok(actions.includes(action), `audit has ${action}: ${actions.join(', ')}`);
    assert.ok(audit.filter((a) => a.action === 'case_opened').every((a) => a.case_id === cases[0].id));
  });
});
