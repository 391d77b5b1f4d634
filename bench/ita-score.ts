// Section of `npm run bench`: scoring one agency's ITA from an imported responses file, with
// respondents generated from the shipped framework with a fixed seed (test/support/ita-responses.ts).
//   a. In process: 3,667 respondents (about 100,000 answers, 1.7 MiB of CSV) parsed and scored
//      (goal: under 1 s), and scoreAnswers alone; median of BENCH_ITA_RUNS (5) runs after a warm-up.
//   b. `ita score` on a file of BENCH_ITA_MB (50) MiB, at most the command's limit, in fresh child
//      processes (bench/ita-score-child.ts): the command's peak resident memory (goal: under
//      200 MB), and its rate next to the rate of merely parsing the same file into string fields
//      (goal: at least half of it), medians of BENCH_ITA_FILE_RUNS (3) children each; and, as
//      information, the rate of the command's own CSV reader splitting the file with no strings.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadShippedFramework } from '../src/ita/framework.ts';
import { MAX_RESPONSES_CSV_BYTES, parseResponsesCsv } from '../src/ita/responses-csv.ts';
import { formatScore, scoreAnswers } from '../src/ita/score.ts';
import type { Framework } from '../src/ita/types.ts';
import { responseBlocks, writeResponsesCsv } from '../test/support/ita-responses.ts';
import type { ChildReport } from './ita-score-child.ts';
import { envInt, fmt, median, ROOT } from './lib.ts';

type Row = { metric: string; value: string; limit: string; ratio: string; verdict: 'PASS' | 'BELOW' | 'info' };

const GOAL_MS = 1000;
const RESPONDENTS = 3667;
const RUNS = envInt('BENCH_ITA_RUNS', 5);
const FILE_MB = envInt('BENCH_ITA_MB', 50);
const FILE_RUNS = envInt('BENCH_ITA_FILE_RUNS', 3);
const RSS_GOAL_MB = 200;
const RATE_GOAL = 0.5; // of the parse-only rate
const MiB = 1024 * 1024;

/** The responses CSV of one large agency, in memory; returns the text and its number of answer rows. */
export function buildResponsesCsv(framework: Framework): { text: string; answers: number } {
  const rows = ['respondent,question,answer', ...[...responseBlocks(framework, RESPONDENTS)].flat()];
  return { text: `${rows.join('\r\n')}\r\n`, answers: rows.length - 1 };
}

/** a. Times import + scoring of ~100,000 answers in process; pushes the goal row (≤ 1 s) and an info row (scoring alone). */
function inProcess(framework: Framework, say: (l: string) => void, rows: Row[]): void {
  const { text, answers } = buildResponsesCsv(framework);
  say(`ITA scoring: ${answers} answers (${fmt(Buffer.byteLength(text) / MiB, 1)} MiB of CSV), median of ${RUNS} runs`);
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

/** One fresh child reading `file` one way (bench/ita-score-child.ts). */
function child(mode: 'parse' | 'split' | 'score' | 'cli', file: string): ChildReport & { wallMs: number } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['bench/ita-score-child.ts', mode, file], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    maxBuffer: 64 * MiB,
  });
  const wallMs = performance.now() - t0;
  const report = r.output[3]?.toString() ?? '';
  if (r.status !== 0 || report === '') throw new Error(`ita-score-child ${mode}: ${r.status} ${r.stderr.toString()}`);
  const parsed = JSON.parse(report) as ChildReport;
  if (mode === 'cli') parsed.ita = (JSON.parse(r.stdout.toString()) as { ita: string | null }).ita;
  return { ...parsed, wallMs };
}

/** b. `ita score` on a generated file near the limit; pushes the memory and rate goals and info rows. */
async function largeFile(framework: Framework, say: (l: string) => void, rows: Row[]): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sujarit-bench-ita-'));
  try {
    const file = path.join(dir, 'responses.csv');
    const t0 = performance.now();
    const written = await writeResponsesCsv(file, framework, Math.min(FILE_MB * MiB, MAX_RESPONSES_CSV_BYTES));
    const size = written.bytes / MiB;
    say(
      `ita score on a file: ${fmt(size)} MiB, ${written.rows.toLocaleString('en')} rows, generated in ${fmt((performance.now() - t0) / 1000)} s; ${FILE_RUNS} fresh children per way, medians`,
    );
    const runs = (mode: 'parse' | 'score') => Array.from({ length: FILE_RUNS }, () => child(mode, file));
    const parse = runs('parse');
    const score = runs('score');
    const split = child('split', file);
    const cli = child('cli', file);
    if (score.some((r) => r.ita !== cli.ita)) throw new Error('the command and its function scored differently');
    const rate = (reports: ChildReport[]) => size / (median(reports.map((r) => r.ms)) / 1000);
    // CPU time too: on a shared machine it moves less than wall time from run to run.
    const cpu = (reports: ChildReport[]) => {
      const ms = median(reports.map((r) => r.cpuMs));
      return `${fmt(ms, 0)} ms of CPU = ${fmt(size / (ms / 1000))} MiB per CPU-second`;
    };
    const [parseRate, scoreRate, splitRate] = [rate(parse), rate(score), rate([split])];
    const rssMB = (cli.maxRssKiB * 1024) / 1e6;
    say(`  parse only (string fields): ${fmt(parseRate)} MiB/s; ${cpu(parse)}`);
    say(`  itaScoreCommand:            ${fmt(scoreRate)} MiB/s; ${cpu(score)}; ITA ${cli.ita}`);
    say(`  split only (no strings):    ${fmt(splitRate)} MiB/s; ${cpu([split])}`);
    say(
      `  the command, start to exit: ${fmt(cli.wallMs / 1000, 2)} s (${fmt(cli.ms / 1000, 2)} s once Node and the modules are loaded), peak RSS ${fmt(rssMB)} MB`,
    );
    const ratio = scoreRate / parseRate;
    rows.push(
      {
        metric: `ita score, ${fmt(size)} MiB file: peak RSS`,
        value: `${fmt(rssMB)} MB`,
        limit: `< ${RSS_GOAL_MB} MB`,
        ratio: fmt(rssMB / RSS_GOAL_MB, 2),
        verdict: rssMB < RSS_GOAL_MB ? 'PASS' : 'BELOW',
      },
      {
        metric: 'ita score rate ÷ parse-only rate',
        value: `${fmt(scoreRate)} MiB/s`,
        limit: `≥ ${RATE_GOAL} × ${fmt(parseRate)} MiB/s`,
        ratio: fmt(ratio, 2),
        verdict: ratio >= RATE_GOAL ? 'PASS' : 'BELOW',
      },
      {
        metric: 'ita score rate ÷ its reader splitting alone',
        value: `${fmt(scoreRate)} MiB/s`,
        limit: `${fmt(splitRate)} MiB/s`,
        ratio: fmt(scoreRate / splitRate, 2),
        verdict: 'info',
      },
      {
        metric: 'ita score, the command start to exit',
        value: `${fmt(cli.wallMs / 1000, 2)} s`,
        limit: '-',
        ratio: '-',
        verdict: 'info',
      },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Section 8's scoring rows: in process (a), then a large file in child processes (b). */
export async function itaScoreSection(say: (l: string) => void, rows: Row[]): Promise<void> {
  const framework = loadShippedFramework('ita-2569.json');
  inProcess(framework, say, rows);
  await largeFile(framework, say, rows);
}
