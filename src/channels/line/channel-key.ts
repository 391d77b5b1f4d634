// The LINE channel's own key (secrets.json, never the database). Whatever arrives from LINE is
// plaintext on the server for a moment; it is sealed with this key before it is stored, and LINE
// user ids are stored only as an HMAC. A stolen database alone reveals neither what was said nor who.
import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import { aeadKey, openJson, sealJson } from '../../crypto/aead.ts';
import { subkey } from '../../crypto/kdf.ts';

export type ChannelKeys = {
  seal: KeyObject;
  userHash: (userId: string) => Buffer;
  /**
   * The HMAC of a LINE user id in a staff link: a key apart from `userHash`, so that the staff link
   * and the reporters' rows (cases, events, conversations) hold unrelated values for the same user.
   */
  staffHash: (userId: string) => Buffer;
  /** The HMAC of a one-time link code (the code itself is never stored). */
  codeHash: (code: string) => Buffer;
};

const hmacOf = (key: KeyObject) => (value: string) => createHmac('sha256', key).update(value, 'utf8').digest();

/** Derives the sealing key and the user-id HMAC key from the platform's channel key. */
export function channelKeys(channelKey: Buffer): ChannelKeys {
  const seal = aeadKey(subkey(channelKey, 'line-seal'));
  // A key object: HMAC with a raw Buffer key costs ~15 µs a call, with a key object ~2 µs.
  const mac = createSecretKey(subkey(channelKey, 'line-user'));
  return {
    seal,
    userHash: hmacOf(mac),
    staffHash: hmacOf(createSecretKey(subkey(channelKey, 'line-staff'))),
    codeHash: hmacOf(createSecretKey(subkey(channelKey, 'line-link-code'))),
  };
}

/** Seals a value for storage; `aad` MUST name the row it is stored in. */
export function sealForChannel(keys: ChannelKeys, aad: string, value: unknown): Buffer {
  return sealJson(keys.seal, value, aad);
}

export function openForChannel<T>(keys: ChannelKeys, aad: string, sealed: Buffer): T {
  return openJson<T>(keys.seal, sealed, aad);
}
