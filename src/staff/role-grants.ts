// Separation of duties. Administrators manage accounts; they never come to read a case. A role
// that brings case keys (KEY_ROLES), given by an administrator, is only a request until an existing
// key holder of the same agency confirms it: another person, neither the one who asked nor the one
// who gets it. An agency with no key holder yet has its first ones confirmed by the platform
// administrator. Losing a role (or the account) drops the keys that the role brought.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { recordAudit } from '../audit/record-audit.ts';
import type { Db } from '../db/connection.ts';
import { ADMIN_ROLES, KEY_ROLES, type KeyRole, type StaffRole } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { hasRole, type StaffActor } from './session.ts';

export const isKeyRole = (r: string): r is KeyRole => (KEY_ROLES as readonly string[]).includes(r);

/** Asks for key roles for a user (inside the caller's transaction); an equal pending request stays as it is. */
export async function requestKeyRoles(
  trx: Db,
  { userId, roles, requestedBy }: { userId: number; roles: readonly KeyRole[]; requestedBy: number | null },
): Promise<void> {
  if (roles.length === 0) return;
  await trx
    .insertInto('role_grant')
    .values(roles.map((role) => ({ id: randomUUID(), user_id: userId, role, requested_by: requestedBy })))
    .onConflict((oc) => oc.column('user_id').column('role').where('state', '=', 'pending').doNothing())
    .execute();
}

/**
 * After a user's roles became `roles` (inside the caller's transaction): pending requests for roles
 * no longer wanted are cancelled and the keys that lost roles brought are deleted. Content and team
 * keys stay only with an intake officer, or with an investigator or supervisor on a case assigned to
 * them; identity keys only with a custodian, or with whoever an approved disclosure gave one to and
 * still holds the case. `roles` empty (a deactivated account) drops every key.
 */
export async function dropKeysOfLostRoles(
  trx: Db,
  userId: number,
  roles: readonly StaffRole[],
  pending: readonly KeyRole[] = [],
): Promise<{ keys: number }> {
  await trx
    .updateTable('role_grant')
    .set({ state: 'cancelled', decided_at: new Date() })
    .where('user_id', '=', userId)
    .where('state', '=', 'pending')
    .$if(pending.length > 0, (q) => q.where('role', 'not in', pending))
    .execute();
  const isIntake = roles.includes('intake_officer');
  const isTeam = roles.includes('investigator') || roles.includes('supervisor');
  if (!isTeam) await trx.deleteFrom('case_assignment').where('user_id', '=', userId).execute();
  if (!isIntake && !isTeam)
    await trx
      .updateTable('case_grant')
      .set({ state: 'cancelled', settled_at: new Date() })
      .where('user_id', '=', userId)
      .where('state', '=', 'pending')
      .execute();
  const content = await sql`
    delete from case_key k where k.user_id = ${userId} and k.purpose in ('content', 'team') and not ${isIntake}
      and not (${isTeam} and exists (select 1 from case_assignment a where a.case_id = k.case_id and a.user_id = ${userId}))`.execute(
    trx,
  );
  const identity = await sql`
    delete from case_key k where k.user_id = ${userId} and k.purpose = 'identity' and not ${roles.includes('identity_custodian')}
      and not (exists (select 1 from identity_request r where r.case_id = k.case_id and r.requester_id = ${userId} and r.state = 'approved')
               and exists (select 1 from case_key c where c.case_id = k.case_id and c.user_id = ${userId} and c.purpose = 'content'))`.execute(
    trx,
  );
  return { keys: Number((content.numAffectedRows ?? 0n) + (identity.numAffectedRows ?? 0n)) };
}

export type RoleGrantView = {
  id: string;
  userId: number;
  email: string;
  displayName: string;
  agencyCode: string;
  role: KeyRole;
  requestedBy: string | null;
  requestedAt: Date;
  isSetUp: boolean;
};

/** Whether the actor holds a key role in effect (and has enrolled their second factor). */
const isKeyHolder = (actor: StaffActor) => actor.isEnrolled && actor.agencyId !== null && hasRole(actor, ...KEY_ROLES);

/** The agencies whose pending requests the platform administrator confirms: those with no key holder. */
const agenciesWithoutKeyHolders = (db: Db) =>
  db
    .selectFrom('agency as a')
    .select('a.id')
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('staff_user as u')
            .innerJoin('staff_role as r', 'r.user_id', 'u.id')
            .select(sql`1`.as('one'))
            .whereRef('u.agency_id', '=', 'a.id')
            .where('u.is_active', '=', true)
            .where('r.role', 'in', KEY_ROLES),
        ),
      ),
    );

