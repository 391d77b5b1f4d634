// Signals of corruption risk from the platform's own data, for one agency and fiscal year. Each
// signal says how it is computed (an i18n text `risk.signal.<key>.how`) and counts metadata only:
// the routing columns of cases (kind, category, channel, status, outcome, dates), permit dates,
// rating scores, and the ITA's scores. Nothing sealed is read or opened, so a risk officer who may
// not read a case learns nothing of its content; and a count from 1 to 4 is never shown (null),
// nor a second count that would give it away by subtraction from a total shown.
import { sql } from 'kysely';
import { recordAudit } from '../audit/record-audit.ts';
import { fiscalYearRange } from '../cases/figures.ts';
import { bangkokToday } from '../cases/permit-dates.ts';
import type { Db } from '../db/connection.ts';
import { CASE_KINDS } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { translator, type T } from '../i18n/messages.ts';
import { ALL_CATEGORIES } from '../intake/limits.ts';
import { cycleOf } from '../ita/cycles.ts';
import { disclosedScore } from '../ita/results.ts';
import type { StaffActor } from '../staff/session.ts';
import { signalAgency } from './access.ts';
import { clusters } from './cluster.ts';
import { AREA_OF_CATEGORY, type RiskArea } from './matrix.ts';
import { candidateRiskFrom } from './register.ts';
import { parseFiscalYear } from './fiscal-year.ts';
import { foldTally, tallied } from './tally.ts';

/** Counts below this are not shown. */
export const SUPPRESS_BELOW = 5;

/** A figure as shown: null when suppressed. */
export type Cell = number | null;

/** One row: what it counts (an i18n key and its parameters), its figures, and the area a risk made from it falls in. */
export type SignalRow = {
  key: string;
  label: string;
  params?: Record<string, string | number>;
  values: Cell[];
  area: RiskArea;
};

export const SIGNAL_KEYS = [
  'categories',
  'units',
  'outcomes',
  'deadlines',
  'permits',
  'ratings',
  'ita',
  'clusters',
] as const;
export type SignalKey = (typeof SIGNAL_KEYS)[number];

/** `columns`: i18n keys of the figures' headings; `scores`: the figures are ITA scores in hundredths, not counts. */
export type Signal = { key: SignalKey; columns: readonly string[]; rows: SignalRow[]; scores?: boolean };

/** `computedAt`: when the figures were counted (a page may show figures up to SIGNALS_FRESH_MS old). */
export type Signals = {
  agencyId: number;
  fiscalYear: number;
  from: string;
  to: string;
  computedAt: Date;
  signals: Signal[];
};

/** The headings of each signal's figures (i18n keys). */
export const SIGNAL_COLUMNS: Readonly<Record<SignalKey, readonly string[]>> = {
  categories: ['risk.col.this_year', 'risk.col.last_year', 'risk.col.q1', 'risk.col.q2', 'risk.col.q3', 'risk.col.q4'],
  units: ['risk.col.this_year', 'risk.col.last_year', 'risk.col.q1', 'risk.col.q2', 'risk.col.q3', 'risk.col.q4'],
  outcomes: ['risk.col.substantiated', 'risk.col.partly', 'risk.col.not_substantiated'],
  deadlines: CASE_KINDS.map((k) => `risk.col.kind.${k}`),
  permits: ['risk.col.received', 'risk.col.late', 'risk.col.days_late', 'risk.col.max_days_late'],
  ratings: ['risk.col.low_ratings', 'risk.col.ratings'],
  ita: ['risk.col.score'],
  clusters: ['risk.col.this_year', 'risk.col.q1', 'risk.col.q2', 'risk.col.q3', 'risk.col.q4'],
};

const suppress = (n: number): Cell => (n > 0 && n < SUPPRESS_BELOW ? null : n);

/**
 * Suppresses a group of counts whose total is shown: each count from 1 to 4, and when exactly one
 * is hidden, the smallest other non-zero count too (else the total minus the rest would tell it).
 */
