// Who on LINE filed a case: the user id, their language and the case's content key, sealed under
// the channel key, so that status changes and replies can be pushed to them and their cases listed.
// The server holds this key by necessity (it must write to them on LINE); a stolen database alone
// opens none of it.
import type { Transaction } from 'kysely';
import type { Db } from '../../db/connection.ts';
import type { Database } from '../../db/schema.ts';
import type { Lang } from '../../i18n/messages.ts';
import { openForChannel, sealForChannel, type ChannelKeys } from './channel-key.ts';

export type LineContact = { caseId: string; userId: string; lang: Lang; contentKey: Buffer };

function aad(caseId: string): string {
  return `line-contact/${caseId}`;
}

export async function recordLineContact(trx: Transaction<Database>, keys: ChannelKeys, c: LineContact): Promise<void> {
  const sealed = sealForChannel(keys, aad(c.caseId), { u: c.userId, l: c.lang, k: c.contentKey.toString('base64') });
  await trx
    .insertInto('line_contact')
    .values({ case_id: c.caseId, user_hash: keys.userHash(c.userId), sealed })
    .execute();
}

function open(keys: ChannelKeys, caseId: string, sealed: Buffer): LineContact {
  const v = openForChannel<{ u: string; l: Lang; k: string }>(keys, aad(caseId), sealed);
  return { caseId, userId: v.u, lang: v.l, contentKey: Buffer.from(v.k, 'base64') };
}

export async function findLineContact(
  db: Db | Transaction<Database>,
  keys: ChannelKeys,
  caseId: string,
): Promise<LineContact | null> {
  const row = await db.selectFrom('line_contact').select('sealed').where('case_id', '=', caseId).executeTakeFirst();
  return row ? open(keys, caseId, row.sealed) : null;
}

/** The cases a LINE user filed, newest first. */
export async function casesOfLineUser(
  db: Db | Transaction<Database>,
  keys: ChannelKeys,
  userId: string,
  limit: number,
): Promise<LineContact[]> {
  const rows = await db
    .selectFrom('line_contact')
    .select(['case_id', 'sealed'])
    .where('user_hash', '=', keys.userHash(userId))
    .orderBy('created_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => open(keys, r.case_id, r.sealed));
}
