import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { isAppError } from '../errors.ts';
import { loadFrameworkFile, parseFramework } from './framework.ts';
import {
  answerPoints,
  formatScore,
  gradeOf,
  parseDecimal,
  parseScore,
  roundHalfUp,
  scoreAnswers,
  weakest,
} from './score.ts';
import type { Answers, Framework, QuestionTally } from './types.ts';

const FIXTURES = path.join(import.meta.dirname, '../../test/fixtures/ita');
const seedFramework = loadFrameworkFile(path.join(FIXTURES, 'seed-004-framework.json'));

/** counts[k] = how many gave answer k + 1 (levels); for yes/no [no, yes]. */
const tally = (counts: number[], base = 1): QuestionTally =>
  new Map(counts.map((c, k) => [k + base, c] as [number, number]).filter(([, c]) => c > 0));

function answers(
  tallies: Record<string, QuestionTally>,
  respondents: Answers['respondents'],
  verdicts: Record<string, boolean> = {},
): Answers {
  return { tallies: new Map(Object.entries(tallies)), respondents, verdicts: new Map(Object.entries(verdicts)) };
}

const allOit = (disclosed: number): Record<string, boolean> =>
  Object.fromEntries(Array.from({ length: 21 }, (_, k) => [`o${k + 1}`, k < disclosed]));

describe('roundHalfUp', () => {
  const cases: [number, number, number][] = [
    [0, 1, 0],
    [1, 2, 1],
    [3, 2, 2],
    [5, 2, 3],
    [17807, 2, 8904],
    [92686, 10, 9269],
    [88578, 10, 8858],
    [949950, 100, 9500],
    [949949, 100, 9499],
    [2 ** 52, 3, 1501199875790165],
    [Number.MAX_SAFE_INTEGER, 2, 4503599627370496],
  ];
  for (const [num, den, want] of cases)
    it(`rounds ${num}/${den} to ${want}`, () => assert.equal(roundHalfUp(num, den), want));
  it('refuses negative or fractional input', () => {
    assert.throws(() => roundHalfUp(-1, 2), RangeError);
    assert.throws(() => roundHalfUp(1.5, 2), RangeError);
    assert.throws(() => roundHalfUp(1, 0), RangeError);
  });
});

describe('parseDecimal, parseScore and formatScore', () => {
  const decimals: [number | string, number, number | null][] = [
    [0.3, 4, 3000],
    [0.29, 2, 29],
    [0.3333, 4, 3333],
    [33.33, 2, 3333],
    [66.67, 2, 6667],
    [100, 2, 10000],
    ['85', 2, 8500],
    [33.333, 2, null],
    [-1, 2, null],
    [1e-7, 4, null],
    [Number.NaN, 2, null],
    ['1e2', 2, null],
    [' 1', 2, null],
    ['1.', 2, null],
  ];
  for (const [v, places, want] of decimals)
    it(`reads ${String(v)} with ${places} places as ${want}`, () => assert.equal(parseDecimal(v, places), want));
  const scores: [string, number | null][] = [
    ['83.41', 8341],
    ['100', 10000],
    ['100.00', 10000],
    ['0', 0],
    ['0.5', 50],
    ['100.01', null],
    ['83.415', null],
    ['-1', null],
    ['', null],
    ['abc', null],
  ];
  for (const [text, want] of scores)
    it(`parses the score '${text}' as ${want}`, () => assert.equal(parseScore(text), want));
  const formats: [number, string][] = [
    [8341, '83.41'],
    [10000, '100.00'],
    [0, '0.00'],
    [5, '0.05'],
    [9269, '92.69'],
  ];
  for (const [h, want] of formats) it(`formats ${h} as ${want}`, () => assert.equal(formatScore(h), want));
});

describe('answerPoints', () => {
  const four = seedFramework.scales.four!;
  const yesno = seedFramework.scales.yesno!;
  const cases: [string, boolean, number, number][] = [
    ['four', false, 1, 0],
    ['four', false, 2, 3333],
    ['four', false, 3, 6667],
    ['four', false, 4, 10000],
    ['four', true, 1, 10000],
    ['four', true, 2, 6667],
    ['four', true, 3, 3333],
    ['four', true, 4, 0],
    ['yesno', false, 1, 10000],
    ['yesno', false, 0, 0],
    ['yesno', true, 1, 0],
    ['yesno', true, 0, 10000],
  ];
  for (const [scale, reverse, answer, want] of cases) {
    it(`${scale}${reverse ? ' reversed' : ''}: answer ${answer} scores ${want}`, () =>
      assert.equal(answerPoints(scale === 'four' ? four : yesno, reverse, answer), want));
  }
  for (const [scale, answer] of [
    ['four', 0],
    ['four', 5],
    ['four', 2.5],
    ['yesno', 2],
    ['yesno', -1],
  ] as const) {
    it(`refuses answer ${answer} on ${scale}`, () => {
      assert.throws(
        () => answerPoints(scale === 'four' ? four : yesno, false, answer, 'q'),
        (e) => isAppError(e) && e.code === 'invalid_input',
      );
    });
  }
});

