// Item analysis reproduced on Moodle's known answer (test/fixtures/moodle-quiz-stats/: 25 attempts ×
// 7 questions, the expected figures computed by Moodle's authors in a separate spreadsheet), to the
// tolerance Moodle's own test allows; learning gain and attempt grades table-driven; hostile input.
// Pure: no database.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { seededRandom } from '../../test/support/random.ts';
import {
  analyseQuiz,
  attemptGrade,
  courseGain,
  gradedAttempts,
  type GradingMethod,
  type ItemAttempt,
  type ItemStat,
  itemAnalysis,
  learningGain,
  testStatistics,
} from './item-analysis.ts';

const FIXTURES = path.join(import.meta.dirname, '../../test/fixtures/moodle-quiz-stats');

/** A CSV of plain numbers and names (no quotes in these files) as rows keyed by the header. */
function csv(name: string): Record<string, string>[] {
  const [head = '', ...lines] = readFileSync(path.join(FIXTURES, name), 'utf8').trim().split('\n');
  const keys = head.split(',');
  return lines.map((line) => Object.fromEntries(line.split(',').map((v, i) => [keys[i], v])));
}

const SLOTS = 7;
const results = csv('results00.csv');
// questions00.csv (each slot's maximum mark) is not in the stored copy of Moodle's repository: every
// slot's maximum is 1 here, which the expected facility confirms (facility = mean mark / maximum).
const attempts: ItemAttempt[] = results.map((r) => ({
  itemScores: Array.from({ length: SLOTS }, (_, i) => Number(r[`slots.${i + 1}.mark`])),
  maxMarks: Array(SLOTS).fill(1),
}));

/** Moodle's check: |expected − actual| ≤ |expected| × precision (stats_from_steps_walkthrough_test.php). */
function near(actual: number | null, expected: number, precision: number, what: string): void {
  assert.ok(actual !== null, `${what} is null, expected ${expected}`);
  assert.ok(
    Math.abs(actual - expected) <= Math.abs(expected) * precision,
    `${what}: ${actual}, expected ${expected} within ${precision} relative`,
  );
}

const FIELDS: Record<string, keyof ItemStat> = {
  facility: 'facility',
  sd: 'sd',
  effectiveweight: 'effectiveWeight',
  covariance: 'covariance',
  markvariance: 'markVariance',
  othermarkvariance: 'otherMarkVariance',
  discriminationindex: 'discriminationIndex',
  covariancemax: 'covarianceMax',
  discriminativeefficiency: 'discriminativeEfficiency',
};
/** Moodle's tolerances: 1e-5 for these four, 1e-6 for every other question statistic. */
const LOOSER = new Set(['covariance', 'discriminationindex', 'discriminativeefficiency', 'effectiveweight']);

describe("item analysis on Moodle's known answer (quiz 00)", () => {
  const stats = itemAnalysis(attempts);

  it('reads the fixture: 25 attempts of 7 items whose marks add up to the totals Moodle recorded', () => {
    assert.equal(attempts.length, 25);
    for (const [a, r] of results.entries()) {
      const total = attempts[a]?.itemScores.reduce<number>((s, m) => s + (m ?? 0), 0) ?? 0;
      // summarks is stored with 5 decimals (4.33333 for 4.3333333).
      assert.ok(Math.abs(total - Number(r.summarks)) < 1e-5, `attempt ${r.quizattempt}`);
    }
  });

  for (const row of csv('qstats00.csv')) {
    it(`slot ${row.slot}: every statistic in qstats00.csv`, () => {
      const st = stats[Number(row.slot) - 1];
      assert.ok(st);
      assert.equal(st.attempts, 25);
      for (const [column, field] of Object.entries(FIELDS)) {
        const expected = row[column];
        assert.ok(expected !== undefined && expected !== '', `qstats00.csv has ${column}`);
        near(
          st[field] as number | null,
          Number(expected),
          LOOSER.has(column) ? 1e-5 : 1e-6,
          `${column} of slot ${row.slot}`,
        );
      }
    });
  }

  it('test statistics: every figure Moodle checks for quiz 00, within its 1.5e-5', () => {
    const t = testStatistics(attempts, stats);
    const got: Record<string, number | null> = {
      median: t.median,
      allattemptsavg: t.mean,
      allattemptscount: t.attempts,
      standarddeviation: t.sd,
      skewness: t.skewness,
      kurtosis: t.kurtosis,
      cic: t.cic,
      errorratio: t.errorRatio,
      standarderror: t.standardError,
    };
    const rows = csv('quizstats00.csv');
    assert.equal(rows.length, Object.keys(got).length);
    for (const row of rows) {
      const name = row.statistic ?? '';
      assert.ok(name in got, name);
      near(got[name] ?? null, Number(row.expected), 1.5e-5, name);
    }
    assert.deepEqual(testStatistics(attempts), t, 'the same figures without the item statistics passed in');
  });

  it('intended weight: each of 7 equal items carries 1/7 of the test', () => {
    for (const st of stats) near(st.intendedWeight, 100 / 7, 1e-12, `item ${st.item}`);
  });
});

