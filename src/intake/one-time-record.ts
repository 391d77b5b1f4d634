// A one-time record that only its maker's browser can open: the content is sealed under a fresh
// random key, the row is found by a hash of a fresh random id, and the id and the key go to the
// browser only, in a cookie (64 base64url characters). A stolen database holds the rows but not
// their keys. The receipt page (receipt-reveal.ts) and a refused form given back after a redirect
// (form-return.ts) keep their records this way, each under its own name.
import { createHash, randomBytes } from 'node:crypto';
import { aeadKey, openJson, sealJson } from '../crypto/aead.ts';

/** A record to write: `row` into its table, `cookie` to the browser. */
export type PreparedRecord = { cookie: string; row: { id_hash: Buffer; sealed: Buffer } };

/** A cookie read: the row's id hash and the key that opens it. */
export type RecordKey = { hash: Buffer; key: Buffer };

export type OneTimeRecords<T> = {
  prepare(content: T): PreparedRecord;
  /** The cookie's id hash and key, or null when it is not one of ours (absent, malformed). */
  parse(cookie: string | undefined): RecordKey | null;
  /** The content, or null when the key does not open the row (altered, another record's). */
  open(key: RecordKey, sealed: Buffer): T | null;
};

/** The records named `name`: each name has its own id hashes and its own associated data. */
export function oneTimeRecords<T>(name: string): OneTimeRecords<T> {
  const idHash = (id: Buffer) => createHash('sha256').update(`sujarit/v1/${name}\n`).update(id).digest();
  const aad = (hash: Buffer) => `${name}/${hash.toString('hex')}`;
  return {
    prepare(content) {
      const id = randomBytes(16);
      const key = randomBytes(32);
      const hash = idHash(id);
      return {
        cookie: Buffer.concat([id, key]).toString('base64url'),
        row: { id_hash: hash, sealed: sealJson(aeadKey(key), content, aad(hash)) },
      };
    },
    parse(cookie) {
      if (!cookie || !/^[A-Za-z0-9_-]{64}$/.test(cookie)) return null;
      const raw = Buffer.from(cookie, 'base64url');
      return raw.length === 48 ? { hash: idHash(raw.subarray(0, 16)), key: raw.subarray(16) } : null;
    },
    open({ hash, key }, sealed) {
      try {
        return openJson<T>(aeadKey(key), sealed, aad(hash));
      } catch {
        return null;
      }
    },
  };
}
