import type { Db } from '../db/connection.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { loadCaseView, type CaseView, type UnreadableItem } from '../intake/case-view.ts';
import { listWitnesses, type WitnessView } from './witnesses.ts';
import type { StaffActor } from '../staff/session.ts';
import { openCaseKeys, type OpenedCase } from './open-case.ts';

export type StaffCaseView = CaseView & { isIdentityDisclosedToMe: boolean; witnesses: WitnessView[] };

/**
 * Opens a case's content for a team member and records the opening in the audit trail first: if
 * the audit cannot be written, nothing is shown. `withIdentity` also opens the reporter's identity
 * when it has been disclosed to the actor (identity escrow), audited as such.
 */
export async function getCase({
  db,
  actor,
  reference,
  withIdentity = false,
}: {
  db: Db;
  actor: StaffActor;
  reference: string;
  withIdentity?: boolean;
}): Promise<StaffCaseView> {
  const action = withIdentity ? 'identity_opened' : 'case_opened';
  const opened = await openCaseKeys({ db, actor, reference, purpose: action, withIdentity: true });
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
  const view = (await loadCaseView({
    db,
    caseId: opened.caseId,
    keys,
    withIdentity: withIdentity && isIdentityDisclosedToMe,
    teamKey: opened.keys.team,
  }))!;
  opened.keys.identity?.fill(0);
  const witnesses = await listWitnesses(db, opened, view.unreadable);
  await recordUnreadable(db, actor, opened, view.unreadable);
  return { ...view, isIdentityDisclosedToMe, witnesses };
}

/**
 * Records the items of a case that would not open ('content_unreadable'), each once: the audit
 * trail keeps the evidence and the case page shows the team a warning. Ids only, never content.
 */
async function recordUnreadable(db: Db, actor: StaffActor, opened: OpenedCase, items: UnreadableItem[]): Promise<void> {
  if (items.length === 0) return;
  const seen = await db
    .selectFrom('audit_event')
    .select('detail')
    .where('case_id', '=', opened.caseId)
    .where('action', '=', 'content_unreadable')
    .execute();
  const known = new Set(
    seen.flatMap((r) => ((r.detail.items ?? []) as UnreadableItem[]).map((i) => `${i.kind}/${i.id}`)),
  );
  const fresh = items.filter((i) => !known.has(`${i.kind}/${i.id}`));
  if (fresh.length > 0)
    await recordAudit(db, {
      actorUserId: actor.id,
      action: 'content_unreadable',
      caseId: opened.caseId,
      caseReference: opened.reference,
      detail: { items: fresh },
    });
}
