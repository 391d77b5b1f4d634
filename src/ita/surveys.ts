// The ITA surveys: IIT (the agency's staff, through one-time links) and EIT (external stakeholders,
// through the cycle's public link). Answers exist only as counts in ita_tally. The design goal is
// that nobody with the database, the logs and the list of issued links can tell whose answers are
// whose:
// - a link is stored as SHA-256(token) only, and answering deletes that row in the transaction that
//   adds the answers to the counts; no row keeps a used link, a response, a time or a sequence value;
// - every submission rewrites every count row of its instrument (adding 0 or 1), in one fixed order:
//   which rows changed last, the rows' physical order in a dump and their xmin say nothing about
//   the answers, and the stored bytes are the same whichever respondent gave which answers;
// - after commit the two tables are vacuumed, so the dead versions (the deleted link, the previous
//   counts) with the transaction id that joins them do not stay in the table files (best effort);
// - nothing here logs, audits or throws anything about a respondent: errors carry no token or answer.
// Known limits: a physical copy of the data files or WAL taken shortly after a submission may still
// hold those old versions (PostgreSQL does not zero freed space); comparing the unused links with a
// kept list of issued ones shows who answered, never what; two snapshots around one answer show it.
import { createHash, randomBytes } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import { recordAudit } from '../audit/record-audit.ts';
import type { Db } from '../db/connection.ts';
import type { Database } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import type { StaffActor } from '../staff/session.ts';
import { cycleOf, loadCycle, requireOpen } from './cycles.ts';
import type { Framework, Indicator, Question, Scale, SurveyInstrument, Text } from './types.ts';

/** Links one call may issue. */
export const MAX_LINKS_PER_CALL = 1000;
/** A cycle may have issued at most this many links per staff member: room to replace lost links, not to stuff the IIT. */
export const LINKS_PER_STAFF = 2;
/**
 * The links a cycle may still issue: `limit` in all (LINKS_PER_STAFF per staff member), `left` of
 * them, and `maxNow`, the most one call may ask for now (MAX_LINKS_PER_CALL, or fewer when fewer
 * are left). issueLinks refuses anything above it; the links page names these numbers.
 */
export function linkRoom(cycle: { staffCount: number; linksIssued: number }): {
  limit: number;
  left: number;
  maxNow: number;
} {
  const limit = cycle.staffCount * LINKS_PER_STAFF;
  const left = Math.max(0, limit - cycle.linksIssued);
  return { limit, left, maxNow: Math.min(MAX_LINKS_PER_CALL, left) };
}

/** A form's largest accepted body (bytes): a survey of ~50 questions needs well under 2 KiB. */
export const MAX_SURVEY_BODY = 16 * 1024;
/** The form field of a question's answer. */
export const fieldOf = (questionId: string): string => `q.${questionId}`;

// 32 random bytes, base64url: 43 characters, 256 bits.
const TOKEN_RE = /^[A-Za-z0-9_-]{43}$/;
const hashToken = (token: string): Buffer => createHash('sha256').update(token, 'utf8').digest();

/** One questionnaire as the page shows it: the instrument's questions grouped by indicator. */
export type Survey = {
  cycleId: number;
  instrument: SurveyInstrument;
  fiscalYear: number;
  agencyName: Text;
  title: Text;
  indicators: Indicator[];
  questions: Question[];
  scales: Record<string, Scale>;
  disclosureThreshold: number;
};

/** The answers a scale offers, in the order shown: levels 1..n (labels[i]), or yes = 1 and no = 0. */
export function answerOptions(scale: Scale): { value: number; label: Text }[] {
  return scale.kind === 'levels'
    ? scale.labels.map((label, i) => ({ value: i + 1, label }))
    : [
        { value: 1, label: scale.labels.yes },
        { value: 0, label: scale.labels.no },
      ];
}

/** The questions of one survey instrument, in framework order, with the indicators they belong to. */
export function surveyOf(framework: Framework, instrument: SurveyInstrument): Pick<Survey, 'indicators' | 'questions'> {
  const indicators = framework.indicators
    .filter((i) => i.instrument === instrument)
    .sort((a, b) => a.number - b.number);
  const numbers = new Set(indicators.map((i) => i.number));
  return { indicators, questions: framework.questions.filter((q) => numbers.has(q.indicator)) };
}

