// Section 5 of `npm run bench`: the integrity ledger (src/ledger). Measures, in the run's embedded
// PostgreSQL and against the run's real server:
//   a. the machine's single-core SHA-256 rate of 64-byte inputs (the limit: ~2 hashes per entry);
//   b. entries integrated per second sustained for 20 s, in process, in a database of its own in
//      the same cluster (a fresh ledger), with a producer filling the outbox meanwhile; where the
//      time went (each statement of integrateBatch, hashing, CPU by process);
//   c. time from an append (a submission's 201) to a signed checkpoint that covers it, on the server
//      at its default batch interval;
//   d. requests/s the server answers: tiles, entry bundles, the checkpoint and filing certificates
//      (which carry an inclusion proof), keep-alive, 32 concurrent clients.
// Knobs: BENCH_LEDGER_SECONDS (20), BENCH_LEDGER_BATCH (4096, integrateBatch's max: the server's
// default, SUJARIT_LEDGER_BATCH_ENTRIES 256 × 16), BENCH_LEDGER_COMPARE (16384: other batch sizes,
// comma-separated, each for BENCH_LEDGER_COMPARE_SECONDS, 5; "0" for none), BENCH_LEDGER_HTTP_SECONDS
// (4 per endpoint), BENCH_LEDGER_APPENDS (24).
import { hash, randomBytes } from 'node:crypto';
import type http from 'node:http';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { Kysely, PostgresDialect, sql, type LogEvent } from 'kysely';
import pg from 'pg';
import { loadConfig } from '../src/config/load.ts';
import type { Db } from '../src/db/connection.ts';
import { migrate } from '../src/db/migrate.ts';
import type { Database } from '../src/db/schema.ts';
import { verifyCertificate } from '../src/ledger/certificate.ts';
import { ENTRY_BYTES } from '../src/ledger/events.ts';
import { initLedger } from '../src/ledger/keys.ts';
import { integrateBatch, signLatest } from '../src/ledger/sequencer.ts';
import { TILE_WIDTH, tilePath } from '../src/ledger/tiles.ts';
import { integrate, leafHash } from '../src/ledger/tree.ts';
import {
  envInt,
  fmt,
  machineCpu,
  median,
  percentile,
  postgresPids,
  processCpuSeconds,
  request,
  threadCpuSeconds,
  type Reply,
} from './lib.ts';

export type Row = { metric: string; value: string; limit: string; ratio: string; verdict: 'PASS' | 'BELOW' | 'info' };

export type LedgerBenchContext = {
  /** URL of the run's cluster (database `postgres`); the integration test creates its own database there. */
  clusterUrl: string;
  /** The server's database (migrated), for looking up where a submission's entry landed. */
  db: Db;
  base: string;
  agent: http.Agent;
  serverPid: number;
  postmasterPid: number;
  tmp: string;
  clients: number;
  /** Receipts the server issued earlier in the run (their entries are long since signed). */
  receipts: string[];
  reportBody: (i: number) => Record<string, unknown>;
  say: (line: string) => void;
};

const INTEGRATE_SECONDS = envInt('BENCH_LEDGER_SECONDS', 20);
const BATCH = envInt('BENCH_LEDGER_BATCH', 4096);
const HTTP_SECONDS = envInt('BENCH_LEDGER_HTTP_SECONDS', 4);
const APPENDS = envInt('BENCH_LEDGER_APPENDS', 24);
const COMPARE = (process.env.BENCH_LEDGER_COMPARE ?? '16384')
  .split(',')
  .map(Number)
  .filter((n) => Number.isInteger(n) && n > 0);
const COMPARE_SECONDS = envInt('BENCH_LEDGER_COMPARE_SECONDS', 5);
const APPEND_INTERVAL_MS = 250; // on average (125–375 ms, so that appends fall at every phase of the server's tick): modest, the server stays mostly idle
const APPEND_TIMEOUT_MS = 10_000;
const POLL_MS = 10;
const INTEGRATE_GOAL = 20_000; // entries/s
const LATENCY_GOAL_MS = 1500;
const PRODUCER_ROWS = 4096; // rows per INSERT
/** The producer pauses while the outbox holds more than this: 8 full batches. */
const backlogCap = (max: number) => 8 * Math.max(max, PRODUCER_ROWS);
const HASHES_PER_ENTRY = 2; // a leaf hash, and ~1 node hash per entry amortised over the tiles

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * CPU seconds every PostgreSQL process of the cluster used since this call, counting whole those
 * started meanwhile (a pool opens backends under load); those that exited meanwhile are lost.
 */
