// Staff sessions. The token (cookie or bearer) holds a session id and a session key; the database
// holds only the id's hash and the private key sealed under the session key, so neither a database
// copy nor a stolen token alone (after logout or expiry) opens anything.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { sql } from 'kysely';
import type { KdfParams } from '../crypto/kdf.ts';
import type { Db } from '../db/connection.ts';
import type { StaffRole } from '../db/schema.ts';
import { aeadKey, open, seal } from '../crypto/aead.ts';
import { openSealed, publicKeyOf, type KeyPair } from '../crypto/sealed-box.ts';
import { AppError } from '../errors.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { derivePasswordKeys, newSalt, unwrapPrivateKey, wrapPrivateKey } from './password-keys.ts';
import { checkPassword } from './add-user.ts';
import { escrowAtLogin } from './escrow.ts';
import { checkTotp, looksLikeRecoveryCode, recoveryHash } from './totp.ts';
import type { LoginLimits } from '../intake/login-throttle.ts';

export const STAFF_SESSION_HOURS = 8;

/** `isEnrolled` false: the user has no second factor yet, and may only enrol one. */
export type StaffActor = {
  id: number;
  agencyId: number | null;
  email: string;
  displayName: string;
  roles: StaffRole[];
  isEnrolled: boolean;
  keys: KeyPair;
};

export function hasRole(actor: { roles: readonly StaffRole[] }, ...roles: StaffRole[]): boolean {
  return roles.some((r) => actor.roles.includes(r));
}

/** The role shown for the actor on a case to reporters (never a name): the most specific one held. */
export function caseRoleOf(actor: { roles: readonly StaffRole[] }): StaffRole {
  return (
    (['investigator', 'intake_officer', 'supervisor', 'identity_custodian'] as const).find((r) =>
      actor.roles.includes(r),
    ) ?? actor.roles[0]
  );
}

const DUMMY_SALT = newSalt();

function hashId(id: Buffer): Buffer {
  return createHash('sha256').update(id).digest();
}

async function checkSecondFactor(
  db: Db,
  user: { id: number; totp_sealed: Buffer | null; totp_last_step: number | null; recovery_hashes: Buffer[] },
  keys: KeyPair,
  code: string,
): Promise<'totp' | 'recovery' | null> {
  if (!user.totp_sealed) return null;
  const secret = openSealed(keys, user.totp_sealed);
  const step = checkTotp(secret, code, user.totp_last_step);
  secret.fill(0);
  if (step !== null) {
    // Compare-and-set: two logins with the same code cannot both pass.
    const r = await db
      .updateTable('staff_user')
      .set({ totp_last_step: step })
      .where('id', '=', user.id)
      .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)]))
      .executeTakeFirst();
    return r.numUpdatedRows === 1n ? 'totp' : null;
  }
  if (looksLikeRecoveryCode(code)) {
    const h = recoveryHash(code);
    const r =
      await sql`update staff_user set recovery_hashes = array_remove(recovery_hashes, ${h}::bytea) where id = ${user.id} and ${h}::bytea = any(recovery_hashes)`.execute(
        db,
      );
    return r.numAffectedRows === 1n ? 'recovery' : null;
  }
  return null;
}

/** The staff scopes of the login limits. */
export type StaffLimits = Pick<LoginLimits, 'staff' | 'staffAccount'>;

/**
 * For an email no account has: one guess from the bucket all unknown emails share, besides the
 * email's own (`refundAccount`, given back if this one is refused). Returns the refund of both.
 */
function reserveUnknownEmailGuess(limits: StaffLimits, refundAccount: () => void): () => void {
  try {
    const refundShared = limits.staff.reserve();
    return () => {
      refundAccount();
      refundShared();
    };
  } catch (e) {
    refundAccount();
    throw e;
  }
}

/**
 * An opened session: the bearer token and, for where the user lands, their roles and the second
 * factor that let them in (`none` before enrolment; after `recovery`, how many codes are left).
 */
export type StaffLogin = {
  token: string;
  expiresAt: Date;
  isEnrolled: boolean;
  roles: StaffRole[];
  factor: 'none' | 'totp' | 'recovery';
  recoveryCodesLeft: number;
};

/**
 * Checks email, password and (once enrolled) the TOTP or a recovery code, and opens a session. An
 * unknown email, a wrong password and a right password with a wrong code all cost the same
 * derivation, write one audit row (naming the factor; no actor for an unknown email) and get the
 * same error, so neither the email nor the password can be confirmed alone. Limited per account
 * by `limits` (429 before any derivation). Returns the bearer token (also the cookie value).
 */
