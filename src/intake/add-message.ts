import { createHash, randomUUID } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { Db } from '../db/connection.ts';
import type { MessageThread } from '../db/schema.ts';
import { aeadKey, sealJson } from '../crypto/aead.ts';
import { sealAttachmentMeta, type AttachmentMeta, type StoredFile } from './attachments.ts';
import { messageAad } from './case-keys.ts';
import { appendCaseEvent } from '../ledger/append.ts';
import { recordAudit, type AuditEntry } from '../audit/record-audit.ts';
import { AppError } from '../errors.ts';

export type MessageAuthor =
  | { kind: 'reporter' }
  | { kind: 'witness'; witnessId: string }
  | { kind: 'staff'; userId: number; role: string };

/**
 * Adds a sealed message (and its already-stored files) to a thread of a case in one transaction,
 * with the staff author's audit entry, when given, in the same commit. `key` is the thread's key:
 * the content key (with the reporter), the team key (internal notes) or the witness's key.
 * On the reporter's thread the deadline clocks move: a staff message is the first reply (and,
 * with `awaitReporter`, which the caller sets only when the agency's policy allows, pauses the clocks); the reporter's answer resumes them.
 */
export async function addMessage({
  db,
  caseId,
  key,
  ledgerKey,
  teamPublicKey,
  thread = 'reporter',
  witnessId = null,
  author,
  text,
  files,
  audit,
  awaitReporter = false,
  now = new Date(),
  before,
}: {
  db: Db;
  caseId: string;
  key: Buffer;
  /** The content key, for the ledger opening; the reporter's thread uses `key`. */
  ledgerKey?: Buffer;
  /** For an author without the content key (a witness): the ledger opening is sealed to the team. */
  teamPublicKey?: Buffer;
  thread?: MessageThread;
  witnessId?: string | null;
  author: MessageAuthor;
  text: string;
  files: { file: StoredFile; meta: AttachmentMeta }[];
  audit?: AuditEntry;
  awaitReporter?: boolean;
  now?: Date;
  /** Runs first in the same transaction (a witness's statement consumes the invitation there). */
  before?: (trx: Transaction<Database>) => Promise<void>;
}): Promise<{ messageId: string }> {
  // A witness writes only in their own thread and a reporter only in theirs: a message sealed with
  // another key in the reporter's thread would be unreadable to everyone who reads it.
  const isOwnThread =
    author.kind === 'witness'
      ? thread === 'witness' && author.witnessId === witnessId
      : author.kind === 'reporter'
        ? thread === 'reporter'
        : true;
  if (!isOwnThread) {
    throw new AppError('forbidden', `a ${author.kind} cannot write in the ${thread} thread`, 'error.forbidden');
  }
  const messageId = randomUUID();
  await db.transaction().execute(async (trx) => {
    await before?.(trx);
    await trx
      .insertInto('case_message')
      .values({
        id: messageId,
        case_id: caseId,
        author_kind: author.kind,
        author_user_id: author.kind === 'staff' ? author.userId : null,
        author_role: author.kind === 'staff' ? author.role : null,
        thread,
        witness_id: witnessId,
        body: sealJson(aeadKey(key), { text }, messageAad(caseId, messageId)),
        created_at: sql<Date>`date_trunc('minute', ${now}::timestamptz)`,
      })
      .execute();
    if (files.length > 0) {
      await trx
        .insertInto('attachment')
        .values(
          files.map(({ file, meta }) => ({
            id: file.attachmentId,
            case_id: caseId,
            message_id: messageId,
            blob_id: file.blobId,
            uploaded_by: author.kind,
            meta: sealAttachmentMeta(key, caseId, file.attachmentId, meta),
          })),
        )
        .execute();
    }
    if (audit) await recordAudit(trx, audit);
    const detail = createHash('sha256')
      .update(JSON.stringify({ message: messageId, text, attachments: files.map((f) => f.file.sha256) }))
      .digest();
    await appendCaseEvent(
      trx,
      teamPublicKey
        ? { caseId, teamPublicKey, event: 'message', detail, at: now }
        : { caseId, caseKey: ledgerKey ?? key, event: 'message', detail, at: now },
    );
    if (thread !== 'reporter') {
      await trx
        .updateTable('report_case')
        .set({ updated_at: sql<Date>`date_trunc('minute', ${now}::timestamptz)` })
        .where('id', '=', caseId)
        .execute();
    } else if (author.kind === 'staff') {
      await sql`
        update report_case c set updated_at = date_trunc('minute', ${now}::timestamptz),
          first_reply_at = coalesce(first_reply_at, date_trunc('minute', ${now}::timestamptz)), reply_due_at = null,
          paused_at = case when ${awaitReporter} and status <> 'closed' then coalesce(paused_at, date_trunc('minute', ${now}::timestamptz)) else paused_at end
        where c.id = ${caseId}`.execute(trx);
    } else {
      // The reporter answered: paused clocks resume, shifted by the time spent waiting.
      await sql`
        update report_case set updated_at = date_trunc('minute', ${now}::timestamptz),
          ack_due_at = ack_due_at + greatest(date_trunc('minute', ${now}::timestamptz) - paused_at, interval '0'), reply_due_at = reply_due_at + greatest(date_trunc('minute', ${now}::timestamptz) - paused_at, interval '0'),
          feedback_due_at = feedback_due_at + greatest(date_trunc('minute', ${now}::timestamptz) - paused_at, interval '0'), paused_at = null
        where id = ${caseId} and paused_at is not null`.execute(trx);
      await trx
        .updateTable('report_case')
        .set({ updated_at: sql<Date>`date_trunc('minute', ${now}::timestamptz)` })
        .where('id', '=', caseId)
        .where('paused_at', 'is', null)
        .execute();
    }
  });
  return { messageId };
}
