import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLoginThrottle } from './login-throttle.ts';

describe('createLoginThrottle', () => {
  it('lets a few failures pass freely, then delays more as failures grow, up to a cap, and forgets after five minutes', () => {
    let now = 1_000_000_000;
    const t = createLoginThrottle({ freeFailuresPerMinute: 2, maxDelayMs: 5_000, now: () => now });
    for (let i = 0; i < 10; i++) t.fail();
    assert.equal(t.delayMs(), 0);
    t.fail();
    const first = t.delayMs();
    assert.ok(first > 0);
    for (let i = 0; i < 10; i++) t.fail();
    assert.ok(t.delayMs() > first);
    for (let i = 0; i < 200; i++) t.fail();
    assert.equal(t.delayMs(), 5_000);
    now += 6 * 60_000;
    assert.equal(t.delayMs(), 0);
  });
});