export async function staffLogin({
  db,
  kdf,
  limits,
  email,
  password,
  code = '',
}: {
  db: Db;
  kdf: KdfParams;
  limits: StaffLimits;
  email: string;
  password: string;
  code?: string;
}): Promise<StaffLogin> {
  // A field left empty is no guess: said at once, per field, before any account is looked up or counted.
  const missing = {
    ...(email.trim() === '' ? { email: 'staff.error.email_required' } : {}),
    ...(password === '' ? { password: 'staff.error.password_required' } : {}),
  };
  if (Object.keys(missing).length > 0)
    throw new AppError('invalid_input', 'email and password are required', 'error.form', missing);
  const normalized = email.trim().toLowerCase();
  // The account's guess is taken by the typed email before the lookup: a refusal costs no query (a
  // flood on one account does not hold the database pool other logins need), and an unknown email
  // is refused after as many failures as a known one, so a 429 does not tell that it exists.
  const refundAccount = limits.staffAccount.reserve(normalized);
  const user = await db
    .selectFrom('staff_user')
    .selectAll()
    .where('email', '=', normalized)
    .where('is_active', '=', true)
    .executeTakeFirst();
  const refund = user ? refundAccount : reserveUnknownEmailGuess(limits, refundAccount);
  const keys = await derivePasswordKeys(password, user?.kdf_salt ?? DUMMY_SALT, user?.kdf_params ?? kdf);
  if (!user?.password_verifier || !timingSafeEqual(keys.verifier, user.password_verifier)) {
    // The same write whether the email exists or not: a known email is not slower to fail.
    await recordAudit(db, {
      actorUserId: user?.id ?? null,
      action: 'staff_login_failed',
      detail: { factor: 'password' },
    });
    throw new AppError('unauthorized', 'wrong email, password or code', 'error.login_failed');
  }
  const privateKey = unwrapPrivateKey(keys.wrapKey, user.wrapped_private_key!, user.email);
  try {
    const isEnrolled = user.totp_sealed !== null;
    const factor = isEnrolled
      ? await checkSecondFactor(db, user, { publicKey: user.public_key!, privateKey }, code)
      : 'none';
    if (!factor) {
      await recordAudit(db, { actorUserId: user.id, action: 'staff_login_failed', detail: { factor: 'second' } });
      throw new AppError('unauthorized', 'wrong email, password or code', 'error.login_failed');
    }
    if (factor === 'recovery') await recordAudit(db, { actorUserId: user.id, action: 'recovery_code_used' });
    const id = randomBytes(16);
    const sessionKey = randomBytes(32);
    const expiresAt = new Date(Date.now() + STAFF_SESSION_HOURS * 3600_000);
    await db
      .insertInto('staff_session')
      .values({
        token_hash: hashId(id),
        user_id: user.id,
        sealed_private_key: seal(aeadKey(sessionKey), privateKey, `staff-session/${user.id}`),
        expires_at: expiresAt,
      })
      .execute();
    await recordAudit(db, { actorUserId: user.id, action: 'staff_login' });
    refund();
    await escrowAtLogin(db, user, privateKey);
    return {
      token: Buffer.concat([id, sessionKey]).toString('base64url'),
      expiresAt,
      isEnrolled,
      roles: await rolesOf(db, user.id),
      factor,
      recoveryCodesLeft: await recoveryCodesLeft(db, user.id),
    };
  } finally {
    privateKey.fill(0);
  }
}

async function rolesOf(db: Db, userId: number): Promise<StaffRole[]> {
  const rows = await db.selectFrom('staff_role').select('role').where('user_id', '=', userId).orderBy('role').execute();
  return rows.map((r) => r.role);
}

/** How many unused recovery codes the user has (each works once, instead of the app's code). */
export async function recoveryCodesLeft(db: Db, userId: number): Promise<number> {
  const row = await db
    .selectFrom('staff_user')
    .select(sql<number>`coalesce(cardinality(recovery_hashes), 0)`.as('n'))
    .where('id', '=', userId)
    .executeTakeFirst();
  return row?.n ?? 0;
}

function parseToken(token: string): { id: Buffer; key: Buffer } | null {
  if (!/^[A-Za-z0-9_-]{64}$/.test(token)) return null;
  const raw = Buffer.from(token, 'base64url');
  return raw.length === 48 ? { id: raw.subarray(0, 16), key: raw.subarray(16) } : null;
}

