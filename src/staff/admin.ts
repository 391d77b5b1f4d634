// Administration. A platform administrator runs agencies and invites their administrators; an
// agency administrator runs the staff of their own agency (its settings: agency-settings.ts; the
// auditor's reading of its trail: audit-trail.ts). None of these roles opens case content: they
// manage metadata only, and every change is audited in the transaction that makes it.
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { addAgency } from '../agencies/add-agency.ts';
import { recordAudit } from '../audit/record-audit.ts';
import type { Db } from '../db/connection.ts';
import { KEY_ROLES, type KeyRole, type StaffRole } from '../db/schema.ts';
import { staffMail, type StaffMailer } from '../mail/staff-mail.ts';
import { dropKeysOfLostRoles, isKeyRole, pendingRolesByUser, requestKeyRoles } from './role-grants.ts';
import { AppError } from '../errors.ts';
import { checkRoles, hashToken, inviteStaffUser, normalizeEmail, SETUP_LINK_DAYS } from './add-user.ts';
import { hasRole, type StaffActor } from './session.ts';

export type AdminActor = Pick<StaffActor, 'id' | 'agencyId' | 'roles'>;

function need(actor: AdminActor, role: StaffRole): void {
  if (!hasRole(actor, role)) throw new AppError('forbidden', `needs the ${role} role`, 'error.forbidden');
}

/** The actor's agency; an agency role without an agency is refused. */
export function ownAgency(actor: AdminActor, role: StaffRole): number {
  need(actor, role);
  if (actor.agencyId === null) throw new AppError('forbidden', `${role} of no agency`, 'error.forbidden');
  return actor.agencyId;
}

export type AgencySummary = {
  id: number;
  code: string;
  nameTh: string;
  nameEn: string;
  isIntakeOffice: boolean;
  activeStaff: number;
  invitedStaff: number;
  admins: number;
};

/** Every agency with staff counts (platform administrator). No case figures: they are not theirs to see. */
export async function listAllAgencies({ db, actor }: { db: Db; actor: AdminActor }): Promise<AgencySummary[]> {
  need(actor, 'platform_admin');
  const rows = await db
    .selectFrom('agency as a')
    .leftJoin('staff_user as u', 'u.agency_id', 'a.id')
    .select(['a.id', 'a.code', 'a.name_th', 'a.name_en', 'a.is_intake_office'])
    .select([
      sql<number>`count(u.id) filter (where u.is_active)::int`.as('active'),
      sql<number>`count(u.id) filter (where not u.is_active and u.public_key is null)::int`.as('invited'),
      sql<number>`count(u.id) filter (where u.is_active and exists (select 1 from staff_role r where r.user_id = u.id and r.role = 'agency_admin'))::int`.as(
        'admins',
      ),
    ])
    .groupBy('a.id')
    .orderBy('a.code')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    code: r.code,
    nameTh: r.name_th,
    nameEn: r.name_en,
    isIntakeOffice: r.is_intake_office,
    activeStaff: r.active,
    invitedStaff: r.invited,
    admins: r.admins,
  }));
}

/** Adds an agency (platform administrator), audited. */
export async function createAgency({
  db,
  actor,
  code,
  nameTh,
  nameEn,
}: {
  db: Db;
  actor: AdminActor;
  code: string;
  nameTh: string;
  nameEn: string;
}): Promise<{ id: number; code: string }> {
  need(actor, 'platform_admin');
  return db.transaction().execute(async (trx) => {
    const { id } = await addAgency({ db: trx, agency: { code, nameTh, nameEn } });
    const agency = await trx.selectFrom('agency').select('code').where('id', '=', id).executeTakeFirstOrThrow();
    await recordAudit(trx, { actorUserId: actor.id, action: 'agency_created', detail: { agency: agency.code } });
    return { id, code: agency.code };
  });
}

/** How an invitation's link reaches its owner: mailed to them, or (no mail server) handed over by the inviter. */
export type LinkDelivery = { mailer: StaffMailer | null; publicUrl: string };