/** Moodle's walk written the plain way (arrays, sort, every sum by its definition): the reference. */
function reference(attempts: ItemAttempt[], item: number) {
  const s = attempts.length;
  const mark = attempts.map((a) => a.itemScores[item] ?? 0);
  const total = attempts.map((a) => a.itemScores.reduce<number>((t, m) => t + (m ?? 0), 0));
  const other = total.map((t, k) => t - (mark[k] as number));
  const mean = (v: number[]) => v.reduce((x, y) => x + y, 0) / v.length;
  const [mm, om] = [mean(mark), mean(other)];
  const sm = [...mark].sort((x, y) => x - y);
  const so = [...other].sort((x, y) => x - y);
  let [mv, ov, cov, cmax] = [0, 0, 0, 0];
  for (let k = 0; k < s; k++) {
    mv += ((mark[k] as number) - mm) ** 2;
    ov += ((other[k] as number) - om) ** 2;
    cov += ((mark[k] as number) - mm) * ((other[k] as number) - om);
    cmax += ((sm[k] as number) - mm) * ((so[k] as number) - om);
  }
  return {
    markVariance: mv / (s - 1),
    otherMarkVariance: ov / (s - 1),
    covariance: cov / (s - 1),
    covarianceMax: cmax / (s - 1),
  };
}

describe('item analysis against the plain reference', () => {
  // Few distinct marks walk runs of equal values; thousands of distinct marks fall back to sorting.
  const cases: [string, (r: () => number) => number][] = [
    ['whole and half marks', (r) => Math.floor(r() * 3) / 2],
    ['marks of any value (past 4,096 distinct values)', (r) => r()],
  ];
  for (const [what, draw] of cases)
    it(what, () => {
      const r = seededRandom(7);
      const attempts = Array.from({ length: 6000 }, () => ({
        itemScores: Array.from({ length: 5 }, () => (r() < 0.02 ? null : draw(r))),
        maxMarks: [1, 1, 1, 1, 1],
      }));
      const { items, test } = analyseQuiz(attempts);
      assert.deepEqual(items, itemAnalysis(attempts));
      assert.deepEqual(test, testStatistics(attempts));
      for (const st of items) {
        const ref = reference(attempts, st.item);
        for (const [k, v] of Object.entries(ref))
          near(st[k as keyof ItemStat] as number, v, 1e-9, `${k} of item ${st.item}`);
      }
    });
});

