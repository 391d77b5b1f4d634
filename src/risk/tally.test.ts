// The risk signals' kept counts (migration 0261, tally.ts) against a direct count of report_case on
// random data: cases filed one by one and in bulk around Bangkok midnight, then moved between
// categories, agencies and days, given outcomes, deleted, all in random statements (some rolled
// back); the counts must equal the direct count before and after folding, with two folds at once,
// and the signals counted from them must equal the signals a direct count gives.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { seedAgency } from '../../test/support/app.ts';
import { createTestDatabase, type TestDatabase } from '../../test/support/db.ts';
import { seededRandom } from '../../test/support/random.ts';
import { CATEGORIES, COMPLAINT_CATEGORIES, PERMIT_CATEGORY } from '../intake/limits.ts';
import { computeSignals } from './signals.ts';
import { foldTally, tallied } from './tally.ts';

const OUTCOMES = [null, 'substantiated', 'partly_substantiated', 'not_substantiated', 'duplicate'];
const KINDS = ['tip', 'complaint', 'permit'] as const;
const CATEGORIES_OF_KIND: Record<(typeof KINDS)[number], readonly string[]> = {
  tip: CATEGORIES,
  complaint: COMPLAINT_CATEGORIES,
  permit: [PERMIT_CATEGORY],
};

type Count = { agency: number; day: string; kind: string; category: string; outcome: string | null; n: number };
const key = (c: Count) => `${c.agency}|${c.day}|${c.kind}|${c.category}|${c.outcome}`;

