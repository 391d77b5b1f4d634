// Metadata of a case (reference, status, dates, who holds keys): what supervisors and auditors see
// of the cases of their agency without reading content. Never decrypts anything.
import { sql } from 'kysely';
import type { Db } from '../db/connection.ts';
import type { CaseKind, CaseOutcome, CaseStatus } from '../db/schema.ts';
import { hasRole, type StaffActor } from '../staff/session.ts';
import { denyAccess } from './open-case.ts';

export type CaseMeta = {
  id: string;
  reference: string;
  agencyId: number;
  category: string;
  channel: string;
  kind: CaseKind;
  status: CaseStatus;
  outcome: CaseOutcome | null;
  /** The unit of the owning agency the case concerns (case-unit.ts). */
  unitId: number | null;
  hasIdentity: boolean;
  teamPublicKey: Buffer | null;
  ackDueAt: Date | null;
  replyDueAt: Date | null;
  feedbackDueAt: Date | null;
  pausedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  /** The actor holds the content key (is on the case team). */
  holdsKey: boolean;
  /** The actor's agency takes part in the case (owner or copy). */
  isOwnAgency: boolean;
  /** The actor was given the case (assigned, or receiving a referral) and waits for a key holder to hand its key over. */
  isAwaitingAccess: boolean;
};

export const METADATA_ROLES = ['supervisor', 'auditor', 'intake_officer'] as const;

/** A supervisor of the agency that owns the case: assigns, removes, refers and moves it on metadata alone. */
export function isOwningSupervisor(actor: StaffActor, meta: Pick<CaseMeta, 'agencyId'>): boolean {
  return hasRole(actor, 'supervisor') && meta.agencyId === actor.agencyId;
}

/**
 * The case's metadata for a team member, for someone waiting for its key to be handed over, or
 * for a supervisor, auditor or intake officer of an agency taking part in it. Anyone else gets
 * not_found, audited.
 */
export async function loadCaseMeta(
  db: Db,
  actor: StaffActor,
  reference: string,
  purpose: Parameters<typeof denyAccess>[4],
): Promise<CaseMeta> {
  const row = await db
    .selectFrom('report_case as c')
    .select([
      'c.id',
      'c.reference',
      'c.agency_id',
      'c.category',
      'c.channel',
      'c.kind',
      'c.status',
      'c.outcome',
      'c.unit_id',
      'c.has_identity',
      'c.team_public_key',
      'c.ack_due_at',
      'c.reply_due_at',
      'c.feedback_due_at',
      'c.paused_at',
      'c.created_at',
      'c.updated_at',
    ])
    .select([
      sql<boolean>`exists (select 1 from case_key k where k.case_id = c.id and k.user_id = ${actor.id} and k.purpose = 'content')`.as(
        'holds_key',
      ),
      sql<boolean>`exists (select 1 from case_agency a where a.case_id = c.id and a.agency_id = ${actor.agencyId ?? -1})`.as(
        'own_agency',
      ),
      sql<boolean>`exists (select 1 from case_grant g where g.case_id = c.id and g.user_id = ${actor.id} and g.purpose = 'content' and g.state = 'pending')`.as(
        'awaiting',
      ),
    ])
    .where('c.reference', '=', reference.slice(0, 64))
    .executeTakeFirst();
  const allowed =
    row && actor.isEnrolled && (row.holds_key || row.awaiting || (row.own_agency && hasRole(actor, ...METADATA_ROLES)));
  if (!row || !allowed) return denyAccess(db, actor, reference, row?.id ?? null, purpose);
  return {
    id: row.id,
    reference: row.reference,
    agencyId: row.agency_id,
    category: row.category,
    channel: row.channel,
    kind: row.kind,
    status: row.status,
    outcome: row.outcome,
    unitId: row.unit_id,
    hasIdentity: row.has_identity,
    teamPublicKey: row.team_public_key,
    ackDueAt: row.ack_due_at,
    replyDueAt: row.reply_due_at,
    feedbackDueAt: row.feedback_due_at,
    pausedAt: row.paused_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    holdsKey: row.holds_key,
    isOwnAgency: row.own_agency,
    isAwaitingAccess: row.awaiting && !row.holds_key,
  };
}
