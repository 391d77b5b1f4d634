// Full-text search over the cases sealed to a staff member. There is no index: content exists in
// the clear only in the memory of the request that opened it, so each search opens every case the
// actor holds (content key sealed to them), reads it and forgets it. Nothing decrypted is written
// anywhere: no temporary table, no log line, no file; the audit row counts terms, never names them.
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { KeyObject } from 'node:crypto';
import { recordAudit } from '../audit/record-audit.ts';
import { aeadKey, openJson } from '../crypto/aead.ts';
import { openSealed } from '../crypto/sealed-box.ts';
import type { Db } from '../db/connection.ts';
import type { CaseStatus } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { contentAad, messageAad } from '../intake/case-keys.ts';
import type { StaffActor } from '../staff/session.ts';
import type { CaseSummary } from './list-cases.ts';

export const MAX_QUERY_CHARS = 200;
export const SNIPPET_CHARS = 160;
export const MAX_SEARCH_RESULTS = 200;
/** Cases opened between two yields to the event loop: a search of 2,000 cases never holds it for long. */
const YIELD_EVERY = 100;

export type SearchHit = CaseSummary & { snippet: string };
export type SearchResult = { items: SearchHit[]; scanned: number };

// ICU's dictionary segmentation: Thai has no spaces between words. Text and query go through the
// same segmenter, so a compound split finely in one is split the same way in the other.
const SEGMENTER = new Intl.Segmenter('th', { granularity: 'word' });

/**
 * The words of a query: NFC, lower case, word-like segments only, each once. Throws invalid_input
 * for an empty query, one longer than MAX_QUERY_CHARS, or one without a word (only punctuation).
 */
export function queryWords(query: unknown): string[] {
  const q = typeof query === 'string' ? query.normalize('NFC').trim() : '';
  if (q.length === 0) throw new AppError('invalid_input', 'empty search query', 'error.form', { q: 'search.error.empty' });
  if (q.length > MAX_QUERY_CHARS) throw new AppError('invalid_input', `search query longer than ${MAX_QUERY_CHARS} characters`, 'error.form', { q: 'search.error.too_long' });
  const words = new Set<string>();
  for (const s of SEGMENTER.segment(q.toLowerCase())) if (s.isWordLike) words.add(s.segment);
  if (words.size === 0) throw new AppError('invalid_input', 'search query without a word', 'error.form', { q: 'search.error.empty' });
  return [...words];
}

const isSpace = (ch: number) => ch === 0x20 || ch === 0x0a || ch === 0x0d || ch === 0x09 || ch === 0xa0 || ch === 0x3000;

/**
 * The word starts of the whitespace-delimited run around `at` in `text`. Segmenting the run alone
 * gives the same boundaries as segmenting the whole text (whitespace always breaks words, and the
 * Thai dictionary engine works on runs of Thai letters), for a fraction of the cost.
 */
function wordStartsAround(text: string, at: number): { start: number; end: number; starts: Set<number> } {
  let start = at;
  while (start > 0 && !isSpace(text.charCodeAt(start - 1))) start--;
  let end = at;
  while (end < text.length && !isSpace(text.charCodeAt(end))) end++;
  const starts = new Set<number>();
  for (const s of SEGMENTER.segment(text.slice(start, end))) if (s.isWordLike) starts.add(start + s.index);
  return { start, end, starts };
}

/** Where a query word first starts a word: index into the texts, UTF-16 offset and length. */
export type FirstHit = { text: number; at: number; length: number };

/**
 * Scores texts against query words: null unless every word starts a word of some text (a whole
 * word or a word's prefix), else the number of such occurrences and the first (in the order of
 * `texts`). Pure; `texts` in any case and normalization form.
 */
