// An agency's corruption-risk register end to end in a real browser with JavaScript off, against the
// real server process:
// - the risk officer reads the signals of the agency's cases (counts below 5 shown as "<5") and
//   turns a row into a candidate risk in one action; then opens a procurement red flag of the
//   agency's e-GP open data (imported with the CLI, Thai column names) and turns it into a risk too;
// - rates it (a fault first: the one error pattern), plans an action, publishes the register (its
//   digest goes to the ledger) and downloads the assessment report, read back with pdftotext;
// - a reviewer of the overseeing agency scores the register; the agency answers;
// - the register and the signals on a 390 px phone, still without JavaScript.
// Agencies and staff come from the CLI; the cases and the reviewer's grant are seeded in the
// database. axe (WCAG 2.2 A/AA) checks every page loaded, at a phone's width.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { currentFiscalYear } from '../../src/cases/figures.ts';
import { connect, type Db } from '../../src/db/connection.ts';
import { watchAxe } from '../support/axe.ts';
import { foreignRequests, launchBrowser, openContext, PHONE, type RecordedContext } from '../support/browser.ts';
import { checkErrorSummary } from '../support/error-summary.ts';
import { addStaffByCli, clickAndLoad, closeJourney, pathOf, runCli, staffPages } from '../support/journey.ts';
import { CONTENT_MARKER, seedCases } from '../support/risk.ts';
import { cliEnvOf, serverFixture, startServerProcess, type ServerProcess } from '../support/server.ts';

const run = promisify(execFile);
const PASSWORD = 'a long staff passphrase for the risk journey';
const STAFF = {
  officer: { email: 'risk@town.example', role: 'risk_officer', name: 'สมใจ ผู้บริหารความเสี่ยง', agency: 'TOWN' },
  reviewer: { email: 'review@province.example', role: 'risk_reviewer', name: 'สมหมาย ผู้สอบทาน', agency: 'PROV' },
} as const;
const EVENT = 'เจ้าหน้าที่เรียกรับเงินเพื่อเร่งออกใบอนุญาต';
const ACTION = 'เปิดเผยลำดับคิวคำขออนุญาตบนเว็บไซต์';
// e-GP open data as published (Thai column names): a specific-method purchase signed in September,
// the last month of the fiscal year, at 99.5% of the reference price.
const EGP = [
  'รหัสโครงการ,ชื่อโครงการ,ชื่อหน่วยงาน,วิธีจัดซื้อฯ,งบประมาณ(บาท),ราคากลาง(บาท),ราคาตกลงซื้อ/จ้าง,ชื่อผู้ชนะ,เลขนิติบุคคล,วันที่ประกาศ,วันที่ลงนามสัญญา',
  '66019000001,ซื้อวัสดุสำนักงาน,เทศบาลเมืองตัวอย่าง,วิธีเฉพาะเจาะจง,"100,000.00","99,000.00","98,500.00",บริษัท ก จำกัด,0105555000001,01/09/2566,15/09/2566',
  '66019000002,จ้างก่อสร้างถนน,เทศบาลเมืองตัวอย่าง,วิธีประกาศเชิญชวนทั่วไป (e-bidding),"5,000,000","4,900,000","3,900,000",บริษัท ข จำกัด,0105555000002,01/03/2566,01/05/2566',
].join('\r\n');

