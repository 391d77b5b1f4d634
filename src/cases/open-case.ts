import { sql, type Transaction } from 'kysely';
import type { Db } from '../db/connection.ts';
import type { CaseStatus, Database } from '../db/schema.ts';
import { openSealed, sealTo } from '../crypto/sealed-box.ts';
import { recordAudit, type AuditAction } from '../audit/record-audit.ts';
import { AppError } from '../errors.ts';
import type { StaffActor } from '../staff/session.ts';
import { newTeamKey, teamKeyPair } from '../crypto/team-key.ts';

/** `keys.team` opens internal notes, witnesses and reasons; `keys.identity` only when asked and held. */
export type OpenedKeys = { content: Buffer; identity: Buffer | null; team: Buffer };
export type OpenedCase = { caseId: string; reference: string; agencyId: number; status: CaseStatus; keys: OpenedKeys };

export async function denyAccess(
  db: Db,
  actor: StaffActor,
  reference: string,
  caseId: string | null,
  purpose: string,
): Promise<never> {
  await recordAudit(db, {
    actorUserId: actor.id,
    action: 'case_access_denied',
    caseId,
    caseReference: reference.slice(0, 64),
    detail: { purpose },
  });
  throw new AppError('not_found', `no case ${reference} for this user`, 'error.not_found');
}

/**
 * Finds a case by reference and opens its keys for a staff member it is sealed to: holding the
 * sealed key is the need-to-know, whatever the agency. A case not sealed to the actor answers
 * not_found (indistinguishable from a case that does not exist) and the attempt is audited.
 * MUST NOT be used for metadata-only views.
 */
export async function openCaseKeys({
  db,
  actor,
  reference,
  purpose,
  withIdentity = false,
}: {
  db: Db;
  actor: StaffActor;
  reference: string;
  purpose: AuditAction;
  withIdentity?: boolean;
}): Promise<OpenedCase> {
  const row = await db
    .selectFrom('report_case as c')
    .leftJoin('case_key as k', (j) =>
      j.onRef('k.case_id', '=', 'c.id').on('k.user_id', '=', actor.id).on('k.purpose', '=', 'content'),
    )
    .leftJoin('case_key as tk', (j) =>
      j.onRef('tk.case_id', '=', 'c.id').on('tk.user_id', '=', actor.id).on('tk.purpose', '=', 'team'),
    )
    .leftJoin('case_key as ik', (j) =>
      j.onRef('ik.case_id', '=', 'c.id').on('ik.user_id', '=', actor.id).on('ik.purpose', '=', 'identity'),
    )
    .select([
      'c.id',
      'c.reference',
      'c.agency_id',
      'c.status',
      'c.team_public_key',
      'k.sealed_key',
      'tk.sealed_key as team_key',
      'ik.sealed_key as identity_key',
    ])
    .where('c.reference', '=', reference.slice(0, 64))
    .executeTakeFirst();
  if (!row?.sealed_key || !actor.isEnrolled) return denyAccess(db, actor, reference, row?.id ?? null, purpose);
  const content = openSealed(actor.keys, row.sealed_key);
  const team = row.team_key ? openSealed(actor.keys, row.team_key) : await createTeamKey(db, row.id);
  return {
    caseId: row.id,
    reference: row.reference,
    agencyId: row.agency_id,
    status: row.status,
    keys: {
      content,
      team,
      identity: withIdentity && row.identity_key ? openSealed(actor.keys, row.identity_key) : null,
    },
  };
}

/**
 * Locks a case's row for the transaction (changes to one case go one at a time) and reads the team
 * key its history events are sealed to. Throws when there is no such case.
 */
export async function lockCase(
  trx: Transaction<Database>,
  caseId: string,
): Promise<{ team_public_key: Buffer | null }> {
  return trx
    .selectFrom('report_case')
    .select('team_public_key')
    .where('id', '=', caseId)
    .forUpdate()
    .executeTakeFirstOrThrow();
}

/**
 * A case filed before team keys existed gets one when a holder first opens it: sealed to every
 * holder of the content key, in one statement that loses to a concurrent creation.
 */
async function createTeamKey(db: Db, caseId: string): Promise<Buffer> {
  return db.transaction().execute(async (trx) => {
    const c = await lockCase(trx, caseId);
    if (c.team_public_key) throw new AppError('conflict', 'team key made concurrently; try again', 'error.conflict');
    const team = newTeamKey();
    const holders = await trx
      .selectFrom('case_key as k')
      .innerJoin('staff_user as u', 'u.id', 'k.user_id')
      .select(['u.id', 'u.public_key'])
      .where('k.case_id', '=', caseId)
      .where('k.purpose', '=', 'content')
      .execute();
    await trx
      .insertInto('case_key')
      .values(
        holders.map((h) => ({
          case_id: caseId,
          user_id: h.id,
          purpose: 'team' as const,
          sealed_key: sealTo(h.public_key!, team),
        })),
      )
      .execute();
    await trx
      .updateTable('report_case')
      .set({ team_public_key: teamKeyPair(team).publicKey, updated_at: sql<Date>`updated_at` })
      .where('id', '=', caseId)
      .execute();
    return team;
  });
}
