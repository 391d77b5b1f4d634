// A LINE user's conversation: which step they are at and the case they are composing (with the
// draft's content key, so that photos are sealed as they arrive). Stored sealed under the channel
// key, keyed by the HMAC of the user id; forgotten after a day without a message.
import { sql, type Transaction } from 'kysely';
import type { Database } from '../../db/schema.ts';
import type { AttachmentMeta, StoredFile } from '../../intake/attachments.ts';
import type { Location } from '../../intake/validate-complaint.ts';
import type { Lang } from '../../i18n/messages.ts';
import { openForChannel, sealForChannel, type ChannelKeys } from './channel-key.ts';

export type Step =
  | 'idle'
  | 'kind'
  | 'tip_warning'
  | 'agency'
  | 'category'
  | 'what'
  | 'media'
  | 'confirm'
  | 'rate_comment';

export type Conversation = {
  lang: Lang;
  step: Step;
  kind?: 'complaint' | 'tip';
  agency?: { code: string; nameTh: string; nameEn: string };
  category?: string;
  what?: string;
  location?: Location;
  photos: { file: StoredFile; meta: AttachmentMeta }[];
  /** The draft's case id and content key (base64), made when the first photo arrives or at filing. */
  draft?: { caseId: string; caseKey: string };
  /** The case whose rating may get a comment. */
  ratedCaseId?: string;
  at: number;
};

/** A conversation untouched this long starts over. */
export const CONVERSATION_TTL_MS = 24 * 3600_000;

export function freshConversation(lang: Lang, now: number): Conversation {
  return { lang, step: 'idle', photos: [], at: now };
}

function aad(userHash: Buffer): string {
  return `line-conversation/${userHash.toString('hex')}`;
}

/** Loads the conversation for update (the row is locked until the transaction ends). */
export async function loadConversation(
  trx: Transaction<Database>,
  keys: ChannelKeys,
  userHash: Buffer,
  now: number,
): Promise<Conversation | null> {
  const row = await trx
    .selectFrom('line_conversation')
    .select('state')
    .where('user_hash', '=', userHash)
    .forUpdate()
    .executeTakeFirst();
  if (!row) return null;
  const c = openForChannel<Conversation>(keys, aad(userHash), row.state);
  return now - c.at > CONVERSATION_TTL_MS ? freshConversation(c.lang, now) : c;
}

export async function saveConversation(
  trx: Transaction<Database>,
  keys: ChannelKeys,
  userHash: Buffer,
  c: Conversation,
): Promise<void> {
  const state = sealForChannel(keys, aad(userHash), c);
  await trx
    .insertInto('line_conversation')
    .values({ user_hash: userHash, state, updated_at: sql<Date>`now()` })
    .onConflict((oc) => oc.column('user_hash').doUpdateSet({ state, updated_at: sql<Date>`now()` }))
    .execute();
}

export async function forgetConversation(trx: Transaction<Database>, userHash: Buffer): Promise<void> {
  await trx.deleteFrom('line_conversation').where('user_hash', '=', userHash).execute();
}
