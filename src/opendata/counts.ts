// The raw counts behind the complaint, permit and rating datasets: grouped SQL over case metadata
// (never content), per agency and Bangkok calendar month. Nothing here is published as it is: the
// release (datasets.ts) passes every count through disclosure.ts first.
import { sql } from 'kysely';
import type { Db } from '../db/connection.ts';
import { CASE_CHANNELS, CASE_KINDS } from '../db/schema.ts';
import { ALL_CATEGORIES } from '../intake/limits.ts';

/** Where a case stands, status and outcome together: every case is in exactly one. */
export const STATES = {
  new: `c.status = 'new'`,
  in_progress: `c.status in ('acknowledged', 'screening', 'investigating', 'referred')`,
  concluded: `c.status = 'concluded'`,
  closed_screened_out: `c.status = 'closed' and c.outcome in ('out_of_scope', 'insufficient_information', 'duplicate', 'unfounded_or_malicious')`,
  closed_substantiated: `c.status = 'closed' and c.outcome in ('substantiated', 'partly_substantiated')`,
  closed_not_substantiated: `c.status = 'closed' and c.outcome = 'not_substantiated'`,
  closed_resolved: `c.status = 'closed' and c.outcome in ('resolved', 'partly_resolved')`,
  closed_not_resolved: `c.status = 'closed' and c.outcome = 'not_resolved'`,
  closed_referred: `c.status = 'closed' and c.outcome = 'referred'`,
  closed_other: `c.status = 'closed' and (c.outcome is null or c.outcome not in ('out_of_scope', 'insufficient_information', 'duplicate', 'unfounded_or_malicious', 'substantiated', 'partly_substantiated', 'not_substantiated', 'resolved', 'partly_resolved', 'not_resolved', 'referred'))`,
} as const;

export const CLOCK_NAMES = ['ack', 'reply', 'done'] as const;
export type ClockName = (typeof CLOCK_NAMES)[number];
export const CLOCK_STATES = ['on_time', 'late', 'waiting', 'overdue'] as const;

/** The case columns, in groups that each sum to `received`. */
export const CASE_GROUPS: { name: string; columns: string[] }[] = [
  { name: 'kind', columns: CASE_KINDS.map((k) => `kind_${k}`) },
  { name: 'channel', columns: CASE_CHANNELS.map((c) => `channel_${c}`) },
  { name: 'category', columns: [...ALL_CATEGORIES.map((c) => `category_${c}`), 'category_unlisted'] },
  { name: 'state', columns: Object.keys(STATES).map((s) => `state_${s}`) },
  ...CLOCK_NAMES.map((c) => ({ name: c, columns: CLOCK_STATES.map((s) => `${c}_${s}`) })),
];

export const PERMIT_COLUMNS = [
  'approved_on_time',
  'approved_late',
  'rejected_on_time',
  'rejected_late',
  'pending_in_time',
  'pending_late',
] as const;
export const RATING_COLUMNS = ['score_1', 'score_2', 'score_3', 'score_4', 'score_5'] as const;

export type CountRow = { agency_id: number; month: string } & Record<string, number>;
export type CaseRow = CountRow & { median_ack: number | null; median_reply: number | null; median_done: number | null };

const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;

// Days a clock allows, from the agency's policy (category first, then the agency's, then the
// Royal Decree's default), as agencies/deadlines.ts policyFor reads it.
const days = (key: string, fallback: number) =>
  `coalesce((a.settings #>> array['categoryDeadlines', c.category, '${key}'])::numeric, (a.settings #>> '{deadlines,${key}}')::numeric, ${fallback})`;
// When each clock was met (first_ack_at and first_done_at, kept from the status events by migration
// 0262's trigger), and the due time it was met against (pauses not counted: a case paused while
// waiting for the reporter and met after the unpaused due time counts as late).
const CLOCKS: Record<ClockName, { met: string; due: string; open: string }> = {
  ack: { met: 'c.first_ack_at', due: `c.created_at + ${days('ackDays', 7)} * interval '1 day'`, open: 'c.ack_due_at' },
  reply: {
    met: 'c.first_reply_at',
    due: `c.created_at + ${days('replyDays', 15)} * interval '1 day'`,
    open: 'c.reply_due_at',
  },
  done: {
    met: 'c.first_done_at',
    due: `c.created_at + ${days('feedbackMonths', 3)} * interval '1 month'`,
    open: 'c.feedback_due_at',
  },
};

