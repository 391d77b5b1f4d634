// Attachments: streamed in, cleaned of identifying image metadata, encrypted chunk by chunk under
// the case key (crypto/stream.ts) and written to PostgreSQL as they arrive. No plaintext touches
// the disk: an image is held in memory (bounded by the file limit) only while it is cleaned.
import { createHash, randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { sql } from 'kysely';
import exifReader from 'exif-reader';
import sharp from 'sharp';
import type { Db } from '../db/connection.ts';
import { aeadKey, openJson, sealJson } from '../crypto/aead.ts';
import { CHUNK, decryptChunk, encryptChunk, newSalt, payloadKey } from '../crypto/stream.ts';
import { AppError } from '../errors.ts';

/** What was removed from a file, as i18n keys (`removed.gps` …), or `not_cleanable` for non-images. */
export type StoredFile = {
  attachmentId: string;
  blobId: string;
  name: string;
  type: string;
  size: number;
  removed: string[];
  isCleaned: boolean;
  /** SHA-256 (hex) of the stored content, after cleaning: what the ledger commits to. */
  sha256: string;
};

export type AttachmentMeta = {
  name: string;
  type: string;
  size: number;
  removed: string[];
  isCleaned: boolean;
  salt: string;
  sha256: string;
};

const CHUNKS_PER_WRITE = 16; // 1 MiB per short transaction

const IMAGE_TYPES: Record<string, string> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
  tiff: 'image/tiff',
};

function sniffImage(head: Buffer): string | null {
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'jpeg';
  if (head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'png';
  if (head.subarray(0, 4).toString('latin1') === 'RIFF' && head.subarray(8, 12).toString('latin1') === 'WEBP')
    return 'webp';
  if (head.subarray(0, 4).toString('latin1') === 'GIF8') return 'gif';
  if (['II*\0', 'MM\0*'].includes(head.subarray(0, 4).toString('latin1'))) return 'tiff';
  return null;
}

// Characters that change how a name reads without being seen: controls, format characters (Cf:
// bidirectional overrides such as U+202E, which shows `invoice\u202Efdp.exe` as `invoiceexe.pdf`,
// zero-width characters), line and paragraph separators, lone surrogates, private-use and
// unassigned code points, and the other default-ignorable ones (fillers). Thai vowels and tone
// marks are Mn, not among them, and stay.
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}]/gu;

/**
 * A file name as a label only: no folders, nothing invisible, one plain space for any run of
 * spaces, at most 200 characters. Applied when a name is taken from an upload and again whenever a
 * stored name is read (openAttachmentMeta, download headers), for names stored before this rule.
 */
export function cleanFileName(name: string | undefined): string {
  const base = (name ?? '').split(/[\\/]/).pop() ?? '';
  const clean = base.normalize('NFC').replace(INVISIBLE, '').replace(/\s+/gu, ' ').trim();
  return [...clean].slice(0, 200).join('') || 'file';
}

/** Names the kinds of identifying metadata an image carries. */
async function describeMetadata(image: Buffer): Promise<string[]> {
  const meta = await sharp(image).metadata();
  const found = new Set<string>();
  if (meta.exif) {
    found.add('removed.exif');
    try {
      const tags = exifReader(meta.exif);
      if (tags.GPSInfo && Object.keys(tags.GPSInfo).length > 0) found.add('removed.gps');
      if (tags.Image?.Make || tags.Image?.Model || tags.Photo?.BodySerialNumber || tags.Photo?.LensModel)
        found.add('removed.camera');
      if (tags.Image?.DateTime || tags.Photo?.DateTimeOriginal || tags.Photo?.DateTimeDigitized)
        found.add('removed.datetime');
      if (tags.Image?.Artist || tags.Image?.Copyright || tags.Photo?.CameraOwnerName) found.add('removed.owner');
      if (tags.Image?.Software || tags.Image?.HostComputer) found.add('removed.software');
    } catch {
      // unreadable EXIF is still EXIF, and still removed
    }
  }
  if (meta.xmp) found.add('removed.xmp');
  if (meta.iptc) found.add('removed.iptc');
  if (meta.comments && meta.comments.length > 0) found.add('removed.comments');
  if (meta.icc) found.add('removed.icc');
  return [...found];
}

