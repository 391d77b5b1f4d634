// The ethics question service end to end in a real browser against the real server process:
// - the agency's ethics officer loads the sample knowledge base (desktop);
// - a staff member on a 390 px phone with JavaScript off asks an in-scope question and reads the
//   quoted passage with its source; asks an out-of-scope one, is told "I don't know", sends it on
//   anonymously and gets a code;
// - the officer answers it in the inbox;
// - the asker reads the answer with the code, still on the phone without JavaScript.
// Agencies and staff come from the CLI. axe (WCAG 2.2 A/AA) checks every page loaded; nothing is
// requested from any other origin.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { watchAxe } from '../support/axe.ts';
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
import { smallTapTargets } from '../support/tap-targets.ts';

const PASSWORD = 'a long staff passphrase for the ethics journey';
const STAFF = {
  officer: { email: 'ethics@town.example', role: 'ethics_officer', name: 'สมศรี ส่งเสริมจริยธรรม', agency: 'TOWN' },
  asker: { email: 'clerk@town.example', role: 'intake_officer', name: 'สมชาย รับเรื่อง', agency: 'TOWN' },
} as const;
const OUT_OF_SCOPE = 'ขอใช้ห้องประชุมใหญ่จัดงานเลี้ยงวันเกิดได้ไหม';
const ANSWER = 'ไม่ได้ ห้องประชุมใช้เพื่องานราชการเท่านั้น';
const menu = (page: Page) => page.getByRole('navigation', { name: 'เมนูเจ้าหน้าที่' });

