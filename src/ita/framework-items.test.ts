// Questions asked in parts, OIT sub-indicators and evidence: how a file states them, what the loader
// refuses, and how they are scored.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isAppError } from '../errors.ts';
import { parseFramework } from './framework.ts';
import { scoreAnswers } from './score.ts';
import type { Answers } from './types.ts';

const text = (th: string) => ({ th, en: th });

/** A small framework: one survey indicator with a question in two parts and one without; OIT 9 with 9.1 (2 items) and 9.2 (1). */
function raw(): Record<string, any> {
  return {
    format: 'sujarit-ita-framework/1',
    fiscalYear: 2565,
    title: text('ชุดทดสอบ'),
    sources: { manual: { kind: 'nacc', title: 'A manual', url: 'https://example.org/manual' } },
    evidence: Object.fromEntries(
      ['weights', 'grades', 'passMark', 'minSample', 'answerPoints', 'scoring'].map((t) => [
        t,
        { status: 'quoted', sources: ['manual'] },
      ]),
    ),
    instruments: [
      { code: 'IIT', name: text('ภายใน'), weight: 0.5 },
      { code: 'OIT', name: text('เปิดเผย'), weight: 0.5 },
    ],
    indicators: [
      {
        number: 1,
        instrument: 'IIT',
        name: text('หน้าที่'),
        weight: 1,
        evidence: { status: 'quoted', sources: ['manual'] },
      },
      {
        number: 9,
        instrument: 'OIT',
        name: text('เปิดเผย'),
        weight: 1,
        evidence: { status: 'quoted', sources: ['manual'] },
      },
    ],
    subIndicators: [
      { id: '9.1', indicator: 9, name: text('พื้นฐาน'), evidence: { status: 'quoted', sources: ['manual'] } },
      { id: '9.2', indicator: 9, name: text('บริหาร'), evidence: { status: 'quoted', sources: ['manual'] } },
    ],
    scales: {
      two: { kind: 'levels', points: [0, 100], labels: [text('ไม่'), text('ใช่')] },
    },
    questions: [
      {
        id: 'i1',
        number: 'I1',
        indicator: 1,
        scale: 'two',
        text: text('ตามประเด็นดังต่อไปนี้'),
        parts: [{ text: text('ขั้นตอน') }, { text: text('เวลา'), reverse: true }],
        evidence: { status: 'other-year', year: 2564, sources: ['manual'] },
      },
      {
        id: 'i2',
        indicator: 1,
        scale: 'two',
        text: text('เท่าเทียม'),
        evidence: { status: 'unconfirmed', sources: [], note: 'recalled' },
      },
    ],
    checklist: [
      {
        id: 'o1',
        indicator: 9,
        subIndicator: '9.1',
        text: text('โครงสร้าง'),
        evidence: { status: 'quoted', sources: ['manual'] },
      },
      {
        id: 'o2',
        indicator: 9,
        subIndicator: '9.1',
        text: text('ผู้บริหาร'),
        evidence: { status: 'quoted', sources: ['manual'] },
      },
      {
        id: 'o3',
        indicator: 9,
        subIndicator: '9.2',
        text: text('แผน'),
        evidence: { status: 'quoted', sources: ['manual'] },
      },
    ],
    grades: [
      { grade: 'A', min: 85 },
      { grade: 'F', min: 0 },
    ],
    passMark: 85,
    disclosureThreshold: 1,
  };
}

function faultsOf(f: unknown): string {
  try {
    parseFramework(f);
  } catch (e) {
    assert.ok(isAppError(e));
    return e.message;
  }
  assert.fail('accepted');
}

