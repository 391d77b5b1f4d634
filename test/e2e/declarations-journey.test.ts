// Interest and asset declarations end to end in a real browser against the real server process:
// - the agency administrator designates a procurement position and its holder (desktop);
// - the holder files on a 390 px phone with JavaScript off: one fault first (a juristic-person
//   number with a wrong check digit, shown in the summary and beside its field, everything typed
//   kept), fixed, filed once (a reload files nothing new);
// - the declaration reviewer, on a desktop, sees the flag of the automatic checks and the
//   conflict-of-interest alert raised by a contract of the agency won by the declared business;
// - a colleague on the team of a case the declarant also handles records on the case page that the
//   case concerns the declared business: a wrong check digit refused on a desktop, the number typed
//   in Thai digits on a 390 px phone without JavaScript; the declarant then sees the case alert with
//   the recusal offer.
// The agency and staff come from the CLI; the contract is seeded in the procurement tables, the case
// filed through the API. axe (WCAG 2.2 A/AA) checks every page loaded.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { connect, type Db } from '../../src/db/connection.ts';
import { watchAxe } from '../support/axe.ts';
import { foreignRequests, launchBrowser, openContext, PHONE, type RecordedContext } from '../support/browser.ts';
import { checkErrorSummary, refusedForm } from '../support/error-summary.ts';
import { api } from '../support/http.ts';
import { seedContract } from '../support/declarations.ts';
import { addAgencyByCli, addStaffByCli, clickAndLoad, closeJourney, pathOf, staffPages } from '../support/journey.ts';
import { cliEnvOf, serverFixture, startServerProcess, type ServerProcess } from '../support/server.ts';

const PASSWORD = 'a long staff passphrase for the declarations journey';
const STAFF = {
  admin: { email: 'admin@town.example', role: 'agency_admin', name: 'สมศักดิ์ ผู้ดูแล', agency: 'TOWN' },
  declarant: { email: 'supply@town.example', role: 'intake_officer', name: 'สมปอง พัสดุ', agency: 'TOWN' },
  colleague: { email: 'intake@town.example', role: 'intake_officer', name: 'สมใจ รับเรื่อง', agency: 'TOWN' },
  reviewer: { email: 'review@town.example', role: 'declaration_reviewer', name: 'สมพร ผู้ตรวจบัญชี', agency: 'TOWN' },
} as const;
const SUPPLIER = '0107544000108';
const SUPPLIER_NAME = 'บริษัทก่อสร้างตัวอย่าง จำกัด';

