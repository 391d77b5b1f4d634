// The LINE channel's own key (secrets.json, never the database). Whatever arrives from LINE is
// plaintext on the server for a moment; it is sealed with this key before it is stored, and LINE
// user ids are stored only as an HMAC. A stolen database alone reveals neither what was said nor who.
import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import { aeadKey, openJson, sealJson } from '../../crypto/aead.ts';
import { subkey } from '../../crypto/kdf.ts';

export type ChannelKeys = { seal: KeyObject; userHash: (userId: string) => Buffer };

/** Derives the sealing key and the user-id HMAC key from the platform's channel key. */
export function channelKeys(channelKey: Buffer): ChannelKeys {
  const seal = aeadKey(subkey(channelKey, 'line-seal'));
  // A key object: HMAC with a raw Buffer key costs ~15 µs a call, with a key object ~2 µs.
  const mac = createSecretKey(subkey(channelKey, 'line-user'));
  return { seal, userHash: (userId) => createHmac('sha256', mac).update(userId, 'utf8').digest() };
}

/** Seals a value for storage; `aad` MUST name the row it is stored in. */
export function sealForChannel(keys: ChannelKeys, aad: string, value: unknown): Buffer {
  return sealJson(keys.seal, value, aad);
}

export function openForChannel<T>(keys: ChannelKeys, aad: string, sealed: Buffer): T {
  return openJson<T>(keys.seal, sealed, aad);
}
