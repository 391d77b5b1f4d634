// Filing under load in a real browser, against the real server process with the cost always on
// (threshold 0): with JavaScript off the reporter is asked to wait and keeps everything typed; with
// JavaScript on, the same-origin script computes the proof of work and the report is filed at once.
// Prints the browser's WebCrypto hashing rate (the figure of docs/benchmarks.md).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { watchAxe } from '../support/axe.ts';
import { foreignRequests, launchBrowser, openContext, type RecordedContext } from '../support/browser.ts';
import { clickAndLoad, closeJourney, runCli } from '../support/journey.ts';
import { CHEAP_KDF_ENV, serverFixture, startServerProcess, type ServerProcess } from '../support/server.ts';

const AGENCY_TH = 'สำนักงาน ก.พ.ร.';
const WHAT = 'เจ้าหน้าที่เรียกเงินสองพันบาทระหว่างที่มีการส่งเรื่องอัตโนมัติจำนวนมาก';
const POW_BITS = 18;

describe('filing under load in a browser', () => {
  let fixture: Awaited<ReturnType<typeof serverFixture>>;
  let server: ServerProcess;
  let browser: Browser;
  const contexts: RecordedContext[] = [];

  before(async () => {
    fixture = await serverFixture();
    const env = {
      DATABASE_URL: fixture.database.url,
      SUJARIT_DATA: fixture.dataDir,
      SUJARIT_LOG_LEVEL: 'warn',
      ...CHEAP_KDF_ENV,
    };
    await runCli(['agency', 'add', '--code', 'OPDC', '--name-th', AGENCY_TH, '--name-en', 'OPDC'], env);
    await runCli(
      [
        'user',
        'add',
        '--agency',
        'OPDC',
        '--email',
        'officer@opdc.example',
        '--role',
        'intake_officer',
        '--password-stdin',
      ],
      env,
      'a long officer passphrase for the test\n',
    );
    server = await startServerProcess({
      databaseUrl: fixture.database.url,
      dataDir: fixture.dataDir,
      env: { SUJARIT_FILING_THRESHOLD: '0', SUJARIT_FILING_POW_BITS: String(POW_BITS) },
    });
    browser = await launchBrowser();
  });
  after(() => closeJourney({ contexts, browser, server, fixture }));

  const fill = async (page: Page) => {
    await page.getByLabel('หน่วยงานที่เกี่ยวข้อง').selectOption({ label: AGENCY_TH });
    await page.getByRole('radio', { name: 'การเรียกรับสินบน' }).check();
    await page.getByLabel('เกิดอะไรขึ้น').fill(WHAT);
  };

  it('without JavaScript: the form says how long to wait, and a send too early comes back with everything typed', async () => {
    const c = await openContext(browser);
    const checker = await openContext(browser, { javaScriptEnabled: true });
    contexts.push(c, checker);
    const axe = watchAxe(checker.page, server.url, c.context);
    const { page } = c;
    await page.goto(`${server.url}/report`);
    assert.match((await page.locator('#filing-notice').textContent()) ?? '', /60 วินาที/);
    await fill(page);
    const sent = await clickAndLoad(page, page.getByRole('button', { name: 'ส่งเรื่อง' }));
    assert.equal(sent.status(), 429);
    assert.match((await page.getByRole('alert').textContent()) ?? '', /กรุณารออีก \d+ วินาที/);
    assert.equal(await page.getByLabel('เกิดอะไรขึ้น').inputValue(), WHAT);
    assert.equal(await page.locator('output').count(), 0, 'no receipt');
    await axe.check(); // the form with its wait, and the form refused for being early
    assert.equal(axe.checked, 2);
  });

  it('with JavaScript: the same-origin script proves the work and the report is filed at once', async () => {
    const c = await openContext(browser, { javaScriptEnabled: true });
    contexts.push(c);
    const { page, requests } = c;
    await page.goto(`${server.url}/report`);
    await page.waitForFunction(`document.querySelector('input[name="pow"]').value !== ''`, undefined, {
      timeout: 120_000,
    });
    // The page's hashing rate, batched as the script batches: what 20 bits cost a reporter's browser.
    const perS = Number(
      await page.evaluate(`(async () => {
      const enc = new TextEncoder(); const n = 131072; const t0 = performance.now();
      for (let s = 0; s < n; s += 256) await Promise.all(Array.from({ length: 256 }, (_, i) => crypto.subtle.digest('SHA-256', enc.encode('ticket:' + (s + i).toString(36)))));
      return n / ((performance.now() - t0) / 1000);
    })()`),
    );
    console.log(
      `# WebCrypto in headless Chromium: ${Math.round(perS).toLocaleString('en')} SHA-256/s; ${POW_BITS} bits ≈ ${(2 ** POW_BITS / perS).toFixed(1)} s, 20 bits ≈ ${(2 ** 20 / perS).toFixed(1)} s on average`,
    );
    await fill(page);
    const sent = await clickAndLoad(page, page.getByRole('button', { name: 'ส่งเรื่อง' }));
    assert.equal(sent.status(), 200, await sent.text());
    assert.match((await page.locator('output').textContent()) ?? '', /^\d{4} \d{4} \d{4} \d{4}$/);
    assert.deepEqual(foreignRequests(requests, server.url), []);
    assert.ok(requests.some((u) => u === `${server.url}/static/filing-pow.js`));
  });
});
