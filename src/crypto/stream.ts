// Attachment payloads: the STREAM construction of age (Hoang, Reyhanitabar, Rogaway, Vizár 2015):
// ChaCha20-Poly1305 over 64 KiB chunks, nonce = 11-byte big-endian chunk counter ‖ last-chunk flag,
// under a payload key = HKDF-SHA256(case key, 16-byte random salt, attachment id). Reordering,
// truncating or extending the chunks fails authentication.
import { createCipheriv, createDecipheriv, createSecretKey, hkdfSync, randomBytes, type KeyObject } from 'node:crypto';

export const CHUNK = 64 * 1024;
const TAG = 16;
export const SALT_BYTES = 16;

export function payloadKey(caseKey: Buffer, salt: Buffer, attachmentId: string): KeyObject {
  return createSecretKey(Buffer.from(hkdfSync('sha256', caseKey, salt, `sujarit/v1/attachment/${attachmentId}`, 32)));
}

function nonce(counter: number, isLast: boolean): Buffer {
  const n = Buffer.alloc(12);
  n.writeUIntBE(counter, 5, 6); // counters fit in 48 bits: 2^48 chunks of 64 KiB is far past any limit
  n[11] = isLast ? 1 : 0;
  return n;
}

export function newSalt(): Buffer {
  return randomBytes(SALT_BYTES);
}

/** Encrypts chunk number `counter` (all but the last MUST be exactly CHUNK bytes). */
export function encryptChunk(key: KeyObject, counter: number, plaintext: Buffer, isLast: boolean): Buffer {
  if (!isLast && plaintext.length !== CHUNK) throw new Error('only the last chunk may be short');
  const c = createCipheriv('chacha20-poly1305', key, nonce(counter, isLast), { authTagLength: TAG });
  return Buffer.concat([c.update(plaintext), c.final(), c.getAuthTag()]);
}

/** Decrypts chunk number `counter`; throws on alteration, reordering or a missing last chunk. */
export function decryptChunk(key: KeyObject, counter: number, sealed: Buffer, isLast: boolean): Buffer {
  const d = createDecipheriv('chacha20-poly1305', key, nonce(counter, isLast), { authTagLength: TAG });
  d.setAuthTag(sealed.subarray(sealed.length - TAG));
  return Buffer.concat([d.update(sealed.subarray(0, sealed.length - TAG)), d.final()]);
}
