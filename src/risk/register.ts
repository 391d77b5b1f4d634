// An agency's corruption-risk register for a fiscal year: its risks (cause → event → consequence,
// inherent and residual likelihood × impact, treatment) and their actions (owner, due date, budget,
// six- and twelve-month progress; or an ITA measure standing for the action, entered once). Every
// change is audited and kept whole in risk_history, in the transaction that makes it.
import { type Insertable, sql, type Transaction } from 'kysely';
import { recordAudit, type AuditAction } from '../audit/record-audit.ts';
import { currentFiscalYear } from '../cases/figures.ts';
import { bangkokToday } from '../cases/permit-dates.ts';
import type { Db } from '../db/connection.ts';
import type { Database, RiskState, RiskTreatment } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { parseFormDate } from '../i18n/form-date.ts';
import { parseBaht } from '../ita/measures.ts';
import type { StaffActor } from '../staff/session.ts';
import { editableAgency, notFound, ownRegisterAgency, riskAccess, type RiskAccess } from './access.ts';
import { parseFiscalYear } from './fiscal-year.ts';
import {
  DEFAULT_MATRIX,
  levelOf,
  matrixOf,
  RISK_AREAS,
  TREATMENTS,
  type Level,
  type Matrix,
  type Text,
} from './matrix.ts';

export const RISK_LIMITS = { short: 300, long: 4000, evidenceBytes: 4000 } as const;

export type Rating = { likelihood: number | null; impact: number | null; level: Level | null };

export type RiskMeasure = {
  id: number;
  title: string;
  responsibleUnit: string;
  endsOn: string;
  budget: string;
  progress: { round: number; percent: number; progress: string }[];
};

export type RiskAction = {
  id: number;
  title: string;
  owner: string;
  dueOn: string | null;
  budget: string;
  progress6: string;
  progress12: string;
  doneOn: string | null;
  measure: RiskMeasure | null;
  isLate: boolean;
};

export type Risk = {
  id: number;
  number: number;
  state: RiskState;
  area: string;
  process: string;
  unit: string;
  owner: string;
  cause: string;
  event: string;
  consequence: string;
  controls: string;
  inherent: Rating;
  residual: Rating;
  treatment: RiskTreatment | null;
  reviewedOn: string | null;
  nextReviewOn: string | null;
  evidence: Record<string, unknown>[];
  actions: RiskAction[];
};

export type Publication = { id: number; digest: string; outboxId: number; publishedAt: Date };

export type Register = {
  id: number;
  agencyId: number;
  agencyCode: string;
  agencyName: Text;
  fiscalYear: number;
  matrix: Matrix;
  risks: Risk[];
  publications: Publication[];
  access: RiskAccess;
};

type Trx = Transaction<Database>;

/** Audits a change and keeps what it became, in the same transaction. */
export async function recordChange(
  trx: Trx,
  actor: StaffActor,
  change: { registerId: number; riskId?: number; action: AuditAction; snapshot: Record<string, unknown> },
): Promise<void> {
  await trx
    .insertInto('risk_history')
    .values({
      register_id: change.registerId,
      risk_id: change.riskId ?? null,
      kind: change.action,
      snapshot: JSON.stringify(change.snapshot),
      actor_user_id: actor.id,
    })
    .execute();
  await recordAudit(trx, {
    actorUserId: actor.id,
    action: change.action,
    detail: { register: change.registerId, ...(change.riskId ? { risk: change.riskId } : {}) },
  });
}

