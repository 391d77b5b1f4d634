// The one page of a code holder (a reporter, a complainant, or a witness with a code of their own):
// what it shows, read in one call. A reporter or a complainant sees the case's status, what happens
// next and by when, how a complaint ended, the history, the conversation with the officers, what
// they sent, and whether they may rate the handling; a witness sees their own thread only.
import { caseRetention, type CaseRetention } from '../agencies/case-retention.ts';
import type { Db } from '../db/connection.ts';
import { AppError } from '../errors.ts';
import { loadCaseView, type CaseView, type MessageView } from './case-view.ts';
import { nextSteps, type NextSteps } from './next-steps.ts';
import type { ReporterSession } from './reporter-session.ts';
import { loadWitnessThread } from './witness-thread.ts';

export type Followup =
  | { kind: 'witness'; messages: MessageView[] }
  | {
      kind: 'case';
      view: CaseView;
      next: NextSteps;
      rating: number | null;
      canRate: boolean;
      /** When the case will be deleted under its agency's retention rule, or that a legal hold keeps it. */
      retention: CaseRetention;
    };

const gone = () => new AppError('not_found', 'case gone', 'error.not_found');

export async function loadFollowup({
  db,
  session,
  now = new Date(),
}: {
  db: Db;
  session: ReporterSession;
  now?: Date;
}): Promise<Followup> {
  if (session.witnessId)
    return {
      kind: 'witness',
      messages: await loadWitnessThread(db, session.caseId, session.witnessId, session.keys.content),
    };
  const [view, row, retention] = await Promise.all([
    loadCaseView({ db, caseId: session.caseId, keys: session.keys, withIdentity: false }),
    db
      .selectFrom('report_case as c')
      .leftJoin('case_rating as r', 'r.case_id', 'c.id')
      .select([
        'c.kind',
        'c.status',
        'c.outcome',
        'c.ack_due_at',
        'c.reply_due_at',
        'c.feedback_due_at',
        'c.paused_at',
        'r.score',
      ])
      .where('c.id', '=', session.caseId)
      .executeTakeFirst(),
    caseRetention(db, session.caseId),
  ]);
  if (!view || !row) throw gone();
  const rating = row.score ?? null;
  return {
    kind: 'case',
    view,
    next: nextSteps(row, now),
    rating,
    canRate: row.status === 'closed' && rating === null,
    retention,
  };
}
