// Upgrades from every earlier schema: the database is built at each earlier migration, filled with
// a platform's data (an agency, staff with keys and a second factor, a filed report with its
// receipt, the conversation, the audit trail, the ledger), then migrated to the latest. The receipt
// still opens its report, staff still read the case, a new report still files, and the ledger
// verifies and grows from its old checkpoint with no fork. A database newer than the code is
// refused, changing nothing.
//
// The data is written by today's code on a reference database and copied into each earlier schema
// column by column (the columns that schema has; the rest take their defaults, as rows written
// then would have): what this proves is that every later migration keeps and completes such rows.
// Rows an earlier schema cannot hold (a kind its check constraints did not know yet) are counted
// and left out; the test fails if any row the checks below need is among them.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { migrate, migrationFiles } from '../src/db/migrate.ts';
import type { Db } from '../src/db/connection.ts';
import { createFilingGate } from '../src/intake/filing-cost.ts';
import { runSequencer } from '../src/ledger/sequencer.ts';
import { buildApp } from '../src/web/app.ts';
import {
  createTestApp,
  loginCode,
  PASSWORD,
  seedAgency,
  seedRecipient,
  TEST_LIMITS,
  type TestApp,
} from './support/app.ts';
import { createTestDatabase, type TestDatabase } from './support/db.ts';
import { dbReader, SignedHistory, type SignedTree, verifyWholeLog } from './support/ledger.ts';

const EMAIL = 'officer@opdc.example';
const WHAT = 'ผู้อำนวยการเรียกรับเงินค่าอนุมัติใบอนุญาต upgrade-marker-7f3a';

/** Read before the tests are made: one test per earlier migration. */
const names = await migrationFiles();

type Table = { name: string; columns: string[]; rows: unknown[] };

/** The public tables of `db` in an order where every table comes after the tables it references. */
async function tablesInOrder(db: Db): Promise<string[]> {
  const names = (
    await sql<{ name: string }>`select tablename as name from pg_tables where schemaname = 'public' order by 1`.execute(
      db,
    )
  ).rows.map((r) => r.name);
  const deps = (
    await sql<{ child: string; parent: string }>`
      select c.conrelid::regclass::text as child, c.confrelid::regclass::text as parent
      from pg_constraint c where c.contype = 'f' and c.conrelid <> c.confrelid`.execute(db)
  ).rows;
  const ordered: string[] = [];
  const visit = (name: string, path: string[]) => {
    if (ordered.includes(name) || path.includes(name)) return;
    for (const d of deps.filter((x) => x.child === name)) visit(d.parent, [...path, name]);
    ordered.push(name);
  };
  for (const name of names) visit(name, []);
  return ordered.filter((n) => n !== 'schema_migration');
}

async function columnsOf(db: Db, table: string): Promise<string[]> {
  return (
    await sql<{ name: string }>`
      select column_name as name from information_schema.columns
      where table_schema = 'public' and table_name = ${table} and is_generated = 'NEVER' order by ordinal_position`.execute(
      db,
    )
  ).rows.map((r) => r.name);
}

/** The last value of every sequence that has given one. */
async function sequencesOf(db: Db): Promise<Record<string, number>> {
  const rows = (
    await sql<{ name: string; value: number }>`
      select sequencename as name, last_value as value from pg_sequences
      where schemaname = 'public' and last_value is not null`.execute(db)
  ).rows;
  return Object.fromEntries(rows.map((r) => [r.name, Number(r.value)]));
}

async function dump(db: Db): Promise<Table[]> {
  const tables: Table[] = [];
  for (const name of await tablesInOrder(db)) {
    const rows = (await sql<{ r: unknown }>`select to_jsonb(t) as r from ${sql.table(name)} t`.execute(db)).rows.map(
      (x) => x.r,
    );
    tables.push({ name, columns: await columnsOf(db, name), rows });
  }
  return tables;
}

/**
 * What the code of the time wrote where today's rows differ: before 0005 every staff member was a
 * 'recipient' (0005 made them intake officers, in staff_role, and renamed the messages' author role).
 */
const OF_THE_TIME: Record<string, Record<string, (today: unknown) => unknown>> = {
  staff_user: { role: () => 'recipient' },
  case_message: { author_role: (r) => (r === 'intake_officer' ? 'recipient' : r) },
};

