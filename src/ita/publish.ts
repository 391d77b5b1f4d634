// Publishing a cycle's results on the public /ita pages, and what those pages read: per agency with
// anything published, its published cycles and the past years it recorded from NACC. Only
// instrument and indicator scores are public, with the disclosure rule applied exactly as on the
// staff page (disclosedScore); question scores, answer counts and respondent numbers never leave
// this module.
import { recordAudit } from '../audit/record-audit.ts';
import type { Db } from '../db/connection.ts';
import { AppError } from '../errors.ts';
import type { StaffActor } from '../staff/session.ts';
import { cycleOf, loadCycle, requireConfirmed, type Cycle } from './cycles.ts';
import { agencyYears, csvText, disclosedScore, disclosureOf, type YearRow } from './results.ts';
import { formatScore, gradeOf } from './score.ts';
import type { Framework, InstrumentCode, ScoreResult, SurveyInstrument } from './types.ts';

/** The published results are computed at most once a minute per server (the pages are public); publishing or withdrawing here drops them at once. */
export const PUBLISHED_CACHE_MS = 60_000;

/** What of a framework the public pages print: names, grade bands, pass mark, disclosure threshold (no questions). */
export type PublicFramework = Pick<
  Framework,
  'title' | 'instruments' | 'indicators' | 'grades' | 'passMark' | 'disclosureThreshold'
>;

/** A fiscal year of an agency's public table, with the surveys withheld by the disclosure rule (a cycle's year only). */
export type PublicYear = YearRow & { withheld: SurveyInstrument[] };

/** A published cycle's public breakdown: instrument and indicator scores only (hundredths; null: none, or withheld). */
export type PublicCycle = {
  fiscalYear: number;
  publishedAt: Date;
  framework: PublicFramework;
  instruments: { code: InstrumentCode; score: number | null }[];
  indicators: { number: number; instrument: InstrumentCode; score: number | null; grade: string | null }[];
  ita: number | null;
  grade: string | null;
  passed: boolean | null;
  withheld: SurveyInstrument[];
};

/** An agency with at least one published cycle: its years oldest first (published cycles and recorded years) and its newest published cycle. */
export type PublishedAgency = {
  code: string;
  name: { th: string; en: string };
  years: PublicYear[];
  latest: PublicCycle;
};

/**
 * Publishes (`isPublished`) or withdraws a cycle's results on /ita (agency administrators of the
 * cycle's agency; forbidden for other roles, not_found across agencies). Only a closed cycle is
 * published: while the surveys take answers, a reader comparing the page before and after one
 * answer could read that answer out of the difference (conflict otherwise). Returns whether
 * anything changed; a change is audited ita_results_published in the same transaction, and the
 * published results are computed afresh on this server's next request. `isConfirmed`: the form's
 * confirmation box (field `publishConfirm`), checked after the access checks.
 */
export async function publishResults({
  db,
  actor,
  cycleId,
  isPublished,
  isConfirmed,
}: {
  db: Db;
  actor: StaffActor;
  cycleId: number;
  isPublished: boolean;
  isConfirmed?: boolean;
}): Promise<boolean> {
  const cycle = await loadCycle({ db, actor, cycleId, roles: ['agency_admin'] });
  requireConfirmed(isConfirmed, 'publishConfirm', 'ita.publish.error.confirm');
  if (isPublished && cycle.state !== 'closed')
    throw new AppError('conflict', 'results are published once the cycle is closed', 'ita.publish.error.open');
  const isChanged = await db.transaction().execute(async (trx) => {
    const r = await trx
      .updateTable('ita_cycle')
      .set({ published_at: isPublished ? new Date() : null })
      .where('id', '=', cycle.id)
      .where('published_at', isPublished ? 'is' : 'is not', null)
      .executeTakeFirst();
    if (r.numUpdatedRows === 0n) return false;
    await recordAudit(trx, {
      actorUserId: actor.id,
      action: 'ita_results_published',
      detail: { cycleId: cycle.id, published: isPublished },
    });
    return true;
  });
  // After the commit: a withdrawal must not wait for the minute to pass on this server.
  if (isChanged) cache.delete(db);
  return isChanged;
}

const withheldOf = (cycle: Cycle): SurveyInstrument[] =>
  disclosureOf(cycle)
    .filter((d) => !d.isDisclosed)
    .map((d) => d.instrument);

function publicCycle(cycle: Cycle, score: ScoreResult): PublicCycle {
  const { title, instruments, indicators, grades, passMark, disclosureThreshold } = cycle.framework;
  return {
    fiscalYear: cycle.fiscalYear,
    publishedAt: cycle.publishedAt!,
    framework: { title, instruments, indicators, grades, passMark, disclosureThreshold },
    instruments: score.instruments.map((i) => ({ code: i.code, score: i.score })),
    indicators: score.indicators.map((i) => ({
      number: i.number,
      instrument: i.instrument,
      score: i.score,
      grade: i.score === null ? null : gradeOf(cycle.framework, i.score),
    })),
    ita: score.ita,
    grade: score.grade,
    passed: score.passed,
    withheld: withheldOf(cycle),
  };
}

