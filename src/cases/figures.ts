// Public figures per agency (seed 003: complaint statistics; permits approved / rejected / late
// against the citizen manual; seed "satisfaction"): counts of metadata only, never of content, and
// never of staff: nothing here names, counts or ranks an officer.
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../db/connection.ts';
import { CASE_CHANNELS, COMPLAINT_OUTCOMES, type CaseChannel } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { csvField } from './export.ts';
import { bangkokToday, parseDay } from './permit-dates.ts';

export type ChannelCounts = Record<CaseChannel, number>;
export type Received = { received: number; byChannel: ChannelCounts; handled: number };
export type RatingFigures = {
  count: number;
  mean: number | null;
  distribution: [number, number, number, number, number];
};
export type PermitFigures = { received: number; approved: number; rejected: number; late: number; pending: number };
/** Closed complaints (kinds complaint and permit) by how they ended; a tip's outcomes are not published. */
export type OutcomeFigures = Record<(typeof COMPLAINT_OUTCOMES)[number], number>;
export type AgencyFigures = {
  code: string;
  nameTh: string;
  nameEn: string;
  complaints: Received;
  tips: Received;
  outcomes: OutcomeFigures;
  ratings: RatingFigures;
  permits: PermitFigures;
};
/** `from`/`to`: Bangkok calendar days, both included; null for no bound. */
export type Figures = {
  from: string | null;
  to: string | null;
  today: string;
  agencies: AgencyFigures[];
  total: Omit<AgencyFigures, 'code' | 'nameTh' | 'nameEn'>;
};

const HANDLED = ['concluded', 'closed'];

const zeroChannels = (): ChannelCounts => Object.fromEntries(CASE_CHANNELS.map((c) => [c, 0])) as ChannelCounts;
const zeroReceived = (): Received => ({ received: 0, byChannel: zeroChannels(), handled: 0 });
const zeroPermits = (): PermitFigures => ({ received: 0, approved: 0, rejected: 0, late: 0, pending: 0 });
const zeroOutcomes = (): OutcomeFigures => ({ resolved: 0, partly_resolved: 0, not_resolved: 0, referred: 0 });

/** Count and mean (2 decimals, from the integer sum: no float drift) of a 1–5 distribution. */
export function ratingFigures(distribution: [number, number, number, number, number]): RatingFigures {
  const count = distribution.reduce((a, b) => a + b, 0);
  const sum = distribution.reduce((a, n, i) => a + n * (i + 1), 0);
  return { count, mean: count === 0 ? null : Math.round((sum * 100) / count) / 100, distribution };
}

/** The Thai fiscal year (1 Oct – 30 Sep) named by its Buddhist Era year: FY 2569 is 2025-10-01 to 2026-09-30. */
export function fiscalYearRange(beYear: number): { from: string; to: string } {
  const ce = beYear - 543;
  return { from: `${ce - 1}-10-01`, to: `${ce}-09-30` };
}

/** The fiscal year (Buddhist Era) that `now` falls in, in Bangkok. */
export function currentFiscalYear(now = new Date()): number {
  const [y, m] = bangkokToday(now).split('-').map(Number);
  return y + 543 + (m >= 10 ? 1 : 0);
}

/**
 * Figures per agency, every agency listed (zeros included), for the cases received between `from`
 * and `to` (Bangkok days): complaints (kinds complaint and permit) and tips apart, by channel, and
 * how many are handled (concluded or closed), and the closed complaints by outcome (resolved,
 * partly resolved, not resolved, referred; counted like the rest, with no threshold: they are
 * counts of cases, not of people); permits by the same cases: approved, rejected,
 * pending (undecided), late (decided after the manual's deadline, or undecided past it on `now`);
 * ratings given between `from` and `to`, by the agency rated. Counts by the case's current owner
 * (after a transfer, the receiving agency), permits by the agency the permit was asked of.
 * Four grouped queries, metadata only. MUST NOT return anything about staff.
 */
