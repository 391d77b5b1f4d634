import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { appendCaseEvent } from '../ledger/append.ts';
import type { LedgerEvent } from '../ledger/events.ts';
import type { Db } from '../db/connection.ts';
import { CASE_STATUSES, type CaseStatus } from '../db/schema.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { AppError } from '../errors.ts';
import type { StaffActor } from '../staff/session.ts';
import { openCaseKeys } from './open-case.ts';

/** Sets a case's status (any of the four, in any order, in this first workflow), audited. */
export async function setCaseStatus({ db, actor, reference, status }: { db: Db; actor: StaffActor; reference: string; status: string }): Promise<{ from: CaseStatus; to: CaseStatus }> {
  if (!(CASE_STATUSES as readonly string[]).includes(status)) {
    throw new AppError('invalid_input', `status must be one of ${CASE_STATUSES.join(', ')}`, 'error.form', { status: 'error.field.invalid' });
  }
  const opened = await openCaseKeys({ db, actor, reference, purpose: 'status_changed' });
  return db.transaction().execute(async (trx) => {
    const before = await trx.selectFrom('report_case').select('status').where('id', '=', opened.caseId).forUpdate().executeTakeFirstOrThrow();
    await trx.updateTable('report_case').set({ status: status as CaseStatus, updated_at: sql<Date>`date_trunc('minute', now())` }).where('id', '=', opened.caseId).execute();
    await recordAudit(trx, { actorUserId: actor.id, action: 'status_changed', caseId: opened.caseId, caseReference: opened.reference, detail: { from: before.status, to: status } });
    const event: LedgerEvent = status === 'acknowledged' ? 'acknowledgement' : status === 'closed' ? 'closure' : 'status_change';
    await appendCaseEvent(trx, { caseId: opened.caseId, caseKey: opened.keys.content, event, detail: createHash('sha256').update(`status:${before.status}->${status}`).digest() });
    return { from: before.status, to: status as CaseStatus };
  });
}
