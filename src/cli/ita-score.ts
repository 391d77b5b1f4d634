// `ita score`: scores answers collected elsewhere (a responses CSV) under a framework, without a
// database, and prints the whole breakdown as JSON, so an agency can check NACC's figures itself.
import { closeSync, fstat, open, read } from 'node:fs';
import { isatty } from 'node:tty';
import { parseArgs, promisify } from 'node:util';
import { AppError } from '../errors.ts';
import { listFrameworks, loadFrameworkFile, loadShippedFramework } from '../ita/framework.ts';
import { MAX_RESPONSES_CSV_BYTES, readResponsesCsv } from '../ita/responses-csv.ts';
import { formatScore, scoreAnswers } from '../ita/score.ts';
import type { Framework, ScoreResult } from '../ita/types.ts';

export const usage =
  'ita score --framework FILE_OR_SHIPPED_NAME (e.g. ita-2569.json) --responses FILE.csv|- (- reads standard input)';

const CHUNK_BYTES = 1024 * 1024;

const score = (h: number | null): string | null => (h === null ? null : formatScore(h));
const weight = (basisPoints: number): string => (basisPoints / 10000).toFixed(4).replace(/0{1,2}$/, '');

/** The breakdown as plain JSON data: scores as decimal strings ('83.41'), null where nothing was answered. */
export function breakdownJson(framework: Framework, result: ScoreResult): unknown {
  return {
    fiscalYear: framework.fiscalYear,
    title: framework.title,
    ita: score(result.ita),
    grade: result.grade,
    passed: result.passed,
    passMark: formatScore(framework.passMark),
    instruments: result.instruments.map((i, k) => ({
      code: i.code,
      weight: weight(framework.instruments[k]!.weight),
      score: score(i.score),
      respondents: i.respondents,
    })),
    indicators: result.indicators.map((i, k) => ({
      number: i.number,
      instrument: i.instrument,
      name: framework.indicators[k]!.name,
      weight: weight(framework.indicators[k]!.weight),
      score: score(i.score),
    })),
    questions: result.questions.map((q) => ({
      id: q.id,
      indicator: q.indicator,
      score: score(q.score),
      answered: q.answered,
      missing: q.missing,
    })),
    checklist: result.checklist,
  };
}

/** A shipped name (as listed by listFrameworks) wins over a file of the same name in the working folder. */
function loadFramework(nameOrPath: string): Framework {
  return listFrameworks().includes(nameOrPath) ? loadShippedFramework(nameOrPath) : loadFrameworkFile(nameOrPath);
}

/**
 * The responses file as chunks, `-` being standard input. MUST refuse a directory, and a regular
 * file over the limit before reading it; other files (a pipe) are streamed and the reader stops at
 * the limit. One buffer is reused for every chunk: reading allocates no buffer per chunk.
 */
async function openResponses(file: string): Promise<{ chunks: AsyncIterable<Uint8Array>; source: string }> {
  const source = file === '-' ? 'standard input' : `responses file ${file}`;
  if (file === '-' && isatty(0))
    throw new AppError(
      'invalid_input',
      'standard input is a terminal: pipe the responses file in (--responses - < answers.csv)',
      'ita.error.responses_csv',
    );
  let fd = 0;
  if (file !== '-') {
    try {
      fd = await promisify(open)(file, 'r');
    } catch (e) {
      const isMissing = (e as NodeJS.ErrnoException).code === 'ENOENT';
      throw new AppError(isMissing ? 'not_found' : 'invalid_input', unopened(file, e), 'ita.error.responses_csv');
    }
  }
  const info = await promisify(fstat)(fd);
  const fault = info.isDirectory()
    ? new AppError('invalid_input', `${source} is a directory, not a file`, 'ita.error.responses_csv')
    : info.isFile() && info.size > MAX_RESPONSES_CSV_BYTES
      ? new AppError(
          'too_large',
          `${source} is larger than ${MAX_RESPONSES_CSV_BYTES / 1024 / 1024} MB`,
          'ita.error.responses_csv_size',
        )
      : null;
  if (fault) {
    if (fd !== 0) closeSync(fd);
    throw fault;
  }
  return { chunks: chunksOf(fd), source };
}

async function* chunksOf(fd: number): AsyncGenerator<Uint8Array> {
  const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  try {
    for (;;) {
      const { bytesRead } = await promisify(read)(fd, buffer, 0, buffer.length, null);
      if (bytesRead === 0) return;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    if (fd !== 0) closeSync(fd);
  }
}

function unopened(file: string, e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return `responses file not found: ${file}`;
  if (code === 'EISDIR') return `responses file ${file} is a directory, not a file`;
  if (code === 'EACCES' || code === 'EPERM') return `responses file ${file} cannot be read: permission denied`;
  return `responses file ${file} cannot be opened (${code ?? (e as Error).message})`;
}

/** Runs `ita score`; returns the JSON to print. MUST throw AppError on bad arguments or input (the CLI exits 1). */
export async function itaScoreCommand(args: string[]): Promise<string> {
  let values: { framework?: string; responses?: string };
  try {
    ({ values } = parseArgs({
      args,
      options: { framework: { type: 'string' }, responses: { type: 'string' } },
      allowPositionals: false,
    }));
  } catch (e) {
    throw new AppError(
      'invalid_input',
      `${(e as Error).message}\nusage: npm run sujarit -- ${usage}`,
      'ita.error.framework_file',
    );
  }
  if (!values.framework || !values.responses)
    throw new AppError('invalid_input', `usage: npm run sujarit -- ${usage}`, 'ita.error.framework_file');
  const framework = loadFramework(values.framework);
  const { chunks, source } = await openResponses(values.responses);
  const answers = await readResponsesCsv(framework, chunks, source);
  return JSON.stringify(breakdownJson(framework, scoreAnswers(framework, answers)), null, 2);
}
