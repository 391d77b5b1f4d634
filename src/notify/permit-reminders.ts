// §10 reminders of the Licensing Facilitation Act B.E. 2558: while a late permit request is
// undecided, every 7 days the owning agency's intake officers and supervisors are mailed to tell the
// applicant the reason for the delay. A reminder carries the reference, the days late and the
// manual's deadline: no content (the mail crosses relays in the clear, see mailer.ts).
import { sql } from 'kysely';
import type { Db } from '../db/connection.ts';
import { bangkokToday, daysLate, formatDay, nextNoticeAfter } from '../cases/permit-dates.ts';
import { translator, type Lang } from '../i18n/messages.ts';
import { bilingualMail } from '../mail/mailer.ts';
import type { MailJob, MailRun } from './mail-jobs.ts';

/** Permit requests reminded per run: the rest wait for the next run (longest due first). */
export const REMINDER_BATCH = 500;
export const REMINDER_INTERVAL_MS = 15 * 60_000;
/**
 * A run claims a reminder by moving it this far ahead, then sends, then records it. A runner that
 * dies in between leaves the claim to expire: the reminder is due again an hour later (sent twice
 * if the crash came after the mail: a repeat beats a missed §10 notice).
 */
export const CLAIM_LEASE_MS = 60 * 60_000;

type Reminder = {
  caseId: string;
  reference: string;
  manualDueOn: string;
  daysLate: number;
  was: Date;
  mailed: number;
  isUnsent: boolean;
};
type Person = { email: string; reminders: Reminder[] };
export type ReminderRun = { reminders: number; mails: number; errors: string[] };

/**
 * Sends the §10 reminders due at `now` and records each (`permit_notice` kind `reminder`, with the
 * number of people mailed), moving the request's next reminder to the next 7-day step after `now`.
 * Safe with two runners: a request is claimed by one conditional update (FOR UPDATE SKIP LOCKED).
 * A reminder whose mail failed for anyone (server down, a recipient deferred) is not recorded and
 * is due again at the next run; a recipient refused for good (5xx) is reported in `errors` and not
 * retried, or everyone else would be mailed again every run.
 */
export async function sendPermitReminders({ db, transport, from, publicUrl, now }: MailRun): Promise<ReminderRun> {
  const lease = new Date(now.getTime() + CLAIM_LEASE_MS);
  const reminders = await claimReminders(db, now, lease);
  if (reminders.length === 0) return { reminders: 0, mails: 0, errors: [] };
  const people = await peopleToRemind(db, reminders);
  const errors: string[] = [];
  let mails = 0;
  for (const [i, person] of people.entries()) {
    try {
      await transport.sendMail({ from, to: person.email, ...composeReminder(person.reminders, publicUrl) });
      mails++;
      for (const r of person.reminders) r.mailed++;
    } catch (e) {
      const err = e as Error & { code?: string; responseCode?: number };
      errors.push(`permit reminder to ${person.email}: ${err.message}`);
      if (err.code === 'EENVELOPE' && (err.responseCode ?? 0) >= 500) continue;
      for (const r of person.reminders) r.isUnsent = true;
      // Anything but a deferred recipient (server down, login refused) fails every mail alike.
      if (err.code !== 'EENVELOPE') {
        for (const r of people.slice(i + 1).flatMap((p) => p.reminders)) r.isUnsent = true;
        break;
      }
    }
  }
  for (const r of reminders)
    if (r.mailed === 0 && !r.isUnsent)
      errors.push(
        `permit reminder for ${r.reference}: nobody mailed (no active intake officer or supervisor, or every address refused)`,
      );
  await settleReminders(db, reminders, now, lease);
  return { reminders: reminders.filter((r) => !r.isUnsent).length, mails, errors };
}

/**
 * Claims the undecided requests due at `now` in one statement: rows another runner holds are
 * skipped, and a row it claimed meanwhile no longer matches (its next reminder is `lease`).
 */
