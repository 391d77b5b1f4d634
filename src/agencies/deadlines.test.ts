import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AgencySettings } from '../db/schema.ts';
import { addMonths, checkPolicy, DEFAULT_POLICY, dueDates, dueState, DUE_SOON_DAYS, policyFor } from './deadlines.ts';

const DAY = 86_400_000;
/** A Bangkok wall-clock time (UTC+7) as an instant. */
const bkk = (local: string) => new Date(`${local}+07:00`);

describe('policyFor', () => {
  const settings: AgencySettings = {
    deadlines: { ackDays: 5, replyDays: 10 },
    categoryDeadlines: { bribery: { replyDays: 3, pauseWhileWaiting: false } },
  };

  it('uses the Royal Decree defaults when the agency sets nothing', () => {
    assert.deepEqual(policyFor(null, 'bribery'), DEFAULT_POLICY);
    assert.deepEqual(policyFor(undefined, 'other'), DEFAULT_POLICY);
    assert.deepEqual(policyFor({}, 'other'), { ackDays: 7, replyDays: 15, feedbackMonths: 3, pauseWhileWaiting: true });
  });

  it('lays the category over the agency over the defaults, key by key', () => {
    assert.deepEqual(policyFor(settings, 'bribery'), {
      ackDays: 5,
      replyDays: 3,
      feedbackMonths: 3,
      pauseWhileWaiting: false,
    });
    assert.deepEqual(policyFor(settings, 'procurement_fraud'), {
      ackDays: 5,
      replyDays: 10,
      feedbackMonths: 3,
      pauseWhileWaiting: true,
    });
    assert.deepEqual(policyFor({ categoryDeadlines: { other: { feedbackMonths: 6 } } }, 'other'), {
      ...DEFAULT_POLICY,
      feedbackMonths: 6,
    });
  });

  it('does not change the defaults it merges', () => {
    policyFor(settings, 'bribery');
    assert.deepEqual(DEFAULT_POLICY, { ackDays: 7, replyDays: 15, feedbackMonths: 3, pauseWhileWaiting: true });
  });
});

describe('addMonths', () => {
  const table: [string, number, string][] = [
    ['2026-01-15T10:00', 1, '2026-02-15T10:00'],
    ['2026-01-31T10:00', 1, '2026-02-28T10:00'],
    ['2028-01-31T10:00', 1, '2028-02-29T10:00'], // leap year
    ['2026-03-31T10:00', 1, '2026-04-30T10:00'],
    ['2026-05-31T10:00', 3, '2026-08-31T10:00'],
    ['2026-11-30T10:00', 3, '2027-02-28T10:00'], // across the year
    ['2026-12-31T23:59', 2, '2027-02-28T23:59'],
    ['2026-08-31T10:00', 24, '2028-08-31T10:00'],
    // Early morning in Bangkok is still the previous day in UTC: the day counted is Bangkok's.
    ['2026-03-31T02:00', 1, '2026-04-30T02:00'],
    ['2026-01-31T06:59', 1, '2026-02-28T06:59'],
    ['2026-04-01T03:00', 1, '2026-05-01T03:00'],
  ];

  it('keeps the day of the month in Bangkok, clamped to the month’s last day', () => {
    for (const [from, months, to] of table) {
      assert.equal(addMonths(bkk(from), months).toISOString(), bkk(to).toISOString(), `${from} + ${months}`);
    }
  });

  it('keeps the time of day to the millisecond and does not change its argument', () => {
    const from = new Date('2026-01-31T08:09:10.123Z');
    assert.equal(addMonths(from, 1).toISOString(), '2026-02-28T08:09:10.123Z');
    assert.equal(from.toISOString(), '2026-01-31T08:09:10.123Z');
  });
});