describe('a declaration filed on a phone without JavaScript, reviewed on a desktop', () => {
  let fixture: Awaited<ReturnType<typeof serverFixture>>;
  let server: ServerProcess;
  let browser: Browser;
  let db: Db;
  let axe: ReturnType<typeof watchAxe>;
  let phone: RecordedContext;
  let declarationPath = '';
  let reference = '';
  const contexts: RecordedContext[] = [];
  const as = staffPages({ browser: () => browser, baseUrl: () => server.url, contexts }, STAFF, PASSWORD, (page) =>
    axe.watch(page.context()),
  );

  before(async () => {
    fixture = await serverFixture();
    const env = cliEnvOf(fixture);
    await addAgencyByCli(env, 'TOWN', 'เทศบาลเมืองตัวอย่าง', 'Example Town');
    await addStaffByCli(env, Object.values(STAFF), PASSWORD);
    db = connect(fixture.database.url, 2);
    await seedContract(db, {
      agencyCode: 'TOWN',
      ocid: 'ocds-egp-67019999999',
      title: 'จ้างก่อสร้างถนนคอนกรีต',
      supplierId: SUPPLIER,
      supplierName: SUPPLIER_NAME,
    });
    server = await startServerProcess({ databaseUrl: fixture.database.url, dataDir: fixture.dataDir });
    // a case for the agency's intake officers, the declarant among them
    const filed = await api<{ reference: string }>(server.url, 'POST', '/api/v1/reports', {
      agency: 'TOWN',
      category: 'bribery',
      what: 'ฮั้วประมูลถนน (ทดสอบ)',
    });
    assert.equal(filed.status, 201, filed.text);
    reference = filed.json.reference;
    browser = await launchBrowser();
    const checker = await openContext(browser, { javaScriptEnabled: true });
    contexts.push(checker);
    axe = watchAxe(checker.page, server.url);
  });

  after(async () => {
    await db?.destroy();
    await closeJourney({ contexts, browser, server, fixture });
  });

  it('the administrator designates a procurement position and its holder', async () => {
    const page = await as('admin');
    await page.goto(`${server.url}/staff/admin/declarations`);
    await page.getByLabel('กลุ่มตำแหน่ง').selectOption('procurement');
    await page.getByLabel('ชื่อตำแหน่ง').fill('เจ้าหน้าที่พัสดุ');
    await clickAndLoad(page, page.getByRole('button', { name: 'เพิ่มตำแหน่ง' }));
    await page.getByRole('status').filter({ hasText: 'เพิ่มตำแหน่งแล้ว' }).waitFor();
    await page.getByLabel('เจ้าหน้าที่', { exact: true }).selectOption({ label: STAFF.declarant.name });
    await page.getByLabel('วันที่', { exact: true }).fill('1/12/2569');
    await clickAndLoad(page, page.getByRole('button', { name: 'บันทึกผู้ดำรงตำแหน่ง' }));
    await page.getByRole('status').filter({ hasText: 'บันทึกผู้ดำรงตำแหน่งแล้ว' }).waitFor();
    await page.getByText(`${STAFF.declarant.name}: 01/12/2569`).waitFor();
    await axe.check();
  });

  it('the holder files on a 390 px phone without JavaScript, one fault fixed on the way, once', async () => {
    const desktop = await as('declarant');
    phone = await openContext(browser, PHONE);
    contexts.push(phone);
    axe.watch(phone.context);
    await phone.context.addCookies(await desktop.context().cookies());
    const page = phone.page;
    await page.goto(`${server.url}/staff/declarations`);
    await page.getByText('เจ้าหน้าที่พัสดุ (จัดซื้อจัดจ้าง)').waitFor();
    await clickAndLoad(page, page.getByRole('link', { name: 'ยื่นบัญชี' }).first());
    assert.equal(pathOf(page), '/staff/declarations/new?occasion=entry');
    await page.getByLabel('เมื่อเข้ารับตำแหน่ง').check();
    await page.locator('[id="income"]').fill('120,000');
    await page.locator('[id="asset.0.kind"]').selectOption('deposit');
    await page.locator('[id="asset.0.description"]').fill('เงินฝากออมทรัพย์');
    await page.locator('[id="asset.0.value"]').fill('2,000,000');
    await page.locator('[id="asset.1.kind"]').selectOption('land');
    await page.locator('[id="asset.1.description"]').fill('ที่ดินมรดก');
    await page.locator('[id="asset.1.acquired"]').fill('1/2/2567');
    await page.locator('[id="interest.0.kind"]').selectOption('relative_business');
    await page.locator('[id="interest.0.juristic"]').fill('0-1075-44000-10-9');
    await page.locator('[id="interest.0.name"]').fill(SUPPLIER_NAME);
    const refused = await clickAndLoad(page, page.locator('#file-declaration'));
    assert.equal(refused.status(), 400);
    await checkErrorSummary(page, ['interest.0.juristic']);
    assert.equal(await page.locator('[id="asset.1.description"]').inputValue(), 'ที่ดินมรดก', 'nothing typed is lost');
    assert.equal(await page.locator('[id="asset.0.kind"]').inputValue(), 'deposit');
    await axe.check();
    await page.locator('[id="interest.0.juristic"]').fill('0-1075-44000-10-8');
    const filed = await clickAndLoad(page, page.locator('#file-declaration'));
    assert.equal(filed.status(), 200);
    await page.getByRole('status').filter({ hasText: 'ยื่นบัญชีแล้ว' }).waitFor();
    declarationPath = new URL(page.url()).pathname;
    await page.reload();
    await page.getByRole('heading', { level: 1 }).waitFor();
    const rows = await db.selectFrom('declaration').select('id').execute();
    assert.equal(rows.length, 1, 'filed once');
    assert.equal(`/staff/declarations/${rows[0]?.id}`, declarationPath);
    const width = await page.evaluate<number>('document.documentElement.scrollWidth');
    assert.ok(width <= 390, `no sideways scrolling on the phone: ${width}`);
    await axe.check();
  });

  it('the reviewer sees the flag and the conflict-of-interest alert', async () => {
    const page = await as('reviewer');
    assert.equal(pathOf(page), '/staff/declarations/review', 'a reviewer lands on the list');
    const row = page.getByRole('row', { name: new RegExp(STAFF.declarant.name) });
    await row.getByText('เงินฝากและเงินสดสูงเกิน 10 เท่าของรายได้').waitFor();
    await row.getByText('ทรัพย์สินที่ได้มาโดยไม่ระบุมูลค่า').waitFor();
    await clickAndLoad(page, row.getByRole('link', { name: STAFF.declarant.name }));
    assert.equal(pathOf(page), declarationPath);
    await page.getByText('ธุรกิจที่แจ้งได้รับสัญญาของหน่วยงาน').waitFor();
    await page.getByText(/ocds-egp-67019999999/).waitFor();
    await page.getByText('เงินฝากและเงินสดรวมตั้งแต่ 10 เท่าของรายได้ต่อปีที่แจ้งขึ้นไป', { exact: false }).waitFor();
    await axe.check();
    // the administrator reads nothing of it
    const admin = await as('admin');
    const res = await admin.goto(`${server.url}${declarationPath}`);
    assert.equal(res?.status(), 404);
    assert.ok(!(await admin.content()).includes('เงินฝากออมทรัพย์'));
  });

  it('a colleague on the case team records the declared business on the case page, desktop and phone', async () => {
    const page = await as('colleague');
    await page.goto(`${server.url}/staff/cases/${reference}`);
    const section = page.getByRole('region', { name: 'ธุรกิจที่เกี่ยวข้องกับเรื่อง' });
    await section.getByText('ยังไม่ได้บันทึกธุรกิจที่เกี่ยวข้อง').waitFor();
    await section.getByLabel('เลขทะเบียนนิติบุคคล').fill('0-1075-44000-10-9');
    await section.getByLabel('ชื่อธุรกิจ (ไม่บังคับ)').fill(SUPPLIER_NAME);
    assert.deepEqual(await refusedForm(page, section.getByRole('button', { name: 'บันทึกธุรกิจ' })), ['business-id']);
    assert.equal(await page.getByLabel('ชื่อธุรกิจ (ไม่บังคับ)').inputValue(), SUPPLIER_NAME, 'nothing typed is lost');
    await axe.check();
    // the same on a 390 px phone without JavaScript, the number in Thai digits
    const small = await openContext(browser, PHONE);
    contexts.push(small);
    axe.watch(small.context);
    await small.context.addCookies(await page.context().cookies());
    await small.page.goto(`${server.url}/staff/cases/${reference}#businesses`);
    const mobile = small.page.getByRole('region', { name: 'ธุรกิจที่เกี่ยวข้องกับเรื่อง' });
    await mobile.getByLabel('เลขทะเบียนนิติบุคคล').fill('๐-๑๐๗๕-๔๔๐๐๐-๑๐-๘');
    await mobile.getByLabel('ชื่อธุรกิจ (ไม่บังคับ)').fill(SUPPLIER_NAME);
    await clickAndLoad(small.page, mobile.getByRole('button', { name: 'บันทึกธุรกิจ' }));
    await small.page.getByRole('status').filter({ hasText: 'บันทึกธุรกิจที่เกี่ยวข้องแล้ว' }).waitFor();
    await small.page.getByRole('cell', { name: SUPPLIER, exact: true }).waitFor();
    await small.page.getByText('บันทึกธุรกิจที่เกี่ยวข้องกับเรื่อง').first().waitFor();
    const width = await small.page.evaluate<number>('document.documentElement.scrollWidth');
    assert.ok(width <= 390, `no sideways scrolling on the phone: ${width}`);
    await axe.check();
  });

  it('the declarant sees the case alert with the recusal offer', async () => {
    const page = await as('declarant');
    await page.goto(`${server.url}/staff/declarations`);
    await page.getByRole('alert').filter({ hasText: 'พบการขัดกันแห่งผลประโยชน์ใหม่ 1 รายการ' }).waitFor();
    await clickAndLoad(page, page.getByRole('link', { name: /เมื่อเข้ารับตำแหน่ง/ }));
    assert.equal(pathOf(page), declarationPath);
    await page.getByText('ธุรกิจที่แจ้งเกี่ยวข้องกับเรื่องที่ผู้ยื่นรับผิดชอบ').waitFor();
    await page.getByRole('button', { name: 'ขอถอนตัวจากเรื่องนี้' }).waitFor();
    await axe.check();
    assert.ok(axe.checked >= 8, `axe checked ${axe.checked} pages`);
    for (const c of contexts) assert.deepEqual(foreignRequests(c.requests, server.url), []);
  });
});
