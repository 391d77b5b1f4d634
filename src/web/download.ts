import type { FastifyReply } from 'fastify';
import { Readable } from 'node:stream';
import type { Db } from '../db/connection.ts';
import { AppError } from '../errors.ts';
import { openAttachmentMeta, type readAttachment } from '../intake/attachments.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Sends a decrypted attachment as a download: always `application/octet-stream` with
 * `Content-Disposition: attachment`, so an uploaded HTML or SVG file can never run in our origin.
 */
export async function sendDownload(reply: FastifyReply, { db, caseId, caseKey, attachmentId, read }: { db: Db; caseId: string; caseKey: Buffer; attachmentId: string; read: typeof readAttachment }): Promise<FastifyReply> {
  if (!UUID.test(attachmentId)) throw new AppError('not_found', 'no such attachment', 'error.not_found');
  const row = await db.selectFrom('attachment').select('meta').where('id', '=', attachmentId).where('case_id', '=', caseId).executeTakeFirst();
  if (!row) throw new AppError('not_found', 'no such attachment', 'error.not_found');
  const meta = openAttachmentMeta(caseKey, caseId, attachmentId, row.meta);
  const ascii = meta.name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return reply
    .type('application/octet-stream')
    .header('content-disposition', `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(meta.name)}`)
    .header('content-length', String(meta.size))
    .send(Readable.from(read({ db, caseKey, caseId, attachmentId })));
}
