// The rules of a fiscal year that a recorded score needs: the instrument weights (to compute an ITA
// left empty) and the grade bands. From the year's own framework file when Sujarit ships one that is
// not a draft, else from frameworks/years/past-years.json; a year in neither has no rules, and nothing
// is computed for it with another year's or a draft's (issue 14: a recorded year keeps its own weights,
// and a draft's weights are a guess).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { FRAMEWORKS_DIR, listFrameworks, loadShippedFramework } from './framework.ts';
import { parseDecimal } from './score.ts';
import type { Evidence, Grade, InstrumentCode } from './types.ts';

export type YearRules = {
  fiscalYear: number;
  /** Basis points (3000 = 0.30). */
  weights: Record<InstrumentCode, number>;
  /** Hundredths, best first. */
  grades: Grade[];
  passMark: number;
  /** Where the rules come from: a shipped framework file, or the register of past years. */
  origin: string;
};

type RawYear = {
  fiscalYear: number;
  weights: Record<InstrumentCode, number>;
  grades: Grade[];
  passMark: number;
  evidence: Record<string, Evidence>;
};

export const PAST_YEARS_FILE = path.join(FRAMEWORKS_DIR, 'years', 'past-years.json');

const points = (n: number): number => {
  const v = parseDecimal(n, 2);
  if (v === null || v > 10000) throw new Error(`past-years.json: ${n} is not a score with at most 2 decimals`);
  return v;
};

/** The register of past years, checked: weights summing to 1, grades descending to 0, the pass mark a grade. */
export function pastYears(): YearRules[] {
  const raw = JSON.parse(readFileSync(PAST_YEARS_FILE, 'utf8')) as { format: string; years: RawYear[] };
  if (raw.format !== 'sujarit-ita-years/1') throw new Error(`past-years.json: unknown format ${raw.format}`);
  return raw.years.map((y) => {
    const weights = Object.fromEntries(
      (['IIT', 'EIT', 'OIT'] as const).map((c) => [c, parseDecimal(y.weights[c], 4) ?? Number.NaN]),
    ) as Record<InstrumentCode, number>;
    const grades = y.grades.map((g) => ({ grade: g.grade, min: points(g.min) }));
    const passMark = points(y.passMark);
    const isSound =
      weights.IIT + weights.EIT + weights.OIT === 10000 &&
      grades.every((g, k) => k === 0 || g.min < grades[k - 1]!.min) &&
      grades.at(-1)?.min === 0 &&
      grades.some((g) => g.min === passMark) &&
      ['weights', 'grades', 'passMark'].every((t) => y.evidence?.[t]);
    if (!isSound) throw new Error(`past-years.json: the rules of ${y.fiscalYear} are not sound`);
    return { fiscalYear: y.fiscalYear, weights, grades, passMark, origin: 'frameworks/years/past-years.json' };
  });
}

const known = new Map<number, YearRules | null>();

/** The rules of `fiscalYear`, or null when Sujarit does not know them (read once: the files ship with the code). */
export function yearRules(fiscalYear: number): YearRules | null {
  if (!known.has(fiscalYear)) known.set(fiscalYear, readYearRules(fiscalYear));
  return known.get(fiscalYear)!;
}

function readYearRules(fiscalYear: number): YearRules | null {
  for (const name of listFrameworks()) {
    const f = loadShippedFramework(name);
    if (f.fiscalYear !== fiscalYear || f.isDraft) continue;
    const weights = Object.fromEntries(f.instruments.map((i) => [i.code, i.weight])) as Record<InstrumentCode, number>;
    return { fiscalYear, weights, grades: f.grades, passMark: f.passMark, origin: `frameworks/${name}` };
  }
  return pastYears().find((y) => y.fiscalYear === fiscalYear) ?? null;
}

/** The grade of a score under a year's bands (the first whose minimum it reaches). */
export function gradeUnder(rules: YearRules, hundredths: number): string | null {
  return rules.grades.find((g) => g.min <= hundredths)?.grade ?? null;
}
