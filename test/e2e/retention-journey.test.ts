// Retention in a real browser against the real server process: the agency administrator sets a
// rule (a negative period refused first, with the one error pattern), an intake officer closes two
// tips as spam, a supervisor puts one under a legal hold (an empty reason refused first), and the
// reporters, on a phone with JavaScript off, see the day their case will be deleted (Buddhist Era)
// or that it is held. axe (WCAG 2.2 A/AA) checks every page loaded.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { deletionDate } from '../../src/agencies/retention-rules.ts';
import { formatDayOf } from '../../src/i18n/messages.ts';
import { watchAxe } from '../support/axe.ts';
import { launchBrowser, openContext, PHONE, type RecordedContext } from '../support/browser.ts';
import { refusedForm } from '../support/error-summary.ts';
import { api } from '../support/http.ts';
import { addStaffByCli, clickAndLoad, closeJourney, pathOf, runCli, staffPages } from '../support/journey.ts';
import { cliEnvOf, serverFixture, startServerProcess, type ServerProcess } from '../support/server.ts';

const PASSWORD = 'a long staff passphrase for retention';
const STAFF = {
  admin: { agency: 'OPDC', email: 'admin@opdc.example', role: 'agency_admin', name: 'ผู้ดูแลหน่วยงาน' },
  io: { agency: 'OPDC', email: 'intake@opdc.example', role: 'intake_officer', name: 'สมหญิง รับเรื่อง' },
  sup: { agency: 'OPDC', email: 'sup@opdc.example', role: 'supervisor', name: 'สมชาย หัวหน้า' },
} as const;

