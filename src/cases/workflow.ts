// The case workflow: who may move a case from which state to which, with what outcome, and why.
//   new → acknowledged → screening → investigating → concluded → closed
//   screening → concluded with a screening outcome (out of scope, insufficient information,
//   duplicate of another case, unfounded or malicious); investigating → concluded with a
//   conclusion; a supervisor approves the closure or sends a concluded case back; referred (set
//   by a referral) → acknowledged by the receiving agency.
//   A service complaint or a late permit is concluded with how it ended for the complainant
//   (resolved, partly resolved, not resolved, referred to the competent body) instead of a tip's
//   conclusions: from investigating, or at once from screening (a complaint is often settled by the
//   intake officer), where the screening outcomes stay open to it too.
import { createHash } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import type { Db } from '../db/connection.ts';
import {
  COMPLAINT_OUTCOMES,
  CONCLUSIONS,
  SCREENING_OUTCOMES,
  type CaseKind,
  type CaseOutcome,
  type CaseStatus,
  type Database,
  type StaffRole,
} from '../db/schema.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { toMinute } from '../agencies/deadlines.ts';
import { AppError } from '../errors.ts';
import { appendCaseEvent } from '../ledger/append.ts';
import type { LedgerEvent } from '../ledger/events.ts';
import { caseRoleOf, type StaffActor } from '../staff/session.ts';
import { isOwningSupervisor, loadCaseMeta, type CaseMeta } from './case-meta.ts';
import { denyAccess, openCaseKeys } from './open-case.ts';
import { sealToTeam } from '../crypto/team-key.ts';
import { sealReason } from './sealed-reason.ts';

/** `kinds`: the kinds of case the move is for (every kind when absent); `isReasonOptional`: a reason may be given, none is asked. */
export type TransitionRule = {
  from: readonly CaseStatus[];
  to: CaseStatus;
  roles: readonly StaffRole[];
  outcomes?: readonly CaseOutcome[];
  kinds?: readonly CaseKind[];
  isReasonOptional?: boolean;
};

const COMPLAINTS: readonly CaseKind[] = ['complaint', 'permit'];

export const TRANSITIONS: readonly TransitionRule[] = [
  // Acknowledging says the case was received: there is nothing to justify.
  { from: ['new', 'referred'], to: 'acknowledged', roles: ['intake_officer'], isReasonOptional: true },
  { from: ['acknowledged'], to: 'screening', roles: ['intake_officer'] },
  { from: ['screening'], to: 'investigating', roles: ['intake_officer', 'supervisor'] },
  {
    from: ['screening'],
    to: 'concluded',
    roles: ['intake_officer', 'supervisor'],
    outcomes: SCREENING_OUTCOMES,
    kinds: ['tip'],
  },
  {
    from: ['screening'],
    to: 'concluded',
    roles: ['intake_officer', 'supervisor'],
    outcomes: [...SCREENING_OUTCOMES, ...COMPLAINT_OUTCOMES],
    kinds: COMPLAINTS,
  },
  {
    from: ['investigating'],
    to: 'concluded',
    roles: ['investigator', 'supervisor'],
    outcomes: CONCLUSIONS,
    kinds: ['tip'],
  },
  {
    from: ['investigating'],
    to: 'concluded',
    roles: ['investigator', 'supervisor'],
    outcomes: COMPLAINT_OUTCOMES,
    kinds: COMPLAINTS,
  },
  // A concluded case waits for its approval: closing comes first, sending it back second.
  { from: ['concluded'], to: 'closed', roles: ['supervisor'] },
  { from: ['concluded'], to: 'investigating', roles: ['supervisor'] },
];

/**
 * Marking a flood as spam (bulk, from the inbox: cases/mark-spam.ts): a case not yet past screening
 * is closed at once as unfounded, by an intake officer or a supervisor. Kept out of TRANSITIONS, so
 * the case page's moves (and a supervisor's approval of every other closure) stay as they were.
 */
export const SPAM_RULE: TransitionRule = {
  from: ['new', 'acknowledged', 'screening'],
  to: 'closed',
  roles: ['intake_officer', 'supervisor'],
  outcomes: ['unfounded_or_malicious'],
};

export const MAX_REASON = 2000;

