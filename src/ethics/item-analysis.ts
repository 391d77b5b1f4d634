// Quiz statistics (pure, no database): Moodle's item analysis and test statistics of a quiz's
// attempts, the learning gain between a pre-test and a post-test (per person and per course), and
// Moodle's grading methods (a person's grade, the attempts that count).
//
// The formulas are Moodle's, read from (GPL-3.0; understood and written anew here, no code copied):
// - per item: question/classes/statistics/questions/calculator.php (moodle/moodle at commit
//   04975560d10b517e76e53b7936ca13ed7f3218be): initial_steps_walker, initial_question_walker,
//   secondary_steps_walker, secondary_question_walker, and the effective weight in calculate();
// - per test: mod/quiz/report/statistics/classes/calculator.php (commit
//   17e11dd9d50e6fb706141fca1f1fe1eb877d6d43): median, standard deviation, skewness, kurtosis,
//   coefficient of internal consistency, error ratio, standard error;
// - explained at https://docs.moodle.org/dev/Quiz_statistics_calculations.
// Reproduced on Moodle's known answer (test/fixtures/moodle-quiz-stats/, item-analysis.test.ts);
// docs/ethics-statistics.md explains each figure.

/** One finished attempt: the mark of each item (null: no answer, counted as 0) and each item's maximum. */
export type ItemAttempt = { itemScores: (number | null)[]; maxMarks: number[] };

/** Moodle's statistics of one item (one quiz position), over every attempt given. */
export type ItemStat = {
  /** Position of the item in itemScores, from 0. */
  item: number;
  /** Attempts counted (Moodle's s). */
  attempts: number;
  /** The item's maximum mark (its mean over the attempts when they differ). */
  maxMark: number;
  /** Mean mark. */
  markAverage: number;
  /** Facility index: mean mark / maximum mark, 0..1 (Moodle prints it as a percentage); null when the maximum is 0. */
  facility: number | null;
  /** Standard deviation of the item's marks (sample, n − 1; Moodle prints sd / maxMark as a percentage); null below 2 attempts. */
  sd: number | null;
  /** Share of the test's total maximum this item carries, in percent. */
  intendedWeight: number | null;
  /** Moodle's effective weight, in percent; null when the item's covariance with the total is negative. */
  effectiveWeight: number | null;
  /** Variance of the item's marks (n − 1). */
  markVariance: number | null;
  /** Variance of the rest of the test (total − this item), n − 1. */
  otherMarkVariance: number | null;
  /** Covariance of the item's marks with the rest of the test. */
  covariance: number | null;
  /** The largest covariance possible with these marks (both lists sorted), n − 1. */
  covarianceMax: number | null;
  /** Covariance with the total mark. */
  covarianceWithOverallMark: number | null;
  /** Discrimination index, in percent: correlation of the item with the rest of the test × 100. */
  discriminationIndex: number | null;
  /** Discriminative efficiency, in percent: covariance / covarianceMax × 100. */
  discriminativeEfficiency: number | null;
};

/** Moodle's test statistics over the totals (sum of item marks) of the attempts given. */
export type TestStat = {
  attempts: number;
  mean: number | null;
  median: number | null;
  sd: number | null;
  skewness: number | null;
  kurtosis: number | null;
  /** Coefficient of internal consistency (Cronbach's alpha), in percent. */
  cic: number | null;
  /** Error ratio, in percent: 100 √(1 − cic / 100). */
  errorRatio: number | null;
  /** Standard error of a total, in marks: errorRatio × sd / 100. */
  standardError: number | null;
};

