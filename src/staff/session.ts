// Staff sessions. The token (cookie or bearer) holds a session id and a session key; the database
// holds only the id's hash and the private key sealed under the session key, so neither a database
// copy nor a stolen token alone (after logout or expiry) opens anything.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { KdfParams } from '../config/load.ts';
import type { Db } from '../db/connection.ts';
import { aeadKey, open, seal } from '../crypto/aead.ts';
import { publicKeyOf, type KeyPair } from '../crypto/sealed-box.ts';
import { AppError } from '../errors.ts';
import { derivePasswordKeys, newSalt, unwrapPrivateKey } from './password-keys.ts';
import type { StaffRole } from './add-user.ts';

export const STAFF_SESSION_HOURS = 8;

export type StaffActor = { id: number; agencyId: number; email: string; role: StaffRole; keys: KeyPair };

const DUMMY_SALT = newSalt();

function hashId(id: Buffer): Buffer {
  return createHash('sha256').update(id).digest();
}

/**
 * Checks email and password and opens a session. An unknown email costs the same derivation as a
 * wrong password and gets the same error. Returns the bearer token (also the cookie value).
 */
export async function staffLogin({ db, kdf, email, password }: { db: Db; kdf: KdfParams; email: string; password: string }): Promise<{ token: string; expiresAt: Date }> {
  const user = await db
    .selectFrom('staff_user')
    .selectAll()
    .where('email', '=', email.trim().toLowerCase())
    .where('is_active', '=', true)
    .executeTakeFirst();
  const keys = await derivePasswordKeys(password, user?.kdf_salt ?? DUMMY_SALT, user?.kdf_params ?? kdf);
  if (!user || !timingSafeEqual(keys.verifier, user.password_verifier)) {
    throw new AppError('unauthorized', 'wrong email or password', 'error.login_failed');
  }
  const privateKey = unwrapPrivateKey(keys.wrapKey, user.wrapped_private_key, user.email);
  const id = randomBytes(16);
  const sessionKey = randomBytes(32);
  const expiresAt = new Date(Date.now() + STAFF_SESSION_HOURS * 3600_000);
  await db
    .insertInto('staff_session')
    .values({ token_hash: hashId(id), user_id: user.id, sealed_private_key: seal(aeadKey(sessionKey), privateKey, `staff-session/${user.id}`), expires_at: expiresAt })
    .execute();
  privateKey.fill(0);
  return { token: Buffer.concat([id, sessionKey]).toString('base64url'), expiresAt };
}

function parseToken(token: string): { id: Buffer; key: Buffer } | null {
  if (!/^[A-Za-z0-9_-]{64}$/.test(token)) return null;
  const raw = Buffer.from(token, 'base64url');
  return raw.length === 48 ? { id: raw.subarray(0, 16), key: raw.subarray(16) } : null;
}

/** Resolves a token to the staff member with their opened key pair, or null when not valid. */
export async function resolveStaffSession({ db, token }: { db: Db; token: string | undefined }): Promise<StaffActor | null> {
  const parsed = token ? parseToken(token) : null;
  if (!parsed) return null;
  const row = await db
    .selectFrom('staff_session as s')
    .innerJoin('staff_user as u', 'u.id', 's.user_id')
    .select(['u.id', 'u.agency_id', 'u.email', 'u.role', 'u.public_key', 's.sealed_private_key'])
    .where('s.token_hash', '=', hashId(parsed.id))
    .where('s.expires_at', '>', new Date())
    .where('u.is_active', '=', true)
    .executeTakeFirst();
  if (!row) return null;
  let privateKey: Buffer;
  try {
    privateKey = open(aeadKey(parsed.key), row.sealed_private_key, `staff-session/${row.id}`);
  } catch {
    return null;
  }
  if (!timingSafeEqual(publicKeyOf(privateKey), row.public_key)) return null;
  return { id: row.id, agencyId: row.agency_id, email: row.email, role: row.role, keys: { publicKey: row.public_key, privateKey } };
}

/** Ends a session; the sealed private key is deleted with it. */
export async function staffLogout({ db, token }: { db: Db; token: string | undefined }): Promise<void> {
  const parsed = token ? parseToken(token) : null;
  if (parsed) await db.deleteFrom('staff_session').where('token_hash', '=', hashId(parsed.id)).execute();
}
