import type { FastifyReply } from 'fastify';
import { Readable } from 'node:stream';
import type { Db } from '../db/connection.ts';
import { AppError } from '../errors.ts';
import { cleanFileName, findAttachment, readBlob } from '../intake/attachments.ts';

/**
 * `Content-Disposition: attachment` for a stored name, cleaned again (nothing invisible, such as a
 * bidirectional override, reaches the save dialog): an ASCII fallback and the RFC 8187 UTF-8 form.
 */
export function contentDisposition(name: string): string {
  const clean = cleanFileName(name);
  const ascii = clean.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  const utf8 = encodeURIComponent(clean).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${utf8}`;
}

/**
 * Sends a decrypted attachment as a download: always `application/octet-stream` with
 * `Content-Disposition: attachment`, so an uploaded HTML or SVG file can never run in our origin.
 * `onFound` runs once the attachment is known to exist, before any byte is sent (the staff side
 * audits there).
 */
export async function sendDownload(
  reply: FastifyReply,
  {
    db,
    caseId,
    caseKey,
    attachmentId,
    onFound,
  }: { db: Db; caseId: string; caseKey: Buffer; attachmentId: string; onFound?: () => Promise<void> },
): Promise<FastifyReply> {
  const found = await findAttachment({ db, caseKey, caseId, attachmentId });
  if (!found) throw new AppError('not_found', 'no such attachment', 'error.not_found');
  await onFound?.();
  const { meta } = found;
  return reply
    .type('application/octet-stream')
    .header('content-disposition', contentDisposition(meta.name))
    .header('content-length', String(meta.size))
    .send(Readable.from(readBlob({ db, caseKey, attachmentId, ...found })));
}
