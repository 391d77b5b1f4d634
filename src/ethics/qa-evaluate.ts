// The evaluation of the question service on a set of questions with their expected passages
// (test/fixtures/ethics-qa-eval.json): recall@3 of the in-scope questions, the share of
// out-of-scope questions answered "I don't know", and the threshold that separates them best.
// Pure: the bench and the tests give it the passages and the set.
import { buildIndex, type QaIndex, searchIndex } from './qa-index.ts';

export type EvalSet = { inScope: { q: string; expected: string[] }[]; outOfScope: string[] };
export type KeyedPassage = { key: string; text: string };

export type EvalFigures = {
  questions: number;
  outOfScope: number;
  /** In-scope questions with an expected passage among the top 3, over all in-scope questions. */
  recallAt3: number;
  /** In-scope questions whose best passage is an expected one. */
  recallAt1: number;
  /** In-scope questions answered (confidence at or above the threshold) with an expected passage in the top 3. */
  answeredRight: number;
  /** Out-of-scope questions answered "I don't know". */
  idkShare: number;
  threshold: number;
  /** The in-scope questions that missed, for reading. */
  misses: string[];
};

type Scored = { best: number; keys: string[] };

function scoreAll(index: QaIndex, keys: readonly string[], questions: readonly string[]): Scored[] {
  return questions.map((q) => {
    const hits = searchIndex(index, q, 3);
    return { best: hits[0]?.confidence ?? 0, keys: hits.map((h) => keys[h.id]) };
  });
}

function scored(passages: readonly KeyedPassage[], set: EvalSet): { inScope: Scored[]; out: Scored[] } {
  const index = buildIndex(passages.map((p, i) => ({ id: i, text: p.text })));
  const keys = passages.map((p) => p.key);
  return {
    inScope: scoreAll(
      index,
      keys,
      set.inScope.map((x) => x.q),
    ),
    out: scoreAll(index, keys, set.outOfScope),
  };
}

function figuresOf(
  set: EvalSet,
  { inScope, out }: { inScope: Scored[]; out: Scored[] },
  threshold: number,
): EvalFigures {
  const found = (s: Scored, i: number, top: number) =>
    s.keys.slice(0, top).some((k) => set.inScope[i].expected.includes(k));
  const n = Math.max(1, set.inScope.length);
  return {
    questions: set.inScope.length,
    outOfScope: set.outOfScope.length,
    recallAt3: inScope.filter((s, i) => found(s, i, 3)).length / n,
    recallAt1: inScope.filter((s, i) => found(s, i, 1)).length / n,
    answeredRight: inScope.filter((s, i) => s.best >= threshold && found(s, i, 3)).length / n,
    idkShare: out.filter((s) => s.best < threshold).length / Math.max(1, out.length),
    threshold,
    misses: set.inScope.filter((_, i) => !found(inScope[i], i, 3)).map((x) => x.q),
  };
}

/** Runs the set against `passages` with `threshold`. */
export function evaluate(passages: readonly KeyedPassage[], set: EvalSet, threshold: number): EvalFigures {
  return figuresOf(set, scored(passages, set), threshold);
}

/**
 * The threshold that best separates the set: the one maximising answered-right + IDK share (each
 * a share, so in-scope and out-of-scope weigh alike), among the midpoints of the best confidences.
 */
export function calibrate(
  passages: readonly KeyedPassage[],
  set: EvalSet,
): { threshold: number; figures: EvalFigures } {
  const s = scored(passages, set);
  const cuts = [...new Set([...s.inScope, ...s.out].map((x) => x.best))].sort((a, b) => a - b);
  let best = { threshold: 0.5, figures: figuresOf(set, s, 0.5) };
  for (let i = 1; i < cuts.length; i++) {
    const t = (cuts[i - 1] + cuts[i]) / 2;
    const f = figuresOf(set, s, t);
    if (f.answeredRight + f.idkShare > best.figures.answeredRight + best.figures.idkShare)
      best = { threshold: t, figures: f };
  }
  return best;
}
