// Grouping similar reports by their words, with Thai word segmentation (Intl.Segmenter: ICU's
// dictionary-based Thai word breaker). Pure. What is clustered is decided by the caller and is
// never sealed content: signals.ts clusters the Thai names of the case categories (the fixed lists
// of tips, complaints and late permits), so that reports filed under different but related
// categories ("ล่าช้า" in a late service and a late permit; "ทรัพย์สิน" …) are counted together.

const SEGMENTER = new Intl.Segmenter('th', { granularity: 'word' });

/** Words too common to link two labels (Thai function words and generic nouns of category names). */
const STOP = new Set([
  'การ',
  'ความ',
  'และ',
  'หรือ',
  'ของ',
  'ใน',
  'ที่',
  'ไม่',
  'อื่น',
  'อื่นๆ',
  'ๆ',
  'เรื่อง',
  'ให้',
  'กับ',
  'the',
  'of',
  'and',
  'or',
  'other',
]);

/** The words of a text that can link it to another: word-like segments, lower-cased, stop words left out. */
export function wordsOf(text: string): Set<string> {
  const out = new Set<string>();
  for (const s of SEGMENTER.segment(text.normalize('NFC').toLowerCase())) {
    if (s.isWordLike && s.segment.length > 1 && !STOP.has(s.segment)) out.add(s.segment);
  }
  return out;
}

/** Jaccard similarity of two word sets (0 when both are empty). */
export function similarity(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  let shared = 0;
  for (const w of a) if (b.has(w)) shared++;
  const union = a.size + b.size - shared;
  return union === 0 ? 0 : shared / union;
}

/**
 * Single-linkage clusters of `items` (key → text): two items are linked when their word sets are at
 * least `threshold` similar; each cluster lists its keys in input order, with the words its members
 * share with one another. Clusters of one are left out.
 */
export function clusters(
  items: readonly { key: string; text: string }[],
  threshold = 0.2,
): { keys: string[]; words: string[] }[] {
  const words = items.map((i) => wordsOf(i.text));
  const parent = items.map((_, i) => i);
  const root = (i: number): number => (parent[i] === i ? i : (parent[i] = root(parent[i])));
  for (let i = 0; i < items.length; i++)
    for (let j = i + 1; j < items.length; j++)
      if (similarity(words[i], words[j]) >= threshold) parent[root(j)] = root(i);
  const groups = new Map<number, number[]>();
  for (let i = 0; i < items.length; i++) groups.set(root(i), [...(groups.get(root(i)) ?? []), i]);
  return [...groups.values()]
    .filter((g) => g.length > 1)
    .map((g) => ({
      keys: g.map((i) => items[i].key),
      words: [...words[g[0]]].filter((w) => g.some((i, n) => n > 0 && words[i].has(w))),
    }));
}
