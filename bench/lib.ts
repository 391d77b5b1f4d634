// Small helpers for bench/run.ts: a lean keep-alive HTTP client, statistics, CPU accounting from
// /proc (Linux) and the real server started as a child process with the production Argon2id cost.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { sql } from 'kysely';
import { loadConfig, MIN_KDF } from '../src/config/load.ts';
import { sealTo } from '../src/crypto/sealed-box.ts';
import { loadSecrets } from '../src/crypto/secrets.ts';
import { connect, type Db } from '../src/db/connection.ts';
import { migrate } from '../src/db/migrate.ts';
import { createFilingGate } from '../src/intake/filing-cost.ts';
import { createLoginLimits } from '../src/intake/login-throttle.ts';
import { initLedger } from '../src/ledger/keys.ts';
import { addStaffUser } from '../src/staff/add-user.ts';
import { staffLogin } from '../src/staff/session.ts';
import { totpCode } from '../src/staff/totp.ts';
import { buildApp } from '../src/web/app.ts';

/** A positive whole number from the environment (a bench knob), or `fallback`. */
export function envInt(name: string, fallback: number): number {
  const n = Number(process.env[name]);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

export const ROOT = path.resolve(import.meta.dirname, '..');

// ---------------------------------------------------------------- statistics

/** Nearest-rank percentile of an unsorted list (p from 0 to 100). */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1];
}

export const median = (values: number[]): number => percentile(values, 50);

export function fmt(n: number, digits = 1): string {
  return Number.isFinite(n) ? n.toFixed(digits) : 'n/a';
}

// ---------------------------------------------------------------- HTTP client

export type Reply = { status: number; body: string; headers: http.IncomingHttpHeaders; ms: number };

/**
 * One request over a shared keep-alive agent. Never rejects: a network error or a timeout is
 * status 0 with the message as body, so load loops count it as an error and go on.
 */
export function request(
  agent: http.Agent,
  base: string,
  method: string,
  urlPath: string,
  opts: { headers?: Record<string, string>; body?: string | Buffer; timeoutMs?: number } = {},
): Promise<Reply> {
  const url = new URL(urlPath, base);
  const started = performance.now();
  return new Promise((resolve) => {
    const headers: Record<string, string | number> = { ...opts.headers };
    if (opts.body !== undefined) headers['content-length'] = Buffer.byteLength(opts.body);
    const req = http.request(
      { agent, host: url.hostname, port: url.port, path: url.pathname + url.search, method, headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
            headers: res.headers,
            ms: performance.now() - started,
          }),
        );
        res.on('error', (e) => resolve({ status: 0, body: e.message, headers: {}, ms: performance.now() - started }));
      },
    );
    req.setTimeout(opts.timeoutMs ?? 30_000, () => req.destroy(new Error('timeout')));
    req.on('error', (e) => resolve({ status: 0, body: e.message, headers: {}, ms: performance.now() - started }));
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

export function postJson(
  agent: http.Agent,
  base: string,
  urlPath: string,
  value: unknown,
  headers: Record<string, string> = {},
): Promise<Reply> {
  return request(agent, base, 'POST', urlPath, {
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(value),
  });
}

// ---------------------------------------------------------------- closed-loop load

export type LoadResult = {
  ok: number;
  errors: number;
  errorSamples: string[];
  latencies: number[];
  elapsedS: number;
  cpuBefore: CpuSnapshot;
  cpuAfter: CpuSnapshot;
};

/** `clients` loops, each sending its next request when the previous one answers, until `seconds` pass. */
export async function closedLoop({
  seconds,
  clients,
  send,
  snapshot,
}: {
  seconds: number;
  clients: number;
  send: (client: number, seq: number) => Promise<{ ok: boolean; reply: Reply }>;
  snapshot: () => CpuSnapshot;
}): Promise<LoadResult> {
  const latencies: number[] = [];
  const errorSamples: string[] = [];
  let ok = 0;
  let errors = 0;
  let seq = 0;
  const cpuBefore = snapshot();
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      while (performance.now() < deadline) {
        const { ok: isOk, reply } = await send(client, seq++);
        if (isOk) {
          ok++;
          latencies.push(reply.ms);
        } else {
          errors++;
          if (errorSamples.length < 5) errorSamples.push(`${reply.status} ${reply.body.slice(0, 200)}`);
        }
      }
    }),
  );
  const cpuAfter = snapshot();
  return { ok, errors, errorSamples, latencies, elapsedS: (performance.now() - started) / 1000, cpuBefore, cpuAfter };
}

// ---------------------------------------------------------------- CPU accounting (/proc)

const TICKS_PER_SECOND = 100; // USER_HZ on Linux x86-64 and arm64

