// Stopping the platform as its users do: SIGTERM or SIGINT to `npm start` (what a terminal's Ctrl-C,
// systemd or a process manager sends) ends every process it started: npm, node and the embedded
// PostgreSQL, which must not stay behind holding the data folder. The server says it stopped.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { CHEAP_KDF_ENV } from './support/server.ts';

const ROOT = path.resolve(import.meta.dirname, '..');

/** The pids of every process whose command line names `needle` (the test's own data folder). */
async function processesNaming(needle: string): Promise<number[]> {
  const found: number[] = [];
  for (const pid of (await readdir('/proc')).filter((d) => /^\d+$/.test(d))) {
    const cmd = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmd.includes(needle) && Number(pid) !== process.pid) found.push(Number(pid));
  }
  return found;
}

async function until(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}

describe('stopping npm start', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal} to npm ends npm, node and the embedded PostgreSQL, and says so`, async () => {
      const dataDir = await mkdtemp(path.join(tmpdir(), 'sujarit-stop-'));
      try {
        const npm = spawn('npm', ['start', '--', '--port', '0', '--host', '127.0.0.1', '--data', dataDir], {
          cwd: ROOT,
          env: {
            ...process.env,
            DATABASE_URL: '',
            SUJARIT_PUBLIC_URL: 'https://sujarit.example.go.th',
            SUJARIT_LOG_LEVEL: 'warn',
            ...CHEAP_KDF_ENV,
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let out = '';
        npm.stdout.on('data', (b: Buffer) => (out += b.toString()));
        npm.stderr.on('data', (b: Buffer) => (out += b.toString()));
        const exited = new Promise<number | null>((r) => npm.once('exit', (code) => r(code)));
        assert.ok(await until(async () => /running at http/.test(out), 120_000), `started:\n${out}`);
        const started = await processesNaming(dataDir);
        assert.ok(started.length >= 2, `node and PostgreSQL run on the data folder: ${started.length}`);

        npm.kill(signal);
        await exited;
        assert.ok(
          await until(async () => (await processesNaming(dataDir)).length === 0, 30_000),
          `nothing is left running on the data folder after ${signal}: ${await processesNaming(dataDir)}\n${out}`,
        );
        assert.match(out, /Sujarit stopped/);
        // Work started at start-up (the open-data release of the month just over) is waited for,
        // not cut off by the database closing under it.
        assert.doesNotMatch(out, /release failed|pool|Connection terminated/i);
      } finally {
        for (const pid of await processesNaming(dataDir)) process.kill(pid, 'SIGKILL');
        await rm(dataDir, { recursive: true, force: true });
      }
    });
  }
});
