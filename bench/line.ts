// Section 7 of `npm run bench` (alone: BENCH_ONLY=line): LINE's webhook, POST /channels/line/webhook,
// on a real server (child process) with the LINE channel on, in a database of its own in the run's
// cluster. LINE_API_BASE points at the stand-in of test/support/line-api.ts, started in this
// process: the worker's replies stay on 127.0.0.1. Measured, in this order:
//   a. the limits, with the server idle: HMAC-SHA256 verifications/s (one core, the SDK's check),
//      fdatasync/s of the cluster's disk (one commit waits for at least one), storeEvents' own
//      INSERT as one autocommit statement from this process at the server's pool size, and
//      GET /healthz (HTTP + one pooled round trip, no commit), all at the same concurrency;
//   b. webhook events accepted (answered 200) per second, keep-alive, BENCH_CLIENTS (32) clients,
//      each request a LINE body signed with the channel secret: one event a request (concurrent
//      requests share commits: the route's group commit), then LINE's batching (BENCH_LINE_BATCH
//      events a request); p50/p99 per request, CPU by process, commits and WAL flushes; GET /healthz
//      again right after one event a request, whose rate is compared with the mean of the two
//      /healthz rates (goal, issue 15: at least 0.8);
//   c. the goal's rate (2,000 events/s) offered as LINE batches on a fixed schedule (open loop):
//      the latency below saturation, timed from each request's scheduled start;
//   d. the worker's throughput: events marked done per second while it works off the backlog;
//   e. every event answered 200 is in line_event exactly once (the run fails otherwise).
// Knobs: BENCH_LINE_SECONDS (10 per phase), BENCH_LINE_BATCH (5), BENCH_LINE_OPEN_SECONDS (5),
// BENCH_LINE_WORKER_SECONDS (6), BENCH_LINE_LIMIT_SECONDS (3 per limit). SUJARIT_DB_POOL passes
// through to the server.
import { randomBytes } from 'node:crypto';
import { open } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { validateSignature } from '@line/bot-sdk';
import { sql } from 'kysely';
import { staffCommandOf } from '../src/channels/line/staff-conversation.ts';
import { connect, type Db } from '../src/db/connection.ts';
import {
  followEvent,
  lineUserId,
  signBody,
  startLineApi,
  textEvent,
  webhookBody,
  type LineApi,
  type WebhookEvent,
} from '../test/support/line-api.ts';
import {
  closedLoop,
  envInt,
  cpuSnapshot,
  fmt,
  median,
  percentile,
  postgresPids,
  request,
  startServer,
  type CpuSnapshot,
  type LoadResult,
  type Reply,
  type ServerChild,
} from './lib.ts';

export type Row = { metric: string; value: string; limit: string; ratio: string; verdict: 'PASS' | 'BELOW' | 'info' };

export type LineBenchContext = {
  clusterUrl: string;
  /** any database of the cluster, to create this section's */
  db: Db;
  postmasterPid: number;
  /** the run's temporary folder (on the cluster's disk): the server's data folder goes inside */
  tmp: string;
  clients: number;
  say: (line: string) => void;
};

const SECONDS = envInt('BENCH_LINE_SECONDS', 10);
const BATCH = envInt('BENCH_LINE_BATCH', 5);
const WORKER_SECONDS = envInt('BENCH_LINE_WORKER_SECONDS', 6);
const LIMIT_SECONDS = envInt('BENCH_LINE_LIMIT_SECONDS', 3);
const OPEN_SECONDS = envInt('BENCH_LINE_OPEN_SECONDS', 5);
const WARM_SECONDS = 2;
const POOL = envInt('SUJARIT_DB_POOL', 16); // the server's default pool
const GOAL_PER_S = 2000;
const GOAL_P99_MS = 50;
const HEALTHZ_SHARE_GOAL = 0.8;
const USERS_PER_CLIENT = 64;
const DB_NAME = 'sujarit_line_bench';
const CORES = os.availableParallelism();

// What people type to an Official Account; the first event of a user is the follow.
const TEXTS = [
  'สวัสดีครับ',
  'ร้องเรียน',
  'มีเรื่องจะแจ้งครับ เจ้าหน้าที่เทศบาลเรียกเงินค่าดำเนินการขออนุญาตก่อสร้าง 5,000 บาท',
  'ยกเลิก',
  'ขอบคุณค่ะ',
  'complaint',
];

type Traffic = (client: number, count: number) => WebhookEvent[];