function postgresCpuMeter(postmasterPid: number): () => number {
  const before = new Map(postgresPids(postmasterPid).map((pid) => [pid, processCpuSeconds(pid)]));
  return () =>
    postgresPids(postmasterPid).reduce((sum, pid) => sum + processCpuSeconds(pid) - (before.get(pid) ?? 0), 0);
}

// ---------------------------------------------------------------- a. SHA-256 rate

/** Single-core SHA-256 of 64-byte inputs (crypto.hash), hashes/s in each of five 200 ms windows after a warm-up. */
export function sha256Windows(): number[] {
  const buf = randomBytes(64);
  const window = (ms: number) => {
    let n = 0;
    const t0 = performance.now();
    const end = t0 + ms;
    do {
      for (let i = 0; i < 1000; i++) hash('sha256', buf, 'buffer');
      n += 1000;
    } while (performance.now() < end);
    return n / ((performance.now() - t0) / 1000);
  };
  window(200);
  return Array.from({ length: 5 }, () => window(200));
}

/** µs per entry of the sequencer's hashing alone: leafHash of each entry and integrate() on a batch. */
function hashingCostPerEntry(batch: number): number {
  const entries = Array.from({ length: batch }, () => randomBytes(ENTRY_BYTES));
  const times: number[] = [];
  for (let rep = 0; rep < 9; rep++) {
    const t = performance.now();
    integrate(0, new Map(), entries.map(leafHash));
    if (rep >= 2) times.push(performance.now() - t); // the first two warm up the JIT
  }
  return (1000 * median(times)) / batch;
}

// ---------------------------------------------------------------- b. integration throughput

/** The statement a logged query is, by its text (integrateBatch and signLatest). */
function statementOf(text: string): string {
  const s = text.trimStart().slice(0, 80).toLowerCase();
  if (s.startsWith('begin')) return 'begin';
  if (s.startsWith('commit')) return 'commit';
  if (s.includes('pg_advisory_xact_lock')) return 'advisory lock';
  if (s.startsWith('select') && s.includes('"ledger_outbox"')) return 'select outbox batch';
  if (s.startsWith('select') && s.includes('"ledger_tile"')) return 'read right edge';
  if (s.startsWith('select') && s.includes('"ledger_state"')) return 'read state';
  if (s.startsWith('insert into ledger_entry')) return 'insert ledger_entry (unnest)';
  if (s.startsWith('insert into ledger_tile')) return 'upsert ledger_tile (unnest)';
  if (s.startsWith('delete from "ledger_outbox"')) return 'delete from outbox (in-list)';
  if (s.startsWith('update "ledger_state"')) return 'update state (CAS, sign)';
  if (s.startsWith('with moved')) return 'move outbox → ledger_entry (CTE)';
  return 'other';
}

type IntegrationResult = {
  integrated: number;
  elapsedS: number;
  batches: number;
  produced: number;
  backlog: number;
  treeSize: number;
  signedSize: number;
  perSecond: number[];
  statementMs: Map<string, number>;
  dbMs: number;
  integrateMs: number;
  signMs: number;
  cpu: {
    benchMain: number;
    benchOther: number;
    seqBackend: number;
    producerBackend: number;
    pgOther: number;
    server: number;
    machineBusy: number;
    machineIdle: number;
    wall: number;
  };
};

/** integrateBatch, or a changed copy of it to measure before changing src/ledger/sequencer.ts. */
export type IntegrateFn = typeof integrateBatch;

/**
 * A fresh ledger in its own database; a producer in a worker thread inserts entries into the
 * outbox (bench/ledger-producer.ts) while the sequencer, on this thread, integrates batches of
 * `max` (integrateBatch) and signs at least once a second (signLatest).
 */
