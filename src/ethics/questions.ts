// Questions the knowledge base could not answer, sent on to the agency's ethics officers, and their
// answers. A question and its answer are sealed (ChaCha20-Poly1305, aead.ts) under a random key of
// the question; that key is sealed (libsodium sealed box) to every active ethics officer of the
// agency at the time of sending, and to the asker: to a named asker's public key, or, for an
// anonymous asker, under the key derived (Argon2id, as a reporter's receipt) from a random 16-digit
// code shown once. An anonymous question stores no user id, no session, no time of day (only the
// date), and sending it writes no audit event: nothing in the database leads back to the asker.
// The officers' reading and answering are audited.
import { randomBytes, randomUUID } from 'node:crypto';
import { recordAudit } from '../audit/record-audit.ts';
import { openRaw, sealRaw } from '../crypto/aead.ts';
import type { KdfParams } from '../crypto/kdf.ts';
import { deriveReceiptKeys, generateReceipt, normalizeReceipt } from '../crypto/receipt.ts';
import { openSealed, sealTo } from '../crypto/sealed-box.ts';
import type { Transaction } from 'kysely';
import type { Db } from '../db/connection.ts';
import type { Database } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import type { StaffActor } from '../staff/session.ts';
import { askerAgency, notFound, officerAgency } from './qa-access.ts';
import { QA_LIMITS } from './qa-limits.ts';
import { checkQuestion } from './qa-search.ts';

export type CodeKeys = { kdf: KdfParams; receiptSalt: Buffer };

const qAad = (id: string) => `sujarit/v1/ethics-question/${id}`;
const aAad = (id: string) => `sujarit/v1/ethics-answer/${id}`;
const kAad = (id: string) => `sujarit/v1/ethics-question-key/${id}`;
const rAad = (id: string) => `sujarit/v1/ethics-question-route/${id}`;

/** Who asks: a signed-in staff member, or one linked on LINE (their public key only: no session there). */
export type Asker = Pick<StaffActor, 'id' | 'agencyId'> & { keys: Pick<StaffActor['keys'], 'publicKey'> };

/**
 * Delivers an answer to a question asked on another channel, in the answering transaction:
 * `route` is what the channel stored with the question (opened from the question's key).
 */
export type DeliverAnswer = (
  trx: Transaction<Database>,
  d: { route: Buffer; question: string; answer: string; isAnonymous: boolean },
) => Promise<void>;

async function officerKeys(db: Db, agencyId: number): Promise<{ id: number; public_key: Buffer }[]> {
  const rows = await db
    .selectFrom('staff_user as u')
    .innerJoin('staff_role as r', 'r.user_id', 'u.id')
    .select(['u.id', 'u.public_key'])
    .where('u.agency_id', '=', agencyId)
    .where('u.is_active', '=', true)
    .where('r.role', '=', 'ethics_officer')
    .where('u.public_key', 'is not', null)
    .execute();
  return rows.flatMap((r) => (r.public_key ? [{ id: r.id, public_key: r.public_key }] : []));
}

/**
 * Sends a question to the asker's agency's ethics officers. Anonymous: returns the code that reads
 * the answer (shown once, stored only as its Argon2id lookup). Refused when the agency has no
 * ethics officer to read it.
 */
