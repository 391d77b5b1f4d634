// Calendar arithmetic of late permits (Licensing Facilitation Act B.E. 2558): the citizen manual's
// deadlines are Thai calendar days, kept as YYYY-MM-DD strings, never as instants.
import type { Lang } from '../i18n/messages.ts';
import { parseFormDate } from '../i18n/form-date.ts';
import { bangkokToday } from '../intake/validate-complaint.ts';

const DAY_MS = 86_400_000;
/** §10: the applicant is told the reason for the delay every 7 days until the decision. */
export const NOTICE_PERIOD_DAYS = 7;
export const NOTICE_PERIOD_MS = NOTICE_PERIOD_DAYS * DAY_MS;

export { bangkokToday };

/** A calendar date typed in a form (D/M/YYYY in B.E. or A.D., or YYYY-MM-DD) that exists, as YYYY-MM-DD, or null. */
export const parseDay = parseFormDate;

/** Whole calendar days from `from` to `to` (both YYYY-MM-DD); negative when `to` is earlier. */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

/**
 * Days past the manual's deadline: until the decision, or until `today` (Bangkok) while undecided.
 * Zero when decided in time or not yet due.
 */
export function daysLate(manualDueOn: string, decidedOn: string | null, today: string): number {
  return Math.max(0, daysBetween(manualDueOn, decidedOn ?? today));
}

/**
 * The next §10 reminder after `now`: the schedule keeps its 7-day steps from `was` (a runner that
 * was down for three weeks sends one reminder, not three, and stays on the schedule).
 */
export function nextNoticeAfter(was: Date, now: Date): Date {
  const steps = Math.max(0, Math.floor((now.getTime() - was.getTime()) / NOTICE_PERIOD_MS)) + 1;
  return new Date(was.getTime() + steps * NOTICE_PERIOD_MS);
}

/** A calendar date as Thai readers expect it: Buddhist Era (2 ม.ค. 2569 / 2 Jan 2569). */
export function formatDay(lang: Lang, day: string): string {
  return new Intl.DateTimeFormat(lang === 'th' ? 'th-TH' : 'en-GB-u-ca-buddhist', {
    dateStyle: 'medium',
    timeZone: 'UTC',
  }).format(new Date(`${day}T00:00:00Z`));
}
