// National oversight through HTTP: the platform administrator grants an overseer two agencies and
// sets agency attributes (audited); the overseer sees exactly those agencies (filters, drill-down,
// CSV, the cross-agency PDF read back with pdftotext) and never another agency or a case; hostile
// requests (other roles, forged codes, another agency's page, no CSRF token, bad report options).
import assert from 'node:assert/strict';
import { execFile as execFileCb } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { createTestApp, loginCode, PASSWORD, seedAgency, seedStaff, type TestApp } from '../../../test/support/app.ts';
import { seedFixture } from '../../../test/support/opendata.ts';
import { csrfOf, get, type Jar, newJar, postForm } from '../../../test/support/web.ts';
import { setOversight } from '../../opendata/oversight.ts';
import { currentFiscalYear } from '../../cases/figures.ts';
import { listFrameworks, loadShippedFramework } from '../../ita/framework.ts';

const execFile = promisify(execFileCb);

async function signIn(h: TestApp, email: string): Promise<Jar> {
  const jar = newJar();
  const page = await get(h.app, jar, '/staff/login');
  const res = await postForm(h.app, jar, '/staff/login', {
    _csrf: csrfOf(page.body),
    email,
    password: PASSWORD,
    code: loginCode(email),
  });
  assert.equal(res.statusCode, 303, res.body);
  return jar;
}

