// The IIT's promise, checked as an attacker would: staff answer through their one-time links on the
// real server; then, holding every issued token and every answer given, a logical dump of the
// database, the audit trail and the server log must not pair a token (a person) with answers.
// Part 1 runs the real server on its own embedded PostgreSQL and dumps it; part 2 answers the same
// questionnaires in two databases with the answers given by different links, and requires
// everything stored for the cycle, row order and physical position included, to be identical.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { connect, type Db } from '../src/db/connection.ts';
import { startEmbeddedDatabase } from '../src/db/embedded.ts';
import { migrate } from '../src/db/migrate.ts';
import { openCycle, type Cycle } from '../src/ita/cycles.ts';
import { answerOptions, fieldOf, issueLinks, surveyOf } from '../src/ita/surveys.ts';
import type { Framework } from '../src/ita/types.ts';
import { resolveStaffSession, staffLogin, type StaffActor } from '../src/staff/session.ts';
import {
  CHEAP_KDF,
  TEST_LIMITS,
  createTestApp,
  loginCode,
  PASSWORD,
  seedAgency,
  seedStaff,
  type TestApp,
} from './support/app.ts';
import { cookieJar, httpGet, httpPostForm } from './support/http.ts';
import { scanner, type Hit } from './support/leak-scan.ts';
import { logicalDump, type Dump } from './support/logical-dump.ts';
import { startServerProcess, type ServerProcess } from './support/server.ts';
import { cookieHeader, csrfOf, get, newJar } from './support/web.ts';

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest();
const RESPONDENTS = 4;
const describeHits = (hits: Hit[]) =>
  hits
    .slice(0, 20)
    .map((h) => `${h.label} (${h.encoding}) in ${h.where} at ${h.offset}`)
    .join('\n');

/** Respondent j's full IIT questionnaire: different for every j. */
function answersOf(framework: Framework, j: number): Record<string, string> {
  const { questions } = surveyOf(framework, 'IIT');
  return Object.fromEntries(
    questions.map((q, i) => {
      const opts = answerOptions(framework.scales[q.scale]);
      return [fieldOf(q.id), String(opts[(i * (j + 1) + j) % opts.length].value)];
    }),
  );
}

async function adminOf(db: Db): Promise<StaffActor> {
  await seedAgency(db, 'OPDC');
  await seedStaff(db, 'OPDC', 'admin@opdc.example', ['agency_admin']);
  const { token } = await staffLogin({
    db,
    kdf: CHEAP_KDF,
    limits: TEST_LIMITS,
    email: 'admin@opdc.example',
    password: PASSWORD,
    code: loginCode('admin@opdc.example'),
  });
  return (await resolveStaffSession({ db, token }))!;
}

/** Rows of every table of the public schema, by table. */
async function rowCounts(db: Db): Promise<Record<string, number>> {
  const tables = (
    await sql<{ name: string }>`select tablename as name from pg_tables where schemaname = 'public' order by 1`.execute(
      db,
    )
  ).rows;
  const out: Record<string, number> = {};
  for (const t of tables)
    out[t.name] = Number(
      (await sql<{ n: string }>`select count(*) as n from ${sql.table(t.name)}`.execute(db)).rows[0].n,
    );
  return out;
}

/** Every time or date value held in the ita_* tables, as text. */
async function itaTimes(db: Db): Promise<string[]> {
  const cols = (
    await sql<{
      t: string;
      c: string;
    }>`select table_name as t, column_name as c from information_schema.columns where table_schema = 'public' and table_name like 'ita\_%' and (data_type like 'timestamp%' or data_type = 'date' or data_type like 'time%') order by 1, 2`.execute(
      db,
    )
  ).rows;
  const out: string[] = [];
  for (const { t, c } of cols) {
    const rows = (
      await sql<{ v: string | null }>`select ${sql.ref(c)}::text as v from ${sql.table(t)} order by 1`.execute(db)
    ).rows;
    out.push(...rows.map((r) => `${t}.${c}=${r.v}`));
  }
  return out;
}

/** Waits until the audit chain's head is anchored and the ledger's outbox is empty (the server's timer runs every second). */
async function settleLedger(db: Db): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const { rows } = await sql<{ head: string | null; anchored: string | null; queued: string }>`
      select (select max(id) from audit_event) as head, (select max(audit_id) from audit_anchor) as anchored, (select count(*) from ledger_outbox where id not in (select outbox_id from ledger_entry)) as queued`.execute(
      db,
    );
    const r = rows[0];
    if (r.head === r.anchored && Number(r.queued) === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the ledger did not settle in 30 s');
}

