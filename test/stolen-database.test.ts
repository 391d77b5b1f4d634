// A stolen database reveals nothing. The real server runs on its embedded PostgreSQL, so every
// byte the platform keeps (heap files, WAL, secrets.json …) is under one data folder. Reports,
// identities, attachments (names, contents, EXIF), follow-ups and staff replies are filed over
// HTTP, each carrying its own random marker; after a clean shutdown neither a logical dump of the
// database nor any file of the data folder may hold a marker, in any common encoding.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { startEmbeddedDatabase } from '../src/db/embedded.ts';
import { api, cookieJar, httpGet, httpPostForm, httpPostMultipart, type CookieJar } from './support/http.ts';
import { jpegWithGps } from './support/images.ts';
import { scanFolder, scanner, type Hit, type Secret } from './support/leak-scan.ts';
import { logicalDump, type Dump } from './support/logical-dump.ts';
import { CHEAP_KDF_ENV, startServerProcess, type ServerProcess } from './support/server.ts';
import { caseFormOf, csrfOf, receiptOf } from './support/web.ts';
import { enrolSecondFactor } from './support/http.ts';
import { totpCode } from '../src/staff/totp.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const AGENCY = 'OPDC';
const AGENCY_TH = 'สำนักงานทดสอบการรั่วไหล';
const EMAIL = 'officer@opdc.example';

/** An ASCII marker: MRK and 24 random hex digits. */
function marker(): string {
  return `MRK${randomBytes(12).toString('hex')}`;
}

/** A Thai marker: 14 random Thai consonants (ก … ฮ). */
function thaiMarker(): string {
  return Array.from({ length: 14 }, () => String.fromCharCode(0x0e01 + randomInt(0x2e))).join('');
}

/** Runs the administration CLI on the data folder's embedded database. */
function runCli(dataDir: string, args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['src/cli/main.ts', ...args], {
      cwd: ROOT,
      env: { ...process.env, SUJARIT_DATA: dataDir, DATABASE_URL: '', SUJARIT_LOG_LEVEL: 'warn', ...CHEAP_KDF_ENV },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    child.stdin.end(input ?? '');
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`sujarit ${args.join(' ')} exited ${code}:\n${out}`)),
    );
  });
}

function referenceOf(html: string): string {
  const m = new RegExp(`${AGENCY}-\\d{4}-\\d{6}`).exec(html);
  if (!m) throw new Error('no case reference on the page');
  return m[0];
}

/** Attachment links on a case page: file name → href. */
function fileLinks(html: string): Map<string, string> {
  return new Map(
    [...html.matchAll(/<a href="([^"]+)" download>[^<]*<span class="name">([^<]*)<\/span>/g)].map((m) => [m[2], m[1]]),
  );
}

function describeHits(hits: Hit[]): string {
  return hits
    .slice(0, 20)
    .map((h) => `${h.label} (${h.encoding}) in ${h.where} at ${h.offset}`)
    .join('\n');
}

