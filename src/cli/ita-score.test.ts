import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { loadShippedFramework } from '../ita/framework.ts';
import { MAX_RESPONSES_CSV_BYTES } from '../ita/responses-csv.ts';
import { writeResponsesCsv } from '../../test/support/ita-responses.ts';

const ROOT = path.join(import.meta.dirname, '../..');
const FIXTURES = path.join(ROOT, 'test/fixtures/ita');
const COMMAND = ['src/cli/main.ts', 'ita', 'score'];
// Loaded before the command: writes its peak resident memory (KiB) to fd 3 as the process exits.
const REPORT_MAX_RSS = `data:text/javascript,${encodeURIComponent(
  'import { writeSync } from "node:fs"; process.on("exit", () => writeSync(3, String(process.resourceUsage().maxRSS)));',
)}`;

type Run = { status: number | null; stdout: string; stderr: string; maxRssKiB: number };

/** Runs `sujarit ita score …` as a user would (its own process, no database); `input` is its standard input. */
function itaScore(args: string[], input?: string, nodeFlags: string[] = []): Run {
  const r = spawnSync(process.execPath, [...nodeFlags, '--import', REPORT_MAX_RSS, ...COMMAND, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    input,
    stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
    maxBuffer: 16 * 1024 * 1024,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, maxRssKiB: Number(r.output[3]) };
}

type Breakdown = {
  ita: string | null;
  grade: string | null;
  passed: boolean | null;
  instruments: { code: string; score: string | null; respondents: number | null }[];
  indicators: { number: number; score: string | null }[];
  questions: { id: string; score: string | null; answered: number; missing: number }[];
  checklist: { id: string; disclosed: boolean }[];
};

describe('sujarit ita score', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sujarit-ita-score-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  const seed: [string, Record<string, string>, string][] = [
    ['2564', { IIT: '83.41', EIT: '92.21', OIT: '100.00' }, '92.69'],
    ['2563', { IIT: '80.79', EIT: '84.47', OIT: '97.50' }, '88.58'],
  ];
  for (const [year, instruments, ita] of seed) {
    it(`prints seed 004's FY ${year} scores from a responses file`, () => {
      const r = itaScore([
        '--framework',
        path.join(FIXTURES, 'seed-004-framework.json'),
        '--responses',
        path.join(FIXTURES, `seed-004-${year}.csv`),
      ]);
      assert.equal(r.status, 0, r.stderr);
      const out = JSON.parse(r.stdout) as Breakdown;
      assert.deepEqual(Object.fromEntries(out.instruments.map((i) => [i.code, i.score])), instruments);
      assert.deepEqual([out.ita, out.grade, out.passed], [ita, 'A', true]);
      assert.deepEqual(
        out.instruments.map((i) => i.respondents),
        [40, year === '2564' ? 77 : 73, null],
      );
      assert.deepEqual(
        out.questions.find((q) => q.id === 'i2'),
        { id: 'i2', indicator: 1, score: '94.74', answered: 38, missing: 2 },
      );
      assert.equal(out.checklist.length, 21);
    });
  }

  it('takes a shipped framework by name', () => {
    const csv = path.join(dir, 'some.csv');
    writeFileSync(csv, 'respondent,question,answer\ns1,i1,4\ns1,i4,no\np1,e4,yes\n,o24,yes\n');
    const r = itaScore(['--framework', 'ita-2569.json', '--responses', csv]);
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as Breakdown;
    assert.deepEqual(
      out.questions.filter((q) => ['i1', 'i4', 'e4'].includes(q.id)).map((q) => q.score),
      ['100.00', '100.00', '0.00'],
    );
    assert.equal(out.ita, null); // most indicators have no answers yet
    assert.equal(out.checklist.find((c) => c.id === 'o24')!.disclosed, true);
  });

  it('reads the responses from standard input with -', () => {
    const csv = readFileSync(path.join(FIXTURES, 'seed-004-2564.csv'), 'utf8');
    const r = itaScore(['--framework', path.join(FIXTURES, 'seed-004-framework.json'), '--responses', '-'], csv);
    assert.equal(r.status, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as Breakdown).ita, '92.69');
  });

  /** A responses file in `dir` holding `text`; the arguments that score it under the shipped framework. */
  const responses = (name: string, text: string) => (): string[] => {
    const csv = path.join(dir, name);
    writeFileSync(csv, text);
    return ['--framework', 'ita-2569.json', '--responses', csv];
  };

  const failures: [string, () => string[], RegExp][] = [
    ['no arguments', () => [], /usage: npm run sujarit -- ita score --framework/],
    [
      'an unknown option',
      () => ['--framework', 'ita-2569.json', '--responses', 'x.csv', '--colour'],
      /Unknown option '--colour'/,
    ],
    [
      'a framework that does not exist',
      () => ['--framework', 'ita-2999.json', '--responses', 'x.csv'],
      /framework file not found: ita-2999.json/,
    ],
    [
      'a broken framework, naming each fault',
      () => ['--framework', path.join(FIXTURES, 'broken-framework.json'), '--responses', 'x.csv'],
      /9 faults[\s\S]*questions\[1\]\.scale: unknown scale 'five'[\s\S]*passMark: 86/,
    ],
    [
      'a responses file that does not exist',
      () => ['--framework', 'ita-2569.json', '--responses', path.join(dir, 'absent.csv')],
      /responses file not found/,
    ],
    [
      'a responses file with faults, naming their lines',
      () => {
        const csv = path.join(dir, 'bad.csv');
        writeFileSync(csv, 'respondent,question,answer\ns1,i1,4\ns1,i99,1\ns2,i4,maybe\n');
        return ['--framework', 'ita-2569.json', '--responses', csv];
      },
      /line 3: unknown question i99[\s\S]*line 4: i4 needs yes or no, not 'maybe'/,
    ],
    [
      'a responses file with a header and no answers, saying so',
      responses('header-only.csv', 'respondent,question,answer\r\n'),
      /nothing is answered: the file has the header and no rows/,
    ],
    [
      'a responses file whose answers are all empty',
      responses('all-empty.csv', 'respondent,question,answer\ns1,i1,\ns1,i4,\n,o24,\n'),
      /nothing is answered: all 3 rows have an empty answer/,
    ],
    [
      'a checklist item given twice by different respondents, naming both lines',
      responses('item-twice.csv', 'respondent,question,answer\ns1,i1,4\na1,o24,yes\na2,o24,no\n'),
      /line 4: o24 is given twice, first on line 3/,
    ],
    [
      'a directory given as the responses file',
      () => ['--framework', 'ita-2569.json', '--responses', dir],
      /responses file .+ is a directory, not a file/,
    ],
    [
      'a NUL in a field, naming its line and field',
      responses('nul.csv', 'respondent,question,answer\ns1,i1,4\ns\u00002,i1,3\n'),
      /line 3: the respondent field 's<U\+0000>2' holds U\+0000 NUL/,
    ],
    [
      'a zero-width space in a field, naming its line and field',
      responses('zwsp.csv', 'respondent,question,answer\ns1,i1\u200b,4\n'),
      /line 2: the question field 'i1<U\+200B>' holds U\+200B ZERO WIDTH SPACE, which does not show; delete it/,
    ],
  ];
  for (const [what, args, message] of failures) {
    it(`exits 1 on ${what}`, () => {
      const r = itaScore(args());
      assert.equal(r.status, 1);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /^error: /);
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stderr, /^\s+at /m); // no stack trace
    });
  }

  // `-` is read from fd 0 (a socket here, as Node's pipes are); /dev/stdin is opened by name, so it
  // is given a FIFO, as a shell pipe does.
  const fromStdin: [string, string, string[], RegExp][] = [
    ['-', process.execPath, [...COMMAND, '--framework', 'ita-2569.json', '--responses', '-'], /^error: standard input/],
    [
      '/dev/stdin behind a shell pipe',
      'sh',
      ['-c', `cat | "${process.execPath}" ${COMMAND.join(' ')} --framework ita-2569.json --responses /dev/stdin`],
      /^error: responses file \/dev\/stdin/,
    ],
  ];
  for (const [what, command, args, source] of fromStdin) {
    it(`stops reading standard input (${what}) at the size limit, not at its end`, async () => {
      const child = spawn(command, args, { cwd: ROOT, stdio: ['pipe', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
      child.stdin.on('error', () => {}); // EPIPE once the command has stopped reading
      let isExited = false;
      const exited = once(child, 'exit').finally(() => (isExited = true));
      // Valid rows of ~1 KiB (a distinct respondent each, padded with spaces), sent until the command
      // exits or three times the limit has gone in.
      let written = 0;
      let n = 0;
      const chunk = () => Array.from({ length: 1024 }, () => `s${n++}${' '.repeat(1000)},i1,4\n`).join('');
      child.stdin.write('respondent,question,answer\n');
      while (!isExited && written < 3 * MAX_RESPONSES_CSV_BYTES) {
        const text = chunk();
        written += text.length;
        // once() rejects on EPIPE: the command has stopped reading, and `exited` settles the race.
        if (!child.stdin.write(text)) await Promise.race([once(child.stdin, 'drain').catch(() => {}), exited]);
      }
      child.stdin.end();
      const [status] = await exited;
      assert.ok(written < MAX_RESPONSES_CSV_BYTES + 8 * 1024 * 1024, `${written} bytes were taken in`);
      assert.equal(status, 1, stderr);
      assert.match(stderr, source);
      assert.match(stderr, /is larger than 50 MB \(reading stopped there\)\n$/);
    });
  }

  it('scores large files in memory that grows far slower than the file', async () => {
    // A 24 MiB file scored with V8's heap capped at 32 MiB: a reader that held the rows (strings and
    // arrays, about 15 bytes of heap a byte of file before) cannot finish inside it. The cap, not
    // the peak RSS (which moves with the garbage collector's timing on a busy machine), is the
    // assertion; the RSS of a 12 and a 24 MiB file is printed for the record.
    const framework = loadShippedFramework('ita-2569.json');
    const peaks: string[] = [];
    for (const mib of [12, 24]) {
      const csv = path.join(dir, `large-${mib}.csv`);
      await writeResponsesCsv(csv, framework, mib * 1024 * 1024);
      const run = itaScore(['--framework', 'ita-2569.json', '--responses', csv], undefined, [
        '--max-old-space-size=32',
      ]);
      assert.equal(run.status, 0, run.stderr);
      assert.match((JSON.parse(run.stdout) as Breakdown).ita ?? '', /^\d+\.\d\d$/);
      peaks.push(`${mib} MiB: ${Math.round(run.maxRssKiB / 1024)} MB`);
    }
    console.log(`# ita score peak RSS with a 32 MiB heap: ${peaks.join(', ')}`);
  });
});