describe('IIT anonymity against a copy of the database and the server log', () => {
  let dataDir = '';
  let server: ServerProcess | null = null;
  let serverLog = '';
  let dump: Dump;
  let cycle: Cycle;
  let tokens: string[] = [];
  const given: Record<string, string>[] = [];
  let countsAfterFirst: Record<string, number> = {};
  let countsAfterLast: Record<string, number> = {};
  let timesBefore: string[] = [];
  let timesAfter: string[] = [];
  let auditBefore = 0;
  let auditAfter = 0;
  let tallyXmins = 0;

  before(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'sujarit-ita-anon-'));
    // Seed the data folder's database as the administration would, then run the real server on it.
    let pgdb = await startEmbeddedDatabase(dataDir);
    let db = connect(pgdb.url, 2);
    try {
      await migrate(db);
      const admin = await adminOf(db);
      cycle = await openCycle({ db, actor: admin, fiscalYear: 2569, frameworkName: 'ita-2569.json', staffCount: 20 });
      tokens = await issueLinks({ db, actor: admin, cycleId: cycle.id, count: RESPONDENTS + 1 });
    } finally {
      await db.destroy();
      await pgdb.stop();
    }
    server = await startServerProcess({ databaseUrl: undefined, dataDir, env: { SUJARIT_LOG_LEVEL: 'debug' } });
    server.child.stdout!.on('data', (b: Buffer) => (serverLog += b.toString()));
    server.child.stderr!.on('data', (b: Buffer) => (serverLog += b.toString()));
    const password = (await readFile(path.join(dataDir, 'pg-password'), 'utf8')).trim();
    db = connect(
      `postgresql://sujarit:${encodeURIComponent(password)}@localhost/postgres?host=${encodeURIComponent(path.join(dataDir, 'pg'))}`,
      2,
    );
    try {
      // The server's ledger timer anchors the audit chain's head and sequences the outbox. Let it
      // catch up with everything written before the survey first, so that a tick inside the window
      // cannot add rows that no answer wrote (it did once, on a loaded CI run): from here on, any
      // row a table gains is the survey's doing.
      await settleLedger(db);
      timesBefore = await itaTimes(db);
      auditBefore = (await rowCounts(db)).audit_event;
      for (let j = 0; j < RESPONDENTS; j++) {
        const jar = cookieJar();
        const page = await httpGet(server.url, jar, `/ita/s/${tokens[j]}`);
        assert.equal(page.status, 200, page.body);
        given.push(answersOf(cycle.framework, j));
        const res = await httpPostForm(server.url, jar, `/ita/s/${tokens[j]}`, {
          _csrf: csrfOf(page.body),
          ...given[j],
        });
        assert.equal(res.status, 200, res.body);
        if (j === 0) countsAfterFirst = await rowCounts(db);
      }
      // Refusals too: a used link, an unknown one, and an incomplete questionnaire on the last link.
      const jar = cookieJar();
      const page = await httpGet(server.url, jar, `/ita/s/${tokens[RESPONDENTS]}`);
      assert.equal(
        (await httpPostForm(server.url, jar, `/ita/s/${tokens[0]}`, { _csrf: csrfOf(page.body), ...given[0] })).status,
        404,
      );
      assert.equal((await httpGet(server.url, jar, `/ita/s/${'Z'.repeat(43)}`)).status, 404);
      const partial = { ...given[1] };
      delete partial[Object.keys(partial)[0]];
      assert.equal(
        (await httpPostForm(server.url, jar, `/ita/s/${tokens[RESPONDENTS]}`, { _csrf: csrfOf(page.body), ...partial }))
          .status,
        400,
      );
      // A staff page request, which the server does log: the capture works.
      assert.equal((await httpGet(server.url, cookieJar(), '/staff/login')).status, 200);
      await settleLedger(db);
      countsAfterLast = await rowCounts(db);
      auditAfter = countsAfterLast.audit_event;
      timesAfter = await itaTimes(db);
      const iit = surveyOf(cycle.framework, 'IIT').questions.map((q) => q.id);
      tallyXmins = Number(
        (
          await sql<{
            n: string;
          }>`select count(distinct xmin::text) as n from ita_tally where question_id in (${sql.join(iit)})`.execute(db)
        ).rows[0].n,
      );
    } finally {
      await db.destroy();
      await server.stop();
      server = null;
    }
    pgdb = await startEmbeddedDatabase(dataDir);
    try {
      dump = await logicalDump(pgdb.url);
    } finally {
      await pgdb.stop();
    }
  });
  after(async () => {
    await server?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('the dump holds no token and no hash of a used link, while the unused one is there as a hash only', () => {
    const used = tokens.slice(0, RESPONDENTS).flatMap((t, j) => [
      { label: `token ${j}`, value: t },
      { label: `hash ${j}`, value: sha256(t) },
    ]);
    const hits = scanner([...used, { label: 'unused token', value: tokens[RESPONDENTS] }]).scan(dump.data, 'dump');
    assert.deepEqual(hits, [], describeHits(hits));
    assert.ok(dump.data.includes(sha256(tokens[RESPONDENTS]).toString('hex')), 'the scan can see a stored hash');
  });

  it('no table gains a row per respondent: the answers exist only as counts', () => {
    const grew = Object.keys(countsAfterLast).filter((t) => countsAfterLast[t] > countsAfterFirst[t]);
    assert.deepEqual(grew, []);
    assert.equal(countsAfterLast.ita_link, 1);
    assert.equal(auditAfter, auditBefore, 'answering writes no audit event');
  });

  it('no time in the ita tables changes when staff answer', () => {
    assert.ok(timesBefore.some((v) => v.startsWith('ita_cycle.opened_at=')));
    assert.deepEqual(timesAfter, timesBefore);
  });

  it('every IIT count row was last written by the same transaction: the last respondent is not singled out', () => {
    assert.equal(tallyXmins, 1);
  });

  it('the audit trail holds the issue of the links, without a token or an answer', () => {
    const text = dump.data.toString('utf8');
    assert.match(text, /ita_links_issued/);
    const lines = text.split('\n').filter((l) => l.includes('ita_links_issued'));
    for (const l of lines) {
      assert.doesNotMatch(l, /q\.|token/i);
      for (const t of tokens) assert.ok(!l.includes(t));
    }
  });

  it('the server log holds nothing of the survey requests', () => {
    assert.match(serverLog, /staff request/, 'the log was captured');
    const hits = scanner([
      ...tokens.map((t, j) => ({ label: `token ${j}`, value: t })),
      ...tokens.map((t, j) => ({ label: `hash ${j}`, value: sha256(t) })),
      { label: 'public code', value: cycle.publicCode },
    ]).scan(Buffer.from(serverLog), 'server log');
    assert.deepEqual(hits, [], describeHits(hits));
    assert.doesNotMatch(serverLog, /\/ita\/|q\.i\d|ita_tally|ita_link/);
  });
});

