// A JSON lines file read in worker threads (redFlagsOfFile) gives what one thread reading it whole
// gives (redFlagsOf), byte for byte: the results as printed and the report of the lines, on files
// built to cut badly (invalid, blank, CRLF, package and over-long lines, no final newline, an ocid
// in two ranges, a first currency other than THB or set late, over MAX_REPORTED faults), with 1 to 4
// threads and a split forced at any size.
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { random, syntheticRelease, writeReleases } from '../../bench/redflags.ts';
import { describeReport, redflagsCommand } from '../../src/cli/redflags.ts';
import { fileChunks, MAX_REPORTED, splitAtLines } from '../../src/procurement/json-lines.ts';
import { redFlagsOf } from '../../src/procurement/redflags.ts';
import { firstCurrency, redFlagsOfFile, SPLIT_ABOVE } from '../../src/procurement/redflags-file.ts';
import { resultsJson } from '../../src/procurement/results.ts';
import { CARDINAL_CODES, type CardinalSettings, parseSettings } from '../../src/procurement/settings.ts';
import { THAI_SECTIONS } from '../../src/procurement/thai-settings.ts';

const ALL = [...CARDINAL_CODES, ...THAI_SECTIONS].map((code) => `[${code}]`).join('\n');

let dir = '';
/** 26,000 synthetic releases: just over SPLIT_ABOVE, so the CLI reads them in threads. */
let synthetic = '';
before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'sujarit-redflags-parallel-'));
  synthetic = path.join(dir, 'synthetic.jsonl');
  writeReleases(synthetic, 26_000);
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Asserts that every way of reading `file` in parallel gives what one thread gives. */
async function sameAsSequential(
  file: string,
  settings: CardinalSettings,
  { workers = [1, 2, 3, 4], maxLineBytes }: { workers?: number[]; maxLineBytes?: number } = {},
) {
  const want = await redFlagsOf(fileChunks(file), settings, { maxLineBytes });
  const wantJson = resultsJson(want.results);
  for (const k of workers) {
    const got = await redFlagsOfFile(file, settings, { splitAbove: 0, workers: k, maxLineBytes });
    assert.equal(resultsJson(got.results), wantJson, `results with ${k} threads`);
    assert.deepEqual(got.report, want.report, `report with ${k} threads`);
    assert.deepEqual(
      [got.releases, got.ignored, got.otherCurrency, got.currency],
      [want.releases, want.ignored, want.otherCurrency, want.currency],
      `counts with ${k} threads`,
    );
  }
  return want;
}

/** How many ranges (threads) a file is read in with `k` threads asked for. */
async function rangesOf(file: string, k: number): Promise<number> {
  return (await splitAtLines(file, (await stat(file)).size, k)).length;
}

/** The release flagged by R018 (an open tender with one tenderer). */
const soleTenderer = (line: string) =>
  line
    .replace(/"numberOfTenderers":\d+/, '"numberOfTenderers":1')
    .replace(/"procurementMethod":"\w+"/, '"procurementMethod":"open"');

/**
 * One buyer's purchase from one supplier, all through the file: just under 100,000 baht within 20
 * days (TH_SPLITTING), always the same supplier (TH_CONCENTRATION), a new classification each time
 * (R048, once the supplier has 20 processes). The flags that need releases of several ranges.
 */
function concentrated(line: string, i: number): string {
  const r = JSON.parse(line);
  if (r.awards.length === 0) return line;
  const winner = r.awards[0].suppliers[0].id;
  for (const bid of r.bids.details) for (const t of bid.tenderers) if (t.id === winner) t.id = 'S-CONC';
  r.awards[0].suppliers[0].id = 'S-CONC';
  r.buyer.id = 'B-CONC';
  r.tender.procuringEntity.id = 'B-CONC';
  r.awards[0].value.amount = r.contracts[0].value.amount = 95_000 + i;
  r.contracts[0].dateSigned = new Date(Date.UTC(2023, 5, 1 + (i % 20))).toISOString();
  r.awards[0].items[0].classification.id = `${10 + Math.floor(i / 60)}000000`;
  return JSON.stringify(r);
}

type Edges = { first?: string; lateCurrency?: boolean; longLine?: number };

