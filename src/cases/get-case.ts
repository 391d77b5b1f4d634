import { createHash } from 'node:crypto';
import type { Db } from '../db/connection.ts';
import { appendCaseEvent } from '../ledger/append.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { loadCaseView, type CaseView } from '../intake/case-view.ts';
import type { StaffActor } from '../staff/session.ts';
import { openCaseKeys } from './open-case.ts';

/**
 * Opens a case's content for a recipient and records the opening in the audit trail first: if the
 * audit cannot be written, nothing is shown. `withIdentity` also opens the reporter's identity,
 * which is also an `identity_request` event in the ledger.
 */
export async function getCase({ db, actor, reference, withIdentity = false }: { db: Db; actor: StaffActor; reference: string; withIdentity?: boolean }): Promise<CaseView> {
  const action = withIdentity ? 'identity_opened' : 'case_opened';
  const opened = await openCaseKeys({ db, actor, reference, purpose: action, withIdentity });
  const audit = { actorUserId: actor.id, action, caseId: opened.caseId, caseReference: opened.reference } as const;
  if (withIdentity) {
    // Disclosing the reporter's identity is a case event of its own: public (as a commitment) in the ledger.
    await db.transaction().execute(async (trx) => {
      await recordAudit(trx, audit);
      await appendCaseEvent(trx, { caseId: opened.caseId, caseKey: opened.keys.content, event: 'identity_request', detail: createHash('sha256').update(`identity-opened-by:${actor.id}`).digest() });
    });
  } else {
    await recordAudit(db, audit);
  }
  const view = await loadCaseView({ db, caseId: opened.caseId, keys: opened.keys, withIdentity });
  return view!;
}