describe('IIT anonymity: the same answers given through different links store the same bytes', () => {
  const apps: TestApp[] = [];
  after(() => Promise.all(apps.map((a) => a.close())));

  /** Answers the questionnaires through links 0..n-1 in that order, link k giving respondent `who[k]`'s answers; returns what is stored for the cycle. */
  async function scenario(who: number[]) {
    const h = await createTestApp();
    apps.push(h);
    // Autovacuum runs when it likes: the layout must follow from the operations alone, so it is
    // left out of this comparison (the survey vacuums these tables itself after every answer).
    await sql`alter table ita_tally set (autovacuum_enabled = off)`.execute(h.db);
    await sql`alter table ita_link set (autovacuum_enabled = off)`.execute(h.db);
    const admin = await adminOf(h.db);
    const cycle = await openCycle({
      db: h.db,
      actor: admin,
      fiscalYear: 2569,
      frameworkName: 'ita-2569.json',
      staffCount: 20,
    });
    const links = await issueLinks({ db: h.db, actor: admin, cycleId: cycle.id, count: who.length });
    for (let k = 0; k < who.length; k++) {
      const jar = newJar();
      const page = await get(h.app, jar, `/ita/s/${links[k]}`);
      const res = await h.app.inject({
        method: 'POST',
        url: `/ita/s/${links[k]}`,
        headers: { cookie: cookieHeader(jar), 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ _csrf: csrfOf(page.body), ...answersOf(cycle.framework, who[k]) }).toString(),
      });
      // Counted: the thank-you page follows, as a GET a reload shows again without answering twice.
      assert.equal(res.statusCode, 303, res.body);
      assert.equal(res.headers.location, '/ita/done/IIT');
    }
    const tally = (
      await sql<
        Record<string, unknown>
      >`select ctid::text as position, question_id, answer, count from ita_tally where cycle_id = ${cycle.id} order by ctid`.execute(
        h.db,
      )
    ).rows;
    const row = await h.db.selectFrom('ita_cycle').selectAll().where('id', '=', cycle.id).executeTakeFirstOrThrow();
    const { public_code: _code, opened_at: _at, ...cycleRow } = row;
    const links_left = (await h.db.selectFrom('ita_link').select('token_hash').execute()).length;
    const audit = await h.db
      .selectFrom('audit_event')
      .select(['action', 'detail', 'actor_user_id'])
      .where('action', 'like', 'ita_%')
      .orderBy('id')
      .execute();
    return { tally, cycleRow, links_left, audit, tokens: links };
  }

  it('stores identical counts, rows, row order and positions whichever link gave which answers', async () => {
    const a = await scenario([0, 1, 2, 3]);
    const b = await scenario([2, 0, 3, 1]);
    assert.ok(a.tally.length > 0);
    assert.notDeepEqual(a.tokens, b.tokens);
    const { tokens: _a, ...storedA } = a;
    const { tokens: _b, ...storedB } = b;
    assert.deepEqual(storedA, storedB);
  });
});