describe('scoreAnswers', () => {
  // Tallies chosen so the fixture framework gives seed 004's published instrument scores exactly.
  const years = [
    {
      year: 2564,
      i1: [1, 0, 17, 22],
      i3: [13, 26],
      e1: [0, 0, 18, 59],
      oit: 21,
      want: { IIT: '83.41', EIT: '92.21', OIT: '100.00', ita: '92.69', grade: 'A' },
    },
    {
      year: 2563,
      i1: [1, 7, 32, 0],
      i3: [21, 18],
      e1: [0, 11, 12, 50],
      oit: 20,
      want: { IIT: '80.79', EIT: '84.47', OIT: '97.50', ita: '88.58', grade: 'A' },
    },
  ];
  for (const y of years) {
    it(`reproduces seed 004, FY ${y.year}: ITA ${y.want.ita} (${y.want.grade})`, () => {
      const r = scoreAnswers(
        seedFramework,
        answers(
          { i1: tally(y.i1), i2: tally([36, 2], 0), i3: tally(y.i3), e1: tally(y.e1) },
          { IIT: 40, EIT: 77 },
          allOit(y.oit),
        ),
      );
      assert.deepEqual(
        Object.fromEntries(r.instruments.map((i) => [i.code, i.score === null ? null : formatScore(i.score)])),
        { IIT: y.want.IIT, EIT: y.want.EIT, OIT: y.want.OIT },
      );
      assert.equal(formatScore(r.ita!), y.want.ita);
      assert.equal(r.grade, y.want.grade);
      assert.equal(r.passed, true);
    });
  }

  it('scores reversed items the other way round and counts missing answers', () => {
    const r = scoreAnswers(
      seedFramework,
      answers(
        { i1: tally([1, 0, 17, 22]), i2: tally([36, 2], 0), i3: tally([13, 26]), e1: tally([0, 0, 18, 59]) },
        { IIT: 40, EIT: 80 },
        allOit(21),
      ),
    );
    const q = Object.fromEntries(r.questions.map((x) => [x.id, x]));
    assert.deepEqual(q.i2, { id: 'i2', indicator: 1, score: 9474, answered: 38, missing: 2 }); // 36 "no" of 38 on a bribery item
    assert.deepEqual(q.i3, { id: 'i3', indicator: 2, score: 7778, answered: 39, missing: 1 }); // answer 1 scores 100 when reversed
    assert.deepEqual(q.e1, { id: 'e1', indicator: 6, score: 9221, answered: 77, missing: 3 });
    assert.equal(r.indicators.find((i) => i.number === 1)!.score, 8904); // (83.33 + 94.74) / 2 = 89.035 → 89.04
    assert.equal(r.instruments.find((i) => i.code === 'EIT')!.respondents, 80);
    assert.equal(r.instruments.find((i) => i.code === 'OIT')!.respondents, null);
  });

  it('leaves a question null when nobody answered, and the levels above it null only when nothing is left', () => {
    const r = scoreAnswers(seedFramework, answers({ i1: tally([0, 0, 0, 4]) }, { IIT: 4, EIT: 0 }, { o1: true }));
    const q = Object.fromEntries(r.questions.map((x) => [x.id, x]));
    assert.deepEqual(q.i2, { id: 'i2', indicator: 1, score: null, answered: 0, missing: 4 });
    assert.equal(r.indicators.find((i) => i.number === 1)!.score, 10000); // the mean of the questions that have a score
    assert.equal(r.indicators.find((i) => i.number === 2)!.score, null);
    assert.equal(r.indicators.find((i) => i.number === 10)!.score, 0); // an item without a verdict is not disclosed
    assert.deepEqual(
      r.instruments.map((i) => i.score),
      [null, null, 5000],
    );
    assert.deepEqual([r.ita, r.grade, r.passed], [null, null, null]);
  });

  it('refuses answers to a question the framework does not have, and answers off the scale', () => {
    assert.throws(() => scoreAnswers(seedFramework, answers({ i99: tally([1]) }, { IIT: 1, EIT: 0 })), /i99/);
    assert.throws(
      () => scoreAnswers(seedFramework, answers({ i1: new Map([[5, 1]]) }, { IIT: 1, EIT: 0 })),
      (e) => isAppError(e) && /i1: answer 5/.test(e.message),
    );
    assert.throws(
      () => scoreAnswers(seedFramework, answers({ i2: new Map([[2, 1]]) }, { IIT: 1, EIT: 0 })),
      (e) => isAppError(e) && e.code === 'invalid_input',
    );
  });
});

