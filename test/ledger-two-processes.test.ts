// Two real server processes on one database, both running the ledger's sequencer every 50 ms with
// the same key, while reports are filed at both and both /log/checkpoint are polled. Whatever the
// interleaving: no fork (every pair of checkpoints either server ever showed is consistent, one
// checkpoint per size), no lost or doubled entry (each submission's entry is in the log once, at
// contiguous indexes), and the final log verifies in full from each server's /log.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { verifyNote } from '../src/ledger/note.ts';
import { seedAgency, seedRecipient } from './support/app.ts';
import { createTestDatabase, type TestDatabase } from './support/db.ts';
import { api } from './support/http.ts';
import {
  createTestLedger,
  httpReader,
  SignedHistory,
  TEST_PUBLIC_URL,
  verifyWholeLog,
  type TestLedger,
} from './support/ledger.ts';
import { startServerProcess, type ServerProcess } from './support/server.ts';

const AGENCY = 'OPDC';
const SUBMISSIONS = 150;
const CONCURRENCY = 12;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('two server processes appending to one ledger at once', () => {
  let t: TestDatabase;
  let ledger: TestLedger;
  const dirs: string[] = [];
  const servers: ServerProcess[] = [];
  const output: string[] = ['', ''];

  before(async () => {
    t = await createTestDatabase(4);
    await seedAgency(t.db, AGENCY);
    await seedRecipient(t.db, AGENCY, 'officer@opdc.example');
    // The log and its one key exist before either server starts; both load the same key file.
    ledger = await createTestLedger(t.db);
    for (let i = 0; i < 2; i++) {
      const dataDir = await mkdtemp(path.join(tmpdir(), `sujarit-ledger-srv${i}-`));
      dirs.push(dataDir);
      const server = await startServerProcess({
        databaseUrl: t.url,
        dataDir,
        // 150 filings in seconds would cross the filing threshold (120): this test is about the ledger, not the gate.
        env: {
          SUJARIT_LEDGER_KEY: ledger.config.ledgerKeyFile,
          SUJARIT_LEDGER_BATCH_MS: '50',
          SUJARIT_PUBLIC_URL: TEST_PUBLIC_URL,
          SUJARIT_DB_POOL: '8',
          SUJARIT_FILING_THRESHOLD: '1000000',
        },
      });
      server.child.stdout!.on('data', (b: Buffer) => (output[i] += b.toString()));
      server.child.stderr!.on('data', (b: Buffer) => (output[i] += b.toString()));
      servers.push(server);
    }
  });
  after(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await t?.drop();
    await ledger?.cleanup();
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it(`keeps one log: ${SUBMISSIONS} reports at both servers, no fork, no lost or doubled entry`, async () => {
    const bases = servers.map((s) => s.url);
    for (const base of bases) {
      const vkey = await fetch(new URL('/log/vkey', base));
      assert.equal(await vkey.text(), `${ledger.key.vkey}\n`, `${base} serves another verifier key`);
    }

    // Every checkpoint either server shows while the reports come in.
    const seen = new Map<string, Set<number>>(); // checkpoint text → servers that showed it
    let polling = true;
    let polls = 0;
    const poller = (async () => {
      while (polling) {
        await Promise.all(
          bases.map(async (base, i) => {
            const res = await fetch(new URL('/log/checkpoint', base));
            assert.equal(res.status, 200);
            const text = await res.text();
            if (!seen.has(text)) seen.set(text, new Set());
            seen.get(text)!.add(i);
          }),
        );
        polls++;
        await sleep(50);
      }
    })();

    const started = performance.now();
    let next = 0;
    const receipts: string[] = [];
    const worker = async () => {
      while (next < SUBMISSIONS) {
        const n = next++;
        const res = await api<{ receipt: string; reference: string }>(bases[n % 2], 'POST', '/api/v1/reports', {
          agency: AGENCY,
          category: 'bribery',
          what: `รายงานที่ ${n} ถึงเซิร์ฟเวอร์ ${n % 2}`,
        });
        assert.equal(res.status, 201, res.text);
        receipts.push(res.json.receipt);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const filedMs = performance.now() - started;
    assert.equal(receipts.length, SUBMISSIONS);

    // Until both servers show a checkpoint of every event, and nothing is left to integrate.
    const count = async (q: ReturnType<typeof sql<{ n: number }>>) => Number((await q.execute(t.db)).rows[0].n);
    const events = await count(sql<{ n: number }>`select count(*)::int as n from case_ledger_event`);
    assert.equal(events, SUBMISSIONS, 'one ledger event per submission');
    const deadline = Date.now() + 60_000;
    for (;;) {
      const sizes = await Promise.all(
        bases.map(async (b) => verifyNote((await httpReader(b).checkpoint())!, ledger.key.vkey).size),
      );
      const pending = await count(sql<{ n: number }>`select count(*)::int as n from ledger_outbox`);
      const stored = await count(sql<{ n: number }>`select count(*)::int as n from ledger_entry`);
      if (pending === 0 && sizes.every((s) => s === stored)) break;
      assert.ok(
        Date.now() < deadline,
        `not all signed after 60 s: outbox ${pending}, checkpoints ${sizes.join(', ')} of ${stored} entries`,
      );
      await sleep(50);
    }
    polling = false;
    await poller;
    const settledMs = performance.now() - started;

    // Each submission's entry is in the log exactly once, at the indexes 0 … n-1; any other entry
    // is an audit anchor (runSequencer anchors the audit chain's head when it moved) or a monthly
    // open-data release (a server releases the month just over when it starts).
    const anchors = await count(sql<{ n: number }>`select count(*)::int as n from audit_anchor`);
    const releases = await count(sql<{ n: number }>`select count(*)::int as n from dataset_release`);
    const total = events + anchors + releases;
    const entries = await t.db
      .selectFrom('ledger_entry')
      .select(['idx', 'outbox_id', 'entry'])
      .orderBy('idx')
      .execute();
    assert.deepEqual(
      entries.map((e) => e.idx),
      Array.from({ length: total }, (_, i) => i),
      'ledger_entry indexes are not 0 … n-1',
    );
    assert.equal(
      await count(
        sql<{
          n: number;
        }>`select count(distinct e.idx)::int as n from case_ledger_event c join ledger_entry e on e.outbox_id = c.outbox_id`,
      ),
      SUBMISSIONS,
    );
    assert.equal(
      await count(
        sql<{
          n: number;
        }>`select count(*)::int as n from case_ledger_event c join ledger_entry e on e.outbox_id = c.outbox_id`,
      ),
      SUBMISSIONS,
    );
    assert.equal(
      await count(sql<{ n: number }>`select count(*)::int as n from ledger_entry e
        where not exists (select 1 from case_ledger_event c where c.outbox_id = e.outbox_id) and not exists (select 1 from audit_anchor a where a.outbox_id = e.outbox_id)
          and not exists (select 1 from dataset_release d where d.outbox_id = e.outbox_id)`),
      0,
      'entries of no event',
    );
    assert.equal(await count(sql<{ n: number }>`select count(distinct outbox_id)::int as n from ledger_entry`), total);

    // Every checkpoint seen verifies; one per size; every pair consistent (proofs built from the
    // final tiles of each server, which must also serve the partial tiles of every size seen).
    const history = new SignedHistory();
    for (const text of seen.keys()) {
      const cp = verifyNote(text, ledger.key.vkey);
      history.add({ size: cp.size, root: cp.root, note: text });
    }
    const seenSizes = history.sizes();
    for (const [i, base] of bases.entries()) {
      const h = new SignedHistory();
      for (const cp of history.bySize.values()) h.add(cp);
      const report = await verifyWholeLog(httpReader(base), {
        vkey: ledger.key.vkey,
        expected: entries.map((e) => e.entry),
        history: h,
        inclusion: 'all',
        pairs: 'all',
        label: `server ${i}`,
      });
      assert.equal(report.size, total);
      assert.equal(report.proofs.inclusion, total);
    }

    // Neither sequencer ever failed (a refused compare-and-swap would be logged here).
    for (const [i, out] of output.entries())
      assert.doesNotMatch(out, /ledger sequencer|tree moved/, `server ${i}:\n${out}`);

    const byBoth = [...seen.values()].filter((s) => s.size === 2).length;
    console.log(
      `two servers: ${SUBMISSIONS} reports (+${anchors} audit anchors) filed in ${Math.round(filedMs)} ms, all signed after ${Math.round(settledMs)} ms; ` +
        `${polls} polls saw ${seen.size} distinct checkpoints (${byBoth} shown by both), sizes ${seenSizes.join(' ')}`,
    );
    assert.ok(seen.size >= 3, `only ${seen.size} checkpoints seen: the servers did not race`);
  });
});