describe('risk case tally', () => {
  let t: TestDatabase;
  const agencies: number[] = [];

  before(async () => {
    t = await createTestDatabase(4);
    for (const code of ['OPDC', 'NACC']) await seedAgency(t.db, code);
    for (const a of await t.db.selectFrom('agency').select('id').orderBy('id').execute()) agencies.push(a.id);
  });
  after(async () => t.drop());

  async function direct(): Promise<Map<string, number>> {
    const { rows } = await sql<Count>`
      select agency_id as agency, to_char((created_at at time zone 'Asia/Bangkok')::date, 'YYYY-MM-DD') as day,
        kind, category, outcome, count(*)::int as n
      from report_case group by 1, 2, 3, 4, 5`.execute(t.db);
    return new Map(rows.map((r) => [key(r), r.n]));
  }
  async function kept(): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (const agency of agencies) {
      const { rows } = await sql<Count>`
        select ${agency}::int as agency, to_char(day, 'YYYY-MM-DD') as day, kind, category, outcome, sum(n)::int as n
        from ${tallied(agency, '1900-01-01', '2999-12-31')} t group by 2, 3, 4, 5 having sum(n) <> 0`.execute(t.db);
      for (const r of rows) out.set(key(r), r.n);
    }
    return out;
  }

  it('equals a direct count after random filings, moves, outcomes and deletions, folded or not', async () => {
    const rnd = seededRandom(16);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
    // around Bangkok midnight (17:00 UTC) and the fiscal years' edges
    const time = () =>
      new Date(
        Date.UTC(2024, 8, 25) +
          Math.floor(rnd() * 800) * 86_400_000 +
          (rnd() < 0.5 ? 61_200_000 : 0) +
          Math.floor(rnd() * 4) * 600_000 -
          1_200_000,
      ).toISOString();
    const caseValues = () => {
      const kind = pick(KINDS);
      return {
        kind,
        category: pick(CATEGORIES_OF_KIND[kind]),
        outcome: pick(OUTCOMES),
        at: time(),
        agency: pick(agencies),
      };
    };
    for (let step = 0; step < 60; step++) {
      const r = rnd();
      const statement = async () => {
        if (r < 0.35) {
          const count = 1 + Math.floor(rnd() * 40);
          const c = caseValues();
          await sql`insert into report_case (id, reference, agency_id, category, channel, status, outcome, has_identity, content, kind, created_at, updated_at)
            select gen_random_uuid(), 'TALLY-' || gen_random_uuid(), ${c.agency}, ${c.category}, 'web', 'new', ${c.outcome}, false, '\\x00'::bytea, ${c.kind},
              ${c.at}::timestamptz + (g || ' hours')::interval * ${Math.floor(rnd() * 30)}, now()
            from generate_series(1, ${count}) g`.execute(t.db);
        } else if (r < 0.5) {
          const c = caseValues();
          await sql`update report_case set outcome = ${c.outcome} where id in (select id from report_case order by random() limit ${1 + Math.floor(rnd() * 20)})`.execute(
            t.db,
          );
        } else if (r < 0.6) {
          await sql`update report_case set category = 'other' where kind = 'tip' and id in (select id from report_case order by random() limit 10)`.execute(
            t.db,
          );
        } else if (r < 0.7) {
          await sql`update report_case set agency_id = ${pick(agencies)}, created_at = ${time()}::timestamptz where id in (select id from report_case order by random() limit 5)`.execute(
            t.db,
          );
        } else if (r < 0.8) {
          // a change of no counted column (the status, a deadline): no delta
          await sql`update report_case set status = 'screening', ack_due_at = now() where id in (select id from report_case order by random() limit 15)`.execute(
            t.db,
          );
        } else if (r < 0.9) {
          await sql`delete from report_case where id in (select id from report_case order by random() limit ${1 + Math.floor(rnd() * 8)})`.execute(
            t.db,
          );
        } else {
          await Promise.all(agencies.map((a) => foldTally(t.db, a)));
        }
      };
      if (rnd() < 0.15) {
        // a statement rolled back leaves no delta
        await assert.rejects(
          t.db.transaction().execute(async (trx) => {
            await sql`update report_case set outcome = 'duplicate'`.execute(trx);
            await sql`delete from report_case`.execute(trx);
            throw new Error('rolled back');
          }),
          /rolled back/,
        );
      }
      await statement();
      if (step % 10 === 9) assert.deepEqual(await kept(), await direct(), `step ${step}`);
    }
    // two folds of one agency at once, and folds racing a filing
    await Promise.all([
      foldTally(t.db, agencies[0] as number),
      foldTally(t.db, agencies[0] as number),
      sql`insert into report_case (id, reference, agency_id, category, channel, status, has_identity, content, kind, created_at, updated_at)
        values (gen_random_uuid(), 'TALLY-race', ${agencies[0]}, 'bribery', 'web', 'new', false, '\\x00'::bytea, 'tip', now(), now())`.execute(
        t.db,
      ),
    ]);
    assert.deepEqual(await kept(), await direct(), 'after racing folds');
    for (const a of agencies) await foldTally(t.db, a);
    assert.deepEqual(await kept(), await direct(), 'folded');
    const deltas = await sql<{ n: number }>`select count(*)::int as n from risk_case_delta`.execute(t.db);
    assert.equal(deltas.rows[0]?.n, 0, 'a fold leaves no delta behind');
    const total = await sql<{ n: number }>`select count(*)::int as n from report_case`.execute(t.db);
    assert.ok((total.rows[0]?.n ?? 0) > 200, 'the random data holds cases');
  });

  it('gives the signals a direct count gives, for each agency and fiscal year', async () => {
    for (const agency of agencies)
      for (const year of [2568, 2569, 2570]) {
        const now = new Date('2026-12-01T00:00:00Z');
        const counted = await computeSignals(t.db, agency, year, now);
        // the same signals with every kept count removed and rebuilt from report_case itself
        await t.db.transaction().execute(async (trx) => {
          await sql`delete from risk_case_day`.execute(trx);
          await sql`delete from risk_case_delta`.execute(trx);
          await sql`insert into risk_case_day (agency_id, day, kind, category, outcome, n)
            select agency_id, (created_at at time zone 'Asia/Bangkok')::date, kind, category, outcome, count(*)
            from report_case group by 1, 2, 3, 4, 5`.execute(trx);
        });
        const rebuilt = await computeSignals(t.db, agency, year, now);
        assert.deepEqual(
          rebuilt.signals.filter((s) => s.key !== 'ita'),
          counted.signals.filter((s) => s.key !== 'ita'),
          `${agency} ${year}`,
        );
        assert.ok(counted.signals.some((s) => s.rows.length > 0) || year === 2570);
      }
  });
});