async function integrationRun(
  ctx: LedgerBenchContext,
  dbUrl: string,
  keyFile: string,
  seconds: number,
  max: number,
  integrateFn: IntegrateFn,
): Promise<IntegrationResult> {
  const statementMs = new Map<string, number>();
  let dbMs = 0;
  const logger = (e: LogEvent) => {
    const k = statementOf(e.query.sql);
    statementMs.set(k, (statementMs.get(k) ?? 0) + e.queryDurationMillis);
    dbMs += e.queryDurationMillis;
  };
  // One connection, as src/db/connection.ts opens them, plus Kysely's query log for the time per statement.
  const pool = new pg.Pool({ connectionString: dbUrl, max: 1, idleTimeoutMillis: 60_000 });
  pool.on('error', () => {});
  const seqDb: Db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), log: logger });
  // [0] integrated (written here), [1] appended (by the producer), [2] stop, [3] the producer's backend pid
  const counters = new Int32Array(new SharedArrayBuffer(4 * Int32Array.BYTES_PER_ELEMENT));
  let worker: Worker | null = null;
  let workerExit: Promise<void> = Promise.resolve();
  try {
    await migrate(seqDb);
    const config = loadConfig({ SUJARIT_PUBLIC_URL: 'https://ledger-bench.invalid', SUJARIT_LEDGER_KEY: keyFile }, [
      '--data',
      path.join(ctx.tmp, 'ledger-bench'),
    ]);
    const key = await initLedger({ db: seqDb, config });
    const seqPid = (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(seqDb)).rows[0].pid;
    const w = new Worker(new URL('./ledger-producer.ts', import.meta.url), {
      workerData: { url: dbUrl, rows: PRODUCER_ROWS, cap: backlogCap(max), counters: counters.buffer },
    });
    worker = w;
    let workerError: Error | null = null;
    workerExit = new Promise((resolve) => {
      w.once('error', (e) => (workerError = e));
      w.once('exit', () => resolve());
    });
    // A backlog to start with, so that the sequencer has full batches from its first one.
    const startBy = performance.now() + 30_000;
    while (Atomics.load(counters, 1) < 4 * max) {
      if (workerError || performance.now() > startBy)
        throw new Error(`ledger producer: ${workerError ?? 'no entries after 30 s'}`);
      await sleep(10);
    }
    // Warm-up (not counted): a few batches, so that statements and the tiles table are warm.
    let integrated = 0;
    for (let i = 0; i < 3; i++) integrated += await integrateFn({ db: seqDb, max });
    Atomics.store(counters, 0, integrated);
    await signLatest({ db: seqDb, key });
    statementMs.clear();
    dbMs = 0;
    const producerPid = Atomics.load(counters, 3);

    const pgCpu = postgresCpuMeter(ctx.postmasterPid);
    const snap = () => ({
      at: performance.now(),
      bench: threadCpuSeconds(process.pid),
      seq: processCpuSeconds(seqPid),
      producer: processCpuSeconds(producerPid),
      pg: pgCpu(),
      server: processCpuSeconds(ctx.serverPid),
      machine: machineCpu(),
      appended: Atomics.load(counters, 1),
    });
    const a = snap();
    const t0 = performance.now();
    const deadline = t0 + seconds * 1000;
    const integratedBefore = integrated;
    let batches = 0;
    let integrateMs = 0;
    let signMs = 0;
    const marks: { t: number; n: number }[] = [{ t: t0, n: 0 }];
    let lastSign = performance.now();
    while (performance.now() < deadline) {
      if (workerError) throw new Error(`ledger producer: ${workerError}`);
      const t = performance.now();
      const n = await integrateFn({ db: seqDb, max });
      const t1 = performance.now();
      integrateMs += t1 - t;
      integrated += n;
      Atomics.store(counters, 0, integrated);
      batches++;
      marks.push({ t: t1, n: integrated - integratedBefore });
      if (n < max || t1 - lastSign >= 1000) {
        await signLatest({ db: seqDb, key });
        lastSign = performance.now();
        signMs += lastSign - t1;
      }
      if (n === 0) await sleep(2);
    }
    const elapsedS = (performance.now() - t0) / 1000;
    const b = snap();
    Atomics.store(counters, 2, 1);
    await workerExit;
    await signLatest({ db: seqDb, key });
    const state = await seqDb.selectFrom('ledger_state').select(['tree_size', 'signed_size']).executeTakeFirstOrThrow();
    const { n: backlog } = (await sql<{ n: number }>`select count(*)::int as n from ledger_outbox`.execute(seqDb))
      .rows[0];
    // Entries integrated in each whole second of the run.
    const perSecond: number[] = [];
    const at = (s: number) => marks.filter((m) => m.t <= t0 + s * 1000).at(-1)!.n;
    for (let s = 1; s <= Math.floor(elapsedS); s++) perSecond.push(at(s) - at(s - 1));
    const benchAll = (x: typeof a.bench) => x.main + x.pool + x.v8 + x.other;
    return {
      integrated: integrated - integratedBefore,
      elapsedS,
      batches,
      produced: b.appended - a.appended,
      backlog,
      treeSize: Number(state.tree_size),
      signedSize: Number(state.signed_size),
      perSecond,
      statementMs,
      dbMs,
      integrateMs,
      signMs,
      cpu: {
        benchMain: b.bench.main - a.bench.main,
        benchOther: benchAll(b.bench) - benchAll(a.bench) - (b.bench.main - a.bench.main),
        seqBackend: b.seq - a.seq,
        producerBackend: b.producer - a.producer,
        pgOther: b.pg - a.pg - (b.seq - a.seq) - (b.producer - a.producer),
        server: b.server - a.server,
        machineBusy: b.machine.busy - a.machine.busy,
        machineIdle: b.machine.idle - a.machine.idle,
        wall: (b.at - a.at) / 1000,
      },
    };
  } finally {
    Atomics.store(counters, 2, 1);
    if (worker) await Promise.race([workerExit, sleep(10_000)]);
    await worker?.terminate();
    await seqDb.destroy().catch(() => {});
  }
}

