import type { Db } from '../db/connection.ts';
import type { AttachmentMeta, StoredFile } from '../intake/attachments.ts';
import { addMessage } from '../intake/add-message.ts';
import type { StaffActor } from '../staff/session.ts';
import type { OpenedCase } from './open-case.ts';

/** Posts a recipient's reply to the reporter, audited in the same commit. The case is opened by the caller (its key seals the files). */
export async function postCaseMessage({ db, actor, opened, text, files }: { db: Db; actor: StaffActor; opened: OpenedCase; text: string; files: { file: StoredFile; meta: AttachmentMeta }[] }): Promise<{ messageId: string }> {
  return addMessage({
    db,
    caseId: opened.caseId,
    caseKey: opened.keys.content,
    author: { kind: 'staff', userId: actor.id, role: actor.role },
    text,
    files,
    audit: { actorUserId: actor.id, action: 'message_posted', caseId: opened.caseId, caseReference: opened.reference, detail: { files: files.length } },
  });
}
