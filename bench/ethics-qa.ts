// Section of `npm run bench` (alone: BENCH_ONLY=ethicsqa; no server, no database): the ethics
// question service (src/ethics). On the evaluation set (test/fixtures/ethics-qa-eval.json) against
// the shipped sample knowledge base: recall@3 (goal ≥ 0.9) and the share of out-of-scope questions
// answered "I don't know" (goal ≥ 0.9). Then the answer time over BENCH_ETHICSQA_PASSAGES (10,000)
// passages: the sample's plus synthetic ones drawn from the sample's own words (so the index's
// vocabulary and posting lengths look like an agency's), asked the evaluation questions in turn
// (BENCH_ETHICSQA_N, 5,000 answers): p95 goal under 50 ms. The index's build time over the same
// passages is printed as information: it is what a change to the knowledge base costs the next asker.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { type EvalSet, evaluate } from '../src/ethics/qa-evaluate.ts';
import { indexWords, tokenize } from '../src/ethics/qa-index.ts';
import { CONFIDENCE_THRESHOLD } from '../src/ethics/qa-limits.ts';
import { answerFrom, indexedText } from '../src/ethics/qa-search.ts';
import { sampleDocuments } from '../src/ethics/sample-knowledge.ts';
import { envInt, fmt, percentile, ROOT } from './lib.ts';

type Row = { metric: string; value: string; limit: string; ratio: string; verdict: 'PASS' | 'BELOW' | 'info' };

const PASSAGES = envInt('BENCH_ETHICSQA_PASSAGES', 10_000);
const N = envInt('BENCH_ETHICSQA_N', 5_000);
const GOAL_SHARE = 0.9;
const GOAL_P95_MS = 50;

/** A fixed-seed generator (mulberry32): the same passages on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function ethicsQaSection(say: (s: string) => void, rows: Row[]): Promise<void> {
  const set = JSON.parse(readFileSync(path.join(ROOT, 'test/fixtures/ethics-qa-eval.json'), 'utf8')) as EvalSet;
  const sample = sampleDocuments().flatMap((d) =>
    d.passages.map((p) => ({
      id: 0,
      key: p.key,
      title: d.title,
      label: p.label,
      body: p.text,
      source: d.citation,
      url: d.url,
      foundAt: p.foundAt,
      isConfirmed: p.confirmed,
    })),
  );
  const f = evaluate(
    sample.map((p) => ({ key: p.key, text: indexedText(p) })),
    set,
    CONFIDENCE_THRESHOLD,
  );
  say(
    `evaluation set: ${f.questions} in-scope and ${f.outOfScope} out-of-scope questions, ${sample.length} passages, ` +
      `threshold ${CONFIDENCE_THRESHOLD}: recall@3 ${fmt(f.recallAt3, 3)}, recall@1 ${fmt(f.recallAt1, 3)}, ` +
      `answered with a right passage ${fmt(f.answeredRight, 3)}, "I don't know" out of scope ${fmt(f.idkShare, 3)}`,
  );
  const share = (metric: string, v: number): Row => ({
    metric,
    value: fmt(v, 3),
    limit: `≥ ${GOAL_SHARE}`,
    ratio: fmt(v / GOAL_SHARE, 2),
    verdict: v >= GOAL_SHARE ? 'PASS' : 'BELOW',
  });
  rows.push(
    share('16. ethics QA recall@3', f.recallAt3),
    share('16. ethics QA out-of-scope "I don\'t know"', f.idkShare),
  );

  // 10,000 passages: the sample's, then synthetic ones of 20–80 of the sample's words.
  const words = sample.flatMap((p) =>
    [...new Intl.Segmenter('th', { granularity: 'word' }).segment(p.body)]
      .filter((s) => s.isWordLike)
      .map((s) => s.segment),
  );
  const rnd = random(18);
  const all = [...sample];
  for (let i = all.length; i < PASSAGES; i++) {
    const len = 20 + Math.floor(rnd() * 60);
    const body = Array.from({ length: len }, () => words[Math.floor(rnd() * words.length)]).join('');
    all.push({ ...sample[i % sample.length], key: `synthetic-${i}`, label: `ข้อ ${i}`, body });
  }
  const t0 = performance.now();
  const segmented = all.map((p, i) => ({ id: i, words: tokenize(indexedText(p)) }));
  const segmentMs = performance.now() - t0;
  const index = indexWords(segmented);
  const buildMs = performance.now() - t0;
  const t1 = performance.now();
  indexWords(segmented);
  const rebuildMs = performance.now() - t1;
  const questions = [...set.inScope.map((x) => x.q), ...set.outOfScope];
  for (let i = 0; i < 200; i++) answerFrom(index, all, questions[i % questions.length]); // warm up
  const times: number[] = [];
  for (let i = 0; i < N; i++) {
    const q = questions[i % questions.length];
    const s = performance.now();
    answerFrom(index, all, q);
    times.push(performance.now() - s);
  }
  const p95 = percentile(times, 95);
  say(
    `${all.length} passages (${index.postings.size} distinct words): index built in ${fmt(buildMs, 0)} ms ` +
      `(segmentation ${fmt(segmentMs, 0)} ms), rebuilt from kept words in ${fmt(rebuildMs, 0)} ms; ` +
      `${N} answers: median ${fmt(percentile(times, 50), 2)} ms, p95 ${fmt(p95, 2)} ms, max ${fmt(Math.max(...times), 1)} ms`,
  );
  rows.push(
    {
      metric: `16. ethics QA answer p95, ${all.length} passages`,
      value: `${fmt(p95, 2)} ms`,
      limit: `< ${GOAL_P95_MS} ms`,
      ratio: fmt(p95 / GOAL_P95_MS, 3),
      verdict: p95 < GOAL_P95_MS ? 'PASS' : 'BELOW',
    },
    {
      metric: `16. ethics QA index build, ${all.length} passages`,
      value: `${fmt(buildMs, 0)} ms`,
      limit: '(info)',
      ratio: '',
      verdict: 'info',
    },
    {
      metric: `16. ethics QA index rebuild after a change`,
      value: `${fmt(rebuildMs, 0)} ms`,
      limit: '(info)',
      ratio: '',
      verdict: 'info',
    },
  );
}