async function claimReminders(db: Db, now: Date, lease: Date): Promise<Reminder[]> {
  const { rows } = await sql<{ case_id: string; was: Date; reference: string; manual_due_on: string }>`
    with due as (
      select p.case_id, p.next_notice_at as was from permit_request p
      where p.decision is null and p.next_notice_at <= ${now}::timestamptz
      order by p.next_notice_at limit ${REMINDER_BATCH}
      for update skip locked
    )
    update permit_request p set next_notice_at = ${lease}::timestamptz
    from due, report_case c
    where p.case_id = due.case_id and c.id = p.case_id
    returning p.case_id, due.was, c.reference, to_char(p.manual_due_on, 'YYYY-MM-DD') as manual_due_on`.execute(db);
  const today = bangkokToday(now);
  return rows
    .map((r) => ({
      caseId: r.case_id,
      reference: r.reference,
      manualDueOn: r.manual_due_on,
      daysLate: daysLate(r.manual_due_on, null, today),
      was: r.was,
      mailed: 0,
      isUnsent: false,
    }))
    .sort((a, b) => b.daysLate - a.daysLate || a.reference.localeCompare(b.reference));
}

/** The active intake officers and supervisors of the agency that owns each case, one entry per person. */
async function peopleToRemind(db: Db, reminders: Reminder[]): Promise<Person[]> {
  const { rows } = await sql<{ case_id: string; user_id: number; email: string }>`
    select distinct c.id as case_id, u.id as user_id, u.email from report_case c
    join staff_user u on u.agency_id = c.agency_id and u.is_active
    join staff_role r on r.user_id = u.id and r.role in ('intake_officer', 'supervisor')
    where c.id = any(${reminders.map((r) => r.caseId)}::uuid[])
    order by u.id`.execute(db);
  const byCase = new Map(reminders.map((r) => [r.caseId, r]));
  const people = new Map<number, Person>();
  for (const row of rows) {
    const person = people.get(row.user_id) ?? { email: row.email, reminders: [] };
    person.reminders.push(byCase.get(row.case_id)!);
    people.set(row.user_id, person);
  }
  return [...people.values()];
}

/**
 * Records what was sent and releases what was not, in one transaction. Both updates are
 * conditional on the claim: a decision or a reason told meanwhile keeps its own next reminder.
 */
async function settleReminders(db: Db, reminders: Reminder[], now: Date, lease: Date): Promise<void> {
  const sent = reminders.filter((r) => !r.isUnsent);
  const unsent = reminders.filter((r) => r.isUnsent);
  await db.transaction().execute(async (trx) => {
    if (sent.length > 0) {
      await sql`
        update permit_request p set next_notice_at = t.next
        from unnest(${sent.map((r) => r.caseId)}::uuid[], ${sent.map((r) => nextNoticeAfter(r.was, now))}::timestamptz[]) as t(case_id, next)
        where p.case_id = t.case_id and p.next_notice_at = ${lease}::timestamptz`.execute(trx);
      await sql`
        insert into permit_notice (case_id, kind, at, recipients)
        select t.case_id, 'reminder', date_trunc('minute', ${now}::timestamptz), t.n from unnest(${sent.map((r) => r.caseId)}::uuid[], ${sent.map((r) => r.mailed)}::int[]) as t(case_id, n)`.execute(
        trx,
      );
    }
    if (unsent.length > 0) {
      await sql`
        update permit_request p set next_notice_at = t.was
        from unnest(${unsent.map((r) => r.caseId)}::uuid[], ${unsent.map((r) => r.was)}::timestamptz[]) as t(case_id, was)
        where p.case_id = t.case_id and p.next_notice_at = ${lease}::timestamptz`.execute(trx);
    }
  });
}

/** The mail of one person: Thai then English, longest late first. References, days late and deadlines only. */
export function composeReminder(
  reminders: Pick<Reminder, 'reference' | 'manualDueOn' | 'daysLate'>[],
  publicUrl: string,
): { subject: string; text: string } {
  const section = (lang: Lang) => {
    const t = translator(lang);
    const items = reminders.map(
      (r) =>
        `- ${t('permit.mail.item', { reference: r.reference, days: r.daysLate, due: formatDay(lang, r.manualDueOn) })}\n  ${publicUrl}/staff/cases/${encodeURIComponent(r.reference)}/permit`,
    );
    return [t('permit.mail.intro'), '', ...items, '', t('permit.mail.footer')].join('\n');
  };
  const count = reminders.length;
  return bilingualMail((lang) => translator(lang)('permit.mail.subject', { count }), section);
}

/** Runs the permit reminders every 15 minutes when SMTP is configured. */
export const permitReminders: MailJob<ReminderRun> = {
  name: 'permit reminders',
  intervalMs: REMINDER_INTERVAL_MS,
  send: sendPermitReminders,
  says: (r) => `${r.reminders} reminders in ${r.mails} mails`,
};
