// Everything the case page shows, in one call: the whole case for its team (audited as an
// opening), or its metadata for a supervisor, auditor or intake officer of an agency taking part
// (audited as a metadata view). Whoever else asks gets not_found, audited (case-meta.ts).
import { recordAudit } from '../audit/record-audit.ts';
import { caseRetention, type CaseRetention } from '../agencies/case-retention.ts';
import type { Db } from '../db/connection.ts';
import { type HistoryView, loadHistory } from '../intake/case-view.ts';
import { hasRole, type StaffActor } from '../staff/session.ts';
import { type Unit, unitsOf } from '../staff/units.ts';
import { type CaseMeta, isOwningSupervisor, loadCaseMeta } from './case-meta.ts';
import { type Conclusion, conclusionOf } from './conclusion.ts';
import { getCase, type StaffCaseView } from './get-case.ts';
import { type IdentityRequestState, myIdentityRequest } from './identity.ts';
import { type Destination, referralDestinations } from './referral.ts';
import { fulfilGrants } from './handover.ts';
import { maySetCaseUnit } from './case-unit.ts';
import {
  type AccessEntry,
  accessList,
  assignableInvestigators,
  type Investigator,
  staffNames,
} from './team-members.ts';
import { type TransitionRule, transitionsFor } from './workflow.ts';

export type CasePage = {
  meta: CaseMeta;
  /** The decrypted case, for its team; null on a metadata view. */
  view: StaffCaseView | null;
  history: HistoryView[];
  access: AccessEntry[];
  /** The owning agency's supervisor only: whom they may assign, and where they may refer. */
  investigators: Investigator[];
  destinations: Destination[];
  /** The actor's latest identity request on this case (team only). */
  myRequest: IdentityRequestState | null;
  /** A concluded case's conclusion, for whoever approves it (and the team). */
  conclusion: Conclusion | null;
  /** Who is who: the names of the staff in the history, notes, witness threads and conclusion. */
  names: Record<number, string>;
  transitions: TransitionRule[];
  isSupervisor: boolean;
  canRequestIdentity: boolean;
  /** Kept while open; once closed, when it will be shredded, or held, or shredded already. */
  retention: CaseRetention;
  /** The businesses the case concerns, as the team recorded them (metadata: declarations/case-business.ts). */
  businesses: CaseBusiness[];
  /** The unit concerned, for the owning agency's staff only (units are internal; null: none or not theirs). */
  unit: Unit | null;
  /** The active units the actor may choose from when they may set the unit concerned (else empty). */
  units: Unit[];
  canSetUnit: boolean;
};

export type CaseBusiness = { juristicId: string; name: string; addedBy: number | null; addedAt: Date };

/** The businesses a case concerns, in the order they were added. */
async function caseBusinesses(db: Db, caseId: string): Promise<CaseBusiness[]> {
  const rows = await db
    .selectFrom('case_business')
    .select(['juristic_id', 'name', 'added_by', 'added_at'])
    .where('case_id', '=', caseId)
    .orderBy('added_at')
    .orderBy('juristic_id')
    .execute();
  return rows.map((r) => ({ juristicId: r.juristic_id, name: r.name, addedBy: r.added_by, addedAt: r.added_at }));
}

/**
 * The case page of `reference` for `actor`. A key holder's visit first hands the case's pending
 * grants over (handover.ts). `withIdentity` also opens the reporter's identity when it was
 * disclosed to the actor; a metadata viewer asking for it is audited as refused.
 */
export async function loadCasePage({
  db,
  actor,
  reference,
  withIdentity = false,
}: {
  db: Db;
  actor: StaffActor;
  reference: string;
  withIdentity?: boolean;
}): Promise<CasePage> {
  const meta = await loadCaseMeta(db, actor, reference, 'case_opened');
  if (meta.holdsKey) await fulfilGrants({ db, actor, caseId: meta.id });
  const view = meta.holdsKey ? await getCase({ db, actor, reference, withIdentity }) : null;
  const isSupervisor = isOwningSupervisor(actor, meta);
  const canSetUnit = maySetCaseUnit(actor, meta);
  const ownAgency = actor.agencyId === meta.agencyId;
  const [access, history, investigators, destinations, myRequest, retention, businesses, units] = await Promise.all([
    accessList(db, meta.id),
    view ? view.history : loadHistory(db, meta.id, null, false).then((h) => h.items),
    isSupervisor ? assignableInvestigators(db, meta.agencyId) : [],
    isSupervisor && meta.status !== 'closed' ? referralDestinations(db, meta.agencyId) : [],
    view ? myIdentityRequest(db, meta.id, actor.id) : null,
    caseRetention(db, meta.id),
    caseBusinesses(db, meta.id),
    ownAgency && (canSetUnit || meta.unitId !== null) ? unitsOf(db, meta.agencyId) : [],
  ]);
  const conclusion = await conclusionOf(db, actor, meta, view ? history : null);
  if (!view) await recordMetadataView(db, actor, meta, { withIdentity, readsConclusion: !!conclusion?.reason });
  const names = await staffNames(db, [
    ...history.map((h) => h.actorUserId),
    ...(view?.notes ?? []).map((n) => n.authorUserId),
    ...(view?.witnesses ?? []).flatMap((w) => w.messages.map((m) => m.authorUserId)),
    conclusion?.byUserId ?? null,
    ...businesses.map((b) => b.addedBy),
  ]);
  return {
    meta,
    view,
    history,
    access,
    investigators,
    destinations,
    myRequest,
    conclusion,
    names,
    transitions: transitionsFor(actor, meta),
    isSupervisor,
    retention,
    businesses,
    unit: units.find((u) => u.id === meta.unitId) ?? null,
    units: canSetUnit ? units.filter((u) => u.isActive || u.id === meta.unitId) : [],
    canSetUnit,
    canRequestIdentity:
      view !== null &&
      meta.hasIdentity &&
      !view.isIdentityDisclosedToMe &&
      hasRole(actor, 'investigator', 'supervisor'),
  };
}

/**
 * A metadata view is audited (saying when it showed a conclusion's reason, sealed to the viewer);
 * asking it for the identity is audited as a refused opening first.
 */
async function recordMetadataView(
  db: Db,
  actor: StaffActor,
  meta: CaseMeta,
  { withIdentity, readsConclusion }: { withIdentity: boolean; readsConclusion: boolean },
): Promise<void> {
  const row = { actorUserId: actor.id, caseId: meta.id, caseReference: meta.reference };
  if (withIdentity)
    await recordAudit(db, { ...row, action: 'case_access_denied', detail: { purpose: 'identity_opened' } });
  await recordAudit(db, {
    ...row,
    action: 'case_metadata_viewed',
    ...(readsConclusion ? { detail: { conclusion: true } } : {}),
  });
}