export function matchTexts(words: readonly string[], texts: readonly string[]): { hits: number; first: FirstHit } | null {
  const lowered = texts.map((t) => t.normalize('NFC').toLowerCase());
  // A word that is not even a substring cannot start a word: most cases stop here, unsegmented.
  for (const w of words) if (!lowered.some((t) => t.includes(w))) return null;
  const found = new Set<string>();
  let hits = 0;
  let first: FirstHit | null = null;
  for (let i = 0; i < lowered.length; i++) {
    const t = lowered[i];
    const runs: ReturnType<typeof wordStartsAround>[] = [];
    const startsWord = (at: number) => {
      let r = runs.find((x) => x.start <= at && at < x.end);
      if (!r) runs.push((r = wordStartsAround(t, at)));
      return r.starts.has(at);
    };
    for (const w of words) {
      for (let at = t.indexOf(w); at !== -1; at = t.indexOf(w, at + 1)) {
        if (!startsWord(at)) continue;
        hits++;
        found.add(w);
        if (!first || (first.text === i && at < first.at)) first = { text: i, at, length: w.length };
      }
    }
  }
  return found.size === words.length && first ? { hits, first } : null;
}

const GRAPHEMES = new Intl.Segmenter('th', { granularity: 'grapheme' });

/**
 * At most SNIPPET_CHARS of the text of `first` around the hit, whitespace collapsed, cut between
 * graphemes (never through a Thai vowel or tone mark) and marked with ellipses where cut.
 */
export function snippetAt(texts: readonly string[], first: FirstHit): string {
  const text = texts[first.text].normalize('NFC');
  const collapse = (s: string) => s.replace(/\s+/g, ' ').trim();
  if (text.length <= SNIPPET_CHARS) return collapse(text);
  const room = SNIPPET_CHARS - 2; // the two ellipses
  // Lower-casing changes the length of a few letters (İ): then the offset is approximate, kept in range.
  const at = Math.min(first.at, text.length - 1);
  let start = Math.max(0, Math.min(at - Math.floor(Math.max(0, room - first.length) / 3), text.length - room));
  let end = Math.min(text.length, start + room);
  // Snap both ends inwards to grapheme boundaries, looking at a few characters only.
  if (start > 0) {
    const head = text.slice(Math.max(0, start - 8), start + 8);
    const offset = Math.max(0, start - 8);
    const next = [...GRAPHEMES.segment(head)].map((g) => offset + g.index).find((i) => i >= start);
    start = next ?? start;
  }
  if (end < text.length) {
    const tail = text.slice(end - 8, end + 8);
    const prev = [...GRAPHEMES.segment(tail)].map((g) => end - 8 + g.index).filter((i) => i <= end).at(-1);
    end = prev ?? end;
  }
  return `${start > 0 ? '…' : ''}${collapse(text.slice(start, end))}${end < text.length ? '…' : ''}`;
}

type CaseRow = {
  id: string;
  number: number;
  reference: string;
  category: string;
  channel: string;
  status: CaseStatus;
  has_identity: boolean;
  created_at: Date;
  updated_at: Date;
  paused_at: Date | null;
  due_at: Date | null;
  content: Buffer;
  sealed_key: Buffer;
  team_key: Buffer | null;
};
type MessageRow = { case_id: string; id: string; thread: 'reporter' | 'internal' | 'witness'; body: Buffer };

/** Two queries in all, in parallel: the cases with the actor's sealed keys, and their messages. */
async function fetchReadable(db: Db, actorId: number): Promise<{ cases: CaseRow[]; messages: Map<string, MessageRow[]> }> {
  const [cases, messageRows] = await Promise.all([
    db
      .selectFrom('case_key as k')
      .innerJoin('report_case as c', 'c.id', 'k.case_id')
      .leftJoin('case_key as tk', (j) => j.onRef('tk.case_id', '=', 'k.case_id').on('tk.user_id', '=', actorId).on('tk.purpose', '=', 'team'))
      .select(['c.id', 'c.number', 'c.reference', 'c.category', 'c.channel', 'c.status', 'c.has_identity', 'c.created_at', 'c.updated_at', 'c.paused_at', 'c.content', 'k.sealed_key', 'tk.sealed_key as team_key'])
      .select((eb) => eb.fn<Date | null>('least', ['c.ack_due_at', 'c.reply_due_at', 'c.feedback_due_at']).as('due_at'))
      .where('k.user_id', '=', actorId)
      .where('k.purpose', '=', 'content')
      .execute(),
    db
      .selectFrom('case_key as k')
      .innerJoin('case_message as m', 'm.case_id', 'k.case_id')
      .select(['m.case_id', 'm.id', 'm.thread', 'm.body'])
      .where('k.user_id', '=', actorId)
      .where('k.purpose', '=', 'content')
      .where('m.thread', 'in', ['reporter', 'internal'])
      .orderBy('m.number')
      .execute(),
  ]);
  const messages = new Map<string, MessageRow[]>();
  for (const m of messageRows) {
    const list = messages.get(m.case_id);
    if (list) list.push(m);
    else messages.set(m.case_id, [m]);
  }
  return { cases: cases as CaseRow[], messages };
}

