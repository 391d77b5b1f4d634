// The restore drill of docs/operations.md, as an operator runs it (issue 15, item 4): reports filed
// on the web and the API, a reporter's message, a witness statement and ITA answers on a platform on
// its embedded PostgreSQL; ledger checkpoints taken; `sujarit backup` run WHILE reports keep being
// filed; `sujarit restore` into a fresh data folder and a new server started on it. There every
// receipt opens its report, staff read their cases, the witness reads their thread, the ITA answers
// are counted, the ledger verifies against the checkpoints taken before the backup and keeps growing
// with no fork, and the audit chain verifies. The backup file, and even its decrypted content, holds
// no marker. Refused: a wrong key, a truncated archive, a flipped byte, a non-empty target.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { decryptBackup, newRecoveryKey, parseRecoveryKeyFile } from '../src/crypto/backup-seal.ts';
import { loadSecrets } from '../src/crypto/secrets.ts';
import { connect, type Db } from '../src/db/connection.ts';
import { runningEmbeddedUrl, startEmbeddedDatabase } from '../src/db/embedded.ts';
import { migrate } from '../src/db/migrate.ts';
import { openCycle } from '../src/ita/cycles.ts';
import { answerOptions, fieldOf, issueLinks, surveyOf } from '../src/ita/surveys.ts';
import type { Framework } from '../src/ita/types.ts';
import { verifyAuditChain } from '../src/ledger/anchor-audit.ts';
import { loadLedgerKey } from '../src/ledger/keys.ts';
import { parseTilePath, tilePath, type TileAddress } from '../src/ledger/tiles.ts';
import { verifyNote } from '../src/ledger/note.ts';
import { giveStatement, inviteWitness, openInvitation } from '../src/cases/witnesses.ts';
import { resolveStaffSession, staffLogin, type StaffActor } from '../src/staff/session.ts';
import { CHEAP_KDF, loginCode, PASSWORD, seedAgency, seedStaff, TEST_LIMITS } from './support/app.ts';
import { api, cookieJar, httpGet, httpPostForm, httpPostMultipart } from './support/http.ts';
import { scanner, type Hit, type Secret } from './support/leak-scan.ts';
import { SignedHistory, verifyWholeLog, type LogReader } from './support/ledger.ts';
import { CHEAP_KDF_ENV, startServerProcess, type ServerProcess } from './support/server.ts';
import { csrfOf, receiptOf } from './support/web.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const PUBLIC_URL = 'https://drill.sujarit.test';
const IO = 'io@opdc.example';
const ADMIN = 'admin@opdc.example';
const marker = () => `MRK${randomBytes(12).toString('hex')}`;

/** Runs the administration CLI; resolves with its exit code and output. */
function runCli(env: Record<string, string>, args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['src/cli/main.ts', ...args], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: '', SUJARIT_LOG_LEVEL: 'warn', ...CHEAP_KDF_ENV, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, out }));
  });
}

function httpReader(base: string): LogReader {
  return {
    checkpoint: async () => {
      const res = await fetch(new URL('/log/checkpoint', base));
      return res.status === 200 ? res.text() : null;
    },
    tile: async (t: TileAddress) => {
      const p = tilePath(t);
      assert.ok(parseTilePath(p));
      const res = await fetch(new URL(`/log/${p}`, base));
      return res.status === 200 ? Buffer.from(await res.arrayBuffer()) : null;
    },
  };
}

/** Waits until the audit chain's head is anchored and the ledger's outbox is sequenced. */
async function settleLedger(db: Db): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const { rows } = await sql<{ head: string | null; anchored: string | null; queued: string }>`
      select (select max(id) from audit_event) as head, (select max(audit_id) from audit_anchor) as anchored,
        (select count(*) from ledger_outbox where id not in (select outbox_id from ledger_entry)) as queued,
        (select tree_size = signed_size from ledger_state) as signed`.execute(db);
    const r = rows[0];
    if (r.head === r.anchored && Number(r.queued) === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the ledger did not settle in 60 s');
}