/**
 * Synthetic releases with every kind of line that could cut badly: invalid JSON (more than
 * MAX_REPORTED of them), blank lines, CRLF endings, release and record packages, an empty package,
 * null, a cancelled tender, bids in USD, one line of `longLine` bytes in the middle, the ocid of an
 * early release again near the end, and no newline after the last line.
 */
function edgeFile(n: number, { first = 'THB', lateCurrency = false, longLine = 0 }: Edges = {}): string {
  const rnd = random(7);
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    let line = syntheticRelease(i, rnd);
    if (i === 0) line = line.replaceAll('"THB"', `"${first}"`);
    if (i % 50 === 3) line = line.replaceAll('"THB"', '"USD"');
    if (lateCurrency && i < n * 0.6) line = line.replace(/,"currency":"[A-Z]{3}"/g, '');
    if (i % 60 === 30) line = concentrated(line, i);
    if (i === 2 || i === n - 3) line = soleTenderer(line.replace(/"ocid":"ocds-bench-\d+"/, '"ocid":"ocds-bench-2"'));
    if (i % 17 === 5) lines.push('{"ocid": "broken", "bids": ');
    if (i % 101 === 7) lines.push('', '   ', '\t');
    if (i % 211 === 11) line = JSON.stringify({ uri: 'p', releases: [JSON.parse(line), { ocid: `extra-${i}` }] });
    if (i % 307 === 13)
      line = JSON.stringify({ records: [{ ocid: 'r', compiledRelease: JSON.parse(line) }, { ocid: 'x' }] });
    if (i === 400) lines.push('{"records": []}', 'null', '{"ocid": "c", "tender": {"status": "cancelled"}}');
    if (i === Math.floor(n / 2) && longLine > 0) {
      lines.push(JSON.stringify({ ...JSON.parse(line), ocid: 'long', filler: 'x'.repeat(longLine) }));
    }
    lines.push(line);
  }
  return lines.map((l, i) => (i === lines.length - 1 ? l : i % 3 === 0 ? `${l}\r\n` : `${l}\n`)).join('');
}

async function written(name: string, text: string): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, text);
  return file;
}

