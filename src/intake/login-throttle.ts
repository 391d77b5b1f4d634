// Slows receipt guessing without knowing who guesses: the platform counts failed receipt logins
// over the last minutes, and once they pass a threshold every attempt waits, longer as failures
// grow. Brute force is hopeless anyway (10^16 receipts × one Argon2id each); this keeps the CPU
// for honest reporters. Nothing about the client is kept.

export type LoginThrottle = { wait: () => Promise<void>; fail: () => void; delayMs: () => number };

export function createLoginThrottle({ freeFailuresPerMinute = 30, maxDelayMs = 10_000, now = () => Date.now() } = {}): LoginThrottle {
  const buckets = new Map<number, number>(); // minute → failures
  const recent = () => {
    const minute = Math.floor(now() / 60_000);
    let sum = 0;
    for (const [m, n] of buckets) {
      if (m < minute - 4) buckets.delete(m);
      else sum += n;
    }
    return sum;
  };
  const delayMs = () => {
    const excess = recent() - freeFailuresPerMinute * 5;
    return excess <= 0 ? 0 : Math.min(maxDelayMs, 100 * 2 ** Math.min(20, Math.floor(excess / freeFailuresPerMinute)));
  };
  return {
    delayMs,
    wait: () => {
      const ms = delayMs();
      return ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve();
    },
    fail: () => {
      const minute = Math.floor(now() / 60_000);
      buckets.set(minute, (buckets.get(minute) ?? 0) + 1);
    },
  };
}
