import type { Db } from '../db/connection.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { loadCaseView, type CaseView } from '../intake/case-view.ts';
import type { StaffActor } from '../staff/session.ts';
import { openCaseKeys } from './open-case.ts';

/**
 * Opens a case's content for a recipient and records the opening in the audit trail first: if the
 * audit cannot be written, nothing is shown. `withIdentity` also opens the reporter's identity.
 */
export async function getCase({ db, actor, reference, withIdentity = false }: { db: Db; actor: StaffActor; reference: string; withIdentity?: boolean }): Promise<CaseView> {
  const action = withIdentity ? 'identity_opened' : 'case_opened';
  const opened = await openCaseKeys({ db, actor, reference, purpose: action, withIdentity });
  await recordAudit(db, { actorUserId: actor.id, action, caseId: opened.caseId, caseReference: opened.reference });
  const view = await loadCaseView({ db, caseId: opened.caseId, keys: opened.keys, withIdentity });
  return view!;
}