describe('an ethics question from the phone to the officer and back, without JavaScript', () => {
  let fixture: Awaited<ReturnType<typeof serverFixture>>;
  let server: ServerProcess;
  let browser: Browser;
  let axe: ReturnType<typeof watchAxe>;
  let phone: Page;
  let code = '';
  const contexts: RecordedContext[] = [];
  const signIn = staffPages(
    { browser: () => browser, baseUrl: () => server.url, contexts },
    { officer: STAFF.officer },
    PASSWORD,
  );

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
    const onPhone = await openContext(browser, PHONE);
    onPhone.context.setDefaultTimeout(10_000);
    contexts.push(onPhone);
    axe.watch(onPhone.context);
    phone = onPhone.page;
    await signInFirstTime(phone, server.url, STAFF.asker.email, PASSWORD, '/staff/cases');
  });

  after(async () => {
    for (const c of contexts) assert.deepEqual(foreignRequests(c.requests, server.url), []);
    await closeJourney({ contexts, browser, server, fixture });
  });

  it('the ethics officer loads the sample knowledge base', async () => {
    const page = await signIn('officer');
    axe.watch(page.context());
    assert.equal(pathOf(page), '/staff/ethics', 'an ethics officer lands on the ethics courses');
    await clickAndLoad(page, menu(page).getByRole('link', { name: 'คลังความรู้จริยธรรม', exact: true }));
    assert.equal(pathOf(page), '/staff/ethics/knowledge', 'the knowledge base is in the menu');
    assert.deepEqual(await smallTapTargets(page), [], 'every field can be tapped, the source link too');
    await clickAndLoad(page, page.getByRole('button', { name: 'นำเข้าคลังความรู้ตัวอย่าง' }));
    await page.getByRole('status').filter({ hasText: 'นำเข้าคลังความรู้ตัวอย่างแล้ว' }).waitFor();
    await page.getByRole('link', { name: 'พระราชบัญญัติมาตรฐานทางจริยธรรม พ.ศ. 2562' }).waitFor();
    await clickAndLoad(page, page.getByRole('link', { name: 'พระราชบัญญัติมาตรฐานทางจริยธรรม พ.ศ. 2562' }));
    await page.getByText('มาตรา 2 พระราชบัญญัตินี้ให้ใช้บังคับตั้งแต่วันถัดจากวันประกาศ', { exact: false }).waitFor();
    await axe.check();
  });

  it('a colleague on a phone asks an in-scope question and reads the quoted passage with its source', async () => {
    await clickAndLoad(phone, menu(phone).getByRole('link', { name: 'ถามเรื่องจริยธรรม' }));
    await phone.getByLabel('คำถาม', { exact: true }).fill('รับของขวัญจากผู้รับเหมาเกิน 3,000 บาทต้องแจ้งใคร');
    const res = await clickAndLoad(phone, phone.getByRole('button', { name: 'ถาม', exact: true }));
    assert.equal(res.status(), 200);
    assert.match(pathOf(phone), /^\/staff\/ethics\/ask\?q=/);
    const quote = phone.locator('figure.quote').first();
    assert.match((await quote.locator('blockquote').textContent()) ?? '', /ไม่ใช่ญาติ.*3,000 บาท/s);
    assert.match((await quote.locator('figcaption').textContent()) ?? '', /แหล่งที่มา: /);
    const sources = await phone.locator('figure.quote figcaption').allTextContents();
    assert.ok(
      sources.some((c) => c.includes('แหล่งที่มา: พระราชบัญญัติประกอบรัฐธรรมนูญว่าด้วยการป้องกันและปราบปรามการทุจริต')),
      sources.join('\n'),
    );
    assert.ok(await quote.locator('a.source-link').getAttribute('href'));
    const width = Number(await phone.evaluate('document.documentElement.scrollWidth'));
    assert.ok(width <= 390, `no sideways scrolling on a phone (${width}px)`);
    await axe.check();
  });

  it('asks an out-of-scope question, is told "I don’t know", and sends it anonymously for a code', async () => {
    await phone.getByLabel('คำถาม', { exact: true }).fill(OUT_OF_SCOPE);
    await clickAndLoad(phone, phone.getByRole('button', { name: 'ถาม', exact: true }));
    await phone.getByRole('heading', { name: 'ไม่ทราบ' }).waitFor();
    assert.equal(await phone.locator('figure.quote').count(), 0, 'nothing quoted when nothing fits');
    await phone.getByLabel('ส่งโดยไม่เปิดเผยตัวตน').check();
    await clickAndLoad(phone, phone.getByRole('button', { name: 'ส่งคำถามถึงเจ้าหน้าที่ส่งเสริมจริยธรรม' }));
    await phone.getByRole('heading', { name: 'ส่งคำถามแล้ว' }).waitFor();
    code = ((await phone.locator('#code').textContent()) ?? '').trim();
    assert.match(code, /^\d{4} \d{4} \d{4} \d{4}$/);
    await axe.check();
  });

  it('the ethics officer answers it in the inbox', async () => {
    const page = await signIn('officer');
    await clickAndLoad(page, page.getByRole('link', { name: 'คำถามจริยธรรมที่ส่งถึง' }));
    const card = page.locator('article.card').filter({ hasText: OUT_OF_SCOPE });
    assert.match((await card.locator('h2').textContent()) ?? '', /ไม่เปิดเผยตัวตน/);
    await card.getByLabel('คำตอบของคุณ').fill(ANSWER);
    await clickAndLoad(page, card.getByRole('button', { name: 'ส่งคำตอบ' }));
    await page.getByRole('status').filter({ hasText: 'ส่งคำตอบแล้ว' }).waitFor();
    await axe.check();
  });

  it('the asker reads the answer with the code on the phone', async () => {
    await clickAndLoad(phone, menu(phone).getByRole('link', { name: 'ถามเรื่องจริยธรรม' }));
    await clickAndLoad(phone, phone.getByRole('link', { name: /อ่านคำตอบด้วยรหัส/ }));
    await phone.getByLabel('รหัส 16 หลัก').fill('1234 5678 9012 3456');
    const wrong = await clickAndLoad(phone, phone.getByRole('button', { name: 'อ่านคำตอบ' }));
    assert.equal(wrong.status(), 400);
    await phone.locator('#error-summary').waitFor();
    await phone.getByLabel('รหัส 16 หลัก').fill(code);
    await clickAndLoad(phone, phone.getByRole('button', { name: 'อ่านคำตอบ' }));
    assert.equal(((await phone.locator('#answer').textContent()) ?? '').trim(), ANSWER);
    await axe.check();
  });
});