// ---------------------------------------------------------------- c. append → signed checkpoint

function checkpointSize(note: string): number {
  return Number(note.split('\n')[1]);
}

/** Submissions at a modest rate; each timed from its 201 until /log/checkpoint covers its entry. */
async function appendLatency(
  ctx: LedgerBenchContext,
): Promise<{ latencies: number[]; errors: number; timeouts: number }> {
  const pending = new Map<number, number>(); // outbox id → time of the 201
  const latencies: number[] = [];
  let errors = 0;
  let timeouts = 0;
  const submitter = (async () => {
    const inFlight: Promise<void>[] = [];
    for (let i = 0; i < APPENDS; i++) {
      inFlight.push(
        (async () => {
          const reply = await request(ctx.agent, ctx.base, 'POST', '/api/v1/reports', {
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(ctx.reportBody(900_000 + i)),
          });
          const at = performance.now();
          const reference =
            reply.status === 201 ? (JSON.parse(reply.body) as { reference?: string }).reference : undefined;
          if (!reference) {
            errors++;
            return;
          }
          const row = await sql<{
            outbox_id: number;
          }>`select e.outbox_id from case_ledger_event e join report_case c on c.id = e.case_id where c.reference = ${reference} and e.event = 'submission'`.execute(
            ctx.db,
          );
          if (row.rows.length !== 1) errors++;
          else pending.set(Number(row.rows[0].outbox_id), at);
        })(),
      );
      await sleep(APPEND_INTERVAL_MS * (0.5 + Math.random()));
    }
    await Promise.all(inFlight);
  })();
  let submitting = true;
  void submitter.then(() => (submitting = false));
  const hardStop = performance.now() + 1.5 * APPENDS * APPEND_INTERVAL_MS + APPEND_TIMEOUT_MS + 5000;
  while ((submitting || pending.size > 0) && performance.now() < hardStop) {
    await sleep(POLL_MS);
    if (pending.size === 0) continue;
    const cp = await request(ctx.agent, ctx.base, 'GET', '/log/checkpoint');
    const now = performance.now();
    if (cp.status !== 200) continue;
    const size = checkpointSize(cp.body);
    const ids = [...pending.keys()];
    const rows = await sql<{
      outbox_id: number;
      idx: number;
    }>`select outbox_id, idx from ledger_entry where outbox_id = any(${ids}::bigint[])`.execute(ctx.db);
    for (const r of rows.rows) {
      if (Number(r.idx) < size) {
        latencies.push(now - pending.get(Number(r.outbox_id))!);
        pending.delete(Number(r.outbox_id));
      }
    }
    for (const [id, at] of pending) {
      if (now - at > APPEND_TIMEOUT_MS) {
        timeouts++;
        pending.delete(id);
      }
    }
  }
  await submitter;
  timeouts += pending.size;
  return { latencies, errors, timeouts };
}

