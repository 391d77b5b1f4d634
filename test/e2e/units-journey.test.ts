// An agency's units end to end in a real browser with JavaScript off, against the real server
// process (issues 16 and 18):
// - the agency administrator adds a unit (a fault first: the one error pattern) and puts a staff
//   member in it;
// - the intake officer sets the unit a case concerns on the case page; the history says so;
// - the risk officer reads the signals and finds the unit's row (six cases: shown);
// - the same pages on a 390 px phone, still without JavaScript.
// Agencies and staff come from the CLI; the case is filed in process, five more are seeded in the
// database. axe (WCAG 2.2 A/AA) checks every page loaded.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { sql } from 'kysely';
import { currentFiscalYear } from '../../src/cases/figures.ts';
import { loadSecrets } from '../../src/crypto/secrets.ts';
import { connect, type Db } from '../../src/db/connection.ts';
import { watchAxe } from '../support/axe.ts';
import { fileTip } from '../support/file-tip.ts';
import type { Submitted } from '../../src/intake/submit-report.ts';
import { foreignRequests, launchBrowser, openContext, PHONE, type RecordedContext } from '../support/browser.ts';
import { checkErrorSummary } from '../support/error-summary.ts';
import { addAgencyByCli, addStaffByCli, clickAndLoad, closeJourney, staffPages } from '../support/journey.ts';
import { seedCases } from '../support/risk.ts';
import { cliEnvOf, serverFixture, startServerProcess, type ServerProcess } from '../support/server.ts';

const PASSWORD = 'a long staff passphrase for the units journey';
const STAFF = {
  admin: { email: 'admin@town.example', role: 'agency_admin', name: 'สมศรี ผู้ดูแล', agency: 'TOWN' },
  officer: { email: 'intake@town.example', role: 'intake_officer', name: 'สมชาย รับเรื่อง', agency: 'TOWN' },
  risk: { email: 'risk@town.example', role: 'risk_officer', name: 'สมใจ ความเสี่ยง', agency: 'TOWN' },
} as const;

