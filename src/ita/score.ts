// Scoring (pure, exact): answers → question → indicator → instrument → ITA. Every score is an integer
// in hundredths and every published level is rounded half up with integer arithmetic only, so a
// figure never depends on binary floating point (seed 004: 83.41 / 92.21 / 100.00 → 92.69).
import { AppError } from '../errors.ts';
import type {
  Answers,
  Framework,
  IndicatorScore,
  InstrumentScore,
  MainQuestionScore,
  QuestionScore,
  Scale,
  ScoreResult,
  SubIndicatorScore,
  SurveyInstrument,
} from './types.ts';

/**
 * round(num / den) half up, for integers num ≥ 0 and den > 0 (both safe integers). Exact: the
 * floating quotient is only a first guess, corrected with the integer remainder.
 */
export function roundHalfUp(num: number, den: number): number {
  if (!Number.isSafeInteger(num) || !Number.isSafeInteger(den) || num < 0 || den <= 0)
    throw new RangeError(`roundHalfUp(${num}, ${den})`);
  const twice = 2 * num + den;
  const d = 2 * den;
  if (!Number.isSafeInteger(twice) || !Number.isSafeInteger(d))
    return Number((2n * BigInt(num) + BigInt(den)) / (2n * BigInt(den)));
  let q = Math.floor(twice / d);
  const r = twice - q * d;
  if (r < 0) q -= 1;
  else if (r >= d) q += 1;
  return q;
}

/**
 * A decimal written with at most `places` decimals ('83.41', 33.33, 0.3) as an integer scaled by
 * 10^places (8341, 3333, 3000 with places 4), or null. Numbers are read through their shortest
 * decimal form (String(0.3) = '0.3'), so what the author wrote is what is scaled: no float
 * truncation (Math.round(0.29 * 100) style errors cannot happen). MUST NOT accept signs or exponents.
 */
export function parseDecimal(value: number | string, places: number): number | null {
  const text = typeof value === 'number' ? (Number.isFinite(value) ? String(value) : '') : value;
  const m = /^(\d{1,9})(?:\.(\d+))?$/.exec(text);
  if (!m) return null;
  const fraction = m[2] ?? '';
  if (fraction.length > places) return null;
  return Number(m[1]) * 10 ** places + Number(fraction.padEnd(places, '0') || '0');
}

/** '83.41' → 8341; null unless 0–100 with at most 2 decimals (strict: no sign, no spaces, no exponent). */
export function parseScore(text: string): number | null {
  const h = parseDecimal(text, 2);
  return h !== null && h <= 10000 ? h : null;
}

