// The receipt page after a filing, safe to reload: the filing's statement also writes a one-time
// record of what the page shows (the receipt, the case, the files' cleaning), sealed with a random
// key; the key and the record's id go to the filer's browser only, in a cookie. The page reads the
// record by that cookie, so a reload or the back button shows the same receipt and files nothing.
// A stolen database holds the record but not its key. Times to the minute; nothing about the client.
import { sql } from 'kysely';
import type { Db } from '../db/connection.ts';
import type { CaseKind } from '../db/schema.ts';
import { nextSteps, type NextSteps } from './next-steps.ts';
import { oneTimeRecords, type PreparedRecord } from './one-time-record.ts';

/** How long the receipt page can be shown again after the filing. */
export const REVEAL_MINUTES = 30;

/** What a receipt page shows. `files`: each file's name and what cleaning removed from it. */
export type RevealContent = {
  page: 'report' | 'complaint' | 'witness';
  receipt: string;
  caseId: string;
  files: { name: string; isCleaned: boolean; removed: string[] }[];
};

/** A record to write with the filing: `row` goes into receipt_reveal in the same transaction, `cookie` to the browser. */
export type PreparedReveal = PreparedRecord;

const records = oneTimeRecords<RevealContent>('receipt-reveal');

/** Seals `content` under a fresh key; the cookie carries the id and the key. */
export function prepareReveal(content: RevealContent): PreparedReveal {
  return records.prepare(content);
}

/** The SQL expression of a reveal's expiry: REVEAL_MINUTES after the current minute. */
export const revealExpiry = sql<Date>`date_trunc('minute', now()) + make_interval(mins => ${REVEAL_MINUTES})`;

/** Writes a prepared reveal (inside the caller's transaction, so it exists exactly when the filing does). */
export async function insertReveal(trx: Db, reveal: PreparedReveal): Promise<void> {
  await trx
    .insertInto('receipt_reveal')
    .values({ ...reveal.row, expires_at: revealExpiry })
    .execute();
}

/**
 * What the cookie's record shows, with the case's reference and what happens next (its deadline
 * clocks), or null (no cookie, expired, removed, or altered). Expired records are deleted.
 */
export async function readReveal(
  db: Db,
  cookie: string | undefined,
  now = new Date(),
): Promise<(RevealContent & { reference: string; kind: CaseKind; next: NextSteps }) | null> {
  await db.deleteFrom('receipt_reveal').where('expires_at', '<', sql<Date>`now()`).execute();
  const parsed = records.parse(cookie);
  if (!parsed) return null;
  const row = await db
    .selectFrom('receipt_reveal')
    .select('sealed')
    .where('id_hash', '=', parsed.hash)
    .executeTakeFirst();
  if (!row) return null;
  const content = records.open(parsed, row.sealed);
  if (!content) return null;
  const c = await db
    .selectFrom('report_case')
    .select(['reference', 'kind', 'status', 'outcome', 'ack_due_at', 'reply_due_at', 'feedback_due_at', 'paused_at'])
    .where('id', '=', content.caseId)
    .executeTakeFirst();
  return c ? { ...content, reference: c.reference, kind: c.kind, next: nextSteps(c, now) } : null;
}

/** Removes the record (the filer has written the receipt down); unknown cookies change nothing. */
export async function forgetReveal(db: Db, cookie: string | undefined): Promise<void> {
  const parsed = records.parse(cookie);
  if (parsed) await db.deleteFrom('receipt_reveal').where('id_hash', '=', parsed.hash).execute();
}
