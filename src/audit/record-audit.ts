// The audit trail of staff access to content, written in the same transaction as what it records,
// as a hash chain: each row's hash covers the previous row's hash and the row itself, and the
// chain's head is committed to the public ledger at every batch (src/ledger/anchor-audit.ts).
import { createHash } from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import { AUDIT_CHAIN_LOCK } from '../db/locks.ts';
import type { Database } from '../db/schema.ts';

export const AUDIT_ACTIONS = [
  'case_opened',
  'complaint_filed_for_caller',
  'identity_opened',
  'attachment_downloaded',
  'message_posted',
  'note_posted',
  'status_changed',
  'case_access_denied',
  'content_unreadable',
  'case_metadata_viewed',
  'case_assigned',
  'case_member_removed',
  'conflict_declared',
  'case_business_added',
  'case_business_removed',
  'key_granted',
  'key_grant_refused',
  'identity_requested',
  'identity_request_decided',
  'case_referred',
  'witness_invited',
  'witness_statement',
  'cases_exported',
  'cases_searched',
  'cases_listed',
  'audit_viewed',
  'deadlines_changed',
  'agency_settings_changed',
  'unit_added',
  'unit_changed',
  'unit_deactivated',
  'unit_reactivated',
  'retention_changed',
  'case_shredded',
  'identity_erased',
  'case_hold_set',
  'case_hold_lifted',
  'case_unit_set',
  'personal_data_exported',
  'agency_created',
  'setup_link_reissued',
  'escrow_enabled',
  'escrow_restore_requested',
  'escrow_restore_decided',
  'access_restored',
  'user_created',
  'account_set_up',
  'roles_changed',
  'role_grant_decided',
  'user_deactivated',
  'staff_unit_set',
  'password_changed',
  'second_factor_enrolled',
  'recovery_code_used',
  'recovery_codes_renewed',
  'staff_login',
  'staff_login_failed',
  'password_check_failed',
  'ita_cycle_opened',
  'ita_cycle_closed',
  'ita_links_issued',
  'ita_oit_evidence_saved',
  'ita_oit_evidence_carried',
  'ita_oit_verdict_saved',
  'ita_reminder_sent',
  'ita_measure_saved',
  'ita_progress_saved',
  'ita_history_recorded',
  'ita_results_published',
  'ita_cycle_changed',
  'backup_made',
  'backup_restored',
  'procurement_imported',
  'procurement_exported',
  'risk_register_opened',
  'risk_saved',
  'risk_candidate_made',
  'risk_action_saved',
  'risk_register_published',
  'risk_signals_viewed',
  'risk_register_exported',
  'risk_oversight_granted',
  'risk_oversight_revoked',
  'risk_review_saved',
  'risk_review_answered',
  'oversight_granted',
  'agency_attributes_changed',
  'oversight_viewed',
  'oversight_exported',
  'ethics_kb_added',
  'ethics_kb_removed',
  'ethics_kb_sample_loaded',
  'ethics_questions_read',
  'ethics_question_answered',
  'ethics_course_saved',
  'ethics_lesson_saved',
  'ethics_lesson_edited',
  'ethics_image_added',
  'ethics_bank_saved',
  'ethics_bank_renamed',
  'ethics_item_saved',
  'ethics_item_edited',
  'ethics_blueprint_saved',
  'ethics_course_published',
  'ethics_attempt_submitted',
  'ethics_certificate_issued',
  'ethics_results_exported',
  'declaration_policy_changed',
  'declaration_position_saved',
  'declaration_holder_changed',
  'declaration_filed',
  'declaration_opened',
  'declarations_listed',
  'declaration_keys_shared',
  'declaration_recused',
  'declaration_alerts_raised',
  'declarations_rechecked',
  'declaration_reminder_sent',
  'line_link_code_issued',
  'line_linked',
  'line_unlinked',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export type AuditEntry = {
  actorUserId: number | null;
  action: AuditAction;
  caseId?: string | null;
  caseReference?: string | null;
  detail?: Record<string, unknown>;
};

/** JSON with object keys sorted at every depth, so a value read back from jsonb hashes the same. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object')
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

export type AuditRow = {
  at: Date;
  actor_user_id: number | null;
  action: string;
  case_id: string | null;
  case_reference: string | null;
  detail: Record<string, unknown>;
};

/** The hash of a row given the previous row's hash (empty for the first). */
export function auditHash(prev: Buffer | null, row: AuditRow): Buffer {
  const canonical = canonicalJson([
    row.at.toISOString(),
    row.actor_user_id,
    row.action,
    row.case_id,
    row.case_reference,
    row.detail,
  ]);
  return createHash('sha256')
    .update(prev ?? Buffer.alloc(0))
    .update(canonical, 'utf8')
    .digest();
}

/**
 * Locks the chain for the rest of the transaction and returns its head. The lock orders writers
 * (and the anchoring), so each reads the true head: it is taken before the read's snapshot.
 */
export async function lockAuditHead(trx: Transaction<Database>): Promise<{ id: number; hash: Buffer } | null> {
  await sql`select pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK})`.execute(trx);
  const head = await trx
    .selectFrom('audit_event')
    .select(['id', 'hash'])
    .where('hash', 'is not', null)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return head?.hash ? { id: Number(head.id), hash: head.hash } : null;
}

async function append(trx: Transaction<Database>, entries: AuditEntry[]): Promise<void> {
  const last = await lockAuditHead(trx);
  let prev = last?.hash ?? null;
  const at = new Date();
  const values = entries.map((entry) => {
    const row: AuditRow = {
      at,
      actor_user_id: entry.actorUserId,
      action: entry.action,
      case_id: entry.caseId ?? null,
      case_reference: entry.caseReference ?? null,
      detail: entry.detail ?? {},
    };
    const hash = auditHash(prev, row);
    const value = { ...row, detail: JSON.stringify(row.detail), prev_hash: prev, hash };
    prev = hash;
    return value;
  });
  // One insert: the ids follow the array's order, which is the chain's order.
  await trx.insertInto('audit_event').values(values).execute();
}

/** Appends one audit event. MUST be given the transaction of the action it records, if any. */
export async function recordAudit(db: Kysely<Database> | Transaction<Database>, entry: AuditEntry): Promise<void> {
  await recordAudits(db, [entry]);
}

/** Appends events in order under one lock and one insert; the same transaction rule as recordAudit. */
export async function recordAudits(db: Kysely<Database> | Transaction<Database>, entries: AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  if (db.isTransaction) await append(db as Transaction<Database>, entries);
  else await db.transaction().execute((trx) => append(trx, entries));
}
