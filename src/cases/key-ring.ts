// A staff member's key ring: each case key sealed to them (case_key.sealed_key, a sealed box:
// one X25519 operation to open, ~38 µs) wrapped once more under a key only they can derive, HKDF
// of their own X25519 private key, in case_key.ring_key (ChaCha20-Poly1305: ~2 µs to open). A
// search over thousands of cases opens the ring instead of the boxes. The ring is written the
// first time a search opens a box (it is ciphertext: nothing readable is stored), and it adds no
// way in: whoever can derive the ring key holds the private key that opens the boxes anyway. A
// stolen database reveals no more than before.
//
// Its associated data names the case, the holder, the purpose and a hash of the sealed box it
// copies: a ring moved to another row, or left behind when the box is re-sealed, does not open, and
// the box is opened instead (and the ring written again).
import { hash } from 'node:crypto';
import { openRaw, sealRaw } from '../crypto/aead.ts';
import { subkey } from '../crypto/subkey.ts';
import type { KeyPurpose } from '../db/schema.ts';

/** The key of a staff member's ring, from their private key. The caller wipes it after use. */
export function ringKeyOf(privateKey: Uint8Array): Buffer {
  return subkey(Buffer.from(privateKey.buffer, privateKey.byteOffset, privateKey.byteLength), 'case-key-ring');
}

function ringAad(caseId: string, userId: number, purpose: KeyPurpose, sealedKey: Uint8Array): string {
  const box = hash('sha256', sealedKey, 'base64');
  return `case-key-ring/${caseId}/${userId}/${purpose}/${box}`;
}

/** Where a ring entry belongs: the case_key row (case, holder, purpose) and the box it copies. */
export type RingSlot = { caseId: string; userId: number; purpose: KeyPurpose; sealedKey: Uint8Array };

export function wrapForRing(ringKey: Uint8Array, slot: RingSlot, caseKey: Uint8Array): Buffer {
  return sealRaw(ringKey, caseKey, ringAad(slot.caseId, slot.userId, slot.purpose, slot.sealedKey));
}

/** The case key from a ring entry, or null when the entry does not open for this slot. */
export function openFromRing(ringKey: Uint8Array, slot: RingSlot, ring: Uint8Array): Buffer | null {
  try {
    const key = openRaw(ringKey, ring, ringAad(slot.caseId, slot.userId, slot.purpose, slot.sealedKey));
    return key.length === 32 ? key : null;
  } catch {
    return null;
  }
}
