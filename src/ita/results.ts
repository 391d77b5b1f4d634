// The results of an assessment cycle: the scores with the disclosure rule applied, the weakest
// indicators and questions first, the year-over-year rows (this agency's cycles and the scores it
// recorded for earlier years), the CSV export, and recording a past year's published scores.
import { recordAudit } from '../audit/record-audit.ts';
import { csvField } from '../cases/export.ts';
import type { Db } from '../db/connection.ts';
import { AppError } from '../errors.ts';
import type { StaffActor } from '../staff/session.ts';
import { cycleOf, itaAgencyOf, loadCycle, type Cycle } from './cycles.ts';
import { surveyProgress } from './sample.ts';
import { formatScore, parseScore as parseScoreText, roundHalfUp, scoreAnswers } from './score.ts';
import { loadTallies } from './surveys.ts';
import { gradeUnder, yearRules } from './year-rules.ts';
import type {
  Answers,
  ChecklistItem,
  Framework,
  IndicatorScore,
  InstrumentCode,
  QuestionScore,
  ScoreResult,
  SurveyInstrument,
} from './types.ts';

/** Whether a survey instrument's scores may be shown: `responses` against the framework's `threshold`. */
export type Disclosure = { instrument: SurveyInstrument; responses: number; threshold: number; isDisclosed: boolean };

/** One fiscal year of the year-over-year table (hundredths; null: not assessed, or withheld). */
export type YearRow = {
  fiscalYear: number;
  iit: number | null;
  eit: number | null;
  oit: number | null;
  ita: number | null;
  grade: string | null;
  source: 'cycle' | 'history';
};

/** A question with its answer counts (answer value → count, in answer order). */
export type WeakQuestion = QuestionScore & { counts: { answer: number; count: number }[] };

export type CycleResults = {
  cycle: Cycle;
  /** The breakdown with every survey instrument below the disclosure threshold withheld (its scores null, its questions left out). */
  score: ScoreResult;
  disclosure: Disclosure[];
  /** Scored indicators, lowest first. */
  weakestIndicators: IndicatorScore[];
  /** Scored questions of disclosed instruments, lowest first. */
  weakestQuestions: WeakQuestion[];
  /** Checklist items the assessor did not find disclosed (no verdict counts as not disclosed). */
  undisclosedItems: ChecklistItem[];
  /** Oldest first. */
  years: YearRow[];
};

/**
 * What scoring reads for a cycle: the answer counts (ita_tally), the completed questionnaires per
 * survey (ita_cycle) and the assessor's verdicts (ita_oit_item). The caller MUST have loaded the
 * cycle through loadCycle (agency scope).
 */
export async function loadAnswers(db: Db, cycle: Cycle): Promise<Answers> {
  const tallies = await loadTallies(db, cycle.id);
  const items = await db
    .selectFrom('ita_oit_item')
    .select(['item_id', 'verdict'])
    .where('cycle_id', '=', cycle.id)
    .where('verdict', 'is not', null)
    .execute();
  return {
    tallies,
    respondents: { IIT: cycle.iitResponses, EIT: cycle.eitResponses },
    verdicts: new Map(items.map((i) => [i.item_id, i.verdict === 'yes'])),
  };
}

/** Per survey instrument of the cycle's framework, whether its results reach the disclosure threshold. */
export function disclosureOf(cycle: Cycle): Disclosure[] {
  return surveyProgress(cycle).map((p) => ({
    instrument: p.instrument,
    responses: p.responses,
    threshold: cycle.framework.disclosureThreshold,
    isDisclosed: p.isDisclosed,
  }));
}

/**
 * The breakdown with the instruments in `hidden` withheld: their instrument and indicator scores
 * null, their questions removed, and the ITA, grade and pass null (a total would let a reader work
 * a withheld score back out). Pure.
 */