/** The moves open to the actor: by any role they hold on the team, or as the owning agency's supervisor on metadata. */
export function transitionsFor(
  actor: StaffActor,
  meta: Pick<CaseMeta, 'status' | 'holdsKey' | 'agencyId' | 'kind'>,
  rules: readonly TransitionRule[] = TRANSITIONS,
): TransitionRule[] {
  const asSupervisor = isOwningSupervisor(actor, meta);
  return rules.filter(
    (r) =>
      r.from.includes(meta.status) &&
      (!r.kinds || r.kinds.includes(meta.kind)) &&
      r.roles.some((role) => actor.roles.includes(role) && (meta.holdsKey || (role === 'supervisor' && asSupervisor))),
  );
}

/**
 * A reason as given (trimmed), or invalid_input on `field` saying that it is missing or longer
 * than MAX_REASON. `messages`: the field messages (the permit page keeps the generic ones).
 */
export function checkReason(
  reason: unknown,
  field = 'reason',
  messages = { required: 'error.reason.required', tooLong: 'error.reason.too_long' },
): string {
  const text = typeof reason === 'string' ? reason.trim() : '';
  if (text.length === 0)
    throw new AppError('invalid_input', 'a reason is required', 'error.form', { [field]: messages.required });
  if (text.length > MAX_REASON)
    throw new AppError('invalid_input', 'reason too long', 'error.form', { [field]: messages.tooLong });
  return text;
}

/** Records a history event of a case: the reason sealed to the team, shown to the reporter when `forReporter`. */
export async function recordCaseEvent(
  trx: Transaction<Database>,
  e: {
    caseId: string;
    teamPublicKey: Buffer | null;
    actor: StaffActor | null;
    kind: string;
    fromStatus?: string | null;
    toStatus?: string | null;
    outcome?: string | null;
    agencyId?: number | null;
    /** The unit a `unit_set` event names (case-unit.ts). */
    unitId?: number | null;
    reason?: string | null;
    /** The reason sealed to named staff besides the team (sealed-reason.ts): a conclusion's, for the supervisors. */
    reasonForSupervisors?: Buffer | null;
    forReporter: boolean;
    at?: Date;
  },
): Promise<void> {
  await trx
    .insertInto('case_event')
    .values({
      case_id: e.caseId,
      at: toMinute(e.at ?? new Date()),
      actor_user_id: e.actor?.id ?? null,
      actor_role: e.actor ? caseRoleOf(e.actor) : null,
      kind: e.kind,
      from_status: e.fromStatus ?? null,
      to_status: e.toStatus ?? null,
      outcome: e.outcome ?? null,
      agency_id: e.agencyId ?? null,
      unit_id: e.unitId ?? null,
      reason:
        e.reason && e.teamPublicKey ? sealToTeam(e.teamPublicKey, `case-event-reason/${e.caseId}`, e.reason) : null,
      reason_for_supervisors: e.reasonForSupervisors ?? null,
      for_reporter: e.forReporter,
    })
    .execute();
}

/** The active supervisors of an agency, with their public keys. */
async function supervisorsOf(db: Db, agencyId: number): Promise<{ id: number; publicKey: Buffer }[]> {
  const rows = await db
    .selectFrom('staff_user as u')
    .innerJoin('staff_role as r', (j) => j.onRef('r.user_id', '=', 'u.id').on('r.role', '=', 'supervisor'))
    .select(['u.id', 'u.public_key'])
    .where('u.agency_id', '=', agencyId)
    .where('u.is_active', '=', true)
    .where('u.public_key', 'is not', null)
    .execute();
  return rows.map((r) => ({ id: r.id, publicKey: r.public_key! }));
}

/**
 * Moves a case. Team members act with the case key; a supervisor of the owning agency may act on
 * metadata alone (the reason and the ledger opening are then sealed to the team's public key).
 */