/** CPU seconds (user + system) a process has used, or 0 when it is gone or /proc is missing. */
export function processCpuSeconds(pid: number, statFile = `/proc/${pid}/stat`): number {
  try {
    const stat = readFileSync(statFile, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields[0] is field 3 (state)
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND; // utime, stime
  } catch {
    return 0;
  }
}

/**
 * CPU seconds (user + system) of a process's children that have exited and been waited for: a
 * postmaster's autovacuum workers and closed backends, whose time would otherwise vanish from a
 * sum over the live processes between two snapshots.
 */
export function reapedChildrenCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[13]) + Number(fields[14])) / TICKS_PER_SECOND; // cutime, cstime
  } catch {
    return 0;
  }
}

/**
 * CPU seconds of a process by thread group: `main` (the event loop), `pool` (libuv-worker threads:
 * Argon2id runs there), `v8` (garbage collection and compilation helpers) and `other`.
 */
export function threadCpuSeconds(pid: number): { main: number; pool: number; v8: number; other: number } {
  const out = { main: 0, pool: 0, v8: 0, other: 0 };
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const comm = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
      const seconds = processCpuSeconds(Number(tid), `/proc/${pid}/task/${tid}/stat`);
      if (Number(tid) === pid) out.main += seconds;
      else if (comm === 'libuv-worker') out.pool += seconds;
      else if (comm.startsWith('V8')) out.v8 += seconds;
      else out.other += seconds;
    }
  } catch {
    // the process or /proc is gone: zeros
  }
  return out;
}

function parentOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return -1;
  }
}

/** The postmaster and every process it started (backends, checkpointer, WAL writer, ...). */
export function postgresPids(postmasterPid: number): number[] {
  const pids = [postmasterPid];
  try {
    for (const name of readdirSync('/proc')) {
      const pid = Number(name);
      if (Number.isInteger(pid) && parentOf(pid) === postmasterPid) pids.push(pid);
    }
  } catch {
    // no /proc: the breakdown is left out
  }
  return pids;
}

/** Whole-machine CPU time from /proc/stat, in seconds: busy (user+nice+system+irq+softirq+steal), idle, iowait. */
export function machineCpu(): { busy: number; idle: number; iowait: number; steal: number } {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
    const [user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
    return {
      busy: (user + nice + system + irq + softirq + (steal ?? 0)) / TICKS_PER_SECOND,
      idle: idle / TICKS_PER_SECOND,
      iowait: iowait / TICKS_PER_SECOND,
      steal: (steal ?? 0) / TICKS_PER_SECOND,
    };
  } catch {
    return { busy: 0, idle: 0, iowait: 0, steal: 0 };
  }
}

/** A snapshot of who has used how much CPU; `since` gives the differences to an earlier one. */
export type CpuSnapshot = {
  at: number;
  server: number;
  threads: ReturnType<typeof threadCpuSeconds>;
  postgres: number;
  bench: number;
  machine: ReturnType<typeof machineCpu>;
};

export function cpuSnapshot(serverPid: number, pgPids: number[]): CpuSnapshot {
  const self = process.cpuUsage();
  return {
    at: performance.now(),
    server: processCpuSeconds(serverPid),
    threads: threadCpuSeconds(serverPid),
    // pgPids[0] is the postmaster (postgresPids): its exited children count too.
    postgres:
      pgPids.reduce((sum, pid) => sum + processCpuSeconds(pid), 0) +
      (pgPids.length > 0 ? reapedChildrenCpuSeconds(pgPids[0]) : 0),
    bench: (self.user + self.system) / 1e6,
    machine: machineCpu(),
  };
}

// ---------------------------------------------------------------- the real server

export type ServerChild = { url: string; child: ChildProcess; output: () => string; stop: () => Promise<void> };

/**
 * Starts `node src/main.ts` on 127.0.0.1 and a free port with the production Argon2id cost: every
 * KDF variable is removed from the inherited environment, so the server uses MIN_KDF and refuses
 * anything weaker. Other variables (UV_THREADPOOL_SIZE, SUJARIT_DB_POOL, ...) pass through.
 */
