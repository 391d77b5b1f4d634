// An agency's units in the domain: the administrator adds, renames, nests (one level) and
// deactivates them, audited; sets a staff member's unit; a case team member or the owning
// supervisor sets the unit a case concerns (history, audit); the risk signals count cases by unit
// with counts below 5 hidden; the ethics rates per unit. Hostile: forged codes and names, another
// agency's unit, user or case, the wrong role, a deactivated unit; the database refuses a unit of
// another agency even when the code is bypassed.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { createTestApp, type TestApp } from '../../test/support/app.ts';
import { itaActors, type Person } from '../../test/support/ita.ts';
import { fileTip } from '../../test/support/file-tip.ts';
import type { Submitted } from '../intake/submit-report.ts';
import { seedCases } from '../../test/support/risk.ts';
import { setCaseUnit } from '../cases/case-unit.ts';
import { loadCasePage } from '../cases/case-page.ts';
import { currentFiscalYear } from '../cases/figures.ts';
import { unitRates } from '../ethics/results.ts';
import { AppError } from '../errors.ts';
import { loadHistory } from '../intake/case-view.ts';
import { computeSignals } from '../risk/signals.ts';
import type { StaffActor } from './session.ts';
import {
  addUnit,
  getUnit,
  inTreeOrder,
  listUnits,
  renameUnit,
  setStaffUnit,
  setUnitActive,
  type Unit,
  unitsOf,
} from './units.ts';

const PEOPLE: Person[] = [
  ['admin@opdc.example', 'OPDC', ['agency_admin']],
  ['io@opdc.example', 'OPDC', ['intake_officer']],
  ['sup@opdc.example', 'OPDC', ['supervisor']],
  ['aud@opdc.example', 'OPDC', ['auditor']],
  ['risk@opdc.example', 'OPDC', ['risk_officer']],
  ['admin@nacc.example', 'NACC', ['agency_admin']],
  ['sup@nacc.example', 'NACC', ['supervisor']],
];

/** The field messages of an invalid_input (or conflict) refusal. */
async function refusal(p: Promise<unknown>): Promise<{ code: string; fields: Record<string, string> }> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof AppError, String(e));
    return { code: e.code, fields: { ...e.fields } };
  }
  assert.fail('not refused');
}

const unit = (id: number, code: string, parentId: number | null = null): Unit => ({
  id,
  code,
  nameTh: `หน่วย ${code}`,
  nameEn: `Unit ${code}`,
  parentId,
  isActive: true,
});

describe('units (pure)', () => {
  it('orders units as a tree of one level: each top unit by code, its sub-units after it', () => {
    const units = [unit(1, 'ZZ'), unit(2, 'AA'), unit(3, 'AB', 1), unit(4, 'AA1', 2), unit(5, 'AA0', 2)];
    assert.deepEqual(
      inTreeOrder(units).map((u) => u.code),
      ['AA', 'AA0', 'AA1', 'ZZ', 'AB'],
    );
  });

  const person = (userId: number, attempts: number, passed: boolean) => ({
    userId,
    name: '',
    email: '',
    pre: null,
    post: null,
    attempts,
    passed,
    gain: null,
    normalised: null,
  });
  const cases: [string, { id: number; unit_id: number | null }[], ReturnType<typeof person>[], unknown][] = [
    ['nobody', [], [], []],
    [
      'one unit, one without: rates of the unit’s own staff',
      [
        { id: 1, unit_id: 10 },
        { id: 2, unit_id: 10 },
        { id: 3, unit_id: null },
      ],
      [person(1, 1, true), person(3, 2, false)],
      [
        ['FIN', 2, 1, 1, 0.5, 0.5],
        [null, 1, 1, 0, 1, 0],
      ],
    ],
    [
      'a unit without staff has no row; staff who never started count against the rates',
      [
        { id: 1, unit_id: 11 },
        { id: 2, unit_id: 11 },
      ],
      [],
      [['HR', 2, 0, 0, 0, 0]],
    ],
  ];
  for (const [name, people, results, want] of cases)
    it(`counts completion and pass rates per unit: ${name}`, () => {
      const got = unitRates(people, results, [unit(10, 'FIN'), unit(11, 'HR')]);
      assert.deepEqual(
        got.map((r) => [r.unit?.code ?? null, r.staff, r.completed, r.passed, r.completionRate, r.passRate]),
        want,
      );
    });
});

