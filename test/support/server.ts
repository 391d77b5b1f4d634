// Runs the real server (`node src/main.ts`) as a child process on 127.0.0.1 and a free port, on a
// test database, so tests can talk HTTP to it, kill it (-9) and start it again on the same data.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestDatabase, type TestDatabase } from './db.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

export type ServerProcess = {
  url: string;
  child: ChildProcess;
  /** Everything the server wrote to stdout and stderr so far. */
  output: () => string;
  stop: () => Promise<void>;
  kill9: () => Promise<void>;
};

/** The public URL of test servers: a loopback one, set explicitly as the first start requires without a terminal. */
export const TEST_SERVER_PUBLIC_URL = 'http://127.0.0.1:0';

/** Cheap Argon2id unless the caller passes real costs in `env`. */
export const CHEAP_KDF_ENV = { SUJARIT_ALLOW_WEAK_KDF: '1', SUJARIT_KDF_MEMORY_KIB: '64', SUJARIT_KDF_ITERATIONS: '1' };

export async function startServerProcess({
  databaseUrl,
  dataDir,
  env = {},
}: {
  databaseUrl: string | undefined;
  dataDir: string;
  env?: Record<string, string>;
}): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['src/main.ts', '--port', '0', '--host', '127.0.0.1', '--data', dataDir], {
    cwd: ROOT,
    env: {
      ...process.env,
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : { DATABASE_URL: '' }),
      SUJARIT_LOG_LEVEL: 'warn',
      // Without a terminal the first start refuses a guessed public URL; port 0 here means "the
      // address actually bound" for the setup link, as the guess did.
      SUJARIT_PUBLIC_URL: TEST_SERVER_PUBLIC_URL,
      ...CHEAP_KDF_ENV,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (b: Buffer) => {
      output += b.toString();
      const m = /running at (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (m) resolve(m[1]);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (b: Buffer) => (output += b.toString()));
    child.once('exit', (code) => reject(new Error(`server exited (${code}) before it was ready:\n${output}`)));
    // A ceiling, not a speed claim: three workers starting on a loaded 2-core machine took over 60 s.
    setTimeout(() => reject(new Error(`server not ready after 180 s:\n${output}`)), 180_000).unref();
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    url,
    child,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
    kill9: async () => {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** A test database plus a data folder, removed by `cleanup`. */
export async function serverFixture(): Promise<{
  database: TestDatabase;
  dataDir: string;
  cleanup: () => Promise<void>;
}> {
  const database = await createTestDatabase(4);
  const dataDir = await mkdtemp(path.join(tmpdir(), 'sujarit-srv-'));
  return {
    database,
    dataDir,
    cleanup: async () => {
      await database.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** The environment the CLI (runCli) runs with against a fixture's database and data folder. */
export function cliEnvOf(fixture: { database: { url: string }; dataDir: string }): Record<string, string> {
  return {
    DATABASE_URL: fixture.database.url,
    SUJARIT_DATA: fixture.dataDir,
    SUJARIT_LOG_LEVEL: 'warn',
    ...CHEAP_KDF_ENV,
  };
}

/** The pids of the workers (child processes running src/main.ts) of a server started with SUJARIT_WORKERS. */
export async function workerPids(primaryPid: number): Promise<number[]> {
  const found: number[] = [];
  for (const d of (await readdir('/proc')).filter((x) => /^\d+$/.test(x))) {
    const stat = await readFile(`/proc/${d}/stat`, 'utf8').catch(() => '');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid === primaryPid && (await readFile(`/proc/${d}/cmdline`, 'utf8').catch(() => '')).includes('main.ts'))
      found.push(Number(d));
  }
  return found.sort((a, b) => a - b);
}
