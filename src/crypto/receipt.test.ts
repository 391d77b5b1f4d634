import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { deriveReceiptKeys, formatReceipt, generateReceipt, normalizeReceipt } from './receipt.ts';

const CHEAP = { memoryKiB: 64, iterations: 1, parallelism: 1 };

describe('receipts', () => {
  it('draws 16 digits, uniformly enough that 2,000 draws cover every digit in every place', () => {
    const seen = Array.from({ length: 16 }, () => new Set<string>());
    const all = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const r = generateReceipt();
      assert.match(r, /^\d{16}$/);
      all.add(r);
      [...r].forEach((d, p) => seen[p].add(d));
    }
    assert.equal(all.size, 2000);
    for (const s of seen) assert.equal(s.size, 10);
  });

  it('formats in groups of four and reads back what people type', () => {
    assert.equal(formatReceipt('1234567890123456'), '1234 5678 9012 3456');
    const cases: [string, string | null][] = [
      ['1234 5678 9012 3456', '1234567890123456'],
      ['1234-5678-9012-3456', '1234567890123456'],
      ['๑๒๓๔๕๖๗๘๙๐๑๒๓๔๕๖', '1234567890123456'],
      ['123456789012345', null],
      ['12345678901234567', null],
      ['1234abcd90123456', null],
      ['', null],
    ];
    for (const [input, want] of cases) assert.equal(normalizeReceipt(input), want, input);
  });

  it('derives a lookup and a key that differ, depend on the receipt and on the salt', async () => {
    const salt = randomBytes(16);
    const a = await deriveReceiptKeys('1234567890123456', salt, CHEAP);
    const again = await deriveReceiptKeys('1234567890123456', salt, CHEAP);
    const other = await deriveReceiptKeys('1234567890123457', salt, CHEAP);
    const otherSalt = await deriveReceiptKeys('1234567890123456', randomBytes(16), CHEAP);
    assert.deepEqual(a, again);
    assert.notDeepEqual(a.lookup, a.key);
    assert.notDeepEqual(a.lookup, other.lookup);
    assert.notDeepEqual(a.lookup, otherSalt.lookup);
    assert.equal(a.lookup.length, 32);
    assert.equal(a.key.length, 32);
  });
});