describe('units (database)', () => {
  let h: TestApp;
  let who: Record<string, StaffActor>;
  let report: Submitted;
  const ids: Record<string, number> = {};
  const auditOf = (action: string) =>
    h.db.selectFrom('audit_event').selectAll().where('action', '=', action).orderBy('id').execute();

  before(async () => {
    h = await createTestApp();
    who = await itaActors(h.db, PEOPLE);
    report = await fileTip(h.db, h.deps.secrets.receiptSalt, 'OPDC', 'เรียกรับเงินที่ฝ่ายการเงิน');
  });
  after(() => h.close());

  it('adds units audited, nests one level, and refuses forged codes, names and parents beside their fields', async () => {
    const admin = who['admin@opdc.example'];
    const fin = await addUnit({
      db: h.db,
      actor: admin,
      code: ' fin ',
      nameTh: 'กองคลัง',
      nameEn: 'Finance',
      parent: '',
    });
    assert.equal(fin.code, 'FIN');
    ids.FIN = fin.id;
    ids.PAY = (
      await addUnit({
        db: h.db,
        actor: admin,
        code: 'PAY',
        nameTh: 'งานเบิกจ่าย',
        nameEn: 'Payments',
        parent: String(fin.id),
      })
    ).id;
    ids.HR = (
      await addUnit({ db: h.db, actor: admin, code: 'HR', nameTh: 'กองการเจ้าหน้าที่', nameEn: 'HR', parent: '' })
    ).id;
    ids.NACC = (
      await addUnit({
        db: h.db,
        actor: who['admin@nacc.example'],
        code: 'FIN',
        nameTh: 'คลัง',
        nameEn: 'Fin',
        parent: '',
      })
    ).id;
    const added = await auditOf('unit_added');
    assert.equal(added.length, 4);
    assert.deepEqual(added[1].detail, { unit: 'PAY', nameTh: 'งานเบิกจ่าย', nameEn: 'Payments', parent: fin.id });

    const hostile: [string, Partial<Parameters<typeof addUnit>[0]>, Record<string, string>][] = [
      ['no code', { code: '' }, { code: 'error.field.required' }],
      ['a code with spaces and Thai', { code: 'ก ข' }, { code: 'units.error.code_format' }],
      ['a code too long', { code: 'A'.repeat(17) }, { code: 'units.error.code_format' }],
      ['markup in the code', { code: '<script>' }, { code: 'units.error.code_format' }],
      ['a taken code', { code: 'fin' }, { code: 'units.error.code_taken' }],
      ['empty names', { nameTh: '  ', nameEn: '' }, { nameTh: 'error.field.required', nameEn: 'error.field.required' }],
      ['a name of 201 characters', { nameTh: 'ก'.repeat(201) }, { nameTh: 'units.error.name_long' }],
      ['a control character', { nameEn: 'Fin\u0000ance' }, { nameEn: 'units.error.name_chars' }],
      ['another agency’s unit as parent', { parent: String(ids.NACC) }, { parent: 'units.error.choose' }],
      ['a sub-unit as parent (two levels)', { parent: String(ids.PAY) }, { parent: 'units.error.parent_level' }],
      ['a parent that is no id', { parent: '1 or 1=1' }, { parent: 'units.error.choose' }],
    ];
    for (const [name, input, fields] of hostile) {
      const r = await refusal(
        addUnit({ db: h.db, actor: admin, code: 'NEW', nameTh: 'ใหม่', nameEn: 'New', parent: '', ...input }),
      );
      assert.deepEqual(r.fields, fields, name);
    }
    assert.equal((await auditOf('unit_added')).length, 4, 'nothing refused was added');
    for (const email of ['io@opdc.example', 'sup@opdc.example'])
      assert.equal(
        (await refusal(addUnit({ db: h.db, actor: who[email], code: 'X', nameTh: 'x', nameEn: 'x', parent: '' }))).code,
        'forbidden',
        email,
      );
    // another agency's administrator finds no such unit
    assert.equal(
      (await refusal(getUnit({ db: h.db, actor: who['admin@nacc.example'], unitId: ids.FIN }))).code,
      'not_found',
    );
    assert.deepEqual(
      (await listUnits({ db: h.db, actor: admin })).map((u) => u.code),
      ['FIN', 'PAY', 'HR'],
    );
  });

  it('renames and moves a unit audited with before and after; a unit with sub-units stays on top', async () => {
    const admin = who['admin@opdc.example'];
    await renameUnit({
      db: h.db,
      actor: admin,
      unitId: ids.HR,
      nameTh: 'กองบริหารบุคคล',
      nameEn: 'People',
      parent: String(ids.FIN),
    });
    const [changed] = await auditOf('unit_changed');
    assert.deepEqual(changed.detail, {
      unit: 'HR',
      before: { nameTh: 'กองการเจ้าหน้าที่', nameEn: 'HR', parent: null },
      after: { nameTh: 'กองบริหารบุคคล', nameEn: 'People', parent: ids.FIN },
    });
    await renameUnit({ db: h.db, actor: admin, unitId: ids.HR, nameTh: 'กองบริหารบุคคล', nameEn: 'People', parent: '' });
    const r = await refusal(
      renameUnit({
        db: h.db,
        actor: admin,
        unitId: ids.FIN,
        nameTh: 'กองคลัง',
        nameEn: 'Finance',
        parent: String(ids.HR),
      }),
    );
    assert.deepEqual(r.fields, { parent: 'units.error.has_children' });
    const self = await refusal(
      renameUnit({ db: h.db, actor: admin, unitId: ids.HR, nameTh: 'x', nameEn: 'x', parent: String(ids.HR) }),
    );
    assert.deepEqual(self.fields, { parent: 'units.error.parent_level' });
    assert.equal(
      (await refusal(renameUnit({ db: h.db, actor: admin, unitId: ids.NACC, nameTh: 'x', nameEn: 'x', parent: '' })))
        .code,
      'not_found',
    );
  });

  it('sets a staff member’s unit audited, never another agency’s unit or user', async () => {
    const admin = who['admin@opdc.example'];
    const io = who['io@opdc.example'].id;
    await setStaffUnit({ db: h.db, actor: admin, userId: io, unit: String(ids.FIN) });
    const [set] = await auditOf('staff_unit_set');
    assert.deepEqual(set.detail, { user: io, before: null, after: 'FIN' });
    assert.deepEqual(
      (await refusal(setStaffUnit({ db: h.db, actor: admin, userId: io, unit: String(ids.NACC) }))).fields,
      {
        unit: 'units.error.choose',
      },
    );
    assert.deepEqual((await refusal(setStaffUnit({ db: h.db, actor: admin, userId: io, unit: '-1' }))).fields, {
      unit: 'units.error.choose',
    });
    const nacc = who['sup@nacc.example'].id;
    assert.equal(
      (await refusal(setStaffUnit({ db: h.db, actor: admin, userId: nacc, unit: String(ids.FIN) }))).code,
      'not_found',
    );
    assert.equal(
      (await refusal(setStaffUnit({ db: h.db, actor: who['sup@opdc.example'], userId: io, unit: '' }))).code,
      'forbidden',
    );
    // bypassing the code, the database still refuses another agency's unit
    await assert.rejects(
      sql`update staff_user set unit_id = ${ids.NACC} where id = ${io}`.execute(h.db),
      /staff_user_unit_fkey/,
    );
    await assert.rejects(
      sql`update report_case set unit_id = ${ids.NACC} where id = ${report.caseId}`.execute(h.db),
      /report_case_unit_fkey/,
    );
    assert.equal((await auditOf('staff_unit_set')).length, 1);
  });

  it('lets the case team and the owning supervisor set the unit concerned, in the history and audited; no one else', async () => {
    const ref = report.reference;
    await setCaseUnit({ db: h.db, actor: who['io@opdc.example'], reference: ref, unit: String(ids.PAY) });
    await setCaseUnit({ db: h.db, actor: who['sup@opdc.example'], reference: ref, unit: String(ids.FIN) });
    const audits = await auditOf('case_unit_set');
    assert.deepEqual(
      audits.map((a) => a.detail),
      [
        { before: null, after: 'PAY' },
        { before: 'PAY', after: 'FIN' },
      ],
    );
    const history = await loadHistory(h.db, report.caseId, null, false);
    assert.deepEqual(
      history.items.filter((e) => e.kind === 'unit_set').map((e) => e.unit?.code),
      ['PAY', 'FIN'],
    );
    const reporters = await loadHistory(h.db, report.caseId, null, true);
    assert.equal(reporters.items.filter((e) => e.kind === 'unit_set').length, 0, 'units are internal');
    // another agency's unit, a forged value: the field's fault, nothing changed
    for (const unit of [String(ids.NACC), 'FIN', '9'.repeat(12)])
      assert.deepEqual(
        (await refusal(setCaseUnit({ db: h.db, actor: who['io@opdc.example'], reference: ref, unit }))).fields,
        { unit: 'units.error.choose' },
        unit,
      );
    // an auditor reads metadata but may not act; another agency's supervisor does not find the case
    for (const email of ['aud@opdc.example', 'sup@nacc.example', 'admin@opdc.example'])
      assert.equal(
        (await refusal(setCaseUnit({ db: h.db, actor: who[email], reference: ref, unit: '' }))).code,
        'not_found',
        email,
      );
    const row = await h.db
      .selectFrom('report_case')
      .select('unit_id')
      .where('id', '=', report.caseId)
      .executeTakeFirstOrThrow();
    assert.equal(row.unit_id, ids.FIN);
    // the case page offers the active units to the team, and shows the auditor the unit only
    const page = await loadCasePage({ db: h.db, actor: who['io@opdc.example'], reference: ref });
    assert.equal(page.canSetUnit, true);
    assert.equal(page.unit?.code, 'FIN');
    assert.deepEqual(
      page.units.map((u) => u.code),
      ['FIN', 'PAY', 'HR'],
    );
    const seen = await loadCasePage({ db: h.db, actor: who['aud@opdc.example'], reference: ref });
    assert.equal(seen.canSetUnit, false);
    assert.equal(seen.unit?.code, 'FIN');
    assert.deepEqual(seen.units, []);
  });

  it('deactivates a unit (offered no more, kept where named), and brings it back, audited', async () => {
    const admin = who['admin@opdc.example'];
    await setUnitActive({ db: h.db, actor: admin, unitId: ids.FIN, active: false });
    assert.equal(
      (await refusal(setUnitActive({ db: h.db, actor: admin, unitId: ids.FIN, active: false }))).code,
      'conflict',
    );
    assert.deepEqual(
      (await unitsOf(h.db, who['admin@opdc.example'].agencyId ?? -1, { activeOnly: true })).map((u) => u.code),
      ['HR', 'PAY'],
    );
    // the staff member and the case keep it; choosing it anew is refused, keeping it is no change
    const io = who['io@opdc.example'].id;
    await setStaffUnit({ db: h.db, actor: admin, userId: io, unit: String(ids.FIN) });
    await setCaseUnit({ db: h.db, actor: who['io@opdc.example'], reference: report.reference, unit: String(ids.FIN) });
    assert.equal((await auditOf('case_unit_set')).length, 2, 'keeping the case’s unit is no change');
    const sup = who['sup@opdc.example'].id;
    assert.deepEqual(
      (await refusal(setStaffUnit({ db: h.db, actor: admin, userId: sup, unit: String(ids.FIN) }))).fields,
      {
        unit: 'units.error.choose',
      },
    );
    const listed = await listUnits({ db: h.db, actor: admin });
    assert.deepEqual(
      listed.filter((u) => u.code === 'FIN').map((u) => [u.isActive, u.staff, u.cases]),
      [[false, 1, 1]],
    );
    await setUnitActive({ db: h.db, actor: admin, unitId: ids.FIN, active: true });
    assert.equal((await auditOf('unit_deactivated')).length, 1);
    assert.equal((await auditOf('unit_reactivated')).length, 1);
    assert.equal((await auditOf('staff_unit_set')).length, 1, 'keeping the unit is no change');
  });

  it('counts the cases by the unit concerned in the risk signals, counts below 5 hidden, and a row for no unit', async () => {
    const at = new Date().toISOString();
    await seedCases(h.db, { agency: 'OPDC', count: 6, category: 'bribery', at });
    await seedCases(h.db, { agency: 'OPDC', count: 2, category: 'fees', kind: 'complaint', at });
    await sql`update report_case set unit_id = ${ids.PAY} where reference like 'RISK-%' and category = 'bribery'`.execute(
      h.db,
    );
    await sql`update report_case set unit_id = ${ids.HR} where reference like 'RISK-%' and category = 'fees'`.execute(
      h.db,
    );
    const agencyId = who['risk@opdc.example'].agencyId ?? -1;
    const s = await computeSignals(h.db, agencyId, currentFiscalYear());
    const units = s.signals.find((x) => x.key === 'units');
    assert.ok(units);
    const rows = Object.fromEntries(units.rows.map((r) => [r.key, r.values.slice(0, 2)]));
    // the filed report names FIN (1 case: hidden), PAY 6, HR 2 (hidden); no case is left without a unit
    assert.deepEqual(rows, { 'unit.FIN': [null, 0], 'unit.PAY': [6, 0], 'unit.HR': [null, 0] });
    const pay = units.rows.find((r) => r.key === 'unit.PAY');
    assert.deepEqual(pay?.params, { code: 'PAY', nameTh: 'งานเบิกจ่าย', nameEn: 'Payments' });
    // the categories are counted as before, the unit rows apart from them
    const categories = s.signals.find((x) => x.key === 'categories');
    assert.deepEqual(categories?.rows.find((r) => r.key === 'tip.bribery')?.values.slice(0, 2), [7, 0]);
    await sql`update report_case set unit_id = null where reference like 'RISK-%'`.execute(h.db);
    const again = await computeSignals(h.db, agencyId, currentFiscalYear());
    assert.deepEqual(
      again.signals.find((x) => x.key === 'units')?.rows.map((r) => [r.key, r.values[0]]),
      [
        ['unit.FIN', null],
        ['none', 8],
      ],
    );
  });
});
