// Section of `npm run bench`: scoring one agency's ITA from an imported responses file. 100,000
// answers (3,000 IIT respondents × the 30 IIT questions, 667 EIT respondents × the 15 EIT questions,
// the 33 OIT verdicts), built as CSV text in memory from the shipped framework with a fixed seed, then
// parseResponsesCsv + scoreAnswers timed together (goal: under 1 s) and scoreAnswers alone. Median of
// BENCH_ITA_RUNS (5) runs after one warm-up run.
import { performance } from 'node:perf_hooks';
import { loadShippedFramework } from '../src/ita/framework.ts';
import { parseResponsesCsv } from '../src/ita/responses-csv.ts';
import { formatScore, scoreAnswers } from '../src/ita/score.ts';
import type { Framework } from '../src/ita/types.ts';
import { fmt, median } from './lib.ts';
import { seededRandom } from '../test/support/random.ts';

type Row = { metric: string; value: string; limit: string; ratio: string; verdict: 'PASS' | 'BELOW' | 'info' };

const GOAL_MS = 1000;
const IIT_RESPONDENTS = 3000;
const EIT_RESPONDENTS = 667;
const RUNS =
  Number.isInteger(Number(process.env.BENCH_ITA_RUNS)) && Number(process.env.BENCH_ITA_RUNS) > 0
    ? Number(process.env.BENCH_ITA_RUNS)
    : 5;

/** The responses CSV of one large agency; returns the text and its number of answer rows. */
export function buildResponsesCsv(framework: Framework): { text: string; answers: number } {
  const rnd = seededRandom(2569);
  const instrumentOf = new Map(framework.indicators.map((i) => [i.number, i.instrument]));
  const rows = ['respondent,question,answer'];
  for (const [instrument, count, prefix] of [
    ['IIT', IIT_RESPONDENTS, 'staff'],
    ['EIT', EIT_RESPONDENTS, 'public'],
  ] as const) {
    const questions = framework.questions.filter((q) => instrumentOf.get(q.indicator) === instrument);
    for (let r = 1; r <= count; r++) {
      for (const q of questions) {
        const scale = framework.scales[q.scale]!;
        // About 2% left empty, as on real paper forms.
        const answer =
          rnd() < 0.02
            ? ''
            : scale.kind === 'levels'
              ? String(1 + Math.floor(rnd() * scale.points.length))
              : rnd() < 0.1
                ? 'yes'
                : 'no';
        rows.push(`${prefix}-${r},${q.id},${answer}`);
      }
    }
  }
  for (const c of framework.checklist) rows.push(`,${c.id},${rnd() < 0.9 ? 'yes' : 'no'}`);
  return { text: `${rows.join('\r\n')}\r\n`, answers: rows.length - 1 };
}

/** Times import + scoring of ~100,000 answers; pushes the goal row (≤ 1 s) and an info row (scoring alone). */
export async function itaScoreSection(say: (l: string) => void, rows: Row[]): Promise<void> {
  const framework = loadShippedFramework('ita-2569.json');
  const { text, answers } = buildResponsesCsv(framework);
  say(
    `ITA scoring: ${answers} answers (${fmt(Buffer.byteLength(text) / 1024 / 1024, 1)} MB of CSV), median of ${RUNS} runs`,
  );
  const total: number[] = [];
  const scoring: number[] = [];
  let ita: number | null = null;
  for (let run = 0; run <= RUNS; run++) {
    const t0 = performance.now();
    const parsed = parseResponsesCsv(framework, text);
    const t1 = performance.now();
    const result = scoreAnswers(framework, parsed);
    const t2 = performance.now();
    ita = result.ita;
    if (run === 0) continue; // warm-up: the first run also compiles the code
    total.push(t2 - t0);
    scoring.push(t2 - t1);
  }
  const ms = median(total);
  say(`ITA scoring: ITA ${ita === null ? 'n/a' : formatScore(ita)}`);
  rows.push({
    metric: `ITA import + score, ${answers} answers`,
    value: `${fmt(ms)} ms`,
    limit: `${GOAL_MS} ms`,
    ratio: fmt(ms / GOAL_MS, 2),
    verdict: ms <= GOAL_MS ? 'PASS' : 'BELOW',
  });
  rows.push({
    metric: 'ITA scoreAnswers alone (tallies → ITA)',
    value: `${fmt(median(scoring), 2)} ms`,
    limit: '-',
    ratio: '-',
    verdict: 'info',
  });
}