export function suppressParts(parts: readonly number[]): Cell[] {
  const out: Cell[] = parts.map(suppress);
  if (out.filter((c) => c === null).length === 1) {
    let min = -1;
    out.forEach((c, i) => {
      if (c !== null && c > 0 && (min < 0 || c < (out[min] as number))) min = i;
    });
    if (min >= 0) out[min] = null;
  }
  return out;
}

/** Bangkok midnight of a day, as a timestamp for comparing created_at. */
const midnight = (day: string) => sql<Date>`${`${day}T00:00:00+07:00`}::timestamptz`;

type CaseGroup = {
  kind: string;
  category: string;
  quarter: number;
  this_year: boolean;
  n: number;
  substantiated: number;
  partly: number;
  not_substantiated: number;
};

/** Clocks running past their due time now, of one kind's cases filed in the year, not closed, not paused. */
type Running = { kind: string; ack: number; reply: number; feedback: number };

/** The first Bangkok day of each quarter of a fiscal year after the first (Q2, Q3, Q4). */
function quarterStarts(fiscalYear: number): string[] {
  const ce = fiscalYear - 543;
  return [`${ce}-01-01`, `${ce}-04-01`, `${ce}-07-01`];
}

/**
 * The agency's cases of this and last fiscal year, grouped: every case-based signal but the
 * deadlines is made from it. Read from the counts PostgreSQL keeps as cases change (tally.ts), by
 * Bangkok day received, after folding what changed since the last count.
 */
async function caseGroups(db: Db, agencyId: number, fiscalYear: number): Promise<CaseGroup[]> {
  const { from, to } = fiscalYearRange(fiscalYear);
  const prev = fiscalYearRange(fiscalYear - 1);
  const [q2, q3, q4] = quarterStarts(fiscalYear);
  await foldTally(db, agencyId);
  const r = await sql<CaseGroup>`
    select kind, category,
      case when day < ${q2}::date then 1 when day < ${q3}::date then 2 when day < ${q4}::date then 3 else 4 end as quarter,
      day >= ${from}::date as this_year,
      sum(n)::int as n,
      coalesce(sum(n) filter (where outcome = 'substantiated'), 0)::int as substantiated,
      coalesce(sum(n) filter (where outcome = 'partly_substantiated'), 0)::int as partly,
      coalesce(sum(n) filter (where outcome = 'not_substantiated'), 0)::int as not_substantiated
    from ${tallied(agencyId, prev.from, to)} t
    group by 1, 2, 3, 4`.execute(db);
  return r.rows;
}

/**
 * Clocks running past their due time now (the due views' own rule), by kind, of the cases filed in
 * the year: counted afresh, from the index of running cases (migration 0261).
 */
async function runningClocks(db: Db, agencyId: number, fiscalYear: number, now: Date): Promise<Running[]> {
  const { from, to } = fiscalYearRange(fiscalYear);
  const r = await sql<Running>`
    select kind,
      count(*) filter (where ack_due_at < ${now})::int as ack,
      count(*) filter (where reply_due_at < ${now})::int as reply,
      count(*) filter (where feedback_due_at < ${now})::int as feedback
    from report_case
    where agency_id = ${agencyId} and status <> 'closed' and paused_at is null
      and created_at >= ${midnight(from)} and created_at < ${midnight(to)} + interval '1 day'
    group by kind`.execute(db);
  return r.rows;
}

/**
 * The agency's cases of this and last fiscal year, with the quarter and the year of each as columns
 * `quarter` and `this_year`: found by comparing created_at with Bangkok midnights (no time zone
 * arithmetic per row); the index on (agency_id, created_at) finds the rows.
 */
function casesOfTwoYears(agencyId: number, fiscalYear: number) {
  const { from, to } = fiscalYearRange(fiscalYear);
  const prev = fiscalYearRange(fiscalYear - 1);
  const [q2, q3, q4] = quarterStarts(fiscalYear).map(midnight);
  return {
    periods: sql`case when created_at < ${q2} then 1 when created_at < ${q3} then 2 when created_at < ${q4} then 3 else 4 end as quarter,
      created_at >= ${midnight(from)} as this_year`,
    where: sql`agency_id = ${agencyId} and created_at >= ${midnight(prev.from)} and created_at < ${midnight(to)} + interval '1 day'`,
  };
}