/** Re-encodes an image in its own format with every metadata block dropped (sharp's default). */
async function cleanImage(image: Buffer, format: string): Promise<Buffer> {
  // rotate() applies the EXIF orientation first, so the cleaned picture still stands upright
  const pipeline = sharp(image, { failOn: 'error', limitInputPixels: 100_000_000 }).rotate();
  switch (format) {
    case 'jpeg':
      return pipeline.jpeg({ quality: 92, mozjpeg: true }).toBuffer();
    case 'png':
      return pipeline.png().toBuffer();
    case 'webp':
      return pipeline.webp({ quality: 92 }).toBuffer();
    case 'gif':
      return sharp(image, { animated: true }).gif().toBuffer();
    default:
      return pipeline.tiff().toBuffer();
  }
}

type Writer = { push: (plain: Buffer) => Promise<void>; finish: () => Promise<number> };

function blobWriter(db: Db, blobId: string, key: ReturnType<typeof payloadKey>): Writer {
  let pending: Buffer = Buffer.alloc(0);
  let counter = 0;
  let batch: { blob_id: string; seq: number; data: Buffer }[] = [];
  let isCreated = false;
  const flush = async () => {
    if (batch.length === 0) return;
    const rows = batch;
    batch = [];
    // Chunks commit without waiting for fsync: the case's own commit (synchronous) flushes the WAL
    // past them, and a crash before it leaves only an orphan blob, which nothing points to and the
    // sweeper deletes. A receipt is never shown before that commit.
    await db.transaction().execute(async (trx) => {
      await sql`set local synchronous_commit = off`.execute(trx);
      if (!isCreated) await trx.insertInto('blob').values({ id: blobId }).execute();
      isCreated = true;
      await trx.insertInto('blob_chunk').values(rows).execute();
    });
  };
  return {
    async push(plain) {
      pending = pending.length === 0 ? plain : Buffer.concat([pending, plain]);
      while (pending.length > CHUNK) {
        batch.push({
          blob_id: blobId,
          seq: counter,
          data: encryptChunk(key, counter, pending.subarray(0, CHUNK), false),
        });
        counter++;
        pending = pending.subarray(CHUNK);
        if (batch.length >= CHUNKS_PER_WRITE) await flush();
      }
    },
    async finish() {
      batch.push({ blob_id: blobId, seq: counter, data: encryptChunk(key, counter, pending, true) });
      await flush();
      return counter + 1;
    },
  };
}

/**
 * Streams one uploaded file into an encrypted blob. Throws AppError('too_large') past `maxBytes`
 * (the abandoned chunks become an orphan blob). The returned meta is sealed by the caller's insert.
 */
export async function storeUpload({
  db,
  caseKey,
  stream,
  fileName,
  maxBytes,
}: {
  db: Db;
  caseKey: Buffer;
  stream: Readable & { truncated?: boolean };
  fileName: string | undefined;
  maxBytes: number;
}): Promise<{ file: StoredFile; meta: AttachmentMeta }> {
  const attachmentId = randomUUID();
  const blobId = randomUUID();
  const salt = newSalt();
  const writer = blobWriter(db, blobId, payloadKey(caseKey, salt, attachmentId));
  const name = cleanFileName(fileName);
  const digest = createHash('sha256');
  let size = 0;
  let format: string | null | undefined;
  const held: Buffer[] = [];
  const tooLarge = () =>
    new AppError('too_large', `file larger than ${maxBytes} bytes`, 'error.file_too_large', {
      files: 'error.file_too_large',
    });
  // Past the limit the rest of the file is read and dropped, so that the request can still be
  // answered with the form and everything the reporter typed.
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) {
      held.length = 0;
      continue;
    }
    if (format === undefined) format = sniffImage(chunk);
    if (format) held.push(chunk);
    else {
      digest.update(chunk);
      await writer.push(chunk);
    }
  }
  if (size > maxBytes || stream.truncated) throw tooLarge();
  let removed: string[] = [];
  let type = 'application/octet-stream';
  let isCleaned = false;
  if (format) {
    const original = Buffer.concat(held);
    held.length = 0;
    try {
      removed = await describeMetadata(original);
      const cleaned = await cleanImage(original, format);
      original.fill(0);
      digest.update(cleaned);
      await writer.push(cleaned);
      size = cleaned.length;
      type = IMAGE_TYPES[format];
      isCleaned = true;
    } catch {
      throw new AppError('invalid_input', 'image could not be read', 'error.bad_image', { files: 'error.bad_image' });
    }
  }
  await writer.finish();
  const sha256 = digest.digest('hex');
  const meta: AttachmentMeta = { name, type, size, removed, isCleaned, salt: salt.toString('base64'), sha256 };
  return { file: { attachmentId, blobId, name, type, size, removed, isCleaned, sha256 }, meta };
}

