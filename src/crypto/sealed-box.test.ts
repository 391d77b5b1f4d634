import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { generateKeyPair, openSealed, publicKeyOf, sealTo } from './sealed-box.ts';

describe('sealed boxes', () => {
  it('open only with the recipient key pair', () => {
    const alice = generateKeyPair();
    const bob = generateKeyPair();
    const key = randomBytes(32);
    const sealed = sealTo(alice.publicKey, key);
    assert.deepEqual(openSealed(alice, sealed), key);
    assert.throws(() => openSealed(bob, sealed));
    const bad = Buffer.from(sealed);
    bad[bad.length - 1] ^= 1;
    assert.throws(() => openSealed(alice, bad));
  });

  it('derives the public key from the private key', () => {
    const kp = generateKeyPair();
    assert.deepEqual(publicKeyOf(kp.privateKey), kp.publicKey);
  });
});