/** Copies `tables` into the schema `db` has; returns the rows it could not hold, by table. */
async function restoreInto(
  db: Db,
  tables: Table[],
  sequences: Record<string, number>,
): Promise<Record<string, number>> {
  const refused: Record<string, number> = {};
  for (const table of tables) {
    const there = new Set(await columnsOf(db, table.name));
    if (there.size === 0 || table.rows.length === 0) continue;
    const ofTheTime = OF_THE_TIME[table.name] ?? {};
    const cols = [...there].filter((c) => table.columns.includes(c) || c in ofTheTime);
    const list = sql.join(cols.map((c) => sql.ref(c)));
    for (const current of table.rows) {
      const row = { ...(current as Record<string, unknown>) };
      for (const [column, value] of Object.entries(ofTheTime)) if (there.has(column)) row[column] = value(row[column]);
      try {
        await db.transaction().execute(async (trx) => {
          await sql`insert into ${sql.table(table.name)} (${list}) overriding system value
            select ${list} from jsonb_populate_record(null::${sql.table(table.name)}, ${JSON.stringify(row)}::jsonb)`.execute(
            trx,
          );
        });
      } catch {
        refused[table.name] = (refused[table.name] ?? 0) + 1;
      }
    }
  }
  // Sequences go on where they were (an emptied outbox still numbered its rows).
  const there = new Set(
    (
      await sql<{ name: string }>`select sequencename as name from pg_sequences where schemaname = 'public'`.execute(db)
    ).rows.map((r) => r.name),
  );
  for (const [name, value] of Object.entries(sequences))
    if (there.has(name)) await sql`select setval(${name}::regclass, ${value})`.execute(db);
  return refused;
}

