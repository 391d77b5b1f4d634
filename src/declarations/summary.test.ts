// A declarant's sealed summary: the flags from it equal the flags from the contents on random
// declarations; it opens only under its key and for its row; forged, truncated and malformed
// summaries are refused (null), never half read.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { seededRandom } from '../../test/support/random.ts';
import { sealRaw } from '../crypto/aead.ts';
import { checkDeclaration, figuresOf } from './checks.ts';
import { ASSET_KINDS, type DeclarationContent } from './content.ts';
import { flagsOfChain, openSummary, sealSummary } from './summary.ts';

function randomDeclaration(rnd: () => number): DeclarationContent {
  const baht = () => (rnd() < 0.1 ? 0 : Math.round(rnd() * 10 ** (3 + Math.floor(rnd() * 6)) * 100) / 100);
  return {
    occasion: 'yearly',
    income: baht(),
    assets: Array.from({ length: Math.floor(rnd() * 5) }, () => ({
      kind: ASSET_KINDS[Math.floor(rnd() * ASSET_KINDS.length)] ?? 'other',
      description: 'x',
      value: rnd() < 0.15 ? null : baht(),
      acquiredOn: rnd() < 0.5 ? '2024-01-01' : null,
    })),
    liabilities: Array.from({ length: Math.floor(rnd() * 3) }, () => ({ description: 'y', amount: baht() })),
    interests: [],
    explanation: rnd() < 0.5 ? '' : rnd() < 0.5 ? '  ' : 'มรดก',
  };
}

describe('declaration summary', () => {
  it('gives the flags the contents give, on 2,000 random chains', () => {
    const rnd = seededRandom(18);
    for (let n = 0; n < 2000; n++) {
      const chain = Array.from({ length: 1 + Math.floor(rnd() * 4) }, () => randomDeclaration(rnd));
      const ids = chain.map(() => randomUUID());
      const key = randomBytes(32);
      const latest = ids.at(-1) as string;
      const sealed = sealSummary(
        key,
        latest,
        chain.map((c, i) => ({ id: ids[i] as string, figures: figuresOf(c) })),
      );
      const items = openSummary(key, latest, sealed);
      assert.ok(items);
      assert.deepEqual(
        items.map((it) => it.id),
        ids,
      );
      const want = chain.map((c, i) => checkDeclaration(c, i === 0 ? null : (chain[i - 1] ?? null)));
      assert.deepEqual(flagsOfChain(items.map((it) => it.figures)), want);
    }
  });

  it('opens only under its key and for its own row; forged or malformed summaries are null', () => {
    const key = randomBytes(32);
    const id = randomUUID();
    const figures = figuresOf(randomDeclaration(seededRandom(1)));
    const sealed = sealSummary(key, id, [{ id, figures }]);
    assert.equal(openSummary(randomBytes(32), id, sealed), null, 'another key');
    assert.equal(openSummary(key, randomUUID(), sealed), null, 'moved to another row');
    const flipped = Buffer.from(sealed);
    flipped[20] = (flipped[20] as number) ^ 1;
    assert.equal(openSummary(key, id, flipped), null, 'altered');
    assert.equal(openSummary(key, id, sealed.subarray(0, 10)), null, 'truncated');
    assert.equal(openSummary(key, id, Buffer.alloc(0)), null, 'empty');
    const aad = `declaration-summary/${id}`;
    for (const body of [
      'null',
      '[]',
      'not json',
      '{"v":2,"d":[]}',
      '{"v":1,"d":{}}',
      '{"v":1,"d":[["x",1,2,3,4]]}',
      '{"v":1,"d":[["x",1,2,3,4,"5"]]}',
      '{"v":1,"d":[[1,1,2,3,4,0]]}',
      `{"v":1,"d":[["x",1e999,2,3,4,0]]}`,
    ])
      assert.equal(openSummary(key, id, sealRaw(key, Buffer.from(body), aad)), null, body);
    assert.deepEqual(openSummary(key, id, sealRaw(key, Buffer.from('{"v":1,"d":[]}'), aad)), []);
  });
});