/** Opens a sealed 32-byte key as an AEAD key object, wiping the raw bytes at once. */
function openKey(actor: StaffActor, sealed: Buffer): KeyObject {
  const raw = openSealed(actor.keys, sealed);
  try {
    return aeadKey(raw);
  } finally {
    raw.fill(0);
  }
}

/** The texts of one case: the report (what, when, where, who), the reporter thread, then internal notes. */
function caseTexts(actor: StaffActor, c: CaseRow, messages: MessageRow[]): string[] {
  const key = openKey(actor, c.sealed_key);
  const content = openJson<{ what: string; when: string; where: string; who: string }>(key, c.content, contentAad(c.id));
  const texts = [content.what, content.when, content.where, content.who];
  const notes: MessageRow[] = [];
  for (const m of messages) {
    if (m.thread === 'reporter') texts.push(openJson<{ text: string }>(key, m.body, messageAad(c.id, m.id)).text);
    else notes.push(m);
  }
  // The team key is opened only when there are notes to read: an X25519 operation saved per case.
  if (notes.length > 0 && c.team_key) {
    const team = openKey(actor, c.team_key);
    for (const m of notes) texts.push(openJson<{ text: string }>(team, m.body, messageAad(c.id, m.id)).text);
  }
  return texts;
}

/**
 * Searches the report, reporter thread and internal notes of every case whose content key is
 * sealed to the actor (whatever the agency), newest first among equal hit counts. MUST NOT write
 * anything decrypted anywhere; records one `cases_searched` audit event with the number of terms
 * and results, never the query (it may name a person). A case whose keys do not open (damaged) is
 * left out and counted in the audit event as `unreadable`.
 */
export async function searchCases({ db, actor, query, limit = 50 }: { db: Db; actor: StaffActor; query: string; limit?: number }): Promise<SearchResult> {
  const words = queryWords(query);
  if (!actor.isEnrolled) throw new AppError('forbidden', 'enrol a second factor before searching', 'search.error.not_enrolled');
  const { cases, messages } = await fetchReadable(db, actor.id);
  const found: { row: CaseRow; hits: number; first: FirstHit; texts: string[] }[] = [];
  let scanned = 0;
  let unreadable = 0;
  for (let i = 0; i < cases.length; i++) {
    if (i > 0 && i % YIELD_EVERY === 0) await yieldToLoop();
    const c = cases[i];
    let texts: string[];
    try {
      texts = caseTexts(actor, c, messages.get(c.id) ?? []);
    } catch {
      unreadable++;
      continue;
    }
    scanned++;
    const m = matchTexts(words, texts);
    if (m) found.push({ row: c, texts, ...m });
  }
  found.sort((a, b) => b.hits - a.hits || b.row.created_at.getTime() - a.row.created_at.getTime() || b.row.number - a.row.number);
  await recordAudit(db, { actorUserId: actor.id, action: 'cases_searched', detail: { terms: words.length, results: found.length, ...(unreadable > 0 ? { unreadable } : {}) } });
  const n = Math.max(1, Math.min(MAX_SEARCH_RESULTS, Math.floor(limit) || 1));
  return {
    items: found.slice(0, n).map(({ row: r, texts, first }) => ({
      reference: r.reference,
      category: r.category,
      channel: r.channel,
      status: r.status,
      hasIdentity: r.has_identity,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
      dueAt: r.status === 'closed' ? null : r.due_at,
      isPaused: r.paused_at !== null,
      snippet: snippetAt(texts, first),
    })),
    scanned,
  };
}
