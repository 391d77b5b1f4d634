// Limits the rate of wrong guesses (receipts, tracking codes, staff passwords) without knowing who
// guesses: a token bucket per scope, or per key within a scope (a staff account). A login takes a
// token before its Argon2id derivation and gives it back when it succeeds, so only wrong guesses
// spend the budget. An empty bucket refuses at once (429 with Retry-After): nothing sleeps and
// nothing queues, so the CPU stays with the logins that are admitted. Nothing about the client is kept.
import { DEFAULT_LOGIN_LIMITS, type LoginLimitConfig, type RateLimit } from '../config/load.ts';
import { AppError } from '../errors.ts';

export type LoginThrottle = {
  /**
   * Takes one guess from `key`'s bucket (the scope's only bucket by default) and returns the
   * function that gives it back. MUST be called before the derivation; the refund MUST be called
   * only once the login succeeded. Throws AppError `too_many_requests` (with `retryAfterSeconds`)
   * when the bucket is empty, before any work is done.
   */
  reserve: (key?: string) => () => void;
};

/** The scopes: an attack on one never spends another's budget. */
export type LoginLimits = Readonly<{
  receipt: LoginThrottle;
  tracking: LoginThrottle;
  staff: LoginThrottle;
  staffAccount: LoginThrottle;
}>;

type Bucket = { tokens: number; at: number };

/** A token bucket of `burst` tokens refilled at `perMinute`; buckets that are full again are forgotten. */
export function createLoginThrottle(
  { perMinute, burst }: RateLimit = DEFAULT_LOGIN_LIMITS.receipt,
  now: () => number = () => Date.now(),
): LoginThrottle {
  const perMs = perMinute / 60_000;
  const buckets = new Map<string, Bucket>();
  let sweptAt = now();
  const level = (b: Bucket, t: number) => Math.min(burst, b.tokens + (t - b.at) * perMs);
  // A full bucket is the same as no bucket: dropping them bounds memory by the failures of the
  // last refill period, however many keys an attacker makes up.
  const sweep = (t: number) => {
    if (t - sweptAt < 1000) return;
    sweptAt = t;
    for (const [k, b] of buckets) if (level(b, t) >= burst) buckets.delete(k);
  };
  return {
    reserve: (key = '') => {
      const t = now();
      sweep(t);
      const b = buckets.get(key) ?? { tokens: burst, at: t };
      const tokens = level(b, t);
      if (tokens < 1) {
        const retryAfterSeconds = Math.max(1, Math.ceil((1 - tokens) / perMs / 1000));
        throw new AppError(
          'too_many_requests',
          `too many failed logins; retry after ${retryAfterSeconds} s`,
          'error.rate_limited',
          {},
          { retryAfterSeconds },
        );
      }
      buckets.set(key, { tokens: tokens - 1, at: t });
      let isRefunded = false;
      return () => {
        if (isRefunded) return;
        isRefunded = true;
        const current = buckets.get(key);
        if (current) current.tokens = Math.min(burst, current.tokens + 1);
      };
    },
  };
}

/** One throttle per scope, from the configuration. */
export function createLoginLimits(limits: LoginLimitConfig = DEFAULT_LOGIN_LIMITS, now?: () => number): LoginLimits {
  return Object.freeze({
    receipt: createLoginThrottle(limits.receipt, now),
    tracking: createLoginThrottle(limits.tracking, now),
    staff: createLoginThrottle(limits.staff, now),
    staffAccount: createLoginThrottle(limits.staffAccount, now),
  });
}

/**
 * A worker's share of the login limits when `workers` processes share one port (SUJARIT_WORKERS):
 * the first process hands connections out in turn, so each worker sees about 1/workers of the
 * guesses, and its buckets hold 1/workers of the budget (burst rounded up, at least 1). Together
 * they allow what one process would, not `workers` times more (docs/scaling.md).
 */
export function limitsOfWorker(limits: LoginLimitConfig, workers: number): LoginLimitConfig {
  const share = ({ perMinute, burst }: RateLimit): RateLimit =>
    Object.freeze({ perMinute: perMinute / workers, burst: Math.max(1, Math.ceil(burst / workers)) });
  return Object.freeze({
    receipt: share(limits.receipt),
    tracking: share(limits.tracking),
    staff: share(limits.staff),
    staffAccount: share(limits.staffAccount),
  });
}