/** The requests the actor may decide: never their own, never ones they asked for. */
export async function pendingRoleGrants({ db, actor }: { db: Db; actor: StaffActor }): Promise<RoleGrantView[]> {
  const isPlatform = hasRole(actor, 'platform_admin');
  if (!isKeyHolder(actor) && !isPlatform) return [];
  const rows = await db
    .selectFrom('role_grant as g')
    .innerJoin('staff_user as u', 'u.id', 'g.user_id')
    .innerJoin('agency as a', 'a.id', 'u.agency_id')
    .leftJoin('staff_user as b', 'b.id', 'g.requested_by')
    .select([
      'g.id',
      'g.user_id',
      'u.email',
      'u.display_name',
      'a.code',
      'g.role',
      'b.email as by',
      'g.requested_at',
      sql<boolean>`u.public_key is not null`.as('is_set_up'),
    ])
    .where('g.state', '=', 'pending')
    .where('g.user_id', '<>', actor.id)
    .where((eb) => eb.or([eb('g.requested_by', 'is', null), eb('g.requested_by', '<>', actor.id)]))
    .$if(!isPlatform, (q) => q.where('u.agency_id', '=', actor.agencyId!))
    .$if(isPlatform, (q) => q.where('u.agency_id', 'in', agenciesWithoutKeyHolders(db)))
    .orderBy('g.requested_at')
    .orderBy('g.id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    userId: r.user_id,
    email: r.email,
    displayName: r.display_name,
    agencyCode: r.code,
    role: r.role,
    requestedBy: r.by,
    requestedAt: r.requested_at,
    isSetUp: r.is_set_up,
  }));
}

/**
 * Confirms or refuses a pending request. MUST be another person than the grantee and the requester,
 * a key holder of the grantee's agency (or the platform administrator when that agency has none);
 * the grantee must have set up their own account, so the confirmer can check with them in person.
 */
export async function decideRoleGrant({
  db,
  actor,
  grantId,
  approve,
}: {
  db: Db;
  actor: StaffActor;
  grantId: string;
  approve: boolean;
}): Promise<{ userId: number; role: KeyRole }> {
  const mine = /^[0-9a-f-]{36}$/.test(grantId)
    ? (await pendingRoleGrants({ db, actor })).find((g) => g.id === grantId)
    : undefined;
  if (!mine) {
    // A request this person could have decided that is no longer pending (a second tab, the back
    // button, a colleague first): say so, rather than "not found".
    const isPlatform = hasRole(actor, 'platform_admin');
    const decided =
      /^[0-9a-f-]{36}$/.test(grantId) && (isKeyHolder(actor) || isPlatform)
        ? await db
            .selectFrom('role_grant as g')
            .innerJoin('staff_user as u', 'u.id', 'g.user_id')
            .select('g.id')
            .where('g.id', '=', grantId)
            .where('g.state', '<>', 'pending')
            .where('g.user_id', '<>', actor.id)
            .$if(!isPlatform, (q) => q.where('u.agency_id', '=', actor.agencyId!))
            .executeTakeFirst()
        : undefined;
    if (decided) throw new AppError('conflict', 'already decided', 'grants.error.decided');
    throw new AppError('not_found', 'no such request for this person to decide', 'error.not_found');
  }
  if (approve && !mine.isSetUp)
    throw new AppError('conflict', 'the account is not set up yet', 'grants.error.not_set_up');
  return db.transaction().execute(async (trx) => {
    const user = await trx
      .selectFrom('staff_user')
      .select(['id', 'is_active'])
      .where('id', '=', mine.userId)
      .forUpdate()
      .executeTakeFirstOrThrow();
    const isAdmin = await trx
      .selectFrom('staff_role')
      .select('role')
      .where('user_id', '=', mine.userId)
      .where('role', 'in', ADMIN_ROLES)
      .executeTakeFirst();
    if (approve && isAdmin)
      throw new AppError(
        'invalid_input',
        'an administrator cannot also hold a role that reads cases',
        'admin.error.separation',
      );
    const claimed = await trx
      .updateTable('role_grant')
      .set({ state: approve && user.is_active ? 'confirmed' : 'refused', decided_by: actor.id, decided_at: new Date() })
      .where('id', '=', mine.id)
      .where('state', '=', 'pending')
      .executeTakeFirst();
    if (claimed.numUpdatedRows !== 1n) throw new AppError('conflict', 'already decided', 'grants.error.decided');
    if (approve && user.is_active)
      await trx
        .insertInto('staff_role')
        .values({ user_id: mine.userId, role: mine.role })
        .onConflict((oc) => oc.doNothing())
        .execute();
    await recordAudit(trx, {
      actorUserId: actor.id,
      action: 'role_grant_decided',
      detail: { user: mine.userId, role: mine.role, approved: approve && user.is_active },
    });
    return { userId: mine.userId, role: mine.role };
  });
}

/** The pending key roles of each user of an agency (for the administrator's list). */
export async function pendingRolesByUser(db: Db, agencyId: number): Promise<Map<number, KeyRole[]>> {
  const rows = await db
    .selectFrom('role_grant as g')
    .innerJoin('staff_user as u', 'u.id', 'g.user_id')
    .select(['g.user_id', 'g.role'])
    .where('u.agency_id', '=', agencyId)
    .where('g.state', '=', 'pending')
    .orderBy('g.role')
    .execute();
  const by = new Map<number, KeyRole[]>();
  for (const r of rows) by.set(r.user_id, [...(by.get(r.user_id) ?? []), r.role]);
  return by;
}
