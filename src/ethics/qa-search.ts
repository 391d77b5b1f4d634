// Answering a question from the asker's agency's knowledge base: the index of its passages is kept
// in memory per agency and rebuilt when the agency's version (moved by every change, in the same
// transaction) differs from the one it was built at, so several processes stay right with one
// small read per question. The answer is only ever passages quoted as stored, with their source;
// below the confidence threshold it is "I don't know".
import type { Db } from '../db/connection.ts';
import type { StaffActor } from '../staff/session.ts';
import { askerAgency } from './qa-access.ts';
import { indexWords, type QaIndex, searchIndex, tokenize } from './qa-index.ts';
import { CONFIDENCE_THRESHOLD, QA_LIMITS } from './qa-limits.ts';
import { AppError } from '../errors.ts';

export type QuotedPassage = {
  id: number;
  title: string;
  label: string;
  body: string;
  source: string;
  url: string;
  foundAt: string;
  isConfirmed: boolean;
  confidence: number;
};
export type Answer = { isKnown: boolean; confidence: number; passages: QuotedPassage[] };

type Built = {
  version: string;
  index: QaIndex;
  rows: Omit<QuotedPassage, 'confidence'>[];
  words: Map<number, string[]>;
};
const built = new Map<number, Built>();

async function versionOf(db: Db, agencyId: number): Promise<string> {
  const row = await db
    .selectFrom('ethics_kb_version')
    .select('version')
    .where('agency_id', '=', agencyId)
    .executeTakeFirst();
  return String(row?.version ?? '0');
}

/** The text a passage is indexed by: its document's title, its label and its body. */
export const indexedText = (p: { title: string; label: string; body: string }) => `${p.title}\n${p.label}\n${p.body}`;

async function indexOf(db: Db, agencyId: number): Promise<Built> {
  const version = await versionOf(db, agencyId);
  const have = built.get(agencyId);
  if (have?.version === version) return have;
  const rows = await db
    .selectFrom('ethics_kb_passage as p')
    .innerJoin('ethics_kb_document as d', 'd.id', 'p.document_id')
    .select([
      'p.id',
      'd.title',
      'p.label',
      'p.body',
      'd.source',
      'd.url',
      'p.found_at as foundAt',
      'p.is_confirmed as isConfirmed',
    ])
    .where('d.agency_id', '=', agencyId)
    .orderBy('p.id')
    .execute();
  // Passages are never edited (a document is added or removed whole): the words of those already
  // segmented are kept, so a change costs the segmentation of the new passages only.
  const words = new Map(rows.map((r) => [r.id, have?.words.get(r.id) ?? tokenize(indexedText(r))]));
  const index = indexWords(rows.map((r, i) => ({ id: i, words: words.get(r.id) ?? [] })));
  const fresh = { version, rows, index, words };
  built.set(agencyId, fresh);
  return fresh;
}

/** Checks a question as typed: 1 to 500 characters once trimmed. */
export function checkQuestion(question: string): string {
  const q = question.trim();
  if (q === '' || question.length > QA_LIMITS.question)
    throw new AppError('invalid_input', 'question empty or too long', 'error.form', {
      q: 'ethics.qa.fault.question',
    });
  return q;
}

/** Answers `question` for any staff member of an agency from that agency's knowledge base. */
export async function askQuestion({
  db,
  actor,
  question,
}: {
  db: Db;
  actor: Pick<StaffActor, 'agencyId'>;
  question: string;
}): Promise<Answer> {
  const agencyId = askerAgency(actor);
  const q = checkQuestion(question);
  const { index, rows } = await indexOf(db, agencyId);
  return answerFrom(index, rows, q);
}

/** The answer of an index to a question: the hits at or above the threshold, quoted as stored. */
export function answerFrom(
  index: QaIndex,
  rows: readonly Omit<QuotedPassage, 'confidence'>[],
  question: string,
): Answer {
  const hits = searchIndex(index, question, 3);
  const confidence = hits[0]?.confidence ?? 0;
  const passages = hits
    .filter((h) => h.confidence >= CONFIDENCE_THRESHOLD)
    .map((h) => ({ ...rows[h.id], confidence: h.confidence }));
  return { isKnown: passages.length > 0, confidence, passages };
}
