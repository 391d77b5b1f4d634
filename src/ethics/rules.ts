// The rules of a course's tests, pure: which attempt may start (Moodle's quiz "Attempts allowed" and
// "Enforced delay between attempts"), how an item is marked, and how the attempts' grades make the
// course's grade (Moodle's "Grading method": highest grade, average grade, first attempt, last
// attempt). Sources: Moodle's mod/quiz/locallib.php (quiz_get_grading_options,
// quiz_calculate_best_grade) and mod/quiz/accessrule/delaybetweenattempts/rule.php
// (https://docs.huihoo.com/phpdoc/moodle/2.8/xref/mod/quiz/accessrule/delaybetweenattempts/rule.php.source.txt).
// Moodle has two delays (after attempt 1, and after later ones); a course here has one, applied after every attempt.

import { attemptGrade, type GradingMethod } from './item-analysis.ts';

export type { GradingMethod };
export const GRADING_METHODS: readonly GradingMethod[] = ['highest', 'average', 'first', 'last'];

export type AttemptRules = {
  /** 0: unlimited. */
  attemptsAllowed: number;
  delayMinutes: number;
  grading: GradingMethod;
  /** Percent, 0–100. */
  passMark: number;
};

export type StartCheck =
  | { ok: true }
  | { ok: false; reason: 'no_attempts_left' }
  | { ok: false; reason: 'wait'; until: Date };

/**
 * Whether a new attempt may start now, given the submitted attempts' submission times (oldest
 * first). As Moodle does, no attempt left wins over a delay.
 */
export function mayStartAttempt(
  rules: Pick<AttemptRules, 'attemptsAllowed' | 'delayMinutes'>,
  submitted: readonly Date[],
  now: Date,
): StartCheck {
  if (rules.attemptsAllowed > 0 && submitted.length >= rules.attemptsAllowed)
    return { ok: false, reason: 'no_attempts_left' };
  const last = submitted.at(-1);
  if (last && rules.delayMinutes > 0) {
    const until = new Date(last.getTime() + rules.delayMinutes * 60_000);
    if (now < until) return { ok: false, reason: 'wait', until };
  }
  return { ok: true };
}

/** The course's grade from its submitted attempts' percentages (oldest first); null with none. */
export function courseGrade(method: GradingMethod, percents: readonly number[]): number | null {
  return attemptGrade(percents, method);
}

export const isPass = (grade: number | null, passMark: number): boolean => grade !== null && grade >= passMark;

export type ItemKind = 'single' | 'multiple' | 'truefalse';

/**
 * An item's mark in [0, 1] for the options chosen. Single choice and true/false: 1 for the correct
 * option alone. Multiple choice, as Moodle's multi-answer question with equal fractions: each
 * correct option chosen adds 1/(correct options), each wrong one takes as much away, never below 0.
 */
export function markItem(kind: ItemKind, correct: readonly boolean[], chosen: readonly number[]): number {
  const picked = [...new Set(chosen)].filter((i) => Number.isInteger(i) && i >= 0 && i < correct.length);
  if (kind !== 'multiple') return picked.length === 1 && correct[picked[0] ?? -1] ? 1 : 0;
  const right = correct.filter(Boolean).length;
  if (right === 0) return 0;
  const net = picked.reduce((s, i) => s + (correct[i] ? 1 : -1), 0);
  return Math.max(0, Math.min(1, net / right));
}

/** An attempt's percentage from its item marks (each item worth 1). */
export function attemptPercent(marks: readonly number[]): number {
  if (marks.length === 0) return 0;
  return Math.round((marks.reduce((a, b) => a + b, 0) / marks.length) * 10_000) / 100;
}