export function withhold(framework: Framework, score: ScoreResult, hidden: ReadonlySet<InstrumentCode>): ScoreResult {
  if (hidden.size === 0) return score;
  const instrumentOf = new Map(framework.indicators.map((i) => [i.number, i.instrument]));
  const isHidden = (indicator: number) => hidden.has(instrumentOf.get(indicator) as InstrumentCode);
  return {
    questions: score.questions.filter((q) => !isHidden(q.indicator)),
    ...(score.mainQuestions ? { mainQuestions: score.mainQuestions.filter((q) => !isHidden(q.indicator)) } : {}),
    ...(score.subIndicators ? { subIndicators: score.subIndicators } : {}),
    checklist: score.checklist,
    indicators: score.indicators.map((i) => (hidden.has(i.instrument) ? { ...i, score: null } : i)),
    instruments: score.instruments.map((i) => (hidden.has(i.code) ? { ...i, score: null } : i)),
    ita: null,
    grade: null,
    passed: null,
  };
}

/**
 * A cycle's scores with the disclosure rule applied (see `withhold`), the answers they came from and
 * the disclosure per survey. The caller MUST have loaded the cycle within its scope (loadCycle for
 * staff; a published cycle for the public) and MUST NOT show the answers where counts are not due.
 */
export async function disclosedScore(
  db: Db,
  cycle: Cycle,
): Promise<{ score: ScoreResult; answers: Answers; disclosure: Disclosure[] }> {
  const answers = await loadAnswers(db, cycle);
  const disclosure = disclosureOf(cycle);
  const hidden = new Set<InstrumentCode>(disclosure.filter((d) => !d.isDisclosed).map((d) => d.instrument));
  return { score: withhold(cycle.framework, scoreAnswers(cycle.framework, answers), hidden), answers, disclosure };
}

/** A recorded ITA graded with its own year's bands; null when the year's rules are unknown. */
function gradeOfYear(fiscalYear: number, ita: number | null): string | null {
  const rules = yearRules(fiscalYear);
  return ita === null || rules === null ? null : gradeUnder(rules, ita);
}

const instrumentScore = (s: ScoreResult, code: InstrumentCode) =>
  s.instruments.find((i) => i.code === code)?.score ?? null;

/**
 * The year-over-year rows of an agency, oldest first: the scores recorded in ita_history, and each
 * of `cycles` computed with the disclosure rule (`known` gives scores already computed, by cycle id);
 * a cycle wins over a recorded year. A recorded year is graded with its own year's bands (yearRules),
 * ungraded when Sujarit does not know them. The caller chooses the cycles: every cycle of the agency
 * for its staff, the published ones for the public.
 */
export async function agencyYears(
  db: Db,
  {
    agencyId,
    cycles,
    known = new Map(),
  }: { agencyId: number; cycles: readonly Cycle[]; known?: ReadonlyMap<number, ScoreResult> },
): Promise<YearRow[]> {
  const byYear = new Map<number, YearRow>();
  const history = await db.selectFrom('ita_history').selectAll().where('agency_id', '=', agencyId).execute();
  for (const h of history)
    byYear.set(h.fiscal_year, {
      fiscalYear: h.fiscal_year,
      iit: h.iit,
      eit: h.eit,
      oit: h.oit,
      ita: h.ita,
      grade: gradeOfYear(h.fiscal_year, h.ita),
      source: 'history',
    });
  for (const c of cycles) {
    const s = known.get(c.id) ?? (await disclosedScore(db, c)).score;
    byYear.set(c.fiscalYear, {
      fiscalYear: c.fiscalYear,
      iit: instrumentScore(s, 'IIT'),
      eit: instrumentScore(s, 'EIT'),
      oit: instrumentScore(s, 'OIT'),
      ita: s.ita,
      grade: s.grade,
      source: 'cycle',
    });
  }
  return [...byYear.values()].sort((a, b) => a.fiscalYear - b.fiscalYear);
}

async function listAgencyCycles(db: Db, agencyId: number): Promise<Cycle[]> {
  return (await db.selectFrom('ita_cycle').selectAll().where('agency_id', '=', agencyId).execute()).map(cycleOf);
}