/** 8341 → '83.41' (integer formatting: exact for any safe integer). */
export function formatScore(hundredths: number): string {
  const sign = hundredths < 0 ? '-' : '';
  const abs = Math.abs(hundredths);
  return `${sign}${Math.trunc(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** The grade of a score: the first grade (the framework lists them descending) whose minimum it reaches; null when none does. */
export function gradeOf(framework: Framework, hundredths: number): string | null {
  return framework.grades.find((g) => g.min <= hundredths)?.grade ?? null;
}

/**
 * The points (hundredths) of one answer value on a scale; MUST throw AppError('invalid_input') for a
 * value the scale does not have. Levels: 1..n → points[a-1] (reversed: points[n-a]); yes/no: 1 = yes,
 * 0 = no (reversed: yes scores the `no` points, e.g. "were you asked for a bribe?").
 */
export function answerPoints(scale: Scale, reverse: boolean, answer: number, questionId = '?'): number {
  if (scale.kind === 'levels') {
    const n = scale.points.length;
    if (!Number.isInteger(answer) || answer < 1 || answer > n) throw badAnswer(questionId, answer, `1–${n}`);
    return scale.points[reverse ? n - answer : answer - 1]!;
  }
  if (answer !== 0 && answer !== 1) throw badAnswer(questionId, answer, '1 (yes) or 0 (no)');
  return (answer === 1) !== reverse ? scale.yes : scale.no;
}

function badAnswer(questionId: string, answer: number, expected: string): AppError {
  return new AppError(
    'invalid_input',
    `question ${questionId}: answer ${answer} is not on its scale (${expected})`,
    'ita.error.answer',
  );
}

function scoreQuestions(framework: Framework, answers: Answers): QuestionScore[] {
  const known = new Set(framework.questions.map((q) => q.id));
  for (const id of answers.tallies.keys()) {
    if (!known.has(id))
      throw new AppError(
        'invalid_input',
        `answers name question ${id}, which the framework does not have`,
        'ita.error.answer',
      );
  }
  const instrumentOf = new Map(framework.indicators.map((i) => [i.number, i.instrument]));
  return framework.questions.map((q) => {
    const scale = framework.scales[q.scale]!;
    let sum = 0;
    let answered = 0;
    for (const [answer, count] of answers.tallies.get(q.id) ?? []) {
      if (!Number.isSafeInteger(count) || count < 0)
        throw new AppError(
          'invalid_input',
          `question ${q.id}: count ${count} is not a whole number`,
          'ita.error.answer',
        );
      sum += count * answerPoints(scale, q.reverse, answer, q.id);
      answered += count;
    }
    const respondents = answers.respondents[instrumentOf.get(q.indicator) as SurveyInstrument] ?? 0;
    return {
      id: q.id,
      indicator: q.indicator,
      score: answered === 0 ? null : roundHalfUp(sum, answered),
      answered,
      missing: Math.max(0, respondents - answered),
    };
  });
}

const meanOf = (scores: readonly (number | null)[]): number | null => {
  const given = scores.filter((x): x is number => x !== null);
  return given.length === 0
    ? null
    : roundHalfUp(
        given.reduce((a, b) => a + b, 0),
        given.length,
      );
};

/** NACC's questions: a question asked in parts scores the mean of its parts that have a score. */
function scoreMainQuestions(questions: readonly QuestionScore[], units: Framework['questions']): MainQuestionScore[] {
  const order: string[] = [];
  const parts = new Map<string, { indicator: number; scores: (number | null)[] }>();
  units.forEach((u, k) => {
    const id = u.parent ?? u.id;
    if (!parts.has(id)) {
      order.push(id);
      parts.set(id, { indicator: u.indicator, scores: [] });
    }
    parts.get(id)!.scores.push(questions[k]!.score);
  });
  return order.map((id) => ({ id, indicator: parts.get(id)!.indicator, score: meanOf(parts.get(id)!.scores) }));
}

/** The OIT sub-indicators: each the share of its items disclosed. */
function scoreSubIndicators(framework: Framework, checklist: ScoreResult['checklist']): SubIndicatorScore[] {
  return (framework.subIndicators ?? []).map((sub) => {
    const items = checklist.filter((_, k) => framework.checklist[k]!.subIndicator === sub.id);
    const disclosed = items.filter((c) => c.disclosed).length;
    return {
      id: sub.id,
      indicator: sub.indicator,
      score: items.length === 0 ? null : roundHalfUp(10000 * disclosed, items.length),
    };
  });
}

/**
 * The full breakdown of a cycle's answers under a framework. Pure; integers (hundredths) throughout.
 * A survey indicator is the mean of its (main) questions; an OIT indicator with sub-indicators is the
 * mean of theirs, one without is the share of its items disclosed.
 */
export function scoreAnswers(framework: Framework, answers: Answers): ScoreResult {
  const questions = scoreQuestions(framework, answers);
  const mainQuestions = scoreMainQuestions(questions, framework.questions);
  const checklist = framework.checklist.map((c) => ({
    id: c.id,
    indicator: c.indicator,
    disclosed: answers.verdicts.get(c.id) === true,
  }));
  const subIndicators = scoreSubIndicators(framework, checklist);
  const indicators: IndicatorScore[] = framework.indicators.map((ind) => {
    if (ind.instrument !== 'OIT') {
      const own = mainQuestions.filter((q) => q.indicator === ind.number).map((q) => q.score);
      return { number: ind.number, instrument: ind.instrument, score: meanOf(own) };
    }
    const subs = subIndicators.filter((x) => x.indicator === ind.number);
    if (subs.length > 0)
      return { number: ind.number, instrument: ind.instrument, score: meanOf(subs.map((x) => x.score)) };
    const items = checklist.filter((c) => c.indicator === ind.number);
    const disclosed = items.filter((c) => c.disclosed).length;
    return {
      number: ind.number,
      instrument: ind.instrument,
      score: items.length === 0 ? null : roundHalfUp(10000 * disclosed, items.length),
    };
  });
  const instruments: InstrumentScore[] = framework.instruments.map((ins) => {
    const own = framework.indicators
      .map((ind, k) => ({ weight: ind.weight, score: indicators[k]!.score, instrument: ind.instrument }))
      .filter((x) => x.instrument === ins.code);
    const isComplete = own.length > 0 && own.every((x) => x.score !== null);
    const score = isComplete
      ? roundHalfUp(
          own.reduce((a, x) => a + x.weight * x.score!, 0),
          own.reduce((a, x) => a + x.weight, 0),
        )
      : null;
    return { code: ins.code, score, respondents: ins.code === 'OIT' ? null : answers.respondents[ins.code] };
  });
  const isComplete = instruments.length > 0 && instruments.every((i) => i.score !== null);
  const ita = isComplete
    ? roundHalfUp(
        framework.instruments.reduce((a, ins, k) => a + ins.weight * instruments[k]!.score!, 0),
        10000,
      )
    : null;
  return {
    questions,
    mainQuestions,
    subIndicators,
    checklist,
    indicators,
    instruments,
    ita,
    grade: ita === null ? null : gradeOf(framework, ita),
    passed: ita === null ? null : ita >= framework.passMark,
  };
}

export type WeakPoint =
  | { kind: 'indicator'; number: number; score: number }
  | { kind: 'question'; id: string; indicator: number; score: number };

/** Indicators and questions that have a score, lowest first (ties: indicators before questions, then framework order); `limit` cuts the list. */
export function weakest(result: ScoreResult, limit = Number.POSITIVE_INFINITY): WeakPoint[] {
  const points: WeakPoint[] = [
    ...result.indicators
      .filter((i) => i.score !== null)
      .map((i) => ({ kind: 'indicator' as const, number: i.number, score: i.score! })),
    ...result.questions
      .filter((q) => q.score !== null)
      .map((q) => ({ kind: 'question' as const, id: q.id, indicator: q.indicator, score: q.score! })),
  ];
  return points.sort((a, b) => a.score - b.score).slice(0, limit);
}