describe('parts and sub-indicators', () => {
  const f = parseFramework(raw());

  it('expands a question asked in parts into parts with their own ids, stem and words', () => {
    assert.deepEqual(
      f.questions.map((q) => [q.id, q.parent ?? null, q.reverse, q.text.th]),
      [
        ['i1.1', 'i1', false, 'ตามประเด็นดังต่อไปนี้ – ขั้นตอน'],
        ['i1.2', 'i1', true, 'ตามประเด็นดังต่อไปนี้ – เวลา'],
        ['i2', null, false, 'เท่าเทียม'],
      ],
    );
    assert.deepEqual(f.questions[0]!.stem, text('ตามประเด็นดังต่อไปนี้'));
    assert.equal(f.questions[0]!.number, 'I1');
  });

  it('names each item’s group after its sub-indicator', () => {
    assert.deepEqual(
      f.checklist.map((c) => [c.id, c.subIndicator, c.group.th]),
      [
        ['o1', '9.1', '9.1 พื้นฐาน'],
        ['o2', '9.1', '9.1 พื้นฐาน'],
        ['o3', '9.2', '9.2 บริหาร'],
      ],
    );
  });

  it('scores a question as the mean of its parts, and the indicator as the mean of the questions', () => {
    const answers: Answers = {
      // i1.1: 3 of 4 "yes" = 75; i1.2 reversed: 1 of 4 answered 1 ("no" side) = 25 → i1 = 50; i2 = 100.
      tallies: new Map([
        [
          'i1.1',
          new Map([
            [2, 3],
            [1, 1],
          ]),
        ],
        [
          'i1.2',
          new Map([
            [1, 1],
            [2, 3],
          ]),
        ],
        ['i2', new Map([[2, 4]])],
      ]),
      respondents: { IIT: 4, EIT: 0 },
      verdicts: new Map([
        ['o1', true],
        ['o3', true],
      ]),
    };
    const r = scoreAnswers(f, answers);
    assert.deepEqual(r.mainQuestions, [
      { id: 'i1', indicator: 1, score: 5000 },
      { id: 'i2', indicator: 1, score: 10000 },
    ]);
    assert.equal(r.indicators.find((i) => i.number === 1)!.score, 7500);
    // 9.1 = 1 of 2 = 50, 9.2 = 100: indicator 9 = 75 (as a share of its 3 items it would be 66.67).
    assert.deepEqual(r.subIndicators, [
      { id: '9.1', indicator: 9, score: 5000 },
      { id: '9.2', indicator: 9, score: 10000 },
    ]);
    assert.equal(r.indicators.find((i) => i.number === 9)!.score, 7500);
  });

  const refusals: [string, (f: Record<string, any>) => void, RegExp][] = [
    [
      'an item of a divided indicator without a sub-indicator',
      (f) => delete f.checklist[2].subIndicator,
      /checklist\[2\]\.subIndicator: indicator 9 is divided/,
    ],
    [
      'a sub-indicator without items',
      (f) => (f.checklist[2].subIndicator = '9.1'),
      /subIndicators: 9\.2 has no checklist item/,
    ],
    [
      'a sub-indicator under another indicator',
      (f) => (f.subIndicators[1].id = '10.2'),
      /'10\.2' is not under indicator 9/,
    ],
    ['a part id that another question has', (f) => (f.questions[1].id = 'i1.2'), /duplicate id 'i1\.2'/],
    ['a question with one part', (f) => f.questions[0].parts.pop(), /questions\/0\/parts|questions\[0\]\.parts/],
    [
      'an unknown source',
      (f) => (f.checklist[0].evidence.sources = ['nowhere']),
      /checklist\[0\]\.evidence: unknown source 'nowhere'/,
    ],
    ['an item without evidence', (f) => delete f.checklist[1].evidence, /checklist\[1\]: missing field 'evidence'/],
    [
      'other-year without the year',
      (f) => delete f.questions[0].evidence.year,
      /questions\[0\]\.evidence: 'other-year' needs the year/,
    ],
    [
      'unconfirmed without a note',
      (f) => delete f.questions[1].evidence.note,
      /questions\[1\]\.evidence: 'unconfirmed' needs a note/,
    ],
    [
      'a missing framework-wide claim',
      (f) => delete f.evidence.answerPoints,
      /evidence\.answerPoints: missing field 'evidence'/,
    ],
    [
      'an unknown framework-wide topic',
      (f) => (f.evidence.colour = { status: 'quoted', sources: ['manual'] }),
      /evidence: unknown topic 'colour'/,
    ],
  ];
  for (const [what, mutate, fault] of refusals) {
    it(`refuses ${what}`, () => {
      const f = raw();
      mutate(f);
      assert.match(faultsOf(f), fault);
    });
  }
});
