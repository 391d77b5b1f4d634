// What a case's page says about its retention: kept while open; once closed, the day it will be
// shredded under the rule in force (or that a legal hold keeps it); or that it was shredded.
// Read by the reporter's follow-up page, the complainant's status page and the staff case page.
import { sql } from 'kysely';
import type { Db } from '../db/connection.ts';
import type { AgencySettings, CaseKind, CaseOutcome } from '../db/schema.ts';
import { caseRule, deletionDate, ruleTable, type AppliedRule, type RuleTable } from './retention-rules.ts';

export type CaseRetention =
  | { state: 'open' }
  | { state: 'held' }
  | { state: 'scheduled'; on: Date; rule: AppliedRule }
  | { state: 'shredded'; on: Date };

export async function caseRetention(db: Db, caseId: string): Promise<CaseRetention> {
  const row = await db
    .selectFrom('report_case as c')
    .innerJoin('agency as a', 'a.id', 'c.agency_id')
    .leftJoin('case_hold as h', 'h.case_id', 'c.id')
    .leftJoin('case_tombstone as t', 't.case_id', 'c.id')
    .select(['c.kind', 'c.outcome', 'c.status', 'a.settings', 'h.held_at', 't.shredded_at'])
    .select(
      sql<Date | null>`(select max(e.at) from case_event e where e.case_id = c.id and e.to_status = 'closed')`.as(
        'closed_at',
      ),
    )
    .where('c.id', '=', caseId)
    .executeTakeFirstOrThrow();
  return retentionOfRow(row);
}

export function retentionOfRow(row: {
  kind: CaseKind;
  outcome: CaseOutcome | null;
  status: string;
  settings: AgencySettings | null;
  held_at: Date | null;
  shredded_at: Date | null;
  closed_at: Date | null;
}): CaseRetention {
  if (row.shredded_at) return { state: 'shredded', on: row.shredded_at };
  if (row.held_at) return { state: 'held' };
  if (row.status !== 'closed' || !row.closed_at) return { state: 'open' };
  const rule = caseRule(row.settings, row.kind, row.outcome);
  return { state: 'scheduled', on: deletionDate(row.closed_at, rule.months), rule };
}

/** The retention rules in force for each agency that receives reports, for the privacy notice. */
export async function retentionRulesOf(
  db: Db,
  agencyIds: readonly number[],
): Promise<Map<number, { table: RuleTable; isOwn: boolean }>> {
  if (agencyIds.length === 0) return new Map();
  const rows = await db.selectFrom('agency').select(['id', 'settings']).where('id', 'in', agencyIds).execute();
  return new Map(
    rows.map((r) => {
      const own = r.settings?.retention;
      const isOwn = Object.keys(own?.caseMonths ?? {}).length + Object.keys(own?.identityMonths ?? {}).length > 0;
      return [r.id, { table: ruleTable(r.settings), isOwn }];
    }),
  );
}