describe('units from the administrator to the risk signals, in a browser without JavaScript', () => {
  let fixture: Awaited<ReturnType<typeof serverFixture>>;
  let server: ServerProcess;
  let browser: Browser;
  let db: Db;
  let axe: ReturnType<typeof watchAxe>;
  let filed: Submitted;
  const contexts: RecordedContext[] = [];
  const as = staffPages({ browser: () => browser, baseUrl: () => server.url, contexts }, STAFF, PASSWORD, (page) =>
    axe.watch(page.context()),
  );

  before(async () => {
    fixture = await serverFixture();
    const env = cliEnvOf(fixture);
    await addAgencyByCli(env, 'TOWN', 'เทศบาลเมืองตัวอย่าง', 'Example Town');
    await addStaffByCli(env, Object.values(STAFF), PASSWORD);
    server = await startServerProcess({ databaseUrl: fixture.database.url, dataDir: fixture.dataDir });
    db = connect(fixture.database.url, 2);
    // a tip filed as the web form files it, sealed to the agency's intake officer
    filed = await fileTip(
      db,
      (await loadSecrets(fixture.dataDir)).receiptSalt,
      'TOWN',
      'เจ้าหน้าที่กองคลังเรียกเงินเพื่อเร่งเบิกจ่าย',
    );
    await seedCases(db, { agency: 'TOWN', count: 5, category: 'bribery', at: new Date().toISOString() });
    browser = await launchBrowser();
    const checker = await openContext(browser, { javaScriptEnabled: true });
    contexts.push(checker);
    axe = watchAxe(checker.page, server.url);
  });

  after(async () => {
    await db?.destroy();
    await closeJourney({ contexts, browser, server, fixture });
  });

  it('the administrator adds a unit and puts the intake officer in it', async () => {
    const page = await as('admin');
    await clickAndLoad(
      page,
      page.getByRole('navigation', { name: 'เมนูเจ้าหน้าที่' }).getByRole('link', { name: 'หน่วยงานย่อย' }),
    );
    await page.getByText('ยังไม่มีหน่วยงานย่อย').waitFor();
    const form = page.locator('form[action="/staff/admin/units"]');
    await form.getByLabel('รหัสย่อ').fill('fin');
    await form.getByLabel('ชื่อภาษาไทย').fill('กองคลัง');
    const refused = await clickAndLoad(page, form.getByRole('button', { name: 'เพิ่ม' }));
    assert.equal(refused.status(), 400);
    await checkErrorSummary(page, ['nameEn']);
    await axe.check();
    await form.getByLabel('ชื่อภาษาอังกฤษ').fill('Finance Division');
    await clickAndLoad(page, form.getByRole('button', { name: 'เพิ่ม' }));
    await page.getByText('เพิ่มหน่วยงานย่อยแล้ว').waitFor();
    await page.getByRole('cell', { name: 'กองคลัง' }).waitFor();

    await clickAndLoad(
      page,
      page.getByRole('navigation', { name: 'เมนูเจ้าหน้าที่' }).getByRole('link', { name: 'เจ้าหน้าที่' }),
    );
    await clickAndLoad(page, page.getByRole('link', { name: STAFF.officer.email }));
    await page.getByRole('combobox', { name: 'หน่วยงานย่อย', exact: true }).selectOption({ label: 'FIN กองคลัง' });
    await clickAndLoad(page, page.getByRole('button', { name: 'บันทึกหน่วยงานย่อย', exact: true }));
    await page.getByText('บันทึกหน่วยงานย่อยของเจ้าหน้าที่แล้ว').waitFor();
    await axe.check();
  });

  it('the intake officer sets the unit the case concerns, and the history says so', async () => {
    const page = await as('officer');
    await page.goto(`${server.url}/staff/cases/${encodeURIComponent(filed.reference)}`);
    const section = page.getByRole('region', { name: 'หน่วยงานย่อยที่เกี่ยวข้อง' });
    await section.getByLabel('หน่วยงานย่อยที่เกี่ยวข้อง').selectOption({ label: 'FIN กองคลัง' });
    await clickAndLoad(page, section.getByRole('button', { name: 'บันทึกหน่วยงานย่อย' }));
    await page.getByText('บันทึกหน่วยงานย่อยที่เกี่ยวข้องแล้ว').waitFor();
    await page.getByText('ระบุหน่วยงานย่อยที่เกี่ยวข้อง: FIN กองคลัง').waitFor();
    await axe.check();
  });

  it('the risk officer finds the unit’s row in the signals', async () => {
    // the five seeded cases concern the unit too (their unit set in the database): six in all
    await sql`update report_case set unit_id = (select id from agency_unit where code = 'FIN')
      where reference like 'RISK-%'`.execute(db);
    const page = await as('risk');
    await page.goto(`${server.url}/staff/risk/signals?fy=${currentFiscalYear()}`);
    const table = page.getByRole('region', { name: 'เรื่องตามหน่วยงานย่อยที่เกี่ยวข้อง และแนวโน้ม' });
    const row = table.getByRole('row', { name: /FIN กองคลัง/ });
    assert.equal((await row.getByRole('cell').first().textContent())?.trim(), '6');
    await axe.check();
  });

  it('works on a 390 px phone without JavaScript, and nothing leaves the server', async () => {
    const pages: [keyof typeof STAFF, string][] = [
      ['admin', '/staff/admin/units'],
      ['officer', `/staff/cases/${encodeURIComponent(filed.reference)}`],
      ['risk', `/staff/risk/signals?fy=${currentFiscalYear()}`],
    ];
    for (const [who, href] of pages) {
      const desktop = await as(who);
      const phone = await openContext(browser, PHONE);
      contexts.push(phone);
      axe.watch(phone.context);
      await phone.context.addCookies(await desktop.context().cookies());
      const res = await phone.page.goto(`${server.url}${href}`);
      assert.equal(res?.status(), 200, href);
      await phone.page.getByRole('heading', { level: 1 }).waitFor();
      const width = await phone.page.evaluate<number>('document.documentElement.scrollWidth');
      assert.ok(width <= 390, `${href} is ${width} px wide on a 390 px phone`);
    }
    await axe.check();
    for (const c of contexts) assert.deepEqual(foreignRequests(c.requests, server.url), []);
  });
});
