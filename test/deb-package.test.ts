// The Debian package on this machine, as an agency's IT officer installs it: `npm run package`
// builds it offline; `apt-get install ./sujarit_N.deb` installs it (user, folders, conffile); the
// unit passes `systemd-analyze verify`; the installed command starts with the unit's own command
// line, environment file, user and folder (no systemd runs here); a report is filed through Caddy
// over HTTPS with the shipped Caddyfile (`tls internal` on loopback high ports, the client trusting
// Caddy's own CA); the onion listener refuses staff pages; `tor --verify-config` accepts the shipped
// torrc; N+1 installs over N and the receipt still opens; purge keeps the data unless asked.
// It needs root, apt, dpkg-deb, caddy and tor (.ci/run installs them), and a machine where Sujarit
// is not installed for real: it installs and purges the package.
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildDeb, packageVersion } from '../deploy/build-deb.ts';

const ONION_HOST = '2gzyxa5ihm7nsggfxnu52rck2vv4rvmdlkiu3zzui5du4xyclen53wid.onion';
const MARKER = '/var/lib/sujarit/.installed-by-package-test';
const UNIT = '/lib/systemd/system/sujarit.service';
const ENV_FILE = '/etc/sujarit/sujarit.env';

const has = (cmd: string) => {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};
const installedVersion = () => {
  try {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own format, not a template
    return execFileSync('dpkg-query', ['-W', '-f=${Status} ${Version}', 'sujarit'], { encoding: 'utf8' });
  } catch {
    return '';
  }
};
const isInstalled = () => installedVersion().includes('install ok installed');

/** Why this machine cannot run the test, or null. */
function unsuitable(): string | null {
  if (process.getuid?.() !== 0) return 'needs root (it installs a package)';
  for (const cmd of ['apt-get', 'dpkg-deb', 'caddy', 'tor', 'setpriv']) if (!has(cmd)) return `needs ${cmd}`;
  if (isInstalled() && !existsSync(MARKER)) return 'Sujarit is installed on this machine for real: not touching it';
  return null;
}
const skip = unsuitable();

function apt(args: string[], env: Record<string, string> = {}): string {
  // unsafe-io: dpkg skips its fsync calls, which take most of an install's time (a test machine).
  const opts = ['-o', 'Dpkg::Options::=--force-confold', '-o', 'Dpkg::Options::=--force-unsafe-io'];
  return execFileSync('apt-get', ['-y', '-q', ...opts, ...args], {
    encoding: 'utf8',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function purgeEverything(): void {
  if (isInstalled() || installedVersion().includes('config-files'))
    apt(['purge', 'sujarit'], { SUJARIT_PURGE_DATA: 'yes' });
  rmSync('/var/lib/sujarit', { recursive: true, force: true });
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** The unit's [Service] settings that start it: user, folder, environment file, command line. */
function unitOf(text: string) {
  const get = (key: string) => new RegExp(`^${key}=(.*)$`, 'm').exec(text)?.[1]?.trim() ?? '';
  return {
    user: get('User'),
    group: get('Group'),
    dir: get('WorkingDirectory'),
    envFile: get('EnvironmentFile'),
    exec: get('ExecStart').split(/\s+/),
  };
}

/** An EnvironmentFile as systemd reads it: VAR=value lines, comments and blanks skipped, quotes removed. */
function envFileOf(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (m)
      env[m[1]] = m[2]
        .trim()
        .replace(/^"(.*)"$/, '$1')
        .replace(/^'(.*)'$/, '$1');
  }
  return env;
}

type Proc = {
  child: ChildProcess;
  output: () => string;
  waitFor: (re: RegExp) => Promise<void>;
  stop: () => Promise<void>;
};

function run(cmd: string, args: string[], opts: { cwd?: string; env: NodeJS.ProcessEnv }): Proc {
  const child = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (out += b.toString()));
  const closed = new Promise<void>((r) => child.once('close', () => r()));
  return {
    child,
    output: () => out,
    waitFor: async (re) => {
      for (let i = 0; i < 1200 && !re.test(out) && child.exitCode === null; i++)
        await new Promise((r) => setTimeout(r, 100));
      assert.match(out, re);
    },
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await closed;
    },
  };
}

/** Starts the installed server the way its unit does: the unit's user, folder, environment file and command. */
async function startAsTheUnit(): Promise<Proc> {
  const unit = unitOf(readFileSync(UNIT, 'utf8'));
  // What systemd sets for a unit with User= (the user's passwd entry), then the environment file.
  const [, , , , , home, shell] = execFileSync('getent', ['passwd', unit.user], { encoding: 'utf8' }).trim().split(':');
  const env = {
    PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    USER: unit.user,
    LOGNAME: unit.user,
    HOME: home,
    SHELL: shell,
    ...envFileOf(readFileSync(unit.envFile, 'utf8')),
  };
  const [cmd, ...args] = unit.exec;
  const p = run('setpriv', [`--reuid=${unit.user}`, `--regid=${unit.group}`, '--init-groups', '--', cmd, ...args], {
    cwd: unit.dir,
    env,
  });
  await p.waitFor(/Sujarit is running at/);
  return p;
}

/** An HTTPS request to Caddy on loopback that trusts only Caddy's internal CA. */
function https(
  port: number,
  ca: Buffer | undefined, // undefined: Node's public roots only
  method: string,
  url: string,
  body?: unknown,
  token?: string,
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        servername: 'localhost',
        port,
        method,
        path: url,
        ca,
        headers: {
          host: `localhost:${port}`,
          ...(body ? { 'content-type': 'application/json' } : {}),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
      },
      (res) => {
        let text = '';
        res.on('data', (b: Buffer) => (text += b.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body ? JSON.stringify(body) : undefined);
  });
}

async function httpGet(port: number, url: string): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://127.0.0.1:${port}${url}`);
  return { status: res.status, body: await res.text() };
}