export async function complaintFigures({
  db,
  from,
  to,
  now = new Date(),
}: {
  db: Db;
  from?: string | null;
  to?: string | null;
  now?: Date;
}): Promise<Figures> {
  const start = from ? parseDay(from) : null;
  const end = to ? parseDay(to) : null;
  if ((from && !start) || (to && !end))
    throw new AppError('invalid_input', 'from and to must be YYYY-MM-DD dates', 'error.form', {
      ...(from && !start ? { from: 'error.field.invalid' } : {}),
      ...(to && !end ? { to: 'error.field.invalid' } : {}),
    });
  if (start && end && end < start)
    throw new AppError('invalid_input', 'to before from', 'error.form', { to: 'error.figures_range' });
  const today = bangkokToday(now);
  // Bangkok midnights, so a case filed at 23:30 on 30 Sep counts in the fiscal year it was filed in.
  const received = (col: RawBuilder<unknown>): RawBuilder<unknown> =>
    sql`${start ? sql`${col} >= (${start}::date)::timestamp at time zone 'Asia/Bangkok'` : sql`true`} and ${end ? sql`${col} < (${end}::date + 1)::timestamp at time zone 'Asia/Bangkok'` : sql`true`}`;
  const rated = sql`${start ? sql`rated_on >= ${start}::date` : sql`true`} and ${end ? sql`rated_on <= ${end}::date` : sql`true`}`;
  const [agencies, cases, ratings, permits] = await Promise.all([
    db.selectFrom('agency').select(['id', 'code', 'name_th', 'name_en']).orderBy('code').execute(),
    sql<{ agency_id: number; kind: string; channel: CaseChannel; received: number; handled: number } & OutcomeFigures>`
      select agency_id, kind, channel, count(*)::int as received, count(*) filter (where status = any(${HANDLED}::text[]))::int as handled,
        count(*) filter (where status = 'closed' and outcome = 'resolved')::int as resolved,
        count(*) filter (where status = 'closed' and outcome = 'partly_resolved')::int as partly_resolved,
        count(*) filter (where status = 'closed' and outcome = 'not_resolved')::int as not_resolved,
        count(*) filter (where status = 'closed' and outcome = 'referred')::int as referred
      from report_case c where ${received(sql.ref('c.created_at'))}
      group by agency_id, kind, channel`.execute(db),
    sql<{ agency_id: number; score: number; n: number }>`
      select agency_id, score, count(*)::int as n from case_rating where ${rated} group by agency_id, score`.execute(
      db,
    ),
    sql<{ agency_id: number } & PermitFigures>`
      select p.agency_id, count(*)::int as received,
        count(*) filter (where p.decision = 'approved')::int as approved,
        count(*) filter (where p.decision = 'rejected')::int as rejected,
        count(*) filter (where p.decided_on > p.manual_due_on or (p.decision is null and p.manual_due_on < ${today}::date))::int as late,
        count(*) filter (where p.decision is null)::int as pending
      from permit_request p join report_case c on c.id = p.case_id where ${received(sql.ref('c.created_at'))}
      group by p.agency_id`.execute(db),
  ]);
  const byId = new Map(
    agencies.map((a) => [
      a.id,
      {
        code: a.code,
        nameTh: a.name_th,
        nameEn: a.name_en,
        complaints: zeroReceived(),
        tips: zeroReceived(),
        outcomes: zeroOutcomes(),
        dist: [0, 0, 0, 0, 0] as RatingFigures['distribution'],
        permits: zeroPermits(),
      },
    ]),
  );
  for (const r of cases.rows) {
    const a = byId.get(r.agency_id);
    if (!a) continue;
    const into = r.kind === 'tip' ? a.tips : a.complaints;
    into.received += r.received;
    into.handled += r.handled;
    into.byChannel[r.channel] = (into.byChannel[r.channel] ?? 0) + r.received;
    if (r.kind !== 'tip') for (const o of COMPLAINT_OUTCOMES) a.outcomes[o] += r[o];
  }
  for (const r of ratings.rows) {
    const a = byId.get(r.agency_id);
    if (a && r.score >= 1 && r.score <= 5) a.dist[r.score - 1] += r.n;
  }
  for (const { agency_id, ...p } of permits.rows) {
    const a = byId.get(agency_id);
    if (a) a.permits = p;
  }
  const list: AgencyFigures[] = [...byId.values()].map(({ dist, ...a }) => ({ ...a, ratings: ratingFigures(dist) }));
  return { from: start, to: end, today, agencies: list, total: sumFigures(list) };
}

function sumFigures(list: AgencyFigures[]): Figures['total'] {
  const add = (a: Received, b: Received) => {
    a.received += b.received;
    a.handled += b.handled;
    for (const c of CASE_CHANNELS) a.byChannel[c] += b.byChannel[c];
  };
  const total = {
    complaints: zeroReceived(),
    tips: zeroReceived(),
    outcomes: zeroOutcomes(),
    dist: [0, 0, 0, 0, 0] as RatingFigures['distribution'],
    permits: zeroPermits(),
  };
  for (const a of list) {
    add(total.complaints, a.complaints);
    add(total.tips, a.tips);
    for (const o of COMPLAINT_OUTCOMES) total.outcomes[o] += a.outcomes[o];
    for (const [i, n] of a.ratings.distribution.entries()) total.dist[i] += n;
    for (const k of Object.keys(total.permits) as (keyof PermitFigures)[]) total.permits[k] += a.permits[k];
  }
  return {
    complaints: total.complaints,
    tips: total.tips,
    outcomes: total.outcomes,
    ratings: ratingFigures(total.dist),
    permits: total.permits,
  };
}

/** Fiscal years offered in the public filter: the current one and this many before it. */
export const FISCAL_YEARS_BACK = 4;
/** Fiscal years asked for by address: the current one and this many before it (a bounded set, so the cache holds). */
export const FISCAL_YEARS_KEPT = 20;
/** The figures of a period are computed at most once a minute per server: the page is public. */
export const FIGURES_CACHE_MS = 60_000;