type CycleRow = Parameters<typeof cycleOf>[0] & { name_th: string; name_en: string };

function toSurvey(row: CycleRow, instrument: SurveyInstrument): Survey {
  const cycle = cycleOf(row);
  const f = cycle.framework;
  return {
    cycleId: cycle.id,
    instrument,
    fiscalYear: cycle.fiscalYear,
    agencyName: { th: row.name_th, en: row.name_en },
    title: f.title,
    ...surveyOf(f, instrument),
    scales: f.scales,
    disclosureThreshold: f.disclosureThreshold,
  };
}

/** The one answer for a link that is unknown, used, malformed or of a closed cycle: no oracle between them. */
const invalidLink = () => new AppError('not_found', 'the survey link is not valid', 'ita.survey.invalid');

/**
 * The IIT questionnaire of an unused one-time link. MUST answer the same not_found
 * ('ita.survey.invalid') for a malformed, unknown or used token and for a link of a closed cycle.
 */
export async function loadIitSurvey(db: Db, token: string): Promise<Survey> {
  if (!TOKEN_RE.test(token)) throw invalidLink();
  const row = await db
    .selectFrom('ita_link as l')
    .innerJoin('ita_cycle as c', 'c.id', 'l.cycle_id')
    .innerJoin('agency as a', 'a.id', 'c.agency_id')
    .selectAll('c')
    .select(['a.name_th', 'a.name_en'])
    .where('l.token_hash', '=', hashToken(token))
    .where('c.state', '=', 'open')
    .executeTakeFirst();
  if (!row) throw invalidLink();
  return toSurvey(row, 'IIT');
}

/** The EIT questionnaire of a cycle's public code: not_found for an unknown code, conflict ('ita.error.closed') once the cycle is closed. */
export async function loadEitSurvey(db: Db, code: string): Promise<Survey> {
  const row =
    code.length <= 64
      ? await db
          .selectFrom('ita_cycle as c')
          .innerJoin('agency as a', 'a.id', 'c.agency_id')
          .selectAll('c')
          .select(['a.name_th', 'a.name_en'])
          .where('c.public_code', '=', code)
          .executeTakeFirst()
      : undefined;
  if (!row) throw new AppError('not_found', 'no such survey', 'error.not_found');
  if (row.state !== 'open') throw new AppError('conflict', 'the assessment cycle is closed', 'ita.error.closed');
  return toSurvey(row, 'EIT');
}

/**
 * What a form posted, checked against the survey: every question answered once with a value of its
 * scale, no other field but `_csrf`. Returns question id → answer. MUST throw invalid_input (fields:
 * question id → message key) and store nothing otherwise; 'ita.survey.error.unknown' when a field
 * names no question of the survey.
 */
export function validateAnswers(
  survey: Pick<Survey, 'questions' | 'scales'>,
  fields: Record<string, unknown>,
): Map<string, number> {
  const byField = new Map(survey.questions.map((q) => [fieldOf(q.id), q]));
  const isUnknown = Object.keys(fields).some((k) => k !== '_csrf' && !byField.has(k));
  const answers = new Map<string, number>();
  const errors: Record<string, string> = {};
  for (const q of survey.questions) {
    const raw = fields[fieldOf(q.id)];
    const scale = survey.scales[q.scale];
    const option =
      typeof raw === 'string' && scale ? answerOptions(scale).find((o) => String(o.value) === raw) : undefined;
    if (raw === undefined || raw === '') errors[q.id] = 'ita.survey.error.missing';
    else if (Array.isArray(raw)) errors[q.id] = 'ita.survey.error.duplicate';
    else if (!option) errors[q.id] = 'ita.survey.error.scale';
    else answers.set(q.id, option.value);
  }
  if (isUnknown)
    throw new AppError('invalid_input', 'the form names an unknown question', 'ita.survey.error.unknown', errors);
  if (Object.keys(errors).length > 0)
    throw new AppError('invalid_input', 'the questionnaire is incomplete or invalid', 'ita.survey.error.form', errors);
  return answers;
}