export async function startServer({
  databaseUrl,
  dataDir,
  env: extraEnv = {},
}: {
  databaseUrl: string;
  dataDir: string /** added to the environment (e.g. the LINE channel's variables) */;
  env?: Record<string, string>;
}): Promise<ServerChild> {
  const env: Record<string, string | undefined> = { ...process.env };
  for (const key of Object.keys(env)) {
    if (
      key.startsWith('SUJARIT_KDF_') ||
      key === 'SUJARIT_ALLOW_WEAK_KDF' ||
      key === 'SUJARIT_DATA' ||
      key === 'PORT' ||
      key === 'HOST'
    )
      delete env[key];
  }
  const child = spawn(process.execPath, ['src/main.ts', '--port', '0', '--host', '127.0.0.1', '--data', dataDir], {
    cwd: ROOT,
    env: {
      SUJARIT_PUBLIC_URL: 'http://127.0.0.1:0',
      ...env,
      ...extraEnv,
      DATABASE_URL: databaseUrl,
      SUJARIT_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr!.on('data', (b: Buffer) => (output = (output + b.toString()).slice(-20_000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server not ready after 60 s:\n${output}`)), 60_000);
    child.stdout!.on('data', (b: Buffer) => {
      output = (output + b.toString()).slice(-20_000);
      const m = /running at (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}) before it was ready:\n${output}`));
    });
  });
  return {
    url,
    child,
    output: () => output,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * Runs a section on a database of its own in the bench's cluster, with a server of its own and a
 * keep-alive agent for `sockets` clients; whatever happens, the agent, the server, the pool and
 * the database are taken down, and a failure prints the server's last output first.
 */
export async function withSectionServer<T>(
  ctx: { clusterUrl: string; db: Db; tmp: string },
  { name, sockets, env = {} }: { name: string; sockets: number; env?: Record<string, string> },
  run: (s: { server: ServerChild; db: Db; agent: http.Agent; base: string }) => Promise<T>,
): Promise<T> {
  const dbName = `sujarit_${name}_bench`;
  await sql.raw(`drop database if exists ${dbName}`).execute(ctx.db);
  await sql.raw(`create database ${dbName}`).execute(ctx.db);
  const url = new URL(ctx.clusterUrl);
  url.pathname = `/${dbName}`;
  const agent = new http.Agent({ keepAlive: true, maxSockets: sockets });
  let server: ServerChild | null = null;
  let db: Db | null = null;
  try {
    server = await startServer({ databaseUrl: url.toString(), dataDir: path.join(ctx.tmp, `${name}-server`), env });
    db = connect(url.toString(), 2);
    return await run({ server, db, agent, base: server.url });
  } catch (e) {
    if (server) console.error(`${name} bench server output (last lines):\n${server.output().slice(-3000)}`);
    throw e;
  } finally {
    agent.destroy();
    await server?.stop().catch(() => {});
    await db?.destroy().catch(() => {});
    await sql
      .raw(`drop database if exists ${dbName}`)
      .execute(ctx.db)
      .catch(() => {});
  }
}

/**
 * A recipient (intake officer and identity custodian) at the production Argon2id cost, with a
 * second factor enrolled as an authenticator app would be: `totp` sealed to them, and
 * `recoveryHashes` when given. Returns their id.
 */
export async function addEnrolledStaff(
  db: Db,
  opts: { agencyCode: string; email: string; password: string; totp: Buffer; recoveryHashes?: Buffer[] },
): Promise<number> {
  const { id } = await addStaffUser({
    db,
    kdf: MIN_KDF,
    agencyCode: opts.agencyCode,
    email: opts.email,
    roles: ['intake_officer', 'identity_custodian'],
    password: opts.password,
  });
  const { public_key } = await db
    .selectFrom('staff_user')
    .select('public_key')
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  await db
    .updateTable('staff_user')
    .set({
      totp_sealed: sealTo(public_key as Buffer, opts.totp),
      ...(opts.recoveryHashes ? { recovery_hashes: opts.recoveryHashes } : {}),
    })
    .where('id', '=', id)
    .execute();
  return id;
}

/**
 * The web app in this process on `db` (for sections measuring pages through app.inject, as a
 * browser would ask them: session, queries, audit, view), and a staff session token of `email`
 * whose second factor is `totp`. The caller closes the app.
 */
export async function inProcessApp(
  db: Db,
  dataDir: string,
  staff: { email: string; password: string; totp: Buffer },
): Promise<{ app: Awaited<ReturnType<typeof buildApp>>; token: string }> {
  const config = loadConfig({ SUJARIT_DATA: dataDir, SUJARIT_LOG_LEVEL: 'silent' }, []);
  const limits = createLoginLimits(config.loginLimits);
  const { token } = await staffLogin({
    db,
    kdf: MIN_KDF,
    limits,
    email: staff.email,
    password: staff.password,
    code: totpCode(staff.totp),
  });
  const ledgerKey = await initLedger({ db, config });
  const secrets = await loadSecrets(dataDir);
  const filingGate = createFilingGate({ db, cookieKey: secrets.cookieKey, params: config.filing });
  const app = await buildApp({ config, db, secrets, limits, filingGate, ledgerVkey: () => ledgerKey.vkey });
  await app.ready();
  return { app, token };
}

/**
 * Runs `fn` on a database of its own, `name`, in the run's cluster (made afresh and migrated; dropped
 * afterwards whatever happens), for the sections that seed millions of rows.
 */
export async function withOwnDatabase<T>(
  ctx: { clusterUrl: string; db: Db },
  name: string,
  fn: (db: Db) => Promise<T>,
): Promise<T> {
  await sql.raw(`drop database if exists ${name}`).execute(ctx.db);
  await sql.raw(`create database ${name}`).execute(ctx.db);
  const url = new URL(ctx.clusterUrl);
  url.pathname = `/${name}`;
  const db = connect(url.toString(), 4);
  try {
    await migrate(db);
    return await fn(db);
  } finally {
    await db.destroy();
    await sql
      .raw(`drop database if exists ${name}`)
      .execute(ctx.db)
      .catch(() => {});
  }
}
