// Mail reminders of deadline clocks: each run finds the clocks that run out within DUE_SOON_DAYS or
// have run out, claims one notice per (case, clock, kind) in the database, and mails every staff
// member concerned one list of references, clocks and due dates. Nothing is decrypted: a reminder
// says what the due views say, and the link leads to the console, where access is checked.
import { sql } from 'kysely';
import type { Db } from '../db/connection.ts';
import { DUE_SOON_DAYS, type Clock } from '../agencies/deadlines.ts';
import { formatDate, translator, type Lang } from '../i18n/messages.ts';
import { bilingualMail } from '../mail/mailer.ts';
import type { MailJob, MailRun } from './mail-jobs.ts';

/** Cases handled per run: the rest wait for the next run (soonest due first). */
export const NOTICE_BATCH_CASES = 500;
export const NOTICE_INTERVAL_MS = 15 * 60_000;

type NoticeKind = 'due_soon' | 'overdue';
type Notice = { caseId: string; reference: string; clock: Clock; kind: NoticeKind; dueAt: Date };
type Person = { email: string; notices: Notice[] };
export type NoticeRun = { notices: number; mails: number; errors: string[] };

const CLOCK_TEXT = {
  ack: 'deadline.clock.ack',
  reply: 'deadline.clock.reply',
  feedback: 'deadline.clock.feedback',
} as const;
const KIND_TEXT = { due_soon: 'deadline.state.due_soon', overdue: 'deadline.state.overdue' } as const;

/**
 * Sends the notices due at `now`. A notice is claimed (deadline_notice row inserted, committed)
 * before its mail is sent, so two servers never both send it; a crash between the two loses that
 * notice rather than repeating it. A notice whose mail failed for anyone is released and retried
 * at the next run (those already mailed may then get it twice: a repeat beats a missed deadline),
 * except for a recipient the server refuses for good (5xx): retrying would send everyone else
 * the same reminder every run, and would never reach that person; the error is returned instead.
 */
export async function sendDeadlineNotices({ db, transport, from, publicUrl, now }: MailRun): Promise<NoticeRun> {
  const notices = await claimNotices(db, now);
  if (notices.length === 0) return { notices: 0, mails: 0, errors: [] };
  const people = await peopleConcerned(db, notices);
  const unsent = new Set<Notice>();
  const errors: string[] = [];
  let mails = 0;
  for (const [i, person] of people.entries()) {
    try {
      await transport.sendMail({ from, to: person.email, ...composeNotice(person.notices, publicUrl) });
      mails++;
    } catch (e) {
      const err = e as Error & { code?: string; responseCode?: number };
      errors.push(`deadline notice to ${person.email}: ${err.message}`);
      if (err.code === 'EENVELOPE' && (err.responseCode ?? 0) >= 500) continue;
      for (const n of person.notices) unsent.add(n);
      // A recipient deferred is that person's matter; anything else (server down, login refused,
      // timeout) fails every mail alike, so the run stops instead of waiting on each.
      if (err.code !== 'EENVELOPE') {
        for (const n of people.slice(i + 1).flatMap((p) => p.notices)) unsent.add(n);
        break;
      }
    }
  }
  if (unsent.size > 0) await releaseNotices(db, [...unsent], now);
  return { notices: notices.length, mails, errors };
}

/**
 * Claims the notices due at `now` in one transaction: insert … on conflict do nothing returning,
 * so a notice another server claimed meanwhile is not returned. A notice sent for an earlier due
 * date (the clock moved since: a pause and resume, a transfer) no longer counts and is replaced.
 */