describe('item analysis: edges and hostile input', () => {
  it('no attempt: no statistics; one attempt: facility only, no spread', () => {
    assert.deepEqual(itemAnalysis([]), []);
    const [one] = itemAnalysis([{ itemScores: [2], maxMarks: [4] }]);
    assert.equal(one?.facility, 0.5);
    assert.equal(one?.sd, null);
    assert.equal(one?.discriminationIndex, null);
    assert.equal(one?.discriminativeEfficiency, null);
    const t = testStatistics([{ itemScores: [2], maxMarks: [4] }]);
    assert.deepEqual([t.mean, t.median, t.sd, t.cic], [2, 2, null, null]);
    assert.deepEqual(testStatistics([]).mean, null);
  });

  it('null marks count as 0 (an attempt finished without an answer), as Moodle counts a null fraction', () => {
    const withNull = itemAnalysis([
      { itemScores: [null, 1], maxMarks: [1, 1] },
      { itemScores: [1, 0], maxMarks: [1, 1] },
      { itemScores: [1, 1], maxMarks: [1, 1] },
    ]);
    const withZero = itemAnalysis([
      { itemScores: [0, 1], maxMarks: [1, 1] },
      { itemScores: [1, 0], maxMarks: [1, 1] },
      { itemScores: [1, 1], maxMarks: [1, 1] },
    ]);
    assert.deepEqual(withNull, withZero);
  });

  it('an item everyone gets right has no discrimination index (no variance), not NaN', () => {
    const stats = itemAnalysis([
      { itemScores: [1, 0], maxMarks: [1, 1] },
      { itemScores: [1, 1], maxMarks: [1, 1] },
      { itemScores: [1, 1], maxMarks: [1, 1] },
    ]);
    assert.equal(stats[0]?.facility, 1);
    assert.equal(stats[0]?.sd, 0);
    assert.equal(stats[0]?.discriminationIndex, null);
    assert.equal(stats[0]?.discriminativeEfficiency, null);
    assert.equal(stats[0]?.effectiveWeight, 0);
  });

  it('a zero maximum has no facility', () => {
    assert.equal(itemAnalysis([{ itemScores: [0], maxMarks: [0] }])[0]?.facility, null);
  });

  const hostile: [string, ItemAttempt[]][] = [
    [
      'a short attempt',
      [
        { itemScores: [1, 1], maxMarks: [1, 1] },
        { itemScores: [1], maxMarks: [1] },
      ],
    ],
    ['maxima of another length', [{ itemScores: [1, 1], maxMarks: [1] }]],
    ['a mark above its maximum', [{ itemScores: [2], maxMarks: [1] }]],
    ['a negative mark', [{ itemScores: [-1], maxMarks: [1] }]],
    ['a negative maximum', [{ itemScores: [0], maxMarks: [-1] }]],
    ['NaN', [{ itemScores: [Number.NaN], maxMarks: [1] }]],
    ['Infinity', [{ itemScores: [1], maxMarks: [Number.POSITIVE_INFINITY] }]],
    ['a string smuggled in', [{ itemScores: ['1' as unknown as number], maxMarks: [1] }]],
  ];
  for (const [what, input] of hostile)
    it(`refuses ${what}`, () => {
      assert.throws(() => itemAnalysis(input), RangeError);
      assert.throws(() => testStatistics(input), RangeError);
    });
});

describe('learning gain', () => {
  const table: [pre: number, post: number, max: number, gain: number, normalised: number | null][] = [
    [40, 70, 100, 30, 0.5],
    [0, 100, 100, 100, 1],
    [0, 0, 100, 0, 0],
    [50, 50, 100, 0, 0],
    [80, 60, 100, -20, -1],
    [100, 100, 100, 0, null],
    [100, 90, 100, -10, null],
    [3, 7, 10, 4, 4 / 7],
    [2.5, 5, 10, 2.5, 1 / 3],
  ];
  for (const [pre, post, max, gain, normalised] of table)
    it(`pre ${pre}, post ${post} of ${max}: gain ${gain}, normalised ${normalised}`, () => {
      assert.deepEqual(learningGain(pre, post, max), { gain, normalised });
    });

  const bad: [number, number, number][] = [
    [-1, 5, 10],
    [5, 11, 10],
    [11, 5, 10],
    [0, 0, 0],
    [0, 0, -10],
    [Number.NaN, 5, 10],
    [5, Number.POSITIVE_INFINITY, 10],
  ];
  for (const [pre, post, max] of bad)
    it(`refuses pre ${pre}, post ${post} of ${max}`, () => {
      assert.throws(() => learningGain(pre, post, max), RangeError);
    });
});

