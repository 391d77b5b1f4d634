// The database restarted under load (what a fail-over to a streaming replica looks like to the
// platform: every connection dropped, then a server answering again at the same address): three
// workers keep running, refuse what they cannot store while it is down (never a receipt for a report
// that is not stored), say so on /readyz, and recover by themselves once it is back: no restart of
// Sujarit, every receipt given opens its report, the ledger takes every filing.
import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { connect, type Db } from '../src/db/connection.ts';
import { startEmbeddedDatabase, type EmbeddedDatabase } from '../src/db/embedded.ts';
import { migrate } from '../src/db/migrate.ts';
import { seedAgency, seedRecipient } from './support/app.ts';
import { api, openReportByReceipt } from './support/http.ts';
import { startServerProcess, workerPids, type ServerProcess } from './support/server.ts';

const AGENCY = 'OPDC';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the database restarted under load', () => {
  let dir: string;
  let pg: EmbeddedDatabase | null = null;
  let db: Db;
  let server: ServerProcess | null = null;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'sujarit-failover-'));
    await chmod(dir, 0o711); // run as root, PostgreSQL runs as `postgres`, which must pass through
    pg = await startEmbeddedDatabase(path.join(dir, 'db'));
    db = connect((pg as EmbeddedDatabase).url, 2);
    await migrate(db);
    await seedAgency(db, AGENCY);
    await seedRecipient(db, AGENCY, 'officer@opdc.example');
    server = await startServerProcess({
      databaseUrl: pg.url,
      dataDir: path.join(dir, 'app'),
      env: { SUJARIT_WORKERS: '3', SUJARIT_LEDGER_BATCH_MS: '100', SUJARIT_FILING_THRESHOLD: '1000000' },
    });
  });
  after(async () => {
    await server?.stop();
    await db?.destroy();
    await pg?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps serving after PostgreSQL goes away and comes back, with no restart of Sujarit', async () => {
    const base = (server as ServerProcess).url;
    const workers = await workerPids((server as ServerProcess).child.pid as number);
    assert.equal(workers.length, 3);
    const receipts: string[] = [];
    const refused: number[] = [];
    let isLoading = true;
    const filer = async (n: number) => {
      for (let i = 0; isLoading; i++) {
        const res = await api<{ receipt: string }>(base, 'POST', '/api/v1/reports', {
          agency: AGENCY,
          category: 'bribery',
          what: `รายงาน ${n}/${i} ระหว่างฐานข้อมูลเริ่มใหม่`,
        }).catch(() => ({ status: 0, json: { receipt: '' }, text: '' }));
        if (res.status === 201) receipts.push(res.json.receipt);
        else refused.push(res.status);
        if (res.status !== 201) await sleep(100);
      }
    };
    const load = Promise.all([filer(0), filer(1), filer(2), filer(3)]);
    let beforeRestart = 0;
    let afterRestart = 0;
    try {
      await until(async () => receipts.length >= 10, 120_000, 'filings before the restart');
      beforeRestart = receipts.length;
      await (pg as EmbeddedDatabase).stop();
      pg = null;
      await sleep(1500);
      const down = await fetch(new URL('/readyz', base));
      assert.equal(down.status, 503, 'not ready while the database is down');
      assert.deepEqual(await down.json(), { status: 'not ready', database: false, ledger: false });
      pg = await startEmbeddedDatabase(path.join(dir, 'db'));
      afterRestart = receipts.length;
      await until(async () => receipts.length >= afterRestart + 20, 90_000, 'filings accepted again after the restart');
    } finally {
      isLoading = false;
      await load;
      console.log(`filings: ${receipts.length} answered 201, refused: ${[...new Set(refused)].join(', ')}`);
    }
    assert.ok(refused.length > 0, 'some filings were refused while the database was down');
    assert.ok(
      refused.every((s) => s >= 500 || s === 0),
      `refusals are server errors: ${[...new Set(refused)].join(', ')}`,
    );
    assert.equal((await fetch(new URL('/readyz', base))).status, 200, 'ready again');
    assert.deepEqual(await workerPids((server as ServerProcess).child.pid as number), workers, 'the same workers');

    // Nothing acknowledged is lost: every receipt opens its report, every filing reaches the log.
    await db.destroy();
    db = connect((pg as EmbeddedDatabase).url, 2);
    for (const r of receipts) assert.equal((await openReportByReceipt(base, r)).status, 200, r);
    await until(
      async () =>
        Number((await sql<{ n: number }>`select count(*)::int as n from ledger_outbox`.execute(db)).rows[0].n) === 0,
      60_000,
      'the ledger to take every filing',
    );
    const cases = Number((await sql<{ n: number }>`select count(*)::int as n from report_case`.execute(db)).rows[0].n);
    // A filing whose commit raced the shutdown may be stored without its answer reaching the client;
    // a receipt for a report not stored is what must never happen (checked above, receipt by receipt).
    assert.ok(cases >= receipts.length, `${cases} cases for ${receipts.length} receipts`);
    console.log(
      `restart under load: ${beforeRestart} filings before, ${receipts.length - afterRestart} after, ${refused.length} refused while down (${[...new Set(refused)].join(', ')})`,
    );
  });
});

async function until(cond: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}