/** The register of the actor's agency for `fiscalYear`, made when there is none yet (risk officers). */
export async function openRegister({
  db,
  actor,
  fiscalYear,
}: {
  db: Db;
  actor: StaffActor;
  fiscalYear: unknown;
}): Promise<number> {
  const agencyId = editableAgency(actor);
  const year = parseFiscalYear(fiscalYear);
  return db.transaction().execute(async (trx) => {
    const made = await trx
      .insertInto('risk_register')
      .values({ agency_id: agencyId, fiscal_year: year, matrix_name: DEFAULT_MATRIX, created_by: actor.id })
      .onConflict((oc) => oc.columns(['agency_id', 'fiscal_year']).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (made) {
      await recordChange(trx, actor, {
        registerId: made.id,
        action: 'risk_register_opened',
        snapshot: { fiscalYear: year, matrix: DEFAULT_MATRIX },
      });
      return made.id;
    }
    const row = await trx
      .selectFrom('risk_register')
      .select('id')
      .where('agency_id', '=', agencyId)
      .where('fiscal_year', '=', year)
      .executeTakeFirstOrThrow();
    return row.id;
  });
}

/** The registers the actor may open: their agency's, or those of the agencies they oversee. */
export async function listRegisters({ db, actor }: { db: Db; actor: StaffActor }) {
  return db
    .selectFrom('risk_register as r')
    .innerJoin('agency as a', 'a.id', 'r.agency_id')
    .select(['r.id', 'r.fiscal_year', 'a.code', 'a.name_th', 'a.name_en'])
    .select((eb) =>
      eb
        .selectFrom('risk_publication as p')
        .select((e) => e.fn.max('p.published_at').as('at'))
        .whereRef('p.register_id', '=', 'r.id')
        .as('published_at'),
    )
    .where((eb) =>
      eb.or([
        // A reviewer's own agency is listed only when another role opens it (riskAccess): a link
        // to a register the page would refuse is no use.
        eb('r.agency_id', '=', ownRegisterAgency(actor) ?? -1),
        eb(
          'r.agency_id',
          'in',
          eb.selectFrom('risk_oversight').select('agency_id').where('reviewer_user_id', '=', actor.id),
        ),
      ]),
    )
    .orderBy('a.code')
    .orderBy('r.fiscal_year', 'desc')
    .execute();
}

export async function registerRow(db: Db | Trx, registerId: number) {
  if (!Number.isSafeInteger(registerId) || registerId <= 0) throw notFound();
  const row = await db
    .selectFrom('risk_register as r')
    .innerJoin('agency as a', 'a.id', 'r.agency_id')
    .select(['r.id', 'r.agency_id', 'r.fiscal_year', 'r.matrix_name', 'a.code', 'a.name_th', 'a.name_en'])
    .where('r.id', '=', registerId)
    .executeTakeFirst();
  if (!row) throw notFound();
  return row;
}

async function measuresOf(db: Db | Trx, ids: number[]): Promise<Map<number, RiskMeasure>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('ita_measure')
    .select(['id', 'title', 'responsible_unit', 'ends_on', 'budget'])
    .where('id', 'in', ids)
    .execute();
  const progress = await db
    .selectFrom('ita_progress')
    .select(['measure_id', 'round', 'percent', 'progress'])
    .where('measure_id', 'in', ids)
    .orderBy('round')
    .execute();
  return new Map(
    rows.map((r) => [
      r.id,
      {
        id: r.id,
        title: r.title,
        responsibleUnit: r.responsible_unit,
        endsOn: r.ends_on,
        budget: r.budget,
        progress: progress.filter((p) => p.measure_id === r.id),
      },
    ]),
  );
}

