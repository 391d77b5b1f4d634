// The inbox's spreadsheet as staff download it in a browser (issue 13, B.5): times to the minute in
// Buddhist Era and Bangkok time, never to the second or the millisecond (a deadline is the filing
// time plus days, so it carried the filing's milliseconds before), the header and every kind,
// category, channel and status as Thai labels, never codes. UTF-8 with a byte order mark, so a
// spreadsheet opens Thai correctly. axe runs on the pages visited.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { translator } from '../../src/i18n/messages.ts';
import { EXPORT_COLUMNS } from '../../src/cases/export.ts';
import { watchAxe } from '../support/axe.ts';
import { launchBrowser, openContext, type RecordedContext } from '../support/browser.ts';
import { addStaffByCli, clickAndLoad, closeJourney, runCli, staffPages } from '../support/journey.ts';
import { CHEAP_KDF_ENV, serverFixture, startServerProcess, type ServerProcess } from '../support/server.ts';

const t = translator('th');
const OPDC_TH = 'สำนักงาน ก.พ.ร.';
const PASSWORD = 'a long staff passphrase for the export';
const STAFF = {
  io: { agency: 'OPDC', email: 'intake@opdc.example', role: 'intake_officer', name: 'สมหญิง รับเรื่อง' },
} as const;

describe('the case spreadsheet downloaded from the inbox', () => {
  let fixture: Awaited<ReturnType<typeof serverFixture>>;
  let server: ServerProcess;
  let browser: Browser;
  let axe: ReturnType<typeof watchAxe>;
  const contexts: RecordedContext[] = [];
  const as = staffPages({ browser: () => browser, baseUrl: () => server.url, contexts }, STAFF, PASSWORD);

  before(async () => {
    fixture = await serverFixture();
    const env = {
      DATABASE_URL: fixture.database.url,
      SUJARIT_DATA: fixture.dataDir,
      SUJARIT_LOG_LEVEL: 'warn',
      ...CHEAP_KDF_ENV,
    };
    await runCli(['agency', 'add', '--code', 'OPDC', '--name-th', OPDC_TH, '--name-en', 'OPDC'], env);
    await addStaffByCli(env, Object.values(STAFF), PASSWORD);
    server = await startServerProcess({ databaseUrl: fixture.database.url, dataDir: fixture.dataDir });
    browser = await launchBrowser();
    const checker = await openContext(browser, { javaScriptEnabled: true });
    contexts.push(checker);
    axe = watchAxe(checker.page, server.url);
  });

  after(() => closeJourney({ contexts, browser, server, fixture }));

  it('a tip filed on a phone appears in the file in Thai, to the minute, with its deadline', async () => {
    const phone = await openContext(browser);
    phone.context.setDefaultTimeout(10_000);
    contexts.push(phone);
    axe.watch(phone.context);
    const reporter: Page = phone.page;
    await reporter.goto(`${server.url}/report`);
    await reporter.getByLabel('หน่วยงานที่เกี่ยวข้อง').selectOption({ label: OPDC_TH });
    await reporter.getByRole('radio', { name: 'การทุจริตจัดซื้อจัดจ้าง' }).check();
    await reporter.getByLabel('เกิดอะไรขึ้น').fill('กรรมการตรวจรับลงนามรับงานที่ยังสร้างไม่เสร็จ');
    const sent = await clickAndLoad(reporter, reporter.getByRole('button', { name: 'ส่งเรื่อง' }));
    assert.equal(sent.status(), 200, await sent.text());
    const reference = ((await reporter.locator('dl.meta dd').first().textContent()) ?? '').trim();
    assert.match(reference, /^OPDC-\d{4}-\d{6}$/);

    const page = await as('io');
    axe.watch(page.context());
    await page.goto(`${server.url}/staff/cases`);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: t('console.export') }).click(),
    ]);
    const bytes = await (await download.createReadStream()).toArray();
    const file = Buffer.concat(bytes);
    assert.deepEqual([...file.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 with a byte order mark');
    const [header, row, ...rest] = file.subarray(3).toString('utf8').split('\r\n');
    assert.deepEqual(rest, [''], 'one case, CRLF line ends');
    assert.equal(header, EXPORT_COLUMNS.map((k) => t(k)).join(','));
    const cells = row.split(',');
    assert.equal(cells[0], reference);
    assert.equal(cells[2], t('kind.tip'), 'the kind as its Thai label');
    assert.equal(cells[3], t('category.procurement_fraud'), 'the category as its Thai label');
    assert.equal(cells[4], t('console.channel.web'), 'the channel as its Thai label');
    assert.equal(cells[5], t('status.new'), 'the status as its Thai label');
    assert.doesNotMatch(row, /\bweb\b|\bnew\b|\btip\b|procurement/, 'no codes');
    const beYear = new Date().getFullYear() + 543;
    for (const i of [7, 8, 9]) {
      assert.ok(cells[i].includes(String(beYear)), `column ${i} in Buddhist Era: ${cells[i]}`);
      assert.match(cells[i], /\d{2}:\d{2} น\.$|\d{2}:\d{2}$/, `column ${i} ends at the minute: ${cells[i]}`);
      assert.doesNotMatch(
        cells[i],
        /\d{2}:\d{2}:\d{2}|\.\d{3}|T\d{2}|Z$/,
        `nothing finer than the minute: ${cells[i]}`,
      );
    }
    await axe.check();
    assert.ok(axe.checked >= 3, `axe looked at the pages visited: ${axe.checked}`);
  });
});
