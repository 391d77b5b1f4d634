// The receipt page after a filing, safe to reload: the filing's statement also writes a one-time
// record of what the page shows (the receipt, the case, the files' cleaning), sealed with a random
// key; the key and the record's id go to the filer's browser only, in a cookie. The page reads the
// record by that cookie, so a reload or the back button shows the same receipt and files nothing.
// A stolen database holds the record but not its key. Times to the minute; nothing about the client.
import { createHash, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../db/connection.ts';
import { aeadKey, openJson, sealJson } from '../crypto/aead.ts';
import type { CaseKind } from '../db/schema.ts';
import { nextSteps, type NextSteps } from './next-steps.ts';

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
export type PreparedReveal = { cookie: string; row: { id_hash: Buffer; sealed: Buffer } };

const idHash = (id: Buffer) => createHash('sha256').update('sujarit/v1/receipt-reveal\n').update(id).digest();
const aad = (hash: Buffer) => `receipt-reveal/${hash.toString('hex')}`;

/** Seals `content` under a fresh key; the cookie carries the id and the key (64 base64url characters). */
export function prepareReveal(content: RevealContent): PreparedReveal {
  const id = randomBytes(16);
  const key = randomBytes(32);
  const hash = idHash(id);
  const row = { id_hash: hash, sealed: sealJson(aeadKey(key), content, aad(hash)) };
  return { cookie: Buffer.concat([id, key]).toString('base64url'), row };
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

function parseCookie(cookie: string | undefined): { hash: Buffer; key: Buffer } | null {
  if (!cookie || !/^[A-Za-z0-9_-]{64}$/.test(cookie)) return null;
  const raw = Buffer.from(cookie, 'base64url');
  return raw.length === 48 ? { hash: idHash(raw.subarray(0, 16)), key: raw.subarray(16) } : null;
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
  const parsed = parseCookie(cookie);
  if (!parsed) return null;
  const row = await db
    .selectFrom('receipt_reveal')
    .select('sealed')
    .where('id_hash', '=', parsed.hash)
    .executeTakeFirst();
  if (!row) return null;
  let content: RevealContent;
  try {
    content = openJson<RevealContent>(aeadKey(parsed.key), row.sealed, aad(parsed.hash));
  } catch {
    return null;
  }
  const c = await db
    .selectFrom('report_case')
    .select(['reference', 'kind', 'status', 'outcome', 'ack_due_at', 'reply_due_at', 'feedback_due_at', 'paused_at'])
    .where('id', '=', content.caseId)
    .executeTakeFirst();
  return c ? { ...content, reference: c.reference, kind: c.kind, next: nextSteps(c, now) } : null;
}

/** Removes the record (the filer has written the receipt down); unknown cookies change nothing. */
export async function forgetReveal(db: Db, cookie: string | undefined): Promise<void> {
  const parsed = parseCookie(cookie);
  if (parsed) await db.deleteFrom('receipt_reveal').where('id_hash', '=', parsed.hash).execute();
}
