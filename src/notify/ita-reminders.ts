// Reminders of the OIT self-check: while an open assessment cycle has checklist items still missing
// (no evidence, or judged not disclosed), the agency's administrators and ITA assessors are mailed
// the list every week, and every day in the last 7 days before the cycle's OIT due date. A mail
// carries item ids, titles and a link: nothing else (it crosses relays in the clear, see mailer.ts).
import { sql } from 'kysely';
import { recordAudit } from '../audit/record-audit.ts';
import type { Db } from '../db/connection.ts';
import { bangkokToday, daysBetween, formatDay } from '../cases/permit-dates.ts';
import { translator, type Lang } from '../i18n/messages.ts';
import { cycleOf, ITA_ROLES, type Cycle } from '../ita/cycles.ts';
import { missingItems, oitItemsOf, type OitItem } from '../ita/oit.ts';
import { bilingualMail, type MailTransport } from '../mail/mailer.ts';
import type { MailJob, MailRun } from './mail-jobs.ts';

/** Reminders go out weekly; a run every hour finds the day's due ones soon after the day starts. */
export const ITA_REMINDER_INTERVAL_MS = 60 * 60_000;
/** Days between two reminders of a cycle outside the last days before its due date. */
export const WEEKLY_DAYS = 7;
/** In this many days before the OIT due date (and on it), reminders go out daily. */
export const DAILY_WINDOW_DAYS = 7;

/** What a run did: cycles reminded, mails sent, failures to log. */
export type ItaReminderRun = { cycles: number; mails: number; errors: string[] };

/**
 * Whether a cycle is due a reminder on `today`: a week after the last one (or after the cycle
 * opened), or any day from DAILY_WINDOW_DAYS before the due date to the due date itself. Pure;
 * days are Bangkok calendar days (YYYY-MM-DD).
 */
export function isReminderDue({
  today,
  openedOn,
  lastSentOn,
  oitDueOn,
}: {
  today: string;
  openedOn: string;
  lastSentOn: string | null;
  oitDueOn: string | null;
}): boolean {
  const last = lastSentOn ?? openedOn;
  if (daysBetween(last, today) >= WEEKLY_DAYS) return true;
  if (oitDueOn === null || lastSentOn === today) return false;
  const left = daysBetween(today, oitDueOn);
  return left >= 0 && left <= DAILY_WINDOW_DAYS;
}

/**
 * Sends the reminders due at `now`. A cycle's reminder of the day is claimed by inserting its
 * ita_reminder row (primary key cycle and day) before any mail: of two runners, only the one whose
 * insert landed mails. Once sent, the row gets the number of people mailed and the audit
 * ('ita_reminder_sent') in one transaction. When the mail server fails (down, or a recipient
 * deferred) the claim is dropped and the reminder is due again at the next run (someone may then
 * get it twice: a repeat beats a missed reminder); a recipient refused for good (5xx) is reported
 * in `errors` and not retried.
 */
export async function sendItaReminders({ db, transport, from, publicUrl, now }: MailRun): Promise<ItaReminderRun> {
  const today = bangkokToday(now);
  const { rows } = await sql<
    Parameters<typeof cycleOf>[0] & {
      opened_on: string;
      last_sent_on: string | null;
      agency_name_th: string;
      agency_name_en: string;
    }
  >`
    select c.*, to_char(c.opened_at at time zone 'Asia/Bangkok', 'YYYY-MM-DD') as opened_on,
      (select to_char(max(r.sent_on), 'YYYY-MM-DD') from ita_reminder r where r.cycle_id = c.id) as last_sent_on,
      a.name_th as agency_name_th, a.name_en as agency_name_en
    from ita_cycle c join agency a on a.id = c.agency_id
    where c.state = 'open' order by c.id`.execute(db);
  const run: ItaReminderRun = { cycles: 0, mails: 0, errors: [] };
  for (const row of rows) {
    if (!isReminderDue({ today, openedOn: row.opened_on, lastSentOn: row.last_sent_on, oitDueOn: row.oit_due_on }))
      continue;
    const cycle = cycleOf(row);
    const missing = missingItems(await oitItemsOf({ db, cycle }));
    if (missing.length === 0) continue;
    const claimed = await db
      .insertInto('ita_reminder')
      .values({ cycle_id: cycle.id, sent_on: today, missing: missing.length, recipients: 0 })
      .onConflict((oc) => oc.doNothing())
      .returning('cycle_id')
      .executeTakeFirst();
    if (!claimed) continue; // another runner has it
    const outcome = await mailCycle({
      db,
      transport,
      from,
      publicUrl,
      cycle,
      agencyName: { th: row.agency_name_th, en: row.agency_name_en },
      missing,
    });
    run.errors.push(...outcome.errors);
    if (outcome.isUnsent) {
      await db.deleteFrom('ita_reminder').where('cycle_id', '=', cycle.id).where('sent_on', '=', today).execute();
      if (outcome.isServerDown) break; // every further mail would fail alike
      continue;
    }
    if (outcome.mailed === 0)
      run.errors.push(
        `ITA reminder for cycle ${cycle.id}: nobody mailed (no active agency administrator or ITA assessor, or every address refused)`,
      );
    await db.transaction().execute(async (trx) => {
      await trx
        .updateTable('ita_reminder')
        .set({ recipients: outcome.mailed })
        .where('cycle_id', '=', cycle.id)
        .where('sent_on', '=', today)
        .execute();
      await recordAudit(trx, {
        actorUserId: null,
        action: 'ita_reminder_sent',
        detail: { cycleId: cycle.id, missing: missing.length, recipients: outcome.mailed },
      });
    });
    run.cycles++;
    run.mails += outcome.mailed;
  }
  return run;
}