/** The risks of a register with their actions and levels, in number order. */
export async function risksOf(db: Db | Trx, registerId: number, matrix: Matrix, today = bangkokToday()) {
  const risks = await db
    .selectFrom('risk_item')
    .selectAll()
    .where('register_id', '=', registerId)
    .orderBy('number')
    .execute();
  const actions =
    risks.length === 0
      ? []
      : await db
          .selectFrom('risk_action')
          .selectAll()
          .where(
            'risk_id',
            'in',
            risks.map((r) => r.id),
          )
          .orderBy('id')
          .execute();
  const measures = await measuresOf(
    db,
    actions.flatMap((a) => (a.ita_measure_id === null ? [] : [a.ita_measure_id])),
  );
  const rating = (likelihood: number | null, impact: number | null): Rating => ({
    likelihood,
    impact,
    level: levelOf(matrix, likelihood, impact),
  });
  return risks.map(
    (r): Risk => ({
      id: r.id,
      number: r.number,
      state: r.state,
      area: r.area,
      process: r.process,
      unit: r.unit,
      owner: r.owner,
      cause: r.cause,
      event: r.event,
      consequence: r.consequence,
      controls: r.controls,
      inherent: rating(r.inherent_likelihood, r.inherent_impact),
      residual: rating(r.residual_likelihood, r.residual_impact),
      treatment: r.treatment,
      reviewedOn: r.reviewed_on,
      nextReviewOn: r.next_review_on,
      evidence: r.evidence,
      actions: actions
        .filter((a) => a.risk_id === r.id)
        .map((a) => {
          const measure = a.ita_measure_id === null ? null : (measures.get(a.ita_measure_id) ?? null);
          const due = a.due_on ?? measure?.endsOn ?? null;
          return {
            id: a.id,
            title: a.title === '' && measure ? measure.title : a.title,
            owner: a.owner === '' && measure ? measure.responsibleUnit : a.owner,
            dueOn: due,
            budget: measure && Number(a.budget) === 0 ? measure.budget : a.budget,
            progress6: a.progress_6,
            progress12: a.progress_12,
            doneOn: a.done_on,
            measure,
            isLate: due !== null && (a.done_on === null ? due < today : a.done_on > due),
          };
        }),
    }),
  );
}

/** A register the actor may see, whole. not_found for anyone else's. */
export async function loadRegister({
  db,
  actor,
  registerId,
}: {
  db: Db;
  actor: StaffActor;
  registerId: number;
}): Promise<Register> {
  const row = await registerRow(db, registerId);
  return registerOf(db, row, await riskAccess(db, actor, row.agency_id));
}

/**
 * A register whole, for a caller that has decided who may see it (`access` is what the page
 * offers). `attachRiskEvidence` (ita-evidence.ts) gives the agency's own ITA editors the register the
 * agency published, as the PDF that answers an ITA item.
 */
export async function registerOf(
  db: Db,
  row: Awaited<ReturnType<typeof registerRow>>,
  access: RiskAccess,
): Promise<Register> {
  const matrix = matrixOf(row.matrix_name);
  const publications = await db
    .selectFrom('risk_publication')
    .select(['id', 'digest', 'outbox_id', 'published_at'])
    .where('register_id', '=', row.id)
    .orderBy('id')
    .execute();
  return {
    id: row.id,
    agencyId: row.agency_id,
    agencyCode: row.code,
    agencyName: { th: row.name_th, en: row.name_en },
    fiscalYear: row.fiscal_year,
    matrix,
    risks: await risksOf(db, row.id, matrix),
    publications: publications.map((p) => ({
      id: p.id,
      digest: p.digest.toString('hex'),
      outboxId: p.outbox_id,
      publishedAt: p.published_at,
    })),
    access,
  };
}

/** The register's id after checking the actor edits it (risk officer of its agency). */
async function editableRegister(db: Db | Trx, actor: StaffActor, registerId: number) {
  const row = await registerRow(db, registerId);
  if ((await riskAccess(db as Db, actor, row.agency_id)) !== 'edit')
    throw new AppError('forbidden', 'read only', 'error.forbidden');
  return row;
}

export type RiskInput = Partial<
  Record<
    | 'area'
    | 'process'
    | 'unit'
    | 'owner'
    | 'cause'
    | 'event'
    | 'consequence'
    | 'controls'
    | 'inherentLikelihood'
    | 'inherentImpact'
    | 'residualLikelihood'
    | 'residualImpact'
    | 'treatment'
    | 'reviewedOn'
    | 'nextReviewOn',
    unknown
  >
>;

const str = (v: unknown) => (typeof v === 'string' ? v.trim() : '');

function textField(fields: Record<string, string>, name: string, v: unknown, max: number, required = false) {
  const s = str(v);
  if (required && s === '') fields[name] = 'risk.error.required';
  else if (s.length > max) fields[name] = 'risk.error.too_long';
  return s;
}

