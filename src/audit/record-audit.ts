// The audit trail of staff access to content. Written in the same transaction as what it records.
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.ts';

export type AuditAction =
  | 'case_opened'
  | 'identity_opened'
  | 'attachment_downloaded'
  | 'message_posted'
  | 'status_changed'
  | 'case_access_denied'
  | 'staff_login'
  | 'staff_login_failed';

export type AuditEntry = { actorUserId: number | null; action: AuditAction; caseId?: string | null; caseReference?: string | null; detail?: Record<string, unknown> };

/** Appends one audit event. MUST be given the transaction of the action it records, if any. */
export async function recordAudit(db: Kysely<Database> | Transaction<Database>, entry: AuditEntry): Promise<void> {
  await db
    .insertInto('audit_event')
    .values({ actor_user_id: entry.actorUserId, action: entry.action, case_id: entry.caseId ?? null, case_reference: entry.caseReference ?? null, detail: JSON.stringify(entry.detail ?? {}) })
    .execute();
}