/** The valid answers among posted fields, field name → value, to check them again when the form comes back. */
export function keptAnswers(
  survey: Pick<Survey, 'questions' | 'scales'>,
  fields: Record<string, unknown>,
): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const q of survey.questions) {
    const raw = fields[fieldOf(q.id)];
    const scale = survey.scales[q.scale];
    if (typeof raw === 'string' && scale && answerOptions(scale).some((o) => String(o.value) === raw))
      kept[fieldOf(q.id)] = raw;
  }
  return kept;
}

/**
 * Every (question, answer) row of the instrument with 1 where answered, else 0, sorted: the same
 * rows in the same order whatever the answers (see the file comment), and a fixed lock order so
 * concurrent submissions cannot deadlock.
 */
function tallyRows(survey: Survey, answers: Map<string, number>) {
  const rows = survey.questions.flatMap((q) =>
    answerOptions(survey.scales[q.scale]).map((o) => ({
      cycle_id: survey.cycleId,
      question_id: q.id,
      answer: o.value,
      count: answers.get(q.id) === o.value ? 1 : 0,
    })),
  );
  return rows.sort((a, b) =>
    a.question_id < b.question_id ? -1 : a.question_id > b.question_id ? 1 : a.answer - b.answer,
  );
}

async function addToTally(trx: Transaction<Database>, survey: Survey, answers: Map<string, number>): Promise<void> {
  await trx
    .insertInto('ita_tally')
    .values(tallyRows(survey, answers))
    .onConflict((oc) =>
      oc
        .columns(['cycle_id', 'question_id', 'answer'])
        .doUpdateSet({ count: sql<number>`ita_tally.count + excluded.count` }),
    )
    .execute();
}

/**
 * Records an IIT questionnaire through its one-time link: in one transaction the cycle's response
 * count, the link's deletion and the counts. MUST store nothing when the answers are invalid or the
 * link was used meanwhile (not_found 'ita.survey.invalid', as for a link never issued); resolves only
 * after the commit. The lock order (cycle row, link, counts) is closeCycle's, so they cannot deadlock.
 */
export async function submitIit({
  db,
  survey,
  token,
  fields,
}: {
  db: Db;
  survey: Survey;
  token: string;
  fields: Record<string, unknown>;
}): Promise<void> {
  const answers = validateAnswers(survey, fields);
  if (!TOKEN_RE.test(token)) throw invalidLink();
  await db.transaction().execute(async (trx) => {
    const counted = await trx
      .updateTable('ita_cycle')
      .set({ iit_responses: sql`iit_responses + 1` })
      .where('id', '=', survey.cycleId)
      .where('state', '=', 'open')
      .returning('id')
      .executeTakeFirst();
    if (!counted) throw invalidLink();
    const used = await trx
      .deleteFrom('ita_link')
      .where('token_hash', '=', hashToken(token))
      .where('cycle_id', '=', survey.cycleId)
      .returning('cycle_id')
      .executeTakeFirst();
    // Used by a concurrent submission (or the cycle closed): the throw rolls the count back.
    if (!used) throw invalidLink();
    await addToTally(trx, survey, answers);
  });
  await vacuumSurveyTables(db);
}

/**
 * Records an EIT questionnaire: the response count and the counts in one transaction; conflict
 * ('ita.error.closed') once the cycle is closed. Nothing about the respondent is read or kept.
 * Known limit of a public survey: a scripted client can answer many times (the CSRF token only
 * stops posting from other sites); the minimum sample and the results page say how many answered.
 */
export async function submitEit({
  db,
  survey,
  fields,
}: {
  db: Db;
  survey: Survey;
  fields: Record<string, unknown>;
}): Promise<void> {
  const answers = validateAnswers(survey, fields);
  await db.transaction().execute(async (trx) => {
    const counted = await trx
      .updateTable('ita_cycle')
      .set({ eit_responses: sql`eit_responses + 1` })
      .where('id', '=', survey.cycleId)
      .where('state', '=', 'open')
      .returning('id')
      .executeTakeFirst();
    if (!counted) throw new AppError('conflict', 'the assessment cycle is closed', 'ita.error.closed');
    await addToTally(trx, survey, answers);
  });
  await vacuumSurveyTables(db);
}