/** Each client speaks for its own users, in turn, so that a user's events arrive in order. */
function traffic(clients: number): Traffic {
  const users = Array.from({ length: clients }, () =>
    Array.from({ length: USERS_PER_CLIENT }, () => ({ id: lineUserId(), sent: 0 })),
  );
  const turn = new Array<number>(clients).fill(0);
  return (client, count) =>
    Array.from({ length: count }, () => {
      const u = users[client][turn[client]++ % USERS_PER_CLIENT];
      return u.sent++ === 0 ? followEvent(u.id) : textEvent(u.id, TEXTS[u.sent % TEXTS.length]);
    });
}

// ---------------------------------------------------------------- limits

/** The SDK's signature check of a typical one-event body on this core, per second. */
function hmacRate(secret: string): number {
  const body = webhookBody([textEvent(lineUserId(), TEXTS[2])]);
  const signature = signBody(body, secret);
  const buf = Buffer.from(body);
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < 500) {
    for (let i = 0; i < 200; i++) if (validateSignature(buf, secret, signature)) n++;
  }
  return n / ((performance.now() - t0) / 1000);
}

/**
 * The staff-command recognition every reporter event now passes (staff-conversation.ts,
 * staffCommandOf: regular expressions, no database), in µs an event over the bench's texts and a
 * follow; checks that none of them is taken for a staff command.
 */
function staffRecognitionMicros(): number {
  const events = [followEvent(lineUserId()), ...TEXTS.map((x) => textEvent(lineUserId(), x))] as unknown as Parameters<
    typeof staffCommandOf
  >[0][];
  if (events.some((e) => staffCommandOf(e) !== null)) throw new Error('a reporter event was taken for a staff command');
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < 300) {
    for (let i = 0; i < 1000; i++) if (staffCommandOf(events[i % events.length]) === null) n++;
  }
  return ((performance.now() - t0) * 1000) / n;
}

/** Serial 8 KiB write + fdatasync on the cluster's disk for `ms`: what one lone commit waits for. */
async function fdatasyncRate(dir: string, ms = 1000): Promise<number> {
  const file = path.join(dir, 'fsync-probe');
  const fh = await open(file, 'w');
  const page = randomBytes(8192);
  let n = 0;
  try {
    const t0 = performance.now();
    while (performance.now() - t0 < ms) {
      await fh.write(page, 0, page.length, (n % 16) * 8192);
      await fh.datasync();
      n++;
    }
    return n / ((performance.now() - t0) / 1000);
  } finally {
    await fh.close();
  }
}

/**
 * storeEvents' own statement (one event, its sealed size) into a copy of line_event, from this
 * process through a pool of the server's size at the same concurrency: the commit path alone.
 */
async function insertCommitLimit(
  url: string,
  clients: number,
  bodyBytes: number,
): Promise<{ perS: number; p50: number; p99: number }> {
  const db = connect(url, POOL);
  try {
    await sql`create table bench_line_commit (like line_event including all)`.execute(db);
    const body = randomBytes(bodyBytes);
    const times: number[] = [];
    let seq = 0;
    const deadline = performance.now() + LIMIT_SECONDS * 1000;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: clients }, async () => {
        while (performance.now() < deadline) {
          const t = performance.now();
          await sql`
            insert into bench_line_commit (webhook_event_id, body, user_hash)
            select * from unnest(${[`E${seq++}`]}::text[], ${[body]}::bytea[], ${[randomBytes(32)]}::bytea[])
            on conflict (webhook_event_id) do update set redeliveries = bench_line_commit.redeliveries + 1
            returning (xmax = 0) as inserted`.execute(db);
          times.push(performance.now() - t);
        }
      }),
    );
    return { perS: times.length / ((performance.now() - t0) / 1000), p50: median(times), p99: percentile(times, 99) };
  } finally {
    await sql`drop table if exists bench_line_commit`.execute(db).catch(() => {});
    await db.destroy();
  }
}

// ---------------------------------------------------------------- database counters

type DbStats = { commits: number; walFsyncs: number; walBytes: number };

/** Commits of this database, WAL flushes of the cluster (pg_stat_io), WAL position. */
async function dbStats(db: Db): Promise<DbStats> {
  // Backends publish their counters at most once a second: the figures over a phase are close, not exact.
  const { rows } = await sql<{ commits: string; fsyncs: string | null; lsn: string }>`
    select (select xact_commit from pg_stat_database where datname = current_database()) as commits,
      (select sum(fsyncs) from pg_stat_io where object = 'wal') as fsyncs,
      (pg_current_wal_lsn() - '0/0'::pg_lsn) as lsn`.execute(db);
  return { commits: Number(rows[0].commits), walFsyncs: Number(rows[0].fsyncs ?? 0), walBytes: Number(rows[0].lsn) };
}