type UnitGroup = { unit_id: number | null; quarter: number; this_year: boolean; n: number };

/**
 * The same cases that concern a unit, counted by unit in a query of its own run beside caseGroups
 * (the cases concerning none are caseGroups' count less these). Only the cases with a unit are read,
 * from the partial index report_case_agency_unit (migration 0231). Measured (200,000 cases, 20
 * units): adding the unit to caseGroups' grouping, or grouping sets, made PostgreSQL expect a group
 * per case and sort them all on disk instead of hashing, about 1.5 to 2 times the count.
 */
async function unitGroups(db: Db, agencyId: number, fiscalYear: number): Promise<UnitGroup[]> {
  const { periods, where } = casesOfTwoYears(agencyId, fiscalYear);
  const r = await sql<UnitGroup>`
    select unit_id, ${periods}, count(*)::int as n
    from report_case where ${where} and unit_id is not null group by 1, 2, 3`.execute(db);
  return r.rows;
}

/** The cases of `groups` that concern no unit: every case counted by caseGroups less those counted by unit. */
function withoutUnit(all: CaseGroup[], byUnit: UnitGroup[]): UnitGroup[] {
  const out: UnitGroup[] = [];
  for (const this_year of [true, false])
    for (const quarter of [1, 2, 3, 4]) {
      const at = (g: { quarter: number; this_year: boolean }) => g.quarter === quarter && g.this_year === this_year;
      const n = all.filter(at).reduce((a, g) => a + g.n, 0) - byUnit.filter(at).reduce((a, g) => a + g.n, 0);
      if (n > 0) out.push({ unit_id: null, quarter, this_year, n });
    }
  return out;
}

const areaOf = (category: string): RiskArea => AREA_OF_CATEGORY[category] ?? 'abuse_of_power';

function categoriesSignal(groups: CaseGroup[]): Signal {
  const rows: SignalRow[] = [];
  for (const kind of CASE_KINDS)
    for (const category of ALL_CATEGORIES) {
      const mine = groups.filter((g) => g.kind === kind && g.category === category);
      const now = mine.filter((g) => g.this_year);
      const total = now.reduce((a, g) => a + g.n, 0);
      const last = mine.filter((g) => !g.this_year).reduce((a, g) => a + g.n, 0);
      if (total === 0 && last === 0) continue;
      const quarters = [1, 2, 3, 4].map((q) => now.filter((g) => g.quarter === q).reduce((a, g) => a + g.n, 0));
      rows.push({
        key: `${kind}.${category}`,
        label: 'risk.signal.row.kind_category',
        params: { kind, category },
        values: [suppress(total), suppress(last), ...suppressParts(quarters)],
        area: areaOf(category),
      });
    }
  return {
    key: 'categories',
    columns: SIGNAL_COLUMNS.categories,
    rows,
  };
}

type UnitName = { id: number; code: string; name_th: string; name_en: string };

/**
 * Cases by the unit they concern, this year and last and by quarter of this year, as the categories
 * are counted: a row per unit named by a case (active or not), in the units' order, and one for the
 * cases naming none. Labelled by the unit's code and name (the label's parameters carry both names).
 */