describe('redFlagsOfFile', () => {
  it('gives what one thread gives on 26,000 synthetic releases, with 1 to 4 threads', async () => {
    assert.equal(await rangesOf(synthetic, 4), 4);
    const want = await sameAsSequential(synthetic, parseSettings(ALL));
    assert.equal(want.releases, 26_000);
    assert.ok(want.results.groups.get('OCID')!.size > 1000);
  });

  it('is what `redflags --input FILE` prints for a file over SPLIT_ABOVE', async () => {
    assert.ok((await stat(synthetic)).size > SPLIT_ABOVE);
    const ini = await written('all.ini', ALL);
    const want = await redFlagsOf(fileChunks(synthetic), parseSettings(ALL));
    const got = await redflagsCommand(['--input', synthetic, '--settings', ini]);
    assert.equal(got.stdout, resultsJson(want.results));
    assert.equal(got.stderr, describeReport(want));
  });

  it('cuts badly made files at their lines: invalid, blank, CRLF, packages, a long line, a repeated ocid', async () => {
    const text = edgeFile(3000, { longLine: 6 * 1024 * 1024 });
    const file = await written('edges.jsonl', text);
    assert.ok(!text.endsWith('\n'));
    // The long line is longer than twice a range's spacing (the file is about 10 MiB): it leaves a range out.
    assert.ok((await rangesOf(file, 4)) <= 3);
    assert.ok((await rangesOf(file, 2)) === 2);
    const want = await sameAsSequential(file, parseSettings(ALL));
    assert.ok(want.report.skipped > MAX_REPORTED);
    assert.equal(want.report.faults.length, MAX_REPORTED);
    assert.ok(want.otherCurrency > 0);
    assert.equal(want.ignored, 2); // null and the cancelled tender
    // The repeated ocid keeps its first place, with what both releases set.
    const ocids = [...want.results.groups.get('OCID')!.keys()];
    assert.ok(ocids.indexOf('ocds-bench-2') < 5);
    assert.equal(want.results.groups.get('OCID')!.get('ocds-bench-2')!.R018, 1);
    // Flags made of releases from every range.
    assert.equal(want.results.groups.get('Buyer')!.get('B-CONC')!.TH_CONCENTRATION, 1);
    assert.ok(want.results.groups.get('Tenderer')!.get('S-CONC')!.R048! >= 40);
    const splitting = [...want.results.groups.get('OCID')!.values()].filter((r) => r.TH_SPLITTING !== undefined);
    assert.ok(splitting.length >= 40);
  });

  it('refuses an over-long line in a range as one thread does, with its line number in the file', async () => {
    const file = await written('refused.jsonl', edgeFile(2000, { longLine: 300_000 }));
    const want = await sameAsSequential(file, parseSettings(ALL), { workers: [2, 4], maxLineBytes: 200_000 });
    const refused = want.report.faults.filter((f) => f.reason.startsWith('longer than'));
    assert.equal(refused.length, 1);
    assert.ok(refused[0]!.line > 1000);
  });

  it('compares bids in the first currency a sequential run sees, when it is not THB or comes late', async () => {
    const eur = await written('eur.jsonl', edgeFile(2000, { first: 'EUR' }));
    assert.equal((await sameAsSequential(eur, parseSettings(ALL), { workers: [2, 3] })).currency, 'EUR');
    const late = await written('late.jsonl', edgeFile(2000, { lateCurrency: true }));
    assert.equal(await firstCurrency(late, parseSettings(ALL)), 'THB');
    assert.equal((await sameAsSequential(late, parseSettings(ALL), { workers: [2, 4] })).currency, 'THB');
  });

  it('keeps the settings’ currency, and has none when no indicator compares bids', async () => {
    const file = await written('usd.jsonl', edgeFile(1500));
    const usd = parseSettings(`currency = USD\n${ALL}`);
    assert.equal(await firstCurrency(file, usd), 'USD');
    assert.equal((await sameAsSequential(file, usd, { workers: [2] })).currency, 'USD');
    const noBids = parseSettings('[R003]\n[R025]\n[R048]\n[TH_SPLITTING]\n[TH_CONCENTRATION]');
    assert.equal(await firstCurrency(file, noBids), undefined);
    assert.equal((await sameAsSequential(file, noBids, { workers: [3] })).currency, undefined);
  });

  it('reads a small file, an empty one and one line without a newline in one thread', async () => {
    const small = await written('small.jsonl', edgeFile(200));
    await sameAsSequential(small, parseSettings(ALL), { workers: [4] });
    const empty = await written('empty.jsonl', '');
    assert.deepEqual(await splitAtLines(empty, 0, 4), []);
    const got = await redFlagsOfFile(empty, parseSettings(ALL), { splitAbove: 0, workers: 4 });
    assert.equal(got.report.lines, 0);
    const one = await written('one.jsonl', syntheticRelease(1, random(1)));
    assert.equal(await rangesOf(one, 4), 1);
    await sameAsSequential(one, parseSettings(ALL), { workers: [4] });
  });

  it('fails as one thread fails on a missing file and on a folder', async () => {
    await assert.rejects(redFlagsOfFile(path.join(dir, 'missing.jsonl'), parseSettings(ALL)), { code: 'ENOENT' });
    await assert.rejects(redFlagsOf(fileChunks(dir), parseSettings(ALL)), { code: 'EISDIR' });
    await assert.rejects(redFlagsOfFile(dir, parseSettings(ALL), { splitAbove: 0, workers: 2 }), { code: 'EISDIR' });
  });
});

describe('splitAtLines', () => {
  it('cuts after newlines only, covering the file once, past lines longer than its probe', async () => {
    const long = 'y'.repeat(200_000);
    const text = ['a', long, 'b', 'c', long, 'd'].join('\n');
    const file = await written('split.txt', text);
    for (const k of [1, 2, 3, 5, 8, 40]) {
      const ranges = await splitAtLines(file, text.length, k);
      assert.equal(ranges[0]!.start, 0);
      assert.equal(ranges.at(-1)!.end, text.length);
      for (const [i, r] of ranges.entries()) {
        assert.ok(r.end > r.start);
        if (i > 0) assert.equal(r.start, ranges[i - 1]!.end);
        if (i < ranges.length - 1) assert.equal(text[r.end - 1], '\n');
      }
      assert.ok(ranges.length <= Math.min(k, 6));
    }
  });
});
