// Open data in a real browser against the server process (issue 17): a citizen on a phone with
// JavaScript off compares two agencies' scorecards and downloads a dataset as CSV; an overseer
// builds the cross-agency six-month report and the test reads the PDF's text. Every page visited
// passes axe (WCAG 2.2 A/AA), nothing is wider than 390 px, and the charts' labels read at ≥ 14 px.
import assert from 'node:assert/strict';
import { execFile as execFileCb } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { currentFiscalYear } from '../../src/cases/figures.ts';
import { translator } from '../../src/i18n/messages.ts';
import { setOversight } from '../../src/opendata/oversight.ts';
import { releaseMonth } from '../../src/opendata/release.ts';
import { loginCode, PASSWORD, seedAgency, seedStaff } from '../support/app.ts';
import { watchAxe } from '../support/axe.ts';
import { foreignRequests, launchBrowser, openContext, type RecordedContext } from '../support/browser.ts';
import { clickAndLoad, closeJourney, pathOf } from '../support/journey.ts';
import { NOW, seedFixture } from '../support/opendata.ts';
import { serverFixture, startServerProcess, type ServerProcess } from '../support/server.ts';

const execFile = promisify(execFileCb);
const t = translator('th');

async function fitsPhone(page: Page): Promise<void> {
  const wide = await page.evaluate<{ doc: number; body: number }>(
    '({ doc: document.documentElement.scrollWidth, body: document.body.scrollWidth })',
  );
  assert.ok(wide.doc <= 390 && wide.body <= 390, `${pathOf(page)} fits 390 px: ${JSON.stringify(wide)}`);
}

