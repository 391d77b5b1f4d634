import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createByteIds } from './byte-ids.ts';

describe('createByteIds', () => {
  it('numbers byte strings in the order first added, wherever they lie in a buffer', () => {
    const ids = createByteIds();
    const row = Buffer.from('staff-1,i1,4');
    assert.equal(ids.add(row, 0, 7), 0);
    assert.equal(ids.add(row, 8, 10), 1);
    assert.equal(ids.add(Buffer.from('xstaff-1'), 1, 8), 0);
    assert.equal(ids.find(Buffer.from('i1'), 0, 2), 1);
    assert.equal(ids.find(Buffer.from('i2'), 0, 2), -1);
    assert.equal(ids.add(row, 0, 0), 2); // the empty string is an id like another
    assert.equal(ids.size(), 3);
  });

  it('keeps every number as it grows, and tells apart ids that differ in one byte or in length', () => {
    const ids = createByteIds();
    const names = Array.from({ length: 20_000 }, (_, k) => Buffer.from(`ผู้ตอบ-${k}`));
    names.forEach((name, k) => assert.equal(ids.add(name, 0, name.length), k));
    names.forEach((name, k) => assert.equal(ids.find(name, 0, name.length), k));
    const first = names[1]!; // ผู้ตอบ-1, a prefix of ผู้ตอบ-10…
    assert.equal(ids.find(first, 0, first.length - 1), -1);
    assert.equal(ids.size(), 20_000);
  });
});