/**
 * The results of a cycle of the actor's agency (agency administrators and ITA assessors;
 * not_found across agencies). Below the disclosure threshold a survey's instrument, indicator and
 * question scores MUST NOT be returned (see `withhold`): with few answers one person's view could
 * be read out of them.
 */
export async function cycleResults({
  db,
  actor,
  cycleId,
}: {
  db: Db;
  actor: StaffActor;
  cycleId: number;
}): Promise<CycleResults> {
  const cycle = await loadCycle({ db, actor, cycleId });
  const { score, answers, disclosure } = await disclosedScore(db, cycle);
  const byScore = <T extends { score: number | null }>(xs: T[]) =>
    xs.filter((x) => x.score !== null).sort((a, b) => a.score! - b.score!);
  const weakestQuestions = byScore(score.questions).map((q) => ({
    ...q,
    counts: [...(answers.tallies.get(q.id) ?? new Map<number, number>())]
      .sort((a, b) => a[0] - b[0])
      .map(([answer, count]) => ({ answer, count })),
  }));
  const disclosed = new Set(score.checklist.filter((c) => c.disclosed).map((c) => c.id));
  return {
    cycle,
    score,
    disclosure,
    weakestIndicators: byScore(score.indicators),
    weakestQuestions,
    undisclosedItems: cycle.framework.checklist.filter((c) => !disclosed.has(c.id)),
    years: await agencyYears(db, {
      agencyId: cycle.agencyId,
      cycles: await listAgencyCycles(db, cycle.agencyId),
      known: new Map([[cycle.id, score]]),
    }),
  };
}

const CSV_COLUMNS = [
  'ita.csv.level',
  'ita.csv.id',
  'ita.csv.name',
  'ita.csv.score',
  'ita.csv.answered',
  'ita.csv.note',
] as const;

/**
 * The results as CSV (UTF-8 with a byte order mark, CRLF, a header row of `t(key)`): the ITA, the
 * instruments, the indicators and the questions, scores as 83.41. A withheld instrument's rows have
 * no score and a note instead, and its questions are left out (the disclosure rule). Every field
 * goes through csvField, so a text that looks like a formula is not run by a spreadsheet.
 */
export function resultsCsv(
  r: CycleResults,
  lang: 'th' | 'en',
  t: (key: string, params?: Record<string, string | number>) => string,
): string {
  const f = r.cycle.framework;
  const withheld = new Map(
    r.disclosure
      .filter((d) => !d.isDisclosed)
      .map((d) => [d.instrument as InstrumentCode, t('ita.results.withheld', { n: d.responses, needed: d.threshold })]),
  );
  const score = (h: number | null) => (h === null ? '' : formatScore(h));
  const lines: string[][] = [CSV_COLUMNS.map((k) => t(k))];
  lines.push(['ita', 'ITA', t('ita.results.ita'), score(r.score.ita), '', r.score.grade ?? '']);
  for (const i of r.score.instruments) {
    const name = f.instruments.find((x) => x.code === i.code)?.name[lang] ?? i.code;
    lines.push([
      'instrument',
      i.code,
      name,
      score(i.score),
      i.respondents === null ? '' : String(i.respondents),
      withheld.get(i.code) ?? '',
    ]);
  }
  for (const i of r.score.indicators) {
    const name = f.indicators.find((x) => x.number === i.number)?.name[lang] ?? '';
    lines.push(['indicator', String(i.number), name, score(i.score), '', withheld.get(i.instrument) ?? '']);
  }
  for (const q of r.score.questions) {
    const text = f.questions.find((x) => x.id === q.id)?.text[lang] ?? '';
    lines.push(['question', q.id, text, score(q.score), String(q.answered), '']);
  }
  return csvText(lines);
}

/** Rows as a CSV file: UTF-8 with a byte order mark, CRLF, every field through csvField (a text that looks like a formula is not run by a spreadsheet). */
export function csvText(lines: readonly (readonly string[])[]): string {
  return `\uFEFF${lines.map((l) => l.map(csvField).join(',')).join('\r\n')}\r\n`;
}