describe('upgrading from every earlier schema', () => {
  let ref: TestApp;
  let data: Table[];
  let sequences: Record<string, number>;
  let receipt: string;
  let reference: string;
  let checkpointBefore: SignedTree;

  const api = (app: TestApp['app'], method: 'GET' | 'POST', url: string, body?: unknown, token?: string) =>
    app.inject({
      method,
      url,
      headers: {
        ...(body ? { 'content-type': 'application/json' } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      ...(body ? { payload: JSON.stringify(body) } : {}),
    });

  before(async () => {
    ref = await createTestApp();
    await seedAgency(ref.db, 'OPDC', { isIntakeOffice: true });
    await seedRecipient(ref.db, 'OPDC', EMAIL);
    const filed = await api(ref.app, 'POST', '/api/v1/reports', { agency: 'OPDC', category: 'bribery', what: WHAT });
    assert.equal(filed.statusCode, 201, filed.body);
    ({ receipt, reference } = filed.json() as { receipt: string; reference: string });
    const login = await api(ref.app, 'POST', '/api/v1/staff/session', {
      email: EMAIL,
      password: PASSWORD,
      code: loginCode(EMAIL),
    });
    const token = (login.json() as { token: string }).token;
    const read = await api(ref.app, 'GET', `/api/v1/cases/${encodeURIComponent(reference)}`, undefined, token);
    assert.equal(read.statusCode, 200, read.body);
    const asked = await api(
      ref.app,
      'POST',
      `/api/v1/cases/${encodeURIComponent(reference)}/messages`,
      { text: 'ขอรายละเอียดเพิ่มเติม' },
      token,
    );
    assert.equal(asked.statusCode, 201, asked.body);
    await ref.sequence();
    checkpointBefore = await verifyWholeLog(dbReader(ref.db), {
      vkey: ref.ledgerKey.vkey,
      history: new SignedHistory(),
      inclusion: 'all',
    });
    assert.ok(checkpointBefore.size >= 2, `the ledger holds the filing and the message: ${checkpointBefore.size}`);
    data = await dump(ref.db);
    sequences = await sequencesOf(ref.db);
  });
  after(() => ref.close());

  it('has migrations to upgrade from', () => {
    assert.ok(names.length >= 2);
  });

  /** Builds the schema as of `through`, copies the data in, upgrades, and checks it all still works. */
  const upgradeFrom = async (through: string) => {
    const t: TestDatabase = await createTestDatabase(4, { through });
    try {
      const refused = await restoreInto(t.db, data, sequences);
      // Before 0003 there was no ledger (the first start after the upgrade creates it); before 0005
      // no second factor nor case teams: those staff enrol again, so staff reading is checked from 0005.
      const hasLedger = through >= '0003';
      const hasTeams = through >= '0005';
      for (const needed of ['agency', 'staff_user', 'report_case', ...(hasLedger ? ['ledger_state'] : [])])
        assert.equal(refused[needed], undefined, `${through}: ${needed} rows fit the schema of the time`);
      const applied = await migrate(t.db);
      assert.deepEqual(
        applied,
        names.filter((n) => n > through),
        `${through}: every later migration applies`,
      );
      const app = await buildApp({
        ...ref.deps,
        config: { ...ref.deps.config, logLevel: process.env.DEBUG_UPGRADE ? 'error' : 'silent' },
        db: t.db,
        limits: TEST_LIMITS,
        filingGate: createFilingGate({
          db: t.db,
          cookieKey: ref.deps.secrets.cookieKey,
          params: ref.config.filing,
          cacheMs: 0,
        }),
      });
      try {
        // The receipt opens its report.
        const session = await api(app, 'POST', '/api/v1/reporter/session', { receipt });
        assert.equal(session.statusCode, 200, `${through}: ${session.body}`);
        const mine = await api(
          app,
          'GET',
          '/api/v1/reporter/report',
          undefined,
          (session.json() as { token: string }).token,
        );
        assert.equal(mine.statusCode, 200, `${through}: ${mine.body}`);
        assert.ok(mine.body.includes('upgrade-marker-7f3a'), `${through}: the report reads as filed`);
        if (hasTeams) await staffRead(app, through);
        // A new report files, under a new reference.
        const again = await api(app, 'POST', '/api/v1/reports', {
          agency: 'OPDC',
          category: 'bribery',
          what: 'อีกเรื่อง',
        });
        assert.equal(again.statusCode, 201, `${through}: ${again.body}`);
        assert.notEqual((again.json() as { reference: string }).reference, reference);
        if (hasLedger) await ledgerGrows(t.db, through);
      } finally {
        await app.close();
      }
    } finally {
      await t.drop();
    }
  };

  const staffRead = async (app: TestApp['app'], through: string) => {
    // Staff read the case.
    const login = await api(app, 'POST', '/api/v1/staff/session', {
      email: EMAIL,
      password: PASSWORD,
      code: loginCode(EMAIL),
    });
    assert.equal(login.statusCode, 200, `${through}: ${login.body}`);
    const token = (login.json() as { token: string }).token;
    const read = await api(app, 'GET', `/api/v1/cases/${encodeURIComponent(reference)}`, undefined, token);
    assert.equal(read.statusCode, 200, `${through}: ${read.body}`);
    assert.ok(read.body.includes('upgrade-marker-7f3a'), `${through}: staff read the report`);
  };

  /** The ledger verifies, consistent with its checkpoint before the upgrade, and grows. */
  const ledgerGrows = async (db: Db, through: string) => {
    await runSequencer({ db: db, key: ref.ledgerKey });
    const history = new SignedHistory();
    history.add(checkpointBefore);
    const now = await verifyWholeLog(dbReader(db), {
      vkey: ref.ledgerKey.vkey,
      history,
      inclusion: 'all',
      pairs: 'all',
      label: through,
    });
    assert.ok(
      now.size > checkpointBefore.size,
      `${through}: the ledger grew from ${checkpointBefore.size} to ${now.size}`,
    );
  };

  // One test per earlier migration.
  for (const through of names.slice(0, -1))
    it(`from the schema as of ${through}`, async () => {
      await upgradeFrom(through);
    });

  it('refuses a database newer than the code, naming the migration, and changes nothing', async () => {
    const t = await createTestDatabase(2);
    try {
      await sql`insert into schema_migration (name) values ('9999_from_the_future.sql')`.execute(t.db);
      const before = (await sql<{ n: number }>`select count(*)::int as n from schema_migration`.execute(t.db)).rows[0]
        .n;
      await assert.rejects(
        () => migrate(t.db),
        (e: Error) =>
          /newer than this version/.test(e.message) &&
          e.message.includes('9999_from_the_future.sql') &&
          /downgrade/.test(e.message),
      );
      const after = (await sql<{ n: number }>`select count(*)::int as n from schema_migration`.execute(t.db)).rows[0].n;
      assert.equal(after, before);
    } finally {
      await t.drop();
    }
  });
});