function unitsSignal(groups: UnitGroup[], units: UnitName[]): Signal {
  const rows: SignalRow[] = [];
  const row = (unitId: number | null): SignalRow | null => {
    const mine = groups.filter((g) => g.unit_id === unitId);
    const now = mine.filter((g) => g.this_year);
    const total = now.reduce((a, g) => a + g.n, 0);
    const last = mine.filter((g) => !g.this_year).reduce((a, g) => a + g.n, 0);
    if (total === 0 && last === 0) return null;
    const quarters = [1, 2, 3, 4].map((q) => now.filter((g) => g.quarter === q).reduce((a, g) => a + g.n, 0));
    const unit = units.find((u) => u.id === unitId);
    return {
      key: unit ? `unit.${unit.code}` : 'none',
      label: unit ? 'risk.signal.row.unit' : 'risk.signal.row.no_unit',
      params: unit ? { code: unit.code, nameTh: unit.name_th, nameEn: unit.name_en } : undefined,
      values: [suppress(total), suppress(last), ...suppressParts(quarters)],
      area: 'abuse_of_power',
    };
  };
  for (const u of units) {
    const r = row(u.id);
    if (r) rows.push(r);
  }
  const none = row(null);
  if (none) rows.push(none);
  return { key: 'units', columns: SIGNAL_COLUMNS.units, rows };
}

/** The agency's units by code (every one: a deactivated unit still names its cases). */
async function unitNames(db: Db, agencyId: number): Promise<UnitName[]> {
  return db
    .selectFrom('agency_unit')
    .select(['id', 'code', 'name_th', 'name_en'])
    .where('agency_id', '=', agencyId)
    .orderBy('code')
    .execute();
}

function outcomesSignal(groups: CaseGroup[]): Signal {
  const rows: SignalRow[] = [];
  for (const category of ALL_CATEGORIES) {
    const now = groups.filter((g) => g.this_year && g.category === category);
    const sum = (k: 'substantiated' | 'partly' | 'not_substantiated') => now.reduce((a, g) => a + g[k], 0);
    const v = [sum('substantiated'), sum('partly'), sum('not_substantiated')];
    if (v.every((n) => n === 0)) continue;
    rows.push({
      key: category,
      label: 'risk.signal.row.category',
      params: { category },
      values: v.map(suppress),
      area: areaOf(category),
    });
  }
  return {
    key: 'outcomes',
    columns: SIGNAL_COLUMNS.outcomes,
    rows,
  };
}

/** Clocks running past their due time now, of cases filed in the year and not closed (the due views' own rule). */
function deadlinesSignal(running: Running[]): Signal {
  const rows = (['ack', 'reply', 'feedback'] as const).map(
    (clock): SignalRow => ({
      key: clock,
      label: `risk.signal.row.clock.${clock}`,
      values: CASE_KINDS.map((k) => suppress(running.filter((g) => g.kind === k).reduce((a, g) => a + g[clock], 0))),
      area: 'abuse_of_power',
    }),
  );
  return { key: 'deadlines', columns: SIGNAL_COLUMNS.deadlines, rows };
}

/** Permits asked of the agency in the year: how many, how many late (decided after the manual's date, or undecided past it), and their days late. */
async function permitsSignal(db: Db, agencyId: number, from: string, to: string, today: string): Promise<Signal> {
  const r = await sql<{ received: number; late: number; days: number; max_days: number }>`
    select count(*)::int as received,
      count(*) filter (where late > 0)::int as late,
      coalesce(sum(late), 0)::int as days,
      coalesce(max(late), 0)::int as max_days
    from (select greatest(coalesce(decided_on, ${today}::date) - manual_due_on, 0) as late
          from permit_request where agency_id = ${agencyId} and filed_on between ${from}::date and ${to}::date) p`.execute(
    db,
  );
  const { received, late, days, max_days } = r.rows[0];
  const shown = suppress(late) !== null;
  return {
    key: 'permits',
    columns: SIGNAL_COLUMNS.permits,
    rows:
      received === 0
        ? []
        : [
            {
              key: 'late_permit',
              label: 'risk.signal.row.permits',
              values: [suppress(received), suppress(late), shown ? days : null, shown ? max_days : null],
              area: 'permits',
            },
          ],
  };
}

