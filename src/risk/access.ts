// Who may do what with an agency's corruption-risk register and signals. Risk officers of the
// agency edit; its supervisors and auditors read; a risk reviewer reads (and scores) the registers
// of the agencies granted to them. Anyone else gets not_found: another agency's register looks
// exactly like none.
import type { Db } from '../db/connection.ts';
import { AppError } from '../errors.ts';
import { hasRole, type StaffActor } from '../staff/session.ts';

export type RiskAccess = 'edit' | 'read' | 'review';

export const notFound = () => new AppError('not_found', 'no such risk register', 'error.not_found');

/** What the actor may do with the registers of `agencyId`; throws not_found when nothing. */
export async function riskAccess(db: Db, actor: StaffActor, agencyId: number): Promise<RiskAccess> {
  if (actor.agencyId === agencyId) {
    if (hasRole(actor, 'risk_officer')) return 'edit';
    if (hasRole(actor, 'supervisor', 'auditor')) return 'read';
  }
  if (hasRole(actor, 'risk_reviewer') && (await oversees(db, actor.id, agencyId))) return 'review';
  throw notFound();
}

/** The actor's own agency when their roles open its registers (riskAccess), else null. */
export function ownRegisterAgency(actor: StaffActor): number | null {
  return hasRole(actor, 'risk_officer', 'supervisor', 'auditor') ? actor.agencyId : null;
}

export async function oversees(db: Db, reviewerId: number, agencyId: number): Promise<boolean> {
  const row = await db
    .selectFrom('risk_oversight')
    .select('agency_id')
    .where('reviewer_user_id', '=', reviewerId)
    .where('agency_id', '=', agencyId)
    .executeTakeFirst();
  return row !== undefined;
}

/** The actor's own agency when they may edit its register (risk officers); forbidden otherwise. */
export function editableAgency(actor: StaffActor): number {
  if (!hasRole(actor, 'risk_officer') || actor.agencyId === null)
    throw new AppError('forbidden', 'risk officers only', 'error.forbidden');
  return actor.agencyId;
}

/** The actor's own agency when they may read its signals (risk officers, supervisors, auditors). */
export function signalAgency(actor: StaffActor): number {
  if (!hasRole(actor, 'risk_officer', 'supervisor', 'auditor') || actor.agencyId === null)
    throw new AppError('forbidden', 'risk officers, supervisors and auditors only', 'error.forbidden');
  return actor.agencyId;
}