/** A public period: a Buddhist Era fiscal year with its days, or every case (`all`, no bounds). */
export type FiguresRange = { fy: number | 'all'; from: string | null; to: string | null };

/**
 * The period a public page asks for: `fy`, a Buddhist Era fiscal year among the last
 * FISCAL_YEARS_KEPT, or `all`; the current fiscal year without it. Anything else is invalid_input.
 * Free date ranges are not offered publicly: each would be a fresh scan of every case.
 */
export function figuresRangeOf(query: Record<string, unknown>, now = new Date()): FiguresRange {
  const fy = typeof query.fy === 'string' ? query.fy.trim() : '';
  const current = currentFiscalYear(now);
  if (fy === 'all') return { fy: 'all', from: null, to: null };
  if (fy === '') return { fy: current, ...fiscalYearRange(current) };
  const year = /^\d{4}$/.test(fy) ? Number(fy) : Number.NaN;
  if (!(year >= current - FISCAL_YEARS_KEPT && year <= current))
    throw new AppError('invalid_input', 'fy must be a recent Buddhist Era fiscal year or all', 'error.figures_year');
  return { fy: year, ...fiscalYearRange(year) };
}

/** The fiscal years the public filter offers: the current one and FISCAL_YEARS_BACK before it, and the one shown when older. */
export function offeredYears(range: FiguresRange, now = new Date()): number[] {
  const offered = Array.from({ length: FISCAL_YEARS_BACK + 1 }, (_, i) => currentFiscalYear(now) - i);
  return typeof range.fy === 'number' && !offered.includes(range.fy) ? [...offered, range.fy] : offered;
}

const publicCache = new WeakMap<Db, Map<string, { at: number; figures: Promise<Figures> }>>();

/**
 * The public figures of the period a query asks for (figuresRangeOf), computed at most once per
 * FIGURES_CACHE_MS per server, database and period, shared by concurrent callers; a failure is not kept.
 */
export async function publicFigures({
  db,
  query,
  now = Date.now(),
}: {
  db: Db;
  query: Record<string, unknown>;
  now?: number;
}): Promise<{ range: FiguresRange; figures: Figures }> {
  const range = figuresRangeOf(query, new Date(now));
  const cache = publicCache.get(db) ?? new Map();
  publicCache.set(db, cache);
  const key = String(range.fy);
  let hit = cache.get(key);
  // A clock set back does not keep an old computation alive.
  if (!hit || now < hit.at || now - hit.at >= FIGURES_CACHE_MS) {
    const entry = { at: now, figures: complaintFigures({ db, from: range.from, to: range.to }) };
    entry.figures.catch(() => cache.get(key) === entry && cache.delete(key));
    cache.set(key, entry);
    hit = entry;
  }
  return { range, figures: await hit.figures };
}

/** The CSV columns, in order: one row per agency, then the total (code `ALL`). */
export const FIGURES_CSV_COLUMNS = [
  'agency_code',
  'agency_name_th',
  'agency_name_en',
  'complaints_received',
  ...CASE_CHANNELS.map((c) => `complaints_${c}`),
  'complaints_handled',
  ...COMPLAINT_OUTCOMES.map((o) => `complaints_${o}`),
  'tips_received',
  ...CASE_CHANNELS.map((c) => `tips_${c}`),
  'tips_handled',
  'ratings_count',
  'ratings_mean',
  'ratings_1',
  'ratings_2',
  'ratings_3',
  'ratings_4',
  'ratings_5',
  'permits_received',
  'permits_approved',
  'permits_rejected',
  'permits_late',
  'permits_pending',
] as const;

/** One row of values for FIGURES_CSV_COLUMNS. */
export function figuresRow(a: Pick<AgencyFigures, 'code' | 'nameTh' | 'nameEn'> & Figures['total']): string[] {
  const r = (x: Received) => [x.received, ...CASE_CHANNELS.map((c) => x.byChannel[c]), x.handled];
  const p = a.permits;
  return [
    a.code,
    a.nameTh,
    a.nameEn,
    ...r(a.complaints),
    ...COMPLAINT_OUTCOMES.map((o) => a.outcomes[o]),
    ...r(a.tips),
    a.ratings.count,
    a.ratings.mean === null ? '' : a.ratings.mean.toFixed(2),
    ...a.ratings.distribution,
    p.received,
    p.approved,
    p.rejected,
    p.late,
    p.pending,
  ].map(String);
}

/** The figures as CSV: UTF-8 with a byte order mark (Excel reads Thai), CRLF, codes as column names. */
export function figuresCsv(f: Figures): string {
  const rows = [
    ...f.agencies.map(figuresRow),
    figuresRow({ code: 'ALL', nameTh: 'รวมทุกหน่วยงาน', nameEn: 'All agencies', ...f.total }),
  ];
  return `\uFEFF${[FIGURES_CSV_COLUMNS.join(','), ...rows.map((r) => r.map(csvField).join(','))].join('\r\n')}\r\n`;
}
