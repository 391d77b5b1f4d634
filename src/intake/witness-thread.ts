// The witness's own side, as a receipt holder: the follow-up login finds a witness by the receipt's
// lookup, and a witness reads only their own thread, opened with the witness key. The team's side
// (invitations, the list of witnesses, messages to a witness) is cases/witnesses.ts.
import type { Db } from '../db/connection.ts';
import { aeadKey, open } from '../crypto/aead.ts';
import { attachmentViews, messageView, type MessageView, type UnreadableItem } from './case-view.ts';

/** The witness behind a receipt's lookup, with their key, or null (the follow-up login tries this after reporters). */
export async function openWitnessByLookup(
  db: Db,
  lookup: Buffer,
  receiptKey: Buffer,
): Promise<{ witnessId: string; caseId: string; key: Buffer } | null> {
  const row = await db
    .selectFrom('case_witness')
    .select(['id', 'case_id', 'wrapped_for_witness'])
    .where('lookup', '=', lookup)
    .executeTakeFirst();
  if (!row?.wrapped_for_witness) return null;
  return {
    witnessId: row.id,
    caseId: row.case_id,
    key: open(aeadKey(receiptKey), row.wrapped_for_witness, `witness-receipt/${row.id}`),
  };
}

/** One witness thread, opened with the witness key; items that do not open are listed in `unreadable`. */
export async function loadWitnessThread(
  db: Db,
  caseId: string,
  witnessId: string,
  key: Buffer,
  unreadable: UnreadableItem[] = [],
): Promise<MessageView[]> {
  const [messages, attachments] = await Promise.all([
    db
      .selectFrom('case_message')
      .selectAll()
      .where('case_id', '=', caseId)
      .where('witness_id', '=', witnessId)
      .orderBy('number')
      .execute(),
    db
      .selectFrom('attachment as a')
      .innerJoin('case_message as m', 'm.id', 'a.message_id')
      .select(['a.id', 'a.message_id', 'a.uploaded_by', 'a.meta', 'a.created_at'])
      .where('m.witness_id', '=', witnessId)
      .orderBy('a.created_at')
      .execute(),
  ]);
  const files = attachmentViews(key, caseId, attachments, unreadable);
  return messages.map((m) => messageView(aeadKey(key), caseId, m, files, unreadable));
}
