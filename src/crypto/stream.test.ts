import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { CHUNK, decryptChunk, encryptChunk, newSalt, payloadKey } from './stream.ts';

function encryptAll(key: ReturnType<typeof payloadKey>, data: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let i = 0;
  for (; (i + 1) * CHUNK < data.length; i++)
    out.push(encryptChunk(key, i, data.subarray(i * CHUNK, (i + 1) * CHUNK), false));
  out.push(encryptChunk(key, i, data.subarray(i * CHUNK), true));
  return out;
}

describe('attachment STREAM', () => {
  const caseKey = randomBytes(32);
  const salt = newSalt();
  const key = payloadKey(caseKey, salt, 'att-1');

  for (const size of [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 17]) {
    it(`round-trips ${size} bytes`, () => {
      const data = randomBytes(size);
      const chunks = encryptAll(key, data);
      const back = Buffer.concat(chunks.map((c, i) => decryptChunk(key, i, c, i === chunks.length - 1)));
      assert.deepEqual(back, data);
    });
  }

  it('detects reordered, truncated and relabelled chunks', () => {
    const chunks = encryptAll(key, randomBytes(3 * CHUNK + 5));
    assert.throws(() => decryptChunk(key, 0, chunks[1], false), 'reordered');
    assert.throws(() => decryptChunk(key, 2, chunks[2], true), 'truncated: a middle chunk claimed as last');
    assert.throws(() => decryptChunk(key, 3, chunks[3], false), 'extended: the last chunk claimed as middle');
    assert.throws(
      () => decryptChunk(payloadKey(caseKey, salt, 'att-2'), 0, chunks[0], false),
      'moved to another attachment',
    );
  });

  it('refuses a short chunk that is not the last', () => {
    assert.throws(() => encryptChunk(key, 0, Buffer.alloc(10), false));
  });
});
