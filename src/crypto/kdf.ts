// Argon2id (RFC 9106) for receipts and passwords; one derivation is split by HKDF-SHA256 (RFC 5869)
// into independent keys, so one slow step gives both the lookup/verifier and the encryption key.
import argon2 from 'argon2';

/** Argon2id's cost: memory in KiB, passes, lanes (config/load.ts reads them from the environment). */
export type KdfParams = { memoryKiB: number; iterations: number; parallelism: number };

/** Derives 32 bytes from a secret with Argon2id; runs off the main thread. Set every parameter. */
export async function argon2id(secret: string, salt: Buffer, params: KdfParams): Promise<Buffer> {
  return argon2.hash(secret, {
    type: argon2.argon2id,
    raw: true,
    salt,
    hashLength: 32,
    memoryCost: params.memoryKiB,
    timeCost: params.iterations,
    parallelism: params.parallelism,
  });
}

// subkey lives in its own module, without Argon2, so that a worker thread deriving keys (the case
// search's) does not load Argon2's native addon (see subkey.ts).
export { subkey } from './subkey.ts';