async function claimNotices(db: Db, now: Date): Promise<Notice[]> {
  const soon = new Date(now.getTime() + DUE_SOON_DAYS * 86_400_000);
  const { rows: pending } = await sql<{
    case_id: string;
    reference: string;
    clock: Clock;
    kind: NoticeKind;
    due_at: Date;
    fresh_from: Date;
  }>`
    with d as (
      select c.id as case_id, c.reference, x.clock, x.due_at, case when x.due_at <= ${now}::timestamptz then 'overdue' else 'due_soon' end as kind,
        -- a notice counts for this due date only if sent once it was due soon (or overdue)
        case when x.due_at <= ${now}::timestamptz then x.due_at else x.due_at - ${DUE_SOON_DAYS} * interval '1 day' end as fresh_from
      from report_case c
      cross join lateral (values ('ack', c.ack_due_at), ('reply', c.reply_due_at), ('feedback', c.feedback_due_at)) as x(clock, due_at)
      where c.status <> 'closed' and c.paused_at is null and least(c.ack_due_at, c.reply_due_at, c.feedback_due_at) <= ${soon}::timestamptz and x.due_at <= ${soon}::timestamptz
    ),
    p as (select d.* from d where not exists (select 1 from deadline_notice n where n.case_id = d.case_id and n.clock = d.clock and n.kind = d.kind and n.sent_at >= d.fresh_from)),
    picked as (select case_id from p group by case_id order by min(due_at) limit ${NOTICE_BATCH_CASES})
    select p.* from p join picked using (case_id)`.execute(db);
  if (pending.length === 0) return [];
  const cols = {
    ids: pending.map((p) => p.case_id),
    clocks: pending.map((p) => p.clock),
    kinds: pending.map((p) => p.kind),
  };
  const claimed = await db.transaction().execute(async (trx) => {
    await sql`
      delete from deadline_notice n using unnest(${cols.ids}::uuid[], ${cols.clocks}::text[], ${cols.kinds}::text[], ${pending.map((p) => p.fresh_from)}::timestamptz[]) as t(case_id, clock, kind, fresh_from)
      where n.case_id = t.case_id and n.clock = t.clock and n.kind = t.kind and n.sent_at < t.fresh_from`.execute(trx);
    const { rows } = await sql<{ case_id: string; clock: Clock; kind: NoticeKind }>`
      insert into deadline_notice (case_id, clock, kind, sent_at)
      select t.case_id, t.clock, t.kind, ${now}::timestamptz from unnest(${cols.ids}::uuid[], ${cols.clocks}::text[], ${cols.kinds}::text[]) as t(case_id, clock, kind)
      on conflict do nothing
      returning case_id, clock, kind`.execute(trx);
    return new Set(rows.map((r) => `${r.case_id}/${r.clock}/${r.kind}`));
  });
  return pending
    .filter((p) => claimed.has(`${p.case_id}/${p.clock}/${p.kind}`))
    .map((p) => ({ caseId: p.case_id, reference: p.reference, clock: p.clock, kind: p.kind, dueAt: p.due_at }));
}

/** Gives claims back so the next run sends them again; only this run's claims (sent at `now`). */
async function releaseNotices(db: Db, notices: Notice[], now: Date): Promise<void> {
  await sql`
    delete from deadline_notice n using unnest(${notices.map((n) => n.caseId)}::uuid[], ${notices.map((n) => n.clock)}::text[], ${notices.map((n) => n.kind)}::text[]) as t(case_id, clock, kind)
    where n.case_id = t.case_id and n.clock = t.clock and n.kind = t.kind and n.sent_at = ${now}::timestamptz`.execute(
    db,
  );
}

/**
 * Who hears of a case: its team (the holders of its content key) and the active supervisors of
 * the agency that owns it. One entry per person, with every notice of theirs.
 */
async function peopleConcerned(db: Db, notices: Notice[]): Promise<Person[]> {
  const ids = [...new Set(notices.map((n) => n.caseId))];
  const { rows } = await sql<{ case_id: string; user_id: number; email: string }>`
    select k.case_id, u.id as user_id, u.email from case_key k join staff_user u on u.id = k.user_id
    where k.case_id = any(${ids}::uuid[]) and k.purpose = 'content' and u.is_active
    union
    select c.id, u.id, u.email from report_case c join staff_user u on u.agency_id = c.agency_id join staff_role r on r.user_id = u.id and r.role = 'supervisor'
    where c.id = any(${ids}::uuid[]) and u.is_active
    order by user_id`.execute(db);
  const byCase = Map.groupBy(notices, (n) => n.caseId);
  const people = new Map<number, Person>();
  for (const r of rows) {
    const person = people.get(r.user_id) ?? { email: r.email, notices: [] };
    person.notices.push(...(byCase.get(r.case_id) ?? []));
    people.set(r.user_id, person);
  }
  return [...people.values()];
}

/** The mail of one person: Thai then English, overdue first, then soonest due. References, clocks and dates only. */
export function composeNotice(notices: Notice[], publicUrl: string): { subject: string; text: string } {
  const sorted = [...notices].sort((a, b) =>
    a.kind === b.kind ? a.dueAt.getTime() - b.dueAt.getTime() : a.kind === 'overdue' ? -1 : 1,
  );
  const section = (lang: Lang) => {
    const t = translator(lang);
    const items = sorted.map(
      (n) =>
        `- ${t('deadline.mail.item', { reference: n.reference, clock: t(CLOCK_TEXT[n.clock]), state: t(KIND_TEXT[n.kind]), due: formatDate(lang, n.dueAt) })}\n  ${publicUrl}/staff/cases/${encodeURIComponent(n.reference)}`,
    );
    return [t('deadline.mail.intro'), '', ...items, '', t('deadline.mail.footer')].join('\n');
  };
  const count = new Set(notices.map((n) => n.caseId)).size;
  return bilingualMail((lang) => translator(lang)('deadline.mail.subject', { count }), section);
}

/** Runs the deadline notices every 15 minutes when SMTP is configured. */
export const deadlineNotices: MailJob<NoticeRun> = {
  name: 'deadline notices',
  intervalMs: NOTICE_INTERVAL_MS,
  send: sendDeadlineNotices,
  says: (r) => `${r.notices} notices in ${r.mails} mails`,
};
