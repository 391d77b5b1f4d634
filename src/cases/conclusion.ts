// A concluded case waits for a supervisor's approval. The page shows what is to be approved: the
// outcome, who concluded and when, and the reason: the team reads it through the team key, the
// owning agency's supervisors through the copy sealed to each of them when the case was concluded
// (workflow.ts). A supervisor who joined since reads the outcome only.
import type { Db } from '../db/connection.ts';
import type { HistoryView } from '../intake/case-view.ts';
import type { StaffActor } from '../staff/session.ts';
import type { CaseMeta } from './case-meta.ts';
import { openReason } from './sealed-reason.ts';

export type Conclusion = { at: Date; outcome: string | null; byUserId: number | null; reason: string | null };

/**
 * The conclusion of a case in `concluded`, or null. `teamHistory`: the history the team opened
 * (null on a metadata view), where the reason already is.
 */
export async function conclusionOf(
  db: Db,
  actor: StaffActor,
  meta: Pick<CaseMeta, 'id' | 'status'>,
  teamHistory: HistoryView[] | null,
): Promise<Conclusion | null> {
  if (meta.status !== 'concluded') return null;
  const row = await db
    .selectFrom('case_event')
    .select(['at', 'outcome', 'actor_user_id', 'reason_for_supervisors'])
    .where('case_id', '=', meta.id)
    .where('kind', '=', 'status')
    .where('to_status', '=', 'concluded')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!row) return null;
  const team = teamHistory?.findLast((h) => h.kind === 'status' && h.toStatus === 'concluded');
  return {
    at: row.at,
    outcome: row.outcome,
    byUserId: row.actor_user_id,
    reason: teamHistory ? (team?.reason ?? null) : openReason(actor, row.reason_for_supervisors),
  };
}
