// What NACC's own published FY 2564 figures confirm about the scoring rules, solved from them: the
// fixture and its sources are in test/fixtures/ita/nacc-2564/. Pure: no database.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { loadShippedFramework } from './framework.ts';
import { gradeOf, parseScore, roundHalfUp, scoreAnswers } from './score.ts';
import type { Answers, Framework } from './types.ts';

const FIXTURE = path.join(import.meta.dirname, '../../test/fixtures/ita/nacc-2564/published.json');
const published = JSON.parse(readFileSync(FIXTURE, 'utf8')) as {
  phichit: { ita: number[]; grade: string[]; oitShare: number[]; indicator9: number[]; indicator10: number[] };
  provinces: { rows: { province: string; year: number; indicators: number[]; ita: number }[] };
};
const h = (n: number): number => parseScore(n.toFixed(2))!;
const f2565 = loadShippedFramework('ita-2565.json');

/** Verdicts with the first `missing.get(s)` items of each sub-indicator s not disclosed, every other item disclosed. */
function verdicts(f: Framework, missing: Map<string, number>): Map<string, boolean> {
  const seen = new Map<string, number>();
  return new Map(
    f.checklist.map((c) => {
      const k = seen.get(c.subIndicator!) ?? 0;
      seen.set(c.subIndicator!, k + 1);
      return [c.id, k >= (missing.get(c.subIndicator!) ?? 0)];
    }),
  );
}

/** Every way of leaving items out of the sub-indicators of `indicator` (at most 2 per sub-indicator). */
function* ways(f: Framework, indicator: number): Generator<Map<string, number>> {
  const subs = (f.subIndicators ?? []).filter((s) => s.indicator === indicator).map((s) => s.id);
  const counts = subs.map(() => 0);
  for (;;) {
    yield new Map(subs.map((s, k) => [s, counts[k]!]));
    let k = 0;
    while (k < counts.length && counts[k] === 2) counts[k++] = 0;
    if (k === counts.length) return;
    counts[k]! += 1;
  }
}

const oitOnly = (v: Map<string, boolean>): Answers => ({
  tallies: new Map(),
  respondents: { IIT: 0, EIT: 0 },
  verdicts: v,
});
const indicatorScore = (f: Framework, v: Map<string, boolean>, n: number) =>
  scoreAnswers(f, oitOnly(v)).indicators.find((i) => i.number === n)!.score;

describe('NACC FY 2564, Phichit agencies (group 6 report, table 4.26)', () => {
  const p = published.phichit;
  p.indicator9.forEach((ind9, col) => {
    const ind10 = p.indicator10[col]!;
    it(`column ${col + 1}: indicators 9 = ${ind9.toFixed(2)} and 10 = ${ind10.toFixed(2)} are means of sub-indicators`, () => {
      const solved = (n: number, want: number) =>
        [...ways(f2565, n)].find((m) => indicatorScore(f2565, verdicts(f2565, m), n) === h(want));
      const m9 = solved(9, ind9);
      const m10 = solved(10, ind10);
      assert.ok(m9, `no items left out of 9.1–9.5 give ${ind9}`);
      assert.ok(m10, `no items left out of 10.1–10.2 give ${ind10}`);
      const r = scoreAnswers(f2565, oitOnly(verdicts(f2565, new Map([...m9, ...m10]))));
      const oit = r.instruments.find((i) => i.code === 'OIT')!.score!;
      assert.equal(roundHalfUp(4000 * oit, 10000), h(p.oitShare[col]!), 'the OIT column is 0.40 × OIT');
    });
  });

  it('is not reachable as a share of all the items of an indicator (33 of 9, 10 of 10)', () => {
    const shares = (n: number) => Array.from({ length: n + 1 }, (_, k) => roundHalfUp(10000 * k, n));
    for (const v of p.indicator9.filter((x) => x < 100)) assert.ok(!shares(33).includes(h(v)), `${v}`);
    for (const v of p.indicator10.filter((x) => x < 100)) assert.ok(!shares(10).includes(h(v)), `${v}`);
  });

  it('grades the ITA with AA from 95 (94.73 is A)', () => {
    assert.deepEqual(
      p.ita.map((x) => gradeOf(f2565, h(x))),
      p.grade,
    );
  });
});

describe('NACC FY 2563–2564, provinces (group 2 report)', () => {
  // ITA = 0.30 × mean(1–5) + 0.30 × mean(6–8) + 0.40 × mean(9–10), from the printed indicators.
  // In integers: (0.3·Σ1–5/5 + 0.3·Σ6–8/3 + 0.4·Σ9–10/2) = (18·Σ1–5 + 30·Σ6–8 + 60·Σ9–10) / 300.
  const itaOf = (ind: number[]) => {
    const sum = (xs: number[]) => xs.reduce((a, b) => a + h(b), 0);
    return roundHalfUp(18 * sum(ind.slice(0, 5)) + 30 * sum(ind.slice(5, 8)) + 60 * sum(ind.slice(8, 10)), 300);
  };
  it('gives the printed ITA with the weights 0.30/0.30/0.40 in 4 rows of 5, and 0.01 less in the other', () => {
    const off = published.provinces.rows
      .map((r) => ({ row: `${r.province} ${r.year}`, diff: h(r.ita) - itaOf(r.indicators) }))
      .filter((x) => x.diff !== 0);
    // Chanthaburi 2563 computes to 67.53 from its printed indicators, printed 67.54: NACC does not
    // compute the ITA from the two-decimal indicators it prints (or these rows are averages).
    assert.deepEqual(off, [{ row: 'จันทบุรี 2563', diff: 1 }]);
  });
});
