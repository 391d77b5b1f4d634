// Section of `npm run bench`: procurement red flags (src/procurement) over BENCH_REDFLAGS_RELEASES
// (1,000,000) synthetic OCDS compiled releases streamed from a file on disk, in fresh child
// processes (bench/redflags-child.ts): every Cardinal indicator and Thai flag at once, against only
// reading and JSON-parsing the same lines (goal: at least half that rate), and the peak resident
// memory of the red-flag run (goal: under 1 GiB). Medians of BENCH_REDFLAGS_RUNS (3) children each.
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { RedFlagsChildReport } from './redflags-child.ts';
import { envInt, fmt, median, ROOT } from './lib.ts';

type Row = { metric: string; value: string; limit: string; ratio: string; verdict: 'PASS' | 'BELOW' | 'info' };

const RELEASES = envInt('BENCH_REDFLAGS_RELEASES', 1_000_000);
const RUNS = envInt('BENCH_REDFLAGS_RUNS', 3);
const RATE_GOAL = 0.5;
const RSS_GOAL_MiB = 1024;
const MiB = 1024 * 1024;

/** A fixed-seed generator (mulberry32): the same file on every run. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const METHODS = ['open', 'selective', 'limited'] as const;
const DETAILS = ['วิธีประกาศเชิญชวนทั่วไป', 'วิธีคัดเลือก', 'วิธีเฉพาะเจาะจง'] as const;

/** One synthetic release: 1 to 5 bids, mostly valid, the lowest valid one awarded, items classified. */
export function syntheticRelease(i: number, rnd: () => number): string {
  const m = Math.floor(rnd() * 3);
  const buyer = `B${Math.floor(rnd() * 500)}`;
  const start = Date.UTC(2023, Math.floor(rnd() * 12), 1 + Math.floor(rnd() * 28));
  const end = start + (14 + Math.floor(rnd() * 30)) * 86_400_000;
  const reference = 10_000 + Math.floor(rnd() * 990_000);
  const n = rnd() < 0.1 ? 1 : 3 + Math.floor(rnd() * 4);
  const bids = [];
  let winner = '';
  let low = Number.POSITIVE_INFINITY;
  for (let b = 0; b < n; b++) {
    const tenderer = `T${Math.floor(rnd() * 20_000)}`;
    const amount = Math.round(reference * (0.6 + rnd() * 0.4));
    const status = rnd() < 0.1 ? 'disqualified' : 'valid';
    if (status === 'valid' && amount < low) [low, winner] = [amount, tenderer];
    const date = new Date(end - (rnd() < 0.02 ? -3_600_000 : Math.floor(rnd() * 5 * 86_400_000))).toISOString();
    bids.push({ id: String(b), status, date, tenderers: [{ id: tenderer }], value: { amount, currency: 'THB' } });
  }
  const signed = new Date(end + 7 * 86_400_000).toISOString();
  const items = [
    { id: '1', classification: { scheme: 'UNSPSC', id: String(10_000_000 + Math.floor(rnd() * 89_999_999)) } },
  ];
  return JSON.stringify({
    ocid: `ocds-bench-${i}`,
    buyer: { id: buyer },
    tender: {
      status: 'complete',
      procurementMethod: METHODS[m],
      procurementMethodDetails: DETAILS[m],
      procuringEntity: { id: buyer },
      numberOfTenderers: n,
      value: { amount: reference, currency: 'THB' },
      tenderPeriod: { startDate: new Date(start).toISOString(), endDate: new Date(end).toISOString() },
    },
    bids: { details: bids },
    awards:
      winner === ''
        ? []
        : [
            {
              id: '1',
              status: 'active',
              date: signed,
              value: { amount: low, currency: 'THB' },
              suppliers: [{ id: winner }],
              items,
            },
          ],
    contracts:
      winner === ''
        ? []
        : [{ id: '1', awardID: '1', status: 'active', dateSigned: signed, value: { amount: low, currency: 'THB' } }],
  });
}

/** Writes `count` releases to `file`, 4 MiB at a time; returns its size in bytes. */
export function writeReleases(file: string, count: number): number {
  const rnd = random(16);
  const fd = openSync(file, 'w');
  try {
    let batch: string[] = [];
    let bytes = 0;
    for (let i = 0; i < count; i++) {
      const line = syntheticRelease(i, rnd);
      batch.push(line);
      bytes += line.length;
      if (bytes > 4 * MiB || i === count - 1) {
        writeSync(fd, `${batch.join('\n')}\n`);
        batch = [];
        bytes = 0;
      }
    }
  } finally {
    closeSync(fd);
  }
  return statSync(file).size;
}

function child(mode: 'parse' | 'flags', file: string): RedFlagsChildReport {
  const r = spawnSync(process.execPath, ['bench/redflags-child.ts', mode, file], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    maxBuffer: 64 * MiB,
  });
  const report = r.output[3]?.toString() ?? '';
  if (r.status !== 0 || report === '') throw new Error(`redflags-child ${mode}: ${r.status} ${r.stderr.toString()}`);
  return JSON.parse(report) as RedFlagsChildReport;
}

/** Section 14: red flags over a million releases; pushes the rate and memory goals. */
export async function redFlagsSection(say: (l: string) => void, rows: Row[]): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sujarit-bench-redflags-'));
  try {
    const file = path.join(dir, 'releases.jsonl');
    const t0 = performance.now();
    const size = writeReleases(file, RELEASES) / MiB;
    say(
      `red flags: ${RELEASES.toLocaleString('en')} releases, ${fmt(size)} MiB, generated in ${fmt((performance.now() - t0) / 1000)} s; ${RUNS} fresh children per way, medians`,
    );
    const parse = Array.from({ length: RUNS }, () => child('parse', file));
    const flags = Array.from({ length: RUNS }, () => child('flags', file));
    const rate = (reports: RedFlagsChildReport[]) => RELEASES / (median(reports.map((r) => r.ms)) / 1000);
    const [parseRate, flagRate] = [rate(parse), rate(flags)];
    const rss = Math.max(...flags.map((r) => r.maxRssKiB)) / 1024;
    say(
      `  read + JSON.parse only: ${fmt(parseRate, 0)} releases/s (${fmt(size / (median(parse.map((r) => r.ms)) / 1000))} MiB/s)`,
    );
    say(
      `  all red flags:          ${fmt(flagRate, 0)} releases/s; ${flags[0]!.flagged.toLocaleString('en')} processes flagged; peak RSS ${fmt(rss)} MiB (parse only: ${fmt(Math.max(...parse.map((r) => r.maxRssKiB)) / 1024)} MiB)`,
    );
    const ratio = flagRate / parseRate;
    rows.push(
      {
        metric: `red flags rate ÷ read + parse rate, ${RELEASES.toLocaleString('en')} releases`,
        value: `${fmt(flagRate, 0)} /s`,
        limit: `≥ ${RATE_GOAL} × ${fmt(parseRate, 0)} /s`,
        ratio: fmt(ratio, 2),
        verdict: ratio >= RATE_GOAL ? 'PASS' : 'BELOW',
      },
      {
        metric: 'red flags peak RSS',
        value: `${fmt(rss)} MiB`,
        limit: `< ${RSS_GOAL_MiB} MiB`,
        ratio: fmt(rss / RSS_GOAL_MiB, 2),
        verdict: rss < RSS_GOAL_MiB ? 'PASS' : 'BELOW',
      },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
