// `ita score`: scores answers collected elsewhere (a responses CSV) under a framework, without a
// database, and prints the whole breakdown as JSON, so an agency can check NACC's figures itself.
import { readFileSync, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { AppError } from '../errors.ts';
import { listFrameworks, loadFrameworkFile, loadShippedFramework } from '../ita/framework.ts';
import { decodeResponsesCsv, MAX_RESPONSES_CSV_BYTES, parseResponsesCsv } from '../ita/responses-csv.ts';
import { formatScore, scoreAnswers } from '../ita/score.ts';
import type { Framework, ScoreResult } from '../ita/types.ts';

export const usage = 'ita score --framework FILE_OR_SHIPPED_NAME (e.g. ita-2569.json) --responses FILE.csv';

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

function readResponses(file: string): string {
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    throw new AppError('not_found', `responses file not found: ${file}`, 'ita.error.responses_csv');
  }
  // Checked before reading, so a huge file is never loaded into memory.
  if (size > MAX_RESPONSES_CSV_BYTES)
    throw new AppError(
      'too_large',
      `responses file ${file} is larger than ${MAX_RESPONSES_CSV_BYTES / 1024 / 1024} MB`,
      'ita.error.responses_csv_size',
    );
  return decodeResponsesCsv(readFileSync(file));
}

/** Runs `ita score`; returns the JSON to print. MUST throw AppError on bad arguments or input (the CLI exits 1). */
export function itaScoreCommand(args: string[]): string {
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
  const answers = parseResponsesCsv(framework, readResponses(values.responses));
  return JSON.stringify(breakdownJson(framework, scoreAnswers(framework, answers)), null, 2);
}
