// Late permit requests (Licensing Facilitation Act B.E. 2558): the decision on the request, and §10's
// duty to tell the applicant the reason for the delay every 7 days. The dates are metadata; what
// the applicant is told goes to them sealed, as a message on their thread.
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { recordAudit } from '../audit/record-audit.ts';
import { toMinute } from '../agencies/deadlines.ts';
import type { Db } from '../db/connection.ts';
import type { CaseStatus } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { translator } from '../i18n/messages.ts';
import { addMessage } from '../intake/add-message.ts';
import { appendCaseEvent } from '../ledger/append.ts';
import { caseRoleOf, hasRole, type StaffActor } from '../staff/session.ts';
import { isOwningSupervisor, loadCaseMeta, type CaseMeta } from './case-meta.ts';
import { openCaseKeys } from './open-case.ts';
import { bangkokToday, daysLate, NOTICE_PERIOD_MS, parseDay } from './permit-dates.ts';
import { checkReason, recordCaseEvent } from './workflow.ts';

export const PERMIT_DECISIONS = ['approved', 'rejected'] as const;
export type PermitDecision = (typeof PERMIT_DECISIONS)[number];

export type PermitNotice = { kind: 'reminder' | 'reason_told'; at: Date; recipients: number };
export type PermitView = {
  caseId: string;
  reference: string;
  status: CaseStatus;
  filedOn: string;
  manualDueOn: string;
  decision: PermitDecision | null;
  decidedOn: string | null;
  /** When the agency is next reminded (§10); null once decided. */
  nextNoticeAt: Date | null;
  /** Calendar days past the manual's deadline, to the decision or to today (Bangkok). */
  daysLate: number;
  today: string;
  notices: PermitNotice[];
  canDecide: boolean;
  canTellDelay: boolean;
};

/** Who records the decision: a team member who handles the request, or the owning agency's supervisor on metadata. */
function mayDecide(actor: StaffActor, meta: CaseMeta): boolean {
  return (meta.holdsKey && hasRole(actor, 'intake_officer', 'investigator')) || isOwningSupervisor(actor, meta);
}

async function permitRow(db: Db, caseId: string) {
  const row = await db
    .selectFrom('permit_request')
    .select([
      sql<string>`to_char(filed_on, 'YYYY-MM-DD')`.as('filed_on'),
      sql<string>`to_char(manual_due_on, 'YYYY-MM-DD')`.as('manual_due_on'),
      sql<string | null>`to_char(decided_on, 'YYYY-MM-DD')`.as('decided_on'),
      'decision',
      'next_notice_at',
    ])
    .where('case_id', '=', caseId)
    .executeTakeFirst();
  if (!row) throw new AppError('not_found', 'this case is not a late permit request', 'error.permit_none');
  return row;
}

/**
 * The permit request of a case for its page: dates, days late, decision and every §10 notice. Open
 * to whoever may see the case's metadata (loadCaseMeta: anyone else gets not_found, audited); the
 * view is audited as a metadata view. MUST NOT decrypt anything. A case that is not a permit
 * request is not_found.
 */
export async function loadPermit({
  db,
  actor,
  reference,
  now = new Date(),
}: {
  db: Db;
  actor: StaffActor;
  reference: string;
  now?: Date;
}): Promise<PermitView> {
  const meta = await loadCaseMeta(db, actor, reference, 'case_metadata_viewed');
  const p = await permitRow(db, meta.id);
  const notices = await db
    .selectFrom('permit_notice')
    .select(['kind', 'at', 'recipients'])
    .where('case_id', '=', meta.id)
    .orderBy('id')
    .execute();
  await recordAudit(db, {
    actorUserId: actor.id,
    action: 'case_metadata_viewed',
    caseId: meta.id,
    caseReference: meta.reference,
    detail: { view: 'permit' },
  });
  const today = bangkokToday(now);
  const isOpen = p.decision === null;
  return {
    caseId: meta.id,
    reference: meta.reference,
    status: meta.status,
    filedOn: p.filed_on,
    manualDueOn: p.manual_due_on,
    decision: p.decision,
    decidedOn: p.decided_on,
    nextNoticeAt: p.next_notice_at,
    daysLate: daysLate(p.manual_due_on, p.decided_on, today),
    today,
    notices,
    canDecide: isOpen && mayDecide(actor, meta),
    canTellDelay: isOpen && meta.holdsKey,
  };
}

