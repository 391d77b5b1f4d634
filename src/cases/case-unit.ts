// The unit a case concerns (issue 16): the unit of the owning agency whose process the complaint is
// about. Metadata like the category (never sealed): the risk signals count cases by it. Set by
// whoever may act on the case today, of the owning agency: a member of its team, or the owning
// agency's supervisor. Audited, and in the case's history (not the reporter's: units are internal).
import { recordAudit } from '../audit/record-audit.ts';
import type { Db } from '../db/connection.ts';
import { AppError } from '../errors.ts';
import type { StaffActor } from '../staff/session.ts';
import { chosenUnit, codeOf } from '../staff/units.ts';
import { type CaseMeta, isOwningSupervisor, loadCaseMeta } from './case-meta.ts';
import { denyAccess } from './open-case.ts';
import { recordCaseEvent } from './workflow.ts';

/** Whether the actor may set the unit a case concerns: on its team or its supervisor, of the owning agency. */
export function maySetCaseUnit(actor: StaffActor, meta: Pick<CaseMeta, 'agencyId' | 'holdsKey'>): boolean {
  return actor.agencyId === meta.agencyId && (meta.holdsKey || isOwningSupervisor(actor, meta));
}

/**
 * Sets the unit a case concerns (`unit`: an active unit's id as posted, '' for none). Anyone who may
 * not act on the case gets not_found or forbidden, audited as a refusal; another agency's unit, or
 * a deactivated one, is the field's fault (`unit`).
 */
export async function setCaseUnit({
  db,
  actor,
  reference,
  unit,
  now = new Date(),
}: {
  db: Db;
  actor: StaffActor;
  reference: string;
  unit: string;
  now?: Date;
}): Promise<{ before: number | null; after: number | null }> {
  const meta = await loadCaseMeta(db, actor, reference, 'case_unit_set');
  if (!maySetCaseUnit(actor, meta)) return denyAccess(db, actor, reference, meta.id, 'case_unit_set');
  return db.transaction().execute(async (trx) => {
    const current = await trx
      .selectFrom('report_case')
      .select(['agency_id', 'unit_id', 'team_public_key'])
      .where('id', '=', meta.id)
      .forUpdate()
      .executeTakeFirstOrThrow();
    if (current.agency_id !== meta.agencyId)
      throw new AppError('conflict', 'the case changed meanwhile', 'error.conflict');
    // the unit named already (even one deactivated since) is no change
    if (current.unit_id !== null && unit.trim() === String(current.unit_id))
      return { before: current.unit_id, after: current.unit_id };
    const chosen = await chosenUnit(trx, meta.agencyId, unit);
    const after = chosen?.id ?? null;
    if (current.unit_id === after) return { before: after, after };
    await trx.updateTable('report_case').set({ unit_id: after }).where('id', '=', meta.id).execute();
    await recordCaseEvent(trx, {
      caseId: meta.id,
      teamPublicKey: current.team_public_key,
      actor,
      kind: 'unit_set',
      unitId: after,
      forReporter: false,
      at: now,
    });
    await recordAudit(trx, {
      actorUserId: actor.id,
      action: 'case_unit_set',
      caseId: meta.id,
      caseReference: meta.reference,
      detail: { before: await codeOf(trx, current.unit_id), after: chosen?.code ?? null },
    });
    return { before: current.unit_id, after };
  });
}
