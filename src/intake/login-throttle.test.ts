import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_LOGIN_LIMITS } from '../config/load.ts';
import { createLoginThrottle, limitsOfWorker } from './login-throttle.ts';

type Step = { atMs: number; key?: string; expect: 'ok' | number; refund?: boolean };

describe('createLoginThrottle', () => {
  // A bucket of 3 refilled at 60 a minute (one a second); `expect` is 'ok' or the Retry-After.
  const cases: { name: string; steps: Step[] }[] = [
    {
      name: 'admits a burst, then refuses at once with the seconds until the next guess',
      steps: [
        { atMs: 0, expect: 'ok' },
        { atMs: 0, expect: 'ok' },
        { atMs: 0, expect: 'ok' },
        { atMs: 0, expect: 1 },
        { atMs: 10, expect: 1 },
      ],
    },
    {
      name: 'refills at the configured rate, never above the burst',
      steps: [
        { atMs: 0, expect: 'ok' },
        { atMs: 0, expect: 'ok' },
        { atMs: 0, expect: 'ok' },
        { atMs: 1000, expect: 'ok' },
        { atMs: 1000, expect: 1 },
        { atMs: 60_000, expect: 'ok' },
        { atMs: 60_000, expect: 'ok' },
        { atMs: 60_000, expect: 'ok' },
        { atMs: 60_000, expect: 1 },
      ],
    },
    {
      name: 'gives back the guess of a login that succeeded',
      steps: [
        { atMs: 0, expect: 'ok', refund: true },
        { atMs: 0, expect: 'ok', refund: true },
        { atMs: 0, expect: 'ok', refund: true },
        { atMs: 0, expect: 'ok', refund: true },
        { atMs: 0, expect: 'ok' },
        { atMs: 0, expect: 'ok' },
        { atMs: 0, expect: 'ok' },
        { atMs: 0, expect: 1 },
      ],
    },
    {
      name: 'keeps one bucket per key',
      steps: [
        { atMs: 0, key: 'a', expect: 'ok' },
        { atMs: 0, key: 'a', expect: 'ok' },
        { atMs: 0, key: 'a', expect: 'ok' },
        { atMs: 0, key: 'a', expect: 1 },
        { atMs: 0, key: 'b', expect: 'ok' },
        { atMs: 0, expect: 'ok' },
      ],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      let now = 1_000_000;
      const throttle = createLoginThrottle({ perMinute: 60, burst: 3 }, () => now);
      c.steps.forEach((s, i) => {
        now = 1_000_000 + s.atMs;
        if (s.expect === 'ok') {
          const refund = throttle.reserve(s.key);
          if (s.refund) refund();
        } else {
          assert.throws(
            () => throttle.reserve(s.key),
            (e: { code?: string; retryAfterSeconds?: number; userMessage?: string }) => {
              assert.equal(e.code, 'too_many_requests', `step ${i}`);
              assert.equal(e.userMessage, 'error.rate_limited');
              assert.equal(e.retryAfterSeconds, s.expect, `step ${i}`);
              return true;
            },
          );
        }
      });
    });
  }

  it('computes Retry-After from a slow refill (one guess a minute)', () => {
    let now = 0;
    const throttle = createLoginThrottle({ perMinute: 1, burst: 1 }, () => now);
    throttle.reserve('x');
    now = 15_000;
    assert.throws(() => throttle.reserve('x'), { retryAfterSeconds: 45 });
  });

  it('refunds once however often the refund is called', () => {
    const throttle = createLoginThrottle({ perMinute: 1, burst: 2 }, () => 0);
    const refund = throttle.reserve();
    throttle.reserve();
    refund();
    refund();
    throttle.reserve();
    assert.throws(() => throttle.reserve(), { code: 'too_many_requests' });
  });

  it('gives each of N workers 1/N of every budget, so N processes allow what one would', () => {
    const three = limitsOfWorker(DEFAULT_LOGIN_LIMITS, 3);
    assert.deepEqual(three.receipt, { perMinute: 200, burst: 7 });
    assert.deepEqual(three.staffAccount, { perMinute: 1 / 3, burst: 2 });
    // An attacker spread over the three workers (the first process hands connections out in turn)
    // gets the bursts of three buckets, then the one refill rate split three ways.
    let now = 0;
    const workers = Array.from({ length: 3 }, () => createLoginThrottle(three.staffAccount, () => now));
    let admitted = 0;
    for (let minute = 0; minute <= 30; minute++) {
      now = minute * 60_000;
      for (const w of workers)
        for (;;) {
          try {
            w.reserve('victim@agency.example');
            admitted++;
          } catch {
            break;
          }
        }
    }
    // One process: a burst of 5, then 1 a minute: 35 in 30 minutes. Three workers: bursts of 2 each, then 30 refills.
    assert.ok(admitted <= 6 + 30 + 1, `${admitted} guesses in 30 minutes`);
  });
});
