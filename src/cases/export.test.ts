import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '../../test/support/db.ts';
import { seedAgency, seedStaff } from '../../test/support/app.ts';
import type { CaseOutcome, CaseStatus, StaffRole } from '../db/schema.ts';
import { isAppError } from '../errors.ts';
import type { StaffActor } from '../staff/session.ts';
import { csvField, EXPORT_COLUMNS, exportCasesCsv } from './export.ts';
import { listCases } from './list-cases.ts';

/** RFC 4180 parsing, enough for the test: quoted fields with doubled quotes and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') row.push(field), (field = '');
    else if (ch === '\r' && text[i + 1] === '\n') row.push(field), rows.push(row), (row = []), (field = ''), i++;
    else field += ch;
  }
  assert.equal(field + row.join(''), '', 'the file ends with CRLF');
  return rows;
}

describe('csvField', () => {
  const table: [string, string][] = [
    ['OPDC-2569-000001', 'OPDC-2569-000001'],
    ['สำนักงาน ป.ป.ช.', 'สำนักงาน ป.ป.ช.'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\r\nlines', '"two\r\nlines"'],
    ['=HYPERLINK("x")', `"'=HYPERLINK(""x"")"`],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['', ''],
  ];
  for (const [value, field] of table) it(`writes ${JSON.stringify(value)}`, () => assert.equal(csvField(value), field));
});

describe('exportCasesCsv', () => {
  let t: TestDatabase;
  let investigator: StaffActor;
  let supervisor: StaffActor;
  let agency: Record<string, number>;

  const actorOf = (id: number, agencyId: number, roles: StaffRole[]) => ({ id, agencyId, email: '', displayName: '', roles, isEnrolled: true, keys: { publicKey: Buffer.alloc(32), privateKey: Buffer.alloc(32) } }) satisfies StaffActor;
  const addCase = async (n: number, reference: string, agencyId: number, c: { status: CaseStatus; outcome?: CaseOutcome; due?: string; paused?: string }) => {
    const id = randomUUID();
    await t.db
      .insertInto('report_case')
      .values({ id, number: n, reference, agency_id: agencyId, category: 'bribery', channel: 'web', status: c.status, outcome: c.outcome ?? null, has_identity: false, content: Buffer.alloc(1), ack_due_at: c.due ? new Date(c.due) : null, paused_at: c.paused ? new Date(c.paused) : null, created_at: `2026-01-0${n}T03:04:00Z`, updated_at: `2026-02-0${n}T05:06:00Z` })
      .execute();
    await t.db.insertInto('case_agency').values({ case_id: id, agency_id: agencyId, is_owner: true }).execute();
    return id;
  };

  before(async () => {
    t = await createTestDatabase(4);
    await seedAgency(t.db, 'OPDC');
    await seedAgency(t.db, 'NACC');
    agency = Object.fromEntries((await t.db.selectFrom('agency').select(['id', 'code']).execute()).map((a) => [a.code, a.id]));
    const inv = await seedStaff(t.db, 'OPDC', 'inv@opdc.example', ['investigator']);
    const sup = await seedStaff(t.db, 'OPDC', 'sup@opdc.example', ['supervisor']);
    investigator = actorOf(inv.id, agency.OPDC, ['investigator']);
    supervisor = actorOf(sup.id, agency.OPDC, ['supervisor']);
    const mine = await addCase(1, 'OPDC-2569-000001', agency.OPDC, { status: 'investigating', due: '2026-03-01T00:00:00Z', paused: '2026-02-15T00:00:00Z' });
    await addCase(2, 'OPDC-"2569",000002', agency.OPDC, { status: 'concluded', outcome: 'substantiated' });
    await addCase(3, 'NACC-2569-000003', agency.NACC, { status: 'new' });
    const copied = await addCase(4, 'NACC-2569-000004', agency.NACC, { status: 'referred' });
    await t.db.insertInto('case_agency').values({ case_id: copied, agency_id: agency.OPDC, is_owner: false }).execute();
    await t.db.insertInto('case_key').values({ case_id: mine, user_id: inv.id, purpose: 'content', sealed_key: Buffer.alloc(80) }).execute();
  });
  after(() => t.drop());

  it('writes a BOM, a header and one escaped row per case, metadata only', async () => {
    const csv = await exportCasesCsv({ db: t.db, actor: supervisor, filter: { scope: 'agency' }, label: (k) => (k === 'export.column.reference' ? 'เลขที่เรื่อง' : k) });
    assert.ok(csv.startsWith('\uFEFFเลขที่เรื่อง,export.column.agency,'));
    const rows = parseCsv(csv.slice(1));
    assert.equal(rows[0].length, EXPORT_COLUMNS.length);
    assert.deepEqual(rows.slice(1), [
      ['NACC-2569-000004', 'NACC', 'bribery', 'web', 'referred', '', '2026-01-04T03:04:00.000Z', '2026-02-04T05:06:00.000Z', '', ''],
      ['OPDC-"2569",000002', 'OPDC', 'bribery', 'web', 'concluded', 'substantiated', '2026-01-02T03:04:00.000Z', '2026-02-02T05:06:00.000Z', '', ''],
      ['OPDC-2569-000001', 'OPDC', 'bribery', 'web', 'investigating', '', '2026-01-01T03:04:00.000Z', '2026-02-01T05:06:00.000Z', '2026-03-01T00:00:00.000Z', '2026-02-15T00:00:00.000Z'],
    ]);
    assert.match(csv, /\r\n"OPDC-""2569"",000002",/);
  });

  it('exports what the inbox shows for the scope and filter', async () => {
    const refs = async (actor: StaffActor, filter: Parameters<typeof exportCasesCsv>[0]['filter']) => parseCsv((await exportCasesCsv({ db: t.db, actor, filter })).slice(1)).slice(1).map((r) => r[0]);
    const listed = async (actor: StaffActor, filter: Parameters<typeof listCases>[0]) => (await listCases({ ...filter, db: t.db, actor })).items.map((i) => i.reference);
    assert.deepEqual(await refs(investigator, { scope: 'mine' }), ['OPDC-2569-000001']);
    assert.deepEqual(await refs(investigator, {}), await listed(investigator, { db: t.db, actor: investigator }));
    assert.deepEqual(await refs(supervisor, { scope: 'agency', status: 'concluded' }), ['OPDC-"2569",000002']);
    assert.deepEqual(await refs(supervisor, { scope: 'agency' }), await listed(supervisor, { db: t.db, actor: supervisor, scope: 'agency' }));
    assert.deepEqual(await refs(supervisor, { scope: 'mine' }), []);
  });

  it('refuses a scope the actor may not list', async () => {
    await assert.rejects(exportCasesCsv({ db: t.db, actor: investigator, filter: { scope: 'agency' } }), (e) => isAppError(e) && e.code === 'forbidden');
    await assert.rejects(exportCasesCsv({ db: t.db, actor: { ...supervisor, isEnrolled: false }, filter: { scope: 'agency' } }), (e) => isAppError(e) && e.code === 'forbidden');
  });

  it('audits the scope and the number of rows', async () => {
    const before = await t.db.selectFrom('audit_event').select((eb) => eb.fn.max('id').as('id')).executeTakeFirstOrThrow();
    await exportCasesCsv({ db: t.db, actor: supervisor, filter: { scope: 'agency' } });
    const rows = await t.db.selectFrom('audit_event').select(['action', 'actor_user_id', 'detail']).where('id', '>', Number(before.id ?? 0)).execute();
    assert.deepEqual(rows, [{ action: 'cases_exported', actor_user_id: supervisor.id, detail: { scope: 'agency', rows: 3 } }]);
  });
});
