// When declarations are due, from the agency's policy, the positions a person holds and what they
// have filed. Pure; days are Bangkok calendar days (YYYY-MM-DD).
import type { Occasion } from './content.ts';
import type { Policy } from './positions.ts';

export type Holding = { startedOn: string; leftOn: string | null };
export type Filing = { occasion: Occasion; filedOn: string };
export type Due = { occasion: Occasion; dueOn: string; isFiled: boolean };

const DAY = 86_400_000;
export const addDays = (day: string, n: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);

/**
 * The declarations due of one person: on taking up each holding (within entryDays of its start),
 * on leaving it (within leavingDays), and each year on the policy's day while they hold one (the
 * yearly one is filed by any yearly declaration in the year before its day). A declaration filed
 * on or after the day that opens it counts.
 */
export function duesOf(policy: Policy, holdings: Holding[], filings: Filing[], today: string): Due[] {
  const filedSince = (occasion: Occasion, from: string) =>
    filings.some((f) => f.occasion === occasion && f.filedOn >= from);
  const dues: Due[] = [];
  for (const h of holdings) {
    dues.push({
      occasion: 'entry',
      dueOn: addDays(h.startedOn, policy.entryDays),
      isFiled: filedSince('entry', h.startedOn),
    });
    if (h.leftOn)
      dues.push({
        occasion: 'leaving',
        dueOn: addDays(h.leftOn, policy.leavingDays),
        isFiled: filedSince('leaving', h.leftOn),
      });
  }
  const current = holdings.filter((h) => h.startedOn <= today && (h.leftOn === null || h.leftOn > today));
  if (current.length > 0) {
    const thisYear = `${today.slice(0, 4)}-${policy.yearlyDue}`;
    const dueOn = thisYear >= today ? thisYear : `${Number(today.slice(0, 4)) + 1}-${policy.yearlyDue}`;
    const earliest = current.map((h) => h.startedOn).sort()[0] ?? today;
    // the first yearly declaration falls due only once a full entry period has passed
    if (addDays(earliest, policy.entryDays) < dueOn)
      dues.push({ occasion: 'yearly', dueOn, isFiled: filedSince('yearly', addDays(dueOn, -365)) });
  }
  return dues.sort((a, b) => a.dueOn.localeCompare(b.dueOn));
}

/** Whether a reminder of `due` goes out on `today`: unfiled, within remindDays before its day. */
export function isReminderDue(due: Due, remindDays: number, today: string): boolean {
  return !due.isFiled && today <= due.dueOn && addDays(today, remindDays) >= due.dueOn;
}