function caseColumnsSql(): string {
  const parts = [
    ...CASE_KINDS.map((k) => `count(*) filter (where c.kind = ${lit(k)})::int as kind_${k}`),
    ...CASE_CHANNELS.map((ch) => `count(*) filter (where c.channel = ${lit(ch)})::int as channel_${ch}`),
    ...ALL_CATEGORIES.map((cat) => `count(*) filter (where c.category = ${lit(cat)})::int as category_${cat}`),
    `count(*) filter (where c.category not in (${ALL_CATEGORIES.map(lit).join(', ')}))::int as category_unlisted`,
    ...Object.entries(STATES).map(([s, cond]) => `count(*) filter (where ${cond})::int as state_${s}`),
  ];
  for (const [name, c] of Object.entries(CLOCKS)) {
    parts.push(
      `count(*) filter (where ${c.met} is not null and ${c.met} <= ${c.due})::int as ${name}_on_time`,
      `count(*) filter (where ${c.met} is not null and ${c.met} > ${c.due})::int as ${name}_late`,
      `count(*) filter (where ${c.met} is null and (${c.open} is null or ${c.open} >= $now))::int as ${name}_waiting`,
      `count(*) filter (where ${c.met} is null and ${c.open} < $now)::int as ${name}_overdue`,
      `(percentile_cont(0.5) within group (order by extract(epoch from ${c.met} - c.created_at) / 86400))::float8 as median_${name}`,
    );
  }
  return parts.join(',\n');
}
const CASE_COLUMNS_SQL = caseColumnsSql();

/** The first instant of the Bangkok month after `month` (YYYY-MM). */
export function monthEnd(month: string): string {
  const [y, m] = month.split('-').map(Number);
  const next = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
  return `${next}-01T00:00:00+07:00`;
}

/**
 * Cases received up to the end of `month` (Bangkok), per owning agency and month received: every
 * CASE_GROUPS column, `received`, and the median days to acknowledge, to the first reply and to the
 * conclusion. Clock states are as of `now`.
 */
export async function caseCounts(db: Db, month: string, now: Date): Promise<CaseRow[]> {
  const text = CASE_COLUMNS_SQL.replaceAll('$now', `${lit(now.toISOString())}::timestamptz`);
  const { rows } = await sql<CaseRow>`
    select c.agency_id, to_char(c.created_at at time zone 'Asia/Bangkok', 'YYYY-MM') as month,
      count(*)::int as received, ${sql.raw(text)}
    from report_case c join agency a on a.id = c.agency_id
    where c.created_at < ${monthEnd(month)}::timestamptz
    group by 1, 2 order by 2, 1`.execute(db);
  return rows;
}

/** Late-permit complaints by the case's owning agency and month received (their total is the cases' kind_permit). */
export async function permitCounts(db: Db, month: string, now: Date): Promise<CountRow[]> {
  const today = sql`(${now.toISOString()}::timestamptz at time zone 'Asia/Bangkok')::date`;
  const { rows } = await sql<CountRow>`
    select c.agency_id, to_char(c.created_at at time zone 'Asia/Bangkok', 'YYYY-MM') as month,
      count(*)::int as received,
      count(*) filter (where p.decision = 'approved' and p.decided_on <= p.manual_due_on)::int as approved_on_time,
      count(*) filter (where p.decision = 'approved' and not coalesce(p.decided_on <= p.manual_due_on, false))::int as approved_late,
      count(*) filter (where p.decision = 'rejected' and p.decided_on <= p.manual_due_on)::int as rejected_on_time,
      count(*) filter (where p.decision = 'rejected' and not coalesce(p.decided_on <= p.manual_due_on, false))::int as rejected_late,
      count(*) filter (where p.decision is null and coalesce(p.manual_due_on >= ${today}, true))::int as pending_in_time,
      count(*) filter (where p.decision is null and p.manual_due_on < ${today})::int as pending_late
    from report_case c left join permit_request p on p.case_id = c.id
    where c.kind = 'permit' and c.created_at < ${monthEnd(month)}::timestamptz
    group by 1, 2 order by 2, 1`.execute(db);
  return rows;
}

/** Satisfaction ratings by the agency rated and month rated. */
export async function ratingCounts(db: Db, month: string): Promise<CountRow[]> {
  const { rows } = await sql<CountRow>`
    select agency_id, to_char(rated_on, 'YYYY-MM') as month, count(*)::int as received,
      ${sql.raw(RATING_COLUMNS.map((c, i) => `count(*) filter (where score = ${i + 1})::int as ${c}`).join(', '))}
    from case_rating where rated_on < (${monthEnd(month)}::timestamptz at time zone 'Asia/Bangkok')::date
    group by 1, 2 order by 2, 1`.execute(db);
  return rows;
}
