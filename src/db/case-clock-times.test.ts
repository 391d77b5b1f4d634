// Migration 0262: each case's first acknowledgement and first conclusion, kept on report_case, equal
// what grouping its status events gives: filled for cases written before the migration, then kept by
// the trigger through random status events (out of order in time, reopened cases, events that are
// not status changes, a transaction rolled back), whatever the order the events arrive in.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { seedAgency } from '../../test/support/app.ts';
import { createTestDatabase, type TestDatabase } from '../../test/support/db.ts';
import { seededRandom } from '../../test/support/random.ts';
import { migrate } from './migrate.ts';

const STATUSES = ['new', 'acknowledged', 'screening', 'investigating', 'referred', 'concluded', 'closed'];

describe('migration 0262: first acknowledgement and conclusion kept on the case', () => {
  let t: TestDatabase;
  before(async () => {
    t = await createTestDatabase(2, { through: '0261_risk_case_tally.sql' });
    await seedAgency(t.db, 'OPDC');
  });
  after(() => t.drop());

  const rnd = seededRandom(62);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const at = () => new Date(Date.UTC(2026, 0, 1) + Math.floor(rnd() * 200) * 3_600_000).toISOString();

  /** Random events for random cases: status changes (sometimes from 'new'), and notes with no status. */
  async function addEvents(count: number): Promise<void> {
    const ids = (await sql<{ id: string }>`select id from report_case order by id`.execute(t.db)).rows.map((r) => r.id);
    for (let i = 0; i < count; i++) {
      const from = rnd() < 0.3 ? 'new' : pick(STATUSES);
      const to = rnd() < 0.15 ? null : pick(STATUSES.slice(1));
      await sql`insert into case_event (case_id, at, kind, from_status, to_status, for_reporter)
        values (${pick(ids)}, ${at()}::timestamptz, ${to ? 'status' : 'note'}, ${to ? from : null}, ${to}, false)`.execute(
        t.db,
      );
    }
  }

  async function mismatches(): Promise<unknown[]> {
    const { rows } = await sql`
      select c.id, c.first_ack_at, e.ack_at, c.first_done_at, e.done_at from report_case c
      left join (select case_id,
          min(at) filter (where from_status = 'new' and to_status is not null) as ack_at,
          min(at) filter (where to_status in ('concluded', 'closed')) as done_at
        from case_event where to_status is not null group by case_id) e on e.case_id = c.id
      where c.first_ack_at is distinct from e.ack_at or c.first_done_at is distinct from e.done_at`.execute(t.db);
    return rows;
  }

  it('fills the cases written before it, then keeps them through random events', async () => {
    await sql`insert into report_case (id, reference, agency_id, category, channel, status, has_identity, content, kind, created_at, updated_at)
      select gen_random_uuid(), 'CLOCK-' || g, (select id from agency where code = 'OPDC'), 'bribery', 'web', 'new', false, '\\x00'::bytea, 'tip',
        '2026-01-01T00:00:00Z'::timestamptz, now()
      from generate_series(1, 40) g`.execute(t.db);
    await addEvents(150);
    await migrate(t.db);
    const { rows } = await sql<{
      n: number;
    }>`select count(*)::int as n from report_case where first_ack_at is not null and first_done_at is not null`.execute(
      t.db,
    );
    assert.ok((rows[0]?.n ?? 0) > 5, 'the backfill set both on some cases');
    assert.deepEqual(await mismatches(), [], 'after the backfill');
    await addEvents(300);
    // events in a transaction rolled back change nothing
    await assert.rejects(
      t.db.transaction().execute(async (trx) => {
        await sql`insert into case_event (case_id, at, kind, from_status, to_status, for_reporter)
          select id, '2025-01-01T00:00:00Z', 'status', 'new', 'closed', false from report_case`.execute(trx);
        throw new Error('rolled back');
      }),
      /rolled back/,
    );
    assert.deepEqual(await mismatches(), [], 'after 300 more events and a rollback');
    // an earlier event arriving last still wins
    await sql`insert into case_event (case_id, at, kind, from_status, to_status, for_reporter)
      select id, '2025-06-01T00:00:00Z', 'status', 'new', 'concluded', false from report_case where reference = 'CLOCK-1'`.execute(
      t.db,
    );
    const first = await sql<{
      a: Date;
      d: Date;
    }>`select first_ack_at as a, first_done_at as d from report_case where reference = 'CLOCK-1'`.execute(t.db);
    assert.equal(first.rows[0]?.a.toISOString(), '2025-06-01T00:00:00.000Z');
    assert.equal(first.rows[0]?.d.toISOString(), '2025-06-01T00:00:00.000Z');
    assert.deepEqual(await mismatches(), []);
  });
});