/** Invites an agency administrator (platform administrator). Returns the one-time setup token, or null once mailed. */
export async function inviteAgencyAdmin({
  db,
  actor,
  agencyCode,
  email,
  displayName,
  delivery,
}: {
  db: Db;
  actor: AdminActor;
  agencyCode: string;
  email: string;
  displayName: string;
  delivery: LinkDelivery;
}): Promise<{ id: number; email: string; token: string | null }> {
  need(actor, 'platform_admin');
  const made = await inviteStaffUser({
    db,
    actorId: actor.id,
    agencyCode,
    email,
    roles: ['agency_admin'],
    displayName,
    ...delivery,
  }).catch((e: unknown) => {
    // An unknown agency code is the form's fault here (the list offers the agencies), not a missing page.
    if (e instanceof AppError && e.code === 'not_found')
      throw new AppError('invalid_input', `no agency ${agencyCode}`, 'error.form', { agency: 'error.field.invalid' });
    throw e;
  });
  return { ...made, email: normalizeEmail(email) };
}

export type UserState = 'active' | 'invited' | 'deactivated';
/** `pendingRoles`: key roles asked for and not yet confirmed by a key holder (role-grants.ts). */
export type StaffSummary = {
  id: number;
  email: string;
  displayName: string;
  roles: StaffRole[];
  pendingRoles: KeyRole[];
  state: UserState;
  isEnrolled: boolean;
  createdAt: Date;
  /** The staff member's unit (units.ts); null: no unit. */
  unitId: number | null;
};

function staffQuery(db: Db, agencyId: number) {
  return db
    .selectFrom('staff_user as u')
    .select([
      'u.id',
      'u.email',
      'u.display_name',
      'u.is_active',
      'u.created_at',
      'u.unit_id',
      sql<boolean>`u.public_key is not null`.as('has_keys'),
      sql<boolean>`u.totp_sealed is not null`.as('is_enrolled'),
    ])
    .select((eb) =>
      eb.fn
        .coalesce(
          eb
            .selectFrom('staff_role as r')
            .select(sql<StaffRole[]>`array_agg(r.role order by r.role)`.as('roles'))
            .whereRef('r.user_id', '=', 'u.id'),
          sql<StaffRole[]>`'{}'::text[]`,
        )
        .as('roles'),
    )
    .where('u.agency_id', '=', agencyId);
}

type StaffRowDb = {
  id: number;
  email: string;
  display_name: string;
  is_active: boolean;
  created_at: Date;
  unit_id: number | null;
  has_keys: boolean;
  is_enrolled: boolean;
  roles: StaffRole[];
};

function toSummary(r: StaffRowDb, pending: Map<number, KeyRole[]>): StaffSummary {
  const state: UserState = r.is_active ? 'active' : r.has_keys ? 'deactivated' : 'invited';
  return {
    id: r.id,
    email: r.email,
    displayName: r.display_name,
    roles: r.roles,
    pendingRoles: pending.get(r.id) ?? [],
    state,
    isEnrolled: r.is_enrolled,
    createdAt: r.created_at,
    unitId: r.unit_id,
  };
}

/** The staff of the actor's agency (agency administrator), active first, then by email. */
export async function listAgencyStaff({ db, actor }: { db: Db; actor: AdminActor }): Promise<StaffSummary[]> {
  const agencyId = ownAgency(actor, 'agency_admin');
  const [rows, pending] = await Promise.all([
    staffQuery(db, agencyId).orderBy('u.is_active', 'desc').orderBy('u.email').execute(),
    pendingRolesByUser(db, agencyId),
  ]);
  return rows.map((r) => toSummary(r, pending));
}

/** One user of the actor's agency; a user of another agency (or none) is not_found. */
export async function getAgencyUser({
  db,
  actor,
  userId,
}: {
  db: Db;
  actor: AdminActor;
  userId: number;
}): Promise<StaffSummary> {
  const agencyId = ownAgency(actor, 'agency_admin');
  const row = Number.isSafeInteger(userId)
    ? await staffQuery(db, agencyId).where('u.id', '=', userId).executeTakeFirst()
    : undefined;
  if (!row) throw new AppError('not_found', `no user ${userId} in agency ${agencyId}`, 'error.not_found');
  return toSummary(row, await pendingRolesByUser(db, agencyId));
}

async function agencyCodeOf(db: Db, agencyId: number): Promise<string> {
  return (await db.selectFrom('agency').select('code').where('id', '=', agencyId).executeTakeFirstOrThrow()).code;
}

