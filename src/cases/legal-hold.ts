// A legal hold: a supervisor of the agency that owns a case stops its retention (an investigation,
// a court or an audit needs it kept), with a reason, and lifts it later with another. Both are
// recorded in the case's history (the reason sealed to the team) and in the audit trail; the hold's
// own reason is sealed to the team and the supervisor. A shredded case cannot be held any more.
import type { Db } from '../db/connection.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { AppError } from '../errors.ts';
import type { StaffActor } from '../staff/session.ts';
import { isOwningSupervisor, loadCaseMeta } from './case-meta.ts';
import { denyAccess, lockCase } from './open-case.ts';
import { sealReason } from './sealed-reason.ts';
import { checkReason, recordCaseEvent } from './workflow.ts';

export type HoldChange = { held: boolean };

/**
 * Sets (`hold`) or lifts a legal hold. MUST be a supervisor of the owning agency (anyone else:
 * not_found or forbidden, audited as a refusal); the reason is required (field `holdReason`).
 */
export async function setLegalHold({
  db,
  actor,
  reference,
  hold,
  reason: typed,
  now = new Date(),
}: {
  db: Db;
  actor: StaffActor;
  reference: string;
  hold: boolean;
  reason: unknown;
  now?: Date;
}): Promise<HoldChange> {
  const meta = await loadCaseMeta(db, actor, reference, hold ? 'case_hold_set' : 'case_hold_lifted');
  if (!isOwningSupervisor(actor, meta)) return denyAccess(db, actor, reference, meta.id, 'case_hold_set');
  const reason = checkReason(typed, 'holdReason');
  return db.transaction().execute(async (trx) => {
    const current = await lockCase(trx, meta.id);
    const [held, gone] = await Promise.all([
      trx.selectFrom('case_hold').select('case_id').where('case_id', '=', meta.id).executeTakeFirst(),
      trx.selectFrom('case_tombstone').select('case_id').where('case_id', '=', meta.id).executeTakeFirst(),
    ]);
    if (gone) throw new AppError('conflict', 'the case was shredded', 'retention.error.shredded');
    if (Boolean(held) === hold)
      throw new AppError(
        'conflict',
        hold ? 'already held' : 'not held',
        hold ? 'hold.error.held' : 'hold.error.not_held',
      );
    if (hold) {
      const readers: { id: number | 'team'; publicKey: Buffer }[] = [{ id: actor.id, publicKey: actor.keys.publicKey }];
      if (current.team_public_key) readers.push({ id: 'team' as const, publicKey: current.team_public_key });
      await trx
        .insertInto('case_hold')
        .values({ case_id: meta.id, held_by: actor.id, held_at: now, reason: sealReason(readers, reason) })
        .execute();
    } else await trx.deleteFrom('case_hold').where('case_id', '=', meta.id).execute();
    await recordCaseEvent(trx, {
      caseId: meta.id,
      teamPublicKey: current.team_public_key,
      actor,
      kind: hold ? 'hold_set' : 'hold_lifted',
      reason,
      forReporter: false,
      at: now,
    });
    await recordAudit(trx, {
      actorUserId: actor.id,
      action: hold ? 'case_hold_set' : 'case_hold_lifted',
      caseId: meta.id,
      caseReference: meta.reference,
      detail: {},
    });
    return { held: hold };
  });
}