// ---------------------------------------------------------------- d. requests/s

type HttpResult = { ok: number; errors: number; samples: string[]; latencies: number[]; elapsedS: number };

async function closedLoopHttp(
  ctx: LedgerBenchContext,
  seconds: number,
  send: (client: number) => Promise<{ ok: boolean; reply: Reply }>,
): Promise<HttpResult> {
  const latencies: number[] = [];
  const samples: string[] = [];
  let ok = 0;
  let errors = 0;
  const t0 = performance.now();
  const deadline = t0 + seconds * 1000;
  await Promise.all(
    Array.from({ length: ctx.clients }, async (_, client) => {
      while (performance.now() < deadline) {
        const { ok: isOk, reply } = await send(client);
        if (isOk) {
          ok++;
          latencies.push(reply.ms);
        } else {
          errors++;
          if (samples.length < 3) samples.push(`${reply.status} ${reply.body.slice(0, 160)}`);
        }
      }
    }),
  );
  return { ok, errors, samples, latencies, elapsedS: (performance.now() - t0) / 1000 };
}

// ---------------------------------------------------------------- the section

/** Section 5: prints as it goes and adds its rows to the summary table. */
export async function ledgerSection(ctx: LedgerBenchContext, rows: Row[]): Promise<void> {
  const { say } = ctx;
  say(
    `\n== 5. ledger: SHA-256 limit; entries integrated/s (${INTEGRATE_SECONDS} s at batch ${BATCH}${COMPARE.map((m) => `, ${COMPARE_SECONDS} s at ${m}`).join('')}); append → signed checkpoint; requests/s`,
  );
  // a. the limit, measured before and after the integration runs (the machine's speed drifts)
  const shaBefore = sha256Windows();
  const hashUs = hashingCostPerEntry(BATCH);
  say(`SHA-256 of 64 bytes, one core, five 200 ms windows: ${shaBefore.map((r) => fmt(r / 1e6, 2)).join(' ')} M/s`);
  say(
    `the sequencer's hashing alone (leafHash + integrate() in memory, batches of ${BATCH}): ${fmt(hashUs, 2)} µs/entry → ${fmt(1e6 / hashUs / 1000, 0)}k entries/s on one core`,
  );
  // b. integration
  const main = await ledgerIntegration(ctx, { hashUs });
  const others: IntegrationFigures[] = [];
  for (const max of COMPARE)
    others.push(await ledgerIntegration(ctx, { hashUs, seconds: COMPARE_SECONDS, max, brief: true }));
  const shaAfter = sha256Windows();
  const sha = median([...shaBefore, ...shaAfter]);
  const limit = sha / HASHES_PER_ENTRY;
  say(
    `SHA-256 re-measured: ${shaAfter.map((r) => fmt(r / 1e6, 2)).join(' ')} M/s; median of all ten ${fmt(sha / 1e6, 2)} M/s → limit ${fmt(limit / 1000, 0)}k entries/s at ${HASHES_PER_ENTRY} hashes per entry`,
  );
  say(
    `ratio to the limit: batch ${BATCH} ${fmt(main.rate / limit, 3)}${others.map((o) => `, batch ${o.max} ${fmt(o.rate / limit, 3)}`).join('')}`,
  );
  rows.push({
    metric: 'SHA-256 of 64 B, one core (median, min–max)',
    value: `${fmt(sha / 1e6, 2)} M/s (${fmt(Math.min(...shaBefore, ...shaAfter) / 1e6, 2)}–${fmt(Math.max(...shaBefore, ...shaAfter) / 1e6, 2)})`,
    limit: '-',
    ratio: '-',
    verdict: 'info',
  });
  for (const r of [main, ...others]) {
    rows.push({
      metric: `Ledger: entries integrated/s, batch ${r.max}, ${r.seconds} s`,
      value: `${fmt(r.rate, 0)} /s`,
      limit: `≥ ${INTEGRATE_GOAL}`,
      ratio: fmt(r.rate / INTEGRATE_GOAL, 2),
      verdict: r.rate >= INTEGRATE_GOAL ? 'PASS' : 'BELOW',
    });
    rows.push({
      metric: `Ledger: integrated/s ÷ SHA-256 limit, batch ${r.max}`,
      value: `${fmt(r.rate, 0)} /s`,
      limit: `${fmt(limit, 0)} /s`,
      ratio: fmt(r.rate / limit, 3),
      verdict: 'info',
    });
  }
  rows.push({
    metric: `Ledger: outbox backlog at the end, batch ${BATCH}`,
    value: main.backlog.toLocaleString('en'),
    limit: '-',
    ratio: '-',
    verdict: 'info',
  });
  rows.push({
    metric: 'Ledger: sequencer CPU, Node + its PostgreSQL',
    value: `${fmt(main.nodeShare * 100, 0)}% + ${fmt(main.pgShare * 100, 0)}% of a core`,
    limit: '-',
    ratio: '-',
    verdict: 'info',
  });
  await ledgerLatency(ctx, rows);
  await ledgerRequests(ctx, rows);
}

