import type { FastifyReply } from 'fastify';
import { Readable } from 'node:stream';
import type { Db } from '../db/connection.ts';
import { AppError } from '../errors.ts';
import { findAttachment, readBlob } from '../intake/attachments.ts';

/**
 * Sends a decrypted attachment as a download: always `application/octet-stream` with
 * `Content-Disposition: attachment`, so an uploaded HTML or SVG file can never run in our origin.
 * `onFound` runs once the attachment is known to exist, before any byte is sent (the staff side
 * audits there).
 */
export async function sendDownload(reply: FastifyReply, { db, caseId, caseKey, attachmentId, onFound }: { db: Db; caseId: string; caseKey: Buffer; attachmentId: string; onFound?: () => Promise<void> }): Promise<FastifyReply> {
  const found = await findAttachment({ db, caseKey, caseId, attachmentId });
  if (!found) throw new AppError('not_found', 'no such attachment', 'error.not_found');
  await onFound?.();
  const { meta } = found;
  const ascii = meta.name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return reply
    .type('application/octet-stream')
    .header('content-disposition', `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(meta.name)}`)
    .header('content-length', String(meta.size))
    .send(Readable.from(readBlob({ db, caseKey, attachmentId, ...found })));
}
