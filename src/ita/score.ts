// Scoring (pure, exact): item → indicator → instrument → ITA. (Skeleton: being written.)
import type { Answers, Framework, ScoreResult } from './types.ts';

/** The full breakdown of a cycle's answers under a framework. Pure; integers (hundredths) throughout. */
export function scoreAnswers(_framework: Framework, _answers: Answers): ScoreResult {
  throw new Error('not implemented yet');
}

/** 8341 → '83.41' */
export function formatScore(hundredths: number): string {
  return (hundredths / 100).toFixed(2);
}