describe('a corruption-risk register from a signal to the review, in a browser without JavaScript', () => {
  let fixture: Awaited<ReturnType<typeof serverFixture>>;
  let server: ServerProcess;
  let browser: Browser;
  let db: Db;
  let work: string;
  let axe: ReturnType<typeof watchAxe>;
  let registerPath = '';
  const contexts: RecordedContext[] = [];
  const year = currentFiscalYear();
  const as = staffPages({ browser: () => browser, baseUrl: () => server.url, contexts }, STAFF, PASSWORD, (page) =>
    axe.watch(page.context()),
  );

  before(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'sujarit-risk-journey-'));
    fixture = await serverFixture();
    const env = cliEnvOf(fixture);
    for (const [code, th, en] of [
      ['TOWN', 'เทศบาลเมืองตัวอย่าง', 'Example Town'],
      ['PROV', 'สำนักงานจังหวัดตัวอย่าง', 'Example Province Office'],
    ])
      assert.match(
        await runCli(['agency', 'add', '--code', code, '--name-th', th, '--name-en', en], env),
        new RegExp(`agency ${code} added`),
      );
    await addStaffByCli(env, Object.values(STAFF), PASSWORD);
    db = connect(fixture.database.url, 2);
    const at = new Date().toISOString();
    await seedCases(db, { agency: 'TOWN', count: 7, category: 'bribery', at });
    await seedCases(db, { agency: 'TOWN', count: 2, category: 'abuse_of_authority', at });
    // The platform administrator's grant (its page has its own HTTP test): PROV oversees TOWN.
    const reviewer = await db
      .selectFrom('staff_user')
      .select('id')
      .where('email', '=', STAFF.reviewer.email)
      .executeTakeFirstOrThrow();
    const town = await db.selectFrom('agency').select('id').where('code', '=', 'TOWN').executeTakeFirstOrThrow();
    await db
      .insertInto('risk_oversight')
      .values({ reviewer_user_id: reviewer.id, agency_id: town.id, granted_by: reviewer.id })
      .execute();
    await writeFile(path.join(work, 'egp.csv'), EGP);
    await writeFile(path.join(work, 'flags.ini'), '[TH_REFERENCE_PRICE]\n[TH_FISCAL_YEAR_END]\n');
    assert.match(
      await runCli(
        [
          'procurement',
          'import',
          '--agency',
          'TOWN',
          '--input',
          path.join(work, 'egp.csv'),
          '--settings',
          path.join(work, 'flags.ini'),
        ],
        env,
      ),
      /1 processes flagged/,
    );
    server = await startServerProcess({ databaseUrl: fixture.database.url, dataDir: fixture.dataDir });
    browser = await launchBrowser();
    const checker = await openContext(browser, { javaScriptEnabled: true });
    contexts.push(checker);
    axe = watchAxe(checker.page, server.url);
  });

  const firstRiskId = async () =>
    (await db.selectFrom('risk_item').select('id').where('number', '=', 1).executeTakeFirstOrThrow()).id;

  after(async () => {
    await db?.destroy();
    await closeJourney({ contexts, browser, server, fixture });
    await rm(work, { recursive: true, force: true });
  });

  it('the risk officer reads the signals and turns a row into a candidate risk', async () => {
    const page = await as('officer');
    assert.equal(pathOf(page), '/staff/risk', 'a risk officer lands on the registers');
    await clickAndLoad(page, page.getByRole('link', { name: 'สัญญาณจากข้อมูลของหน่วยงาน' }));
    assert.equal(pathOf(page), `/staff/risk/signals?fy=${year}`);
    const html = await page.content();
    assert.ok(!html.includes(CONTENT_MARKER), 'no case content');
    const table = page.getByRole('region', { name: 'เรื่องแจ้งเบาะแสและร้องเรียนตามประเภทและหมวด และแนวโน้ม' });
    const bribery = table.getByRole('row', { name: /การเรียกรับสินบน/ });
    assert.match((await bribery.innerText()).replace(/\s+/g, ' '), /การเรียกรับสินบน 7 0 7 0 0 0/);
    const abuse = table.getByRole('row', { name: /การใช้อำนาจโดยมิชอบ/ });
    assert.match(await abuse.innerText(), /<5/);
    const made = await clickAndLoad(page, bribery.getByRole('button', { name: /สร้างความเสี่ยงจากแถวนี้/ }));
    assert.equal(made.status(), 200);
    assert.match(pathOf(page), /^\/staff\/risk\/\d+\/risks\/\d+\?sent=candidate$/);
    await page.getByRole('status').filter({ hasText: 'สร้างความเสี่ยงที่รอประเมินแล้ว' }).waitFor();
    await page.getByText('จากสัญญาณ: เรื่องแจ้งเบาะแสและร้องเรียนตามประเภทและหมวด และแนวโน้ม').waitFor();
    assert.match((await page.locator('.evidence-data code').first().textContent()) ?? '', /signal:categories/);
    await axe.check();
  });

  it('the risk officer opens a procurement red flag and turns it into a candidate risk', async () => {
    const page = await as('officer');
    await page.goto(`${server.url}/staff/risk`);
    await clickAndLoad(page, page.getByRole('link', { name: 'ธงแดงการจัดซื้อจัดจ้าง' }));
    const row = page.getByRole('row', { name: /ซื้อวัสดุสำนักงาน/ });
    assert.doesNotMatch(
      (await page.locator('main').textContent()) ?? '',
      /จ้างก่อสร้างถนน/,
      'a process without flags is not listed',
    );
    await clickAndLoad(page, row.getByRole('link', { name: 'th-egp-66019000001' }));
    await page.getByText('ซื้อวิธีเฉพาะเจาะจงในเดือนสุดท้ายของปีงบประมาณ').waitFor();
    const made = await clickAndLoad(page, page.getByRole('button', { name: 'สร้างความเสี่ยงจากธงแดงนี้' }));
    assert.equal(made.status(), 200);
    const riskPath = pathOf(page);
    assert.match(riskPath, /^\/staff\/risk\/\d+\/risks\/\d+\?sent=flag$/);
    await page.getByRole('status').filter({ hasText: 'สร้างความเสี่ยงที่รอประเมินแล้ว พร้อมหลักฐานจากธงแดง' }).waitFor();
    assert.match((await page.locator('main').textContent()) ?? '', /redflag:TH_FISCAL_YEAR_END\.TH_REFERENCE_PRICE/);
    // back and send again (a double click, a user unsure it worked): the same risk, not a second one
    await page.goBack();
    await clickAndLoad(page, page.getByRole('button', { name: 'สร้างความเสี่ยงจากธงแดงนี้' }));
    assert.equal(pathOf(page), riskPath);
    const flagged = await db
      .selectFrom('risk_item')
      .select(['area', 'number'])
      .where('area', '=', 'procurement')
      .execute();
    assert.deepEqual(flagged, [{ area: 'procurement', number: 2 }]);
    await axe.check();
    // back to the signal's risk for the next step
    await page.goto(`${server.url}${riskPath.replace(/\/risks\/\d+.*$/, '/risks/')}${await firstRiskId()}`);
  });

  it('rates the risk (a fault first), plans an action and publishes the register', async () => {
    const page = await as('officer');
    await page.getByLabel('เหตุการณ์ความเสี่ยง').fill('');
    const refused = await clickAndLoad(page, page.locator('#save-risk'));
    assert.equal(refused.status(), 400);
    await checkErrorSummary(page, ['event']);
    await page.getByLabel('ด้าน', { exact: true }).selectOption('bribery');
    await page.getByLabel('เหตุการณ์ความเสี่ยง').fill(EVENT);
    await page.getByLabel('สาเหตุ').fill('ขั้นตอนการอนุญาตใช้ดุลพินิจและไม่มีการเปิดเผยลำดับคิว');
    await page.getByLabel('การควบคุมที่มีอยู่').fill('คู่มือสำหรับประชาชนตาม พ.ร.บ. การอำนวยความสะดวกฯ');
    const inherent = page.getByRole('group', { name: 'ความเสี่ยงก่อนควบคุม' });
    await inherent.getByLabel('โอกาส').selectOption('4');
    await inherent.getByLabel('ผลกระทบ (ระดับ)').selectOption('5');
    const residual = page.getByRole('group', { name: 'ความเสี่ยงคงเหลือ' });
    await residual.getByLabel('โอกาส').selectOption('2');
    await residual.getByLabel('ผลกระทบ (ระดับ)').selectOption('4');
    await page.getByLabel('การจัดการความเสี่ยง').selectOption('reduce');
    await page.getByLabel('วันที่ทบทวน').fill(`1/12/${year}`);
    const saved = await clickAndLoad(page, page.locator('#save-risk'));
    assert.equal(saved.status(), 200);
    await page.getByRole('status').filter({ hasText: 'บันทึกแล้ว' }).waitFor();
    // the first action: the form is open while the risk has none
    await page.locator('#new-title').fill(ACTION);
    await page.locator('#new-owner').fill('กองช่าง');
    await page.locator('#new-dueOn').fill(`30/9/${year}`);
    await page.locator('#new-budget').fill('15,000');
    const action = await clickAndLoad(page, page.getByRole('button', { name: 'บันทึก', exact: true }).last());
    assert.equal(action.status(), 200);
    await page.getByRole('heading', { level: 3, name: new RegExp(ACTION) }).waitFor();
    await clickAndLoad(page, page.getByRole('link', { name: new RegExp(`ทะเบียนความเสี่ยงการทุจริต ${year}`) }));
    registerPath = new URL(page.url()).pathname;
    const table = page.locator('section[aria-labelledby="risks-h"] table');
    assert.match(await table.innerText(), /4 × 5 \(สูงมาก\)/);
    assert.match(await table.innerText(), /2 × 4 \(ปานกลาง\)/);
    await clickAndLoad(page, page.getByRole('button', { name: 'เผยแพร่ทะเบียนและบันทึกลงบัญชีสาธารณะ' }));
    await page.getByText(/เผยแพร่แล้ว ค่าแฮช [0-9a-f]{64}/).waitFor();
    await page.getByText('ทะเบียนตรงกับที่เผยแพร่ครั้งล่าสุด').waitFor();
    const published = await db.selectFrom('risk_publication').select(['digest', 'outbox_id']).execute();
    assert.equal(published.length, 1);
    await axe.check();
  });

  it('downloads the annual assessment report as a Thai PDF', async () => {
    const page = await as('officer');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'รายงานผลการประเมินความเสี่ยงการทุจริตประจำปี (PDF)' }).click(),
    ]);
    const pdf = path.join(work, 'assessment.pdf');
    await download.saveAs(pdf);
    const { stdout } = await run('pdftotext', ['-enc', 'UTF-8', pdf, '-']);
    // pdftotext gives sara am as nikhahit + sara aa: compare both sides in NFKC
    const nf = (s: string) => s.normalize('NFKC').replace(/\s+/g, ' ');
    const text = nf(stdout);
    for (const want of [
      'รายงานผลการประเมินความเสี่ยงการทุจริต',
      `ประจำปีงบประมาณ พ.ศ. ${year}`,
      'เทศบาลเมืองตัวอย่าง',
      `ความเสี่ยงที่ 1 ${EVENT}`,
      'ระดับสูงมาก',
    ])
      assert.ok(text.includes(nf(want)), want);
  });

  it('the reviewer scores the register and the agency answers', async () => {
    const reviewer = await as('reviewer');
    await reviewer.goto(`${server.url}${registerPath}`);
    for (const [group, points] of [
      ['ครอบคลุมทุกด้านความเสี่ยง', 'ผ่านบางส่วน (1)'],
      ['ใช้หลักฐานจากข้อมูล', 'ผ่าน (2)'],
      ['กำหนดการควบคุมและการดำเนินการ', 'ผ่าน (2)'],
      ['การดำเนินการตามกำหนดเวลา', 'ผ่าน (2)'],
    ])
      await reviewer.getByRole('group', { name: group }).getByLabel(points).check();
    await reviewer.getByLabel('ความเห็น').fill('ควรประเมินด้านการใช้จ่ายงบประมาณเพิ่ม');
    await clickAndLoad(reviewer, reviewer.getByRole('button', { name: 'บันทึกผลการสอบทาน' }));
    await reviewer.getByRole('heading', { name: 'คะแนน 7 จาก 8' }).waitFor();

    const officer = await as('officer');
    await officer.goto(`${server.url}${registerPath}`);
    await officer.getByLabel('คำชี้แจงของหน่วยงาน').fill('จะเพิ่มความเสี่ยงด้านงบประมาณในรอบหกเดือน');
    await clickAndLoad(officer, officer.getByRole('button', { name: 'ส่งคำชี้แจง' }));
    await reviewer.reload();
    await reviewer.getByText('จะเพิ่มความเสี่ยงด้านงบประมาณในรอบหกเดือน').waitFor();
    await axe.check();
  });

  it('works on a 390 px phone without JavaScript, and nothing leaves the server', async () => {
    const officer = await as('officer');
    const phone = await openContext(browser, PHONE);
    contexts.push(phone);
    axe.watch(phone.context);
    await phone.context.addCookies(await officer.context().cookies());
    for (const href of [
      registerPath,
      `${registerPath}/risks/${await firstRiskId()}`,
      `/staff/risk/signals?fy=${year}`,
      '/staff/procurement',
      '/staff/procurement/process?ocid=th-egp-66019000001',
    ]) {
      const res = await phone.page.goto(`${server.url}${href}`);
      assert.equal(res?.status(), 200, href);
      await phone.page.getByRole('heading', { level: 1 }).waitFor();
      // nothing wider than the phone (the published digest wraps): no sideways scrolling
      const width = await phone.page.evaluate<number>('document.documentElement.scrollWidth');
      assert.ok(width <= 390, `${href} is ${width} px wide on a 390 px phone`);
    }
    await axe.check();
    assert.ok(axe.checked >= 8, `axe checked ${axe.checked} pages`);
    for (const c of contexts) assert.deepEqual(foreignRequests(c.requests, server.url), []);
  });
});

export type { Page };
