// Decrypts a case for someone who holds its keys: the reporter (receipt) or a recipient (sealed key).
import type { Db } from '../db/connection.ts';
import { aeadKey, openJson } from '../crypto/aead.ts';
import type { CaseStatus } from '../db/schema.ts';
import { openAttachmentMeta } from './attachments.ts';
import { contentAad, identityAad, messageAad, type CaseKeys } from './case-keys.ts';

export type AttachmentView = { id: string; messageId: string | null; uploadedBy: 'reporter' | 'staff'; name: string; type: string; size: number; removed: string[]; isCleaned: boolean; createdAt: Date };
export type MessageView = { id: string; authorKind: 'reporter' | 'staff'; authorRole: string | null; authorUserId: number | null; text: string; createdAt: Date; attachments: AttachmentView[] };
export type CaseView = {
  id: string;
  reference: string;
  agency: { code: string; nameTh: string; nameEn: string };
  category: string;
  channel: string;
  status: CaseStatus;
  createdAt: Date;
  updatedAt: Date;
  content: { what: string; when: string; where: string; who: string };
  hasIdentity: boolean;
  identity: { name: string; contact: string } | null;
  attachments: AttachmentView[]; // filed with the report
  messages: MessageView[];
};

/** Loads and opens a case. `withIdentity` opens the sealed identity too (only when asked for). */
export async function loadCaseView({ db, caseId, keys, withIdentity }: { db: Db; caseId: string; keys: CaseKeys; withIdentity: boolean }): Promise<CaseView | null> {
  const row = await db
    .selectFrom('report_case as c')
    .innerJoin('agency as a', 'a.id', 'c.agency_id')
    .select(['c.id', 'c.reference', 'c.category', 'c.channel', 'c.status', 'c.created_at', 'c.updated_at', 'c.content', 'c.identity', 'c.has_identity', 'a.code', 'a.name_th', 'a.name_en'])
    .where('c.id', '=', caseId)
    .executeTakeFirst();
  if (!row) return null;
  const key = aeadKey(keys.content);
  const [messages, attachments] = await Promise.all([
    db.selectFrom('case_message').selectAll().where('case_id', '=', caseId).orderBy('number').execute(),
    db.selectFrom('attachment').select(['id', 'message_id', 'uploaded_by', 'meta', 'created_at']).where('case_id', '=', caseId).orderBy('created_at').orderBy('id').execute(),
  ]);
  const files: AttachmentView[] = attachments.map((a) => {
    const meta = openAttachmentMeta(keys.content, caseId, a.id, a.meta);
    return { id: a.id, messageId: a.message_id, uploadedBy: a.uploaded_by, name: meta.name, type: meta.type, size: meta.size, removed: meta.removed, isCleaned: meta.isCleaned, createdAt: a.created_at };
  });
  return {
    id: row.id,
    reference: row.reference,
    agency: { code: row.code, nameTh: row.name_th, nameEn: row.name_en },
    category: row.category,
    channel: row.channel,
    status: row.status,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    content: openJson(key, row.content, contentAad(caseId)),
    hasIdentity: row.has_identity,
    identity: withIdentity && row.identity && keys.identity ? openJson(aeadKey(keys.identity), row.identity, identityAad(caseId)) : null,
    attachments: files.filter((f) => f.messageId === null),
    messages: messages.map((m) => ({
      id: m.id,
      authorKind: m.author_kind,
      authorRole: m.author_role,
      authorUserId: m.author_user_id,
      text: openJson<{ text: string }>(key, m.body, messageAad(caseId, m.id)).text,
      createdAt: m.created_at,
      attachments: files.filter((f) => f.messageId === m.id),
    })),
  };
}