async function doneCount(db: Db): Promise<{ done: number; pending: number; failed: number; retried: number }> {
  const { rows } = await sql<{ done: number; pending: number; failed: number; retried: number }>`
    select count(*) filter (where state = 'done')::int as done, count(*) filter (where state = 'pending')::int as pending,
      count(*) filter (where state = 'failed')::int as failed, count(*) filter (where attempts > 0)::int as retried from line_event`.execute(
    db,
  );
  return rows[0];
}

// ---------------------------------------------------------------- reports

type CpuPer = {
  serverMain: number;
  serverOther: number;
  pg: number;
  bench: number;
  other: number;
  idlePct: number;
  iowaitPct: number;
  serverPct: number;
  pgPct: number;
  benchPct: number;
  ourShare: number;
};

/** Where the machine's CPU went during a phase, in ms per accepted event and in % of all cores. */
function cpuPer(a: CpuSnapshot, b: CpuSnapshot, events: number): CpuPer {
  const wall = (b.at - a.at) / 1000;
  const n = Math.max(1, events);
  const main = b.threads.main - a.threads.main;
  const server = b.server - a.server;
  const pg = b.postgres - a.postgres;
  const bench = b.bench - a.bench;
  const pct = (s: number) => (100 * s) / (CORES * wall);
  return {
    serverMain: (1000 * main) / n,
    serverOther: (1000 * (server - main)) / n,
    pg: (1000 * pg) / n,
    bench: (1000 * bench) / n,
    other: (1000 * (b.machine.busy - a.machine.busy - server - pg - bench)) / n,
    idlePct: pct(b.machine.idle - a.machine.idle),
    iowaitPct: pct(b.machine.iowait - a.machine.iowait),
    serverPct: pct(server),
    pgPct: pct(pg),
    benchPct: pct(bench),
    ourShare: (server + pg + bench) / (CORES * wall),
  };
}

type Phase = {
  name: string;
  perRequest: number;
  clients: number;
  load: LoadResult;
  eventsPerS: number;
  p50: number;
  p99: number;
  cpu: CpuPer;
  stats: { commits: number; walFsyncs: number; walBytes: number };
  processed: number;
};

function describePhase(p: Phase, say: (line: string) => void): void {
  const events = p.load.ok * p.perRequest;
  say(
    `${p.name}: ${p.load.ok} requests = ${events} events in ${fmt(p.load.elapsedS)} s = ${fmt(p.eventsPerS)} events/s (${fmt(p.load.ok / p.load.elapsedS)} requests/s); errors ${p.load.errors}; per request p50 ${fmt(p.p50)} ms, p99 ${fmt(p.p99)} ms, max ${fmt(Math.max(...p.load.latencies))} ms`,
  );
  for (const e of p.load.errorSamples) say(`  error: ${e}`);
  const c = p.cpu;
  say(
    `  CPU per event: server main ${fmt(c.serverMain, 3)} ms + server other threads ${fmt(c.serverOther, 3)} | PostgreSQL ${fmt(c.pg, 3)} | this process (clients, signing, LINE stand-in) ${fmt(c.bench, 3)} | other processes ${fmt(c.other, 3)} ms`,
  );
  say(
    `  machine (${CORES} cores): server ${fmt(c.serverPct, 0)}%, PostgreSQL ${fmt(c.pgPct, 0)}%, this process ${fmt(c.benchPct, 0)}%, idle ${fmt(c.idlePct, 0)}%, iowait ${fmt(c.iowaitPct, 0)}%`,
  );
  // Exact by construction: events/s = (cores ÷ our CPU per event) × the share of the machine we had.
  const ours = c.serverMain + c.serverOther + c.pg + c.bench;
  say(
    `  CPU bound: ${CORES} cores ÷ ${fmt(ours, 3)} ms (server + PostgreSQL + this process) = ${fmt((1000 * CORES) / ours, 0)} events/s with the machine to ourselves (server + PostgreSQL alone, without this load generator: ${fmt((1000 * CORES) / (ours - c.bench), 0)}/s); we had ${fmt(100 * c.ourShare, 0)}% of it (other processes ${fmt(c.other, 3)} ms an event, idle ${fmt(c.idlePct, 0)}%)`,
  );
  say(
    `  Little's law: ${p.load.latencies.length > 0 ? `${p.clients} requests in flight ÷ ${fmt(p.load.ok / p.load.elapsedS, 0)} requests/s = ${fmt((1000 * p.clients) / (p.load.ok / p.load.elapsedS), 1)} ms mean latency` : 'n/a'}: at a fixed concurrency the latency falls only as the rate rises`,
  );
  say(
    `  database: ${p.stats.commits} commits (${fmt(p.stats.commits / Math.max(1, p.load.ok), 2)} a request, the worker's included), ${p.stats.walFsyncs} WAL flushes (${fmt(p.stats.commits / Math.max(1, p.stats.walFsyncs), 1)} commits a flush), ${fmt(p.stats.walBytes / Math.max(1, events), 0)} WAL bytes an event; worker processed ${p.processed} events meanwhile`,
  );
}

