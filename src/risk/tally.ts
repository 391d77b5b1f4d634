// The risk signals' case counts as PostgreSQL keeps them (migration 0261): per agency, Bangkok day
// received, kind, category and outcome, in risk_case_day, plus the changes not yet folded into it
// in risk_case_delta (written by triggers on report_case in the transaction of each change). A count
// reads both, so it is exact whether or not the deltas were folded.
import { type RawBuilder, sql } from 'kysely';
import type { Db } from '../db/connection.ts';
import { RISK_TALLY_LOCK } from '../db/locks.ts';

/**
 * Folds the agency's deltas into risk_case_day, unless another session is folding them (the count
 * is exact either way). In one transaction: the deltas deleted are the deltas added.
 */
export async function foldTally(db: Db, agencyId: number): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const { rows } = await sql<{ ok: boolean }>`
      select pg_try_advisory_xact_lock(${RISK_TALLY_LOCK}::int, ${agencyId}::int) as ok`.execute(trx);
    if (!rows[0]?.ok) return;
    // in key order, so that two folds could never lock the same day rows in opposite orders
    await sql`
      with moved as (delete from risk_case_delta where agency_id = ${agencyId} returning day, kind, category, outcome, n)
      insert into risk_case_day (agency_id, day, kind, category, outcome, n)
      select ${agencyId}::int, day, kind, category, outcome, sum(n) from moved
      group by day, kind, category, outcome order by day, kind, category, outcome
      on conflict on constraint risk_case_day_key do update set n = risk_case_day.n + excluded.n`.execute(trx);
  });
}

/**
 * The agency's counts of cases received from `from` to `to` (Bangkok days, both included) as a
 * subquery of rows (day, kind, category, outcome, n) to group and sum; `n` may be 0 or negative in a
 * row, never in a sum over whole cases.
 */
export function tallied(agencyId: number, from: string, to: string): RawBuilder<unknown> {
  return sql`(
      select day, kind, category, outcome, n from risk_case_day
      where agency_id = ${agencyId} and day between ${from}::date and ${to}::date
      union all
      select day, kind, category, outcome, n from risk_case_delta
      where agency_id = ${agencyId} and day between ${from}::date and ${to}::date)`;
}
