// The measures plan of a cycle (seed 004: per indicator, a measure with its steps, responsible unit,
// dates and budget) and its progress at six and twelve months (seed 003's monitoring report).
//
// Measures and progress stay editable after the cycle is closed: closing stops the surveys and the
// self-check, while the plan is made from the results and the twelve-month progress is written
// after the year. Agency administrators and ITA assessors edit; anyone else gets not_found or
// forbidden from loadCycle.
import { recordAudit } from '../audit/record-audit.ts';
import { parseDay } from '../cases/permit-dates.ts';
import type { Db } from '../db/connection.ts';
import { AppError } from '../errors.ts';
import type { StaffActor } from '../staff/session.ts';
import { loadCycle, type Cycle } from './cycles.ts';
import { asciiDigits } from '../i18n/digits.ts';

/** Text lengths and amounts, used by both the forms' maxlength and the validation below. */
export const MEASURE_LIMITS = {
  title: 300,
  objective: 2000,
  steps: 4000,
  responsibleUnit: 300,
  progress: 4000,
  problems: 2000,
  suggestions: 2000,
  /** numeric(14, 2): twelve digits of baht */
  moneyDigits: 12,
  /** Dates outside these years are typing slips (a Buddhist Era year typed into a Christian Era field). */
  firstYear: 2000,
  lastYear: 2200,
} as const;

/** The progress rounds: the six-month and the twelve-month report. */
export const ROUNDS = [6, 12] as const;
export type Round = (typeof ROUNDS)[number];

export type Progress = {
  round: Round;
  progress: string;
  percent: number;
  budgetUsed: string;
  problems: string;
  suggestions: string;
  recordedAt: Date;
};

/** Money as decimal strings ('12500.00'), dates as YYYY-MM-DD. `isOverBudget`: a round's budget used is above the planned budget (allowed, flagged). */
export type Measure = {
  id: number;
  cycleId: number;
  indicator: number;
  title: string;
  objective: string;
  steps: string;
  responsibleUnit: string;
  startsOn: string;
  endsOn: string;
  budget: string;
  progress: Progress[];
  isOverBudget: boolean;
};

export type MeasureInput = {
  indicator: unknown;
  title: unknown;
  objective: unknown;
  steps: unknown;
  responsibleUnit: unknown;
  startsOn: unknown;
  endsOn: unknown;
  budget: unknown;
};
export type ProgressInput = {
  progress: unknown;
  percent: unknown;
  budgetUsed: unknown;
  problems: unknown;
  suggestions: unknown;
};

/** Baht as typed: '12500', '12,500.50' → '12500.50'; '' → '0.00'; negative, more than two decimals or too large → null. */
export function parseBaht(raw: unknown): string | null {
  if (typeof raw !== 'string') return null;
  const v = raw.trim().replace(/,(?=\d{3}(?:\D|$))/g, '');
  if (v === '') return '0.00';
  const m = /^(\d+)(?:\.(\d{1,2}))?$/.exec(v);
  if (!m) return null;
  const whole = m[1].replace(/^0+(?=\d)/, '');
  if (whole.length > MEASURE_LIMITS.moneyDigits) return null;
  return `${whole}.${(m[2] ?? '').padEnd(2, '0')}`;
}

/** Satang of a decimal string, for comparing amounts exactly. */
const satang = (baht: string) => BigInt(baht.replace('.', ''));

const text = (v: unknown) => (typeof v === 'string' ? v.trim() : '');

function parseDate(raw: unknown): string | null {
  const d = parseDay(raw);
  if (d === null) return null;
  const year = Number(d.slice(0, 4));
  return year >= MEASURE_LIMITS.firstYear && year <= MEASURE_LIMITS.lastYear ? d : null;
}