// ---------------------------------------------------------------- the section

type Run = {
  base: string;
  agent: http.Agent;
  secret: string;
  db: Db;
  snapshot: () => CpuSnapshot;
  gen: Traffic;
  accepted: Set<string>;
  uncertain: Set<string>;
};

/** One webhook call as LINE makes it: `perRequest` fresh events of `client`'s users, signed. */
async function sendWebhook(r: Run, client: number, perRequest: number): Promise<{ ok: boolean; reply: Reply }> {
  const events = r.gen(client, perRequest);
  const body = webhookBody(events);
  const reply = await request(r.agent, r.base, 'POST', '/channels/line/webhook', {
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'user-agent': 'LineBotWebhook/2.0',
      'x-line-signature': signBody(body, r.secret),
    },
    body,
  });
  const ok = reply.status === 200 && reply.body === `{"received":${events.length}}`;
  // A request that failed may still have committed (a timeout after the insert): neither sure nor lost.
  for (const e of events) (ok ? r.accepted : r.uncertain).add(e.webhookEventId);
  return { ok, reply };
}

async function phase(r: Run, name: string, perRequest: number, seconds: number, clients: number): Promise<Phase> {
  const send = (client: number) => sendWebhook(r, client, perRequest);
  const s0 = await dbStats(r.db);
  const d0 = await doneCount(r.db);
  const load = await closedLoop({ seconds, clients, send, snapshot: r.snapshot });
  const s1 = await dbStats(r.db);
  const d1 = await doneCount(r.db);
  return {
    name,
    perRequest,
    clients,
    load,
    eventsPerS: (load.ok * perRequest) / load.elapsedS,
    p50: median(load.latencies),
    p99: percentile(load.latencies, 99),
    cpu: cpuPer(load.cpuBefore, load.cpuAfter, load.ok * perRequest),
    stats: {
      commits: s1.commits - s0.commits,
      walFsyncs: s1.walFsyncs - s0.walFsyncs,
      walBytes: s1.walBytes - s0.walBytes,
    },
    processed: d1.done - d0.done,
  };
}

/** Events done per second over `seconds`, sampled each second while the backlog lasts, and the CPU they took. */
async function workerRate(
  r: Run,
  seconds: number,
): Promise<{ perS: number; cpu: CpuPer; after: Awaited<ReturnType<typeof doneCount>> }> {
  const before = await doneCount(r.db);
  const cpuBefore = r.snapshot();
  const t0 = performance.now();
  let after = before;
  while (performance.now() - t0 < seconds * 1000 && after.pending > 0) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    after = await doneCount(r.db);
  }
  const processed = after.done - before.done;
  return {
    perS: processed / ((performance.now() - t0) / 1000),
    cpu: cpuPer(cpuBefore, r.snapshot(), processed),
    after,
  };
}

