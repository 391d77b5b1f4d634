import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { aeadKey, open, openJson, seal, sealJson } from './aead.ts';

describe('seal/open', () => {
  const key = aeadKey(randomBytes(32));

  it('round-trips and never shows the plaintext', () => {
    const sealed = seal(key, Buffer.from('ผู้อำนวยการรับเงิน'), 'case-content/1');
    assert.ok(!sealed.includes(Buffer.from('ผู้อำนวยการ')));
    assert.equal(open(key, sealed, 'case-content/1').toString(), 'ผู้อำนวยการรับเงิน');
  });

  it('refuses another context, another key and any flipped bit', () => {
    const sealed = sealJson(key, { a: 1 }, 'x/1');
    assert.throws(() => openJson(key, sealed, 'x/2'));
    assert.throws(() => openJson(aeadKey(randomBytes(32)), sealed, 'x/1'));
    for (let i = 0; i < sealed.length; i++) {
      const bad = Buffer.from(sealed);
      bad[i] ^= 1;
      assert.throws(() => open(key, bad, 'x/1'), `byte ${i}`);
    }
  });

  it('uses a fresh nonce each time', () => {
    assert.notDeepEqual(seal(key, Buffer.from('a'), 'c'), seal(key, Buffer.from('a'), 'c'));
  });

  it('refuses keys that are not 32 bytes and inputs too short to be sealed', () => {
    assert.throws(() => aeadKey(randomBytes(16)));
    assert.throws(() => open(key, Buffer.alloc(10), 'c'));
  });
});
