// Reminders of interest and asset declarations: a holder of a designated position whose declaration
// (on taking up, yearly, on leaving) is unfiled is mailed once per deadline, in the agency's
// remindDays before it. The reminder is claimed by inserting its declaration_reminder row (primary
// key: person, occasion, due day) before any mail, so of two processes only one mails; when the mail
// server fails the claim is dropped and the reminder is tried again at the next run. A mail carries
// the occasion, the due day and a link: never a figure (it crosses relays in the clear).
import { sql } from 'kysely';
import { recordAudit } from '../audit/record-audit.ts';
import type { Db } from '../db/connection.ts';
import { bangkokToday, formatDay } from '../cases/permit-dates.ts';
import { duesOf, isReminderDue, type Due } from '../declarations/due.ts';
import { policyOf } from '../declarations/positions.ts';
import type { Occasion } from '../declarations/content.ts';
import { translator, type Lang } from '../i18n/messages.ts';
import { bilingualMail, type MailTransport } from '../mail/mailer.ts';
import type { MailJob, MailRun } from './mail-jobs.ts';

export const DECLARATION_REMINDER_INTERVAL_MS = 60 * 60_000;

export type DeclarationReminderRun = { mails: number; errors: string[] };

type HolderRow = { user_id: number; email: string; agency_id: number; started_on: string; left_on: string | null };

/** Sends the reminders due at `now`; see the file's comment for the once-only rule. */
export async function sendDeclarationReminders({
  db,
  transport,
  from,
  publicUrl,
  now,
}: MailRun): Promise<DeclarationReminderRun> {
  const today = bangkokToday(now);
  const { rows } = await sql<HolderRow>`
    select h.user_id, u.email, p.agency_id, to_char(h.started_on, 'YYYY-MM-DD') as started_on,
      to_char(h.left_on, 'YYYY-MM-DD') as left_on
    from declaration_holder h join declaration_position p on p.id = h.position_id
    join staff_user u on u.id = h.user_id
    where u.is_active order by h.user_id`.execute(db);
  const byUser = new Map<number, HolderRow[]>();
  for (const r of rows) byUser.set(r.user_id, [...(byUser.get(r.user_id) ?? []), r]);
  const run: DeclarationReminderRun = { mails: 0, errors: [] };
  for (const [userId, holdings] of byUser) {
    const first = holdings[0] as HolderRow;
    const policy = await policyOf(db, first.agency_id);
    const filings = await sql<{ occasion: Occasion; filed_on: string }>`
      select occasion, to_char(filed_at at time zone 'Asia/Bangkok', 'YYYY-MM-DD') as filed_on
      from declaration where user_id = ${userId}`.execute(db);
    const dues = duesOf(
      policy,
      holdings.map((h) => ({ startedOn: h.started_on, leftOn: h.left_on })),
      filings.rows.map((f) => ({ occasion: f.occasion, filedOn: f.filed_on })),
      today,
    ).filter((d) => isReminderDue(d, policy.remindDays, today));
    for (const due of dues) {
      const outcome = await remindOnce({ db, transport, from, publicUrl, userId, email: first.email, due });
      if (outcome === 'sent') run.mails++;
      else if (outcome !== 'taken') {
        run.errors.push(`declaration reminder to ${first.email}: ${outcome.message}`);
        if (outcome.isServerDown) return run;
      }
    }
  }
  return run;
}

async function remindOnce({
  db,
  transport,
  from,
  publicUrl,
  userId,
  email,
  due,
}: {
  db: Db;
  transport: MailTransport;
  from: string;
  publicUrl: string;
  userId: number;
  email: string;
  due: Due;
}): Promise<'sent' | 'taken' | { message: string; isServerDown: boolean }> {
  const claimed = await db
    .insertInto('declaration_reminder')
    .values({ user_id: userId, occasion: due.occasion, due_on: due.dueOn })
    .onConflict((oc) => oc.doNothing())
    .returning('user_id')
    .executeTakeFirst();
  if (!claimed) return 'taken';
  try {
    await transport.sendMail({ from, to: email, ...composeDeclarationReminder(due, publicUrl) });
  } catch (e) {
    const err = e as Error & { code?: string; responseCode?: number };
    const isRefused = err.code === 'EENVELOPE' && (err.responseCode ?? 0) >= 500;
    if (!isRefused)
      await db
        .deleteFrom('declaration_reminder')
        .where('user_id', '=', userId)
        .where('occasion', '=', due.occasion)
        .where('due_on', '=', due.dueOn)
        .execute();
    return { message: err.message, isServerDown: !isRefused && err.code !== 'EENVELOPE' };
  }
  await recordAudit(db, {
    actorUserId: null,
    action: 'declaration_reminder_sent',
    detail: { user: userId, occasion: due.occasion, dueOn: due.dueOn },
  });
  return 'sent';
}

/** The mail: Thai then English; the occasion, the due day and the link. */
export function composeDeclarationReminder(due: Due, publicUrl: string): { subject: string; text: string } {
  const section = (lang: Lang) => {
    const t = translator(lang);
    return [
      t('declarations.mail.intro', {
        occasion: t(`declarations.occasion.${due.occasion}`),
        due: formatDay(lang, due.dueOn),
      }),
      '',
      t('declarations.mail.link'),
      `${publicUrl}/staff/declarations`,
    ].join('\n');
  };
  return bilingualMail((lang) => translator(lang)('declarations.mail.subject'), section);
}

/** Runs the declaration reminders every hour when SMTP is configured. */
export const declarationReminders: MailJob<DeclarationReminderRun> = {
  name: 'declaration reminders',
  intervalMs: DECLARATION_REMINDER_INTERVAL_MS,
  send: sendDeclarationReminders,
  says: (r) => `${r.mails} mails`,
};