/** Every event answered 200 is stored exactly once, and nothing is stored that was not sent. Throws otherwise. */
async function verifyStored(
  db: Db,
  accepted: Set<string>,
  uncertain: Set<string>,
): Promise<{ stored: number; uncertainStored: number }> {
  const { rows } = await sql<{
    id: string;
    redeliveries: number;
  }>`select webhook_event_id as id, redeliveries from line_event`.execute(db);
  const seen = new Set<string>();
  const problems: string[] = [];
  let uncertainStored = 0;
  for (const row of rows) {
    if (seen.has(row.id)) problems.push(`${row.id} stored twice`);
    seen.add(row.id);
    if (row.redeliveries !== 0) problems.push(`${row.id} counted as redelivered ${row.redeliveries} times`);
    if (uncertain.has(row.id)) uncertainStored++;
    else if (!accepted.has(row.id)) problems.push(`${row.id} stored but never sent`);
  }
  let missing = 0;
  for (const id of accepted) if (!seen.has(id)) missing++;
  if (missing > 0) problems.unshift(`${missing} of ${accepted.size} events answered 200 are not in line_event`);
  if (problems.length > 0)
    throw new Error(`LINE webhook durability: ${problems.length} problems: ${problems.slice(0, 10).join('; ')}`);
  return { stored: rows.length, uncertainStored };
}

/** Section 7: prints as it goes and adds its rows to the summary table. */
export async function lineSection(ctx: LineBenchContext, rows: Row[]): Promise<void> {
  const { say, clients } = ctx;
  say(
    `\n== 7. LINE webhook: POST /channels/line/webhook, ${clients} clients, keep-alive, ${SECONDS} s at 1 and at ${BATCH} events a request; server pool ${POOL}`,
  );
  await sql.raw(`drop database if exists ${DB_NAME}`).execute(ctx.db);
  await sql.raw(`create database ${DB_NAME}`).execute(ctx.db);
  const url = new URL(ctx.clusterUrl);
  url.pathname = `/${DB_NAME}`;
  const secret = randomBytes(16).toString('hex');
  const agent = new http.Agent({ keepAlive: true, maxSockets: clients + 2 });
  let lineApi: LineApi | null = null;
  let server: ServerChild | null = null;
  let db: Db | null = null;
  try {
    lineApi = await startLineApi();
    server = await startServer({
      databaseUrl: url.toString(),
      dataDir: path.join(ctx.tmp, 'line-server'),
      env: { LINE_CHANNEL_SECRET: secret, LINE_CHANNEL_ACCESS_TOKEN: lineApi.accessToken, LINE_API_BASE: lineApi.url },
    });
    db = connect(url.toString(), 2);
    const serverPid = server.child.pid!;
    const settings = (
      await sql<{
        name: string;
        setting: string;
      }>`select name, setting from pg_settings where name in ('fsync', 'synchronous_commit', 'wal_sync_method', 'commit_delay', 'max_connections', 'shared_buffers')`.execute(
        db,
      )
    ).rows;
    say(
      `server pid ${serverPid} at ${server.url}, LINE stand-in at ${lineApi.url}; PostgreSQL ${settings.map((s) => `${s.name}=${s.setting}`).join(', ')}`,
    );
    const run: Run = {
      base: server.url,
      agent,
      secret,
      db,
      snapshot: () => cpuSnapshot(serverPid, postgresPids(ctx.postmasterPid)),
      gen: traffic(clients),
      accepted: new Set(),
      uncertain: new Set(),
    };
    const limits = await measureLimits(run, url.toString(), ctx, clients);
    const { phases, healthzAfter } = await measurePhases(run, clients, say);
    // The goal's rate in LINE's batching, offered on a schedule: the latency below saturation.
    const open = await openLoop(run, BATCH, GOAL_PER_S / BATCH, OPEN_SECONDS, clients);
    say(
      `c. open loop at the goal's rate: ${fmt(open.offeredPerS, 0)} events/s offered as ${fmt(GOAL_PER_S / BATCH, 0)} requests/s of ${BATCH} for ${OPEN_SECONDS} s: ${open.ok} of ${open.sent} answered 200, errors ${open.errors}; from the scheduled start p50 ${fmt(open.p50)} ms, p99 ${fmt(open.p99)} ms, max ${fmt(open.max)} ms`,
    );
    const workerRow = await reportWorker(run, lineApi, phases, say);
    const v = await verifyStored(db, run.accepted, run.uncertain);
    say(
      `stored: ${v.stored} rows in line_event = ${run.accepted.size} events answered 200 + ${v.uncertainStored} of ${run.uncertain.size} whose request failed; each once, none redelivered`,
    );
    report(phases, open, { ...limits, healthzAfter }, v, run, say, rows);
    rows.push(workerRow);
  } catch (e) {
    if (server) console.error(`LINE bench server output (last lines):\n${server.output().slice(-3000)}`);
    throw e;
  } finally {
    agent.destroy();
    await server?.stop().catch(() => {});
    await db?.destroy().catch(() => {});
    await lineApi?.close().catch(() => {});
    await sql
      .raw(`drop database if exists ${DB_NAME}`)
      .execute(ctx.db)
      .catch(() => {});
  }
}

