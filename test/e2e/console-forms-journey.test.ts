// The console's forms beside case handling, in a real browser with JavaScript off, against the real
// server process: an intake officer takes a late-permit complaint and a service complaint for
// callers on the phone, tells the permit applicant the reason for the delay and records the
// decision, and marks the service complaint as spam from the inbox. Each form is first sent with a
// fault and comes back with the one error pattern (issue 13, B.8): a summary whose links lead to
// the fields, each marked invalid and described by its own message, with what was typed kept. axe
// (WCAG 2.2 A/AA) checks every page loaded; the database is checked after the UI acts.
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { bangkokToday } from '../../src/cases/permit-dates.ts';
import { watchAxe } from '../support/axe.ts';
import { launchBrowser, openContext, type RecordedContext } from '../support/browser.ts';
import { refusedForm } from '../support/error-summary.ts';
import { smallTapTargets } from '../support/tap-targets.ts';
import { addStaffByCli, clickAndLoad, closeJourney, runCli, staffPages } from '../support/journey.ts';
import { cliEnvOf, serverFixture, startServerProcess, type ServerProcess } from '../support/server.ts';

const PASSWORD = 'a long staff passphrase for the console forms';
const STAFF = {
  io: { agency: 'OPDC', email: 'intake@opdc.example', role: 'intake_officer', name: 'สมหญิง รับเรื่อง' },
} as const;
const CALLER = { name: 'นายประหยัด รอนาน', contact: '089-765-4321' };
const DELAY = 'รอผลการตรวจสถานที่จากเทศบาล คาดว่าจะแล้วเสร็จภายในสองสัปดาห์';

/** A day `days` before today in Bangkok, as Thai staff type it: DD/MM/YYYY in the Buddhist Era. */
function beDaysAgo(days: number): string {
  const [y, m, d] = bangkokToday(new Date(Date.now() - days * 86_400_000)).split('-');
  return `${d}/${m}/${Number(y) + 543}`;
}

