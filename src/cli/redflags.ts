// `redflags`: Cardinal's red-flag indicators (and the Thai flags) over an OCDS JSON lines file, or an
// e-GP open-data CSV, without a database. Standard output is what `ocdscardinal indicators` prints
// for the same input and settings; what was skipped (line numbers, other currencies) goes to
// standard error. A JSON lines file over 32 MiB is read in worker threads (redflags-file.ts), with
// the same output.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Readable } from 'node:stream';
import { readEgpCsv } from '../procurement/egp-csv.ts';
import { fileChunks, type LineReport } from '../procurement/json-lines.ts';
import { createRun, foldRun, outcomeOf, type RedFlagOutcome, redFlagsOf } from '../procurement/redflags.ts';
import { redFlagsOfFile } from '../procurement/redflags-file.ts';
import { resultsJson } from '../procurement/results.ts';
import { EMPTY_SETTINGS, MAX_SETTINGS_FILE, parseSettings } from '../procurement/settings.ts';
import { invalidInput } from '../procurement/invalid.ts';

export const usage =
  'redflags --input FILE.jsonl|FILE.csv|- [--settings FILE.ini] [--no-meta] (a .csv input is e-GP open data)';

export type RedFlagsCommand = { stdout: string; stderr: string };

/** What was skipped, for standard error: one line per described fault, then the counts. */
export function describeReport(outcome: Pick<RedFlagOutcome, 'report' | 'otherCurrency' | 'ignored'>): string {
  const r: LineReport = outcome.report;
  const lines = r.faults.map((f) => `line ${f.line}: ${f.reason}, skipped`);
  if (r.skipped > r.faults.length) lines.push(`… and ${r.skipped - r.faults.length} more skipped lines`);
  lines.push(
    `${r.lines} lines read, ${r.skipped} skipped; ${r.releases} releases, ${outcome.ignored} not counted ` +
      `(no ocid, cancelled or excluded); ${outcome.otherCurrency} amounts in another currency excluded`,
  );
  return lines.join('\n');
}

function input(path: string): Readable {
  return path === '-' ? process.stdin : fileChunks(path);
}

export async function redflagsCommand(args: string[]): Promise<RedFlagsCommand> {
  const { values } = parseArgs({
    args,
    options: {
      input: { type: 'string' },
      settings: { type: 'string' },
      'no-meta': { type: 'boolean', default: false },
    },
  });
  if (values.input === undefined) throw invalidInput(`usage: ${usage}`);
  const settings = values.settings === undefined ? EMPTY_SETTINGS : parseSettings(readSettings(values.settings));
  let outcome: RedFlagOutcome;
  if (values.input.toLowerCase().endsWith('.csv')) {
    const run = createRun(settings);
    outcome = outcomeOf(run, await readEgpCsv(input(values.input), (release) => foldRun(run, release)));
  } else if (values.input === '-') outcome = await redFlagsOf(process.stdin, settings);
  else outcome = await redFlagsOfFile(values.input, settings);
  return { stdout: resultsJson(outcome.results, values['no-meta']), stderr: describeReport(outcome) };
}

function readSettings(path: string): string {
  const text = readFileSync(path);
  if (text.length > MAX_SETTINGS_FILE) throw invalidInput(`settings: ${path} is over ${MAX_SETTINGS_FILE} bytes`);
  return text.toString('utf8');
}