type Limits = {
  hmacPerS: number;
  fsyncPerS: number;
  insert: { perS: number; p50: number; p99: number };
  healthz: LoadResult;
  bodyBytes: number;
};

/** GET /healthz in a closed loop: HTTP and one pooled round trip, the trivial endpoint's rate. */
function healthzLoad(r: Run, clients: number): Promise<LoadResult> {
  return closedLoop({
    seconds: LIMIT_SECONDS,
    clients,
    snapshot: r.snapshot,
    send: async () => {
      const reply = await request(r.agent, r.base, 'GET', '/healthz');
      return { ok: reply.status === 200, reply };
    },
  });
}

async function measureLimits(r: Run, url: string, ctx: LineBenchContext, clients: number): Promise<Limits> {
  const { say } = ctx;
  const hmacPerS = hmacRate(r.secret);
  const fsyncPerS = await fdatasyncRate(ctx.tmp);
  // The sealed size of a typical event: its JSON plus the AEAD's 12-byte nonce and 16-byte tag.
  const bodyBytes = Buffer.byteLength(JSON.stringify(textEvent(lineUserId(), TEXTS[2]))) + 28;
  const insert = await insertCommitLimit(url, clients, bodyBytes);
  const healthz = await healthzLoad(r, clients);
  say('limits, server idle:');
  say(`  HMAC-SHA256 signature check (SDK), one core: ${fmt(hmacPerS, 0)} /s (${fmt(1e6 / hmacPerS, 1)} µs each)`);
  say(
    `  fdatasync of 8 KiB on the cluster's disk, one at a time: ${fmt(fsyncPerS, 0)} /s (${fmt(1000 / fsyncPerS, 2)} ms each)`,
  );
  say(
    `  storeEvents' INSERT of one event, autocommit, ${clients} concurrent through a pool of ${POOL}, from this process: ${fmt(insert.perS, 0)} commits/s, p50 ${fmt(insert.p50)} ms, p99 ${fmt(insert.p99)} ms`,
  );
  const h = cpuPer(healthz.cpuBefore, healthz.cpuAfter, healthz.ok);
  say(
    `  GET /healthz (HTTP + select 1, no commit), ${clients} clients: ${fmt(healthz.ok / healthz.elapsedS, 0)} requests/s, p50 ${fmt(median(healthz.latencies))} ms, p99 ${fmt(percentile(healthz.latencies, 99))} ms, errors ${healthz.errors}; CPU a request: server ${fmt(h.serverMain + h.serverOther, 3)} ms, PostgreSQL ${fmt(h.pg, 3)} ms, this process ${fmt(h.bench, 3)} ms; we had ${fmt(100 * h.ourShare, 0)}% of the machine`,
  );
  return { hmacPerS, fsyncPerS, insert, healthz, bodyBytes };
}

async function measurePhases(
  r: Run,
  clients: number,
  say: (line: string) => void,
): Promise<{ phases: Phase[]; healthzAfter: LoadResult }> {
  const warm = await phase(r, 'warm-up', 1, WARM_SECONDS, clients);
  say(`warm-up: ${warm.load.ok} requests, ${warm.load.errors} errors in ${fmt(warm.load.elapsedS)} s (not counted)`);
  const single = await phase(r, 'a. 1 event a request', 1, SECONDS, clients);
  describePhase(single, say);
  // /healthz again right after (a): the goal compares (a) with the mean of the rates around it, as
  // the share of the machine other processes leave drifts during a run.
  const healthz = await healthzLoad(r, clients);
  say(
    `GET /healthz again, right after a: ${fmt(healthz.ok / healthz.elapsedS, 0)} requests/s, p50 ${fmt(median(healthz.latencies))} ms, errors ${healthz.errors}`,
  );
  const batched = await phase(r, `b. ${BATCH} events a request`, BATCH, SECONDS, clients);
  describePhase(batched, say);
  return { phases: [single, batched], healthzAfter: healthz };
}

type OpenLoop = {
  offeredPerS: number;
  sent: number;
  ok: number;
  errors: number;
  p50: number;
  p99: number;
  max: number;
};

/**
 * Requests started on a fixed schedule (`requestsPerS`), whatever the answers: the latency a caller
 * sees at that rate, timed from each request's scheduled start so that a stall counts in full.
 */