function ratingField(fields: Record<string, string>, name: string, v: unknown, steps: number): number | null {
  const s = str(v);
  if (s === '') return null;
  const n = /^\d$/.test(s) ? Number(s) : NaN;
  if (!(n >= 1 && n <= steps)) {
    fields[name] = 'risk.error.rating';
    return null;
  }
  return n;
}

function dateField(fields: Record<string, string>, name: string, v: unknown): string | null {
  if (str(v) === '') return null;
  const d = parseFormDate(v);
  if (d === null) fields[name] = 'risk.error.date';
  return d;
}

/** Checks a risk as typed; invalid_input naming every field at fault. */
export function validateRisk(matrix: Matrix, input: RiskInput) {
  const f: Record<string, string> = {};
  const { short, long } = RISK_LIMITS;
  const area = str(input.area);
  if (!(RISK_AREAS as readonly string[]).includes(area)) f.area = 'risk.error.area';
  const treatment = str(input.treatment);
  if (treatment !== '' && !(TREATMENTS as readonly string[]).includes(treatment)) f.treatment = 'risk.error.treatment';
  const v = {
    area,
    process: textField(f, 'process', input.process, short),
    unit: textField(f, 'unit', input.unit, short),
    owner: textField(f, 'owner', input.owner, short),
    cause: textField(f, 'cause', input.cause, long),
    event: textField(f, 'event', input.event, long, true),
    consequence: textField(f, 'consequence', input.consequence, long),
    controls: textField(f, 'controls', input.controls, long),
    inherent_likelihood: ratingField(f, 'inherentLikelihood', input.inherentLikelihood, matrix.likelihood.length),
    inherent_impact: ratingField(f, 'inherentImpact', input.inherentImpact, matrix.impact.length),
    residual_likelihood: ratingField(f, 'residualLikelihood', input.residualLikelihood, matrix.likelihood.length),
    residual_impact: ratingField(f, 'residualImpact', input.residualImpact, matrix.impact.length),
    treatment: treatment === '' ? null : (treatment as RiskTreatment),
    reviewed_on: dateField(f, 'reviewedOn', input.reviewedOn),
    next_review_on: dateField(f, 'nextReviewOn', input.nextReviewOn),
  };
  if (Object.keys(f).length > 0) throw new AppError('invalid_input', 'invalid risk', 'error.form', f);
  const rated = v.inherent_likelihood !== null && v.inherent_impact !== null;
  return { ...v, state: (rated ? 'assessed' : 'candidate') as RiskState };
}

/** Adds a risk (no `riskId`) or changes one; returns its id. Risk officers of the register's agency. */
export async function saveRisk({
  db,
  actor,
  registerId,
  riskId,
  input,
}: {
  db: Db;
  actor: StaffActor;
  registerId: number;
  riskId?: number;
  input: RiskInput;
}): Promise<number> {
  const reg = await editableRegister(db, actor, registerId);
  const values = validateRisk(matrixOf(reg.matrix_name), input);
  return db.transaction().execute(async (trx) => {
    const at = { updated_by: actor.id, updated_at: new Date() };
    const row = riskId
      ? await trx
          .updateTable('risk_item')
          .set({ ...values, ...at })
          .where('id', '=', riskId)
          .where('register_id', '=', reg.id)
          .returningAll()
          .executeTakeFirst()
      : await insertRisk(trx, reg.id, { ...values, ...at, evidence: '[]' });
    if (!row) throw notFound();
    await recordChange(trx, actor, { registerId: reg.id, riskId: row.id, action: 'risk_saved', snapshot: row });
    return row.id;
  });
}

type NewRisk = Omit<Insertable<Database['risk_item']>, 'register_id' | 'number'>;

