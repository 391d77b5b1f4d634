// The reporter's session after a receipt login: a token sealed with the platform's cookie key that
// carries the case id, the case keys and an expiry to the minute. Nothing is stored server-side,
// so a login leaves no row, no time and no address behind.
import type { KdfParams } from '../config/load.ts';
import type { Db } from '../db/connection.ts';
import { aeadKey, openJson, sealJson } from '../crypto/aead.ts';
import { deriveReceiptKeys, normalizeReceipt } from '../crypto/receipt.ts';
import { AppError } from '../errors.ts';
import { unwrapForReporter, type CaseKeys } from './case-keys.ts';
import type { LoginThrottle } from './login-throttle.ts';
import { openWitnessByLookup } from '../cases/witnesses.ts';

export const REPORTER_SESSION_MINUTES = 30;

/** A witness logs in the same way; their `keys.content` is then the witness key, never the case's. */
export type ReporterSession = { caseId: string; keys: CaseKeys; witnessId?: string };

/**
 * Opens the case that a receipt belongs to. A malformed, wrong or unknown receipt all cost the same
 * derivation and give the same error. Every attempt takes a guess from `throttle` before deriving
 * (refused at once with 429 when none is left) and a successful one gives it back, so only wrong
 * receipts spend the platform-wide budget (the throttle keys on nothing that identifies a client).
 */
export async function openReporterSession({ db, kdf, receiptSalt, throttle, receipt }: {
  db: Db;
  kdf: KdfParams;
  receiptSalt: Buffer;
  throttle: LoginThrottle;
  receipt: string;
}): Promise<ReporterSession> {
  const refund = throttle.reserve();
  const normalized = normalizeReceipt(String(receipt).slice(0, 64));
  const derived = await deriveReceiptKeys(normalized ?? '0000000000000000x', receiptSalt, kdf);
  const row = normalized ? await db.selectFrom('reporter_access').select(['case_id', 'wrapped_keys']).where('lookup', '=', derived.lookup).executeTakeFirst() : undefined;
  if (row) {
    refund();
    return { caseId: row.case_id, keys: unwrapForReporter(derived.key, row.case_id, row.wrapped_keys) };
  }
  const witness = normalized ? await openWitnessByLookup(db, derived.lookup, derived.key) : null;
  if (witness) {
    refund();
    return { caseId: witness.caseId, keys: { content: witness.key, identity: null }, witnessId: witness.witnessId };
  }
  throw new AppError('unauthorized', 'unknown receipt', 'error.receipt_wrong');
}

export function issueReporterToken(cookieKey: Buffer, session: ReporterSession, now = Date.now()): string {
  const exp = Math.floor(now / 60_000) + REPORTER_SESSION_MINUTES; // minutes since the epoch
  const payload = { c: session.caseId, k: session.keys.content.toString('base64'), i: session.keys.identity?.toString('base64') ?? null, w: session.witnessId ?? null, e: exp };
  return sealJson(aeadKey(cookieKey), payload, 'reporter-token').toString('base64url');
}

/** Returns the session of a valid, unexpired token, or null. */
export function readReporterToken(cookieKey: Buffer, token: string | undefined, now = Date.now()): ReporterSession | null {
  if (!token || token.length > 400 || !/^[A-Za-z0-9_-]+$/.test(token)) return null;
  try {
    const v = openJson<{ c: string; k: string; i: string | null; w?: string | null; e: number }>(aeadKey(cookieKey), Buffer.from(token, 'base64url'), 'reporter-token');
    if (v.e < Math.floor(now / 60_000)) return null;
    return { caseId: v.c, keys: { content: Buffer.from(v.k, 'base64'), identity: v.i ? Buffer.from(v.i, 'base64') : null }, ...(v.w ? { witnessId: v.w } : {}) };
  } catch {
    return null;
  }
}
