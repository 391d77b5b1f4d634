import { createHash, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../db/connection.ts';
import { aeadKey, sealJson } from '../crypto/aead.ts';
import { sealAttachmentMeta, type AttachmentMeta, type StoredFile } from './attachments.ts';
import { messageAad } from './case-keys.ts';
import { appendCaseEvent } from '../ledger/append.ts';
import { recordAudit, type AuditEntry } from '../audit/record-audit.ts';

export type MessageAuthor = { kind: 'reporter' } | { kind: 'staff'; userId: number; role: 'recipient' };

/**
 * Adds a sealed message (and its already-stored files) to a case in one transaction, with the
 * staff author's audit entry, when given, in the same commit.
 */
export async function addMessage({ db, caseId, caseKey, author, text, files, audit }: {
  db: Db;
  caseId: string;
  caseKey: Buffer;
  author: MessageAuthor;
  text: string;
  files: { file: StoredFile; meta: AttachmentMeta }[];
  audit?: AuditEntry;
}): Promise<{ messageId: string }> {
  const messageId = randomUUID();
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('case_message')
      .values({
        id: messageId,
        case_id: caseId,
        author_kind: author.kind,
        author_user_id: author.kind === 'staff' ? author.userId : null,
        author_role: author.kind === 'staff' ? author.role : null,
        body: sealJson(aeadKey(caseKey), { text }, messageAad(caseId, messageId)),
      })
      .execute();
    if (files.length > 0) {
      await trx
        .insertInto('attachment')
        .values(files.map(({ file, meta }) => ({ id: file.attachmentId, case_id: caseId, message_id: messageId, blob_id: file.blobId, uploaded_by: author.kind, meta: sealAttachmentMeta(caseKey, caseId, file.attachmentId, meta) })))
        .execute();
    }
    if (audit) await recordAudit(trx, audit);
    const detail = createHash('sha256').update(JSON.stringify({ message: messageId, text, attachments: files.map((f) => f.file.sha256) })).digest();
    await appendCaseEvent(trx, { caseId, caseKey, event: 'message', detail });
    await trx.updateTable('report_case').set({ updated_at: sql<Date>`date_trunc('minute', now())` }).where('id', '=', caseId).execute();
  });
  return { messageId };
}
