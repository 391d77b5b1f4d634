// The ethics question service's retrieval: Thai (and English) word segmentation with
// Intl.Segmenter (ICU's dictionary word breaker), then Okapi BM25 over the passages of one agency's
// knowledge base. Pure: the caller loads the passages and keeps the index (qa-store.ts).
//
// BM25 (Robertson and Zaragoza, "The Probabilistic Relevance Framework: BM25 and Beyond", 2009):
//   score(q, p) = Σ_t∈q idf(t) · tf(t,p)·(k1+1) / (tf(t,p) + k1·(1 − b + b·|p|/avgdl))
//   idf(t) = ln(1 + (N − n(t) + 0.5) / (n(t) + 0.5))   (the non-negative form Lucene uses)
// with k1 = 1.2 (how fast a repeated word stops counting) and b = 0.75 (how much a long passage is
// discounted): the usual values, kept because the evaluation set gives no reason to move them.
//
// BM25 ranks; it does not say whether the best passage answers at all, since its scale grows with
// the question's length. The confidence is the share of the question's information that the best
// passage holds: Σ idf of the question's words found in it over Σ idf of all its words, where a word
// the knowledge base never uses counts as the rarest word (idf with n = 0). A question about
// passports shares few rare words with an ethics code, whatever its length; below the threshold
// (calibrated on the evaluation set: qa-evaluate.ts) the service says it does not know.
import { asciiDigits } from '../i18n/digits.ts';

const SEGMENTER = new Intl.Segmenter('th', { granularity: 'word' });

export const BM25_K1 = 1.2;
export const BM25_B = 0.75;

/**
 * Words that say nothing about the subject: Thai particles and question words (a question asks
 * "อย่างไร", "ได้ไหม"; a law does not say them) and the commonest English function words.
 */
const STOP = new Set(
  (
    'ที่ และ หรือ ของ ใน ได้ ให้ เป็น มี จะ ว่า กับ นี้ นั้น แต่ ก็ ซึ่ง โดย แก่ แล้ว ต่อ ไว้ อยู่ ด้วย ถ้า หาก ๆ ' +
    'อย่างไร ไหม ไหมคะ ไหมครับ หรือไม่ หรือเปล่า เปล่า อะไร ใคร ที่ไหน เมื่อไร เมื่อไหร่ ทำไม เท่าไร เท่าไหร่ กี่ บ้าง ยังไง ' +
    'คือ ครับ ค่ะ คะ นะ จ๊ะ จ้ะ ฉัน ผม ดิฉัน เรา ท่าน เขา คุณ หนู ควร ต้อง ถาม สงสัย อยาก ทราบ รู้ ขอ ช่วย บอก หน่อย ' +
    'the a an of and or to in on for is are be was it this that what how can may i we you my do does with at by as from'
  ).split(/\s+/),
);

/** Thai digits as ASCII; thousands separators dropped, so "๓,๐๐๐" and "3000" are one word. */
function normalise(text: string): string {
  return asciiDigits(text.normalize('NFC').toLowerCase()).replace(/(\d),(?=\d{3})/g, '$1');
}

/** The words of a text as the index counts them: word-like segments, normalised, stop words left out. */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  for (const s of SEGMENTER.segment(normalise(text))) {
    if (s.isWordLike && !STOP.has(s.segment)) out.push(s.segment);
  }
  return out;
}

export type IndexedPassage = { id: number; text: string };

/** An inverted index: per word, the passages holding it and how often (postings as parallel arrays). */
export type QaIndex = {
  ids: Int32Array;
  lengths: Float64Array;
  avgLength: number;
  postings: Map<string, { docs: Int32Array; tfs: Float64Array }>;
};

/** Builds the index of `passages` (any order; ids as the caller knows them). */
export function buildIndex(passages: readonly IndexedPassage[]): QaIndex {
  return indexWords(passages.map((p) => ({ id: p.id, words: tokenize(p.text) })));
}

/**
 * Builds the index from passages already segmented (tokenize): segmentation is most of the cost of
 * a build, and a passage never changes once stored, so a caller rebuilding after a change keeps the
 * words of the passages it had (qa-search.ts).
 */
export function indexWords(passages: readonly { id: number; words: readonly string[] }[]): QaIndex {
  const ids = new Int32Array(passages.length);
  const lengths = new Float64Array(passages.length);
  const lists = new Map<string, { docs: number[]; tfs: number[] }>();
  let total = 0;
  passages.forEach((p, i) => {
    ids[i] = p.id;
    const counts = new Map<string, number>();
    const words = p.words;
    for (const w of words) counts.set(w, (counts.get(w) ?? 0) + 1);
    lengths[i] = words.length;
    total += words.length;
    for (const [w, tf] of counts) {
      let list = lists.get(w);
      if (!list) lists.set(w, (list = { docs: [], tfs: [] }));
      list.docs.push(i);
      list.tfs.push(tf);
    }
  });
  const postings = new Map<string, { docs: Int32Array; tfs: Float64Array }>();
  for (const [w, l] of lists) postings.set(w, { docs: Int32Array.from(l.docs), tfs: Float64Array.from(l.tfs) });
  return { ids, lengths, avgLength: passages.length ? total / passages.length : 0, postings };
}

export function idf(index: QaIndex, docFreq: number): number {
  const n = index.ids.length;
  return Math.log(1 + (n - docFreq + 0.5) / (docFreq + 0.5));
}

export type Hit = { id: number; score: number; confidence: number };

/**
 * The best `limit` passages for `question` by BM25, best first, each with its confidence (the
 * share of the question's idf mass it holds, 0–1). No word of the question in the index: no hits.
 */
export function searchIndex(index: QaIndex, question: string, limit = 3): Hit[] {
  const words = [...new Set(tokenize(question))];
  const n = index.ids.length;
  if (n === 0 || words.length === 0) return [];
  const scores = new Float64Array(n);
  const held = new Float64Array(n);
  const rarest = idf(index, 0);
  let mass = 0;
  for (const w of words) {
    const list = index.postings.get(w);
    if (!list) {
      mass += rarest;
      continue;
    }
    const weight = idf(index, list.docs.length);
    mass += weight;
    for (let j = 0; j < list.docs.length; j++) {
      const d = list.docs[j];
      const tf = list.tfs[j];
      const norm = BM25_K1 * (1 - BM25_B + (BM25_B * index.lengths[d]) / index.avgLength);
      scores[d] += (weight * tf * (BM25_K1 + 1)) / (tf + norm);
      held[d] += weight;
    }
  }
  return topOf(scores, limit).map((d) => ({ id: index.ids[d], score: scores[d], confidence: held[d] / mass }));
}

/** The positions of the `limit` highest positive scores, highest first (ties: the earlier passage). */
function topOf(scores: Float64Array, limit: number): number[] {
  const top: number[] = [];
  for (let d = 0; d < scores.length; d++) {
    if (scores[d] <= 0) continue;
    if (top.length === limit && scores[d] <= scores[top[limit - 1]]) continue;
    let at = top.length === limit ? limit - 1 : top.length;
    while (at > 0 && scores[top[at - 1]] < scores[d]) at--;
    top.splice(at, 0, d);
    if (top.length > limit) top.pop();
  }
  return top;
}
