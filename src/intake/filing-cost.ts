// The cost of anonymous filing under load (issue 12, item 5: a scanner filed 10,898 cases in 11
// minutes). Under normal load filing costs nothing. Once the platform's filings of the current and
// previous minute reach the threshold, a filing must carry a filing ticket, sealed by the server
// into the form (never stored while unused), that is either old enough (the wait: the no-JavaScript
// path; an honest reporter who spends minutes writing pays nothing) or carries a hashcash proof of
// work (what a small same-origin script computes to skip the wait). A ticket files once: its nonce's
// hash is kept, in the same statement as the case, until the ticket expires. Nothing about the client
// is read or kept; the load is the platform's, the ticket's issue time lives in the form only.
import { createHash, hkdfSync, randomBytes, type KeyObject } from 'node:crypto';
import { sql } from 'kysely';
import type { FilingCostParams } from '../config/load.ts';
import type { Db } from '../db/connection.ts';
import { aeadKey, openJson, sealJson } from '../crypto/aead.ts';
import { AppError } from '../errors.ts';

/** A ticket is accepted for this long after it was issued (a long report can take an evening). */
export const TICKET_HOURS = 12;
const AAD = 'filing-ticket/v1';
const MAX_POW_BITS = 30;
const MAX_TICKET_CHARS = 200;

/** What one filing costs now: nothing at level 0; otherwise a ticket `waitSeconds` old, or a proof of `powBits`. */
export type FilingCost = { recent: number; level: number; waitSeconds: number; powBits: number };

/** The cost at `recent` filings in the current and previous minute: level n at n × the threshold, the wait doubling each level. */
export function costOf(recent: number, p: FilingCostParams): FilingCost {
  const level = p.threshold === 0 ? 1 : Math.floor(recent / p.threshold);
  if (level === 0) return { recent, level, waitSeconds: 0, powBits: 0 };
  return {
    recent,
    level,
    waitSeconds: Math.min(p.maxWaitSeconds, p.waitSeconds * 2 ** Math.min(20, level - 1)),
    powBits: Math.min(MAX_POW_BITS, p.powBits + level - 1),
  };
}

/** The tickets' AEAD key: HKDF-SHA256 of the platform's cookie key, so no new secret is stored. */
export function filingTicketKey(cookieKey: Buffer): KeyObject {
  return aeadKey(Buffer.from(hkdfSync('sha256', cookieKey, Buffer.alloc(0), 'sujarit/v1/filing-ticket', 32)));
}

/** A new ticket: its issue time (to the second) and a random nonce, sealed (ChaCha20-Poly1305) for the form. */
export function issueFilingTicket(key: KeyObject, now = Date.now()): string {
  return sealJson(key, { i: Math.floor(now / 1000), n: randomBytes(16).toString('base64url') }, AAD).toString(
    'base64url',
  );
}

type Ticket = { issuedAt: number; nonce: string };

/** The ticket's content, or null when it is malformed, altered, expired or issued in the future. */
export function openFilingTicket(key: KeyObject, ticket: string | undefined, now = Date.now()): Ticket | null {
  if (!ticket || ticket.length > MAX_TICKET_CHARS || !/^[A-Za-z0-9_-]+$/.test(ticket)) return null;
  try {
    const v = openJson<{ i: number; n: string }>(key, Buffer.from(ticket, 'base64url'), AAD);
    const age = now / 1000 - v.i;
    if (!Number.isInteger(v.i) || typeof v.n !== 'string' || age < -60 || age > TICKET_HOURS * 3600) return null;
    return { issuedAt: v.i, nonce: v.n };
  } catch {
    return null;
  }
}

/** Hashcash over SHA-256: the leading zero bits of SHA-256(`${ticket}:${pow}`). */
export function proofBits(ticket: string, pow: string): number {
  const h = createHash('sha256').update(`${ticket}:${pow}`).digest();
  let bits = 0;
  for (const byte of h) {
    if (byte === 0) {
      bits += 8;
      continue;
    }
    return bits + Math.clz32(byte) - 24;
  }
  return bits;
}