type IntegrationFigures = {
  max: number;
  seconds: number;
  rate: number;
  backlog: number;
  nodeShare: number;
  pgShare: number;
};

/** b. Entries integrated/s in a database of its own in the same cluster, with the outbox filled meanwhile. */
export async function ledgerIntegration(
  ctx: LedgerBenchContext,
  {
    hashUs,
    seconds = INTEGRATE_SECONDS,
    max = BATCH,
    integrateFn = integrateBatch,
    brief = false,
  }: { hashUs: number; seconds?: number; max?: number; integrateFn?: IntegrateFn; brief?: boolean },
): Promise<IntegrationFigures> {
  const { say } = ctx;
  const dbName = 'sujarit_ledger_bench';
  await sql.raw(`drop database if exists ${dbName}`).execute(ctx.db);
  await sql.raw(`create database ${dbName}`).execute(ctx.db);
  const url = new URL(ctx.clusterUrl);
  url.pathname = `/${dbName}`;
  let r: IntegrationResult;
  try {
    r = await integrationRun(
      ctx,
      url.toString(),
      path.join(ctx.tmp, `ledger-bench-key-${max}-${Date.now()}.pem`),
      seconds,
      max,
      integrateFn,
    );
  } finally {
    await sql
      .raw(`drop database if exists ${dbName}`)
      .execute(ctx.db)
      .catch(() => {});
  }
  const rate = r.integrated / r.elapsedS;
  const c = r.cpu;
  const pct = (x: number) => `${fmt((100 * x) / c.wall, 0)}%`;
  const others = c.machineBusy - c.benchMain - c.benchOther - c.seqBackend - c.producerBackend - c.pgOther - c.server;
  const busyNote =
    others / c.wall > 0.1 ? ` — other processes took ${pct(others)} of a core: figures are pessimistic` : '';
  say(
    `batch ${max}: integrated ${r.integrated.toLocaleString('en')} entries in ${fmt(r.elapsedS)} s = ${fmt(rate, 0)} /s in ${r.batches} batches (entries per whole second: min ${Math.min(...r.perSecond)}, median ${median(r.perSecond)}, max ${Math.max(...r.perSecond)}); outbox backlog at the end ${r.backlog.toLocaleString('en')}${busyNote}`,
  );
  if (!brief) {
    say(
      `producer (worker thread, ${PRODUCER_ROWS} rows per INSERT … SELECT FROM unnest, paused above a backlog of ${backlogCap(max).toLocaleString('en')}): ${r.produced.toLocaleString('en')} appended = ${fmt(r.produced / r.elapsedS, 0)} /s; tree ${r.treeSize.toLocaleString('en')}, signed ${r.signedSize.toLocaleString('en')}`,
    );
    say(`share of the sequencer's time the hashing alone would take: ${fmt((rate * hashUs) / 1e6, 3)}`);
    const perBatch = (ms: number) =>
      `${fmt(ms / r.batches, 2).padStart(7)} ms/batch ${fmt((100 * ms) / (1000 * r.elapsedS), 0).padStart(3)}%`;
    say(
      `the sequencer's wall time (${fmt(r.elapsedS)} s), by statement (Kysely round trip, driver encoding and decoding included):`,
    );
    for (const [k, ms] of [...r.statementMs.entries()].sort((x, y) => y[1] - x[1]))
      say(`  ${k.padEnd(34)} ${perBatch(ms)}`);
    const jsMs = r.integrateMs + r.signMs - r.dbMs;
    say(
      `  ${'in Node between statements'.padEnd(34)} ${perBatch(jsMs)}   (hashing alone would be ${fmt((hashUs * r.integrated) / 1000 / r.batches, 2)} ms/batch)`,
    );
    say(`  ${'waiting for entries'.padEnd(34)} ${perBatch(1000 * r.elapsedS - r.integrateMs - r.signMs)}`);
    say(
      `CPU, % of one core: sequencer Node thread ${pct(c.benchMain)} + its PostgreSQL backend ${pct(c.seqBackend)} = ${pct(c.benchMain + c.seqBackend)}; producer worker (and GC) ${pct(c.benchOther)} + its backend ${pct(c.producerBackend)}; other PostgreSQL processes ${pct(c.pgOther)}; server ${pct(c.server)}; other processes ${pct(others)}; idle ${pct(c.machineIdle)}`,
    );
    say(
      `  (the sequencer is one chain of round trips: Node and its backend take turns, so their sum near 100% means it is bound by one core's worth of work)`,
    );
  }
  return { max, seconds, rate, backlog: r.backlog, nodeShare: c.benchMain / c.wall, pgShare: c.seqBackend / c.wall };
}

