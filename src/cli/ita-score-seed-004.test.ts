// Seed 004 scored as a user would, from individual answers, with NACC's FY 2565 questionnaire and
// 43-item checklist (the structure of 2563–2565); fixtures and how they were made:
// test/fixtures/ita/seed-004/README.md.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';

const ROOT = path.join(import.meta.dirname, '../..');
const FIXTURES = path.join(ROOT, 'test/fixtures/ita/seed-004');

type Breakdown = {
  fiscalYear: number;
  ita: string | null;
  grade: string | null;
  passed: boolean | null;
  instruments: { code: string; weight: string; score: string | null; respondents: number | null }[];
  indicators: { number: number; score: string | null }[];
  checklist: { id: string; disclosed: boolean }[];
};

const runs = new Map<number, Breakdown>();

/** `sujarit ita score` on the year's answers, in its own process (once a year: it is slow on a busy machine). */
function itaScore(year: number): Breakdown {
  const done = runs.get(year);
  if (done) return done;
  const r = spawnSync(
    process.execPath,
    [
      'src/cli/main.ts',
      'ita',
      'score',
      '--framework',
      'ita-2565.json',
      '--responses',
      path.join(FIXTURES, `answers-${year}.csv`),
    ],
    { cwd: ROOT, encoding: 'utf8' },
  );
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as Breakdown;
  runs.set(year, out);
  return out;
}

describe('sujarit ita score: seed 004 on the FY 2565 structure', () => {
  const rows: [number, Record<string, string>, string, number][] = [
    [2563, { IIT: '80.79', EIT: '84.47', OIT: '97.50' }, '88.58', 73],
    [2564, { IIT: '83.41', EIT: '92.21', OIT: '100.00' }, '92.69', 77],
  ];
  for (const [year, instruments, ita, outsiders] of rows) {
    it(`gives seed 004's FY ${year}: ${Object.values(instruments).join(' / ')} → ${ita} (A)`, () => {
      const out = itaScore(year);
      assert.deepEqual(Object.fromEntries(out.instruments.map((i) => [i.code, i.score])), instruments);
      assert.deepEqual(
        out.instruments.map((i) => [i.code, i.weight, i.respondents]),
        [
          ['IIT', '0.30', 40],
          ['EIT', '0.30', outsiders],
          ['OIT', '0.40', null],
        ],
      );
      assert.deepEqual([out.ita, out.grade, out.passed], [ita, 'A', true]);
      assert.equal(out.checklist.length, 43);
    });
  }

  it('takes FY 2563 OIT 97.50 from the 43-item checklist with one item of 9.4 missing', () => {
    const out = itaScore(2563);
    assert.deepEqual(
      out.checklist.filter((c) => !c.disclosed).map((c) => c.id),
      ['o28'],
    );
    // 9.4 = 3 of 4 = 75.00; indicator 9 = (100 + 100 + 100 + 75 + 100) / 5 = 95.00; OIT = (95 + 100) / 2.
    assert.deepEqual(
      out.indicators.filter((i) => i.number >= 9).map((i) => [i.number, i.score]),
      [
        [9, '95.00'],
        [10, '100.00'],
      ],
    );
  });
});
