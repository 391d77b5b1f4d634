// Cases seeded cheaply with SQL for the risk signals' tests and bench: metadata as a filing would
// leave it, and a `content` column holding a marker in the clear, so that a signal that ever read
// content would show it. Not a filing: no keys, no ledger entries.
import { sql } from 'kysely';
import type { Db } from '../../src/db/connection.ts';

/** What the seeded cases' content column holds: no signal, page or export may ever show it. */
export const CONTENT_MARKER = 'risk-test-content-marker-อย่าแสดง';

export type CaseSeed = {
  agency: string;
  count: number;
  kind?: 'tip' | 'complaint' | 'permit';
  category: string;
  /** ISO time the cases were filed */
  at: string;
  status?: string;
  outcome?: string | null;
  /** the acknowledgement clock ran out a day after filing and is still running */
  ackOverdue?: boolean;
  /** with a permit_request: filed on `at`'s day, due `dueDays` later, decided `decidedDays` after filing (null: undecided) */
  permit?: { dueDays: number; decidedDays: number | null };
  /** each case rated this score on `ratedOn` */
  rating?: { score: number; ratedOn: string };
};

/** Seeds `count` cases in one statement (plus their permits and ratings); returns nothing. */
export async function seedCases(db: Db, s: CaseSeed): Promise<void> {
  const agency = await db.selectFrom('agency').select('id').where('code', '=', s.agency).executeTakeFirstOrThrow();
  const ids = await sql<{ id: string }>`
    insert into report_case (id, reference, agency_id, category, channel, status, outcome, has_identity, content, kind,
      created_at, updated_at, ack_due_at)
    select gen_random_uuid(), 'RISK-' || gen_random_uuid(), ${agency.id}, ${s.category}, 'web', ${s.status ?? 'new'},
      ${s.outcome ?? null}, false, convert_to(${CONTENT_MARKER}, 'UTF8'), ${s.kind ?? 'tip'},
      ${s.at}::timestamptz, ${s.at}::timestamptz,
      ${s.ackOverdue ? sql`${s.at}::timestamptz + interval '1 day'` : sql`null`}
    from generate_series(1, ${s.count})
    returning id`.execute(db);
  if (s.permit)
    for (const { id } of ids.rows)
      await sql`insert into permit_request (case_id, agency_id, filed_on, manual_due_on, decision, decided_on)
        values (${id}, ${agency.id}, ${s.at}::date, ${s.at}::date + ${s.permit.dueDays}::int,
          ${s.permit.decidedDays === null ? null : 'approved'},
          ${s.permit.decidedDays === null ? null : sql`${s.at}::date + ${s.permit.decidedDays}::int`})`.execute(db);
  if (s.rating)
    for (const { id } of ids.rows)
      await sql`insert into case_rating (case_id, agency_id, score, channel, rated_on)
        values (${id}, ${agency.id}, ${s.rating.score}, 'web', ${s.rating.ratedOn}::date)`.execute(db);
}