/** Checks a measure typed in the form; invalid_input with every field at fault. */
function validateMeasure(cycle: Cycle, input: MeasureInput) {
  const fields: Record<string, string> = {};
  const indicator =
    typeof input.indicator === 'string' && /^\d{1,3}$/.test(input.indicator) ? Number(input.indicator) : Number.NaN;
  if (!cycle.framework.indicators.some((i) => i.number === indicator)) fields.indicator = 'ita.measure.error.indicator';
  const v = {
    title: text(input.title),
    objective: text(input.objective),
    steps: text(input.steps),
    responsibleUnit: text(input.responsibleUnit),
  };
  for (const k of ['title', 'objective', 'steps', 'responsibleUnit'] as const) {
    if (v[k] === '') fields[k] = 'ita.measure.error.required';
    else if (v[k].length > MEASURE_LIMITS[k]) fields[k] = 'ita.measure.error.too_long';
  }
  const startsOn = parseDate(input.startsOn);
  const endsOn = parseDate(input.endsOn);
  if (!startsOn) fields.startsOn = 'ita.measure.error.date';
  if (!endsOn) fields.endsOn = 'ita.measure.error.date';
  else if (startsOn && endsOn < startsOn) fields.endsOn = 'ita.measure.error.ends_before_start';
  const budget = parseBaht(input.budget);
  if (budget === null) fields.budget = 'ita.measure.error.money';
  if (Object.keys(fields).length > 0) throw new AppError('invalid_input', 'invalid measure', 'error.form', fields);
  return { indicator, ...v, startsOn: startsOn!, endsOn: endsOn!, budget: budget! };
}

type MeasureRow = {
  id: number;
  cycle_id: number;
  indicator: number;
  title: string;
  objective: string;
  steps: string;
  responsible_unit: string;
  starts_on: string;
  ends_on: string;
  budget: string;
};

function measureOf(r: MeasureRow, progress: Progress[]): Measure {
  return {
    id: r.id,
    cycleId: r.cycle_id,
    indicator: r.indicator,
    title: r.title,
    objective: r.objective,
    steps: r.steps,
    responsibleUnit: r.responsible_unit,
    startsOn: r.starts_on,
    endsOn: r.ends_on,
    budget: r.budget,
    progress,
    isOverBudget: progress.some((p) => satang(p.budgetUsed) > satang(r.budget)),
  };
}

async function withProgress(db: Db, rows: MeasureRow[]): Promise<Measure[]> {
  if (rows.length === 0) return [];
  const progress = await db
    .selectFrom('ita_progress')
    .selectAll()
    .where(
      'measure_id',
      'in',
      rows.map((r) => r.id),
    )
    .orderBy('round')
    .execute();
  return rows.map((r) =>
    measureOf(
      r,
      progress
        .filter((p) => p.measure_id === r.id)
        .map((p) => ({
          round: p.round,
          progress: p.progress,
          percent: p.percent,
          budgetUsed: p.budget_used,
          problems: p.problems,
          suggestions: p.suggestions,
          recordedAt: p.recorded_at,
        })),
    ),
  );
}

/** The measures of a cycle of the actor's agency, by indicator then id, with their progress. not_found across agencies. */
export async function listMeasures({
  db,
  actor,
  cycleId,
}: {
  db: Db;
  actor: StaffActor;
  cycleId: number;
}): Promise<{ cycle: Cycle; measures: Measure[] }> {
  const cycle = await loadCycle({ db, actor, cycleId });
  const rows = await db
    .selectFrom('ita_measure')
    .selectAll()
    .where('cycle_id', '=', cycle.id)
    .orderBy('indicator')
    .orderBy('id')
    .execute();
  return { cycle, measures: await withProgress(db, rows) };
}

/** One measure of a cycle of the actor's agency. MUST answer not_found for a measure of another cycle (the same answer as a missing one). */
export async function loadMeasure({
  db,
  actor,
  cycleId,
  measureId,
}: {
  db: Db;
  actor: StaffActor;
  cycleId: number;
  measureId: number;
}): Promise<{ cycle: Cycle; measure: Measure }> {
  const cycle = await loadCycle({ db, actor, cycleId });
  const row =
    Number.isSafeInteger(measureId) && measureId > 0
      ? await db
          .selectFrom('ita_measure')
          .selectAll()
          .where('id', '=', measureId)
          .where('cycle_id', '=', cycle.id)
          .executeTakeFirst()
      : undefined;
  if (!row) throw new AppError('not_found', 'no such measure', 'error.not_found');
  return { cycle, measure: (await withProgress(db, [row]))[0] };
}

