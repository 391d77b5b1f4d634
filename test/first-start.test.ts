// The first start names the ledger, for ever, from the public URL. Without SUJARIT_PUBLIC_URL the
// guess is a loopback address: without a terminal (systemd, scripts) the start is refused, naming
// the variable and creating nothing; at a terminal (a new user typing `npm start`) the server asks,
// refuses what is not a URL, and Enter keeps the loopback address for a trial. Once the ledger
// exists, later starts need nothing.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { CHEAP_KDF_ENV, serverFixture } from './support/server.ts';

const ROOT = path.resolve(import.meta.dirname, '..');

type Fixture = Awaited<ReturnType<typeof serverFixture>>;

/** `node src/main.ts` on the fixture without SUJARIT_PUBLIC_URL; `tty`: through script(1), a terminal. */
function start(f: Fixture, tty: boolean, env: Record<string, string> = {}) {
  const args = ['src/main.ts', '--port', '0', '--host', '127.0.0.1', '--data', f.dataDir];
  const quoted = [process.execPath, ...args].map((a) => `'${a}'`).join(' ');
  const child = tty
    ? spawn('script', ['-q', '-e', '-c', quoted, '/dev/null'], { cwd: ROOT, env: envOf(f, env) })
    : spawn(process.execPath, args, { cwd: ROOT, env: envOf(f, env), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<number | null>((r) => child.once('close', (code) => r(code)));
  const waitFor = async (re: RegExp) => {
    for (let i = 0; i < 600 && !re.test(out); i++) {
      if (child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.match(out, re);
  };
  return { child, exited, waitFor, output: () => out, type: (text: string) => child.stdin?.write(text) };
}

function envOf(f: Fixture, env: Record<string, string>): NodeJS.ProcessEnv {
  const { SUJARIT_PUBLIC_URL: _unset, ...rest } = process.env;
  return { ...rest, DATABASE_URL: f.database.url, SUJARIT_LOG_LEVEL: 'warn', ...CHEAP_KDF_ENV, ...env };
}

const originOf = async (f: Fixture) =>
  (await sql<{ origin: string }>`select origin from ledger_state`.execute(f.database.db)).rows[0]?.origin;

describe('the first start and the ledger’s name', () => {
  let f: Fixture;
  before(async () => {
    f = await serverFixture();
  });
  after(() => f.cleanup());

  it('refuses without a terminal, naming SUJARIT_PUBLIC_URL, and creates no ledger', async () => {
    const s = start(f, false);
    assert.equal(await s.exited, 1, s.output());
    assert.match(s.output(), /SUJARIT_PUBLIC_URL is not set/);
    assert.match(s.output(), /http:\/\/127\.0\.0\.1:0 reaches no one but this machine/);
    assert.doesNotMatch(s.output(), /running at|\n {4}at /, 'no start, no stack trace');
    assert.equal(await originOf(f), undefined);
  });

  it('asks at a terminal, refuses what is not a URL, and names the ledger from the answer', async () => {
    const s = start(f, true);
    await s.waitFor(/Public address: /);
    assert.match(s.output(), /press Enter to keep http:\/\/127\.0\.0\.1:0: fine for trying Sujarit on this machine/);
    s.type('report.example.go.th\r');
    await s.waitFor(/SUJARIT_PUBLIC_URL must be an http\(s\) URL[\s\S]*Try again[\s\S]*Public address: /);
    s.type('https://report.example.go.th/\r');
    await s.waitFor(/running at http:\/\/127\.0\.0\.1:\d+/);
    assert.match(s.output(), /Set SUJARIT_PUBLIC_URL=https:\/\/report\.example\.go\.th for the next starts/);
    assert.match(s.output(), /create the platform administrator at https:\/\/report\.example\.go\.th\/staff\/setup\//);
    assert.equal(await originOf(f), 'report.example.go.th/log');
    s.type('\x03'); // Ctrl-C
    await s.exited;
  });

  it('starts without a terminal and without the variable once the ledger is named', async () => {
    const s = start(f, false);
    await s.waitFor(/running at http:\/\/127\.0\.0\.1:\d+/);
    s.child.kill('SIGTERM');
    await s.exited;
    assert.equal(await originOf(f), 'report.example.go.th/log', 'the name never changes');
  });
});

describe('the first start at a terminal, Enter', () => {
  let f: Fixture;
  before(async () => {
    f = await serverFixture();
  });
  after(() => f.cleanup());

  it('keeps the loopback address for a trial, and says so plainly', async () => {
    const s = start(f, true);
    await s.waitFor(/Public address: /);
    s.type('\r');
    await s.waitFor(/running at/);
    assert.match(
      s.output(),
      /Using http:\/\/127\.0\.0\.1:0: this installation is for trying Sujarit on this machine only/,
    );
    assert.equal(await originOf(f), '127.0.0.1:0/log');
    s.type('\x03');
    await s.exited;
  });

  it('does not ask when SUJARIT_PUBLIC_URL names a loopback address explicitly', async () => {
    const g = await serverFixture();
    try {
      const s = start(g, false, { SUJARIT_PUBLIC_URL: 'http://127.0.0.1:8080' });
      await s.waitFor(/running at/);
      s.child.kill('SIGTERM');
      await s.exited;
      assert.equal(await originOf(g), '127.0.0.1:8080/log');
    } finally {
      await g.cleanup();
    }
  });
});
