// Section of `npm run bench`: Moodle's item analysis (src/ethics/item-analysis.ts) over
// BENCH_ITEMANALYSIS_ATTEMPTS (100,000) synthetic attempts of 20 items (issue 18: goal under 1 s),
// in process, no database: every item statistic and the test statistics, median of
// BENCH_ITEMANALYSIS_RUNS (5) runs after a warm-up. The attempts are drawn with a fixed seed from a
// two-parameter logistic model (a person's ability, each item's difficulty and discrimination), so the
// figures are those of a real-looking test, not of noise.
import { performance } from 'node:perf_hooks';
import { analyseQuiz, type ItemAttempt, itemAnalysis } from '../src/ethics/item-analysis.ts';
import { seededRandom } from '../test/support/random.ts';
import { envInt, fmt, median } from './lib.ts';

type Row = { metric: string; value: string; limit: string; ratio: string; verdict: 'PASS' | 'BELOW' | 'info' };

const ATTEMPTS = envInt('BENCH_ITEMANALYSIS_ATTEMPTS', 100_000);
const RUNS = envInt('BENCH_ITEMANALYSIS_RUNS', 5);
const ITEMS = 20;
const GOAL_MS = 1000;

/**
 * `n` attempts of ITEMS items: 16 single-choice items worth 1 and 4 multiple-choice items worth 2
 * with half marks, answered right with probability 1 / (1 + e^(−a(θ − b))); one answer in 200 left
 * blank (null).
 */
export function syntheticAttempts(n: number): ItemAttempt[] {
  const rnd = seededRandom(18);
  const maxMarks = Array.from({ length: ITEMS }, (_, i) => (i < 16 ? 1 : 2));
  const difficulty = Array.from({ length: ITEMS }, () => -2 + 4 * rnd());
  const discrimination = Array.from({ length: ITEMS }, (_, i) => (i === 7 ? -0.3 : 0.3 + 1.7 * rnd()));
  return Array.from({ length: n }, () => {
    const ability = (rnd() + rnd() + rnd() - 1.5) * 2;
    const itemScores = maxMarks.map((max, i) => {
      if (rnd() < 0.005) return null;
      const p = 1 / (1 + Math.exp(-(discrimination[i] as number) * (ability - (difficulty[i] as number))));
      if (max === 1) return rnd() < p ? 1 : 0;
      return (rnd() < p ? 1 : 0) + (rnd() < p ? 1 : 0) === 2 ? 2 : rnd() < p ? 1 : 0;
    });
    return { itemScores, maxMarks };
  });
}

/** Times the item analysis and the test statistics of ATTEMPTS attempts; pushes the goal row and an info row. */
export function itemAnalysisSection(say: (l: string) => void, rows: Row[]): void {
  const t0 = performance.now();
  const attempts = syntheticAttempts(ATTEMPTS);
  say(
    `item analysis: ${ATTEMPTS.toLocaleString('en')} attempts × ${ITEMS} items generated in ${fmt(performance.now() - t0)} ms; median of ${RUNS} runs after a warm-up`,
  );
  const all: number[] = [];
  const cpu: number[] = [];
  const items: number[] = [];
  let summary = '';
  for (let run = 0; run <= RUNS; run++) {
    const cpu0 = process.cpuUsage();
    const a = performance.now();
    const { items: stats, test } = analyseQuiz(attempts);
    const b = performance.now();
    const used = process.cpuUsage(cpu0);
    itemAnalysis(attempts);
    const c = performance.now();
    if (run === 0) {
      const di = stats.map((s) => s.discriminationIndex ?? Number.NaN);
      summary = `mean ${fmt(test.mean ?? Number.NaN, 2)}, sd ${fmt(test.sd ?? Number.NaN, 2)}, alpha ${fmt(test.cic ?? Number.NaN)}%, discrimination index ${fmt(Math.min(...di))}% to ${fmt(Math.max(...di))}%`;
      continue; // warm-up: the first run also compiles the code
    }
    all.push(b - a);
    cpu.push((used.user + used.system) / 1000);
    items.push(c - b);
  }
  const ms = median(all);
  say(`  ${summary}`);
  // CPU time too (all threads, the collector's included): on a shared machine it moves less than wall time.
  say(
    `  item statistics + test statistics (analyseQuiz): ${fmt(ms)} ms, ${fmt(median(cpu))} ms of CPU; itemAnalysis alone ${fmt(median(items))} ms`,
  );
  rows.push(
    {
      metric: `item analysis, ${ATTEMPTS.toLocaleString('en')} attempts × ${ITEMS} items`,
      value: `${fmt(ms)} ms`,
      limit: `${GOAL_MS} ms`,
      ratio: fmt(ms / GOAL_MS, 2),
      verdict: ms <= GOAL_MS ? 'PASS' : 'BELOW',
    },
    { metric: 'item analysis CPU time', value: `${fmt(median(cpu))} ms`, limit: '-', ratio: '-', verdict: 'info' },
  );
}