export async function transitionCase({
  db,
  actor,
  reference,
  to,
  reason,
  outcome,
  duplicateOf,
  rules = TRANSITIONS,
  now = new Date(),
}: {
  db: Db;
  actor: StaffActor;
  reference: string;
  to: string;
  reason: unknown;
  outcome?: string;
  duplicateOf?: string;
  /** The moves to choose from (SPAM_RULE alone when marking spam). */
  rules?: readonly TransitionRule[];
  now?: Date;
}): Promise<{ from: CaseStatus; to: CaseStatus }> {
  const meta = await loadCaseMeta(db, actor, reference, 'status_changed');
  if (!meta.holdsKey && !isOwningSupervisor(actor, meta))
    return denyAccess(db, actor, reference, meta.id, 'status_changed');
  const rule = transitionsFor(actor, meta, rules).find((r) => r.to === to);
  if (!rule)
    throw new AppError(
      'conflict',
      `cannot move a case from ${meta.status} to ${to} as ${actor.roles.join('/')}`,
      'error.transition',
    );
  const text = rule.isReasonOptional && String(reason ?? '').trim() === '' ? '' : checkReason(reason);
  let chosen: CaseOutcome | null = null;
  if (rule.outcomes) {
    if (!rule.outcomes.includes(outcome as CaseOutcome))
      throw new AppError('invalid_input', `outcome must be one of ${rule.outcomes.join(', ')}`, 'error.form', {
        outcome: 'error.outcome.required',
      });
    chosen = outcome as CaseOutcome;
  }
  let duplicateId: string | null = null;
  if (chosen === 'duplicate') {
    const original = await db
      .selectFrom('report_case as c')
      .innerJoin('case_agency as a', 'a.case_id', 'c.id')
      .select('c.id')
      .where(
        'c.reference',
        '=',
        String(duplicateOf ?? '')
          .trim()
          .slice(0, 64),
      )
      .where('a.agency_id', '=', meta.agencyId)
      .executeTakeFirst();
    if (!original || original.id === meta.id)
      throw new AppError('invalid_input', 'the original case must be another case of the agency', 'error.form', {
        duplicateOf: 'error.duplicate_of',
      });
    duplicateId = original.id;
  }
  const opened = meta.holdsKey ? await openCaseKeys({ db, actor, reference, purpose: 'status_changed' }) : null;
  // The supervisors who approve a conclusion read its reason without the case's keys.
  const approvers = rule.to === 'concluded' ? await supervisorsOf(db, meta.agencyId) : [];
  return db.transaction().execute(async (trx) => {
    const current = await trx
      .selectFrom('report_case')
      .select(['status', 'team_public_key'])
      .where('id', '=', meta.id)
      .forUpdate()
      .executeTakeFirstOrThrow();
    if (current.status !== meta.status) throw new AppError('conflict', 'the case changed meanwhile', 'error.conflict');
    await trx
      .updateTable('report_case')
      .set({
        status: rule.to,
        outcome: rule.outcomes ? chosen : rule.to === 'investigating' ? null : undefined,
        duplicate_of: duplicateId,
        updated_at: sql<Date>`date_trunc('minute', ${now}::timestamptz)`,
        // the clocks a move meets: acknowledging stops the first; concluding stops them all
        ...(rule.to === 'acknowledged' ? { ack_due_at: null } : {}),
        ...(rule.to === 'concluded' || rule.to === 'closed'
          ? { ack_due_at: null, reply_due_at: null, feedback_due_at: null, paused_at: null }
          : {}),
      })
      .where('id', '=', meta.id)
      .execute();
    await recordCaseEvent(trx, {
      caseId: meta.id,
      teamPublicKey: current.team_public_key,
      actor,
      kind: 'status',
      fromStatus: meta.status,
      toStatus: rule.to,
      outcome: chosen,
      reason: text,
      reasonForSupervisors: approvers.length > 0 ? sealReason(approvers, text) : null,
      forReporter: true,
      at: now,
    });
    await recordAudit(trx, {
      actorUserId: actor.id,
      action: 'status_changed',
      caseId: meta.id,
      caseReference: meta.reference,
      detail: { from: meta.status, to: rule.to, outcome: chosen, ...(rule === SPAM_RULE ? { spam: true } : {}) },
    });
    const event: LedgerEvent =
      rule.to === 'acknowledged' ? 'acknowledgement' : rule.to === 'closed' ? 'closure' : 'status_change';
    const detail = createHash('sha256')
      .update(`status:${meta.status}->${rule.to}:${chosen ?? ''}`)
      .digest();
    if (opened) await appendCaseEvent(trx, { caseId: meta.id, caseKey: opened.keys.content, event, detail, at: now });
    else if (current.team_public_key)
      await appendCaseEvent(trx, { caseId: meta.id, teamPublicKey: current.team_public_key, event, detail, at: now });
    else
      throw new AppError(
        'conflict',
        'a team member must open this case once before a supervisor can move it',
        'error.conflict',
      );
    return { from: meta.status, to: rule.to };
  });
}
