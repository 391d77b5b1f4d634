import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import sharp from 'sharp';
import { createTestDatabase, type TestDatabase } from '../../test/support/db.ts';
import { jpegWithGps } from '../../test/support/images.ts';
import { CHUNK } from '../crypto/stream.ts';
import { cleanFileName, readAttachment, sealAttachmentMeta, storeUpload, sweepOrphanBlobs } from './attachments.ts';

async function collect(it: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const p of it) parts.push(p);
  return Buffer.concat(parts);
}

describe('attachments', () => {
  let t: TestDatabase;
  const caseKey = randomBytes(32);
  const caseId = randomUUID();
  before(async () => {
    t = await createTestDatabase();
    await t.db.insertInto('agency').values({ code: 'OPDC', name_th: 'ก', name_en: 'A' }).execute();
    const agency = await t.db.selectFrom('agency').select('id').executeTakeFirstOrThrow();
    await t.db
      .insertInto('report_case')
      .values({
        id: caseId,
        reference: 'OPDC-TEST',
        agency_id: agency.id,
        category: 'other',
        channel: 'web',
        has_identity: false,
        content: Buffer.alloc(1),
      })
      .execute();
  });
  after(() => t.drop());

  const attach = async (stored: Awaited<ReturnType<typeof storeUpload>>) => {
    await t.db
      .insertInto('attachment')
      .values({
        id: stored.file.attachmentId,
        case_id: caseId,
        blob_id: stored.file.blobId,
        uploaded_by: 'reporter',
        meta: sealAttachmentMeta(caseKey, caseId, stored.file.attachmentId, stored.meta),
      })
      .execute();
  };

  it('stores a large file encrypted in chunks and reads it back exactly', async () => {
    const data = randomBytes(3 * CHUNK * 16 + 123); // several 1 MiB writes
    const stored = await storeUpload({
      db: t.db,
      caseKey,
      stream: Readable.from([data.subarray(0, 1000), data.subarray(1000)]),
      fileName: '../../etc/รายงาน.pdf',
      maxBytes: 10 * 1024 * 1024,
    });
    assert.equal(stored.file.name, 'รายงาน.pdf');
    assert.equal(stored.file.isCleaned, false);
    await attach(stored);
    const chunks = await t.db
      .selectFrom('blob_chunk')
      .select('data')
      .where('blob_id', '=', stored.file.blobId)
      .execute();
    assert.equal(chunks.length, 49);
    assert.ok(!Buffer.concat(chunks.map((c) => c.data)).includes(data.subarray(5000, 5032)));
    assert.deepEqual(
      await collect(readAttachment({ db: t.db, caseKey, caseId, attachmentId: stored.file.attachmentId })),
      data,
    );
  });

  it('removes GPS, camera and owner data from a photo and says so', async () => {
    const stored = await storeUpload({
      db: t.db,
      caseKey,
      stream: Readable.from([await jpegWithGps('SECRETCAM')]),
      fileName: 'IMG_0001.jpg',
      maxBytes: 1024 * 1024,
    });
    assert.equal(stored.file.isCleaned, true);
    assert.equal(stored.file.type, 'image/jpeg');
    for (const k of [
      'removed.gps',
      'removed.camera',
      'removed.datetime',
      'removed.owner',
      'removed.software',
      'removed.exif',
    ])
      assert.ok(stored.file.removed.includes(k), k);
    await attach(stored);
    const cleaned = await collect(
      readAttachment({ db: t.db, caseKey, caseId, attachmentId: stored.file.attachmentId }),
    );
    const meta = await sharp(cleaned).metadata();
    assert.equal(meta.format, 'jpeg');
    assert.equal(meta.width, 64);
    assert.equal(meta.exif, undefined);
    assert.ok(!cleaned.includes(Buffer.from('SECRETCAM')));
    assert.ok(!cleaned.includes(Buffer.from('SujaritTestCam')));
  });

  it('refuses a file over the limit after reading it to the end', async () => {
    const stream = Readable.from([randomBytes(600), randomBytes(600)]);
    await assert.rejects(storeUpload({ db: t.db, caseKey, stream, fileName: 'big.bin', maxBytes: 1000 }), {
      code: 'too_large',
    });
    assert.equal(stream.readableEnded, true);
  });

  it('refuses a picture that cannot be decoded', async () => {
    const bad = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(500)]);
    await assert.rejects(
      storeUpload({ db: t.db, caseKey, stream: Readable.from([bad]), fileName: 'x.jpg', maxBytes: 10_000 }),
      { code: 'invalid_input', userMessage: 'error.bad_image' },
    );
  });

  it('detects a chunk removed from the end', async () => {
    const stored = await storeUpload({
      db: t.db,
      caseKey,
      stream: Readable.from([randomBytes(2 * CHUNK + 10)]),
      fileName: 'x.bin',
      maxBytes: 1024 * 1024,
    });
    await attach(stored);
    await t.db.deleteFrom('blob_chunk').where('blob_id', '=', stored.file.blobId).where('seq', '=', 2).execute();
    await assert.rejects(
      collect(readAttachment({ db: t.db, caseKey, caseId, attachmentId: stored.file.attachmentId })),
    );
  });

  it('sweeps blobs no attachment points to, after an hour, and keeps the rest', async () => {
    const orphan = await storeUpload({
      db: t.db,
      caseKey,
      stream: Readable.from([Buffer.from('abandoned')]),
      fileName: 'o.txt',
      maxBytes: 100,
    });
    assert.equal(await sweepOrphanBlobs({ db: t.db }), 0, 'too young');
    await t.db.updateTable('blob').set({ created_at: sql<Date>`now() - interval '2 hours'` }).execute();
    assert.ok((await sweepOrphanBlobs({ db: t.db })) >= 1);
    assert.equal(
      await t.db.selectFrom('blob').select('id').where('id', '=', orphan.file.blobId).executeTakeFirst(),
      undefined,
    );
    const kept = await t.db
      .selectFrom('attachment')
      .innerJoin('blob', 'blob.id', 'attachment.blob_id')
      .select('blob.id')
      .execute();
    assert.ok(kept.length >= 3);
  });

  it('makes file names safe labels', () => {
    const cases: [string | undefined, string][] = [
      [undefined, 'file'],
      ['', 'file'],
      ['C:\\Users\\x\\a.doc', 'a.doc'],
      ['a\u0000b\u001f.txt', 'ab.txt'],
      ['x'.repeat(300), 'x'.repeat(200)],
    ];
    for (const [input, want] of cases) assert.equal(cleanFileName(input), want);
  });

  it('takes invisible characters out of file names and keeps Thai marks', () => {
    const cases: [string, string][] = [
      ['invoice\u202Efdp.exe', 'invoicefdp.exe'], // right-to-left override: shown as "invoiceexe.pdf"
      ['a\u2066b\u2069\u200E.pdf', 'ab.pdf'], // isolates, left-to-right mark
      ['ใบ\u200Bเสร็จ\uFEFF.pdf', 'ใบเสร็จ.pdf'], // zero-width space, byte-order mark
      ['a\u2028b\u3164c\uE000.txt', 'abc.txt'], // line separator, Hangul filler, private use
      ['report.pdf\u3000\u3000\u3000   .exe', 'report.pdf .exe'], // a run of spaces that pushes .exe out of view
      ['หลักฐานการโอนเงินให้ปลัด ครั้งที่ ๒.pdf', 'หลักฐานการโอนเงินให้ปลัด ครั้งที่ ๒.pdf'], // vowels and tone marks are Mn: kept
      ['😀'.repeat(201), '😀'.repeat(200)], // cut between characters, not inside one
    ];
    for (const [input, want] of cases) assert.equal(cleanFileName(input), want, JSON.stringify(input));
  });
});