describe("attempt grade by Moodle's grading methods", () => {
  const table: [grades: number[], method: GradingMethod, grade: number | null][] = [
    [[4, 9, 6], 'highest', 9],
    [[4, 9, 6], 'average', 19 / 3],
    [[4, 9, 6], 'first', 4],
    [[4, 9, 6], 'last', 6],
    [[7], 'highest', 7],
    [[7], 'average', 7],
    [[7], 'first', 7],
    [[7], 'last', 7],
    [[0, 0], 'average', 0],
    [[], 'highest', null],
    [[], 'average', null],
    [[], 'first', null],
    [[], 'last', null],
  ];
  for (const [grades, method, grade] of table)
    it(`${method} of [${grades.join(', ')}] is ${grade}`, () => {
      assert.equal(attemptGrade(grades, method), grade);
    });

  it('highest of 200,000 attempts (no argument-count limit)', () => {
    const many = Array.from({ length: 200_000 }, (_, i) => i % 1000);
    assert.equal(attemptGrade(many, 'highest'), 999);
  });

  it('refuses an unknown method and non-finite grades', () => {
    assert.throws(() => attemptGrade([1], 'median' as GradingMethod), RangeError);
    assert.throws(() => attemptGrade([1, Number.NaN], 'first'), RangeError);
  });
});

describe('course gain', () => {
  it('means, the class-average normalised gain and the mean of the people’s own', () => {
    // pre 40 → 70 (g 0.5), 80 → 90 (g 0.5), 100 → 100 (no g): means 73.3 → 86.7.
    const got = courseGain(
      [
        { pre: 40, post: 70 },
        { pre: 80, post: 90 },
        { pre: 100, post: 100 },
      ],
      100,
    );
    assert.equal(got.people, 3);
    near(got.meanPre, 220 / 3, 1e-12, 'meanPre');
    near(got.meanPost, 260 / 3, 1e-12, 'meanPost');
    near(got.meanGain, 40 / 3, 1e-12, 'meanGain');
    near(got.classNormalised, 40 / 3 / (100 - 220 / 3), 1e-12, 'classNormalised');
    assert.equal(got.meanNormalised, 0.5);
    assert.equal(got.atMaximum, 1);
  });

  it('nobody: no figure; everyone at the maximum: no normalised gain', () => {
    assert.deepEqual(courseGain([], 10), {
      people: 0,
      meanPre: null,
      meanPost: null,
      meanGain: null,
      classNormalised: null,
      meanNormalised: null,
      atMaximum: 0,
    });
    const full = courseGain([{ pre: 10, post: 10 }], 10);
    assert.deepEqual([full.classNormalised, full.meanNormalised, full.atMaximum], [null, null, 1]);
  });

  it('refuses a pair outside 0..max', () => {
    assert.throws(() => courseGain([{ pre: 5, post: 12 }], 10), RangeError);
  });
});

describe("the attempts that count, as Moodle's report selects them", () => {
  type A = { n: number; grade: number };
  const taken: A[] = [
    { n: 1, grade: 4 },
    { n: 2, grade: 9 },
    { n: 3, grade: 9 },
    { n: 4, grade: 6 },
  ];
  const table: [GradingMethod, number[]][] = [
    ['average', [1, 2, 3, 4]],
    ['first', [1]],
    ['last', [4]],
    ['highest', [2]], // the earliest of the two 9s
  ];
  for (const [method, numbers] of table)
    it(`${method}: attempts ${numbers.join(', ')}`, () => {
      assert.deepEqual(
        gradedAttempts(taken, (a) => a.grade, method).map((a) => a.n),
        numbers,
      );
      const grades = gradedAttempts(taken, (a) => a.grade, method).map((a) => a.grade);
      if (method !== 'average')
        assert.equal(
          grades[0],
          attemptGrade(
            taken.map((a) => a.grade),
            method,
          ),
        );
    });

  it('no attempt: none; a forged grade or method is refused', () => {
    assert.deepEqual(
      gradedAttempts([], (a: A) => a.grade, 'highest'),
      [],
    );
    assert.throws(() => gradedAttempts([{ n: 1, grade: Number.NaN }], (a) => a.grade, 'highest'), RangeError);
    assert.throws(() => gradedAttempts(taken, (a) => a.grade, 'best' as GradingMethod), RangeError);
  });
});