/** Ratings of 1 or 2 (out of 5) given in the year, by the rated case's category. */
async function ratingsSignal(db: Db, agencyId: number, from: string, to: string): Promise<Signal> {
  const r = await sql<{ category: string; low: number; n: number }>`
    select category, count(*) filter (where score <= 2)::int as low, count(*)::int as n
    from (select r.score, (select c.category from report_case c where c.id = r.case_id) as category
          from case_rating r where r.agency_id = ${agencyId} and r.rated_on between ${from}::date and ${to}::date) x
    group by category`.execute(db);
  return {
    key: 'ratings',
    columns: SIGNAL_COLUMNS.ratings,
    rows: r.rows
      .filter((x) => x.low > 0)
      .map((x) => ({
        key: x.category,
        label: 'risk.signal.row.category',
        params: { category: x.category },
        values: [suppress(x.low), suppress(x.n)],
        area: areaOf(x.category),
      })),
  };
}

/** The three weakest indicators and questions of the agency's ITA cycle of the year (scores as disclosed). */
async function itaSignal(db: Db, agencyId: number, fiscalYear: number): Promise<Signal> {
  const row = await db
    .selectFrom('ita_cycle')
    .selectAll()
    .where('agency_id', '=', agencyId)
    .where('fiscal_year', '<=', fiscalYear)
    .orderBy('fiscal_year', 'desc')
    .limit(1)
    .executeTakeFirst();
  const signal: Signal = { key: 'ita', columns: SIGNAL_COLUMNS.ita, rows: [], scores: true };
  if (!row) return signal;
  const cycle = cycleOf(row);
  const { score } = await disclosedScore(db, cycle);
  const lowest = <T extends { score: number | null }>(xs: T[]) =>
    xs
      .filter((x): x is T & { score: number } => x.score !== null)
      .sort((a, b) => a.score - b.score)
      .slice(0, 3);
  const area: Record<number, RiskArea> = { 2: 'budget_spending', 3: 'abuse_of_power', 4: 'state_property' };
  for (const i of lowest(score.indicators))
    signal.rows.push({
      key: `indicator.${i.number}`,
      label: 'risk.signal.row.indicator',
      params: { number: i.number, year: cycle.fiscalYear },
      values: [i.score],
      area: area[i.number] ?? 'bribery',
    });
  for (const q of lowest(score.questions))
    signal.rows.push({
      key: `question.${q.id}`,
      label: 'risk.signal.row.question',
      params: { id: q.id, year: cycle.fiscalYear },
      values: [q.score],
      area: area[q.indicator] ?? 'bribery',
    });
  return signal;
}

/** Categories whose Thai names share words, counted together by month of the year: the busiest month against the mean. */
function clustersSignal(groups: CaseGroup[]): Signal {
  const th = translator('th');
  const found = clusters(ALL_CATEGORIES.map((c) => ({ key: c, text: th(`category.${c}`) })));
  const rows = found.flatMap((c): SignalRow[] => {
    const now = groups.filter((g) => g.this_year && c.keys.includes(g.category));
    const total = now.reduce((a, g) => a + g.n, 0);
    if (total === 0) return [];
    const quarters = [1, 2, 3, 4].map((q) => now.filter((g) => g.quarter === q).reduce((a, g) => a + g.n, 0));
    return [
      {
        key: c.keys.join('+'),
        label: 'risk.signal.row.cluster',
        params: { words: c.words.join(' '), categories: c.keys.join(', ') },
        values: [suppress(total), ...suppressParts(quarters)],
        area: areaOf(c.keys[0]),
      },
    ];
  });
  return {
    key: 'clusters',
    columns: SIGNAL_COLUMNS.clusters,
    rows,
  };
}

/** Every signal of `agencyId` for `fiscalYear`, without access control (the bench and the caller below). */
export async function computeSignals(db: Db, agencyId: number, fiscalYear: number, now = new Date()): Promise<Signals> {
  const { from, to } = fiscalYearRange(fiscalYear);
  const today = bangkokToday(now);
  const [groups, running, byUnit, permits, ratings, ita, units] = await Promise.all([
    caseGroups(db, agencyId, fiscalYear),
    runningClocks(db, agencyId, fiscalYear, now),
    unitGroups(db, agencyId, fiscalYear),
    permitsSignal(db, agencyId, from, to, today),
    ratingsSignal(db, agencyId, from, to),
    itaSignal(db, agencyId, fiscalYear),
    unitNames(db, agencyId),
  ]);
  return {
    agencyId,
    fiscalYear,
    from,
    to,
    computedAt: new Date(),
    signals: [
      categoriesSignal(groups),
      unitsSignal([...byUnit, ...withoutUnit(groups, byUnit)], units),
      outcomesSignal(groups),
      deadlinesSignal(running),
      permits,
      ratings,
      ita,
      clustersSignal(groups),
    ],
  };
}