/** Every agency with a published cycle, by code; the database's view now (uncached). */
async function loadPublished(db: Db): Promise<PublishedAgency[]> {
  const rows = await db
    .selectFrom('ita_cycle')
    .innerJoin('agency', 'agency.id', 'ita_cycle.agency_id')
    .selectAll('ita_cycle')
    .select(['agency.code as agency_code', 'agency.name_th', 'agency.name_en'])
    .where('ita_cycle.published_at', 'is not', null)
    .orderBy('agency.code')
    .orderBy('ita_cycle.fiscal_year')
    .execute();
  const byAgency = new Map<number, typeof rows>();
  for (const r of rows) {
    const list = byAgency.get(r.agency_id) ?? [];
    list.push(r);
    byAgency.set(r.agency_id, list);
  }
  const out: PublishedAgency[] = [];
  for (const [agencyId, agencyRows] of byAgency) {
    const cycles = agencyRows.map(cycleOf);
    const scores = new Map<number, ScoreResult>();
    for (const c of cycles) scores.set(c.id, (await disclosedScore(db, c)).score);
    const newest = cycles[cycles.length - 1];
    const years = await agencyYears(db, { agencyId, cycles, known: scores });
    const cycleOfYear = new Map(cycles.map((c) => [c.fiscalYear, c]));
    out.push({
      code: agencyRows[0].agency_code,
      name: { th: agencyRows[0].name_th, en: agencyRows[0].name_en },
      years: years.map((y) => {
        const c = y.source === 'cycle' ? cycleOfYear.get(y.fiscalYear) : undefined;
        return { ...y, withheld: c ? withheldOf(c) : [] };
      }),
      latest: publicCycle(newest, scores.get(newest.id)!),
    });
  }
  return out;
}

const cache = new WeakMap<Db, { at: number; agencies: Promise<PublishedAgency[]> }>();

/**
 * The published results of every agency (see PublishedAgency), computed at most once per
 * PUBLISHED_CACHE_MS per server and database, shared by concurrent callers; a failure is not kept.
 * A withdrawn or unpublished cycle MUST NOT appear. Other servers see a change within the minute.
 */
export function publishedResults({ db, now = Date.now() }: { db: Db; now?: number }): Promise<PublishedAgency[]> {
  const hit = cache.get(db);
  // A clock set back does not keep an old computation alive.
  if (hit && now >= hit.at && now - hit.at < PUBLISHED_CACHE_MS) return hit.agencies;
  const entry = { at: now, agencies: loadPublished(db) };
  entry.agencies.catch(() => cache.get(db) === entry && cache.delete(db));
  cache.set(db, entry);
  return entry.agencies;
}

/**
 * The fiscal year a public page asks for (`?fy=`): a Buddhist Era year, or null (each agency's
 * newest) when absent or empty; anything else is invalid_input. Only years in the published results
 * are looked up, so no value reaches the database.
 */
export function publicYearOf(query: Record<string, unknown>): number | null {
  const fy = typeof query.fy === 'string' ? query.fy.trim() : '';
  if (fy === '') return null;
  if (!/^\d{4}$/.test(fy) || Number(fy) < 2500 || Number(fy) > 2800)
    throw new AppError('invalid_input', 'fy must be a Buddhist Era fiscal year', 'ita.public.error.fy');
  return Number(fy);
}

/**
 * The public list (/ita): each agency's newest published cycle, or its published cycle of
 * `fiscalYear` (agencies without one left out), by name in `lang`; and every fiscal year some cycle
 * was published for, newest first (the years recorded from NACC are on the agency's page).
 */
export function publishedList(
  agencies: readonly PublishedAgency[],
  fiscalYear: number | null,
  lang: 'th' | 'en',
): { rows: { agency: PublishedAgency; year: PublicYear }[]; years: number[] } {
  const cycles = (a: PublishedAgency) => a.years.filter((y) => y.source === 'cycle');
  const rows = agencies
    .flatMap((agency) => {
      const year = cycles(agency)
        .filter((y) => fiscalYear === null || y.fiscalYear === fiscalYear)
        .at(-1);
      return year ? [{ agency, year }] : [];
    })
    .sort((x, y) => x.agency.name[lang].localeCompare(y.agency.name[lang], lang));
  const years = [...new Set(agencies.flatMap((a) => cycles(a).map((y) => y.fiscalYear)))].sort((a, b) => b - a);
  return { rows, years };
}

/** One agency's published results by its code: not_found, the same answer, for an unknown agency and one with nothing published. */
export async function publishedAgency({ db, code }: { db: Db; code: string }): Promise<PublishedAgency> {
  const agency = (await publishedResults({ db })).find((a) => a.code === code);
  if (!agency) throw new AppError('not_found', 'no published ITA results for this agency', 'error.not_found');
  return agency;
}

const CSV_COLUMNS = [
  'ita.public.csv.agency_code',
  'ita.public.csv.agency',
  'ita.public.csv.fiscal_year',
  'IIT',
  'EIT',
  'OIT',
  'ITA',
  'ita.public.csv.grade',
  'ita.public.csv.source',
  'ita.public.csv.note',
] as const;

/**
 * The published results as CSV (see csvText), one row per agency and fiscal year: the instrument
 * scores, the ITA and the grade as 83.41, the source (a cycle run here, or a year recorded from NACC)
 * and a note naming the surveys withheld. Column names and notes through `t`, agency names in `lang`.
 */
export function publishedCsv(
  agencies: readonly PublishedAgency[],
  lang: 'th' | 'en',
  t: (key: string, params?: Record<string, string | number>) => string,
): string {
  const score = (h: number | null) => (h === null ? '' : formatScore(h));
  const lines: string[][] = [CSV_COLUMNS.map((k) => (k.startsWith('ita.') ? t(k) : k))];
  for (const a of agencies) {
    for (const y of a.years) {
      const note = y.withheld.length > 0 ? t('ita.public.csv.withheld', { codes: y.withheld.join(', ') }) : '';
      lines.push([
        a.code,
        a.name[lang],
        String(y.fiscalYear),
        score(y.iit),
        score(y.eit),
        score(y.oit),
        score(y.ita),
        y.grade ?? '',
        t(`ita.public.source.${y.source}`),
        note,
      ]);
    }
  }
  return csvText(lines);
}