/**
 * Invites a user to the actor's agency with any agency roles (never platform_admin); key roles are
 * requested, for a key holder to confirm. Returns the token, or null once mailed to the user.
 */
export async function inviteAgencyStaff({
  db,
  actor,
  email,
  displayName,
  roles,
  delivery,
}: {
  db: Db;
  actor: AdminActor;
  email: string;
  displayName: string;
  roles: readonly string[];
  delivery: LinkDelivery;
}): Promise<{ id: number; email: string; token: string | null; pending: KeyRole[] }> {
  const agencyId = ownAgency(actor, 'agency_admin');
  // The email and the roles checked together, so the form marks every field at fault at once.
  const [emailFault, rolesFault] = [() => normalizeEmail(email), () => checkRoles(roles, true)].map(faultOf);
  if (emailFault || rolesFault) {
    const only = emailFault && rolesFault ? null : (emailFault ?? rolesFault)!;
    throw new AppError(
      'invalid_input',
      [emailFault?.message, rolesFault?.message].filter(Boolean).join('; '),
      only?.userMessage ?? 'error.form',
      { ...emailFault?.fields, ...rolesFault?.fields },
    );
  }
  const checked = checkRoles(roles, true);
  const made = await inviteStaffUser({
    db,
    actorId: actor.id,
    agencyCode: await agencyCodeOf(db, agencyId),
    email,
    roles: checked,
    displayName,
    ...delivery,
  });
  return { ...made, email: normalizeEmail(email), pending: checked.filter(isKeyRole) };
}

/** The invalid input a check throws, or null when it passes (anything else is thrown on). */
function faultOf(check: () => unknown): AppError | null {
  try {
    check();
    return null;
  } catch (e) {
    if (e instanceof AppError && e.code === 'invalid_input') return e;
    throw e;
  }
}

/** Locks a user row of the actor's agency for the rest of the transaction, or not_found. */
async function lockAgencyUser(trx: Db, agencyId: number, userId: number) {
  const row = Number.isSafeInteger(userId)
    ? await trx
        .selectFrom('staff_user')
        .select(['id', 'email', 'is_active', 'public_key'])
        .where('id', '=', userId)
        .where('agency_id', '=', agencyId)
        .forUpdate()
        .executeTakeFirst()
    : undefined;
  if (!row) throw new AppError('not_found', `no user ${userId} in agency ${agencyId}`, 'error.not_found');
  return row;
}

/**
 * Sets a user's roles (agency administrator), audited with before and after. Roles that bring case
 * keys and are not yet held are only requested (a key holder confirms them); roles taken away drop
 * the keys they brought. No account gives itself a role, and an administrator cannot take their own
 * agency_admin role away (the agency would risk having none).
 */
export async function setUserRoles({
  db,
  actor,
  userId,
  roles,
}: {
  db: Db;
  actor: AdminActor;
  userId: number;
  roles: readonly string[];
}): Promise<{ before: StaffRole[]; after: StaffRole[]; pending: KeyRole[] }> {
  const agencyId = ownAgency(actor, 'agency_admin');
  const wanted = checkRoles(roles, true).sort();
  if (userId === actor.id && !wanted.includes('agency_admin')) {
    throw new AppError(
      'invalid_input',
      'an administrator cannot remove their own administrator role',
      'admin.error.own_admin',
      { roles: 'admin.error.own_admin' },
    );
  }
  return db.transaction().execute(async (trx) => {
    await lockAgencyUser(trx, agencyId, userId);
    const before = (await trx.selectFrom('staff_role').select('role').where('user_id', '=', userId).execute())
      .map((r) => r.role)
      .sort();
    if (userId === actor.id && wanted.some((r) => !before.includes(r))) {
      throw new AppError('forbidden', 'no account gives itself a role', 'admin.error.own_roles', {
        roles: 'admin.error.own_roles',
      });
    }
    const pending = wanted.filter((r): r is KeyRole => isKeyRole(r) && !before.includes(r));
    const after = wanted.filter((r) => !pending.includes(r as KeyRole));
    const pendingBefore = (
      await trx
        .selectFrom('role_grant')
        .select('role')
        .where('user_id', '=', userId)
        .where('state', '=', 'pending')
        .execute()
    )
      .map((r) => r.role)
      .sort();
    if (before.join() === after.join() && pendingBefore.join() === pending.join()) return { before, after, pending };
    await trx.deleteFrom('staff_role').where('user_id', '=', userId).where('role', 'not in', after).execute();
    if (after.length > 0)
      await trx
        .insertInto('staff_role')
        .values(after.map((role) => ({ user_id: userId, role })))
        .onConflict((oc) => oc.doNothing())
        .execute();
    await requestKeyRoles(trx, { userId, roles: pending, requestedBy: actor.id });
    const dropped = await dropKeysOfLostRoles(trx, userId, after, pending);
    await recordAudit(trx, {
      actorUserId: actor.id,
      action: 'roles_changed',
      detail: { user: userId, before, after, requested: pending, keysDropped: dropped.keys },
    });
    return { before, after, pending };
  });
}