/**
 * How long counted signals are shown again before they are counted anew: a year's figures do not
 * need to be to the second, and an agency with hundreds of thousands of cases is not scanned on
 * every page view (docs/benchmarks.md has both figures). Per database, agency and fiscal year.
 */
export const SIGNALS_FRESH_MS = 60_000;
const counted = new WeakMap<Db, Map<string, Promise<Signals>>>();

async function freshSignals(db: Db, agencyId: number, year: number, now: Date): Promise<Signals> {
  const byKey = counted.get(db) ?? new Map<string, Promise<Signals>>();
  counted.set(db, byKey);
  const key = `${agencyId}/${year}`;
  const known = byKey.get(key);
  if (known) {
    const s = await known.catch(() => null);
    if (s && Date.now() - s.computedAt.getTime() < SIGNALS_FRESH_MS) return s;
  }
  // One count at a time per key: requests meanwhile wait for it instead of scanning too.
  const next = computeSignals(db, agencyId, year, now);
  byKey.set(key, next);
  next.catch(() => byKey.delete(key));
  return next;
}

/** The signals of the actor's agency (risk officers, supervisors, auditors), audited; counted at most every SIGNALS_FRESH_MS. */
export async function agencySignals({
  db,
  actor,
  fiscalYear,
  now = new Date(),
}: {
  db: Db;
  actor: StaffActor;
  fiscalYear: unknown;
  now?: Date;
}): Promise<Signals> {
  const agencyId = signalAgency(actor);
  const year = parseFiscalYear(fiscalYear);
  const signals = await freshSignals(db, agencyId, year, now);
  await recordAudit(db, { actorUserId: actor.id, action: 'risk_signals_viewed', detail: { fiscalYear: year } });
  return signals;
}

/** A row's label in a language: its category and kind named, not coded. */
export function rowLabel(t: T, row: Pick<SignalRow, 'label' | 'params'>): string {
  const p = { ...row.params };
  if (typeof p.category === 'string') p.category = t(`category.${p.category}`);
  if (typeof p.kind === 'string') p.kind = t(`kind.${p.kind}`);
  if (typeof p.categories === 'string')
    p.categories = p.categories
      .split(', ')
      .map((c) => t(`category.${c}`))
      .join(', ');
  return t(row.label, p);
}

/**
 * One action from a signal: a candidate risk in this year's register with the signal's row as its
 * evidence, figures as shown (suppressed ones stay null). The row is found again on the server:
 * what the form posts names it, never its figures.
 */
export async function candidateFromSignal({
  db,
  actor,
  fiscalYear,
  signal,
  row,
  now = new Date(),
}: {
  db: Db;
  actor: StaffActor;
  fiscalYear: unknown;
  signal: unknown;
  row: unknown;
  now?: Date;
}): Promise<{ registerId: number; riskId: number }> {
  const agencyId = signalAgency(actor);
  const year = parseFiscalYear(fiscalYear);
  const found = (await computeSignals(db, agencyId, year, now)).signals
    .find((s) => s.key === signal)
    ?.rows.find((r) => r.key === row);
  if (!found) throw new AppError('not_found', 'no such signal row', 'error.not_found');
  const s = signal as SignalKey;
  return candidateRiskFrom(db, actor, {
    source: `signal:${s}`,
    area: found.area,
    event: `${translator('th')(`risk.signal.${s}.title`)}: ${rowLabel(translator('th'), found)}`,
    evidence: {
      fiscalYear: year,
      row: found.key,
      columns: SIGNAL_COLUMNS[s],
      values: found.values,
    },
    now,
  });
}
