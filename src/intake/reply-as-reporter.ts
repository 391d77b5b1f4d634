// What a receipt holder (a reporter, or a witness with a receipt of their own) reads and writes.
// Web and API both go through here, so the API gives a witness exactly what the web does: their
// own thread, never the report or the reporter's thread.
import type { Db } from '../db/connection.ts';
import { AppError } from '../errors.ts';
import { loadWitnessThread } from './witness-thread.ts';
import { addMessage } from './add-message.ts';
import type { AttachmentMeta, StoredFile } from './attachments.ts';
import { loadCaseView, type MessageView } from './case-view.ts';
import type { ReporterSession } from './reporter-session.ts';
import { validateMessage } from './validate-report.ts';

/** The caller's own thread: the reporter's conversation with the team, or a witness's. */
export async function loadOwnThread({ db, session }: { db: Db; session: ReporterSession }): Promise<MessageView[]> {
  if (session.witnessId) return loadWitnessThread(db, session.caseId, session.witnessId, session.keys.content);
  const view = await loadCaseView({ db, caseId: session.caseId, keys: session.keys, withIdentity: false });
  if (!view) throw new AppError('not_found', 'case gone', 'error.not_found');
  return view.messages;
}

/**
 * Adds the caller's message to their own thread: a witness's goes to the witness thread, sealed
 * with the witness key (the ledger opening sealed to the team); a reporter's to the reporter thread.
 * The text is checked first (validateMessage: empty only with files); nothing is stored otherwise.
 */
export async function replyAsReporter({
  db,
  session,
  text,
  files,
}: {
  db: Db;
  session: ReporterSession;
  text: unknown;
  files: { file: StoredFile; meta: AttachmentMeta }[];
}): Promise<{ messageId: string }> {
  const checked = validateMessage(text, files.length > 0);
  if (!session.witnessId)
    return addMessage({
      db,
      caseId: session.caseId,
      key: session.keys.content,
      author: { kind: 'reporter' },
      text: checked,
      files,
    });
  const team = await db
    .selectFrom('report_case')
    .select('team_public_key')
    .where('id', '=', session.caseId)
    .executeTakeFirst();
  if (!team?.team_public_key) throw new AppError('not_found', 'case gone', 'error.not_found');
  const witnessId = session.witnessId;
  return addMessage({
    db,
    caseId: session.caseId,
    key: session.keys.content,
    teamPublicKey: team.team_public_key,
    thread: 'witness',
    witnessId,
    author: { kind: 'witness', witnessId },
    text: checked,
    files,
  });
}