/** A mark given to these functions: finite; the callers' data is checked, never trusted. */
function checkedMark(value: number, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new RangeError(`${what} is not a finite number`);
  return value;
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

type Columns = {
  s: number;
  p: number;
  marks: Float64Array[];
  markSums: Float64Array;
  maxSums: Float64Array;
  totals: Float64Array;
};

/** The marks item by item (typed columns), each attempt checked: same item count, 0 ≤ mark ≤ maximum. */
function columnsOf(attempts: readonly ItemAttempt[]): Columns {
  const s = attempts.length;
  const p = s === 0 ? 0 : (attempts[0]?.itemScores.length ?? 0);
  const marks = Array.from({ length: p }, () => new Float64Array(s));
  const maxSums = new Float64Array(p);
  const markSums = new Float64Array(p);
  const totals = new Float64Array(s);
  for (let a = 0; a < s; a++) {
    const attempt = attempts[a] as ItemAttempt;
    const { itemScores, maxMarks } = attempt;
    if (itemScores.length !== p || maxMarks.length !== p)
      throw new RangeError(`attempt ${a} has ${itemScores.length} marks and ${maxMarks.length} maxima, not ${p}`);
    let total = 0;
    for (let i = 0; i < p; i++) {
      const max = maxMarks[i] as number;
      const raw = itemScores[i];
      const mark = raw === null ? 0 : (raw as number);
      // The message is built only on a fault: this loop runs once per mark.
      if (!isFiniteNumber(max) || !isFiniteNumber(mark) || max < 0 || mark < 0 || mark > max)
        throw new RangeError(`attempt ${a} item ${i}: mark ${String(raw)} is not a number in 0..${String(max)}`);
      (marks[i] as Float64Array)[a] = mark;
      maxSums[i] += max;
      markSums[i] += mark;
      total += mark;
    }
    totals[a] = total;
  }
  return { s, p, marks, markSums, maxSums, totals };
}

function meanOf(values: Float64Array): number {
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

// A small open-addressing hash table of doubles (keys by their bits), reused across calls: a Map
// with number keys costs ten times more on 100,000 marks.
const SLOTS = 8192;
const slotKeys = new Float64Array(SLOTS);
const slotCounts = new Float64Array(SLOTS);
const slotUsed = new Uint8Array(SLOTS);
const bits = new Float64Array(1);
const bitWords = new Uint32Array(bits.buffer);

/** Distinct values ascending with their counts, or null past `limit` (≤ SLOTS / 2) distinct values. */
function histogram(values: Float64Array, limit: number): { keys: Float64Array; counts: Float64Array } | null {
  slotUsed.fill(0);
  let distinct = 0;
  for (let k = 0; k < values.length; k++) {
    const v = (values[k] as number) + 0; // −0 → +0: one key for zero
    bits[0] = v;
    let h = Math.imul((bitWords[0] as number) ^ Math.imul(bitWords[1] as number, 0x85ebca6b), 0x9e3779b1) >>> 19;
    while (slotUsed[h] === 1 && slotKeys[h] !== v) h = (h + 1) & (SLOTS - 1);
    if (slotUsed[h] === 1) slotCounts[h] += 1;
    else if (distinct === limit) return null;
    else {
      slotUsed[h] = 1;
      slotKeys[h] = v;
      slotCounts[h] = 1;
      distinct++;
    }
  }
  const order = new Float64Array(distinct);
  let n = 0;
  for (let h = 0; h < SLOTS; h++) if (slotUsed[h] === 1) order[n++] = slotKeys[h] as number;
  order.sort();
  const counts = new Float64Array(distinct);
  for (let h = 0; h < SLOTS; h++)
    if (slotUsed[h] === 1) counts[binarySearch(order, slotKeys[h] as number)] = slotCounts[h] as number;
  return { keys: order, counts };
}

/** Index of `v` in the ascending list `sorted`, which holds it. */
function binarySearch(sorted: Float64Array, v: number): number {
  let [lo, hi] = [0, sorted.length - 1];
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] as number) < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Marks take few distinct values (whole and half marks): past this many, sort instead. */
const DISTINCT_LIMIT = SLOTS / 2;

/**
 * Σ (a₍k₎ − meanA)(b₍k₎ − meanB) over both lists sorted ascending: Moodle's covariancemaxsum, the
 * most an item can covary with the rest. Marks take few values, so the sorted lists are walked as
 * runs of equal values (linear time); many distinct values fall back to sorting.
 */
function sortedCovarianceSum(mark: Float64Array, other: Float64Array, markMean: number, otherMean: number): number {
  const a = histogram(mark, DISTINCT_LIMIT);
  const b = a && histogram(other, DISTINCT_LIMIT);
  let sum = 0;
  if (a === null || b === null) {
    const x = Float64Array.from(mark).sort();
    const y = Float64Array.from(other).sort();
    for (let k = 0; k < x.length; k++) sum += ((x[k] as number) - markMean) * ((y[k] as number) - otherMean);
    return sum;
  }
  let [i, j] = [0, 0];
  let [leftA, leftB] = [a.counts[0] ?? 0, b.counts[0] ?? 0];
  while (i < a.keys.length && j < b.keys.length) {
    const take = Math.min(leftA, leftB);
    sum += take * ((a.keys[i] as number) - markMean) * ((b.keys[j] as number) - otherMean);
    leftA -= take;
    leftB -= take;
    if (leftA === 0) leftA = a.counts[++i] ?? 0;
    if (leftB === 0) leftB = b.counts[++j] ?? 0;
  }
  return sum;
}

/** One item's statistics, before the effective weight (which needs every item). */
function statOf(item: number, c: Columns, totalMean: number, totalMax: number, other: Float64Array): ItemStat {
  const mark = c.marks[item] as Float64Array;
  const { s, totals } = c;
  const maxMark = (c.maxSums[item] as number) / s;
  const markAverage = (c.markSums[item] as number) / s;
  let otherSum = 0;
  for (let a = 0; a < s; a++) {
    const o = (totals[a] as number) - (mark[a] as number);
    other[a] = o;
    otherSum += o;
  }
  const otherAverage = otherSum / s;
  let markSq = 0;
  let otherSq = 0;
  let cov = 0;
  let covOverall = 0;
  for (let a = 0; a < s; a++) {
    const dm = (mark[a] as number) - markAverage;
    const dOther = (other[a] as number) - otherAverage;
    markSq += dm * dm;
    otherSq += dOther * dOther;
    cov += dm * dOther;
    covOverall += dm * ((totals[a] as number) - totalMean);
  }
  const base = {
    item,
    attempts: s,
    maxMark,
    markAverage,
    facility: maxMark === 0 ? null : markAverage / maxMark,
    intendedWeight: totalMax === 0 ? null : (100 * maxMark) / totalMax,
    effectiveWeight: null,
  };
  if (s < 2) {
    const none = { sd: null, markVariance: null, otherMarkVariance: null, covariance: null };
    return { ...base, ...none, covarianceMax: null, covarianceWithOverallMark: null, ...noIndices };
  }
  const n1 = s - 1;
  const markVariance = markSq / n1;
  const otherMarkVariance = otherSq / n1;
  const covariance = cov / n1;
  const covarianceMax = sortedCovarianceSum(mark, other, markAverage, otherAverage) / n1;
  const product = markVariance * otherMarkVariance;
  return {
    ...base,
    sd: Math.sqrt(markVariance),
    markVariance,
    otherMarkVariance,
    covariance,
    covarianceMax,
    covarianceWithOverallMark: covOverall / n1,
    discriminationIndex: product === 0 ? null : (100 * covariance) / Math.sqrt(product),
    discriminativeEfficiency: covarianceMax === 0 ? null : (100 * covariance) / covarianceMax,
  };
}

const noIndices = { discriminationIndex: null, discriminativeEfficiency: null } as const;

/**
 * Moodle's item analysis of the attempts given (the caller picks which: all, or each person's
 * first/last/highest as the grading method says): per item, facility index, standard deviation,
 * discrimination index, discriminative efficiency, intended and effective weight. Every attempt
 * has the same items in the same order. Throws RangeError on malformed input.
 */
export function itemAnalysis(attempts: readonly ItemAttempt[]): ItemStat[] {
  return itemsOf(columnsOf(attempts));
}

function itemsOf(c: Columns): ItemStat[] {
  if (c.s === 0) return [];
  const totalMean = meanOf(c.totals);
  let totalMax = 0;
  for (const m of c.maxSums) totalMax += m / c.s;
  const other = new Float64Array(c.s); // the rest of the test, item by item: one buffer for all
  const stats = Array.from({ length: c.p }, (_, i) => statOf(i, c, totalMean, totalMax, other));
  // Effective weight: √(covariance with the total) over the sum of those roots, items whose
  // covariance is negative left out of the sum and given none (calculator.php, calculate()).
  let rootSum = 0;
  for (const st of stats)
    if (st.covarianceWithOverallMark !== null && st.covarianceWithOverallMark >= 0)
      rootSum += Math.sqrt(st.covarianceWithOverallMark);
  if (rootSum === 0) return stats;
  return stats.map((st) =>
    st.covarianceWithOverallMark === null || st.covarianceWithOverallMark < 0
      ? st
      : { ...st, effectiveWeight: (100 * Math.sqrt(st.covarianceWithOverallMark)) / rootSum },
  );
}

/** The median of a sorted list: the middle value, or the mean of the two middle ones. */
function medianOfSorted(sorted: Float64Array): number {
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/**
 * Moodle's test statistics of the same attempts: mean, median, standard deviation, skewness and
 * kurtosis (sample estimators k3/k2^1.5 and k4/k2²), Cronbach's alpha as Moodle's coefficient of
 * internal consistency, error ratio and standard error. `items` is itemAnalysis(attempts), passed
 * when the caller has it already.
 */
export function testStatistics(attempts: readonly ItemAttempt[], items?: readonly ItemStat[]): TestStat {
  const c = columnsOf(attempts);
  return testOf(c, items ?? itemsOf(c));
}

/** Both at once, the attempts read and checked once: what a results page shows. */
export function analyseQuiz(attempts: readonly ItemAttempt[]): { items: ItemStat[]; test: TestStat } {
  const c = columnsOf(attempts);
  const items = itemsOf(c);
  return { items, test: testOf(c, items) };
}

function testOf(c: Columns, items: readonly ItemStat[]): TestStat {
  const { s, p, totals } = c;
  const none = { sd: null, skewness: null, kurtosis: null, cic: null, errorRatio: null, standardError: null };
  if (s === 0) return { attempts: 0, mean: null, median: null, ...none };
  const mean = meanOf(totals);
  const median = medianOfSorted(Float64Array.from(totals).sort());
  if (s < 2) return { attempts: s, mean, median, ...none };
  let p2 = 0;
  let p3 = 0;
  let p4 = 0;
  for (const t of totals) {
    const d = t - mean;
    const d2 = d * d;
    p2 += d2;
    p3 += d2 * d;
    p4 += d2 * d2;
  }
  const sd = Math.sqrt(p2 / (s - 1));
  const out: TestStat = { attempts: s, mean, median, ...none, sd };
  const [m2, m3, m4] = [p2 / s, p3 / s, p4 / s];
  const k2 = (s * m2) / (s - 1);
  if (s < 3 || k2 === 0) return out;
  const k3 = (s * s * m3) / ((s - 1) * (s - 2));
  out.skewness = k3 / k2 ** 1.5;
  if (s > 3)
    out.kurtosis = (s * s * ((s + 1) * m4 - 3 * (s - 1) * m2 * m2)) / ((s - 1) * (s - 2) * (s - 3)) / (k2 * k2);
  if (p > 1) {
    let sumOfMarkVariance = 0;
    for (const st of items) sumOfMarkVariance += st.markVariance ?? 0;
    const cic = ((100 * p) / (p - 1)) * (1 - sumOfMarkVariance / k2);
    out.cic = cic;
    // cic ≤ 100 in exact arithmetic (the total's variance is at most p × the items' sum); a rounding
    // step above it must not turn the error ratio into NaN.
    out.errorRatio = 100 * Math.sqrt(Math.max(0, 1 - cic / 100));
    out.standardError = (out.errorRatio * sd) / 100;
  }
  return out;
}

/** Gain from a pre-test to a post-test on the same maximum: post − pre, and Hake's normalised gain. */
export function learningGain(pre: number, post: number, max: number): { gain: number; normalised: number | null } {
  checkedMark(pre, 'pre-test score');
  checkedMark(post, 'post-test score');
  checkedMark(max, 'maximum score');
  if (max <= 0 || pre < 0 || post < 0 || pre > max || post > max)
    throw new RangeError(`scores ${pre} and ${post} outside 0..${max}`);
  const gain = post - pre;
  return { gain, normalised: pre === max ? null : gain / (max - pre) };
}

/**
 * A course's gain over the people who took both tests (each pair on the same maximum): the mean
 * scores and gain, Hake's class-average normalised gain ⟨g⟩ = (⟨post⟩ − ⟨pre⟩) / (max − ⟨pre⟩)
 * (R. R. Hake, "Interactive-engagement versus traditional methods", Am. J. Phys. 66 (1998) 64–74),
 * and the mean of the people's own normalised gains, over those who could still gain (pre < max).
 * The two differ: the first weighs everyone alike in marks, the second in shares.
 */
export function courseGain(
  pairs: readonly { pre: number; post: number }[],
  max: number,
): {
  people: number;
  meanPre: number | null;
  meanPost: number | null;
  meanGain: number | null;
  classNormalised: number | null;
  meanNormalised: number | null;
  /** People left out of meanNormalised because their pre-test was already at the maximum. */
  atMaximum: number;
} {
  let [pre, post, normalisedSum, counted] = [0, 0, 0, 0];
  for (const pair of pairs) {
    const g = learningGain(pair.pre, pair.post, max);
    pre += pair.pre;
    post += pair.post;
    if (g.normalised !== null) {
      normalisedSum += g.normalised;
      counted++;
    }
  }
  const n = pairs.length;
  const atMaximum = n - counted;
  if (n === 0) {
    const none = { meanPre: null, meanPost: null, meanGain: null, classNormalised: null, meanNormalised: null };
    return { people: 0, ...none, atMaximum };
  }
  const [meanPre, meanPost] = [pre / n, post / n];
  return {
    people: n,
    meanPre,
    meanPost,
    meanGain: meanPost - meanPre,
    classNormalised: meanPre === max ? null : (meanPost - meanPre) / (max - meanPre),
    meanNormalised: counted === 0 ? null : normalisedSum / counted,
    atMaximum,
  };
}

/** Moodle's quiz grading methods: which of a person's attempt grades (in the order taken) is their grade. */
export type GradingMethod = 'highest' | 'average' | 'first' | 'last';

/** A person's grade from their attempts' grades in the order taken; null when there is no attempt. */
export function attemptGrade(grades: readonly number[], method: GradingMethod): number | null {
  for (const g of grades) checkedMark(g, 'attempt grade');
  if (grades.length === 0) return null;
  switch (method) {
    case 'highest': {
      let best = grades[0] as number;
      for (const g of grades) if (g > best) best = g;
      return best;
    }
    case 'average': {
      let sum = 0;
      for (const g of grades) sum += g;
      return sum / grades.length;
    }
    case 'first':
      return grades[0] as number;
    case 'last':
      return grades[grades.length - 1] as number;
    default:
      throw new RangeError(`unknown grading method ${String(method)}`);
  }
}

/**
 * The attempts of one person (in the order taken) that count for their grade, as Moodle's quiz
 * report selects them for its statistics (mod/quiz/report/reportlib.php,
 * quiz_report_grade_method_sql): every attempt for 'average', the first, the last, or for
 * 'highest' the earliest of the attempts with the highest grade.
 */
export function gradedAttempts<T>(attempts: readonly T[], gradeOf: (attempt: T) => number, method: GradingMethod): T[] {
  if (attempts.length === 0) return [];
  switch (method) {
    case 'average':
      return [...attempts];
    case 'first':
      return [attempts[0] as T];
    case 'last':
      return [attempts[attempts.length - 1] as T];
    case 'highest': {
      let best = attempts[0] as T;
      let bestGrade = checkedMark(gradeOf(best), 'attempt grade');
      for (const attempt of attempts) {
        const grade = checkedMark(gradeOf(attempt), 'attempt grade');
        if (grade > bestGrade) [best, bestGrade] = [attempt, grade];
      }
      return [best];
    }
    default:
      throw new RangeError(`unknown grading method ${String(method)}`);
  }
}