/** Checks a decision and its date from a form; throws AppError('invalid_input') naming every field at fault. */
export function validatePermitDecision(
  rawDecision: unknown,
  rawDecidedOn: unknown,
): { decision: PermitDecision; decidedOn: string } {
  const errors: Record<string, string> = {};
  const decision = PERMIT_DECISIONS.find((d) => d === rawDecision);
  if (!decision) errors.decision = 'error.field.required';
  const decidedOn = parseDay(rawDecidedOn);
  if (!decidedOn)
    errors.decidedOn =
      typeof rawDecidedOn === 'string' && rawDecidedOn.trim() !== '' ? 'error.field.invalid' : 'error.field.required';
  if (!decision || !decidedOn)
    throw new AppError(
      'invalid_input',
      `invalid permit decision: ${Object.keys(errors).join(', ')}`,
      'error.form',
      errors,
    );
  return { decision, decidedOn };
}

/**
 * Records the agency's decision on a late permit request, once: on or after the date it was filed,
 * not in the future (Bangkok calendar). Stops the §10 reminders. The applicant sees "permit
 * approved/rejected" in their case's progress (and on LINE, by the case_event trigger). The
 * decision, its history step, its audit row and its ledger entry commit together.
 * MUST be called by a team member (intake officer, investigator) or the owning agency's supervisor;
 * others who see the case get forbidden, anyone else not_found (audited).
 */
export async function recordPermitDecision({
  db,
  actor,
  reference,
  decision: rawDecision,
  decidedOn: rawDecidedOn,
  now = new Date(),
}: {
  db: Db;
  actor: StaffActor;
  reference: string;
  decision: unknown;
  decidedOn: unknown;
  now?: Date;
}): Promise<{ decision: PermitDecision; decidedOn: string }> {
  const { decision, decidedOn } = validatePermitDecision(rawDecision, rawDecidedOn);
  const meta = await loadCaseMeta(db, actor, reference, 'status_changed');
  if (!mayDecide(actor, meta))
    throw new AppError(
      'forbidden',
      'only the team or the owning supervisor records a permit decision',
      'error.forbidden',
    );
  const p = await permitRow(db, meta.id);
  if (p.decision !== null)
    throw new AppError('conflict', 'the permit request is already decided', 'error.permit_decided');
  if (decidedOn < p.filed_on)
    throw new AppError('invalid_input', 'decided before the request was filed', 'error.form', {
      decidedOn: 'error.permit_decided_before_filed',
    });
  if (decidedOn > bangkokToday(now))
    throw new AppError('invalid_input', 'decided in the future', 'error.form', {
      decidedOn: 'error.permit_decided_future',
    });
  const opened = meta.holdsKey ? await openCaseKeys({ db, actor, reference, purpose: 'status_changed' }) : null;
  if (!opened && !meta.teamPublicKey)
    throw new AppError(
      'conflict',
      'a team member must open this case once before a supervisor can act on it',
      'error.conflict',
    );
  await db.transaction().execute(async (trx) => {
    // Conditional: of two decisions at once, one wins; the other is told the request is decided.
    const done = await trx
      .updateTable('permit_request')
      .set({ decision, decided_on: decidedOn, next_notice_at: null })
      .where('case_id', '=', meta.id)
      .where('decision', 'is', null)
      .returning('case_id')
      .executeTakeFirst();
    if (!done) throw new AppError('conflict', 'the permit request is already decided', 'error.permit_decided');
    await trx
      .updateTable('report_case')
      .set({ updated_at: sql<Date>`date_trunc('minute', ${now}::timestamptz)` })
      .where('id', '=', meta.id)
      .execute();
    await recordCaseEvent(trx, {
      caseId: meta.id,
      teamPublicKey: meta.teamPublicKey,
      actor,
      kind: `permit_${decision}`,
      forReporter: true,
      at: now,
    });
    await recordAudit(trx, {
      actorUserId: actor.id,
      action: 'status_changed',
      caseId: meta.id,
      caseReference: meta.reference,
      detail: { permit: decision, decidedOn },
    });
    const detail = createHash('sha256').update(`permit:${decision}:${decidedOn}`).digest();
    await appendCaseEvent(
      trx,
      opened
        ? { caseId: meta.id, caseKey: opened.keys.content, event: 'status_change', detail, at: now }
        : { caseId: meta.id, teamPublicKey: meta.teamPublicKey!, event: 'status_change', detail, at: now },
    );
  });
  return { decision, decidedOn };
}

