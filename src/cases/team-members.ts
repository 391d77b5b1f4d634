// The case team: who the case's keys are sealed to, who is assigned, and taking someone off. Adding
// someone is a grant that a key holder's session hands over (handover.ts).
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../db/connection.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { AppError } from '../errors.ts';
import type { StaffActor } from '../staff/session.ts';
import { type CaseMeta, isOwningSupervisor, loadCaseMeta } from './case-meta.ts';
import { fulfilGrants, type HandoverMail, tellKeyHolders } from './handover.ts';
import { checkReason, recordCaseEvent } from './workflow.ts';

/**
 * What became of an assignment: the investigator can read the case, or waits for a key holder
 * (`mailed` of them told, `failed` mails not sent), or was refused because the report names them.
 */
export type Assigned = { access: 'granted' | 'waiting' | 'refused_named'; mailed: number; failed: number };

/**
 * A supervisor of the owning agency assigns an investigator of that agency: the assignment is
 * recorded and the keys are granted, sealed at once if the supervisor holds them; otherwise the
 * key holders are mailed (when `mail` has a mailer).
 */
export async function assignInvestigator({
  db,
  actor,
  reference,
  userId,
  mail,
}: {
  db: Db;
  actor: StaffActor;
  reference: string;
  userId: number;
  mail?: HandoverMail;
}): Promise<Assigned> {
  const meta = await loadCaseMeta(db, actor, reference, 'case_assigned');
  if (!isOwningSupervisor(actor, meta))
    throw new AppError('forbidden', 'only a supervisor of the owning agency assigns', 'error.forbidden');
  if ((await assignableInvestigators(db, meta.agencyId, userId)).length === 0)
    throw new AppError('invalid_input', 'not an investigator of the agency', 'error.form', {
      assignee: 'error.field.invalid',
    });
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('case_assignment')
      .values({ case_id: meta.id, user_id: userId, assigned_by: actor.id })
      .onConflict((oc) => oc.doNothing())
      .execute();
    const holds = await trx
      .selectFrom('case_key')
      .select('user_id')
      .where('case_id', '=', meta.id)
      .where('user_id', '=', userId)
      .where('purpose', '=', 'content')
      .executeTakeFirst();
    if (!holds)
      await trx
        .insertInto('case_grant')
        .values({ id: randomUUID(), case_id: meta.id, user_id: userId, purpose: 'content', requested_by: actor.id })
        .onConflict((oc) => oc.doNothing())
        .execute();
    await recordCaseEvent(trx, {
      caseId: meta.id,
      teamPublicKey: meta.teamPublicKey,
      actor,
      kind: 'assigned',
      forReporter: false,
    });
    await recordAudit(trx, {
      actorUserId: actor.id,
      action: 'case_assigned',
      caseId: meta.id,
      caseReference: meta.reference,
      detail: { user: userId },
    });
  });
  await fulfilGrants({ db, actor, caseId: meta.id });
  const [grant, assigned] = await Promise.all([
    db
      .selectFrom('case_grant')
      .select('id')
      .where('case_id', '=', meta.id)
      .where('user_id', '=', userId)
      .where('purpose', '=', 'content')
      .where('state', '=', 'pending')
      .executeTakeFirst(),
    db
      .selectFrom('case_assignment')
      .select('user_id')
      .where('case_id', '=', meta.id)
      .where('user_id', '=', userId)
      .executeTakeFirst(),
  ]);
  if (!assigned) return { access: 'refused_named', mailed: 0, failed: 0 };
  if (!grant) return { access: 'granted', mailed: 0, failed: 0 };
  return { access: 'waiting', ...(mail ? await tellKeyHolders(db, mail, meta) : { mailed: 0, failed: 0 }) };
}

export type Investigator = { id: number; name: string };

/** The active investigators of an agency (or the one of them with id `only`), by name: whom its supervisors may assign. */
export async function assignableInvestigators(db: Db, agencyId: number, only?: number): Promise<Investigator[]> {
  const rows = await db
    .selectFrom('staff_user as u')
    .innerJoin('staff_role as r', (j) => j.onRef('r.user_id', '=', 'u.id').on('r.role', '=', 'investigator'))
    .select(['u.id', 'u.email', 'u.display_name'])
    .where('u.agency_id', '=', agencyId)
    .where('u.is_active', '=', true)
    .$if(only !== undefined, (q) => q.where('u.id', '=', only!))
    .orderBy('u.display_name')
    .orderBy('u.email')
    .execute();
  return rows.map((u) => ({ id: u.id, name: u.display_name || u.email }));
}

/** Someone a supervisor is about to take off a case: who, for the page that asks to confirm it. */
export type Removal = { meta: CaseMeta; userId: number; name: string; agencyCode: string | null };

/**
 * The person `userId` on the case of `reference`, as the owning agency's supervisor sees them
 * before taking them off: forbidden for anyone else, invalid input for someone not on the case
 * (holding a key, assigned, or waiting for one).
 */
