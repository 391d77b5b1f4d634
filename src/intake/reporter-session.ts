// The reporter's session after a receipt login: a token sealed with the platform's cookie key that
// carries the case id, the case keys and an expiry to the minute. Nothing is stored server-side,
// so a login leaves no row, no time and no address behind. A logout stores the token's hash until
// it expires (revoked_reporter_token): that some token was logged out, in some hour.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { KdfParams } from '../crypto/kdf.ts';
import type { Db } from '../db/connection.ts';
import { aeadKey, openJson, sealJson } from '../crypto/aead.ts';
import { deriveReceiptKeys, normalizeReceipt } from '../crypto/receipt.ts';
import { AppError } from '../errors.ts';
import { unwrapForReporter, type CaseKeys } from './case-keys.ts';
import type { LoginThrottle } from './login-throttle.ts';
import { openWitnessByLookup } from './witness-thread.ts';

export const REPORTER_SESSION_MINUTES = 30;

/** A witness logs in the same way; their `keys.content` is then the witness key, never the case's. */
export type ReporterSession = { caseId: string; keys: CaseKeys; witnessId?: string };

/**
 * Opens the case that a receipt belongs to. A malformed, wrong or unknown receipt all cost the same
 * derivation and give the same error. Every attempt takes a guess from `throttle` before deriving
 * (refused at once with 429 when none is left) and a successful one gives it back, so only wrong
 * receipts spend the platform-wide budget (the throttle keys on nothing that identifies a client).
 * `isCaseOnly` refuses a witness's receipt with the same error (a door for the codes of cases).
 */
export async function openReporterSession({
  db,
  kdf,
  receiptSalt,
  throttle,
  receipt,
  isCaseOnly = false,
}: {
  db: Db;
  kdf: KdfParams;
  receiptSalt: Buffer;
  throttle: LoginThrottle;
  receipt: string;
  isCaseOnly?: boolean;
}): Promise<ReporterSession> {
  // Nothing typed: said at once, as a field left empty (no code is tried, the limit is not spent).
  if (String(receipt).trim() === '') throw new AppError('invalid_input', 'no receipt typed', 'error.receipt_empty');
  const refund = throttle.reserve();
  const normalized = normalizeReceipt(String(receipt).slice(0, 64));
  const derived = await deriveReceiptKeys(normalized ?? '0000000000000000x', receiptSalt, kdf);
  const row = normalized
    ? await db
        .selectFrom('reporter_access')
        .select(['case_id', 'wrapped_keys'])
        .where('lookup', '=', derived.lookup)
        .executeTakeFirst()
    : undefined;
  if (row) {
    refund();
    return { caseId: row.case_id, keys: unwrapForReporter(derived.key, row.case_id, row.wrapped_keys) };
  }
  const witness = normalized && !isCaseOnly ? await openWitnessByLookup(db, derived.lookup, derived.key) : null;
  if (witness) {
    refund();
    return { caseId: witness.caseId, keys: { content: witness.key, identity: null }, witnessId: witness.witnessId };
  }
  throw new AppError('unauthorized', 'unknown receipt', 'error.receipt_wrong');
}

/**
 * The tag of a session's case, carried by every form of its page (`_case`). A link with another
 * code (`/status?code=`, from anyone) replaces the browser's session; a form of the page shown
 * before then would post into that other case, whose holder reads it. A form whose tag is not the
 * session's is refused and nothing is stored. The tag names no case to anyone without the cookie key.
 */
export function sessionCaseTag(cookieKey: Buffer, session: ReporterSession): string {
  return createHmac('sha256', cookieKey)
    .update(`reporter-form-case\0${session.caseId}\0${session.witnessId ?? ''}`)
    .digest('base64url')
    .slice(0, 22);
}

/** Throws conflict unless `posted` is the tag of the session's case (see sessionCaseTag). */
export function checkSessionCaseTag(cookieKey: Buffer, session: ReporterSession, posted: unknown): void {
  const want = Buffer.from(sessionCaseTag(cookieKey, session));
  const got = Buffer.from(typeof posted === 'string' ? posted.slice(0, 64) : '');
  if (got.length !== want.length || !timingSafeEqual(got, want))
    throw new AppError('conflict', 'form posted for another case than the session', 'followup.error.other_case');
}

export function issueReporterToken(cookieKey: Buffer, session: ReporterSession, now = Date.now()): string {
  const exp = Math.floor(now / 60_000) + REPORTER_SESSION_MINUTES; // minutes since the epoch
  const payload = {
    c: session.caseId,
    k: session.keys.content.toString('base64'),
    i: session.keys.identity?.toString('base64') ?? null,
    w: session.witnessId ?? null,
    e: exp,
  };
  return sealJson(aeadKey(cookieKey), payload, 'reporter-token').toString('base64url');
}

type TokenPayload = { c: string; k: string; i: string | null; w?: string | null; e: number };

/** The sealed bytes of a well-formed token that opens, with its payload; null otherwise. */
function openToken(cookieKey: Buffer, token: string | undefined): { sealed: Buffer; v: TokenPayload } | null {
  if (!token || token.length > 400 || !/^[A-Za-z0-9_-]+$/.test(token)) return null;
  try {
    const sealed = Buffer.from(token, 'base64url');
    return { sealed, v: openJson<TokenPayload>(aeadKey(cookieKey), sealed, 'reporter-token') };
  } catch {
    return null;
  }
}

// The hash of the sealed bytes, not of the text: two spellings of the same base64url (unused
// trailing bits) decode to the same bytes, and the AEAD tag makes the bytes themselves unforgeable.
const revocationHash = (sealed: Buffer) => createHash('sha256').update(sealed).digest();

/** Returns the session of a valid, unexpired token that was not logged out, or null. */
export async function readReporterToken(
  db: Db,
  cookieKey: Buffer,
  token: string | undefined,
  now = Date.now(),
): Promise<ReporterSession | null> {
  const opened = openToken(cookieKey, token);
  if (!opened || opened.v.e < Math.floor(now / 60_000)) return null;
  const revoked = await db
    .selectFrom('revoked_reporter_token')
    .select('token_hash')
    .where('token_hash', '=', revocationHash(opened.sealed))
    .executeTakeFirst();
  if (revoked) return null;
  const v = opened.v;
  return {
    caseId: v.c,
    keys: { content: Buffer.from(v.k, 'base64'), identity: v.i ? Buffer.from(v.i, 'base64') : null },
    ...(v.w ? { witnessId: v.w } : {}),
  };
}

/**
 * Logs a token out: it is refused from now until it would have expired. Stores the hash of the
 * token and its expiry rounded up to the hour, nothing else (no case, no client, no minute), and
 * deletes the rows of tokens that have expired since. A token that does not open is ignored, so
 * that no one can fill the table without having logged in.
 */
export async function revokeReporterToken(
  db: Db,
  cookieKey: Buffer,
  token: string | undefined,
  now = Date.now(),
): Promise<void> {
  const opened = openToken(cookieKey, token);
  if (!opened || opened.v.e < Math.floor(now / 60_000)) return;
  const expiresAt = new Date(Math.ceil(opened.v.e / 60) * 3_600_000);
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('revoked_reporter_token').where('expires_at', '<', new Date(now)).execute();
    await trx
      .insertInto('revoked_reporter_token')
      .values({ token_hash: revocationHash(opened.sealed), expires_at: expiresAt })
      .onConflict((oc) => oc.doNothing())
      .execute();
  });
}
