// A refused filing form, given back after a redirect: the post writes what the form must show
// again (what was typed, the error) as a one-time record sealed under a key that only the filer's
// browser holds (one-time-record.ts), and answers 303 to the form's own page; that GET page shows
// the record. So a reload of the refused form, or the back button after a later filing, reads the
// record again and never asks to send the form again (nor files). The record lives REVEAL_MINUTES
// at most, is replaced by the browser's next refusal, and is removed when the filing succeeds.
import { sql } from 'kysely';
import type { Db } from '../db/connection.ts';
import { oneTimeRecords } from './one-time-record.ts';
import { revealExpiry } from './receipt-reveal.ts';

/** What a form page shows again; `form` names the form (a record is shown by that form only). */
export type FormReturn<T> = { form: string; shown: T };

const records = oneTimeRecords<FormReturn<unknown>>('form-return');

/** Writes `content`, removing the record of `previous` (this browser's last refusal), and gives the new cookie. */
export async function keepFormReturn<T>(db: Db, content: FormReturn<T>, previous: string | undefined): Promise<string> {
  const record = records.prepare(content);
  const old = records.parse(previous);
  await db.transaction().execute(async (trx) => {
    if (old) await trx.deleteFrom('form_return').where('id_hash', '=', old.hash).execute();
    await trx
      .insertInto('form_return')
      .values({ ...record.row, expires_at: revealExpiry })
      .execute();
  });
  return record.cookie;
}

/**
 * What the cookie's record shows on the form `form`, or null (no cookie, expired, removed, altered,
 * another form's). Expired records are deleted.
 */
export async function readFormReturn<T>(db: Db, cookie: string | undefined, form: string): Promise<T | null> {
  const parsed = records.parse(cookie);
  if (!parsed) return null; // a form page without the cookie (nearly every view) costs no query
  await db.deleteFrom('form_return').where('expires_at', '<', sql<Date>`now()`).execute();
  const row = await db.selectFrom('form_return').select('sealed').where('id_hash', '=', parsed.hash).executeTakeFirst();
  const content = row ? records.open(parsed, row.sealed) : null;
  return content?.form === form ? (content.shown as T) : null;
}

/** Removes the cookie's record (its form was filed); unknown cookies change nothing. */
export async function forgetFormReturn(db: Db, cookie: string | undefined): Promise<void> {
  const parsed = records.parse(cookie);
  if (parsed) await db.deleteFrom('form_return').where('id_hash', '=', parsed.hash).execute();
}