describe('national oversight', () => {
  let h: TestApp;
  let dir: string;
  const jars: Record<string, Jar> = {};
  const fy = currentFiscalYear();
  before(async () => {
    h = await createTestApp();
    dir = await mkdtemp(path.join(tmpdir(), 'sujarit-oversight-'));
    for (const code of ['OPDC', 'LOCAL1', 'LOCAL2', 'CENT1']) await seedAgency(h.db, code);
    const ids = await seedFixture(h.db);
    await seedStaff(h.db, null, 'root@platform.example', ['platform_admin']);
    const overseer = await seedStaff(h.db, 'OPDC', 'overseer@opdc.example', ['auditor']);
    await seedStaff(h.db, 'LOCAL1', 'officer@local1.example', ['intake_officer']);
    // LOCAL1's cycle this fiscal year: 12 links, 7 answers, one measure with its six-month progress.
    const f = loadShippedFramework(listFrameworks()[0]);
    const cycle = await h.db
      .insertInto('ita_cycle')
      .values({
        agency_id: ids.LOCAL1,
        fiscal_year: fy,
        framework_name: listFrameworks()[0],
        framework: JSON.stringify(f),
        public_code: 'ov-local1',
        staff_count: 30,
        links_issued: 12,
        iit_responses: 4,
        eit_responses: 3,
        opened_by: overseer.id,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await h.db
      .insertInto('ita_oit_item')
      .values({ cycle_id: cycle.id, item_id: f.checklist[0].id, evidence_url: 'https://local1.example/o1' })
      .execute();
    const m = await h.db
      .insertInto('ita_measure')
      .values({
        cycle_id: cycle.id,
        indicator: f.indicators[0].number,
        title: 'โครงการเปิดเผยข้อมูลการจัดซื้อจัดจ้าง',
        objective: 'ให้ประชาชนตรวจสอบได้',
        steps: 'จัดทำหน้าเว็บ',
        responsible_unit: 'กองคลัง',
        starts_on: `${fy - 544}-10-01`,
        ends_on: `${fy - 543}-09-30`,
        budget: '50000',
        created_by: overseer.id,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await h.db
      .insertInto('ita_progress')
      .values({
        measure_id: m.id,
        round: 6,
        progress: 'ดำเนินการแล้วครึ่งหนึ่ง',
        percent: 50,
        budget_used: '20000',
        problems: 'ขาดบุคลากร',
        suggestions: 'อบรมเพิ่ม',
        recorded_by: overseer.id,
      })
      .execute();
    // Risk registers: LOCAL1's of this year published and reviewed twice, last year's not counted;
    // LOCAL2's of this year opened only.
    const register = async (agencyId: number, year: number) =>
      (
        await h.db
          .insertInto('risk_register')
          .values({ agency_id: agencyId, fiscal_year: year, matrix_name: 'nacc-5x5', created_by: overseer.id })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    const local1 = await register(ids.LOCAL1, fy);
    await register(ids.LOCAL1, fy - 1);
    await register(ids.LOCAL2, fy);
    await h.db
      .insertInto('risk_publication')
      .values({
        register_id: local1,
        outbox_id: 1,
        digest: Buffer.alloc(32, 7),
        snapshot: '{}',
        opening: '{}',
        published_by: overseer.id,
      })
      .execute();
    for (let i = 0; i < 2; i++)
      await h.db
        .insertInto('risk_review')
        .values({ register_id: local1, reviewer_user_id: overseer.id, scores: '{}', comment: 'ความเห็นลับของผู้สอบทาน' })
        .execute();
    for (const email of ['root@platform.example', 'overseer@opdc.example', 'officer@local1.example'])
      jars[email] = await signIn(h, email);
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
    await h.close();
  });

  const admin = () => jars['root@platform.example'];
  const overseer = () => jars['overseer@opdc.example'];

  it('the platform administrator grants two agencies and sets attributes; forged input is refused and shown', async () => {
    const page = await get(h.app, admin(), '/staff/admin/oversight');
    assert.equal(page.statusCode, 200);
    const csrf = csrfOf(page.body);
    const bad = await postForm(h.app, admin(), '/staff/admin/oversight/grant', {
      _csrf: csrf,
      email: 'overseer@opdc.example',
      agencies: 'LOCAL1 NOPE',
    });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /An agency code is not known|มีรหัสหน่วยงานที่ไม่รู้จัก/);
    const noCsrf = await postForm(h.app, admin(), '/staff/admin/oversight/grant', {
      email: 'overseer@opdc.example',
      agencies: 'LOCAL1',
    });
    assert.equal(noCsrf.statusCode, 403);
    const ok = await postForm(h.app, admin(), '/staff/admin/oversight/grant', {
      _csrf: csrf,
      email: 'overseer@opdc.example',
      agencies: 'LOCAL1, LOCAL2',
    });
    assert.equal(ok.statusCode, 303);
    const attr = await postForm(h.app, admin(), '/staff/admin/oversight/agency', {
      _csrf: csrf,
      code: 'LOCAL2',
      ministry: 'กระทรวงมหาดไทย',
      province: 'ลำพูน',
      agencyType: 'local',
    });
    assert.equal(attr.statusCode, 303);
    // choosing an agency (a GET form: no JavaScript) fills the details form with what is saved
    const chosen = await get(h.app, admin(), '/staff/admin/oversight?agency=LOCAL2');
    assert.equal(chosen.statusCode, 200);
    assert.match(chosen.body, /<option value="LOCAL2" selected>/);
    assert.match(chosen.body, /id="ministry" name="ministry" maxlength="200" value="กระทรวงมหาดไทย"/);
    assert.match(chosen.body, /id="province" name="province" maxlength="100" value="ลำพูน"/);
    assert.match(chosen.body, /<option value="local" selected>/);
    for (const forged of ['<script>', 'NOPE', 'x'.repeat(300)]) {
      const page = await get(h.app, admin(), `/staff/admin/oversight?agency=${encodeURIComponent(forged)}`);
      assert.equal(page.statusCode, 200, forged.slice(0, 20));
      assert.match(page.body, /id="province" name="province" maxlength="100" value=""/);
      assert.doesNotMatch(page.body, /<script>/);
    }
    const badType = await postForm(h.app, admin(), '/staff/admin/oversight/agency', {
      _csrf: csrf,
      code: 'LOCAL2',
      ministry: 'x',
      province: 'y',
      agencyType: 'mafia',
    });
    assert.equal(badType.statusCode, 400);
    const audit = await h.db
      .selectFrom('audit_event')
      .select(['action', 'detail'])
      .where('action', 'in', ['oversight_granted', 'agency_attributes_changed'])
      .execute();
    assert.deepEqual(audit.map((a) => a.action).sort(), ['agency_attributes_changed', 'oversight_granted']);
    // the role came with the grant: sign in again to carry it
    jars['overseer@opdc.example'] = await signIn(h, 'overseer@opdc.example');
    // other roles may not grant
    assert.equal((await get(h.app, overseer(), '/staff/admin/oversight')).statusCode, 403);
  });

  it('an overseer with no agency yet, or a filter that keeps none, is told why the page is empty', async () => {
    await seedStaff(h.db, 'OPDC', 'new-overseer@opdc.example', ['overseer']);
    const lonely = await signIn(h, 'new-overseer@opdc.example');
    const empty = await get(h.app, lonely, '/staff/oversight');
    assert.equal(empty.statusCode, 200, empty.body);
    assert.match(empty.body, /ยังไม่มีหน่วยงานในความกำกับดูแลของท่าน ผู้ดูแลระบบกลางเป็นผู้มอบหมายหน่วยงานให้/);
    assert.doesNotMatch(empty.body, /report\.pdf/, 'no report of nothing');
    const none = await get(h.app, overseer(), `/staff/oversight?fy=${fy}&province=${encodeURIComponent('ไม่มีจังหวัดนี้')}`);
    assert.equal(none.statusCode, 200, none.body);
    assert.match(none.body, /ไม่มีหน่วยงานในความกำกับดูแลที่ตรงกับตัวกรองนี้/);
    assert.doesNotMatch(none.body, /<table>/);
  });

  it('the overseer sees their two agencies at a glance, filtered, and nothing else', async () => {
    const res = await get(h.app, overseer(), `/staff/oversight?lang=en&fy=${fy}`);
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /2 agencies/);
    assert.match(
      res.body,
      /Agency LOCAL1[\s\S]*?12 links · 7 answered · OIT 1\/\d+[\s\S]*?1 measures · 1 reported · mean 50%[\s\S]*?20 cases · acknowledged on time 55.6%/,
    );
    assert.doesNotMatch(res.body, /Agency CENT1/);
    // the risk register's review status of the year, never a reviewer's words
    assert.match(
      res.body,
      /Agency LOCAL1[\s\S]*?<td data-label="Corruption-risk register">Published · reviewed 2 times<\/td><\/tr>/,
    );
    assert.match(
      res.body,
      /Agency LOCAL2[\s\S]*?<td data-label="Corruption-risk register">Opened, not published · reviewed 0 times<\/td><\/tr>/,
    );
    assert.doesNotMatch(res.body, /ความเห็นลับของผู้สอบทาน/);
    const lastYear = await get(h.app, overseer(), `/staff/oversight?lang=en&fy=${fy - 1}`);
    assert.match(
      lastYear.body,
      /Agency LOCAL1[\s\S]*?<td data-label="Corruption-risk register">Opened, not published · reviewed 0 times<\/td><\/tr>/,
    );
    assert.match(
      lastYear.body,
      /Agency LOCAL2[\s\S]*?<td data-label="Corruption-risk register">Not opened<\/td><\/tr>/,
    );
    const lamphun = await get(h.app, overseer(), `/staff/oversight?lang=en&province=${encodeURIComponent('ลำพูน')}`);
    assert.match(lamphun.body, /1 agencies/);
    assert.match(lamphun.body, /Agency LOCAL2/);
    const forged = await get(h.app, overseer(), '/staff/oversight?lang=en&type=<script>&fy=99999');
    assert.match(forged.body, /0 agencies/);
    assert.doesNotMatch(forged.body, /<script>/);
    assert.equal((await get(h.app, jars['officer@local1.example'], '/staff/oversight')).statusCode, 403);
  });

  it('drills down to one overseen agency (metadata only); another agency is not found', async () => {
    const res = await get(h.app, overseer(), '/staff/oversight/agencies/LOCAL1?lang=en');
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /no case content/);
    assert.doesNotMatch(res.body, /sealed placeholder|OD-\d/);
    assert.equal((await get(h.app, overseer(), '/staff/oversight/agencies/CENT1')).statusCode, 404);
    assert.equal((await get(h.app, overseer(), '/staff/oversight/agencies/NOPE')).statusCode, 404);
  });

  it('exports the glance as CSV with a BOM, audited', async () => {
    const res = await get(h.app, overseer(), `/staff/oversight.csv?fy=${fy}&lang=en`);
    assert.equal(res.statusCode, 200);
    assert.deepEqual([...res.rawPayload.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    const lines = res.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    assert.equal(lines.length, 3);
    assert.match(lines[1], /^LOCAL1,Agency LOCAL1,/);
    assert.match(lines[0], /,Risk register,Risk register reviews$/);
    assert.match(lines[1], /,Published,2$/);
    assert.match(lines[2], /,"?Opened, not published"?,0$/);
    const n = await h.db.selectFrom('audit_event').select('id').where('action', '=', 'oversight_exported').execute();
    assert.ok(n.length >= 1);
  });

  it('builds the cross-agency six-month report as a PDF in seed 003 structure', async () => {
    const res = await get(
      h.app,
      overseer(),
      `/staff/oversight/report.pdf?fy=${fy}&round=6&lang=th&body=${encodeURIComponent('สำนักงาน ก.พ.ร.')}`,
    );
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'application/pdf');
    const file = path.join(dir, 'r.pdf');
    await writeFile(file, res.rawPayload);
    const { stdout } = await execFile('pdftotext', ['-enc', 'UTF-8', file, '-']);
    // one line per paragraph, Thai digits as printed, sara am as pdftotext splits it (NFKC both sides)
    const text = stdout.replace(/\n/g, '').normalize('NFKC');
    const has = (s: string) => assert.ok(text.includes(s.normalize('NFKC')), s);
    has('รายงานการกำกับติดตามการดำเนินการป้องกันการทุจริตของหน่วยงานในความกำกับดูแล');
    has('รอบ ๖ เดือน');
    has('สำนักงาน ก.พ.ร. (๒\u00A0หน่วยงาน)'.replace('\u00A0', ' '));
    has('หน่วยงานที่ ๑: หน่วยงาน LOCAL๑');
    has('หน่วยงานที่ ๒: หน่วยงาน LOCAL๒');
    has('ตอบรับเรื่องร้องเรียนทันกำหนดร้อยละ ๕๕.๖');
    for (const s of [
      '๑.๑ วัตถุประสงค์',
      '๑.๓ ความก้าวหน้าการดำเนินการ',
      '๑.๔ งบประมาณที่ใช้ดำเนินงาน',
      '๑.๕ ปัญหา/อุปสรรค',
      '๑.๖ ข้อเสนอแนะ',
    ])
      has(s);
    has('โครงการเปิดเผยข้อมูลการจัดซื้อจัดจ้าง');
    has('ขาดบุคลากร');
    has('อบรมเพิ่ม');
    assert.doesNotMatch(text, /CENT/);
    for (const q of ['round=7', `fy=1&round=6`, 'fy=abc']) {
      const bad = await get(h.app, overseer(), `/staff/oversight/report.pdf?${q}`);
      assert.equal(bad.statusCode, 400, q);
    }
  });
  it('pages the glance 50 agencies at a time, the filters kept; forged or past-the-end pages show a real page', async () => {
    const root = await h.db
      .selectFrom('staff_user')
      .select('id')
      .where('email', '=', 'root@platform.example')
      .executeTakeFirstOrThrow();
    const codes = ['LOCAL1', 'LOCAL2'];
    for (let i = 0; i < 53; i++) {
      const code = `PG${String(i).padStart(3, '0')}`;
      await seedAgency(h.db, code);
      codes.push(code);
    }
    await setOversight({
      db: h.db,
      actor: { id: root.id, roles: ['platform_admin'] },
      email: 'overseer@opdc.example',
      agencyCodes: codes,
    });
    const rows = (body: string) => (body.match(/<tr><th scope="row">/g) ?? []).length;
    const first = await get(h.app, overseer(), `/staff/oversight?lang=en&fy=${fy}`);
    assert.match(first.body, /55 agencies/);
    assert.equal(rows(first.body), 50);
    assert.match(first.body, /Page 1 of 2/);
    assert.match(first.body, new RegExp(`href="/staff/oversight\\?fy=${fy}&amp;page=2">Next page`));
    const second = await get(h.app, overseer(), `/staff/oversight?lang=en&fy=${fy}&page=2`);
    assert.equal(rows(second.body), 5);
    assert.match(second.body, /Page 2 of 2/);
    assert.match(first.body, /Agency LOCAL1/, 'in code order: LOCAL1, LOCAL2, then PG000…');
    assert.match(second.body, /Agency PG052/);
    assert.doesNotMatch(second.body, /Agency LOCAL1/);
    for (const forged of ['abc', '-3', '999999', '<script>'])
      assert.match(
        (await get(h.app, overseer(), `/staff/oversight?lang=en&page=${encodeURIComponent(forged)}`)).body,
        /Page [12] of 2/,
        forged,
      );
    const filtered = await get(h.app, overseer(), `/staff/oversight?lang=en&province=${encodeURIComponent('ลำพูน')}`);
    assert.match(filtered.body, /1 agencies/);
    assert.doesNotMatch(filtered.body, /Page 1 of/, 'one page: no page links');
    const csv = await get(h.app, overseer(), `/staff/oversight.csv?fy=${fy}&lang=en`);
    assert.equal(csv.body.trim().split('\r\n').length, 56, 'the CSV holds every agency, not a page');
  });
});
