import type { Db } from '../db/connection.ts';
import type { AttachmentMeta, StoredFile } from '../intake/attachments.ts';
import { addMessage } from '../intake/add-message.ts';
import { validateMessage } from '../intake/validate-report.ts';
import { caseRoleOf, type StaffActor } from '../staff/session.ts';
import { policyFor } from '../agencies/deadlines.ts';
import { openCaseKeys, type OpenedCase } from './open-case.ts';

/**
 * Posts a staff message, audited in the same commit: to the reporter (content key) or an internal
 * note for the team only (team key). The case is opened by the caller (its key seals the files).
 * The text is checked here (empty only with files; invalid_input on the `message` field).
 */
export async function postCaseMessage({
  db,
  actor,
  opened,
  text,
  files,
  internal = false,
  awaitReporter = false,
  now,
}: {
  db: Db;
  actor: StaffActor;
  opened: OpenedCase;
  text: unknown;
  files: { file: StoredFile; meta: AttachmentMeta }[];
  internal?: boolean;
  awaitReporter?: boolean;
  now?: Date;
}): Promise<{ messageId: string }> {
  const checked = validateMessage(text, files.length > 0);
  let pause = false;
  if (awaitReporter && !internal) {
    const c = await db
      .selectFrom('report_case as c')
      .innerJoin('agency as a', 'a.id', 'c.agency_id')
      .select(['a.settings', 'c.category'])
      .where('c.id', '=', opened.caseId)
      .executeTakeFirstOrThrow();
    pause = policyFor(c.settings, c.category).pauseWhileWaiting;
  }
  return addMessage({
    db,
    caseId: opened.caseId,
    key: internal ? opened.keys.team : opened.keys.content,
    ledgerKey: opened.keys.content,
    thread: internal ? 'internal' : 'reporter',
    author: { kind: 'staff', userId: actor.id, role: caseRoleOf(actor) },
    text: checked,
    files,
    awaitReporter: pause,
    now,
    audit: {
      actorUserId: actor.id,
      action: internal ? 'note_posted' : 'message_posted',
      caseId: opened.caseId,
      caseReference: opened.reference,
      detail: { files: files.length, awaitReporter: pause },
    },
  });
}

/** An internal note on the case of `reference`, by a team member (anyone else: not_found, audited). */
export async function postNote({
  db,
  actor,
  reference,
  text,
}: {
  db: Db;
  actor: StaffActor;
  reference: string;
  text: unknown;
}): Promise<{ messageId: string }> {
  const opened = await openCaseKeys({ db, actor, reference, purpose: 'note_posted' });
  return postCaseMessage({ db, actor, opened, text, files: [], internal: true });
}