export async function removalOf({
  db,
  actor,
  reference,
  userId,
}: {
  db: Db;
  actor: StaffActor;
  reference: string;
  userId: number;
}): Promise<Removal> {
  const meta = await loadCaseMeta(db, actor, reference, 'case_member_removed');
  if (!isOwningSupervisor(actor, meta))
    throw new AppError('forbidden', 'only a supervisor of the owning agency removes others', 'error.forbidden');
  const person = (await accessList(db, meta.id)).find((a) => a.userId === userId);
  if (!person)
    throw new AppError('invalid_input', 'this person is not on the case', 'error.form', {
      userId: 'error.field.invalid',
    });
  return { meta, userId, name: person.displayName || person.email, agencyCode: person.agencyCode };
}

/**
 * Takes someone off a case: their sealed keys are deleted (a supervisor of the owning agency, or
 * the person themselves declaring a conflict of interest). Either gives a reason, sealed to the team.
 */
export async function removeFromCase({
  db,
  actor,
  reference,
  userId,
  reason,
  isConflict = false,
}: {
  db: Db;
  actor: StaffActor;
  reference: string;
  userId: number;
  reason: unknown;
  isConflict?: boolean;
}): Promise<void> {
  const meta = isConflict
    ? await loadCaseMeta(db, actor, reference, 'conflict_declared')
    : (await removalOf({ db, actor, reference, userId })).meta;
  if (isConflict && userId !== actor.id)
    throw new AppError('forbidden', 'a conflict is declared for oneself', 'error.forbidden');
  const text = checkReason(reason);
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('case_key').where('case_id', '=', meta.id).where('user_id', '=', userId).execute();
    await trx.deleteFrom('case_assignment').where('case_id', '=', meta.id).where('user_id', '=', userId).execute();
    await trx
      .updateTable('case_grant')
      .set({ state: 'cancelled', settled_by: actor.id, settled_at: new Date() })
      .where('case_id', '=', meta.id)
      .where('user_id', '=', userId)
      .where('state', '=', 'pending')
      .execute();
    await recordCaseEvent(trx, {
      caseId: meta.id,
      teamPublicKey: meta.teamPublicKey,
      actor,
      kind: isConflict ? 'conflict_declared' : 'member_removed',
      reason: text,
      forReporter: false,
    });
    await recordAudit(trx, {
      actorUserId: actor.id,
      action: isConflict ? 'conflict_declared' : 'case_member_removed',
      caseId: meta.id,
      caseReference: meta.reference,
      detail: { user: userId },
    });
  });
}

export type AccessEntry = {
  userId: number;
  email: string;
  displayName: string;
  agencyCode: string | null;
  purposes: string[];
  pending: string[];
  isAssigned: boolean;
};

/** Who holds which key of a case, and who waits for one (the case page's access list). */
export async function accessList(db: Db, caseId: string): Promise<AccessEntry[]> {
  const rows = await sql<{
    user_id: number;
    email: string;
    display_name: string;
    code: string | null;
    purposes: string[] | null;
    pending: string[] | null;
    assigned: boolean;
  }>`
    with people as (
      select user_id from case_key where case_id = ${caseId}
      union select user_id from case_grant where case_id = ${caseId} and state = 'pending'
      union select user_id from case_assignment where case_id = ${caseId}
    )
    select u.id as user_id, u.email, u.display_name, a.code,
      (select array_agg(k.purpose order by k.purpose) from case_key k where k.case_id = ${caseId} and k.user_id = u.id) as purposes,
      (select array_agg(g.purpose order by g.purpose) from case_grant g where g.case_id = ${caseId} and g.user_id = u.id and g.state = 'pending') as pending,
      exists (select 1 from case_assignment s where s.case_id = ${caseId} and s.user_id = u.id) as assigned
    from people p join staff_user u on u.id = p.user_id left join agency a on a.id = u.agency_id
    order by a.code, u.email`.execute(db);
  return rows.rows.map((r) => ({
    userId: r.user_id,
    email: r.email,
    displayName: r.display_name,
    agencyCode: r.code,
    purposes: r.purposes ?? [],
    pending: r.pending ?? [],
    isAssigned: r.assigned,
  }));
}

/**
 * The names of staff members by id, as the case page shows the people in a case's history, notes
 * and witness threads: the display name, or the email of someone without one.
 */
export async function staffNames(db: Db, ids: Iterable<number | null>): Promise<Record<number, string>> {
  const wanted = [...new Set([...ids].filter((id): id is number => id !== null))];
  if (wanted.length === 0) return {};
  const rows = await db
    .selectFrom('staff_user')
    .select(['id', 'display_name', 'email'])
    .where('id', 'in', wanted)
    .execute();
  return Object.fromEntries(rows.map((r) => [r.id, r.display_name || r.email]));
}