describe('open data journeys', () => {
  let fixture: Awaited<ReturnType<typeof serverFixture>>;
  let server: ServerProcess;
  let browser: Browser;
  let axe: ReturnType<typeof watchAxe>;
  let dir: string;
  const contexts: RecordedContext[] = [];

  before(async () => {
    fixture = await serverFixture();
    dir = await mkdtemp(path.join(tmpdir(), 'sujarit-opendata-e2e-'));
    const db = fixture.database.db;
    for (const code of ['OPDC', 'LOCAL1', 'LOCAL2', 'CENT1']) await seedAgency(db, code);
    await seedFixture(db);
    await releaseMonth({ db, now: NOW });
    await seedStaff(db, null, 'root@platform.example', ['platform_admin']);
    await seedStaff(db, 'OPDC', 'overseer@opdc.example', ['auditor']);
    const root = await db
      .selectFrom('staff_user')
      .select('id')
      .where('email', '=', 'root@platform.example')
      .executeTakeFirstOrThrow();
    await setOversight({
      db,
      actor: { id: root.id, roles: ['platform_admin'] },
      email: 'overseer@opdc.example',
      agencyCodes: ['LOCAL1', 'CENT1'],
    });
    server = await startServerProcess({ databaseUrl: fixture.database.url, dataDir: fixture.dataDir });
    browser = await launchBrowser();
    const axeContext = await openContext(browser, { javaScriptEnabled: true });
    contexts.push(axeContext);
    axe = watchAxe(axeContext.page, server.url);
  });

  after(async () => {
    await closeJourney({ contexts, browser, server, fixture });
    await rm(dir, { recursive: true, force: true });
  });

  it('a citizen on a phone without JavaScript compares two agencies and downloads a CSV', async () => {
    const phone = await openContext(browser, { acceptDownloads: true });
    contexts.push(phone);
    axe.watch(phone.context);
    const page = phone.page;
    await page.goto(`${server.url}/data`);
    await fitsPhone(page);
    await clickAndLoad(page, page.getByRole('link', { name: t('scorecard.link') }));
    assert.equal(pathOf(page), '/scorecards');
    await page.getByLabel('หน่วยงาน LOCAL1').check();
    await page.getByLabel('หน่วยงาน CENT1').check();
    const compared = await clickAndLoad(page, page.getByRole('button', { name: t('scorecard.compare') }));
    assert.equal(compared.status(), 200);
    assert.equal(pathOf(page), '/scorecards/compare?a=CENT1&a=LOCAL1', 'in the list order (by code)');
    await page.getByRole('heading', { level: 1, name: 'เปรียบเทียบ: หน่วยงาน CENT1 · หน่วยงาน LOCAL1' }).waitFor();
    await fitsPhone(page);
    // the charts: named images, their labels at a readable size on a 390 px phone
    const chart = page.getByRole('img', { name: t('scorecard.reply') });
    await chart.waitFor();
    // the font size each label is drawn at on screen: its size in the chart's units times the chart's scale
    const sizes = await page
      .locator('svg text')
      .evaluateAll((els) =>
        els.map(
          (e) =>
            Number(e.getAttribute('font-size')) *
            ((e as unknown as { getScreenCTM(): { a: number } | null }).getScreenCTM()?.a ?? 0),
        ),
      );
    assert.ok(
      sizes.length > 0 && Math.min(...sizes) >= 14,
      `chart labels drawn at 14 px or more: ${Math.min(...sizes)}`,
    );
    // the table beside each chart says the same in text
    await page.getByRole('cell', { name: '100%' }).first().waitFor();
    await page.screenshot({ path: path.join(dir, 'compare-390.png'), fullPage: true });

    await page.goto(`${server.url}/data/complaints-and-tips`);
    await fitsPhone(page);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page
        .getByRole('link', { name: t('data.csv') })
        .last()
        .click(),
    ]);
    assert.equal(download.suggestedFilename(), 'complaints-and-tips-2026-10.csv');
    const bytes = Buffer.concat(await (await download.createReadStream()).toArray());
    assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 with a byte order mark, for Excel');
    assert.match(bytes.toString('utf8'), /\r\n2026-10,LOCAL1,หน่วยงาน LOCAL1,/);
    // the other public pages a citizen meets: one card, the card to embed, the English catalogue,
    // a dataset's page with its dictionary, and a comparison asked for one agency only (sent back)
    for (const url of [
      '/scorecards/LOCAL1',
      '/embed/scorecards/CENT1',
      '/data/risk-registers',
      '/data?lang=en',
      '/data?lang=th',
    ]) {
      const res = await page.goto(`${server.url}${url}`);
      assert.equal(res?.status(), 200, url);
      await fitsPhone(page);
    }
    await page.goto(`${server.url}/scorecards/compare?a=LOCAL1`);
    assert.equal(pathOf(page), '/scorecards?error=pick');
    await page.getByText(t('scorecard.pick')).waitFor();
    assert.deepEqual(foreignRequests(phone.requests, server.url), []);
    await axe.check();
  });

  it('an overseer builds the cross-agency six-month report and the PDF reads as it should', async () => {
    const ctx = await openContext(browser, {
      acceptDownloads: true,
      viewport: { width: 1280, height: 900 },
      isMobile: false,
      hasTouch: false,
    });
    contexts.push(ctx);
    axe.watch(ctx.context);
    const page = ctx.page;
    await page.goto(`${server.url}/staff/login`);
    await page.getByLabel(t('staff.email')).fill('overseer@opdc.example');
    await page.getByLabel(t('staff.password')).fill(PASSWORD);
    await page.getByLabel(t('console.code')).fill(loginCode('overseer@opdc.example'));
    await clickAndLoad(page, page.getByRole('button', { name: 'เข้าสู่ระบบ', exact: true }));
    await page.goto(`${server.url}/staff/oversight`);
    await page.getByRole('heading', { level: 1, name: t('oversight.title') }).waitFor();
    assert.match(await page.locator('main').innerText(), /หน่วยงาน CENT1[\s\S]*หน่วยงาน LOCAL1/);
    await page.getByLabel(t('oversight.body')).fill('สำนักงาน ก.พ.ร.');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: t('oversight.report.submit') }).click(),
    ]);
    assert.equal(download.suggestedFilename(), `oversight-monitoring-${currentFiscalYear()}-6m.pdf`);
    const file = path.join(dir, 'report.pdf');
    await writeFile(file, Buffer.concat(await (await download.createReadStream()).toArray()));
    const { stdout } = await execFile('pdftotext', ['-enc', 'UTF-8', file, '-']);
    const text = stdout.replace(/\n/g, '').normalize('NFKC');
    for (const s of [
      'รายงานการกำกับติดตามการดำเนินการป้องกันการทุจริตของหน่วยงานในความกำกับดูแล',
      'รอบ ๖ เดือน',
      'สำนักงาน ก.พ.ร.',
      'หน่วยงาน LOCAL๑',
      'หน่วยงาน CENT๑',
      'สรุปรายหน่วยงาน',
    ])
      assert.ok(text.includes(s.normalize('NFKC')), s);
    assert.doesNotMatch(text, /LOCAL๒/, 'an agency not granted is not in the report');
    await clickAndLoad(page, page.getByRole('link', { name: 'หน่วยงาน LOCAL1' }));
    await page.getByRole('heading', { level: 1, name: 'หน่วยงาน LOCAL1' }).waitFor();
    await axe.check();
  });

  it('the platform administrator grants agencies and edits an agency without JavaScript; errors are shown at their fields', async () => {
    const ctx = await openContext(browser, {
      viewport: { width: 1280, height: 900 },
      isMobile: false,
      hasTouch: false,
    });
    contexts.push(ctx);
    axe.watch(ctx.context);
    const page = ctx.page;
    await page.goto(`${server.url}/staff/login`);
    await page.getByLabel(t('staff.email')).fill('root@platform.example');
    await page.getByLabel(t('staff.password')).fill(PASSWORD);
    await page.getByLabel(t('console.code')).fill(loginCode('root@platform.example'));
    await clickAndLoad(page, page.getByRole('button', { name: 'เข้าสู่ระบบ', exact: true }));
    await page.goto(`${server.url}/staff/admin/oversight`);
    // empty, then an unknown code typed in Thai: the summary links to the field, what was typed stays
    await clickAndLoad(page, page.getByRole('button', { name: t('oversight.admin.grant.submit') }));
    await page.getByRole('link', { name: new RegExp(t('oversight.admin.email')) }).waitFor();
    await page.getByLabel(t('oversight.admin.email')).fill('overseer@opdc.example');
    await page.getByLabel(t('oversight.admin.agencies')).fill('LOCAL1, หน่วยงานที่ไม่มี');
    await clickAndLoad(page, page.getByRole('button', { name: t('oversight.admin.grant.submit') }));
    assert.equal(await page.getByLabel(t('oversight.admin.agencies')).inputValue(), 'LOCAL1, หน่วยงานที่ไม่มี');
    assert.equal(await page.getByLabel(t('oversight.admin.agencies')).getAttribute('aria-invalid'), 'true');
    // choose CENT1: its saved details fill the form; change the province only
    await page.getByLabel(t('oversight.admin.agency.pick')).selectOption('CENT1');
    await clickAndLoad(page, page.getByRole('button', { name: t('oversight.admin.agency.load') }));
    assert.equal(await page.locator('#ministry').inputValue(), 'สำนักนายกรัฐมนตรี');
    await page.locator('#province').fill('นนทบุรี');
    await clickAndLoad(page, page.getByRole('button', { name: t('oversight.admin.agency.submit') }));
    await page.getByRole('status').waitFor();
    await page.reload();
    const agency = await fixture.database.db
      .selectFrom('agency')
      .select(['ministry', 'province', 'agency_type'])
      .where('code', '=', 'CENT1')
      .executeTakeFirstOrThrow();
    assert.deepEqual(agency, { ministry: 'สำนักนายกรัฐมนตรี', province: 'นนทบุรี', agency_type: 'central' });
    await axe.check();
    assert.ok(axe.checked >= 14, `axe looked at ${axe.checked} pages`);
  });
});
