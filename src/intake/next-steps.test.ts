// What a reporter is told comes next: the clocks still running in order, late ones marked, nothing
// while paused or after closure, and a complaint's outcome (never a tip's) once closed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nextSteps, type CaseClocks } from './next-steps.ts';

const day = (d: number) => new Date(Date.UTC(2026, 0, d, 3));
const open: CaseClocks = {
  kind: 'complaint',
  status: 'new',
  outcome: null,
  ack_due_at: day(8),
  reply_due_at: day(16),
  feedback_due_at: day(31),
  paused_at: null,
};

describe('nextSteps', () => {
  it('lists the running clocks in order, marking those passed as late', () => {
    assert.deepEqual(nextSteps(open, day(10)).steps, [
      { clock: 'ack', due: day(8), isLate: true },
      { clock: 'reply', due: day(16), isLate: false },
      { clock: 'feedback', due: day(31), isLate: false },
    ]);
  });

  it('leaves out the clocks met (null)', () => {
    const s = nextSteps({ ...open, status: 'acknowledged', ack_due_at: null, reply_due_at: null }, day(2));
    assert.deepEqual(
      s.steps.map((x) => x.clock),
      ['feedback'],
    );
    assert.equal(s.isPaused, false);
  });

  it('shows no date while the officers wait for the reporter: the dates move when they answer', () => {
    const s = nextSteps({ ...open, paused_at: day(3) }, day(4));
    assert.deepEqual(s.steps, []);
    assert.equal(s.isPaused, true);
  });

  it('tells a complaint how it ended once closed, and never a tip', () => {
    const closed = { ...open, status: 'closed', outcome: 'partly_resolved' } as const;
    assert.deepEqual(nextSteps(closed, day(40)), {
      steps: [],
      isPaused: false,
      isClosed: true,
      outcome: 'partly_resolved',
    });
    assert.equal(nextSteps({ ...closed, status: 'concluded' }, day(40)).outcome, null, 'not before closure');
    assert.equal(nextSteps({ ...closed, kind: 'tip', outcome: 'out_of_scope' }, day(40)).outcome, null);
  });
});
