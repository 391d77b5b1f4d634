// A staff member's password gives, through one Argon2id derivation, a verifier (stored hashed) and
// the key that wraps their X25519 private key. The database alone opens neither.
import { createHash, randomBytes } from 'node:crypto';
import type { KdfParams } from '../crypto/kdf.ts';
import { aeadKey, open, seal } from '../crypto/aead.ts';
import { argon2id, subkey } from '../crypto/kdf.ts';

export type PasswordKeys = { verifier: Buffer; wrapKey: Buffer };

export async function derivePasswordKeys(password: string, salt: Buffer, params: KdfParams): Promise<PasswordKeys> {
  const master = await argon2id(password, salt, params);
  return {
    verifier: createHash('sha256').update(subkey(master, 'password-verifier')).digest(),
    wrapKey: subkey(master, 'password-wrap'),
  };
}

export function newSalt(): Buffer {
  return randomBytes(16);
}

export function wrapPrivateKey(wrapKey: Buffer, privateKey: Buffer, userEmail: string): Buffer {
  return seal(aeadKey(wrapKey), privateKey, `staff-private-key/${userEmail}`);
}

export function unwrapPrivateKey(wrapKey: Buffer, wrapped: Buffer, userEmail: string): Buffer {
  return open(aeadKey(wrapKey), wrapped, `staff-private-key/${userEmail}`);
}