/** What a filing under load records so that its ticket files once: the nonce's hash, the expiry rounded up to the hour. */
export type TicketUse = { digest: Buffer; expiresAt: Date };

export type Admission =
  | { isAdmitted: true; use: TicketUse | null }
  | { isAdmitted: false; error: AppError; retryAfterSeconds: number; isTicketKept: boolean };

/**
 * Decides whether a filing may go ahead at `cost`. MUST be called before the filing; the returned
 * `use` MUST be recorded in the filing's own statement (submitReport), which refuses a used ticket.
 * A refusal says how many seconds to wait and whether the form keeps its ticket (it keeps ageing).
 */
export function admitFiling({
  key,
  cost,
  ticket,
  pow,
  now = Date.now(),
}: {
  key: KeyObject;
  cost: FilingCost;
  ticket?: string;
  pow?: string;
  now?: number;
}): Admission {
  if (cost.level === 0) return { isAdmitted: true, use: null };
  const opened = openFilingTicket(key, ticket, now);
  const refuse = (seconds: number, isTicketKept: boolean): Admission => ({
    isAdmitted: false,
    retryAfterSeconds: seconds,
    isTicketKept,
    error: new AppError(
      'too_many_requests',
      `filing under load: wait ${seconds} s with this ticket${isTicketKept ? '' : ' (GET a new one)'}, or send a proof of work of ${cost.powBits} bits`,
      'error.filing_wait',
    ),
  });
  if (!opened) return refuse(cost.waitSeconds, false);
  const age = Math.floor(now / 1000) - opened.issuedAt;
  const isProven =
    typeof pow === 'string' && pow.length > 0 && pow.length <= 64 && proofBits(ticket!, pow) >= cost.powBits;
  if (!isProven && age < cost.waitSeconds) return refuse(cost.waitSeconds - age, true);
  const expiresAt = new Date(Math.ceil(((opened.issuedAt + TICKET_HOURS * 3600) * 1000) / 3_600_000) * 3_600_000);
  return {
    isAdmitted: true,
    use: { digest: createHash('sha256').update(`filing-ticket:${opened.nonce}`).digest(), expiresAt },
  };
}

/** The ticket a re-shown form carries: the same one while it is valid (so it keeps ageing), a new one otherwise. */
export type FilingGate = {
  key: KeyObject;
  cost: () => Promise<FilingCost>;
  issue: () => string;
  keep: (ticket: string | undefined) => string;
};

/**
 * The platform's gate: measures the load (cases created in the current and previous minute, every
 * channel, cached for `cacheMs`) and issues tickets. Used tickets' rows are removed once expired,
 * at most once a minute.
 */
export function createFilingGate({
  db,
  cookieKey,
  params,
  cacheMs = 1000,
  now = () => Date.now(),
}: {
  db: Db;
  cookieKey: Buffer;
  params: FilingCostParams;
  cacheMs?: number;
  now?: () => number;
}): FilingGate {
  const key = filingTicketKey(cookieKey);
  let cached: { at: number; cost: Promise<FilingCost> } | null = null;
  let sweptAt = 0;
  const measure = async (): Promise<FilingCost> => {
    const row = await db
      .selectFrom('report_case')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('created_at', '>=', sql<Date>`date_trunc('minute', now()) - interval '1 minute'`)
      .executeTakeFirstOrThrow();
    const cost = costOf(Number(row.n), params);
    if (now() - sweptAt > 60_000) {
      sweptAt = now();
      await db.deleteFrom('filing_ticket_use').where('expires_at', '<', sql<Date>`now()`).execute();
    }
    return cost;
  };
  return {
    key,
    cost: () => {
      if (!cached || now() - cached.at >= cacheMs) {
        const cost = measure();
        cached = { at: now(), cost };
        // a failed measurement is not kept: the next request measures again
        cost.catch(() => {
          if (cached?.cost === cost) cached = null;
        });
      }
      return cached.cost;
    },
    issue: () => issueFilingTicket(key, now()),
    keep: (ticket) => (openFilingTicket(key, ticket, now()) ? ticket! : issueFilingTicket(key, now())),
  };
}
