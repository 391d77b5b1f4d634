// quantile() sorts through a Float64Array when that gives the comparator's order: on random lists
// (duplicates, negatives, infinities, and lists holding NaN or -0, which take the comparator) it
// must give what the comparator sort gives, bit for bit, and leave the list sorted the same way.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { seededRandom } from '../../test/support/random.ts';
import { quantile } from './quantile.ts';

function reference(values: number[], tau: number): number {
  const n = values.length;
  if (!(tau >= 0 && tau <= 1) || n === 0) return Number.NaN;
  values.sort((a, b) => a - b);
  const h = (n + 1 / 3) * tau + 1 / 3;
  const hf = Math.trunc(h);
  if (hf <= 0 || tau === 0) return values[0] as number;
  if (hf >= n || Math.abs(tau - 1) < Number.EPSILON) return values[n - 1] as number;
  const a = values[hf - 1] as number;
  const b = values[hf] as number;
  return a + (h - hf) * (b - a);
}

describe('quantile', () => {
  it('gives the comparator sort’s quantiles on 3,000 random lists', () => {
    const rnd = seededRandom(14);
    const specials = [0, -0, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e-300, -5];
    for (let n = 0; n < 3000; n++) {
      const len = Math.floor(rnd() * 40);
      const withSpecial = rnd() < 0.3;
      const values = Array.from({ length: len }, () =>
        withSpecial && rnd() < 0.2
          ? (specials[Math.floor(rnd() * specials.length)] as number)
          : Math.round((rnd() - 0.3) * 1000) / (rnd() < 0.5 ? 1 : 7),
      );
      for (const tau of [0, 0.25, 0.5, 0.75, 0.9, 1, 1.5, -0.1]) {
        const a = [...values];
        const b = [...values];
        assert.ok(Object.is(quantile(a, tau), reference(b, tau)), `${JSON.stringify(values)} ${tau}`);
        if (len > 0 && tau >= 0 && tau <= 1)
          assert.ok(
            a.every((v, i) => Object.is(v, b[i])),
            'sorted alike',
          );
      }
    }
  });
});