describe('the console forms beside case handling, in a browser without JavaScript', () => {
  let fixture: Awaited<ReturnType<typeof serverFixture>>;
  let server: ServerProcess;
  let browser: Browser;
  const contexts: RecordedContext[] = [];
  let axe: ReturnType<typeof watchAxe>;
  let page: Page;
  const refs: { permit: string; complaint: string } = { permit: '', complaint: '' };
  const shot = (name: string) =>
    page.screenshot({ path: path.join(tmpdir(), `sujarit-e2e-${name}.png`), fullPage: true });

  const caseRow = (reference: string) =>
    fixture.database.db
      .selectFrom('report_case')
      .select(['status', 'channel', 'outcome'])
      .where('reference', '=', reference)
      .executeTakeFirstOrThrow();

  before(async () => {
    fixture = await serverFixture();
    const env = cliEnvOf(fixture);
    assert.match(
      await runCli(['agency', 'add', '--code', 'OPDC', '--name-th', 'สำนักงาน ก.พ.ร.', '--name-en', 'OPDC'], env),
      /agency OPDC added/,
    );
    await addStaffByCli(env, Object.values(STAFF), PASSWORD);
    server = await startServerProcess({ databaseUrl: fixture.database.url, dataDir: fixture.dataDir });
    browser = await launchBrowser();
    const checker = await openContext(browser, { javaScriptEnabled: true });
    contexts.push(checker);
    axe = watchAxe(checker.page, server.url);
    page = await staffPages({ browser: () => browser, baseUrl: () => server.url, contexts }, STAFF, PASSWORD)('io');
    axe.watch(page.context());
  });

  after(() => closeJourney({ contexts, browser, server, fixture }));

  /** Files the caller form now shown, first sent with only the channel and agency it proposes. */
  const fileForCaller = async (fill: () => Promise<void>, faults: string[]) => {
    const send = page.getByRole('button', { name: 'ส่งเรื่องร้องเรียน', exact: true });
    assert.deepEqual(await refusedForm(page, send), faults);
    await fill();
    await page.getByLabel('ชื่อ-นามสกุล').fill(CALLER.name);
    await page.getByLabel('โทรศัพท์หรืออีเมลสำหรับติดต่อกลับ').fill(CALLER.contact);
    const done = await clickAndLoad(page, send);
    assert.equal(done.status(), 200, await done.text());
    await page.getByRole('heading', { level: 1, name: 'บันทึกเรื่องแล้ว' }).waitFor();
    const reference = /OPDC-\d{4}-\d{6}/.exec((await page.locator('main').textContent()) ?? '')?.[0];
    assert.ok(reference, 'the reference is shown');
    return reference;
  };

  it('takes a late-permit complaint and a service complaint for callers on the phone', async () => {
    assert.equal((await page.goto(`${server.url}/staff/complaints/new?type=permit`))?.status(), 200);
    assert.ok(await page.getByRole('radio', { name: 'โทรศัพท์' }).isChecked(), 'the phone by default');
    refs.permit = await fileForCaller(async () => {
      await page.getByLabel('เลขที่คำขอหรือเลขที่รับเรื่อง').fill('อ.1/2569');
      await page.getByLabel('วันที่ยื่นคำขอ').fill(beDaysAgo(40));
      await page.getByLabel('วันที่ต้องได้รับผลตามคู่มือสำหรับประชาชน').fill(beDaysAgo(10));
      await page.getByLabel('ขออนุญาตเรื่องอะไร', { exact: false }).fill('ขออนุญาตก่อสร้างอาคาร ยังไม่ได้รับผล');
    }, ['permitReference', 'filedOn', 'manualDueOn', 'what', 'identityName', 'identityContact']);
    assert.deepEqual(await caseRow(refs.permit), { status: 'new', channel: 'phone', outcome: null });
    await shot('caller-done');

    assert.equal((await page.goto(`${server.url}/staff/complaints/new`))?.status(), 200);
    refs.complaint = await fileForCaller(async () => {
      await page.getByRole('radio', { name: 'ให้บริการล่าช้า', exact: true }).check();
      await page.getByLabel('รายละเอียดที่ร้องเรียน').fill('ข้อความทดสอบระบบ ไม่ใช่เรื่องร้องเรียนจริง');
    }, ['category-service_delay', 'what', 'identityName', 'identityContact']);
    await axe.check();
  });

  it('tells the applicant the reason for the delay and records the decision, each refused once first', async () => {
    const permit = `${server.url}/staff/cases/${encodeURIComponent(refs.permit)}/permit`;
    assert.equal((await page.goto(permit))?.status(), 200);
    const send = page.getByRole('button', { name: 'ส่งถึงผู้ยื่นคำขอ', exact: true });
    assert.deepEqual(await refusedForm(page, send), ['reason']);
    await page.getByRole('textbox', { name: 'เหตุแห่งความล่าช้า' }).fill(DELAY);
    assert.equal((await clickAndLoad(page, send)).status(), 200);
    await page.getByRole('status').waitFor();

    const save = page.getByRole('button', { name: 'บันทึกผลการพิจารณา', exact: true });
    assert.deepEqual(await refusedForm(page, save), ['decision', 'decidedOn']);
    await page.getByRole('radio', { name: 'อนุญาต', exact: true }).check();
    await page.getByLabel('วันที่พิจารณาแล้วเสร็จ').fill('31/02/2569');
    assert.deepEqual(await refusedForm(page, save), ['decidedOn']);
    assert.ok(await page.getByRole('radio', { name: 'อนุญาต', exact: true }).isChecked(), 'the choice is kept');
    await shot('permit-refused');
    await page.getByLabel('วันที่พิจารณาแล้วเสร็จ').fill(beDaysAgo(1));
    assert.equal((await clickAndLoad(page, save)).status(), 200);
    const decided = await fixture.database.db
      .selectFrom('permit_request')
      .innerJoin('report_case', 'report_case.id', 'permit_request.case_id')
      .select('permit_request.decision')
      .where('report_case.reference', '=', refs.permit)
      .executeTakeFirstOrThrow();
    assert.equal(decided.decision, 'approved');
    await axe.check();
  });

  it('marks the service complaint as spam from the inbox, the empty reason refused first', async () => {
    assert.equal((await page.goto(`${server.url}/staff/cases`))?.status(), 200);
    assert.deepEqual(await smallTapTargets(page), [], 'the row boxes can be tapped (24 px at least)');
    // on a phone, each filter's label stays on the line of its list (not at the end of the line above)
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      for (const id of ['f-status', 'f-kind', 'f-category', 'f-due']) {
        const label = await page.locator(`label[for="${id}"]`).boundingBox();
        const list = await page.locator(`#${id}`).boundingBox();
        assert.ok(label && list, id);
        const middle = label.y + label.height / 2;
        assert.ok(middle > list.y && middle < list.y + list.height, `${id}: label beside its list`);
        assert.ok(list.x + list.width <= 390, `${id} fits the phone`);
      }
    } finally {
      await page.setViewportSize({ width: 1280, height: 900 });
    }
    await page.getByLabel(`เลือกเรื่อง ${refs.complaint}`).check();
    const confirm = await clickAndLoad(page, page.getByRole('button', { name: 'ทำเครื่องหมายเรื่องที่เลือกว่าเป็นสแปม…' }));
    assert.equal(confirm.status(), 200);
    await page.getByLabel('เหตุผล', { exact: false }).fill('');
    const mark = page.getByRole('button', { name: 'ยืนยัน ทำเครื่องหมาย 1 เรื่องว่าเป็นสแปม' });
    assert.deepEqual(await refusedForm(page, mark), ['reason']);
    await shot('spam-refused');
    assert.deepEqual(await caseRow(refs.complaint), { status: 'new', channel: 'phone', outcome: null });
    await page.getByLabel('เหตุผล', { exact: false }).fill('สายทดสอบระบบ ไม่ใช่เรื่องร้องเรียน');
    assert.equal((await clickAndLoad(page, mark)).status(), 200);
    await page.getByText('ยุติเรื่องในฐานะสแปมแล้ว 1 เรื่อง').waitFor();
    assert.deepEqual(await caseRow(refs.complaint), {
      status: 'closed',
      channel: 'phone',
      outcome: 'unfounded_or_malicious',
    });
    await axe.check();
    assert.ok(axe.checked >= 10, `axe looked at ${axe.checked} pages`);
  });
});