/**
 * Deactivates a user of the actor's agency (agency administrator): they cannot log in, their
 * sessions end now and an unused setup link dies. Audited. Not oneself, and only `confirmed`.
 */
export async function deactivateUser({
  db,
  actor,
  userId,
  confirmed,
}: {
  db: Db;
  actor: AdminActor;
  userId: number;
  /** The administrator ticked the confirmation: a deactivation is never one click away. */
  confirmed: boolean;
}): Promise<void> {
  const agencyId = ownAgency(actor, 'agency_admin');
  if (!confirmed)
    throw new AppError('invalid_input', 'deactivation not confirmed', 'admin.user.confirm_required', {
      confirm: 'admin.user.confirm_required',
    });
  if (userId === actor.id)
    throw new AppError('invalid_input', 'an administrator cannot deactivate themselves', 'admin.error.own_deactivate');
  await db.transaction().execute(async (trx) => {
    const user = await lockAgencyUser(trx, agencyId, userId);
    await trx.updateTable('staff_user').set({ is_active: false }).where('id', '=', userId).execute();
    await trx.deleteFrom('staff_session').where('user_id', '=', userId).execute();
    await trx.deleteFrom('setup_token').where('user_id', '=', userId).execute();
    // A person who leaves takes no keys with them: an account brought back gets its roles confirmed anew.
    const dropped = await dropKeysOfLostRoles(trx, userId, []);
    await trx.deleteFrom('staff_role').where('user_id', '=', userId).where('role', 'in', KEY_ROLES).execute();
    await recordAudit(trx, {
      actorUserId: actor.id,
      action: 'user_deactivated',
      detail: { user: userId, wasActive: user.is_active, keysDropped: dropped.keys },
    });
  });
}

/**
 * A fresh setup link for an invited user who never set up their account (the first one expired or
 * was lost): the earlier link stops working. Returns the user's email and the token (null once mailed).
 */
export async function reissueSetupLink({
  db,
  actor,
  userId,
  delivery,
}: {
  db: Db;
  actor: AdminActor;
  userId: number;
  delivery: LinkDelivery;
}): Promise<{ email: string; token: string | null }> {
  const agencyId = ownAgency(actor, 'agency_admin');
  return db.transaction().execute(async (trx) => {
    const user = await lockAgencyUser(trx, agencyId, userId);
    if (user.public_key !== null)
      throw new AppError('conflict', 'the account was already set up', 'admin.error.already_set_up');
    const token = randomBytes(24).toString('base64url');
    await trx.deleteFrom('setup_token').where('user_id', '=', userId).execute();
    await trx
      .insertInto('setup_token')
      .values({
        token_hash: hashToken(token),
        purpose: 'account',
        user_id: userId,
        expires_at: new Date(Date.now() + SETUP_LINK_DAYS * 86_400_000),
      })
      .execute();
    await recordAudit(trx, {
      actorUserId: actor.id,
      action: 'setup_link_reissued',
      detail: { user: userId, mailed: delivery.mailer !== null },
    });
    if (!delivery.mailer) return { email: user.email, token };
    await delivery.mailer(
      user.email,
      staffMail('invite', { url: `${delivery.publicUrl}/staff/setup/${token}`, days: SETUP_LINK_DAYS }),
    );
    return { email: user.email, token: null };
  });
}
