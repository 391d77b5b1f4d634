// A refused filing, as a reporter on a phone with JavaScript off lives it (issue 13, B.1): the form
// comes back on its own page (a GET after the post), so reloading it, switching its language,
// fixing and filing it, then pressing back, never shows Chromium's "Confirm form resubmission" and
// never files twice. Before the change the refused form was the post's own answer: back from the
// receipt ended on net::ERR_CACHE_MISS. The same for a reply refused on the follow-up page. Each
// page is checked with axe.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { watchAxe } from '../support/axe.ts';
import { rowCount } from '../support/db.ts';
import { launchBrowser, openContext, type RecordedContext } from '../support/browser.ts';
import { clickAndLoad, closeJourney, pathOf, runCli } from '../support/journey.ts';
import { CHEAP_KDF_ENV, serverFixture, startServerProcess, type ServerProcess } from '../support/server.ts';

const AGENCY_TH = 'สำนักงาน ก.พ.ร.';
const WHAT = 'เจ้าหน้าที่เรียกเงินห้าร้อยบาทเพื่อรับคำร้องก่อนคิว';
const WHEN = 'เช้าวันอังคาร';
const WHERE = 'ห้องรับเรื่อง ชั้น 1';

describe('a refused filing in a browser without JavaScript', () => {
  let fixture: Awaited<ReturnType<typeof serverFixture>>;
  let server: ServerProcess;
  let browser: Browser;
  const contexts: RecordedContext[] = [];
  let axe: ReturnType<typeof watchAxe>;
  let reporter: RecordedContext;
  let receipt = '';
  const count = (table: 'report_case' | 'form_return' | 'case_message') => rowCount(fixture.database.db, table);

  before(async () => {
    fixture = await serverFixture();
    const env = { DATABASE_URL: fixture.database.url, SUJARIT_DATA: fixture.dataDir, ...CHEAP_KDF_ENV };
    await runCli(['agency', 'add', '--code', 'OPDC', '--name-th', AGENCY_TH, '--name-en', 'OPDC'], env);
    // An agency takes reports once someone there can read them.
    const officer = ['--email', 'officer@opdc.example', '--role', 'intake_officer', '--password-stdin'];
    await runCli(['user', 'add', '--agency', 'OPDC', ...officer], env, 'a long officer passphrase for the test\n');
    server = await startServerProcess({ databaseUrl: fixture.database.url, dataDir: fixture.dataDir });
    browser = await launchBrowser();
    const checker = await openContext(browser, { javaScriptEnabled: true });
    contexts.push(checker);
    axe = watchAxe(checker.page, server.url);
  });
  after(() => closeJourney({ contexts, browser, server, fixture }));

  it('reloads the refused form, switches its language, files it once, and goes back to a fresh form', async () => {
    reporter = await openContext(browser, { javaScriptEnabled: false });
    contexts.push(reporter);
    axe.watch(reporter.context);
    const { page } = reporter;
    await page.goto(`${server.url}/report`);
    await page.getByLabel('หน่วยงานที่เกี่ยวข้อง').selectOption({ label: AGENCY_TH });
    await page.getByRole('radio', { name: 'การเรียกรับสินบน' }).check();
    await page.getByLabel('เมื่อไร').fill(WHEN);
    await page.getByLabel('ที่ไหน').fill(WHERE);

    const refused = await clickAndLoad(page, page.getByRole('button', { name: 'ส่งเรื่อง' }));
    assert.equal(refused.status(), 400);
    assert.equal(refused.request().method(), 'GET', 'the form comes back on a page of its own');
    assert.equal(refused.request().redirectedFrom()?.method(), 'POST');
    assert.equal(pathOf(page), '/report');
    await page.getByRole('alert').getByRole('link', { name: 'เกิดอะไรขึ้น: กรุณากรอกช่องนี้' }).waitFor();

    const reloaded = await page.reload();
    assert.equal(reloaded?.status(), 400);
    assert.equal(reloaded?.request().method(), 'GET', 'a reload sends nothing again');
    assert.equal(await page.getByLabel('เมื่อไร').inputValue(), WHEN, 'a reload keeps what was typed');
    assert.equal(await page.getByLabel('ที่ไหน').inputValue(), WHERE);

    const english = await clickAndLoad(page, page.getByRole('button', { name: 'English' }));
    assert.equal(english.request().redirectedFrom()?.method(), 'POST', 'the switch posts what was typed');
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
    assert.equal(await page.getByLabel('When').inputValue(), WHEN);
    await page.getByRole('alert').getByRole('link', { name: 'What happened: Please fill in this field.' }).waitFor();
    assert.equal(await count('report_case'), 0, 'nothing filed yet');

    await page.getByLabel('What happened').fill(WHAT);
    const filed = await clickAndLoad(page, page.getByRole('button', { name: 'Send report' }));
    assert.equal(filed.status(), 200, await filed.text());
    assert.equal(pathOf(page), '/receipt');
    receipt = (await page.locator('output').textContent()) ?? '';
    assert.match(receipt, /^\d{4} \d{4} \d{4} \d{4}$/);
    assert.equal(await count('report_case'), 1);
    assert.equal(await count('form_return'), 0, "the refused form's record went with the filing");

    const back = await page.goBack();
    assert.equal(back?.status(), 200, 'back: the form page again, not "Confirm form resubmission"');
    assert.equal(back?.request().method(), 'GET');
    assert.equal(pathOf(page), '/report');
    assert.equal(await page.getByLabel('When').inputValue(), '', 'a fresh form: the filed text is not shown again');
    assert.equal(await page.getByRole('alert').count(), 0);
    const backAgain = await page.goBack();
    assert.equal(backAgain?.status(), 200);
    await page.goForward();
    await page.goForward();
    assert.equal(pathOf(page), '/receipt');
    assert.equal((await page.locator('output').textContent()) ?? '', receipt, 'forward: the same receipt');
    assert.equal(await count('report_case'), 1, 'reload, switch, back and forward filed nothing more');
    await axe.check();
  });

  it('gives a refused reply back on the follow-up page: reload, send, back, and one message', async () => {
    assert.ok(receipt, 'the filing step ran');
    const { page } = reporter;
    await page.goto(`${server.url}/followup?lang=th`);
    await page.getByLabel('รหัสติดตามเรื่อง 16 หลัก').fill(receipt);
    await clickAndLoad(page, page.getByRole('button', { name: 'เข้าสู่เรื่องของฉัน' }));
    assert.equal(pathOf(page), '/followup/case');
    const messages = await count('case_message');

    const refused = await clickAndLoad(page, page.getByRole('button', { name: 'ส่งข้อความ' }));
    assert.equal(refused.status(), 400);
    assert.equal(refused.request().redirectedFrom()?.method(), 'POST');
    assert.equal(pathOf(page), '/followup/case');
    await page.getByRole('alert').waitFor();
    const reloaded = await page.reload();
    assert.equal(reloaded?.status(), 400, 'a reload shows the refusal again and sends nothing');

    await page.getByLabel('ข้อความของคุณ').fill('จำได้ว่าเป็นวันอังคารที่ 3');
    const sent = await clickAndLoad(page, page.getByRole('button', { name: 'ส่งข้อความ' }));
    assert.equal(sent.status(), 200);
    assert.equal(pathOf(page), '/followup/case?sent=1');
    const back = await page.goBack();
    assert.equal(back?.status(), 200, 'back: the page again, not "Confirm form resubmission"');
    assert.equal(await page.getByRole('alert').count(), 0, 'the refusal is gone with the message sent');
    assert.equal(await count('case_message'), messages + 1, 'one message, whatever the reloads and backs');
    await axe.check();
  });
});
