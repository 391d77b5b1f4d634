// HKDF subkeys, on node:crypto alone. Kept apart from kdf.ts (Argon2) so that code run in worker
// threads (cases/search-worker.ts through cases/key-ring.ts) never loads Argon2's native addon: an
// addon built on node-addon-api loaded in a worker can abort the whole process ("terminate called
// after throwing an instance of 'Napi::Error'") when the process exits with the worker still idle.
import { hkdfSync } from 'node:crypto';

/** HKDF-Expand of an Argon2id output into a 32-byte key for one named purpose. */
export function subkey(master: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), `sujarit/v1/${purpose}`, 32));
}