export async function sendQuestion(
  {
    db,
    actor,
    question,
    isAnonymous,
    channel = 'web',
    route,
  }: {
    db: Db;
    actor: Asker;
    question: string;
    isAnonymous: boolean;
    channel?: 'web' | 'line';
    /** Where the answer goes on that channel (sealed by the channel), sealed here once more under the question's key. */
    route?: Buffer;
  },
  codeKeys: CodeKeys,
): Promise<{ code: string | null }> {
  const agencyId = askerAgency(actor);
  const text = checkQuestion(question);
  const officers = await officerKeys(db, agencyId);
  if (officers.length === 0) throw new AppError('conflict', 'no ethics officer in the agency', 'ethics.qa.no_officer');
  const id = randomUUID();
  const key = randomBytes(32);
  const code = isAnonymous ? generateReceipt() : null;
  const derived = code ? await deriveReceiptKeys(code, codeKeys.receiptSalt, codeKeys.kdf) : null;
  // Inside a caller's transaction (a LINE event is processed in one), or in one of its own.
  const inTransaction = <R>(f: (trx: Transaction<Database>) => Promise<R>): Promise<R> =>
    db.isTransaction ? f(db as Transaction<Database>) : db.transaction().execute(f);
  await inTransaction(async (trx) => {
    await trx
      .insertInto('ethics_question')
      .values({
        id,
        agency_id: agencyId,
        asker_user_id: derived ? null : actor.id,
        code_lookup: derived?.lookup ?? null,
        code_sealed_key: derived ? sealRaw(derived.key, key, kAad(id)) : null,
        asker_sealed_key: derived ? null : sealTo(actor.keys.publicKey, key),
        sealed_question: sealRaw(key, Buffer.from(text, 'utf8'), qAad(id)),
        channel,
        line_route: route && channel === 'line' ? sealRaw(key, route, rAad(id)) : null,
      })
      .execute();
    await trx
      .insertInto('ethics_question_key')
      .values(officers.map((o) => ({ question_id: id, user_id: o.id, sealed_key: sealTo(o.public_key, key) })))
      .execute();
  });
  return { code };
}

export type QuestionView = {
  id: string;
  question: string;
  answer: string | null;
  askedOn: Date;
  answeredAt: Date | null;
  isAnonymous: boolean;
  /** The named asker's e-mail, in the officer's inbox only. */
  askerEmail?: string | null;
};

type Row = {
  id: string;
  sealed_question: Buffer;
  sealed_answer: Buffer | null;
  asked_on: string | Date;
  answered_at: Date | null;
  asker_user_id: number | null;
};

function viewOf(row: Row, key: Buffer): QuestionView {
  return {
    id: row.id,
    question: openRaw(key, row.sealed_question, qAad(row.id)).toString('utf8'),
    answer: row.sealed_answer ? openRaw(key, row.sealed_answer, aAad(row.id)).toString('utf8') : null,
    askedOn: new Date(row.asked_on),
    answeredAt: row.answered_at,
    isAnonymous: row.asker_user_id === null,
  };
}

const COLUMNS = [
  'q.id',
  'q.sealed_question',
  'q.sealed_answer',
  'q.asked_on',
  'q.answered_at',
  'q.asker_user_id',
] as const;

/** The named questions the actor sent, newest first, opened with their own key. */
export async function myQuestions({ db, actor }: { db: Db; actor: StaffActor }): Promise<QuestionView[]> {
  const rows = await db
    .selectFrom('ethics_question as q')
    .select([...COLUMNS, 'q.asker_sealed_key'])
    .where('q.asker_user_id', '=', actor.id)
    .orderBy('q.asked_on', 'desc')
    .limit(50)
    .execute();
  return rows.flatMap((r) => (r.asker_sealed_key ? [viewOf(r, openSealed(actor.keys, r.asker_sealed_key))] : []));
}

/**
 * The officer's inbox: the agency's questions sealed to them, unanswered first. Reading it is
 * audited (how many were opened). Questions sent before they became an ethics officer are not
 * sealed to them and not shown; `unreadable` counts them.
 */
export async function questionInbox({ db, actor }: { db: Db; actor: StaffActor }) {
  const agencyId = officerAgency(actor);
  const rows = await db
    .selectFrom('ethics_question as q')
    .leftJoin('ethics_question_key as k', (j) => j.onRef('k.question_id', '=', 'q.id').on('k.user_id', '=', actor.id))
    .leftJoin('staff_user as a', 'a.id', 'q.asker_user_id')
    .select([...COLUMNS, 'k.sealed_key', 'a.email as askerEmail'])
    .where('q.agency_id', '=', agencyId)
    .orderBy('q.answered_at', (o) => o.desc().nullsFirst())
    .orderBy('q.asked_on', 'desc')
    .limit(200)
    .execute();
  const questions = rows.flatMap((r) =>
    r.sealed_key ? [{ ...viewOf(r, openSealed(actor.keys, r.sealed_key)), askerEmail: r.askerEmail }] : [],
  );
  await recordAudit(db, {
    actorUserId: actor.id,
    action: 'ethics_questions_read',
    detail: { count: questions.length },
  });
  return { questions, unreadable: rows.length - questions.length };
}