describe('dueDates', () => {
  it('counts days as 24 hours from filing and months on the calendar', () => {
    const start = bkk('2026-01-31T09:30');
    const due = dueDates(DEFAULT_POLICY, start);
    assert.equal(due.ack_due_at.toISOString(), bkk('2026-02-07T09:30').toISOString());
    assert.equal(due.reply_due_at.toISOString(), bkk('2026-02-15T09:30').toISOString());
    assert.equal(due.feedback_due_at.toISOString(), bkk('2026-04-30T09:30').toISOString());
  });

  it('follows the policy it is given', () => {
    const start = bkk('2026-06-01T00:00');
    const due = dueDates({ ackDays: 1, replyDays: 30, feedbackMonths: 12, pauseWhileWaiting: false }, start);
    assert.equal(due.ack_due_at.getTime() - start.getTime(), DAY);
    assert.equal(due.reply_due_at.getTime() - start.getTime(), 30 * DAY);
    assert.equal(due.feedback_due_at.toISOString(), bkk('2027-06-01T00:00').toISOString());
  });

  it('drops the seconds and milliseconds of the filing time', () => {
    const due = dueDates(DEFAULT_POLICY, new Date('2026-01-31T02:30:59.999Z'));
    assert.equal(due.ack_due_at.toISOString(), bkk('2026-02-07T09:30').toISOString());
    assert.equal(due.reply_due_at.toISOString(), bkk('2026-02-15T09:30').toISOString());
    assert.equal(due.feedback_due_at.toISOString(), bkk('2026-04-30T09:30').toISOString());
  });
});

describe('dueState', () => {
  const now = new Date('2026-03-01T00:00:00Z');
  const at = (ms: number) => new Date(now.getTime() + ms);
  const table: [string, Date | null, Date | null, string][] = [
    ['met when no due date', null, null, 'met'],
    ['met even when paused', null, now, 'met'],
    ['paused whatever the due date', at(-DAY), at(-2 * DAY), 'paused'],
    ['overdue a day late', at(-DAY), null, 'overdue'],
    ['overdue at the due instant', now, null, 'overdue'],
    ['due soon a millisecond before', at(1), null, 'due_soon'],
    ['due soon exactly DUE_SOON_DAYS ahead', at(DUE_SOON_DAYS * DAY), null, 'due_soon'],
    ['running a millisecond past the window', at(DUE_SOON_DAYS * DAY + 1), null, 'running'],
    ['running far ahead', at(30 * DAY), null, 'running'],
  ];

  it('classifies each clock at the boundaries', () => {
    for (const [name, due, pausedAt, want] of table) assert.equal(dueState(due, pausedAt, now), want, name);
  });
});

describe('checkPolicy', () => {
  it('reads whole numbers typed in a form, and the pause checkbox', () => {
    assert.deepEqual(checkPolicy({ ackDays: '3', replyDays: 20, feedbackMonths: '24', pauseWhileWaiting: 'on' }), {
      ackDays: 3,
      replyDays: 20,
      feedbackMonths: 24,
      pauseWhileWaiting: true,
    });
    assert.deepEqual(checkPolicy({ ackDays: '365', pauseWhileWaiting: false }), {
      ackDays: 365,
      pauseWhileWaiting: false,
    });
    assert.deepEqual(checkPolicy({ pauseWhileWaiting: 'true' }), { pauseWhileWaiting: true });
    assert.deepEqual(checkPolicy({ pauseWhileWaiting: 'off' }), { pauseWhileWaiting: false });
  });

  it('leaves out what is not given, so the defaults or the agency’s policy apply', () => {
    assert.deepEqual(checkPolicy({}), {});
    assert.deepEqual(checkPolicy({ ackDays: '', replyDays: undefined }), {});
  });

  it('refuses a value that is not a whole number in range, naming the field', () => {
    const bad: Record<string, unknown>[] = [
      { ackDays: '0' },
      { ackDays: -1 },
      { ackDays: '366' },
      { replyDays: '1.5' },
      { replyDays: 'fifteen' },
      { replyDays: null },
      { replyDays: Number.NaN },
      { replyDays: '1e1000' },
      { feedbackMonths: '25' },
      { feedbackMonths: '0' },
      { feedbackMonths: [3] as unknown },
    ];
    for (const input of bad) {
      const field = Object.keys(input)[0];
      assert.throws(
        () => checkPolicy(input),
        (e: { code: string; fields: Record<string, string> }) =>
          e.code === 'invalid_input' &&
          e.fields[field] ===
            (field === 'feedbackMonths' ? 'admin.settings.error.months' : 'admin.settings.error.days'),
        JSON.stringify(input),
      );
    }
  });
});
