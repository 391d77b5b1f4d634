// A child process of bench/ita-score.ts: reads one responses file one way, in a fresh process, and
// writes to fd 3, as JSON, the time the work took (from after the imports), its CPU time and the
// process's peak resident memory. Files are read as the command reads them: 1 MiB at a time.
//   node bench/ita-score-child.ts parse FILE    merely parsing, the usual way: each chunk decoded to text,
//                                               records split into fields as strings (RFC 4180)
//   node bench/ita-score-child.ts split FILE    the command's CSV reader alone (src/ita/csv-records.ts):
//                                               records split into fields as byte ranges, no strings
//   node bench/ita-score-child.ts score FILE    `ita score`'s own function (itaScoreCommand): stream, check,
//                                               count, score, the breakdown as JSON
//   node bench/ita-score-child.ts cli FILE      the command itself (src/cli/main.ts), from its import to its
//                                               exit; its JSON goes to stdout
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { itaScoreCommand } from '../src/cli/ita-score.ts';
import { createCsvReader } from '../src/ita/csv-records.ts';

export type ChildReport = {
  mode: string;
  ms: number;
  cpuMs: number;
  maxRssKiB: number;
  records: number;
  ita: string | null;
};

const [mode = '', file = ''] = process.argv.slice(2);
const started = performance.now();
const cpu = process.cpuUsage();
let records = 0;
let ita: string | null = null;

process.on('exit', () => {
  const used = process.cpuUsage(cpu);
  const report: ChildReport = {
    mode,
    ms: performance.now() - started,
    cpuMs: (used.user + used.system) / 1000,
    maxRssKiB: process.resourceUsage().maxRSS,
    records,
    ita,
  };
  writeSync(3, JSON.stringify(report));
});

/** Each 1 MiB chunk of the file in turn (one buffer, reused). */
function* chunksOf(path: string): Generator<Buffer> {
  const fd = openSync(path, 'r');
  const buffer = Buffer.allocUnsafe(1024 * 1024);
  for (let n = readSync(fd, buffer); n > 0; n = readSync(fd, buffer)) yield buffer.subarray(0, n);
  closeSync(fd);
}

/** Splits the records of `text` into string fields; returns the unfinished record at its end (all of it read when `isLast`). */
function parseText(text: string, isLast: boolean): string {
  const n = text.length;
  let i = 0;
  while (i < n) {
    const from = i;
    const fields: string[] = [];
    for (;;) {
      if (text.charCodeAt(i) === 34 /* " */) {
        let value = '';
        let at = i + 1;
        for (;;) {
          const q = text.indexOf('"', at);
          if (q < 0 || (q + 1 >= n && !isLast)) {
            if (isLast) throw new Error('a quoted field is never closed');
            return text.slice(from);
          }
          value += text.slice(at, q);
          if (text.charCodeAt(q + 1) !== 34) {
            i = q + 1;
            break;
          }
          value += '"';
          at = q + 2;
        }
        fields.push(value);
      } else {
        let j = i;
        while (j < n) {
          const c = text.charCodeAt(j);
          if (c === 44 || c === 10 || c === 13) break;
          j += 1;
        }
        fields.push(text.slice(i, j));
        i = j;
      }
      if (i >= n && !isLast) return text.slice(from);
      if (text.charCodeAt(i) !== 44 /* , */) break;
      i += 1;
    }
    if (text.charCodeAt(i) === 13) i += 1;
    if (i >= n && !isLast) return text.slice(from);
    if (text.charCodeAt(i) === 10) i += 1;
    if (fields.length > 0) records += 1;
  }
  return '';
}

if (mode === 'parse') {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let rest = '';
  for (const chunk of chunksOf(file)) rest = parseText(rest + decoder.decode(chunk, { stream: true }), false);
  parseText(rest + decoder.decode(), true);
} else if (mode === 'split') {
  const csv = createCsvReader(() => {
    records += 1;
    return true;
  });
  for (const chunk of chunksOf(file)) csv.push(chunk);
  csv.end();
  if (csv.fault() !== null) throw new Error(csv.fault()!);
} else if (mode === 'score') {
  const out = await itaScoreCommand(['--framework', 'ita-2569.json', '--responses', file]);
  ita = (JSON.parse(out) as { ita: string | null }).ita;
} else if (mode === 'cli') {
  process.argv = [
    process.argv[0]!,
    'src/cli/main.ts',
    'ita',
    'score',
    '--framework',
    'ita-2569.json',
    '--responses',
    file,
  ];
  await import('../src/cli/main.ts'); // exits the process
} else {
  throw new Error(`mode ${mode}: parse, split, score or cli`);
}