async function openLoop(
  r: Run,
  perRequest: number,
  requestsPerS: number,
  seconds: number,
  clients: number,
): Promise<OpenLoop> {
  const latencies: number[] = [];
  const inFlight = new Set<Promise<void>>();
  let sent = 0;
  let errors = 0;
  const t0 = performance.now();
  const total = Math.round(requestsPerS * seconds);
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - t0) / 1000) * requestsPerS) + 1);
    for (; sent < due; sent++) {
      const scheduled = t0 + (1000 * sent) / requestsPerS;
      const p = sendWebhook(r, sent % clients, perRequest).then(({ ok }) => {
        if (ok) latencies.push(performance.now() - scheduled);
        else errors++;
      });
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
    }
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  await Promise.all(inFlight);
  return {
    offeredPerS: requestsPerS * perRequest,
    sent,
    ok: latencies.length,
    errors,
    p50: median(latencies),
    p99: percentile(latencies, 99),
    max: Math.max(...latencies),
  };
}

/** Prints the worker's figures; returns its summary row. */
async function reportWorker(r: Run, lineApi: LineApi, phases: Phase[], say: (line: string) => void): Promise<Row> {
  const w = await workerRate(r, WORKER_SECONDS);
  const { n: sent } = (
    await sql<{ n: number }>`select count(*)::int as n from line_outbox where state = 'sent'`.execute(r.db)
  ).rows[0];
  const duringPerS = phases.reduce((s, p) => s + p.processed, 0) / phases.reduce((s, p) => s + p.load.elapsedS, 0);
  say(
    `worker, after the bursts: ${fmt(w.perS)} events done/s over ${WORKER_SECONDS} s (during the bursts: ${fmt(duringPerS)}/s); ${w.after.done} done, ${w.after.pending} pending (≈ ${fmt(w.after.pending / Math.max(0.1, w.perS) / 60, 0)} min to drain at this rate), ${w.after.failed} failed, ${w.after.retried} retried; ${sent} answers sent, ${lineApi.deliveries.length} reached the LINE stand-in`,
  );
  say(
    `  CPU per processed event: server ${fmt(w.cpu.serverMain + w.cpu.serverOther, 3)} ms, PostgreSQL ${fmt(w.cpu.pg, 3)} ms; machine: server ${fmt(w.cpu.serverPct, 0)}%, PostgreSQL ${fmt(w.cpu.pgPct, 0)}%, idle ${fmt(w.cpu.idlePct, 0)}% (one event at a time, one transaction each)`,
  );
  if (sent === 0 && w.after.pending > 0)
    say(
      '  no answer was sent: the worker sends the outbox only once no event is pending (src/channels/line/worker.ts, runOnce), so under a backlog reply tokens expire and answers go out later as pushes',
    );
  if (w.after.retried > 0) {
    const errors = (
      await sql<{
        e: string;
        n: number;
      }>`select last_error as e, count(*)::int as n from line_event where attempts > 0 group by 1 order by 2 desc limit 5`.execute(
        r.db,
      )
    ).rows;
    say(
      `  WARNING: processing failed at least once for ${w.after.retried} events: ${errors.map((e) => `${e.e} ×${e.n}`).join(', ')}`,
    );
  }
  return {
    metric: 'LINE worker: events processed/s, after | during the bursts',
    value: `${fmt(w.perS)} | ${fmt(duringPerS)} /s`,
    limit: '-',
    ratio: '-',
    verdict: 'info',
  };
}

