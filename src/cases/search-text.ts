// The text side of case search, pure: query words, matching by word starts, snippets. Thai has no
// spaces between words, so both sides go through ICU's dictionary segmentation.
import { AppError } from '../errors.ts';

export const MAX_QUERY_CHARS = 200;
export const SNIPPET_CHARS = 160;

// Text and query go through the same segmenter, so a compound split finely in one is split the same
// way in the other.
const SEGMENTER = new Intl.Segmenter('th', { granularity: 'word' });

/**
 * The words of a query: NFC, lower case, word-like segments only, each once. Throws invalid_input
 * for an empty query, one longer than MAX_QUERY_CHARS, or one without a word (only punctuation).
 */
export function queryWords(query: unknown): string[] {
  const q = typeof query === 'string' ? query.normalize('NFC').trim() : '';
  if (q.length === 0)
    throw new AppError('invalid_input', 'empty search query', 'error.form', { q: 'search.error.empty' });
  if (q.length > MAX_QUERY_CHARS)
    throw new AppError('invalid_input', `search query longer than ${MAX_QUERY_CHARS} characters`, 'error.form', {
      q: 'search.error.too_long',
    });
  const words = new Set<string>();
  for (const s of SEGMENTER.segment(q.toLowerCase())) if (s.isWordLike) words.add(s.segment);
  if (words.size === 0)
    throw new AppError('invalid_input', 'search query without a word', 'error.form', { q: 'search.error.empty' });
  return [...words];
}

const isSpace = (ch: number) =>
  ch === 0x20 || ch === 0x0a || ch === 0x0d || ch === 0x09 || ch === 0xa0 || ch === 0x3000;

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
export function matchTexts(
  words: readonly string[],
  texts: readonly string[],
): { hits: number; first: FirstHit } | null {
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
      // After whitespace a word always starts: no segmentation needed (most English, some Thai).
      if (at === 0 || isSpace(t.charCodeAt(at - 1))) return true;
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
    const prev = [...GRAPHEMES.segment(tail)]
      .map((g) => end - 8 + g.index)
      .filter((i) => i <= end)
      .at(-1);
    end = prev ?? end;
  }
  return `${start > 0 ? '…' : ''}${collapse(text.slice(start, end))}${end < text.length ? '…' : ''}`;
}
