// Deadline clocks of a case (the defaults of the Royal Decree on Good Governance as used by OPDC):
// acknowledge within 7 days, first substantive reply to the reporter within 15 days, feedback
// within 3 months. An agency sets its own per category in agency.settings. The due times live on
// the case row (null once met), so the due views are index scans.
// With the agencies because the policy is an agency's setting: filing (intake) starts the clocks,
// the agency administrator (staff/admin) sets them, the handling (cases) reads them.
import type { AgencySettings, DeadlinePolicy } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { asciiDigits } from '../i18n/digits.ts';

export const DEFAULT_POLICY: DeadlinePolicy = { ackDays: 7, replyDays: 15, feedbackMonths: 3, pauseWhileWaiting: true };
export const CLOCKS = ['ack', 'reply', 'feedback'] as const;
export type Clock = (typeof CLOCKS)[number];
/** A case is "due soon" when a clock runs out within this many days. */
export const DUE_SOON_DAYS = 2;

export function policyFor(settings: AgencySettings | null | undefined, category: string): DeadlinePolicy {
  return { ...DEFAULT_POLICY, ...settings?.deadlines, ...settings?.categoryDeadlines?.[category] };
}

// Thailand keeps UTC+7 all year (no daylight saving), so its calendar is UTC shifted by 7 hours.
const BANGKOK_OFFSET_MS = 7 * 3_600_000;

/**
 * Adds calendar months as the Thai civil calendar counts them: the same day of the month in
 * Bangkok, clamped to the month's last day (31 January + 1 month = 28 or 29 February). Counted on
 * Bangkok's calendar, not UTC's, so a report filed early on the 31st is not clamped as the 30th.
 */
export function addMonths(date: Date, months: number): Date {
  const d = new Date(date.getTime() + BANGKOK_OFFSET_MS);
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + months);
  const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, last));
  return new Date(d.getTime() - BANGKOK_OFFSET_MS);
}

/** A time as the platform keeps it: to the minute (seconds and milliseconds dropped). */
export function toMinute(d: Date): Date {
  return new Date(Math.floor(d.getTime() / 60_000) * 60_000);
}

/** The due times of the three clocks started at `start`, to the minute like every stored case time. */
export function dueDates(
  policy: DeadlinePolicy,
  at: Date,
): { ack_due_at: Date; reply_due_at: Date; feedback_due_at: Date } {
  const start = toMinute(at);
  return {
    ack_due_at: new Date(start.getTime() + policy.ackDays * 86_400_000),
    reply_due_at: new Date(start.getTime() + policy.replyDays * 86_400_000),
    feedback_due_at: addMonths(start, policy.feedbackMonths),
  };
}

/** Validates a policy typed by an agency administrator (whole days, 1 to 365; months 1 to 24). */
export function checkPolicy(input: Record<string, unknown>): Partial<DeadlinePolicy> {
  const out: Partial<DeadlinePolicy> = {};
  const int = (key: 'ackDays' | 'replyDays' | 'feedbackMonths', max: number) => {
    const raw = input[key];
    if (raw === undefined || raw === '') return;
    // A repeated form field arrives as an array: refused, not read as its only element.
    const n =
      typeof raw === 'number'
        ? raw
        : typeof raw === 'string' && /^\s*\d+\s*$/.test(asciiDigits(raw))
          ? Number(asciiDigits(raw))
          : Number.NaN;
    if (!Number.isInteger(n) || n < 1 || n > max)
      throw new AppError('invalid_input', `${key} must be a whole number from 1 to ${max}`, 'error.form', {
        [key]: key === 'feedbackMonths' ? 'admin.settings.error.months' : 'admin.settings.error.days',
      });
    out[key] = n;
  };
  int('ackDays', 365);
  int('replyDays', 365);
  int('feedbackMonths', 24);
  if (input.pauseWhileWaiting !== undefined)
    out.pauseWhileWaiting =
      input.pauseWhileWaiting === true || input.pauseWhileWaiting === 'on' || input.pauseWhileWaiting === 'true';
  return out;
}

export type DueState = 'overdue' | 'due_soon' | 'running' | 'paused' | 'met';

/** The state of one clock at `now`. */
export function dueState(due: Date | null, pausedAt: Date | null, now: Date): DueState {
  if (due === null) return 'met';
  if (pausedAt !== null) return 'paused';
  if (due.getTime() <= now.getTime()) return 'overdue';
  return due.getTime() - now.getTime() <= DUE_SOON_DAYS * 86_400_000 ? 'due_soon' : 'running';
}