describe('retention in a browser: a rule, a legal hold, and the reporter told when', () => {
  let fixture: Awaited<ReturnType<typeof serverFixture>>;
  let server: ServerProcess;
  let browser: Browser;
  const contexts: RecordedContext[] = [];
  let axe: ReturnType<typeof watchAxe>;
  let staff: (who: keyof typeof STAFF) => Promise<Page>;
  const filed: { receipt: string; reference: string }[] = [];

  before(async () => {
    fixture = await serverFixture();
    const env = cliEnvOf(fixture);
    await runCli(['agency', 'add', '--code', 'OPDC', '--name-th', 'สำนักงาน ก.พ.ร.', '--name-en', 'OPDC'], env);
    await addStaffByCli(env, Object.values(STAFF), PASSWORD);
    server = await startServerProcess({ databaseUrl: fixture.database.url, dataDir: fixture.dataDir });
    browser = await launchBrowser();
    const checker = await openContext(browser, { javaScriptEnabled: true });
    contexts.push(checker);
    axe = watchAxe(checker.page, server.url);
    staff = staffPages({ browser: () => browser, baseUrl: () => server.url, contexts }, STAFF, PASSWORD);
    for (const what of ['เรียกรับเงินใต้โต๊ะ (ทดสอบ)', 'ฮั้วประมูล (ทดสอบ)']) {
      const r = await api<{ receipt: string; reference: string }>(server.url, 'POST', '/api/v1/reports', {
        agency: 'OPDC',
        category: 'bribery',
        what,
      });
      assert.equal(r.status, 201, r.text);
      filed.push(r.json);
    }
  });
  after(() => closeJourney({ contexts, browser, server, fixture }));

  it('the agency administrator sets unfounded tips to 3 months, a negative period refused first', async () => {
    const page = await staff('admin');
    axe.watch(page.context());
    assert.equal((await page.goto(`${server.url}/staff/admin/retention`))?.status(), 200);
    const field = page.getByRole('textbox', { name: 'ไม่มีมูลหรือกลั่นแกล้ง' }).first();
    await field.fill('-3');
    const save = page.getByRole('button', { name: 'บันทึก', exact: true });
    assert.deepEqual(await refusedForm(page, save), ['case.tip.unfounded_or_malicious']);
    await page.getByText('ใส่จำนวนเดือนเป็นจำนวนเต็มตั้งแต่ 1 ถึง 600').first().waitFor();
    await field.fill('3');
    assert.equal((await clickAndLoad(page, save)).status(), 200);
    await page.getByText('บันทึกระยะเวลาเก็บรักษาแล้ว').waitFor();
    await page.getByText('หน่วยงานกำหนด: 3 เดือน').waitFor();
    await axe.check();
  });

  it('the intake officer closes both tips as spam', async () => {
    const page = await staff('io');
    axe.watch(page.context());
    assert.equal((await page.goto(`${server.url}/staff/cases`))?.status(), 200);
    for (const f of filed) await page.getByLabel(`เลือกเรื่อง ${f.reference}`).check();
    await clickAndLoad(page, page.getByRole('button', { name: 'ทำเครื่องหมายเรื่องที่เลือกว่าเป็นสแปม…' }));
    await page.getByLabel('เหตุผล', { exact: false }).fill('ทดสอบระบบ ไม่ใช่เรื่องจริง');
    await clickAndLoad(page, page.getByRole('button', { name: 'ยืนยัน ทำเครื่องหมาย 2 เรื่องว่าเป็นสแปม' }));
    await page.getByText('ยุติเรื่องในฐานะสแปมแล้ว 2 เรื่อง').waitFor();
  });

  it('the supervisor holds the second case, an empty reason refused first', async () => {
    const page = await staff('sup');
    axe.watch(page.context());
    assert.equal((await page.goto(`${server.url}/staff/cases/${filed[1].reference}`))?.status(), 200);
    const hold = page.getByRole('button', { name: 'ระงับการลบเรื่องนี้', exact: true });
    assert.deepEqual(await refusedForm(page, hold), ['hold-reason']);
    await page.getByLabel('เหตุผล (เข้ารหัสให้ทีมผู้รับผิดชอบเรื่องอ่าน)').fill('สำนักงานตรวจเงินแผ่นดินขอให้เก็บไว้');
    assert.equal((await clickAndLoad(page, hold)).status(), 200);
    await page.getByText('ระงับการลบเรื่องนี้แล้ว').waitFor();
    await page.getByRole('button', { name: 'ยกเลิกการระงับการลบ', exact: true }).waitFor();
    await axe.check();
  });

  it('the reporters, on a phone without JavaScript, see the deletion day or the hold', async () => {
    const reporter = await openContext(browser, { ...PHONE, javaScriptEnabled: false });
    contexts.push(reporter);
    axe.watch(reporter.context);
    const closed = await fixture.database.db
      .selectFrom('case_event as e')
      .innerJoin('report_case as c', 'c.id', 'e.case_id')
      .select('e.at')
      .where('c.reference', '=', filed[0].reference)
      .where('e.to_status', '=', 'closed')
      .executeTakeFirstOrThrow();
    const on = formatDayOf('th', deletionDate(closed.at, 3));
    const texts: string[] = [];
    for (const f of filed) {
      const page = reporter.page;
      assert.equal((await page.goto(`${server.url}/followup`))?.status(), 200);
      await page.getByLabel('รหัสติดตามเรื่อง 16 หลัก').fill(f.receipt);
      const opened = await clickAndLoad(page, page.getByRole('button', { name: 'เข้าสู่เรื่องของฉัน' }));
      assert.equal(opened.status(), 200, await opened.text());
      assert.equal(pathOf(page), '/followup/case');
      texts.push(((await page.getByRole('region', { name: 'การเก็บรักษาเรื่องของคุณ' }).textContent()) ?? '').trim());
      await axe.check();
      await clickAndLoad(page, page.getByRole('button', { name: 'ออกจากระบบ', exact: true }));
    }
    assert.match(texts[0], new RegExp(`เรื่องนี้จะถูกลบถาวรในวันที่ ${on}`));
    assert.match(texts[0], /25\d\d/, 'a Buddhist Era year');
    assert.match(texts[1], /ถูกระงับการลบไว้เพื่อใช้ตามกฎหมาย/);
  });
});
