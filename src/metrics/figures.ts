// What /metrics reads from the database at each scrape: queue depths, overdue cases per agency and
// the age of the last backup. Read once per scrape by the process that serves /metrics (the first
// process under SUJARIT_WORKERS), never summed over workers: every worker would count the same rows.
import { sql } from 'kysely';
import client from 'prom-client';
import type { Db } from '../db/connection.ts';

/** The queues a scrape counts: rows waiting, by queue and state. */
export type QueueDepth = { queue: string; state: string; depth: number };

/** Rows waiting in each queue: the ledger outbox, LINE events and outbox, complainant notices, §10 reminders due. */
export async function queueDepths(db: Db): Promise<QueueDepth[]> {
  const { rows } = await sql<QueueDepth>`
    select 'ledger_outbox' as queue, 'pending' as state, count(*)::int as depth from ledger_outbox
    union all select 'line_event', s.state, (select count(*)::int from line_event e where e.state = s.state)
      from (values ('pending'), ('failed')) as s(state)
    union all select 'line_outbox', s.state, (select count(*)::int from line_outbox o where o.state = s.state)
      from (values ('pending'), ('failed')) as s(state)
    union all select 'line_notice', 'pending', count(*)::int from complainant_notice where done_at is null
    union all select 'mail_permit_reminder', 'due', count(*)::int from permit_request
      where decision is null and next_notice_at <= now()`.execute(db);
  return rows;
}

/** Open cases with a deadline clock run out and not paused, per agency code (every agency listed, 0 included). */
export async function overdueByAgency(db: Db): Promise<{ agency: string; cases: number }[]> {
  const { rows } = await sql<{ agency: string; cases: number }>`
    select a.code as agency, count(c.id)::int as cases from agency a
    left join report_case c on c.agency_id = a.id and c.status <> 'closed' and c.paused_at is null
      and least(c.ack_due_at, c.reply_due_at, c.feedback_due_at) <= now()
    group by a.code order by a.code`.execute(db);
  return rows;
}

/** A registry whose gauges read the database at each scrape. */
export function databaseRegistry(db: Db): client.Registry {
  const registry = new client.Registry();
  new client.Gauge({
    name: 'sujarit_queue_depth',
    help: 'Rows waiting in a queue: ledger_outbox, line_event, line_outbox, line_notice, mail_permit_reminder',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const q of await queueDepths(db)) this.set({ queue: q.queue, state: q.state }, q.depth);
    },
  });
  new client.Gauge({
    name: 'sujarit_cases_overdue',
    help: 'Open cases with a deadline clock run out (not paused), by agency code',
    labelNames: ['agency'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const a of await overdueByAgency(db)) this.set({ agency: a.agency }, a.cases);
    },
  });
  new client.Gauge({
    name: 'sujarit_backup_age_seconds',
    help: 'Seconds since the last backup finished, labelled by who made it (schedule or command; absent until one is made)',
    labelNames: ['made_by'],
    registers: [registry],
    async collect() {
      this.reset();
      const last = await db
        .selectFrom('backup_run')
        .select(['finished_at', 'made_by'])
        .orderBy('finished_at', 'desc')
        .limit(1)
        .executeTakeFirst();
      if (last) this.set({ made_by: last.made_by }, (Date.now() - last.finished_at.getTime()) / 1000);
    },
  });
  new client.Gauge({
    name: 'sujarit_ledger_unsigned_entries',
    help: 'Entries integrated into the ledger tree but not yet covered by a signed checkpoint',
    registers: [registry],
    async collect() {
      const row = await db.selectFrom('ledger_state').select(['tree_size', 'signed_size']).executeTakeFirst();
      this.set(row ? Number(row.tree_size) - Number(row.signed_size) : 0);
    },
  });
  return registry;
}