/** The message the applicant receives: a bilingual heading naming §10, then the reason as staff wrote it. */
export function delayMessage(reason: string): string {
  return `${translator('th')('permit.delay.heading')}\n${translator('en')('permit.delay.heading')}\n\n${reason}`;
}

/**
 * Tells the applicant the reason for the delay (§10): the reason goes to the reporter's thread as
 * a staff message (sealed with the case key, so only the applicant and the team read it; on LINE
 * through the case_message trigger), a `reason_told` notice is recorded and the next reminder moves
 * to `now` + 7 days, all in the message's transaction. MUST be called by a holder of the case's
 * key (forbidden for metadata-only viewers, not_found for anyone else). Conflict once decided.
 */
export async function tellPermitDelay({
  db,
  actor,
  reference,
  reason,
  now = new Date(),
}: {
  db: Db;
  actor: StaffActor;
  reference: string;
  reason: unknown;
  now?: Date;
}): Promise<{ messageId: string; nextNoticeAt: Date }> {
  const text = checkReason(reason, 'reason', { required: 'error.field.required', tooLong: 'error.field.too_long' });
  const meta = await loadCaseMeta(db, actor, reference, 'message_posted');
  if (!meta.holdsKey)
    throw new AppError('forbidden', 'only the case team writes to the applicant', 'error.permit_delay_needs_key');
  const p = await permitRow(db, meta.id);
  if (p.decision !== null)
    throw new AppError('conflict', 'the permit request is already decided', 'error.permit_decided');
  const opened = await openCaseKeys({ db, actor, reference, purpose: 'message_posted' });
  const nextNoticeAt = toMinute(new Date(now.getTime() + NOTICE_PERIOD_MS));
  const { messageId } = await addMessage({
    db,
    caseId: opened.caseId,
    key: opened.keys.content,
    thread: 'reporter',
    author: { kind: 'staff', userId: actor.id, role: caseRoleOf(actor) },
    text: delayMessage(text),
    files: [],
    now,
    audit: {
      actorUserId: actor.id,
      action: 'message_posted',
      caseId: opened.caseId,
      caseReference: opened.reference,
      detail: { files: 0, awaitReporter: false, permitDelay: true },
    },
    before: async (trx) => {
      const moved = await trx
        .updateTable('permit_request')
        .set({ next_notice_at: nextNoticeAt })
        .where('case_id', '=', opened.caseId)
        .where('decision', 'is', null)
        .returning('case_id')
        .executeTakeFirst();
      if (!moved) throw new AppError('conflict', 'the permit request was decided meanwhile', 'error.permit_decided');
      await trx
        .insertInto('permit_notice')
        .values({ case_id: opened.caseId, kind: 'reason_told', at: toMinute(now) })
        .execute();
    },
  });
  return { messageId, nextNoticeAt };
}
