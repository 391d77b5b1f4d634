// Units through the app: the agency administrator's units page (add, rename, deactivate; Thai and
// English), a staff member's unit on the staff page, the unit a case concerns on the case page (and
// in its history), the risk signals' row by unit and the ethics results per unit with the CSV.
// Hostile: a forged token, another agency's unit, user or case, forged and oversized fields,
// markup, roles that may not.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { itaJars, type Person } from '../../../test/support/ita.ts';
import { fileTip } from '../../../test/support/file-tip.ts';
import type { Submitted } from '../../intake/submit-report.ts';
import { CONTENT_MARKER, seedCases } from '../../../test/support/risk.ts';
import { csrfOf, get, newJar, postForm, submitPage as submit, type Jar } from '../../../test/support/web.ts';
import { currentFiscalYear } from '../../cases/figures.ts';

const PATH = '/staff/admin/units';
const PEOPLE: Person[] = [
  ['admin@opdc.example', 'OPDC', ['agency_admin']],
  ['io@opdc.example', 'OPDC', ['intake_officer']],
  ['risk@opdc.example', 'OPDC', ['risk_officer']],
  ['ethics@opdc.example', 'OPDC', ['ethics_officer']],
  ['admin@nacc.example', 'NACC', ['agency_admin']],
  ['sup@nacc.example', 'NACC', ['supervisor']],
];

