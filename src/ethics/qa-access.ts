// Who may do what in the ethics question service: an agency's ethics officers write its knowledge
// base and answer the questions sent on; any staff member of an agency asks. A document or question
// of another agency is not found, like one that does not exist.
import { AppError } from '../errors.ts';
import { hasRole, type StaffActor } from '../staff/session.ts';

export const notFound = () => new AppError('not_found', 'no such knowledge document or question', 'error.not_found');

/** The agency whose knowledge base and questions the actor handles: ethics officers only. */
export function officerAgency(actor: StaffActor): number {
  if (!hasRole(actor, 'ethics_officer') || actor.agencyId === null)
    throw new AppError('forbidden', 'ethics officers only', 'error.forbidden');
  return actor.agencyId;
}

/** The agency whose knowledge base the actor asks: any staff member of an agency. */
export function askerAgency(actor: Pick<StaffActor, 'agencyId'>): number {
  if (actor.agencyId === null) throw new AppError('forbidden', 'staff of an agency only', 'error.forbidden');
  return actor.agencyId;
}
