import type { Db } from '../db/connection.ts';
import { openSealed } from '../crypto/sealed-box.ts';
import { recordAudit, type AuditAction } from '../audit/record-audit.ts';
import { AppError } from '../errors.ts';
import type { CaseKeys } from '../intake/case-keys.ts';
import type { StaffActor } from '../staff/session.ts';

export type OpenedCase = { caseId: string; reference: string; keys: CaseKeys };

/**
 * Finds a case by reference and opens its keys for a staff member it is sealed to. A case of
 * another agency, or one not sealed to the actor, answers not_found (indistinguishable from a case
 * that does not exist) and the attempt is audited. MUST NOT be used for metadata-only views.
 */
export async function openCaseKeys({ db, actor, reference, purpose, withIdentity = false }: {
  db: Db;
  actor: StaffActor;
  reference: string;
  purpose: AuditAction;
  withIdentity?: boolean;
}): Promise<OpenedCase> {
  const row = await db
    .selectFrom('report_case as c')
    .leftJoin('case_key as k', (j) => j.onRef('k.case_id', '=', 'c.id').on('k.user_id', '=', actor.id).on('k.purpose', '=', 'content'))
    .leftJoin('case_key as ik', (j) => j.onRef('ik.case_id', '=', 'c.id').on('ik.user_id', '=', actor.id).on('ik.purpose', '=', 'identity'))
    .select(['c.id', 'c.reference', 'c.agency_id', 'k.sealed_key', 'ik.sealed_key as identity_key'])
    .where('c.reference', '=', reference.slice(0, 64))
    .executeTakeFirst();
  if (!row || row.agency_id !== actor.agencyId || !row.sealed_key) {
    await recordAudit(db, { actorUserId: actor.id, action: 'case_access_denied', caseId: row?.id ?? null, caseReference: reference.slice(0, 64), detail: { purpose } });
    throw new AppError('not_found', `no case ${reference} for this user`, 'error.not_found');
  }
  const keys: CaseKeys = {
    content: openSealed(actor.keys, row.sealed_key),
    identity: withIdentity && row.identity_key ? openSealed(actor.keys, row.identity_key) : null,
  };
  return { caseId: row.id, reference: row.reference, keys };
}
