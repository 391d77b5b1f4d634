import { AppError } from '../errors.ts';
import type { KdfParams } from '../config/load.ts';
import type { Db } from '../db/connection.ts';
import { generateKeyPair } from '../crypto/sealed-box.ts';
import { TEXT_LIMITS } from '../intake/limits.ts';
import { derivePasswordKeys, newSalt, wrapPrivateKey } from './password-keys.ts';

export const STAFF_ROLES = ['recipient'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];
export const MIN_PASSWORD_LENGTH = 12;

/**
 * Adds a staff user with a fresh X25519 key pair; the private key is stored only wrapped by a key
 * derived from the password. Reports filed before the user existed are not sealed to them.
 */
export async function addStaffUser({ db, kdf, agencyCode, email, role, password }: {
  db: Db;
  kdf: KdfParams;
  agencyCode: string;
  email: string;
  role: string;
  password: string;
}): Promise<{ id: number }> {
  const normalized = email.trim().toLowerCase();
  if (!/^[^\s@]+@[^\s@]+$/.test(normalized) || normalized.length > TEXT_LIMITS.email) {
    throw new AppError('invalid_input', 'not an email address', 'error.form', { email: 'error.field.invalid' });
  }
  if (!(STAFF_ROLES as readonly string[]).includes(role)) {
    throw new AppError('invalid_input', `role must be one of: ${STAFF_ROLES.join(', ')}`, 'error.form', { role: 'error.field.invalid' });
  }
  if (password.length < MIN_PASSWORD_LENGTH || password.length > TEXT_LIMITS.password) {
    throw new AppError('invalid_input', `password must be ${MIN_PASSWORD_LENGTH} to ${TEXT_LIMITS.password} characters`, 'error.form', { password: 'error.field.invalid' });
  }
  const agency = await db.selectFrom('agency').select('id').where('code', '=', agencyCode.trim().toUpperCase()).executeTakeFirst();
  if (!agency) throw new AppError('not_found', `no agency ${agencyCode}`, 'error.not_found');
  const salt = newSalt();
  const keys = await derivePasswordKeys(password, salt, kdf);
  const pair = generateKeyPair();
  try {
    return await db
      .insertInto('staff_user')
      .values({
        agency_id: agency.id,
        email: normalized,
        role: role as StaffRole,
        kdf_salt: salt,
        kdf_params: JSON.stringify(kdf),
        password_verifier: keys.verifier,
        public_key: pair.publicKey,
        wrapped_private_key: wrapPrivateKey(keys.wrapKey, pair.privateKey, normalized),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
  } catch (e) {
    if ((e as { code?: string }).code === '23505') throw new AppError('conflict', `user ${normalized} exists`, 'error.conflict');
    throw e;
  } finally {
    pair.privateKey.fill(0);
  }
}
