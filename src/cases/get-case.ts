import type { Db } from '../db/connection.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { loadCaseView, type CaseView } from '../intake/case-view.ts';
import type { StaffActor } from '../staff/session.ts';
import { openCaseKeys, type OpenedCase } from './open-case.ts';

export type StaffCaseView = CaseView & { isIdentityDisclosedToMe: boolean };

/**
 * Opens a case's content for a team member and records the opening in the audit trail first: if
 * the audit cannot be written, nothing is shown. `withIdentity` also opens the reporter's identity
 * when it has been disclosed to the actor (identity escrow), audited as such.
 */
export async function getCase({ db, actor, reference, withIdentity = false }: { db: Db; actor: StaffActor; reference: string; withIdentity?: boolean }): Promise<StaffCaseView> {
  const opened = await openCaseKeys({ db, actor, reference, purpose: withIdentity ? 'identity_opened' : 'case_opened', withIdentity: true });
  return viewOpenedCase({ db, actor, opened, withIdentity });
}

/** The same, for a caller that opened the keys itself (with `withIdentity: true`) and needs them for more. */
export async function viewOpenedCase({ db, actor, opened, withIdentity = false }: { db: Db; actor: StaffActor; opened: OpenedCase; withIdentity?: boolean }): Promise<StaffCaseView> {
  const action = withIdentity ? 'identity_opened' : 'case_opened';
  const isIdentityDisclosedToMe = opened.keys.identity !== null;
  const audit = { actorUserId: actor.id, caseId: opened.caseId, caseReference: opened.reference } as const;
  if (withIdentity && !isIdentityDisclosedToMe) {
    // Asked for an identity not disclosed to them: refused (audited), the case is shown without it.
    await recordAudit(db, { ...audit, action: 'case_access_denied', detail: { purpose: action } });
    await recordAudit(db, { ...audit, action: 'case_opened' });
  } else {
    await recordAudit(db, { ...audit, action });
  }
  const keys = { content: opened.keys.content, identity: withIdentity ? opened.keys.identity : null };
  const view = await loadCaseView({ db, caseId: opened.caseId, keys, withIdentity: withIdentity && isIdentityDisclosedToMe, teamKey: opened.keys.team });
  opened.keys.identity?.fill(0);
  return { ...view!, isIdentityDisclosedToMe };
}