/** c. append → signed checkpoint on the server, at its default batch interval. */
export async function ledgerLatency(ctx: LedgerBenchContext, rows: Row[]): Promise<void> {
  const { say } = ctx;
  const lat = await appendLatency(ctx);
  const p50 = median(lat.latencies);
  const p95 = percentile(lat.latencies, 95);
  say(
    `append → signed checkpoint (server, SUJARIT_LEDGER_BATCH_MS default 1000; ${APPENDS} submissions, one every ${APPEND_INTERVAL_MS / 2}–${(3 * APPEND_INTERVAL_MS) / 2} ms, timed from the 201, /log/checkpoint polled every ${POLL_MS} ms): median ${fmt(p50, 0)} ms, p95 ${fmt(p95, 0)} ms, max ${fmt(Math.max(...lat.latencies), 0)} ms; errors ${lat.errors}, timeouts ${lat.timeouts}`,
  );
  rows.push({
    metric: `Ledger: append → signed checkpoint p95 (median ${fmt(p50, 0)})`,
    value: `${fmt(p95, 0)} ms`,
    limit: `< ${LATENCY_GOAL_MS} ms`,
    ratio: fmt(p95 / LATENCY_GOAL_MS, 2),
    verdict: lat.errors === 0 && lat.timeouts === 0 && p95 < LATENCY_GOAL_MS ? 'PASS' : 'BELOW',
  });
}

