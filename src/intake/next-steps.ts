// What a reporter or a complainant is told will happen next, from the case's deadline clocks
// (agencies/deadlines.ts: acknowledge, first reply, feedback; each null once met) and its status:
// the dates still ahead or missed, a pause while the officers wait for the reporter, or, once the
// case is closed, how a complaint ended. Pure: the caller reads the case row.
import type { Clock } from '../agencies/deadlines.ts';
import type { CaseKind, CaseOutcome, CaseStatus } from '../db/schema.ts';

export type CaseClocks = {
  kind: CaseKind;
  status: CaseStatus;
  outcome: CaseOutcome | null;
  ack_due_at: Date | null;
  reply_due_at: Date | null;
  feedback_due_at: Date | null;
  paused_at: Date | null;
};

/** One date the agency is held to: `isLate` once it has passed without the step being done. */
export type ExpectedStep = { clock: Clock; due: Date; isLate: boolean };

export type NextSteps = {
  /** The clocks still running, in the order they run out (acknowledge, reply, feedback). */
  steps: ExpectedStep[];
  /** The officers asked the reporter something: the clocks wait for the answer (dates not shown, they move). */
  isPaused: boolean;
  isClosed: boolean;
  /**
   * How a complaint or a late permit ended, once closed (a concluded case can still be sent back).
   * Never a tip's: its conclusion is the team's, and telling it could expose the people it names.
   */
  outcome: CaseOutcome | null;
};

export function nextSteps(c: CaseClocks, now: Date): NextSteps {
  const isClosed = c.status === 'closed';
  const isPaused = !isClosed && c.paused_at !== null;
  const clocks: [Clock, Date | null][] = [
    ['ack', c.ack_due_at],
    ['reply', c.reply_due_at],
    ['feedback', c.feedback_due_at],
  ];
  const steps =
    isClosed || isPaused
      ? []
      : clocks.flatMap(([clock, due]) => (due ? [{ clock, due, isLate: due.getTime() <= now.getTime() }] : []));
  return { steps, isPaused, isClosed, outcome: isClosed && c.kind !== 'tip' ? c.outcome : null };
}