// One VACUUM at a time per pool; a commit while one runs queues exactly one more, so a vacuum
// always starts after every commit (a running one may have missed its dead rows).
const vacuums = new WeakMap<Db, { tail: Promise<void>; queued: Promise<void> | null }>();

/**
 * Best effort, errors ignored (the answers are committed): removes the dead row of the used link
 * and the previous versions of the counts. Until vacuumed, a copy of the table files holds the
 * deleted link hash and the old counts under the same transaction id: whose answers are whose.
 */
export function vacuumSurveyTables(db: Db): Promise<void> {
  const v = vacuums.get(db) ?? { tail: Promise.resolve(), queued: null };
  vacuums.set(db, v);
  if (v.queued) return v.queued;
  const run = v.tail.then(async () => {
    v.queued = null;
    try {
      await sql`vacuum ita_link, ita_tally`.execute(db);
    } catch {
      // Ignored: autovacuum removes the rows later; the submission itself succeeded.
    }
  });
  v.queued = run;
  v.tail = run;
  return run;
}

/**
 * Issues `count` IIT one-time links for a cycle of the actor's agency (agency administrators only;
 * not_found across agencies, forbidden for other roles). MUST keep only SHA-256 of each token and
 * audit only the count; the tokens are returned once and never again. Refuses (invalid_input,
 * field `count`) a count outside 1..MAX_LINKS_PER_CALL or one that would take the cycle past
 * LINKS_PER_STAFF × staff_count links; conflict when the cycle is closed.
 */
export async function issueLinks({
  db,
  actor,
  cycleId,
  count,
}: {
  db: Db;
  actor: StaffActor;
  cycleId: number;
  count: number;
}): Promise<string[]> {
  const cycle = await loadCycle({ db, actor, cycleId, roles: ['agency_admin'] });
  requireOpen(cycle);
  if (!Number.isSafeInteger(count) || count < 1 || count > MAX_LINKS_PER_CALL)
    throw new AppError('invalid_input', 'link count out of range', 'error.form', { count: 'ita.links.error.count' });
  const tokens = Array.from({ length: count }, () => randomBytes(32).toString('base64url'));
  await db.transaction().execute(async (trx) => {
    // The bound is checked in the update itself, so two concurrent calls cannot pass it together.
    const row = await trx
      .updateTable('ita_cycle')
      .set({ links_issued: sql`links_issued + ${count}` })
      .where('id', '=', cycle.id)
      .where('state', '=', 'open')
      .where(sql<boolean>`links_issued + ${count} <= staff_count * ${LINKS_PER_STAFF}`)
      .returning('state')
      .executeTakeFirst();
    if (!row) {
      const now = await trx
        .selectFrom('ita_cycle')
        .select('state')
        .where('id', '=', cycle.id)
        .executeTakeFirstOrThrow();
      if (now.state !== 'open') throw new AppError('conflict', 'the assessment cycle is closed', 'ita.error.closed');
      throw new AppError('invalid_input', 'too many links for the staff count', 'error.form', {
        count: 'ita.links.error.limit',
      });
    }
    await trx
      .insertInto('ita_link')
      .values(tokens.map((t) => ({ token_hash: hashToken(t), cycle_id: cycle.id })))
      .execute();
    await recordAudit(trx, { actorUserId: actor.id, action: 'ita_links_issued', detail: { cycleId: cycle.id, count } });
  });
  return tokens;
}

/** A cycle's answer counts: question id → (answer → count), zero counts left out. Scoring reads this. */
export async function loadTallies(db: Db, cycleId: number): Promise<Map<string, Map<number, number>>> {
  const rows = await db
    .selectFrom('ita_tally')
    .select(['question_id', 'answer', 'count'])
    .where('cycle_id', '=', cycleId)
    .where('count', '>', 0)
    .orderBy('question_id')
    .orderBy('answer')
    .execute();
  const out = new Map<string, Map<number, number>>();
  for (const r of rows) {
    const m = out.get(r.question_id) ?? new Map<number, number>();
    m.set(r.answer, r.count);
    out.set(r.question_id, m);
  }
  return out;
}