export function sealAttachmentMeta(
  caseKey: Buffer,
  caseId: string,
  attachmentId: string,
  meta: AttachmentMeta,
): Buffer {
  return sealJson(aeadKey(caseKey), meta, `attachment-meta/${caseId}/${attachmentId}`);
}

/** The meta of an attachment, its name cleaned again (it is shown to staff and sent as the download's name). */
export function openAttachmentMeta(
  caseKey: Buffer,
  caseId: string,
  attachmentId: string,
  sealed: Buffer,
): AttachmentMeta {
  const meta = openJson<AttachmentMeta>(aeadKey(caseKey), sealed, `attachment-meta/${caseId}/${attachmentId}`);
  return { ...meta, name: cleanFileName(meta.name) };
}

/** An attachment of the case that `caseKey` opens, with its opened meta, or null (also for a malformed id). */
export async function findAttachment({
  db,
  caseKey,
  caseId,
  attachmentId,
}: {
  db: Db;
  caseKey: Buffer;
  caseId: string;
  attachmentId: string;
}): Promise<{ blobId: string; meta: AttachmentMeta } | null> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(attachmentId)) return null;
  const row = await db
    .selectFrom('attachment')
    .select(['blob_id', 'meta'])
    .where('id', '=', attachmentId)
    .where('case_id', '=', caseId)
    .executeTakeFirst();
  if (!row) return null;
  try {
    return { blobId: row.blob_id, meta: openAttachmentMeta(caseKey, caseId, attachmentId, row.meta) };
  } catch {
    return null; // sealed under another key (a witness's file for the reporter, or the other way): not theirs
  }
}

/** Decrypts a found attachment's blob chunk by chunk; yields plaintext pieces in order. */
export async function* readBlob({
  db,
  caseKey,
  attachmentId,
  blobId,
  meta,
}: {
  db: Db;
  caseKey: Buffer;
  attachmentId: string;
  blobId: string;
  meta: AttachmentMeta;
}): AsyncGenerator<Buffer> {
  const key = payloadKey(caseKey, Buffer.from(meta.salt, 'base64'), attachmentId);
  const { count } = await db
    .selectFrom('blob_chunk')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('blob_id', '=', blobId)
    .executeTakeFirstOrThrow();
  for (let from = 0; from < Number(count); from += CHUNKS_PER_WRITE) {
    const rows = await db
      .selectFrom('blob_chunk')
      .select(['seq', 'data'])
      .where('blob_id', '=', blobId)
      .where('seq', '>=', from)
      .where('seq', '<', from + CHUNKS_PER_WRITE)
      .orderBy('seq')
      .execute();
    for (const r of rows) yield decryptChunk(key, r.seq, r.data, r.seq === Number(count) - 1);
  }
}

/** Finds and decrypts an attachment; throws not_found when the case has no such attachment. */
export async function* readAttachment(args: {
  db: Db;
  caseKey: Buffer;
  caseId: string;
  attachmentId: string;
}): AsyncGenerator<Buffer> {
  const found = await findAttachment(args);
  if (!found) throw new AppError('not_found', 'no such attachment', 'error.not_found');
  yield* readBlob({ ...args, ...found });
}

/** Deletes blobs that no attachment points to and that are older than an hour (abandoned uploads), unless held longer. */
export async function sweepOrphanBlobs({ db }: { db: Db }): Promise<number> {
  const res = await db
    .deleteFrom('blob')
    .where('created_at', '<', sql<Date>`now() - interval '1 hour'`)
    .where((eb) => eb.or([eb('held_until', 'is', null), eb('held_until', '<', sql<Date>`now()`)]))
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom('attachment').select('attachment.id').whereRef('attachment.blob_id', '=', 'blob.id'))),
    )
    .executeTakeFirst();
  return Number(res.numDeletedRows);
}