/** Resolves a token to the staff member with their opened key pair, or null when not valid. */
export async function resolveStaffSession({
  db,
  token,
}: {
  db: Db;
  token: string | undefined;
}): Promise<StaffActor | null> {
  const parsed = token ? parseToken(token) : null;
  if (!parsed) return null;
  const row = await db
    .selectFrom('staff_session as s')
    .innerJoin('staff_user as u', 'u.id', 's.user_id')
    .select([
      'u.id',
      'u.agency_id',
      'u.email',
      'u.display_name',
      'u.public_key',
      's.sealed_private_key',
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
    .where('s.token_hash', '=', hashId(parsed.id))
    .where('s.expires_at', '>', new Date())
    .where('u.is_active', '=', true)
    .executeTakeFirst();
  if (!row?.public_key) return null;
  let privateKey: Buffer;
  try {
    privateKey = open(aeadKey(parsed.key), row.sealed_private_key, `staff-session/${row.id}`);
  } catch {
    return null;
  }
  if (!timingSafeEqual(publicKeyOf(privateKey), row.public_key)) return null;
  return {
    id: row.id,
    agencyId: row.agency_id,
    email: row.email,
    displayName: row.display_name,
    roles: row.roles,
    isEnrolled: row.is_enrolled,
    keys: { publicKey: row.public_key, privateKey },
  };
}

/** Ends a session; the sealed private key is deleted with it. */
export async function staffLogout({ db, token }: { db: Db; token: string | undefined }): Promise<void> {
  const parsed = token ? parseToken(token) : null;
  if (parsed) await db.deleteFrom('staff_session').where('token_hash', '=', hashId(parsed.id)).execute();
}

/** What checking the password again needs: the database, the derivation, the limits, the user. */
export type PasswordCheck = { db: Db; kdf: KdfParams; limits: StaffLimits; actor: Pick<StaffActor, 'id' | 'email'> };

/**
 * Checks a signed-in user's password again (before a change of password, of second factor, or of
 * recovery codes). Spends the same per-account budget as logins, so a stolen session gets no extra
 * guesses, and records every failure.
 */
export async function checkCurrentPassword(
  { db, kdf, limits, actor }: PasswordCheck,
  password: string,
  purpose: 'second_factor' | 'password' | 'recovery_codes',
): Promise<void> {
  const userId = actor.id;
  const refund = limits.staffAccount.reserve(actor.email); // the same bucket as the account's logins
  const user = await db
    .selectFrom('staff_user')
    .select(['kdf_salt', 'kdf_params', 'password_verifier'])
    .where('id', '=', userId)
    .executeTakeFirstOrThrow();
  const keys = await derivePasswordKeys(password, user.kdf_salt!, user.kdf_params ?? kdf);
  if (!timingSafeEqual(keys.verifier, user.password_verifier!)) {
    await recordAudit(db, { actorUserId: userId, action: 'password_check_failed', detail: { purpose } });
    throw new AppError('unauthorized', 'wrong current password', 'admin.password.wrong_current', {
      current: 'admin.password.wrong_current',
    });
  }
  refund();
}

/**
 * Changes the password: checks the current one, re-wraps the same private key (so every case sealed
 * to the user stays readable) under the new one, and ends the user's other sessions.
 */
export async function changePassword({
  db,
  kdf,
  limits,
  actor,
  current,
  next,
  nextAgain,
  token,
}: {
  db: Db;
  kdf: KdfParams;
  limits: StaffLimits;
  actor: StaffActor;
  current: string;
  next: string;
  /** The new password typed a second time, when the form asks for it. */
  nextAgain?: string;
  token: string | undefined;
}): Promise<void> {
  checkPassword(next, nextAgain);
  await checkCurrentPassword({ db, kdf, limits, actor }, current, 'password');
  const salt = newSalt();
  const nextKeys = await derivePasswordKeys(next, salt, kdf);
  const keep = token ? parseToken(token) : null;
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('staff_user')
      .set({
        kdf_salt: salt,
        kdf_params: JSON.stringify(kdf),
        password_verifier: nextKeys.verifier,
        wrapped_private_key: wrapPrivateKey(nextKeys.wrapKey, actor.keys.privateKey, actor.email),
        password_changed_at: new Date(),
      })
      .where('id', '=', actor.id)
      .execute();
    await trx
      .deleteFrom('staff_session')
      .where('user_id', '=', actor.id)
      .$if(keep !== null, (q) => q.where('token_hash', '<>', hashId(keep!.id)))
      .execute();
    await recordAudit(trx, { actorUserId: actor.id, action: 'password_changed' });
  });
}