/** d. requests/s the server answers on the public log and for filing certificates. */
export async function ledgerRequests(ctx: LedgerBenchContext, rows: Row[]): Promise<void> {
  const { say } = ctx;
  const cpReply = await request(ctx.agent, ctx.base, 'GET', '/log/checkpoint');
  if (cpReply.status !== 200) throw new Error(`GET /log/checkpoint: ${cpReply.status}`);
  const size = checkpointSize(cpReply.body);
  const fullTiles = Math.floor(size / TILE_WIDTH);
  const tileOf = (kind: 0 | 'entries') =>
    fullTiles > 0
      ? `/log/${tilePath({ level: kind, index: Math.floor(Math.random() * fullTiles), width: TILE_WIDTH })}`
      : `/log/${tilePath({ level: kind, index: 0, width: size })}`;
  const expectBytes = (kind: 0 | 'entries') =>
    (fullTiles > 0 ? TILE_WIDTH : size) * (kind === 0 ? 32 : 2 + ENTRY_BYTES);
  const tokens: string[] = [];
  for (const receipt of ctx.receipts.slice(0, ctx.clients)) {
    const s = await request(ctx.agent, ctx.base, 'POST', '/api/v1/reporter/session', {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ receipt }),
    });
    if (s.status === 200) tokens.push((JSON.parse(s.body) as { token: string }).token);
  }
  const vkey = (await request(ctx.agent, ctx.base, 'GET', '/log/vkey')).body.trim();
  say(
    `requests/s, ${ctx.clients} clients, keep-alive, ${HTTP_SECONDS} s each; log of ${size.toLocaleString('en')} entries (${fullTiles} full tiles at level 0, random ones asked); certificates for ${tokens.length} reporters:`,
  );
  const get = async (urlPath: string, isOk: (reply: Reply) => boolean, headers: Record<string, string> = {}) => {
    const reply = await request(ctx.agent, ctx.base, 'GET', urlPath, { headers });
    return { ok: isOk(reply), reply };
  };
  const endpoints: { name: string; send: (client: number) => Promise<{ ok: boolean; reply: Reply }> }[] = [
    {
      name: 'GET /log/checkpoint',
      send: () => get('/log/checkpoint', (r) => r.status === 200 && r.body.includes('\n\n\u2014 ')),
    },
    {
      name: 'GET /log/tile/0/<N>',
      send: () => get(tileOf(0), (r) => r.status === 200 && Number(r.headers['content-length']) === expectBytes(0)),
    },
    {
      name: 'GET /log/tile/entries/<N>',
      send: () =>
        get(
          tileOf('entries'),
          (r) => r.status === 200 && Number(r.headers['content-length']) === expectBytes('entries'),
        ),
    },
  ];
  if (tokens.length > 0) {
    const first = await request(ctx.agent, ctx.base, 'GET', '/followup/case/certificate', {
      headers: { cookie: `sj_reporter=${tokens[0]}` },
    });
    const checked = first.status === 200 ? verifyCertificate(JSON.parse(first.body), vkey) : null;
    if (!checked) throw new Error(`GET /followup/case/certificate: ${first.status} ${first.body.slice(0, 200)}`);
    endpoints.push({
      name: 'GET /followup/case/certificate',
      send: (client) =>
        get('/followup/case/certificate', (r) => r.status === 200 && r.body.includes('"inclusionProof"'), {
          cookie: `sj_reporter=${tokens[client % tokens.length]}`,
        }),
    });
  }
  const snap = (pgCpu: () => number) => {
    const self = process.cpuUsage();
    return {
      server: threadCpuSeconds(ctx.serverPid),
      pg: pgCpu(),
      bench: (self.user + self.system) / 1e6,
      machine: machineCpu(),
    };
  };
  say(
    `  ${''.padEnd(32)} ${'req/s'.padStart(6)}   ${'p50'.padStart(7)} ${'p95'.padStart(7)}  errors   CPU per request: server main | other server threads | PostgreSQL | client; idle`,
  );
  for (const ep of endpoints) {
    const pgCpu = postgresCpuMeter(ctx.postmasterPid);
    const a = snap(pgCpu);
    const h = await closedLoopHttp(ctx, HTTP_SECONDS, ep.send);
    const b = snap(pgCpu);
    const perS = h.ok / h.elapsedS;
    const n = Math.max(1, h.ok + h.errors);
    const ms = (seconds: number) => fmt((1000 * seconds) / n, 3);
    const serverOther = b.server.pool + b.server.v8 + b.server.other - (a.server.pool + a.server.v8 + a.server.other);
    const idle =
      (b.machine.idle - a.machine.idle) / (b.machine.idle - a.machine.idle + (b.machine.busy - a.machine.busy));
    say(
      `  ${ep.name.padEnd(32)} ${fmt(perS, 0).padStart(6)}   ${fmt(median(h.latencies), 1).padStart(4)} ms ${fmt(percentile(h.latencies, 95), 1).padStart(4)} ms  ${String(h.errors).padStart(6)}   ${ms(b.server.main - a.server.main)} | ${ms(serverOther)} | ${ms(b.pg - a.pg)} | ${ms(b.bench - a.bench)} ms; idle ${fmt(100 * idle, 0)}%`,
    );
    for (const e of h.samples) say(`    error: ${e}`);
    rows.push({
      metric: `Ledger: ${ep.name}, ${ctx.clients} clients`,
      value: `${fmt(perS, 0)} /s`,
      limit: '-',
      ratio: '-',
      verdict: h.errors === 0 ? 'info' : 'BELOW',
    });
  }
}