function report(
  phases: Phase[],
  open: OpenLoop,
  l: Limits & { healthzAfter: LoadResult },
  v: { stored: number; uncertainStored: number },
  r: Run,
  say: (line: string) => void,
  rows: Row[],
): void {
  const [single, batched] = phases;
  const healthzBefore = l.healthz.ok / l.healthz.elapsedS;
  const healthzAfter = l.healthzAfter.ok / l.healthzAfter.elapsedS;
  const healthzPerS = (healthzBefore + healthzAfter) / 2;
  say(
    `a ÷ the INSERT commit limit: ${fmt(single.eventsPerS / l.insert.perS, 2)}; a ÷ GET /healthz: ${fmt(single.eventsPerS / healthzPerS, 2)}; b's requests/s ÷ a's: ${fmt(batched.load.ok / batched.load.elapsedS / (single.load.ok / single.load.elapsedS), 2)}`,
  );
  for (const p of phases) {
    const isOk = p.load.errors === 0;
    rows.push({
      metric: `LINE webhook events/s, ${p.perRequest} a request, ${SECONDS} s`,
      value: `${fmt(p.eventsPerS)} /s`,
      limit: `≥ ${GOAL_PER_S} /s`,
      ratio: fmt(p.eventsPerS / GOAL_PER_S, 2),
      verdict: isOk && p.eventsPerS >= GOAL_PER_S ? 'PASS' : 'BELOW',
    });
    // Batched, the closed loop runs at several times the goal's rate, where 32 clients always in
    // flight make latency 32 ÷ requests/s: its p99 is shown; the goal's p99 is the open loop's below.
    rows.push({
      metric: `LINE webhook p99 per request, ${p.perRequest} a request (p50 ${fmt(p.p50)})`,
      value: `${fmt(p.p99)} ms`,
      limit: `< ${GOAL_P99_MS} ms`,
      ratio: fmt(p.p99 / GOAL_P99_MS, 2),
      verdict: p.perRequest > 1 ? 'info' : isOk && p.p99 < GOAL_P99_MS ? 'PASS' : 'BELOW',
    });
    rows.push({
      metric: `LINE CPU/event, ${p.perRequest} a request: server | PostgreSQL | client`,
      value: `${fmt(p.cpu.serverMain + p.cpu.serverOther, 3)} | ${fmt(p.cpu.pg, 3)} | ${fmt(p.cpu.bench, 3)} ms`,
      limit: '-',
      ratio: '-',
      verdict: 'info',
    });
    const bound = (1000 * CORES) / (p.cpu.serverMain + p.cpu.serverOther + p.cpu.pg + p.cpu.bench);
    rows.push({
      metric: `LINE ${p.perRequest} a request: CPU bound × our share of the machine`,
      value: `${fmt(bound, 0)} /s × ${fmt(p.cpu.ourShare, 2)}`,
      limit: `≥ ${GOAL_PER_S} /s`,
      ratio: fmt(bound / GOAL_PER_S, 2),
      verdict: 'info',
    });
  }
  rows.push({
    metric: `LINE p99 at ${GOAL_PER_S} events/s offered, ${BATCH} a request, open loop`,
    value: `${fmt(open.p99)} ms`,
    limit: `< ${GOAL_P99_MS} ms`,
    ratio: fmt(open.p99 / GOAL_P99_MS, 2),
    verdict: open.p99 < GOAL_P99_MS ? 'PASS' : 'BELOW',
  });
  rows.push({
    metric: `LINE limit: storeEvents INSERT commits/s, pool ${POOL}`,
    value: `${fmt(l.insert.perS, 0)} /s`,
    limit: '-',
    ratio: fmt(single.eventsPerS / l.insert.perS, 2),
    verdict: 'info',
  });
  // Issue 15: at one event a request the webhook (signature, seal, durable commit) holds at least
  // 0.8 of the trivial endpoint's rate in the same run.
  const ofHealthz = single.eventsPerS / healthzPerS;
  rows.push({
    metric: 'LINE 1 a request ÷ GET /healthz (mean of before | after a)',
    value: `${fmt(single.eventsPerS, 0)} ÷ ${fmt(healthzPerS, 0)} (${fmt(healthzBefore, 0)} | ${fmt(healthzAfter, 0)}) /s`,
    limit: '≥ 0.8',
    ratio: fmt(ofHealthz, 2),
    verdict: single.load.errors === 0 && ofHealthz >= HEALTHZ_SHARE_GOAL ? 'PASS' : 'BELOW',
  });
  rows.push({
    metric: 'LINE limit: HMAC check | fdatasync, one at a time',
    value: `${fmt(l.hmacPerS, 0)} | ${fmt(l.fsyncPerS, 0)} /s`,
    limit: '-',
    ratio: '-',
    verdict: 'info',
  });
  // Issue 19: staff commands are told apart without a database round trip for a reporter's event.
  const recognition = staffRecognitionMicros();
  rows.push({
    metric: 'LINE staff-command recognition, a reporter event (0 queries)',
    value: `${fmt(recognition, 2)} µs`,
    limit: '-',
    ratio: '-',
    verdict: 'info',
  });
  // verifyStored has thrown if any was missing, doubled or unknown.
  rows.push({
    metric: 'LINE events answered 200, stored exactly once',
    value: `${v.stored - v.uncertainStored} of ${r.accepted.size}`,
    limit: 'all',
    ratio: '-',
    verdict: 'PASS',
  });
}
