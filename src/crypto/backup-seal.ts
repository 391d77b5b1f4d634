// Backups encrypted to an offline recovery key. The archive is
//   MAGIC ‖ sealed box of a random 32-byte file key to the recovery X25519 public key (80 bytes)
//   ‖ the payload in the STREAM construction of stream.ts (64 KiB chunks, each authenticated, the
//     last one flagged), keyed by HKDF-SHA256(file key, MAGIC ‖ sealed key, "sujarit/v1/backup").
// The server holds only the public key: it can write a backup and never read one back. Reordering,
// truncating, extending or altering any byte fails to decrypt; the header is bound into the key.
import { createSecretKey, hkdfSync, randomBytes, type KeyObject } from 'node:crypto';
import sodium from 'sodium-native';
import { AppError } from '../errors.ts';
import { keyPairFromSeed, openSealed, sealTo, type KeyPair } from './sealed-box.ts';
import { CHUNK, decryptChunk, encryptChunk } from './stream.ts';

export const BACKUP_MAGIC = Buffer.from('sujarit-backup-v1\n', 'latin1');
const SEALED_KEY_BYTES = 32 + sodium.crypto_box_SEALBYTES;
const HEADER_BYTES = BACKUP_MAGIC.length + SEALED_KEY_BYTES;
const SEALED_CHUNK = CHUNK + 16;
const PUBLIC_PREFIX = 'sujarit-backup-pub-1:';
const SECRET_PREFIX = 'sujarit-backup-key-1:';

/** A damaged, truncated, forged archive or the wrong key: nothing from it may be used. */
export class BackupIntegrityError extends AppError {
  constructor(message: string) {
    super('invalid_input', message, 'error.internal');
  }
}

/** A new recovery key pair: `publicText` configures the server, `secretText` is the offline key file. */
export function newRecoveryKey(): { publicText: string; secretText: string } {
  const seed = randomBytes(32);
  const keys = keyPairFromSeed(seed);
  const publicText = `${PUBLIC_PREFIX}${keys.publicKey.toString('base64url')}`;
  const secretText = [
    '# Sujarit backup recovery key. Keep it OFF the server (offline, e.g. printed or on a USB key in a safe):',
    '# whoever holds it and a backup file can read everything the backup holds.',
    `# public key (SUJARIT_BACKUP_PUBLIC_KEY): ${publicText}`,
    `${SECRET_PREFIX}${seed.toString('base64url')}`,
    '',
  ].join('\n');
  return { publicText, secretText };
}

/** Parses a public key as SUJARIT_BACKUP_PUBLIC_KEY holds it; throws on anything else. */
export function parseRecoveryPublicKey(text: string): Buffer {
  const t = text.trim();
  const raw = t.startsWith(PUBLIC_PREFIX) ? Buffer.from(t.slice(PUBLIC_PREFIX.length), 'base64url') : null;
  if (raw?.length !== 32 || raw.toString('base64url') !== t.slice(PUBLIC_PREFIX.length))
    throw new Error(`a backup public key is ${PUBLIC_PREFIX} and 43 base64url characters`);
  return raw;
}

/** Parses a recovery key file (as newRecoveryKey writes it). */
export function parseRecoveryKeyFile(text: string): KeyPair {
  const line = text.split('\n').find((l) => l.startsWith(SECRET_PREFIX));
  const seed = line ? Buffer.from(line.slice(SECRET_PREFIX.length).trim(), 'base64url') : null;
  if (seed?.length !== 32) throw new BackupIntegrityError('not a Sujarit backup recovery key file');
  return keyPairFromSeed(seed);
}

function payloadKey(fileKey: Buffer, header: Buffer): KeyObject {
  return createSecretKey(Buffer.from(hkdfSync('sha256', fileKey, header, 'sujarit/v1/backup', 32)));
}

/** Encrypts a stream of plaintext buffers of any sizes into the archive's bytes, 64 KiB at a time. */
export async function* encryptBackup(publicKey: Buffer, plain: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const fileKey = randomBytes(32);
  const header = Buffer.concat([BACKUP_MAGIC, sealTo(publicKey, fileKey)]);
  const key = payloadKey(fileKey, header);
  yield header;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let counter = 0;
  for await (const part of plain) {
    pending.push(part);
    pendingBytes += part.length;
    // A full chunk is only sealed once more bytes follow it: the last chunk must carry the flag.
    if (pendingBytes <= CHUNK) continue;
    const all = pending.length === 1 ? pending[0] : Buffer.concat(pending);
    let at = 0;
    for (; all.length - at > CHUNK; at += CHUNK)
      yield encryptChunk(key, counter++, all.subarray(at, at + CHUNK), false);
    pending = [all.subarray(at)];
    pendingBytes = pending[0].length;
  }
  yield encryptChunk(key, counter, Buffer.concat(pending), true);
}

/** Reads exactly `n` bytes from a stream of buffers, or fewer at its end (what a reader of a framed stream needs). */
export class ByteReader {
  private buffered: Buffer[] = [];
  private bytes = 0;
  private isDone = false;
  private readonly it: AsyncIterator<Buffer>;
  constructor(source: AsyncIterable<Buffer>) {
    this.it = source[Symbol.asyncIterator]();
  }
  async read(n: number): Promise<Buffer> {
    while (this.bytes < n && !this.isDone) {
      const next = await this.it.next();
      if (next.done) this.isDone = true;
      else {
        this.buffered.push(next.value);
        this.bytes += next.value.length;
      }
    }
    const all = Buffer.concat(this.buffered);
    const out = all.subarray(0, n);
    this.buffered = [all.subarray(out.length)];
    this.bytes = this.buffered[0].length;
    return out;
  }
}

/**
 * Decrypts an archive with the recovery key pair, yielding plaintext chunk by chunk. Throws
 * BackupIntegrityError on the wrong key or any damage; a truncated archive fails at its end, so a
 * caller that must use nothing of a forged archive reads it whole first (restore does).
 */
export async function* decryptBackup(keys: KeyPair, archive: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const reader = new ByteReader(archive);
  const header = await reader.read(HEADER_BYTES);
  if (header.length < HEADER_BYTES || !header.subarray(0, BACKUP_MAGIC.length).equals(BACKUP_MAGIC))
    throw new BackupIntegrityError('not a Sujarit backup (its first bytes are not sujarit-backup-v1)');
  let fileKey: Buffer;
  try {
    fileKey = openSealed(keys, header.subarray(BACKUP_MAGIC.length));
  } catch {
    throw new BackupIntegrityError('this backup was not made for this recovery key (or its header is damaged)');
  }
  const key = payloadKey(fileKey, header);
  let chunk = await reader.read(SEALED_CHUNK);
  for (let counter = 0; ; counter++) {
    const next = chunk.length === SEALED_CHUNK ? await reader.read(SEALED_CHUNK) : Buffer.alloc(0);
    const isLast = next.length === 0;
    let plain: Buffer;
    try {
      plain = decryptChunk(key, counter, chunk, isLast);
    } catch {
      throw new BackupIntegrityError(
        `the backup is damaged or truncated: its part ${counter + 1} does not authenticate; nothing of it can be trusted`,
      );
    }
    yield plain;
    if (isLast) return;
    chunk = next;
  }
}