function answersOf(framework: Framework, j: number): Record<string, string> {
  return Object.fromEntries(
    surveyOf(framework, 'IIT').questions.map((q, i) => {
      const opts = answerOptions(framework.scales[q.scale]);
      return [fieldOf(q.id), String(opts[(i + j) % opts.length].value)];
    }),
  );
}

async function actorOf(db: Db, email: string): Promise<StaffActor> {
  const { token } = await staffLogin({
    db,
    kdf: CHEAP_KDF,
    limits: TEST_LIMITS,
    email,
    password: PASSWORD,
    code: loginCode(email),
  });
  const actor = await resolveStaffSession({ db, token });
  assert.ok(actor);
  return actor;
}

const describeHits = (hits: Hit[]) =>
  hits
    .slice(0, 10)
    .map((h) => `${h.label} (${h.encoding}) in ${h.where} at ${h.offset}`)
    .join('\n');

type Filed = { receipt: string; reference: string; what: string };

describe('restore drill: back up under load, restore on a fresh data folder, everything opens and verifies', () => {
  let root = '';
  let dirA = '';
  let dirB = '';
  let archive = '';
  let keyFile = '';
  let serverA: ServerProcess | null = null;
  let serverB: ServerProcess | null = null;
  let dbA: Db | null = null;
  let dbB: Db | null = null;
  let env: Record<string, string> = {};
  let vkey = '';
  const secrets: Secret[] = [];
  const before_: Filed[] = [];
  const during: Filed[] = [];
  const history = new SignedHistory();
  const witness = { receipt: '', text: '' };
  let web: Filed & { fileName: string };
  let backupOut = '';

  const fileApi = async (base: string, tag: string): Promise<Filed> => {
    const what = `${tag} ${marker()}`;
    const who = marker();
    secrets.push({ label: `${tag} what`, value: what.split(' ')[1] }, { label: `${tag} who`, value: who });
    const res = await api<{ receipt: string; reference: string }>(base, 'POST', '/api/v1/reports', {
      agency: 'OPDC',
      category: 'bribery',
      what,
      who,
    });
    assert.equal(res.status, 201, res.text);
    secrets.push({ label: `${tag} receipt`, value: res.json.receipt });
    return { ...res.json, what };
  };

  const checkpoint = async (base: string) => {
    const text = await httpReader(base).checkpoint();
    assert.ok(text);
    const cp = verifyNote(text, vkey);
    history.add({ size: cp.size, root: cp.root, note: text });
    return cp.size;
  };

  before(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'sujarit-drill-'));
    await chmod(root, 0o711); // PostgreSQL runs as `postgres` when the tests run as root
    dirA = path.join(root, 'a');
    dirB = path.join(root, 'b');
    archive = path.join(root, 'drill.backup');
    keyFile = path.join(root, 'recovery.key');
    const key = newRecoveryKey();
    await writeFile(keyFile, key.secretText, { mode: 0o600 });
    env = {
      SUJARIT_PUBLIC_URL: PUBLIC_URL,
      SUJARIT_BACKUP_PUBLIC_KEY: key.publicText,
      SUJARIT_LEDGER_BATCH_MS: '100',
      SUJARIT_FILING_THRESHOLD: '1000000',
      SUJARIT_LIMIT_RECEIPT_BURST: '10000',
      SUJARIT_LIMIT_STAFF_ACCOUNT_BURST: '10000',
    };

    // The agency, its staff and an ITA cycle, seeded as the administration would.
    const pgA = await startEmbeddedDatabase(dirA);
    let db = connect(pgA.url, 2);
    let tokens: string[];
    let framework: Framework;
    try {
      await migrate(db);
      await seedAgency(db, 'OPDC');
      await seedStaff(db, 'OPDC', IO, ['intake_officer']);
      await seedStaff(db, 'OPDC', ADMIN, ['agency_admin']);
      const admin = await actorOf(db, ADMIN);
      const cycle = await openCycle({
        db,
        actor: admin,
        fiscalYear: 2569,
        frameworkName: 'ita-2569.json',
        staffCount: 20,
      });
      framework = cycle.framework;
      tokens = await issueLinks({ db, actor: admin, cycleId: cycle.id, count: 2 });
    } finally {
      await db.destroy();
      await pgA.stop();
    }
    serverA = await startServerProcess({ databaseUrl: undefined, dataDir: dirA, env });
    const base = serverA.url;
    const url = await runningEmbeddedUrl(dirA);
    assert.ok(url, 'the running server’s PostgreSQL is found');
    db = connect(url, 4);
    dbA = db;
    const ledgerKey = await loadLedgerKey({
      db,
      config: { publicUrl: PUBLIC_URL, ledgerKeyFile: path.join(dirA, 'ledger-key.pem') },
    });
    assert.ok(ledgerKey);
    vkey = ledgerKey.vkey;

    // A report on the web form, with a file.
    const reporter = cookieJar();
    const form = await httpGet(base, reporter, '/report');
    const webWhat = marker();
    const fileName = `${marker()}.txt`;
    const fileBody = marker();
    secrets.push(
      { label: 'web what', value: webWhat },
      { label: 'web file name', value: fileName.slice(0, -4) },
      { label: 'web file body', value: fileBody },
    );
    const filed = await httpPostMultipart(
      base,
      reporter,
      '/report',
      { _csrf: csrfOf(form.body), agency: 'OPDC', category: 'procurement_fraud', what: `web ${webWhat}` },
      [{ name: fileName, type: 'text/plain', data: Buffer.from(`evidence ${fileBody}\n`) }],
    );
    assert.equal(filed.status, 200, filed.body);
    const webReceipt = receiptOf(filed.body);
    secrets.push({ label: 'web receipt', value: webReceipt });
    const webRef = /OPDC-\d{4}-\d{6}/.exec(filed.body)?.[0] ?? '';
    web = { receipt: webReceipt, reference: webRef, what: `web ${webWhat}`, fileName };
    before_.push(web);

    // Reports on the API; the reporter of the first writes a message.
    for (let i = 0; i < 4; i++) before_.push(await fileApi(base, `api${i}`));
    const session = await api<{ token: string }>(base, 'POST', '/api/v1/reporter/session', {
      receipt: before_[1].receipt,
    });
    const message = marker();
    secrets.push({ label: 'reporter message', value: message });
    assert.equal(
      (await api(base, 'POST', '/api/v1/reporter/messages', { text: message }, session.json.token)).status,
      201,
    );
    await checkpoint(base);

    // A witness statement, and two IIT answers through the survey links.
    const io = await actorOf(db, IO);
    const invitation = await inviteWitness({ db, actor: io, reference: before_[1].reference, label: 'พยาน' });
    witness.text = marker();
    secrets.push({ label: 'witness statement', value: witness.text });
    ({ receipt: witness.receipt } = await giveStatement({
      db,
      kdf: CHEAP_KDF,
      receiptSalt: (await loadSecrets(dirA)).receiptSalt,
      invitation: await openInvitation(db, invitation.token),
      text: `เห็นเหตุการณ์ ${witness.text}`,
      files: [],
    }));
    for (const [j, token] of tokens.entries()) {
      const jar = cookieJar();
      const page = await httpGet(base, jar, `/ita/s/${token}`);
      const res = await httpPostForm(base, jar, `/ita/s/${token}`, {
        _csrf: csrfOf(page.body),
        ...answersOf(framework, j),
      });
      assert.equal(res.status, 200, res.body);
    }
    await settleLedger(db);
    await checkpoint(base);

    // The backup, while two clients keep filing.
    let isLoading = true;
    const load = async (n: number) => {
      for (let i = 0; isLoading; i++) during.push(await fileApi(base, `load${n}-${i}`));
    };
    const loaders = [load(0), load(1)];
    while (during.length < 4) await new Promise((r) => setTimeout(r, 20));
    const filedBefore = during.length;
    const made = await runCli({ ...env, SUJARIT_DATA: dirA }, ['backup', '--to', archive]);
    const filedAfter = during.length;
    while (during.length < filedAfter + 4) await new Promise((r) => setTimeout(r, 20));
    isLoading = false;
    await Promise.all(loaders);
    backupOut = made.out;
    assert.equal(made.code, 0, made.out);
    assert.ok(filedAfter > filedBefore, `reports were filed while the backup ran (${filedBefore} → ${filedAfter})`);
    await settleLedger(db);
    await serverA.stop();
    serverA = null;
    await db.destroy();
    dbA = null;
  });

  after(async () => {
    await dbA?.destroy();
    await dbB?.destroy();
    await serverA?.kill9();
    await serverB?.kill9();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('writes a backup file that holds no marker, receipt or text, even decrypted', async (t) => {
    t.diagnostic(backupOut.trim());
    const file = await readFile(archive);
    const s = scanner(secrets);
    assert.deepEqual(s.scan(file, 'backup file'), [], describeHits(s.scan(file, 'backup file')));
    const plain: Buffer[] = [];
    for await (const b of decryptBackup(
      parseRecoveryKeyFile(await readFile(keyFile, 'utf8')),
      createReadStream(archive),
    ))
      plain.push(b);
    const text = Buffer.concat(plain);
    assert.ok(text.includes('report_case'), 'the decrypted archive holds the tables');
    assert.deepEqual(s.scan(text, 'decrypted backup'), [], describeHits(s.scan(text, 'decrypted backup')));
  });

  it('refuses a wrong key, a truncated archive, a flipped byte and a non-empty target, changing nothing', async () => {
    const target = path.join(root, 'c');
    const other = path.join(root, 'other.key');
    await writeFile(other, newRecoveryKey().secretText);
    const bytes = await readFile(archive);
    const truncated = path.join(root, 'truncated.backup');
    await writeFile(truncated, bytes.subarray(0, bytes.length - 100));
    const flipped = path.join(root, 'flipped.backup');
    const copy = Buffer.from(bytes);
    copy[Math.floor(copy.length / 2)] ^= 0x01;
    await writeFile(flipped, copy);
    const cases: [string, string, string, RegExp][] = [
      ['wrong key', archive, other, /not made for this recovery key/],
      ['truncated', truncated, keyFile, /damaged or truncated/],
      ['flipped byte', flipped, keyFile, /damaged or truncated/],
    ];
    const results = await Promise.all(
      cases.map(([, file, keyPath], i) =>
        runCli({ ...env, SUJARIT_DATA: `${target}${i}` }, ['restore', file, '--key', keyPath]),
      ),
    );
    for (const [i, [label, , , expected]] of cases.entries()) {
      assert.equal(results[i].code, 1, `${label}: ${results[i].out}`);
      assert.match(results[i].out, expected, label);
      assert.ok(!existsSync(`${target}${i}`), `${label}: nothing restored, not even the folder`);
    }
    await mkdir(target, { recursive: true });
    await writeFile(path.join(target, 'secrets.json'), '{}');
    const r = await runCli({ ...env, SUJARIT_DATA: target }, ['restore', archive, '--key', keyFile]);
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, /restore needs an empty target.*secrets\.json/s);
    assert.deepEqual(await readdir(target), ['secrets.json']);
  });

  describe('restored on a fresh data folder', () => {
    before(async () => {
      const r = await runCli({ ...env, SUJARIT_DATA: dirB }, ['restore', archive, '--key', keyFile]);
      assert.equal(r.code, 0, r.out);
      serverB = await startServerProcess({ databaseUrl: undefined, dataDir: dirB, env });
      const url = await runningEmbeddedUrl(dirB);
      assert.ok(url);
      dbB = connect(url, 4);
    });

    it('opens every receipt filed before the backup, and those filed during it all or not at all', async (t) => {
      const base = serverB?.url ?? '';
      for (const f of before_) {
        const s = await api<{ token: string }>(base, 'POST', '/api/v1/reporter/session', { receipt: f.receipt });
        assert.equal(s.status, 200, `${f.reference}: ${s.text}`);
        const report = await api(base, 'GET', '/api/v1/reporter/report', undefined, s.json.token);
        assert.equal(report.status, 200, report.text);
        assert.ok(report.text.includes(f.what), `${f.reference} opens its report`);
      }
      let restored = 0;
      for (const f of during) {
        const s = await api<{ token: string }>(base, 'POST', '/api/v1/reporter/session', { receipt: f.receipt });
        assert.ok([200, 401, 404].includes(s.status), `${f.reference}: ${s.status} ${s.text}`);
        if (s.status !== 200) continue;
        const report = await api(base, 'GET', '/api/v1/reporter/report', undefined, s.json.token);
        assert.ok(report.text.includes(f.what), `${f.reference} opens its report`);
        restored++;
      }
      const n = (await sql<{ n: number }>`select count(*)::int as n from report_case`.execute(dbB as Db)).rows[0].n;
      assert.equal(n, before_.length + restored, 'every restored case opens with its receipt');
      assert.ok(restored < during.length, 'reports filed after the snapshot are not in it');
      t.diagnostic(
        `${before_.length} reports before the backup, ${during.length} during the load, ${restored} of them in the snapshot`,
      );
    });

    it('lets staff read their cases and files, and the witness their thread; keeps the ITA answers', async () => {
      const base = serverB?.url ?? '';
      const staff = await api<{ token: string }>(base, 'POST', '/api/v1/staff/session', {
        email: IO,
        password: PASSWORD,
        code: loginCode(IO),
      });
      assert.equal(staff.status, 200, staff.text);
      for (const f of before_) {
        const c = await api(base, 'GET', `/api/v1/cases/${f.reference}`, undefined, staff.json.token);
        assert.equal(c.status, 200, c.text);
        assert.ok(c.text.includes(f.what), `staff read ${f.reference}`);
      }
      const webCase = await api(base, 'GET', `/api/v1/cases/${web.reference}`, undefined, staff.json.token);
      assert.ok(webCase.text.includes(web.fileName), 'the attachment is listed');
      const w = await api<{ token: string }>(base, 'POST', '/api/v1/reporter/session', { receipt: witness.receipt });
      assert.equal(w.status, 200, w.text);
      const thread = await api(base, 'GET', '/api/v1/reporter/messages', undefined, w.json.token);
      assert.ok(thread.text.includes(witness.text), 'the witness reads their statement');
      const ita = await sql<{ n: number }>`select iit_responses as n from ita_cycle`.execute(dbB as Db);
      assert.equal(ita.rows[0].n, 2);
    });

    it('verifies the ledger against the checkpoints taken before the backup, and grows with no fork', async () => {
      const base = serverB?.url ?? '';
      const db = dbB as Db;
      await settleLedger(db);
      const before = history.sizes();
      const first = await verifyWholeLog(httpReader(base), {
        vkey,
        history,
        inclusion: 20,
        pairs: 'all',
        label: 'restored',
      });
      assert.ok(first.size >= Math.max(...before), 'the restored log holds every checkpoint taken before');
      const after_ = await fileApi(base, 'after-restore');
      await settleLedger(db);
      const grown = await verifyWholeLog(httpReader(base), {
        vkey,
        history,
        inclusion: 20,
        pairs: 'all',
        label: 'grown',
      });
      assert.ok(grown.size > first.size, `the log grows after the restore (${first.size} → ${grown.size})`);
      assert.ok(after_.receipt);
      const audit = await verifyAuditChain({ db });
      assert.ok(audit.rows > 0);
      const restored = await db
        .selectFrom('audit_event')
        .select('detail')
        .where('action', '=', 'backup_restored')
        .execute();
      assert.equal(restored.length, 1, 'the restored trail says it was restored');
    });

    it('refuses to restore over the restored data folder', async () => {
      const r = await runCli({ ...env, SUJARIT_DATA: dirB }, ['restore', archive, '--key', keyFile]);
      assert.equal(r.code, 1, r.out);
      assert.match(r.out, /restore needs an empty target/);
    });
  });
});