describe('a stolen database reveals nothing', () => {
  const M = {
    what: marker(),
    thai: thaiMarker(),
    when: marker(),
    where: marker(),
    who: marker(),
    identityName: marker(),
    identityContact: marker(),
    textName: marker(),
    textBody: marker(),
    jpegName: marker(),
    exif: marker(),
    followup: marker(),
    followupFileName: marker(),
    followupFileBody: marker(),
    staffReply: marker(),
    staffFileName: marker(),
    staffFileBody: marker(),
    apiWhat: marker(),
    apiWhen: marker(),
    apiWhere: marker(),
    apiWho: marker(),
    apiThai: thaiMarker(),
    apiIdentityName: marker(),
    apiIdentityContact: marker(),
    apiReporterMessage: marker(),
    apiStaffMessage: marker(),
    password: marker(),
  };
  /** Markers plus the keys a reporter or staff member holds and the server must never keep. */
  const secrets: Secret[] = Object.entries(M).map(([label, value]) => ({ label, value }));
  const references: string[] = [];
  let dataDir = '';
  let server: ServerProcess | null = null;
  let serverLog = '';
  let dump: Dump;
  const rowCounts: Record<string, number> = {};
  let textFile: Buffer;

  before(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'sujarit-stolen-'));
    await runCli(dataDir, ['agency', 'add', '--code', AGENCY, '--name-th', AGENCY_TH, '--name-en', 'Leak Test Office']);
    await runCli(
      dataDir,
      [
        'user',
        'add',
        '--agency',
        AGENCY,
        '--email',
        EMAIL,
        '--role',
        'intake_officer,identity_custodian',
        '--password-stdin',
      ],
      `${M.password}\n`,
    );

    server = await startServerProcess({ databaseUrl: undefined, dataDir, env: { SUJARIT_LOG_LEVEL: 'info' } });
    server.child.stdout!.on('data', (b: Buffer) => (serverLog += b.toString()));
    server.child.stderr!.on('data', (b: Buffer) => (serverLog += b.toString()));
    const base = server.url;

    // 1. A report through the web form, with identity, a text file and a photo with EXIF.
    const reporter: CookieJar = cookieJar();
    const form = await httpGet(base, reporter, '/report');
    assert.equal(form.status, 200);
    textFile = Buffer.from(Array.from({ length: 3000 }, (_, i) => `line ${i}: ${M.textBody} ใบเสร็จปลอม\n`).join(''));
    const jpeg = await jpegWithGps(M.exif);
    assert.ok(
      jpeg.includes(`Model-${M.exif}`) && jpeg.includes(`Artist-${M.exif}`),
      'the test photo carries the EXIF marker',
    );
    const filed = await httpPostMultipart(
      base,
      reporter,
      '/report',
      {
        _csrf: csrfOf(form.body),
        agency: AGENCY,
        category: 'procurement_fraud',
        what: `เจ้าหน้าที่เรียกเงิน ${M.what} ${M.thai}`,
        when: `เมื่อวาน ${M.when}`,
        where: `สำนักงานเขต ${M.where}`,
        who: `หัวหน้าฝ่าย ${M.who}`,
        identityName: M.identityName,
        identityContact: `${M.identityContact}@example.org`,
      },
      [
        { name: `${M.textName}.txt`, type: 'text/plain', data: textFile },
        { name: `${M.jpegName}.jpg`, type: 'image/jpeg', data: jpeg },
      ],
    );
    assert.equal(filed.status, 200, filed.body);
    const receipt = receiptOf(filed.body);
    references.push(referenceOf(filed.body));
    secrets.push(
      { label: 'web receipt', value: receipt },
      { label: 'web receipt (formatted)', value: receipt.replace(/(\d{4})(?=\d)/g, '$1 ') },
    );

    // 2. The reporter follows up with the receipt: a message and a file.
    const login = await httpGet(base, reporter, '/followup');
    const opened = await httpPostForm(base, reporter, '/followup', { _csrf: csrfOf(login.body), receipt });
    assert.equal(opened.status, 303, opened.body);
    secrets.push({ label: 'reporter cookie', value: reporter.get('sj_reporter')! });
    const followup = await httpGet(base, reporter, '/followup/case');
    assert.equal(followup.status, 200);
    assert.ok(followup.body.includes(M.what));
    const sent = await httpPostMultipart(
      base,
      reporter,
      '/followup/case/messages',
      { ...caseFormOf(followup.body), message: `เพิ่มเติม ${M.followup}` },
      [
        {
          name: `${M.followupFileName}.txt`,
          type: 'text/plain',
          data: Buffer.from(`more evidence ${M.followupFileBody}\n`),
        },
      ],
    );
    assert.equal(sent.status, 303, sent.body);

    // 3. Staff log in, open the case and the identity, download a file, and reply with a file.
    const staff = cookieJar();
    const staffLogin = await httpGet(base, staff, '/staff/login');
    const loggedIn = await httpPostForm(base, staff, '/staff/login', {
      _csrf: csrfOf(staffLogin.body),
      email: EMAIL,
      password: M.password,
    });
    assert.equal(loggedIn.status, 303, loggedIn.body);
    // First login: the second factor is enrolled; its secret and recovery codes must not leak either.
    const { secret: totpSecret, base32, recoveryCodes } = await enrolSecondFactor(base, staff);
    secrets.push(
      { label: 'TOTP secret', value: totpSecret },
      { label: 'TOTP secret (base32)', value: base32 },
      ...recoveryCodes.map((c, i) => ({ label: `recovery code ${i + 1}`, value: c })),
    );
    const staffToken = staff.get('sj_staff')!;
    secrets.push(
      { label: 'staff cookie', value: staffToken },
      { label: 'staff session key', value: Buffer.from(staffToken, 'base64url').subarray(16) },
    );
    const casePage = await httpGet(base, staff, `/staff/cases/${references[0]}`);
    assert.equal(casePage.status, 200, casePage.body);
    for (const m of [M.what, M.thai, M.when, M.where, M.who, M.textName, M.jpegName, M.followup, M.followupFileName])
      assert.ok(casePage.body.includes(m), `staff sees ${m}`);
    const identity = await httpPostForm(base, staff, `/staff/cases/${references[0]}/identity`, {
      _csrf: csrfOf(casePage.body),
    });
    assert.equal(identity.status, 200);
    assert.ok(
      identity.body.includes(M.identityName) && identity.body.includes(M.identityContact),
      'staff sees the identity',
    );
    const download = await httpGet(base, staff, fileLinks(casePage.body).get(`${M.textName}.txt`)!);
    assert.equal(download.status, 200);
    assert.equal(download.body, textFile.toString(), 'the text file comes back whole');
    const reply = await httpPostMultipart(
      base,
      staff,
      `/staff/cases/${references[0]}/messages`,
      { _csrf: csrfOf(casePage.body), message: `ตอบกลับ ${M.staffReply}` },
      [{ name: `${M.staffFileName}.txt`, type: 'text/plain', data: Buffer.from(`form to fill ${M.staffFileBody}\n`) }],
    );
    assert.equal(reply.status, 303, reply.body);
    const seen = await httpGet(base, reporter, '/followup/case');
    assert.ok(seen.body.includes(M.staffReply) && seen.body.includes(M.staffFileName), 'the reporter sees the reply');

    // 4. A report, a follow-up and a reply through the JSON API.
    const filedApi = await api<{ receipt: string; reference: string }>(base, 'POST', '/api/v1/reports', {
      agency: AGENCY,
      category: 'bribery',
      what: `API ${M.apiWhat}`,
      when: M.apiWhen,
      where: M.apiWhere,
      who: `${M.apiWho} ${M.apiThai}`,
      identity: { name: M.apiIdentityName, contact: M.apiIdentityContact },
    });
    assert.equal(filedApi.status, 201, filedApi.text);
    references.push(filedApi.json.reference);
    secrets.push({ label: 'api receipt', value: filedApi.json.receipt });
    const session = await api<{ token: string }>(base, 'POST', '/api/v1/reporter/session', {
      receipt: filedApi.json.receipt,
    });
    assert.equal(session.status, 200, session.text);
    secrets.push({ label: 'api reporter token', value: session.json.token });
    assert.equal(
      (await api(base, 'POST', '/api/v1/reporter/messages', { text: M.apiReporterMessage }, session.json.token)).status,
      201,
    );
    const staffSession = await api<{ token: string }>(base, 'POST', '/api/v1/staff/session', {
      email: EMAIL,
      password: M.password,
      code: totpCode(totpSecret, Date.now() + 30_000),
    });
    assert.equal(staffSession.status, 200, staffSession.text);
    secrets.push(
      { label: 'api staff token', value: staffSession.json.token },
      { label: 'api staff session key', value: Buffer.from(staffSession.json.token, 'base64url').subarray(16) },
    );
    assert.equal(
      (
        await api(
          base,
          'POST',
          `/api/v1/cases/${filedApi.json.reference}/messages`,
          { text: M.apiStaffMessage },
          staffSession.json.token,
        )
      ).status,
      201,
    );
    const apiCase = await api(
      base,
      'GET',
      `/api/v1/cases/${filedApi.json.reference}`,
      undefined,
      staffSession.json.token,
    );
    for (const m of [M.apiWhat, M.apiWhen, M.apiWhere, M.apiWho, M.apiThai, M.apiReporterMessage, M.apiStaffMessage])
      assert.ok(apiCase.text.includes(m), `the API case shows ${m}`);

    // 5. A clean shutdown: everything is flushed to the heap files and the WAL.
    await server.stop();
    assert.equal(server.child.exitCode, 0, `the server stops cleanly:\n${serverLog}`);
    server = null;
  });

  after(async () => {
    await server?.kill9();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('finds what it looks for (the scanner itself)', () => {
    const probe: Secret[] = [
      { label: 'ascii', value: marker() },
      { label: 'thai', value: thaiMarker() },
    ];
    const s = scanner(probe);
    for (const { label, value } of probe) {
      const text = String(value);
      const forms: [string, Buffer][] = [
        ['utf8', Buffer.from(text)],
        ['utf16le', Buffer.from(text, 'utf16le')],
        ['hex', Buffer.from(Buffer.from(text).toString('hex'))],
      ];
      for (let k = 0; k < 3; k++) {
        const shifted = Buffer.concat([randomBytes(k), Buffer.from(text), randomBytes(2)]);
        forms.push(
          [`base64+${k}`, Buffer.from(shifted.toString('base64'))],
          [`base64url+${k}`, Buffer.from(shifted.toString('base64url'))],
        );
      }
      for (const [form, bytes] of forms) {
        const hay = Buffer.concat([randomBytes(1000), bytes, Buffer.alloc(1000)]);
        assert.ok(
          s.scan(hay, form).some((h) => h.label === label),
          `${label} found as ${form}`,
        );
      }
    }
    assert.deepEqual(s.scan(randomBytes(1 << 20), 'noise'), []);
  });

  describe('after a clean shutdown', () => {
    let folder: Awaited<ReturnType<typeof scanFolder>>;
    before(async () => {
      // The raw files first, exactly as the server left them.
      folder = await scanFolder(scanner(secrets), dataDir);
      // Then a logical dump, on the embedded cluster started again.
      const db = await startEmbeddedDatabase(dataDir);
      try {
        dump = await logicalDump(db.url);
        const client = new pg.Client({ connectionString: db.url });
        await client.connect();
        for (const table of [
          'report_case',
          'reporter_access',
          'case_message',
          'attachment',
          'blob_chunk',
          'audit_event',
          'staff_session',
        ]) {
          rowCounts[table] = Number(
            (await client.query<{ n: string }>(`select count(*) as n from ${table}`)).rows[0].n,
          );
        }
        await client.end();
      } finally {
        await db.stop();
      }
    });

    it('the logical dump holds no marker, receipt or key, but does hold the clear metadata', (t) => {
      t.diagnostic(
        `dump: ${dump.method} (pg_dump ${dump.pgDumpMajor ?? 'absent'}, server ${dump.serverMajor}), ${dump.databases.length} databases (${dump.databases.join(', ')}), ${dump.tables} tables, ${dump.data.length} bytes; rows ${JSON.stringify(rowCounts)}`,
      );
      t.diagnostic(`searched ${secrets.length} secrets as ${scanner(secrets).needles.length} byte patterns`);
      // The dump is real: the rows are there, and values kept in the clear are found by the same search.
      assert.ok(dump.serverMajor >= 14, `server version read (${dump.serverMajor})`);
      assert.equal(rowCounts.report_case, 2);
      assert.equal(rowCounts.reporter_access, 2);
      assert.equal(rowCounts.case_message, 4);
      assert.equal(rowCounts.attachment, 4);
      const controls = scanner([
        { label: 'agency code', value: `${AGENCY}\t` },
        { label: 'Thai agency name', value: AGENCY_TH },
        { label: 'staff email', value: EMAIL },
        ...references.map((r) => ({ label: `reference ${r}`, value: r })),
      ]);
      const found = new Set(
        controls
          .scan(dump.data, 'dump')
          .filter((h) => h.encoding === 'utf8')
          .map((h) => h.label),
      );
      assert.deepEqual(
        [...found].sort(),
        ['Thai agency name', 'agency code', 'staff email', ...references.map((r) => `reference ${r}`)].sort(),
      );
      const hits = scanner(secrets).scan(dump.data, 'dump');
      assert.deepEqual(hits, [], `secrets in the dump:\n${describeHits(hits)}`);
    });

    it('no file under the data folder (heap, WAL, secrets.json …) holds a marker, receipt or key', (t) => {
      t.diagnostic(`data folder: ${folder.files} files, ${folder.bytes} bytes read`);
      assert.deepEqual(folder.errors, []);
      assert.ok(folder.files > 100 && folder.bytes > 1_000_000, 'the whole cluster was read');
      assert.deepEqual(folder.hits, [], `secrets in the data folder:\n${describeHits(folder.hits)}`);
    });

    it('the files do hold the clear metadata (the file search works on them too)', async () => {
      const controls = await scanFolder(scanner(references.map((r) => ({ label: r, value: r }))), dataDir);
      assert.deepEqual(
        [...new Set(controls.hits.filter((h) => h.encoding === 'utf8').map((h) => h.label))].sort(),
        [...references].sort(),
      );
      assert.ok(
        controls.hits.some((h) => h.where.startsWith(path.join('pg', 'base'))),
        'found in a heap file',
      );
      assert.ok(
        controls.hits.some((h) => h.where.startsWith(path.join('pg', 'pg_wal'))),
        'found in the WAL',
      );
    });

    it('the server log holds no marker, receipt or key', (t) => {
      t.diagnostic(`server log: ${Buffer.byteLength(serverLog)} bytes`);
      const hits = scanner(secrets).scan(Buffer.from(serverLog), 'server log');
      assert.deepEqual(hits, [], `secrets in the server log:\n${describeHits(hits)}`);
    });
  });
});
