import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { createTestDatabase, type TestDatabase } from '../../test/support/db.ts';
import { seedAgency, seedRecipient } from '../../test/support/app.ts';
import type { StaffActor } from '../staff/session.ts';
import { listCases, PAGE_SIZE, TOTAL_CAP } from './list-cases.ts';

describe('listCases', () => {
  let t: TestDatabase;
  let me: StaffActor;
  let other: StaffActor;
  before(async () => {
    t = await createTestDatabase();
    await seedAgency(t.db, 'OPDC');
    await seedAgency(t.db, 'NACC');
    const a = await seedRecipient(t.db, 'OPDC', 'me@opdc.example');
    const b = await seedRecipient(t.db, 'NACC', 'other@nacc.example');
    const agencies = await t.db.selectFrom('agency').select(['id', 'code']).execute();
    const id = (code: string) => agencies.find((x) => x.code === code)!.id;
    me = { id: a.id, agencyId: id('OPDC'), roles: ['intake_officer'], isEnrolled: true } as unknown as StaffActor;
    other = { id: b.id, agencyId: id('NACC'), roles: ['intake_officer'], isEnrolled: true } as unknown as StaffActor;
    // Past the cap for OPDC (every 7th one closed), plus a few for NACC: metadata only.
    await sql`
      insert into report_case (id, number, reference, agency_id, category, channel, status, has_identity, content)
      select gen_random_uuid(), n, 'OPDC-T-' || n, ${me.agencyId}::int, 'bribery', 'web', case when n % 7 = 0 then 'closed' else 'new' end, false, '\\x00'::bytea
      from generate_series(1, ${TOTAL_CAP + 30}::int) n`.execute(t.db);
    await sql`insert into case_key (case_id, user_id, purpose, sealed_key) select id, ${me.id}::int, 'content', '\\x00'::bytea from report_case`.execute(
      t.db,
    );
    await sql`
      insert into report_case (id, number, reference, agency_id, category, channel, has_identity, content)
      select gen_random_uuid(), 100000 + n, 'NACC-T-' || n, ${other.agencyId}::int, 'other', 'api', false, '\\x00'::bytea from generate_series(1, 3) n`.execute(
      t.db,
    );
    await sql`insert into case_key (case_id, user_id, purpose, sealed_key) select id, ${other.id}::int, 'content', '\\x00'::bytea from report_case where reference like 'NACC-%'`.execute(
      t.db,
    );
    await sql`insert into case_agency (case_id, agency_id, is_owner) select id, agency_id, true from report_case`.execute(
      t.db,
    );
  });
  after(() => t.drop());

  it('shows the newest first and caps the total it counts', async () => {
    const p = await listCases({ db: t.db, actor: me });
    assert.equal(p.items.length, PAGE_SIZE);
    assert.equal(p.items[0].reference, `OPDC-T-${TOTAL_CAP + 30}`);
    assert.equal(p.total, TOTAL_CAP);
    assert.equal(p.isTotalCapped, true);
    const last = await listCases({ db: t.db, actor: me, page: Math.ceil((TOTAL_CAP + 30) / PAGE_SIZE) });
    assert.equal(last.items.at(-1)?.reference, 'OPDC-T-1');
  });

  it('counts exactly below the cap, with a status filter', async () => {
    const p = await listCases({ db: t.db, actor: me, status: 'closed' });
    assert.equal(p.total, Math.floor((TOTAL_CAP + 30) / 7));
    assert.equal(p.isTotalCapped, false);
    assert.ok(p.items.every((i) => i.status === 'closed'));
  });

  it('lists only the cases of the actor’s agency sealed to the actor', async () => {
    const p = await listCases({ db: t.db, actor: other });
    assert.deepEqual(
      p.items.map((i) => i.reference),
      ['NACC-T-3', 'NACC-T-2', 'NACC-T-1'],
    );
    assert.equal(p.total, 3);
    assert.equal(
      (await listCases({ db: t.db, actor: other, scope: 'agency' })).total,
      3,
      'the agency view: its own cases only',
    );
    const auditor = { ...other, id: 999_999, roles: ['auditor'] } as unknown as StaffActor;
    assert.equal((await listCases({ db: t.db, actor: auditor })).total, 0, 'holding no key, nothing in "mine"');
    assert.equal(
      (await listCases({ db: t.db, actor: auditor, scope: 'assigned' })).total,
      0,
      'not an investigator: no such view',
    );
    assert.equal(
      (await listCases({ db: t.db, actor: { ...other, isEnrolled: false } as StaffActor })).total,
      0,
      'no second factor, nothing',
    );
  });
});