async function insertRisk(trx: Trx, registerId: number, values: NewRisk) {
  // Numbers in order of entry; the register row is locked so two officers do not take the same one.
  await trx.selectFrom('risk_register').select('id').where('id', '=', registerId).forUpdate().execute();
  const last = await trx
    .selectFrom('risk_item')
    .select((eb) => eb.fn.coalesce(eb.fn.max('number'), eb.lit(0)).as('n'))
    .where('register_id', '=', registerId)
    .executeTakeFirstOrThrow();
  return trx
    .insertInto('risk_item')
    .values({ ...values, register_id: registerId, number: Number(last.n) + 1 })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/**
 * A candidate risk made from a signal or a red flag, with its evidence linked, in the register of
 * the actor's agency for the current fiscal year (made when missing). `source` names where it comes
 * from ('signal:categories', 'redflag:R003', …); `evidence` is metadata only (figures, codes,
 * periods): never case content. The merger wires procurement red flags to it.
 */
export async function candidateRiskFrom(
  db: Db,
  actor: StaffActor,
  {
    source,
    evidence,
    area,
    event,
    now = new Date(),
  }: { source: string; evidence: Record<string, unknown>; area: string; event: string; now?: Date },
): Promise<{ registerId: number; riskId: number }> {
  editableAgency(actor);
  if (!/^[a-z_]+:[A-Za-z0-9_.:-]{1,80}$/.test(source))
    throw new AppError('invalid_input', 'bad source', 'error.form', { source: 'risk.error.source' });
  const proof = JSON.stringify({ source, ...evidence });
  if (Buffer.byteLength(proof) > RISK_LIMITS.evidenceBytes)
    throw new AppError('too_large', 'evidence too large', 'error.form', { evidence: 'risk.error.too_long' });
  const values = validateRisk(matrixOf(DEFAULT_MATRIX), { area, event });
  const registerId = await openRegister({ db, actor, fiscalYear: currentFiscalYear(now) });
  const stored = `[${proof}]`;
  return db.transaction().execute(async (trx) => {
    // The same evidence twice (a form sent twice, a page reloaded) is the risk already made.
    await trx.selectFrom('risk_register').select('id').where('id', '=', registerId).forUpdate().execute();
    const made = await trx
      .selectFrom('risk_item')
      .select('id')
      .where('register_id', '=', registerId)
      .where(sql<boolean>`evidence = ${stored}::jsonb`)
      .orderBy('id')
      .executeTakeFirst();
    if (made) return { registerId, riskId: made.id };
    const row = await insertRisk(trx, registerId, {
      ...values,
      state: 'candidate',
      evidence: stored,
      updated_by: actor.id,
    });
    await recordChange(trx, actor, { registerId, riskId: row.id, action: 'risk_candidate_made', snapshot: row });
    return { registerId, riskId: row.id };
  });
}

export type ActionInput = Partial<
  Record<'title' | 'owner' | 'dueOn' | 'budget' | 'progress6' | 'progress12' | 'doneOn' | 'itaMeasureId', unknown>
>;

/** Checks an action; a linked ITA measure must be one of the agency's own. */
async function validateAction(db: Db | Trx, agencyId: number, input: ActionInput) {
  const f: Record<string, string> = {};
  const { short, long } = RISK_LIMITS;
  const rawMeasure = str(input.itaMeasureId);
  let measureId: number | null = null;
  if (rawMeasure !== '') {
    const m = /^\d{1,9}$/.test(rawMeasure)
      ? await db
          .selectFrom('ita_measure as m')
          .innerJoin('ita_cycle as c', 'c.id', 'm.cycle_id')
          .select('m.id')
          .where('m.id', '=', Number(rawMeasure))
          .where('c.agency_id', '=', agencyId)
          .executeTakeFirst()
      : undefined;
    if (m) measureId = m.id;
    else f.itaMeasureId = 'risk.error.measure';
  }
  const budget = parseBaht(str(input.budget));
  if (budget === null) f.budget = 'risk.error.money';
  const v = {
    title: textField(f, 'title', input.title, short, measureId === null && rawMeasure === ''),
    owner: textField(f, 'owner', input.owner, short),
    due_on: dateField(f, 'dueOn', input.dueOn),
    budget: budget ?? '0',
    progress_6: textField(f, 'progress6', input.progress6, long),
    progress_12: textField(f, 'progress12', input.progress12, long),
    done_on: dateField(f, 'doneOn', input.doneOn),
    ita_measure_id: measureId,
  };
  if (Object.keys(f).length > 0) throw new AppError('invalid_input', 'invalid action', 'error.form', f);
  return v;
}

/** Adds or changes an action of a risk; returns its id. */
export async function saveAction({
  db,
  actor,
  riskId,
  actionId,
  input,
}: {
  db: Db;
  actor: StaffActor;
  riskId: number;
  actionId?: number;
  input: ActionInput;
}): Promise<number> {
  const risk = Number.isSafeInteger(riskId)
    ? await db.selectFrom('risk_item').select(['id', 'register_id']).where('id', '=', riskId).executeTakeFirst()
    : undefined;
  if (!risk) throw notFound();
  const reg = await editableRegister(db, actor, risk.register_id);
  const values = await validateAction(db, reg.agency_id, input);
  return db.transaction().execute(async (trx) => {
    const at = { updated_by: actor.id, updated_at: new Date() };
    const row = actionId
      ? await trx
          .updateTable('risk_action')
          .set({ ...values, ...at })
          .where('id', '=', actionId)
          .where('risk_id', '=', risk.id)
          .returningAll()
          .executeTakeFirst()
      : await trx
          .insertInto('risk_action')
          .values({ ...values, ...at, risk_id: risk.id })
          .returningAll()
          .executeTakeFirstOrThrow();
    if (!row) throw notFound();
    await recordChange(trx, actor, {
      registerId: reg.id,
      riskId: risk.id,
      action: 'risk_action_saved',
      snapshot: row,
    });
    return row.id;
  });
}

export type HistoryRow = {
  id: number;
  riskId: number | null;
  kind: string;
  at: Date;
  actor: string;
  snapshot: unknown;
};

/** Every change of a register, newest first, with who made it. */
export async function registerHistory({
  db,
  actor,
  registerId,
}: {
  db: Db;
  actor: StaffActor;
  registerId: number;
}): Promise<HistoryRow[]> {
  const row = await registerRow(db, registerId);
  await riskAccess(db, actor, row.agency_id);
  const rows = await db
    .selectFrom('risk_history as h')
    .innerJoin('staff_user as u', 'u.id', 'h.actor_user_id')
    .select(['h.id', 'h.risk_id', 'h.kind', 'h.at', 'h.snapshot', 'u.display_name'])
    .where('h.register_id', '=', row.id)
    .orderBy('h.id', 'desc')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    riskId: r.risk_id,
    kind: r.kind,
    at: r.at,
    actor: r.display_name,
    snapshot: r.snapshot,
  }));
}

/** A register for a download (CSV or PDF), audited: who took which document of which register. */
export async function registerForExport({
  db,
  actor,
  registerId,
  document,
}: {
  db: Db;
  actor: StaffActor;
  registerId: number;
  document: 'csv' | 'assessment' | 'plan';
}): Promise<Register> {
  const reg = await loadRegister({ db, actor, registerId });
  await recordAudit(db, {
    actorUserId: actor.id,
    action: 'risk_register_exported',
    detail: { register: reg.id, document },
  });
  return reg;
}

/** The agency's ITA measures an action may stand for (newest cycle first), for the register's editors. */
export async function measureChoices(db: Db, reg: Pick<Register, 'agencyId' | 'access'>) {
  if (reg.access !== 'edit') return [];
  return db
    .selectFrom('ita_measure as m')
    .innerJoin('ita_cycle as c', 'c.id', 'm.cycle_id')
    .select(['m.id', 'm.title', 'c.fiscal_year'])
    .where('c.agency_id', '=', reg.agencyId)
    .orderBy('c.fiscal_year', 'desc')
    .orderBy('m.id')
    .limit(500)
    .execute();
}