/** A score as typed in a form: '83.41', '100', '0.5' → hundredths; '' → null; anything else (or above 100) → undefined. */
export function parseScore(raw: unknown): number | null | undefined {
  if (typeof raw !== 'string') return undefined;
  const v = raw.trim();
  return v === '' ? null : (parseScoreText(v) ?? undefined);
}

/** ITA from instrument scores (hundredths) with weights in basis points, half-up to a hundredth (exact integers). */
export function weightedIta(scores: Record<InstrumentCode, number>, weights: Record<InstrumentCode, number>): number {
  return roundHalfUp(scores.IIT * weights.IIT + scores.EIT * weights.EIT + scores.OIT * weights.OIT, 10_000);
}

export type HistoryInput = { fiscalYear: unknown; iit: unknown; eit: unknown; oit: unknown; ita: unknown };

/**
 * Records (or replaces) the published scores of one earlier fiscal year of the actor's agency
 * (agency administrators), for the year-over-year table. Scores are typed as on NACC's report
 * ('83.41': 0–100, at most two decimals); each may be empty. The ITA is stored as typed; left empty
 * with all three instruments given it is computed with that year's own weights (yearRules), half-up:
 * seed 004's 2563 gives 80.79/84.47/97.50 → 88.58; MUST NOT be computed with another year's weights,
 * so for a year whose rules Sujarit does not know it stays empty. A computed
 * cycle of the same year wins in the table over what is recorded here. invalid_input with field
 * errors; audited ita_history_recorded in the same transaction. `cycleId`: the cycle whose page
 * the scores were typed on, not_found (before anything else) when it is not of the actor's agency.
 */
export async function recordHistory({
  db,
  actor,
  input,
  cycleId,
}: {
  db: Db;
  actor: StaffActor;
  input: HistoryInput;
  cycleId?: number;
}): Promise<YearRow> {
  if (cycleId !== undefined) await loadCycle({ db, actor, cycleId });
  const agencyId = itaAgencyOf(actor, ['agency_admin']);
  const fields: Record<string, string> = {};
  const fy =
    typeof input.fiscalYear === 'string' && /^\d{4}$/.test(input.fiscalYear.trim())
      ? Number(input.fiscalYear.trim())
      : Number.NaN;
  if (!(fy >= 2500 && fy <= 2800)) fields.fiscalYear = 'ita.error.fiscal_year';
  const parsed = {
    iit: parseScore(input.iit),
    eit: parseScore(input.eit),
    oit: parseScore(input.oit),
    ita: parseScore(input.ita),
  };
  for (const [k, v] of Object.entries(parsed)) if (v === undefined) fields[k] = 'ita.history.error.score';
  const { iit, eit, oit } = parsed;
  let ita = parsed.ita;
  if (Object.keys(fields).length === 0 && iit === null && eit === null && oit === null && ita === null)
    fields.iit = 'ita.history.error.score_none';
  if (Object.keys(fields).length > 0) throw new AppError('invalid_input', 'invalid past scores', 'error.form', fields);
  const rules = yearRules(fy);
  if (ita === null && iit != null && eit != null && oit != null && rules)
    ita = weightedIta({ IIT: iit, EIT: eit, OIT: oit }, rules.weights);
  const row = { iit: iit ?? null, eit: eit ?? null, oit: oit ?? null, ita: ita ?? null };
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('ita_history')
      .values({ agency_id: agencyId, fiscal_year: fy, ...row, recorded_by: actor.id })
      .onConflict((oc) =>
        oc
          .columns(['agency_id', 'fiscal_year'])
          .doUpdateSet({ ...row, recorded_by: actor.id, recorded_at: new Date() }),
      )
      .execute();
    await recordAudit(trx, {
      actorUserId: actor.id,
      action: 'ita_history_recorded',
      detail: { fiscalYear: fy, ...row, isItaComputed: parsed.ita === null && ita !== null },
    });
  });
  return { fiscalYear: fy, ...row, grade: null, source: 'history' };
}
