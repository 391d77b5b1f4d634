// A child process of bench/redflags.ts: reads one OCDS JSON lines file one way, in a fresh process,
// and writes to fd 3, as JSON, the time the work took (after the imports), its CPU time and the
// process's peak resident memory.
//   node bench/redflags-child.ts parse FILE    only reading the lines and JSON-parsing each one
//   node bench/redflags-child.ts flags FILE    every Cardinal indicator and Thai flag, output as JSON, as
//                                              the CLI computes them (redFlagsOfFile: worker threads)
import { writeSync } from 'node:fs';
import { fileChunks, readJsonLines } from '../src/procurement/json-lines.ts';
import { redFlagsOfFile } from '../src/procurement/redflags-file.ts';
import { resultsJson } from '../src/procurement/results.ts';
import { parseSettings } from '../src/procurement/settings.ts';

export type RedFlagsChildReport = {
  mode: string;
  ms: number;
  cpuMs: number;
  maxRssKiB: number;
  lines: number;
  flagged: number;
};

/** Every indicator this code computes, as one settings file. */
export const ALL_SETTINGS = [
  '[R003]',
  '[R018]',
  '[R024]',
  '[R025]',
  '[R028]',
  '[R030]',
  '[R035]',
  '[R036]',
  '[R038]',
  '[R048]',
  '[R058]',
  '[TH_REFERENCE_PRICE]',
  '[TH_FEW_BIDDERS]',
  '[TH_FISCAL_YEAR_END]',
  '[TH_SPLITTING]',
  '[TH_CONCENTRATION]',
].join('\n');

const [mode = '', file = ''] = process.argv.slice(2);
const started = performance.now();
const cpu = process.cpuUsage();
let lines = 0;
let flagged = 0;
if (mode === 'parse') {
  let n = 0;
  const report = await readJsonLines(fileChunks(file), () => {
    n += 1;
  });
  lines = report.lines + (n & 0);
} else if (mode === 'flags') {
  const outcome = await redFlagsOfFile(file, parseSettings(ALL_SETTINGS));
  lines = outcome.report.lines;
  flagged = outcome.results.groups.get('OCID')?.size ?? 0;
  resultsJson(outcome.results);
} else throw new Error(`mode ${mode}: parse or flags`);
const used = process.cpuUsage(cpu);
const report: RedFlagsChildReport = {
  mode,
  ms: performance.now() - started,
  cpuMs: (used.user + used.system) / 1000,
  maxRssKiB: process.resourceUsage().maxRSS,
  lines,
  flagged,
};
writeSync(3, JSON.stringify(report));