// One instrument, one question on a two-level scale (0 / 100): the ITA is then that question's
// score, round(10000 × tops / n), so any raw value can be placed just below or on a grade boundary.
const edgeFramework: Framework = parseFramework({
  format: 'sujarit-ita-framework/1',
  fiscalYear: 2569,
  title: { th: 'ขอบ', en: 'Edges' },
  instruments: [{ code: 'IIT', name: { th: 'ภายใน', en: 'Internal' }, weight: 1 }],
  indicators: [{ number: 1, instrument: 'IIT', name: { th: 'หน้าที่', en: 'Duty' }, weight: 1 }],
  scales: {
    two: {
      kind: 'levels',
      points: [0, 100],
      labels: [
        { th: 'ไม่', en: 'No' },
        { th: 'ใช่', en: 'Yes' },
      ],
    },
  },
  questions: [{ id: 'q1', indicator: 1, scale: 'two', text: { th: 'ข้อ', en: 'Item' } }],
  checklist: [],
  grades: [
    { grade: 'AA', min: 95 },
    { grade: 'A', min: 85 },
    { grade: 'B', min: 75 },
    { grade: 'C', min: 65 },
    { grade: 'D', min: 55 },
    { grade: 'E', min: 50 },
    { grade: 'F', min: 0 },
  ],
  passMark: 85,
  disclosureThreshold: 5,
});

describe('rounding at the grade boundaries', () => {
  const n = 10_000_000; // tops / n in hundredths has 5 more decimals
  const cases: [string, number, string, string, boolean][] = [
    ['100', 10_000_000, '100.00', 'AA', true],
    ['94.995', 9_499_500, '95.00', 'AA', true],
    ['94.99499', 9_499_499, '94.99', 'A', true],
    ['84.995', 8_499_500, '85.00', 'A', true],
    ['84.994999', 8_499_499, '84.99', 'B', false],
    ['74.995', 7_499_500, '75.00', 'B', false],
    ['74.99499', 7_499_499, '74.99', 'C', false],
    ['64.995', 6_499_500, '65.00', 'C', false],
    ['64.99499', 6_499_499, '64.99', 'D', false],
    ['54.995', 5_499_500, '55.00', 'D', false],
    ['54.99499', 5_499_499, '54.99', 'E', false],
    ['49.995', 4_999_500, '50.00', 'E', false],
    ['49.99499', 4_999_499, '49.99', 'F', false],
    ['0', 0, '0.00', 'F', false],
  ];
  for (const [raw, tops, score, grade, passed] of cases) {
    it(`${raw} is published as ${score}, grade ${grade}`, () => {
      const r = scoreAnswers(edgeFramework, answers({ q1: tally([n - tops, tops]) }, { IIT: n, EIT: 0 }));
      assert.deepEqual([formatScore(r.ita!), r.grade, r.passed], [score, grade, passed]);
    });
  }
  const grades: [number, string][] = [
    [10000, 'AA'],
    [9500, 'AA'],
    [9499, 'A'],
    [8500, 'A'],
    [8499, 'B'],
    [5000, 'E'],
    [4999, 'F'],
    [0, 'F'],
  ];
  for (const [h, g] of grades)
    it(`gradeOf(${formatScore(h)}) is ${g}`, () => assert.equal(gradeOf(edgeFramework, h), g));
});

describe('weakest', () => {
  it('lists scored indicators and questions lowest first, without nulls', () => {
    const r = scoreAnswers(
      seedFramework,
      answers({ i1: tally([1, 0, 17, 22]), i3: tally([0, 0, 4]) }, { IIT: 40, EIT: 0 }, allOit(21)),
    );
    const w = weakest(r);
    assert.deepEqual(w.slice(0, 3), [
      { kind: 'indicator', number: 2, score: 3333 },
      { kind: 'question', id: 'i3', indicator: 2, score: 3333 },
      { kind: 'indicator', number: 1, score: 8333 },
    ]);
    assert.ok(w.every((x) => x.score !== null));
    assert.equal(weakest(r, 2).length, 2);
  });
});