describe('the Debian package', { skip: skip ?? false }, () => {
  let work: string;
  const debs: { file: string; version: string }[] = [];
  const ports = { app: 0, https: 0, http: 0, onion: 0 };
  let caddy: Proc | null = null;
  let server: Proc | null = null;
  let caCert: Buffer;
  let receipt = '';
  let pgDir = '';

  before(async () => {
    purgeEverything(); // what an earlier, interrupted run of this test left
    work = mkdtempSync(path.join(tmpdir(), 'sujarit-deb-test-'));
    for (const key of Object.keys(ports) as (keyof typeof ports)[]) ports[key] = await freePort();
  });
  after(async () => {
    await server?.stop();
    await caddy?.stop();
    if (pgDir && existsSync(path.join(pgDir, 'data/postmaster.pid')))
      execFileSync(
        'runuser',
        [
          '-u',
          'postgres',
          '--',
          path.join(pgBin() as string, 'pg_ctl'),
          '-D',
          path.join(pgDir, 'data'),
          '-m',
          'fast',
          'stop',
        ],
        { stdio: 'ignore' },
      );
    purgeEverything();
    rmSync(work, { recursive: true, force: true });
  });

  it('builds sujarit_<version>_amd64.deb offline, and N+1 with a bumped version', () => {
    const base = packageVersion();
    for (const n of [1, 2]) {
      const started = Date.now();
      const built = buildDeb({ outDir: work, version: `${base}+test${n}` });
      const mb = statSync(built.file).size / 1e6;
      console.log(
        `built ${path.basename(built.file)}: ${mb.toFixed(1)} MB in ${((Date.now() - started) / 1000).toFixed(1)} s`,
      );
      assert.match(path.basename(built.file), /^sujarit_.+_amd64\.deb$/);
      debs.push(built);
    }
    const files = execFileSync('dpkg-deb', ['-c', debs[0].file], { encoding: 'utf8', maxBuffer: 64 << 20 });
    for (const f of [
      './usr/bin/sujarit',
      './usr/lib/sujarit/node',
      './lib/systemd/system/sujarit.service',
      './etc/sujarit/sujarit.env',
    ])
      assert.ok(files.includes(f), f);
    assert.ok(files.includes('./usr/lib/sujarit/app/node_modules/fastify/'), 'production dependencies');
    for (const dev of ['typescript', '@biomejs', 'playwright-core', 'smtp-server', '/node/bin/'])
      assert.ok(!files.includes(`/app/node_modules/${dev}`), `no dev dependency ${dev}`);
    assert.doesNotMatch(files, /\/app\/src\/.*\.test\.ts\n/, 'no tests');
  });

  it('installs with apt-get: its user, a data folder only it reads, the configuration as a conffile', () => {
    apt(['install', debs[0].file]);
    writeFileSync(MARKER, '');
    assert.match(installedVersion(), /install ok installed .*\+test1/);
    assert.match(execFileSync('id', ['sujarit'], { encoding: 'utf8' }), /\(sujarit\)/);
    const data = statSync('/var/lib/sujarit');
    assert.equal(data.mode & 0o777, 0o750);
    assert.equal(data.uid, Number(execFileSync('id', ['-u', 'sujarit'], { encoding: 'utf8' })));
    assert.equal(statSync(ENV_FILE).mode & 0o777, 0o640);
    assert.match(readFileSync('/var/lib/dpkg/info/sujarit.conffiles', 'utf8'), /\/etc\/sujarit\/sujarit\.env/);
    assert.match(spawnSyncText('sujarit', ['help']), /usage: sujarit <command>/, 'the sujarit command');
  });

  it('has a unit systemd-analyze verifies, with the hardening it promises', () => {
    const text = readFileSync(UNIT, 'utf8');
    for (const line of [
      'User=sujarit',
      'ProtectSystem=strict',
      'ReadWritePaths=/var/lib/sujarit',
      'NoNewPrivileges=yes',
      'PrivateTmp=yes',
      'ProtectHome=yes',
      'SystemCallFilter=@system-service',
      'CapabilityBoundingSet=',
    ])
      assert.match(text, new RegExp(`^${line.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`, 'm'), line);
    if (!has('systemd-analyze')) return;
    const verify = spawnSyncText('systemd-analyze', ['verify', UNIT]);
    assert.doesNotMatch(verify, /sujarit\.service:/, `systemd-analyze verify:\n${verify}`);
    // systemd's own score of the sandbox (0 is the most locked down, 10 the least), read offline.
    const security = spawnSyncText('systemd-analyze', ['security', '--offline=yes', UNIT]);
    const exposure = /Overall exposure level for sujarit\.service: ([0-9.]+)/.exec(security);
    if (!exposure) return; // an older systemd without --offline
    console.log(`systemd-analyze security: exposure ${exposure[1]}`);
    assert.ok(Number(exposure[1]) <= 2, security);
  });

  it('refuses to start, as the unit, before SUJARIT_PUBLIC_URL is set', async () => {
    const unit = unitOf(readFileSync(UNIT, 'utf8'));
    const [cmd, ...args] = unit.exec;
    const out = spawnSyncText(
      'setpriv',
      [`--reuid=${unit.user}`, `--regid=${unit.group}`, '--init-groups', '--', cmd, ...args],
      {
        cwd: unit.dir,
        env: { PATH: '/usr/bin:/bin', ...envFileOf(readFileSync(unit.envFile, 'utf8')), PORT: String(ports.app) },
      },
    );
    assert.match(out, /SUJARIT_PUBLIC_URL is not set/);
  });

  it('starts as the unit does on the embedded PostgreSQL, and files a report through Caddy over HTTPS', async () => {
    // The IT officer's one edit, then Caddy's and Tor's configuration.
    const conf = readFileSync(ENV_FILE, 'utf8')
      .replace(
        '#SUJARIT_PUBLIC_URL=https://report.example.go.th',
        `SUJARIT_PUBLIC_URL=https://localhost:${ports.https}`,
      )
      .replace('#SUJARIT_ONION_URL=', `SUJARIT_ONION_URL=http://${ONION_HOST}`)
      .replace('PORT=8080', `PORT=${ports.app}`);
    writeFileSync(ENV_FILE, conf);
    server = await startAsTheUnit();
    assert.match(server.output(), /embedded PostgreSQL/);
    const home = path.join(work, 'caddy');
    caddy = run('caddy', ['run', '--config', '/usr/share/doc/sujarit/examples/Caddyfile', '--adapter', 'caddyfile'], {
      env: {
        PATH: process.env.PATH,
        HOME: home,
        XDG_DATA_HOME: path.join(home, 'data'),
        XDG_CONFIG_HOME: path.join(home, 'config'),
        SUJARIT_SITE: `localhost:${ports.https}`,
        SUJARIT_CADDY_HTTP_PORT: String(ports.http),
        SUJARIT_CADDY_HTTPS_PORT: String(ports.https),
        SUJARIT_CADDY_ADMIN: 'off',
        SUJARIT_CADDY_GLOBAL: 'skip_install_trust',
        SUJARIT_CADDY_TLS: 'tls internal',
        SUJARIT_CADDY_BIND: 'bind 127.0.0.1',
        SUJARIT_UPSTREAM: `127.0.0.1:${ports.app}`,
        SUJARIT_ONION_PORT: String(ports.onion),
        SUJARIT_ONION_HOST: ONION_HOST,
      },
    });
    const rootCert = path.join(home, 'data/caddy/pki/authorities/local/root.crt');
    let health = { status: 0, headers: {} as Record<string, unknown>, body: '' };
    for (let i = 0; i < 300 && health.status !== 200; i++) {
      await new Promise((r) => setTimeout(r, 200));
      if (!existsSync(rootCert)) continue;
      caCert = readFileSync(rootCert);
      health = await https(ports.https, caCert, 'GET', '/healthz').catch(() => health);
    }
    assert.equal(health.status, 200, `Caddy serves Sujarit over HTTPS:\n${caddy.output()}`);
    assert.match(String(health.headers['strict-transport-security']), /max-age=31536000/);

    const filed = await https(ports.https, caCert, 'POST', '/api/v1/reports', {
      agency: 'INTAKE',
      category: 'bribery',
      what: 'ยื่นผ่าน HTTPS',
    });
    // No agency exists yet on a fresh installation: the refusal is the platform's, through Caddy.
    assert.ok(filed.status >= 400 && filed.status < 500, filed.body);
    assert.match(String(filed.headers['content-type']), /^application\/problem\+json/);
  });

  it('adds an agency and an officer with the sujarit command while stopped, then files and opens a report over HTTPS', async () => {
    await server?.stop();
    addAgencyWithOfficer('OPDC');
    server = await startAsTheUnit();
    const filed = await https(ports.https, caCert, 'POST', '/api/v1/reports', {
      agency: 'OPDC',
      category: 'bribery',
      what: 'ยื่นผ่าน HTTPS marker-91',
    });
    assert.equal(filed.status, 201, filed.body);
    receipt = (JSON.parse(filed.body) as { receipt: string }).receipt;
    await opensItsReport();
    const page = await https(ports.https, caCert, 'GET', '/');
    assert.equal(page.headers['onion-location'], `http://${ONION_HOST}/`);
    assert.equal((await https(ports.https, caCert, 'GET', '/staff/login')).status, 200);
  });

  it('refuses a wrong receipt through Caddy, and a client that does not trust its CA', async () => {
    const wrong = await https(ports.https, caCert, 'POST', '/api/v1/reporter/session', {
      receipt: `${receipt.slice(0, -4)}${receipt.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`,
    });
    assert.ok(wrong.status >= 400 && wrong.status < 500, wrong.body);
    assert.doesNotMatch(wrong.body, /marker-91/);
    await assert.rejects(
      https(ports.https, undefined, 'GET', '/healthz'),
      /certificate|self[- ]signed|issuer/i,
      'Caddy serves its internal CA, which no public root signs',
    );
  });

  it('keeps what the server writes to its user alone: secrets, ledger key, database', () => {
    const uid = Number(execFileSync('id', ['-u', 'sujarit'], { encoding: 'utf8' }));
    for (const f of ['secrets.json', 'ledger-key.pem', 'pg']) {
      const st = statSync(path.join('/var/lib/sujarit', f));
      assert.equal(st.uid, uid, `${f} belongs to sujarit`);
      assert.equal(
        st.mode & 0o077,
        0,
        `${f} is not readable by group or others (mode ${(st.mode & 0o777).toString(8)})`,
      );
    }
  });

  const opensItsReport = async () => {
    const session = await https(ports.https, caCert, 'POST', '/api/v1/reporter/session', { receipt });
    assert.equal(session.status, 200, session.body);
    const token = (JSON.parse(session.body) as { token: string }).token;
    const report = await https(ports.https, caCert, 'GET', '/api/v1/reporter/report', undefined, token);
    assert.equal(report.status, 200, report.body);
    assert.match(report.body, /marker-91/);
  };

  it('serves the reporter side only on the onion listener', async () => {
    assert.equal((await httpGet(ports.onion, '/')).status, 200);
    for (const url of ['/staff/login', '/staff/cases', '/api/v1/cases'])
      assert.equal((await httpGet(ports.onion, url)).status, 404, url);
  });

  it('ships a torrc that tor --verify-config accepts', () => {
    const dataDir = mkdtempSync(path.join(work, 'tor-'));
    const out = execFileSync(
      'tor',
      ['--verify-config', '-f', '/usr/share/doc/sujarit/examples/torrc', '--DataDirectory', dataDir],
      {
        encoding: 'utf8',
      },
    );
    assert.match(out, /Configuration was valid/);
  });

  it('upgrades in place to N+1: the configuration is kept and the receipt still opens', async () => {
    await server?.stop();
    apt(['install', debs[1].file]);
    assert.match(installedVersion(), /install ok installed .*\+test2/);
    assert.match(readFileSync(ENV_FILE, 'utf8'), new RegExp(`SUJARIT_PUBLIC_URL=https://localhost:${ports.https}`));
    server = await startAsTheUnit();
    await opensItsReport();
  });

  it("runs on Debian's PostgreSQL with DATABASE_URL, connecting as its user over the Unix socket", {
    skip: pgBin() ? false : "needs Debian's postgresql-15",
  }, async () => {
    await server?.stop();
    server = null;
    // A PostgreSQL of the test's own (Debian's binaries, Unix socket only in its folder), set up as
    // install.md says: a role and a database named sujarit, peer authentication, no password.
    const bin = pgBin() as string;
    pgDir = path.join(work, 'pg15');
    execFileSync('install', ['-d', '-o', 'postgres', '-m', '0711', pgDir]);
    execFileSync('chmod', ['0711', work]);
    const asPostgres = (cmd: string, args: string[]) =>
      execFileSync('runuser', ['-u', 'postgres', '--', path.join(bin, cmd), ...args], {
        encoding: 'utf8',
        stdio: 'pipe',
      });
    asPostgres('initdb', [
      '-D',
      path.join(pgDir, 'data'),
      '-U',
      'postgres',
      '--auth-local=peer',
      '--auth-host=reject',
      '-E',
      'UTF8',
      '--locale=C.UTF-8',
    ]);
    asPostgres('pg_ctl', [
      '-D',
      path.join(pgDir, 'data'),
      '-l',
      path.join(pgDir, 'log'),
      '-w',
      '-o',
      `-c listen_addresses= -k ${pgDir}`,
      'start',
    ]);
    asPostgres('createuser', ['-h', pgDir, 'sujarit']);
    asPostgres('createdb', ['-h', pgDir, '-O', 'sujarit', 'sujarit']);
    const embedded = readFileSync(ENV_FILE, 'utf8');
    // Another database is another ledger: its own key (the server refuses a key without its ledger).
    const external = `DATABASE_URL=postgresql://sujarit@/sujarit?host=${pgDir}\nSUJARIT_LEDGER_KEY=/var/lib/sujarit/ledger-key-pg15.pem\n`;
    writeFileSync(ENV_FILE, `${embedded}\n${external}`);
    try {
      // Administration runs beside a server on an external database: no need to stop it.
      addAgencyWithOfficer('PG15');
      server = await startAsTheUnit();
      assert.doesNotMatch(server.output(), /embedded PostgreSQL/);
      const filed = await https(ports.https, caCert, 'POST', '/api/v1/reports', {
        agency: 'PG15',
        category: 'bribery',
        what: 'บน PostgreSQL ของ Debian marker-15',
      });
      assert.equal(filed.status, 201, filed.body);
      const version = asPostgres('psql', ['-h', pgDir, '-d', 'sujarit', '-Atc', 'show server_version']);
      console.log(`DATABASE_URL: PostgreSQL ${version.trim()}`);
      const rows = asPostgres('psql', ['-h', pgDir, '-d', 'sujarit', '-Atc', 'select count(*) from schema_migration']);
      assert.ok(Number(rows) > 0, 'migrated');
    } finally {
      await server?.stop();
      server = null;
      writeFileSync(ENV_FILE, embedded);
    }
  });

  it('purge keeps the data unless asked, and removes it when asked', async () => {
    await server?.stop();
    server = null;
    apt(['purge', 'sujarit']);
    assert.equal(isInstalled(), false);
    assert.equal(existsSync(ENV_FILE), false);
    assert.ok(existsSync('/var/lib/sujarit/pg/PG_VERSION'), 'the database is kept');
    assert.ok(existsSync('/var/lib/sujarit/secrets.json'), 'the secrets are kept');
    apt(['install', debs[1].file]);
    writeFileSync(MARKER, '');
    apt(['purge', 'sujarit'], { SUJARIT_PURGE_DATA: 'yes' });
    assert.equal(existsSync('/var/lib/sujarit'), false);
    assert.throws(() => execFileSync('id', ['sujarit'], { stdio: 'ignore' }));
  });
});

/** An agency that receives reports (an intake officer), added with the installed `sujarit` command as root. */
function addAgencyWithOfficer(code: string): void {
  execFileSync('sujarit', ['agency', 'add', '--code', code, '--name-th', `หน่วยงาน ${code}`, '--name-en', code], {
    stdio: 'pipe',
  });
  const officer = ['user', 'add', '--agency', code, '--email', `intake-${code.toLowerCase()}@example.org`];
  execFileSync('sujarit', [...officer, '--role', 'intake_officer', '--password-stdin'], {
    input: 'a long passphrase for the officer\n',
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** Debian's PostgreSQL 15 binaries (bookworm's postgresql-15), or null. */
function pgBin(): string | null {
  const bin = '/usr/lib/postgresql/15/bin';
  return existsSync(path.join(bin, 'initdb')) ? bin : null;
}

/** Output and error of a command together, whatever its exit status. */
function spawnSyncText(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): string {
  const r = spawnSync(cmd, args, { ...opts, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return `${r.stdout ?? ''}${r.stderr ?? ''}`;
}