/** An ethics officer answers a question of their agency sealed to them (not found otherwise). */
export async function answerQuestion({
  db,
  actor,
  questionId,
  answer,
  deliver,
}: {
  db: Db;
  actor: StaffActor;
  questionId: string;
  answer: string;
  /** Sends the answer back on LINE to a question asked there (absent: the channel is off). */
  deliver?: DeliverAnswer;
}): Promise<void> {
  const agencyId = officerAgency(actor);
  const text = answer.trim();
  if (text === '' || answer.length > QA_LIMITS.answer)
    throw new AppError('invalid_input', 'answer empty or too long', 'error.form', {
      answer: 'ethics.qa.fault.answer',
    });
  if (!/^[0-9a-f-]{36}$/.test(questionId)) throw notFound();
  await db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('ethics_question as q')
      .innerJoin('ethics_question_key as k', 'k.question_id', 'q.id')
      .select(['q.id', 'k.sealed_key', 'q.line_route', 'q.sealed_question', 'q.asker_user_id'])
      .where('q.id', '=', questionId)
      .where('q.agency_id', '=', agencyId)
      .where('k.user_id', '=', actor.id)
      .forUpdate()
      .executeTakeFirst();
    if (!row) throw notFound();
    const key = openSealed(actor.keys, row.sealed_key);
    await trx
      .updateTable('ethics_question')
      .set({
        sealed_answer: sealRaw(key, Buffer.from(text, 'utf8'), aAad(row.id)),
        answered_at: new Date(),
        answered_by: actor.id,
      })
      .where('id', '=', row.id)
      .execute();
    if (row.line_route && deliver)
      await deliver(trx, {
        route: openRaw(key, row.line_route, rAad(row.id)),
        question: openRaw(key, row.sealed_question, qAad(row.id)).toString('utf8'),
        answer: text,
        isAnonymous: row.asker_user_id === null,
      });
    await recordAudit(trx, {
      actorUserId: actor.id,
      action: 'ethics_question_answered',
      detail: { question: row.id, ...(row.line_route ? { line: Boolean(deliver) } : {}) },
    });
  });
}

/**
 * An anonymous asker reads their question and its answer with the code. A wrong code is a typed
 * fault; wrong codes spend `throttle` (the reader's own budget of wrong guesses, taken before the
 * Argon2id derivation and given back when the code was right).
 */
export async function readByCode(
  { db, code, throttle }: { db: Db; code: string; throttle?: () => () => void },
  codeKeys: CodeKeys,
): Promise<QuestionView> {
  const digits = normalizeReceipt(code.slice(0, QA_LIMITS.code));
  if (!digits) throw new AppError('invalid_input', 'not a code', 'error.form', { code: 'ethics.qa.fault.code' });
  const refund = throttle?.() ?? (() => {});
  const derived = await deriveReceiptKeys(digits, codeKeys.receiptSalt, codeKeys.kdf);
  const row = await db
    .selectFrom('ethics_question as q')
    .select([...COLUMNS, 'q.code_sealed_key'])
    .where('q.code_lookup', '=', derived.lookup)
    .executeTakeFirst();
  // A wrong code is a fault of what was typed (the form comes back), told apart from no other case.
  if (!row?.code_sealed_key)
    throw new AppError('invalid_input', 'no question with this code', 'ethics.qa.fault.code_unknown', {
      code: 'ethics.qa.fault.code_unknown',
    });
  refund();
  return viewOf(row, openRaw(derived.key, row.code_sealed_key, kAad(row.id)));
}
