import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLoginThrottle } from '../../intake/login-throttle.ts';
import { translator } from '../../i18n/messages.ts';
import type { LineDeps } from './deps.ts';
import { trackByCode } from './track-on-line.ts';

describe('trackByCode', () => {
  it('answers at once that too many wrong codes were tried, instead of failing the event for a retry', async () => {
    const throttle = createLoginThrottle({ perMinute: 1, burst: 1 });
    throttle.reserve(); // the platform-wide budget of tracking codes is spent
    // Refused before any derivation or query: the database and keys are never reached.
    const deps = {
      throttle,
      config: { kdf: { memoryKiB: 64, iterations: 1, parallelism: 1 }, publicUrl: 'http://x' },
      secrets: { receiptSalt: Buffer.alloc(16) },
    } as unknown as LineDeps;
    const messages = await trackByCode(deps, '1234567812345678', 'en');
    assert.match(JSON.stringify(messages), new RegExp(translator('en')('error.rate_limited').slice(0, 30)));
  });
});