describe('unit pages', () => {
  let h: TestApp;
  let jars: Record<string, Jar>;
  let ids: Record<string, number>;
  let report: Submitted;
  const units: Record<string, number> = {};
  const page = (who: string, url: string) => get(h.app, jars[who], url);
  const unitId = async (agency: string, code: string) =>
    (
      await h.db
        .selectFrom('agency_unit as u')
        .innerJoin('agency as a', 'a.id', 'u.agency_id')
        .select('u.id')
        .where('a.code', '=', agency)
        .where('u.code', '=', code)
        .executeTakeFirstOrThrow()
    ).id;

  before(async () => {
    h = await createTestApp();
    ({ jars, ids } = await itaJars(h.app, h.db, PEOPLE));
    report = await fileTip(h.db, h.deps.secrets.receiptSalt, 'OPDC', 'เรียกรับเงินที่กองคลัง');
  });
  after(() => h.close());

  it('lets the agency administrator add units in Thai and English, and no one else see the page', async () => {
    const empty = await page('admin@opdc.example', PATH);
    assert.equal(empty.statusCode, 200);
    assert.match(empty.body, /ยังไม่มีหน่วยงานย่อย/);
    const added = await submit(h.app, jars['admin@opdc.example'], PATH, PATH, {
      code: 'fin',
      nameTh: 'กองคลัง',
      nameEn: 'Finance Division',
      parent: '',
    });
    assert.equal(added.statusCode, 303, added.body);
    assert.equal(added.headers.location, `${PATH}?done=added`);
    units.FIN = await unitId('OPDC', 'FIN');
    const sub = await submit(h.app, jars['admin@opdc.example'], PATH, PATH, {
      code: 'PAY',
      nameTh: 'งานเบิกจ่าย',
      nameEn: 'Payments',
      parent: String(units.FIN),
    });
    assert.equal(sub.statusCode, 303, sub.body);
    units.PAY = await unitId('OPDC', 'PAY');
    await submit(h.app, jars['admin@nacc.example'], PATH, PATH, {
      code: 'LAW',
      nameTh: 'กองกฎหมาย',
      nameEn: 'Legal',
      parent: '',
    });
    units.LAW = await unitId('NACC', 'LAW');
    const th = await page('admin@opdc.example', `${PATH}?done=added`);
    assert.match(th.body, /เพิ่มหน่วยงานย่อยแล้ว/);
    assert.match(th.body, /กองคลัง/);
    assert.match(th.body, /– PAY/);
    assert.doesNotMatch(th.body, /LAW|กองกฎหมาย/, 'another agency’s units are not listed');
    const en = await page('admin@opdc.example', `${PATH}?lang=en`);
    assert.match(en.body, /Finance Division/);
    assert.match(en.body, /Add a unit/);
    await page('admin@opdc.example', `${PATH}?lang=th`);
    for (const who of ['io@opdc.example', 'risk@opdc.example', 'sup@nacc.example'])
      assert.equal((await page(who, PATH)).statusCode, 403, who);
    assert.equal((await get(h.app, newJar(), PATH)).statusCode, 303, 'signed out: to the sign-in page');
    const audit = await h.db.selectFrom('audit_event').select('detail').where('action', '=', 'unit_added').execute();
    assert.equal(audit.length, 3);
  });

  it('refuses forged, oversized and marked-up fields beside them, a forged token, and another agency’s unit', async () => {
    const admin = jars['admin@opdc.example'];
    const bad = await submit(h.app, admin, PATH, PATH, {
      code: '<script>',
      nameTh: 'ก'.repeat(5000),
      nameEn: '',
      parent: String(units.LAW),
    });
    assert.equal(bad.statusCode, 400, bad.body);
    assert.match(bad.body, /id="error-summary"/);
    for (const field of ['code', 'nameTh', 'nameEn', 'parent']) {
      assert.match(bad.body, new RegExp(`href="#${field}"`), field);
      assert.match(bad.body, new RegExp(`id="${field}-error"`), field);
    }
    assert.doesNotMatch(bad.body, /<script>/, 'markup is escaped');
    assert.match(bad.body, /ชื่อยาวได้ไม่เกิน 200 ตัวอักษร/);
    const taken = await submit(h.app, admin, PATH, PATH, { code: 'FIN', nameTh: 'ซ้ำ', nameEn: 'Again', parent: '' });
    assert.equal(taken.statusCode, 409, taken.body);
    assert.match(taken.body, /รหัสย่อนี้มีหน่วยงานย่อยใช้แล้ว/);
    const forged = await postForm(h.app, admin, PATH, { _csrf: 'forged', code: 'X', nameTh: 'x', nameEn: 'x' });
    assert.equal(forged.statusCode, 403);
    // another agency's unit: not found, its page and each of its forms
    assert.equal((await page('admin@opdc.example', `${PATH}/${units.LAW}`)).statusCode, 404);
    assert.equal((await page('admin@opdc.example', `${PATH}/abc`)).statusCode, 404);
    const csrf = csrfOf((await page('admin@opdc.example', PATH)).body);
    for (const action of ['rename', 'deactivate'])
      assert.equal(
        (await postForm(h.app, admin, `${PATH}/${units.LAW}/${action}`, { _csrf: csrf, nameTh: 'x', nameEn: 'x' }))
          .statusCode,
        404,
        action,
      );
    const law = await h.db.selectFrom('agency_unit').selectAll().where('id', '=', units.LAW).executeTakeFirstOrThrow();
    assert.deepEqual([law.name_th, law.is_active], ['กองกฎหมาย', true]);
    assert.equal((await h.db.selectFrom('agency_unit').select('id').execute()).length, 3, 'nothing refused was added');
  });

  it('renames a unit, deactivates it and brings it back, from its page', async () => {
    const admin = jars['admin@opdc.example'];
    const url = `${PATH}/${units.PAY}`;
    const shown = await page('admin@opdc.example', url);
    assert.equal(shown.statusCode, 200);
    assert.match(shown.body, /value="งานเบิกจ่าย"/);
    const renamed = await submit(h.app, admin, url, `${url}/rename`, {
      nameTh: 'งานเบิกจ่ายเงิน',
      nameEn: 'Disbursement',
      parent: String(units.FIN),
    });
    assert.equal(renamed.statusCode, 303, renamed.body);
    const long = await submit(h.app, admin, url, `${url}/rename`, { nameTh: 'x', nameEn: 'y'.repeat(201), parent: '' });
    assert.equal(long.statusCode, 400);
    assert.match(long.body, /href="#nameEn"/);
    const off = await submit(h.app, admin, url, `${url}/deactivate`, {});
    assert.equal(off.statusCode, 303);
    const list = await page('admin@opdc.example', PATH);
    assert.match(list.body, /งานเบิกจ่ายเงิน/);
    assert.match(list.body, /เลิกใช้/);
    assert.equal((await submit(h.app, admin, url, `${url}/reactivate`, {})).statusCode, 303);
    const audit = await h.db
      .selectFrom('audit_event')
      .select('action')
      .where('action', 'in', ['unit_changed', 'unit_deactivated', 'unit_reactivated'])
      .orderBy('id')
      .execute();
    assert.deepEqual(
      audit.map((a) => a.action),
      ['unit_changed', 'unit_deactivated', 'unit_reactivated'],
    );
  });

  it('sets a staff member’s unit on the staff page; another agency’s unit or user is refused', async () => {
    const admin = jars['admin@opdc.example'];
    const url = `/staff/admin/users/${ids['io@opdc.example']}`;
    const refused = await submit(h.app, admin, url, `${url}/unit`, { unit: String(units.LAW) });
    assert.equal(refused.statusCode, 400, refused.body);
    assert.match(refused.body, /href="#unit"/);
    assert.match(refused.body, /เลือกหน่วยงานย่อยที่ใช้งานอยู่จากรายการ/);
    const set = await submit(h.app, admin, url, `${url}/unit`, { unit: String(units.FIN) });
    assert.equal(set.statusCode, 303, set.body);
    const shown = await page('admin@opdc.example', `${url}?done=unit`);
    assert.match(shown.body, /บันทึกหน่วยงานย่อยของเจ้าหน้าที่แล้ว/);
    assert.match(shown.body, new RegExp(`<option value="${units.FIN}" selected>FIN กองคลัง</option>`));
    const other = `/staff/admin/users/${ids['sup@nacc.example']}`;
    const csrf = csrfOf(shown.body);
    assert.equal(
      (await postForm(h.app, admin, `${other}/unit`, { _csrf: csrf, unit: String(units.FIN) })).statusCode,
      404,
    );
    const row = await h.db
      .selectFrom('staff_user')
      .select('unit_id')
      .where('id', '=', ids['sup@nacc.example'])
      .executeTakeFirstOrThrow();
    assert.equal(row.unit_id, null);
    assert.match((await page('admin@opdc.example', '/staff/admin/users')).body, /<td data-label="[^"]+">FIN<\/td>/);
  });

  it('sets the unit a case concerns on the case page, in its history; another agency’s unit or staff are refused', async () => {
    const io = jars['io@opdc.example'];
    const url = `/staff/cases/${report.reference}`;
    const caseView = await page('io@opdc.example', url);
    assert.equal(caseView.statusCode, 200);
    assert.match(caseView.body, /หน่วยงานย่อยที่เกี่ยวข้อง/);
    assert.doesNotMatch(caseView.body, /LAW/, 'another agency’s units are not offered');
    const refused = await submit(h.app, io, url, `${url}/unit`, { unit: String(units.LAW) });
    assert.equal(refused.statusCode, 400, refused.body);
    assert.match(refused.body, /href="#case-unit"/);
    const set = await submit(h.app, io, url, `${url}/unit`, { unit: String(units.PAY) });
    assert.equal(set.statusCode, 303, set.body);
    assert.equal(set.headers.location, `${url}?sent=unit`);
    const after = await page('io@opdc.example', `${url}?sent=unit`);
    assert.match(after.body, /บันทึกหน่วยงานย่อยที่เกี่ยวข้องแล้ว/);
    assert.match(after.body, /ระบุหน่วยงานย่อยที่เกี่ยวข้อง: PAY งานเบิกจ่ายเงิน/);
    // another agency's supervisor does not find the case; the reporter's side never shows the unit
    const csrf = csrfOf((await page('sup@nacc.example', '/staff/cases')).body);
    assert.equal(
      (await postForm(h.app, jars['sup@nacc.example'], `${url}/unit`, { _csrf: csrf, unit: String(units.LAW) }))
        .statusCode,
      404,
    );
    const row = await h.db
      .selectFrom('report_case')
      .select('unit_id')
      .where('id', '=', report.caseId)
      .executeTakeFirstOrThrow();
    assert.equal(row.unit_id, units.PAY);
  });

  it('shows the risk officer the cases by unit, counts only, below 5 hidden', async () => {
    const at = new Date().toISOString();
    await seedCases(h.db, { agency: 'OPDC', count: 5, category: 'fees', kind: 'complaint', at });
    await sql`update report_case set unit_id = ${units.FIN} where reference like 'RISK-%'`.execute(h.db);
    const res = await page('risk@opdc.example', `/staff/risk/signals?fy=${currentFiscalYear()}`);
    assert.equal(res.statusCode, 200);
    assert.ok(!res.body.includes(CONTENT_MARKER));
    assert.match(res.body, /เรื่องตามหน่วยงานย่อยที่เกี่ยวข้อง/);
    assert.match(res.body, /<th scope="row">FIN กองคลัง<\/th>\s*<td>5<\/td>/);
    assert.match(res.body, /<th scope="row">PAY งานเบิกจ่ายเงิน<\/th>\s*<td><abbr/);
    const en = await page('risk@opdc.example', `/staff/risk/signals?fy=${currentFiscalYear()}&lang=en`);
    assert.match(en.body, /<th scope="row">FIN Finance Division<\/th>/);
    await page('risk@opdc.example', '/staff/risk?lang=th');
  });

  it('shows the ethics officer the rates per unit (and "no unit"), and the CSV has them', async () => {
    // a published course (written with SQL: its writing is ethics-routes.test.ts's) and one post-test passed
    const agency = await h.db.selectFrom('agency').select('id').where('code', '=', 'OPDC').executeTakeFirstOrThrow();
    const course = await h.db
      .insertInto('ethics_course')
      .values({
        agency_id: agency.id,
        title_th: 'จริยธรรมพื้นฐาน',
        title_en: 'Basic ethics',
        pass_mark: 60,
        attempts_allowed: 0,
        delay_minutes: 0,
        grading: 'highest',
        state: 'published',
        published_at: new Date(),
        created_by: ids['ethics@opdc.example'],
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await h.db
      .insertInto('ethics_attempt')
      .values({
        course_id: course.id,
        user_id: ids['io@opdc.example'],
        test: 'post',
        number: 1,
        answers: '{}',
        submitted_at: new Date(),
        item_scores: '[]',
        percent: 80,
      })
      .execute();
    const r = await page('ethics@opdc.example', '/staff/ethics/results');
    assert.equal(r.statusCode, 200);
    // io@ is of FIN: 1 of 1 passed; the 3 other staff of OPDC have no unit
    assert.match(
      r.body,
      /<th scope="row">FIN กองคลัง<\/th><td>1<\/td><td>1<\/td><td>100.0 %<\/td><td>1<\/td><td>100.0 %<\/td>/,
    );
    assert.match(r.body, /<th scope="row">ไม่ระบุหน่วยงานย่อย<\/th><td>3<\/td><td>0<\/td><td>0.0 %<\/td>/);
    const en = await page('ethics@opdc.example', '/staff/ethics/results?lang=en');
    assert.match(en.body, /<th scope="row">No unit<\/th>/);
    const csv = await page('ethics@opdc.example', '/staff/ethics/results.csv');
    assert.equal(csv.statusCode, 200);
    assert.match(csv.body, /course,unit_code,unit_name,staff,completed,passed,completion_rate,pass_rate\r\n/);
    assert.match(csv.body, /จริยธรรมพื้นฐาน,FIN,กองคลัง,1,1,1,1.0000,1.0000\r\n/);
    assert.match(csv.body, /จริยธรรมพื้นฐาน,,ไม่ระบุหน่วยงานย่อย,3,0,0,0.0000,0.0000\r\n/);
    assert.equal((await page('admin@opdc.example', '/staff/ethics/results')).statusCode, 403);
  });
});