/**
 * Adds a measure to the plan (`measureId` absent) or changes one of the same cycle. The indicator
 * MUST be one of the cycle's framework; the end MUST NOT be before the start; the budget is baht,
 * not negative, two decimals at most. invalid_input with field errors; audited ita_measure_saved
 * in the same transaction. Returns the measure's id.
 */
export async function saveMeasure({
  db,
  actor,
  cycleId,
  measureId,
  input,
}: {
  db: Db;
  actor: StaffActor;
  cycleId: number;
  measureId?: number;
  input: MeasureInput;
}): Promise<number> {
  const cycle =
    measureId === undefined
      ? await loadCycle({ db, actor, cycleId })
      : (await loadMeasure({ db, actor, cycleId, measureId })).cycle;
  const m = validateMeasure(cycle, input);
  const values = {
    indicator: m.indicator,
    title: m.title,
    objective: m.objective,
    steps: m.steps,
    responsible_unit: m.responsibleUnit,
    starts_on: m.startsOn,
    ends_on: m.endsOn,
    budget: m.budget,
  };
  return db.transaction().execute(async (trx) => {
    const id =
      measureId === undefined
        ? (
            await trx
              .insertInto('ita_measure')
              .values({ cycle_id: cycle.id, ...values, created_by: actor.id })
              .returning('id')
              .executeTakeFirstOrThrow()
          ).id
        : (
            await trx
              .updateTable('ita_measure')
              .set({ ...values, updated_at: new Date() })
              .where('id', '=', measureId)
              .where('cycle_id', '=', cycle.id)
              .returning('id')
              .executeTakeFirstOrThrow()
          ).id;
    await recordAudit(trx, {
      actorUserId: actor.id,
      action: 'ita_measure_saved',
      detail: { cycleId: cycle.id, measureId: id, indicator: m.indicator, isNew: measureId === undefined },
    });
    return id;
  });
}

/**
 * Records (or replaces) the progress of a measure for the six- or twelve-month round: the text,
 * percent done (a whole number 0–100), budget used (baht; above the planned budget is allowed and
 * flagged by `isOverBudget`, as extra funds are sometimes approved), problems and suggestions.
 * invalid_input with field errors; not_found for a measure of another cycle; audited
 * ita_progress_saved in the same transaction.
 */
export async function saveProgress({
  db,
  actor,
  cycleId,
  measureId,
  round,
  input,
}: {
  db: Db;
  actor: StaffActor;
  cycleId: number;
  measureId: number;
  round: unknown;
  input: ProgressInput;
}): Promise<void> {
  const { cycle } = await loadMeasure({ db, actor, cycleId, measureId });
  const fields: Record<string, string> = {};
  const r = round === '6' || round === 6 ? 6 : round === '12' || round === 12 ? 12 : null;
  if (r === null) fields.round = 'ita.measure.error.round';
  const v = { progress: text(input.progress), problems: text(input.problems), suggestions: text(input.suggestions) };
  if (v.progress === '') fields.progress = 'ita.measure.error.required';
  for (const k of ['progress', 'problems', 'suggestions'] as const)
    if (v[k].length > MEASURE_LIMITS[k]) fields[k] = 'ita.measure.error.too_long';
  const percent =
    typeof input.percent === 'string' && /^\d{1,3}$/.test(asciiDigits(input.percent.trim()))
      ? Number(asciiDigits(input.percent.trim()))
      : Number.NaN;
  if (!(percent >= 0 && percent <= 100)) fields.percent = 'ita.measure.error.percent';
  const budgetUsed = parseBaht(input.budgetUsed);
  if (budgetUsed === null) fields.budgetUsed = 'ita.measure.error.money';
  if (Object.keys(fields).length > 0) throw new AppError('invalid_input', 'invalid progress', 'error.form', fields);
  const row = {
    progress: v.progress,
    percent,
    budget_used: budgetUsed!,
    problems: v.problems,
    suggestions: v.suggestions,
    recorded_by: actor.id,
    recorded_at: new Date(),
  };
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('ita_progress')
      .values({ measure_id: measureId, round: r!, ...row })
      .onConflict((oc) => oc.columns(['measure_id', 'round']).doUpdateSet(row))
      .execute();
    await recordAudit(trx, {
      actorUserId: actor.id,
      action: 'ita_progress_saved',
      detail: { cycleId: cycle.id, measureId, round: r, percent },
    });
  });
}