async function mailCycle({
  db,
  transport,
  from,
  publicUrl,
  cycle,
  agencyName,
  missing,
}: {
  db: Db;
  transport: MailTransport;
  from: string;
  publicUrl: string;
  cycle: Cycle;
  agencyName: { th: string; en: string };
  missing: OitItem[];
}): Promise<{ mailed: number; isUnsent: boolean; isServerDown: boolean; errors: string[] }> {
  const people = await sql<{ email: string }>`
    select distinct u.id, u.email from staff_user u join staff_role r on r.user_id = u.id
    where u.agency_id = ${cycle.agencyId} and u.is_active and r.role = any(${[...ITA_ROLES]}::text[])
    order by u.id`.execute(db);
  const mail = composeItaReminder({ cycle, agencyName, missing, publicUrl });
  const errors: string[] = [];
  let mailed = 0;
  for (const person of people.rows) {
    try {
      await transport.sendMail({ from, to: person.email, ...mail });
      mailed++;
    } catch (e) {
      const err = e as Error & { code?: string; responseCode?: number };
      errors.push(`ITA reminder to ${person.email}: ${err.message}`);
      if (err.code === 'EENVELOPE' && (err.responseCode ?? 0) >= 500) continue;
      return { mailed, isUnsent: true, isServerDown: err.code !== 'EENVELOPE', errors };
    }
  }
  return { mailed, isUnsent: false, isServerDown: false, errors };
}

/** The mail of one cycle: Thai then English; the missing items' ids and titles, the due date, the link. */
export function composeItaReminder({
  cycle,
  agencyName,
  missing,
  publicUrl,
}: {
  cycle: Pick<Cycle, 'id' | 'fiscalYear' | 'oitDueOn'>;
  agencyName: { th: string; en: string };
  missing: Pick<OitItem, 'id' | 'text'>[];
  publicUrl: string;
}): { subject: string; text: string } {
  const link = `${publicUrl}/staff/ita/${cycle.id}/oit`;
  const section = (lang: Lang) => {
    const t = translator(lang);
    return [
      t('ita.mail.intro', { agency: agencyName[lang], year: cycle.fiscalYear, count: missing.length }),
      ...(cycle.oitDueOn ? [t('ita.mail.due', { due: formatDay(lang, cycle.oitDueOn) })] : []),
      '',
      ...missing.map((i) => `- ${i.id}: ${i.text[lang]}`),
      '',
      t('ita.mail.link'),
      link,
    ].join('\n');
  };
  return bilingualMail(
    (lang) => translator(lang)('ita.mail.subject', { year: cycle.fiscalYear, count: missing.length }),
    section,
  );
}

/** Runs the ITA reminders every hour when SMTP is configured. */
export const itaReminders: MailJob<ItaReminderRun> = {
  name: 'ITA reminders',
  intervalMs: ITA_REMINDER_INTERVAL_MS,
  send: sendItaReminders,
  says: (r) => `${r.cycles} cycles in ${r.mails} mails`,
};
