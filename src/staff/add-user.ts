// Staff accounts. A user's X25519 key pair is made when they choose their password (directly from
// the command line, or through a one-time setup link); the private key is stored only wrapped by
// a key derived from the password. Reports filed before the user existed are not sealed to them.
import { createHash, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { AppError } from '../errors.ts';
import type { KdfParams } from '../crypto/kdf.ts';
import type { Db } from '../db/connection.ts';
import { ADMIN_ROLES, KEY_ROLES, STAFF_ROLES, type StaffRole } from '../db/schema.ts';
import { generateKeyPair, publicKeyOf, type KeyPair } from '../crypto/sealed-box.ts';
import { aeadKey, open } from '../crypto/aead.ts';
import { subkey } from '../crypto/kdf.ts';
import { TEXT_LIMITS } from '../intake/limits.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { derivePasswordKeys, newSalt, wrapPrivateKey } from './password-keys.ts';
import { isKeyRole, requestKeyRoles } from './role-grants.ts';
import { staffMail, type StaffMailer } from '../mail/staff-mail.ts';

export { STAFF_ROLES, type StaffRole };
export const MIN_PASSWORD_LENGTH = 12;
export const SETUP_LINK_DAYS = 7;

export function normalizeEmail(email: string): string {
  const normalized = email.trim().toLowerCase();
  if (!/^[^\s@]+@[^\s@]+$/.test(normalized) || normalized.length > TEXT_LIMITS.email) {
    throw new AppError('invalid_input', 'not an email address', 'error.form', {
      email: normalized ? 'admin.error.email_format' : 'error.field.required',
    });
  }
  return normalized;
}

export function checkRoles(roles: readonly string[], hasAgency: boolean): StaffRole[] {
  const unique = [...new Set(roles.map((r) => r.trim()).filter(Boolean))];
  if (unique.length === 0 || unique.some((r) => !(STAFF_ROLES as readonly string[]).includes(r))) {
    throw new AppError('invalid_input', `roles must be among: ${STAFF_ROLES.join(', ')}`, 'error.form', {
      roles: unique.length === 0 ? 'admin.error.role_required' : 'error.field.invalid',
    });
  }
  // A platform administrator runs the platform and belongs to no agency; every other role is of one.
  if (hasAgency === unique.includes('platform_admin') || (unique.includes('platform_admin') && unique.length > 1)) {
    throw new AppError(
      'invalid_input',
      'platform_admin alone and without an agency; every other role with an agency',
      'error.form',
      { roles: 'error.field.invalid' },
    );
  }
  // Separation of duties: whoever manages accounts never holds a role that brings case keys.
  if (
    unique.some((r) => (ADMIN_ROLES as readonly string[]).includes(r)) &&
    unique.some((r) => (KEY_ROLES as readonly string[]).includes(r))
  ) {
    throw new AppError(
      'invalid_input',
      'an administrator cannot also hold a role that reads cases',
      'admin.error.separation',
      { roles: 'admin.error.separation' },
    );
  }
  return unique as StaffRole[];
}

/** A new password: long enough, and (when the form asks for it twice, `again`) typed the same both times. */
export function checkPassword(password: string, again?: string): void {
  if (password.length < MIN_PASSWORD_LENGTH || password.length > TEXT_LIMITS.password) {
    throw new AppError(
      'invalid_input',
      `password must be ${MIN_PASSWORD_LENGTH} to ${TEXT_LIMITS.password} characters`,
      'error.password_length',
      { password: 'error.password_length' },
    );
  }
  if (again !== undefined && again !== password)
    throw new AppError('invalid_input', 'the passwords differ', 'error.password_mismatch', {
      password2: 'error.password_mismatch',
    });
}

function checkName(name: string): string {
  const n = name.trim();
  if (n.length > 200)
    throw new AppError('invalid_input', 'name too long', 'error.form', { displayName: 'error.field.too_long' });
  return n;
}

async function agencyIdOf(db: Db, agencyCode: string | null): Promise<number | null> {
  if (agencyCode === null) return null;
  const agency = await db
    .selectFrom('agency')
    .select('id')
    .where('code', '=', agencyCode.trim().toUpperCase())
    .executeTakeFirst();
  if (!agency) throw new AppError('not_found', `no agency ${agencyCode}`, 'error.not_found');
  return agency.id;
}

/** The key material of a password: salt, parameters, verifier, and the key pair (a fresh one unless given) wrapped. */
export async function passwordColumns(kdf: KdfParams, password: string, email: string, existing?: KeyPair) {
  checkPassword(password);
  const salt = newSalt();
  const keys = await derivePasswordKeys(password, salt, kdf);
  const pair = existing ?? generateKeyPair();
  try {
    return {
      kdf_salt: salt,
      kdf_params: JSON.stringify(kdf),
      password_verifier: keys.verifier,
      public_key: pair.publicKey,
      wrapped_private_key: wrapPrivateKey(keys.wrapKey, pair.privateKey, email),
    };
  } finally {
    pair.privateKey.fill(0);
  }
}

function conflictOn23505(e: unknown, email: string): never {
  if ((e as { code?: string }).code === '23505')
    throw new AppError('conflict', `user ${email} exists`, 'error.conflict', { email: 'admin.error.email_taken' });
  throw e;
}

/** Adds an active user with a password (command line and tests). They enrol TOTP at first login. */
export async function addStaffUser({
  db,
  kdf,
  agencyCode,
  email,
  roles,
  password,
  displayName = '',
}: {
  db: Db;
  kdf: KdfParams;
  agencyCode: string | null;
  email: string;
  roles: readonly string[];
  password: string;
  displayName?: string;
}): Promise<{ id: number }> {
  const normalized = normalizeEmail(email);
  const checked = checkRoles(roles, agencyCode !== null);
  const agencyId = await agencyIdOf(db, agencyCode);
  const columns = await passwordColumns(kdf, password, normalized);
  try {
    return await db.transaction().execute(async (trx) => {
      const user = await trx
        .insertInto('staff_user')
        .values({ agency_id: agencyId, email: normalized, display_name: checkName(displayName), ...columns })
        .returning('id')
        .executeTakeFirstOrThrow();
      await trx
        .insertInto('staff_role')
        .values(checked.map((role) => ({ user_id: user.id, role })))
        .execute();
      await recordAudit(trx, {
        actorUserId: null,
        action: 'user_created',
        detail: { user: user.id, roles: checked, by: 'command_line' },
      });
      return user;
    });
  } catch (e) {
    return conflictOn23505(e, normalized);
  }
}

/** The key that wraps a private key inside a restore link (derived from the link's token). */
export function restoreKey(token: string) {
  return aeadKey(subkey(Buffer.from(token, 'utf8'), 'restore-link'));
}

export function hashToken(token: string): Buffer {
  return createHash('sha256').update(`sujarit/v1/setup\n${token}`).digest();
}

/**
 * An administrator creates an account without a password: it is inactive until its owner opens the
 * one-time setup link (valid SETUP_LINK_DAYS) and chooses one. Roles that bring case keys are only
 * requested (role-grants.ts). With a mailer the link goes to the new user's address, inside the
 * transaction, and `token` is null: the administrator never sees it. Without one (a platform with no
 * mail server) the token is returned for the administrator to hand over in person.
 */
export async function inviteStaffUser({
  db,
  actorId,
  agencyCode,
  email,
  roles,
  displayName,
  mailer = null,
  publicUrl = '',
}: {
  db: Db;
  actorId: number | null;
  agencyCode: string | null;
  email: string;
  roles: readonly string[];
  displayName: string;
  mailer?: StaffMailer | null;
  publicUrl?: string;
}): Promise<{ id: number; token: string | null }> {
  const normalized = normalizeEmail(email);
  const checked = checkRoles(roles, agencyCode !== null);
  const agencyId = await agencyIdOf(db, agencyCode);
  const token = randomBytes(24).toString('base64url');
  try {
    return await db.transaction().execute(async (trx) => {
      const user = await trx
        .insertInto('staff_user')
        .values({ agency_id: agencyId, email: normalized, display_name: checkName(displayName), is_active: false })
        .returning('id')
        .executeTakeFirstOrThrow();
      const now = checked.filter((r) => !isKeyRole(r));
      const asked = checked.filter(isKeyRole);
      if (now.length > 0)
        await trx
          .insertInto('staff_role')
          .values(now.map((role) => ({ user_id: user.id, role })))
          .execute();
      await requestKeyRoles(trx, { userId: user.id, roles: asked, requestedBy: actorId });
      await trx
        .insertInto('setup_token')
        .values({
          token_hash: hashToken(token),
          purpose: 'account',
          user_id: user.id,
          expires_at: new Date(Date.now() + SETUP_LINK_DAYS * 86_400_000),
        })
        .execute();
      await recordAudit(trx, {
        actorUserId: actorId,
        action: 'user_created',
        detail: { user: user.id, roles: now, requested: asked, mailed: mailer !== null },
      });
      if (mailer)
        await mailer(
          normalized,
          staffMail('invite', { url: `${publicUrl}/staff/setup/${token}`, days: SETUP_LINK_DAYS }),
        );
      return { id: user.id, token: mailer ? null : token };
    });
  } catch (e) {
    return conflictOn23505(e, normalized);
  }
}

/**
 * On a server without a platform administrator, makes (or replaces) the one-time link that creates
 * the first one. Returns null when there is one already.
 */
export async function firstAdminLink(db: Db): Promise<string | null> {
  return db.transaction().execute(async (trx) => {
    await sql`lock table setup_token in exclusive mode`.execute(trx);
    const admin = await trx
      .selectFrom('staff_role')
      .select('user_id')
      .where('role', '=', 'platform_admin')
      .limit(1)
      .executeTakeFirst();
    if (admin) return null;
    const token = randomBytes(24).toString('base64url');
    await trx.deleteFrom('setup_token').where('purpose', '=', 'first_admin').execute();
    await trx
      .insertInto('setup_token')
      .values({
        token_hash: hashToken(token),
        purpose: 'first_admin',
        user_id: null,
        expires_at: new Date(Date.now() + SETUP_LINK_DAYS * 86_400_000),
      })
      .execute();
    return token;
  });
}

export type SetupLink = { purpose: 'first_admin' | 'account' | 'restore'; email: string | null };

/** What a setup link is for, or not_found when it is unknown, used or expired. */
export async function readSetupLink(db: Db, token: string): Promise<SetupLink> {
  const row = await db
    .selectFrom('setup_token as t')
    .leftJoin('staff_user as u', 'u.id', 't.user_id')
    .select(['t.purpose', 'u.email'])
    .where('t.token_hash', '=', hashToken(token.slice(0, 64)))
    .where('t.expires_at', '>', new Date())
    .executeTakeFirst();
  if (!row) throw new AppError('not_found', 'setup link unknown, used or expired', 'error.setup_link');
  return { purpose: row.purpose, email: row.email };
}

/** Completes a setup link: sets the password (making the key pair) and consumes the link. */
export async function completeSetup({
  db,
  kdf,
  token,
  password,
  passwordAgain,
  email,
  displayName = '',
}: {
  db: Db;
  kdf: KdfParams;
  token: string;
  password: string;
  /** The password typed a second time, when the form asks for it. */
  passwordAgain?: string;
  email?: string;
  displayName?: string;
}): Promise<{ id: number; email: string }> {
  checkPassword(password, passwordAgain);
  return db.transaction().execute(async (trx) => {
    const link = await trx
      .selectFrom('setup_token')
      .selectAll()
      .where('token_hash', '=', hashToken(token.slice(0, 64)))
      .where('expires_at', '>', new Date())
      .forUpdate()
      .executeTakeFirst();
    if (!link) throw new AppError('not_found', 'setup link unknown, used or expired', 'error.setup_link');
    await trx.deleteFrom('setup_token').where('token_hash', '=', link.token_hash).execute();
    if (link.purpose === 'first_admin') {
      const normalized = normalizeEmail(email ?? '');
      const columns = await passwordColumns(kdf, password, normalized);
      const user = await trx
        .insertInto('staff_user')
        .values({ agency_id: null, email: normalized, display_name: checkName(displayName), ...columns })
        .returning('id')
        .executeTakeFirstOrThrow()
        .catch((e) => conflictOn23505(e, normalized));
      await trx.insertInto('staff_role').values({ user_id: user.id, role: 'platform_admin' }).execute();
      await recordAudit(trx, {
        actorUserId: user.id,
        action: 'user_created',
        detail: { user: user.id, roles: ['platform_admin'], by: 'first_admin_link' },
      });
      return { id: user.id, email: normalized };
    }
    const user = await trx
      .selectFrom('staff_user')
      .select(['id', 'email'])
      .where('id', '=', link.user_id!)
      .executeTakeFirstOrThrow();
    if (link.purpose === 'restore') {
      // Access restored through the agency escrow: the same private key (every case stays readable)
      // under the new password; the second factor is enrolled again; other sessions end.
      const privateKey = open(restoreKey(token), link.wrapped_private_key!, `restore/${user.id}`);
      const columns = await passwordColumns(kdf, password, user.email, {
        publicKey: publicKeyOf(privateKey),
        privateKey,
      });
      await trx
        .updateTable('staff_user')
        .set({
          ...columns,
          is_active: true,
          password_changed_at: new Date(),
          totp_sealed: null,
          totp_last_step: null,
          recovery_hashes: [],
        })
        .where('id', '=', user.id)
        .execute();
      await trx.deleteFrom('staff_session').where('user_id', '=', user.id).execute();
      await recordAudit(trx, { actorUserId: user.id, action: 'access_restored', detail: { user: user.id } });
      return user;
    }
    const columns = await passwordColumns(kdf, password, user.email);
    await trx
      .updateTable('staff_user')
      .set({ ...columns, is_active: true, password_changed_at: new Date() })
      .where('id', '=', user.id)
      .execute();
    await recordAudit(trx, { actorUserId: user.id, action: 'account_set_up', detail: { user: user.id } });
    return user;
  });
}
