// The sequencer against a real database, checked as a monitor would check it: after every step the
// whole log is re-verified from what /log serves (readCheckpoint/readTile): the checkpoint's
// signature, the root of all entries, every tile against one computed from scratch, every
// inclusion proof, and consistency between every pair of signed sizes. Faults are injected between
// append, integrate, sign and publish: failures that persist nothing (a throw, a connection that
// dies mid-transaction, a compare-and-swap conflict) and failures after a commit (a process that
// integrates or signs, then dies). Entries are random; set SUJARIT_TEST_SEED to repeat a run.
import assert from 'node:assert/strict';
import { LEDGER_SEQUENCER_LOCK } from '../db/locks.ts';
import { spawn } from 'node:child_process';
import { randomInt as cryptoRandomInt } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { connect, type Db } from '../db/connection.ts';
import { createTestDatabase, type TestDatabase } from '../../test/support/db.ts';
import {
  appendToOutbox,
  createTestLedger,
  dbReader,
  expectedTile,
  ledgerConfig,
  randomBytesOf,
  randomEntry,
  randomInt,
  seededRandom,
  SignedHistory,
  verifyWholeLog,
  type LogReader,
  type TestLedger,
} from '../../test/support/ledger.ts';
import { initLedger, loadLedgerKey } from './keys.ts';
import { exportPrivateKey, generateLogKey, NoteError, verifyNote } from './note.ts';
import { integrateBatch, LEDGER_FORMAT_VERSION, signLatest, type Faults } from './sequencer.ts';
import { hashesAtLevel, HASH_SIZE, TILE_WIDTH, type TileAddress } from './tiles.ts';
import { leafHash, memoryHashSource, rootOfLeaves } from './tree.ts';

const SEED = process.env.SUJARIT_TEST_SEED ? Number(process.env.SUJARIT_TEST_SEED) : cryptoRandomInt(2 ** 31);
const SMALL_BATCH = 37; // several batches per step, and batch edges that fall anywhere in a tile
const injected = (): never => {
  throw new Error('injected fault');
};

/** Everything the sequencer stores, in a form that compares equal when nothing changed. */
async function snapshot(db: Db) {
  const state = await db.selectFrom('ledger_state').selectAll().executeTakeFirstOrThrow();
  const outbox = (await db.selectFrom('ledger_outbox').select('id').orderBy('id').execute()).map((r) => r.id);
  const entries = await sql<{ n: number; max: number | null; digest: string | null }>`
    select count(*)::int as n, max(idx) as max, md5(string_agg(outbox_id::text || ':' || md5(entry), ',' order by idx)) as digest from ledger_entry`.execute(
    db,
  );
  const tiles = await sql<{
    level: number;
    idx: number;
    digest: string;
  }>`select level, idx, md5(hashes) as digest from ledger_tile order by level, idx`.execute(db);
  return { state, outbox, entries: entries.rows[0], tiles: tiles.rows };
}

describe('ledger sequencer on a real database', () => {
  let t: TestDatabase;
  let other: Db; // a second pool on the same database: "another process"
  let ledger: TestLedger;
  const appended: Buffer[] = []; // every entry appended, in outbox order
  const outboxIds: number[] = [];
  const history = new SignedHistory();
  const rng = seededRandom(SEED);
  const label = (what: string) => `seed ${SEED}: ${what}`;

  before(async () => {
    t = await createTestDatabase(6);
    other = connect(t.url, 4);
    ledger = await createTestLedger(t.db);
  });
  after(async () => {
    await other?.destroy();
    await t?.drop();
    await ledger?.cleanup();
  });

  const append = async (entries: Buffer[]) => {
    outboxIds.push(...(await appendToOutbox(t.db, entries)));
    appended.push(...entries);
  };

  /** Integrates everything pending in batches of `max` through `db`; returns how many. */
  const integrateAll = async (db: Db, max = SMALL_BATCH, faults?: Faults) => {
    let total = 0;
    for (let n = -1; n !== 0; total += n) n = await integrateBatch({ db, max, faults });
    return total;
  };

  /**
   * The stored tree (also the part not yet signed) against a tree built from scratch from every
   * appended entry: each outbox row is in ledger_entry exactly once, at the index of its outbox
   * order; the rest is still in the outbox; every tile row is exactly the tile of the tree size.
   */
  const checkStore = async (what: string) => {
    const state = await t.db.selectFrom('ledger_state').selectAll().executeTakeFirstOrThrow();
    const size = state.tree_size;
    const rows = await t.db.selectFrom('ledger_entry').select(['idx', 'outbox_id', 'entry']).orderBy('idx').execute();
    assert.equal(rows.length, size, label(`${what}: ${rows.length} entries stored for a tree of ${size}`));
    rows.forEach((r, i) => {
      assert.equal(r.idx, i, label(`${what}: entry indexes are not 0..${size - 1}`));
      assert.equal(
        r.outbox_id,
        outboxIds[i],
        label(`${what}: entry ${i} comes from outbox row ${r.outbox_id}, expected ${outboxIds[i]}`),
      );
      assert.ok(r.entry.equals(appended[i]), label(`${what}: entry ${i} is not what was appended`));
    });
    const pending = (await t.db.selectFrom('ledger_outbox').select('id').orderBy('id').execute()).map((r) => r.id);
    assert.deepEqual(pending, outboxIds.slice(size), label(`${what}: outbox`));
    const leaves = rows.map((r) => leafHash(r.entry));
    assert.ok(state.tree_root.equals(rootOfLeaves(leaves)), label(`${what}: stored tree root`));
    const mem = memoryHashSource(leaves);
    const tiles = await t.db
      .selectFrom('ledger_tile')
      .select(['level', 'idx', 'hashes'])
      .orderBy('level')
      .orderBy('idx')
      .execute();
    const want: { level: number; idx: number; width: number }[] = [];
    for (let level = 0; hashesAtLevel(size, level) > 0; level++) {
      const count = hashesAtLevel(size, level);
      for (let idx = 0; idx * TILE_WIDTH < count; idx++)
        want.push({ level, idx, width: Math.min(TILE_WIDTH, count - idx * TILE_WIDTH) });
    }
    assert.deepEqual(
      tiles.map((r) => `${r.level}/${r.idx}:${r.hashes.length / HASH_SIZE}`),
      want.map((w) => `${w.level}/${w.idx}:${w.width}`),
      label(`${what}: stored tiles of a tree of ${size}`),
    );
    tiles.forEach((r, i) =>
      assert.ok(
        r.hashes.equals(expectedTile(mem, { level: r.level, index: r.idx, width: want[i].width })),
        label(`${what}: tile ${r.level}/${r.idx}`),
      ),
    );
    assert.ok(state.signed_size <= size, label(`${what}: signed ${state.signed_size} beyond the tree ${size}`));
    assert.equal(
      verifyNote(state.checkpoint, ledger.key.vkey).size,
      state.signed_size,
      label(`${what}: stored checkpoint`),
    );
    return state;
  };

  /**
   * The whole log as /log serves it (verifyWholeLog): every proof is checked; tree.ts builds from
   * the served tiles the proofs of the entries new since the last check, a spread of the others,
   * and the consistency proofs from every earlier size (or everything, with `full`).
   */
  let lastVerified = 0;
  const verifyServed = async (what: string, full = false, spotChecks = false) => {
    const report = await verifyWholeLog(dbReader(t.db), {
      vkey: ledger.key.vkey,
      expected: appended,
      history,
      inclusion: full ? 'all' : spotChecks ? 100 : 24,
      sampleOnly: spotChecks,
      tileBuilt:
        appended.length - lastVerified <= 600
          ? Array.from({ length: appended.length - lastVerified }, (_, i) => lastVerified + i)
          : [],
      pairs: full ? 'all' : 'current',
      label: label(what),
    });
    lastVerified = report.size;
    return report;
  };

  const signed = async () =>
    (await t.db.selectFrom('ledger_state').select('signed_size').executeTakeFirstOrThrow()).signed_size;

  /** Fail-and-not-persist: a step that throws inside integrate's transaction leaves everything as it was. */
  const assertNothingPersists = async (
    what: string,
    run: () => Promise<unknown>,
    error: RegExp,
    restore?: () => Promise<void>,
  ) => {
    const before = await snapshot(t.db);
    if (before.outbox.length === 0) {
      assert.equal(await run(), 0, label(`${what}: nothing to integrate`));
      return;
    }
    await assert.rejects(run(), error, label(what));
    await restore?.();
    assert.deepEqual(await snapshot(t.db), before, label(`${what}: the failed transaction left changes`));
  };

  /** The fault scenarios, taken in turn, one per step; each ends with the log integrated and signed. */
  const scenarios: { name: string; run: (step: string) => Promise<void> }[] = [
    {
      name: 'clean',
      run: async () => {
        await integrateAll(t.db);
        await signLatest({ db: t.db, key: ledger.key });
      },
    },
    {
      name: 'integrate throws after its writes (fail-and-not-persist)',
      run: async (step) => {
        await assertNothingPersists(
          step,
          () => integrateBatch({ db: t.db, max: SMALL_BATCH, faults: { afterIntegrateWrite: injected } }),
          /injected fault/,
        );
        await verifyServed(`${step}, after the failed integrate`);
        await integrateAll(t.db);
        await signLatest({ db: t.db, key: ledger.key });
      },
    },
    {
      name: 'the connection dies inside integrate (fail-and-not-persist)',
      run: async (step) => {
        // The backend holding the sequencer's lock in this database (other test files share the
        // cluster) is terminated, as when its process is killed.
        const kill = async () => {
          const r = await sql<{
            pid: number;
          }>`select pid from pg_locks where locktype = 'advisory' and objid = ${LEDGER_SEQUENCER_LOCK} and granted and database = (select oid from pg_database where datname = current_database())`.execute(
            other,
          );
          assert.equal(r.rows.length, 1, 'one backend holds the sequencer lock');
          await sql`select pg_terminate_backend(${r.rows[0].pid}::int, 10000)`.execute(other);
        };
        // Its own pool: the test of connect() below shows the process survives this.
        const victim = connect(t.url, 2);
        try {
          await assertNothingPersists(
            step,
            () => integrateBatch({ db: victim, max: SMALL_BATCH, faults: { afterIntegrateWrite: kill } }),
            /terminat|Connection|closed|queryable/i,
          );
        } finally {
          await victim.destroy();
        }
        await integrateAll(t.db);
        await signLatest({ db: t.db, key: ledger.key });
      },
    },
    {
      name: 'the tree moves under integrate (compare-and-swap conflict)',
      run: async (step) => {
        // Another writer (one that skips the lock) moves tree_size while integrate holds it:
        // integrate must refuse rather than write a second tree over the first.
        let oldSize = -1;
        const move = async () => {
          oldSize = (await other.selectFrom('ledger_state').select('tree_size').executeTakeFirstOrThrow()).tree_size;
          await other
            .updateTable('ledger_state')
            .set({ tree_size: oldSize + 1 })
            .execute();
        };
        const restore = async () => {
          await other
            .updateTable('ledger_state')
            .set({ tree_size: oldSize })
            .where('tree_size', '=', oldSize + 1)
            .execute();
        };
        await assertNothingPersists(
          step,
          () => integrateBatch({ db: t.db, max: SMALL_BATCH, faults: { afterIntegrateWrite: move } }),
          /tree moved/,
          restore,
        );
        await integrateAll(t.db);
        await signLatest({ db: t.db, key: ledger.key });
      },
    },
    {
      name: 'sign fails after integrate committed (integrated, not signed)',
      run: async (step) => {
        const before = await signed();
        await integrateAll(t.db);
        const state = await checkStore(`${step}, integrated`);
        if (state.tree_size === before) return;
        await assert.rejects(
          signLatest({ db: t.db, key: ledger.key, faults: { beforeSign: injected } }),
          /injected fault/,
        );
        assert.equal(await signed(), before, label(`${step}: a failed sign moved the checkpoint`));
        await verifyServed(`${step}, before the retried sign`);
        assert.equal(
          await signLatest({ db: t.db, key: ledger.key }),
          state.tree_size,
          label(`${step}: the next sign covers the tree`),
        );
      },
    },
    {
      name: 'a process integrates one batch, then dies (fail-but-persist)',
      run: async (step) => {
        const before = await signed();
        const crashed = connect(t.url, 2);
        const n = await integrateBatch({ db: crashed, max: SMALL_BATCH });
        await crashed.destroy();
        const state = await checkStore(`${step}, after the crash`);
        assert.equal(state.tree_size, before + n);
        assert.equal(await signed(), before);
        await verifyServed(`${step}, after the crash`);
        // A fresh process carries on from the committed tree.
        const next = connect(t.url, 2);
        await integrateAll(next);
        await signLatest({ db: next, key: ledger.key });
        await next.destroy();
      },
    },
    {
      name: 'a process signs, then dies before it learns the result (fail-but-persist)',
      run: async (step) => {
        await integrateAll(t.db);
        const crashed = connect(t.url, 2);
        const size = await signLatest({ db: crashed, key: ledger.key });
        await crashed.destroy();
        const note = (await t.db.selectFrom('ledger_state').select('checkpoint').executeTakeFirstOrThrow()).checkpoint;
        assert.equal(await signLatest({ db: t.db, key: ledger.key }), size, label(`${step}: signing again`));
        assert.equal(
          (await t.db.selectFrom('ledger_state').select('checkpoint').executeTakeFirstOrThrow()).checkpoint,
          note,
          label(`${step}: signing again changed the checkpoint`),
        );
      },
    },
    {
      name: 'signed in the middle of integrating',
      run: async (step) => {
        await integrateBatch({ db: t.db, max: SMALL_BATCH });
        await signLatest({ db: t.db, key: ledger.key });
        await verifyServed(`${step}, half-way`);
        await integrateAll(t.db);
        await signLatest({ db: t.db, key: ledger.key });
      },
    },
    {
      name: 'two processes integrate and sign at once while entries arrive',
      run: async (step) => {
        let done = false;
        const seen: string[] = [];
        const poll = (async () => {
          while (!done) {
            seen.push(
              (await t.db.selectFrom('ledger_state').select('checkpoint').executeTakeFirstOrThrow()).checkpoint,
            );
            await new Promise((r) => setImmediate(r));
          }
        })();
        const sequencer = async (db: Db) => {
          for (let i = 0; i < 6; i++) {
            await integrateBatch({ db, max: 7 + i });
            await signLatest({ db, key: ledger.key });
          }
        };
        const late = Array.from({ length: randomInt(rng, 1, 40) }, () => randomEntry(rng));
        await Promise.all([sequencer(t.db), sequencer(other), append(late)]);
        await integrateAll(other);
        await signLatest({ db: other, key: ledger.key });
        done = true;
        await poll;
        for (const note of new Set(seen)) {
          const cp = verifyNote(note, ledger.key.vkey);
          history.add({ size: cp.size, root: cp.root, note });
        }
        assert.ok(seen.length > 0, step);
      },
    },
  ];

  it(`re-verifies the whole tree after every step, with faults injected (seed ${SEED})`, async () => {
    const genesis = await verifyServed('genesis');
    assert.equal(genesis.size, 0);
    const stepSizes = () => {
      const r = rng();
      if (r < 0.07) return 0;
      if (r < 0.14) return 1;
      if (r < 0.2) return randomInt(rng, 255, 257);
      if (r < 0.6) return randomInt(rng, 2, 40);
      return randomInt(rng, 41, 110);
    };
    let steps = 0;
    for (let step = 0; appended.length < 1500 || step < scenarios.length * 2; step++) {
      const scenario = scenarios[step % scenarios.length];
      const what = `step ${step} (${scenario.name}, from ${appended.length})`;
      // The edge sizes (empty, and the largest an entry may be) go in at the start whatever the seed.
      const edges = step === 0 ? [Buffer.alloc(0), randomBytesOf(rng, 65535)] : [];
      await append([...edges, ...Array.from({ length: stepSizes() }, () => randomEntry(rng))]);
      await scenario.run(what);
      const state = await checkStore(what);
      assert.equal(state.tree_size, appended.length, label(`${what}: not everything was integrated`));
      assert.equal(state.signed_size, appended.length, label(`${what}: not everything was signed`));
      const report = await verifyServed(what);
      assert.equal(report.size, appended.length);
      steps++;
    }
    const final = await verifyServed('all proofs from the served tiles', true);
    assert.equal(final.proofs.inclusion, appended.length);
    assert.ok(history.sizes().length >= 20, `only ${history.sizes().length} signed sizes`);
    assert.ok(
      appended.some((e) => e.length === 0) && appended.some((e) => e.length === 65535),
      'entries of 0 and 65,535 bytes were appended',
    );
    console.log(
      `sequencer: seed ${SEED}, ${steps} steps, ${appended.length} entries, ${history.sizes().length} signed sizes`,
    );
  });

  it('has a whole-log check that notices a wrong byte, a missing tile or a second checkpoint', async () => {
    // The check above would pass vacuously if it read nothing; here it must fail on each fault.
    const copy = () => {
      const h = new SignedHistory();
      for (const cp of history.bySize.values()) h.add(cp);
      return h;
    };
    const sizes = history.sizes();
    const older = sizes.find((n) => n % TILE_WIDTH !== 0 && n > 300)!;
    const flipAt = (b: Buffer, at: number) => {
      const c = Buffer.from(b);
      c[at % c.length] ^= 0x01;
      return c;
    };
    type Reader = LogReader;
    const tileFault = (r: Reader, hit: (a: TileAddress) => boolean, at: number): Reader => ({
      ...r,
      tile: async (a) => {
        const b = await r.tile(a);
        return b && hit(a) ? flipAt(b, at) : b;
      },
    });
    const faults: [string, (r: Reader) => Reader, (new (...args: never[]) => Error) | ((e: Error) => boolean)][] = [
      [
        'the root of the checkpoint',
        (r) => ({
          ...r,
          checkpoint: async () => {
            const lines = (await r.checkpoint())!.split('\n');
            lines[2] = (lines[2][0] === 'A' ? 'B' : 'A') + lines[2].slice(1);
            return lines.join('\n');
          },
        }),
        NoteError,
      ],
      [
        'a hash of a level-0 tile',
        (r) => tileFault(r, (a) => a.level === 0 && a.index === 1, 100),
        assert.AssertionError,
      ],
      ['a hash of a level-1 tile', (r) => tileFault(r, (a) => a.level === 1, 40), assert.AssertionError],
      // A flipped length prefix makes the bundle undecodable: decodeBundle says so.
      [
        'a byte of an entry bundle',
        (r) => tileFault(r, (a) => a.level === 'entries' && a.index === 2, 777),
        (e: Error) => e instanceof assert.AssertionError || /^bundle /.test(e.message),
      ],
      [
        `the partial tile of the earlier size ${older}`,
        (r) => ({ ...r, tile: async (a) => (a.level === 0 && a.width === older % TILE_WIDTH ? null : r.tile(a)) }),
        assert.AssertionError,
      ],
    ];
    for (const [what, corrupt, error] of faults) {
      await assert.rejects(
        verifyWholeLog(corrupt(dbReader(t.db)), {
          vkey: ledger.key.vkey,
          expected: appended,
          history: copy(),
          inclusion: 8,
          sampleOnly: true,
        }),
        error,
        what,
      );
    }
    // A second, different checkpoint of a size already seen is a fork, whatever its signature.
    const h = copy();
    const [, seen] = [...h.bySize].find(([n]) => n > 0)!;
    assert.throws(() => h.add({ ...seen, root: flipAt(seen.root, 0) }), /two roots signed/);
    // And entries that differ from what was appended.
    const other = [...appended];
    other[5] = flipAt(other[5].length ? other[5] : Buffer.alloc(1), 0);
    await assert.rejects(
      verifyWholeLog(dbReader(t.db), {
        vkey: ledger.key.vkey,
        expected: other,
        history: copy(),
        inclusion: 8,
        sampleOnly: true,
      }),
      /entry 5 differs/,
    );
  });

  it('grows past 65,536 entries (a level-2 hash) to 70,000, with spot checks at each signed size', async () => {
    const big = seededRandom(SEED + 1);
    // Mostly small entries (the byte volume stays low); a few empty and a few of the largest size.
    const entry = () => {
      const r = big();
      return r < 0.0003
        ? randomBytesOf(big, 65535)
        : r < 0.05
          ? Buffer.alloc(0)
          : randomBytesOf(big, randomInt(big, 1, 40));
    };
    for (const [target, fault] of [
      [65_535, 'none'],
      [65_536, 'sign'],
      [65_537, 'integrate'],
      [70_000, 'none'],
    ] as const) {
      await append(Array.from({ length: target - appended.length }, entry));
      if (fault === 'integrate')
        await assertNothingPersists(
          `at ${target}`,
          () => integrateBatch({ db: t.db, max: 4096, faults: { afterIntegrateWrite: injected } }),
          /injected fault/,
        );
      await integrateAll(t.db, 4096);
      if (fault === 'sign')
        await assert.rejects(
          signLatest({ db: t.db, key: ledger.key, faults: { beforeSign: injected } }),
          /injected fault/,
        );
      assert.equal(await signLatest({ db: t.db, key: ledger.key }), target);
      await checkStore(`at ${target}`);
      const report = await verifyServed(`at ${target}`, false, true);
      assert.equal(report.size, target);
    }
    assert.deepEqual(history.sizes().slice(-4), [65_535, 65_536, 65_537, 70_000]);
  });

  it('refuses to integrate a tree stored in a format it does not know', async () => {
    await append([Buffer.from('after a format change')]);
    await t.db
      .updateTable('ledger_state')
      .set({ format_version: LEDGER_FORMAT_VERSION + 1 })
      .execute();
    try {
      await assertNothingPersists(
        'unknown format',
        () => integrateBatch({ db: t.db, max: SMALL_BATCH }),
        new RegExp(`stored format ${LEDGER_FORMAT_VERSION + 1}`),
      );
    } finally {
      await t.db.updateTable('ledger_state').set({ format_version: LEDGER_FORMAT_VERSION }).execute();
    }
    await integrateAll(t.db);
    await signLatest({ db: t.db, key: ledger.key });
    await checkStore('after the format check');
  });

  it('refuses to sign a tree stored in a format it does not know', async () => {
    await append([Buffer.from('integrated by a newer version')]);
    await integrateAll(t.db);
    const before = await snapshot(t.db);
    await t.db
      .updateTable('ledger_state')
      .set({ format_version: LEDGER_FORMAT_VERSION + 1 })
      .execute();
    try {
      await assert.rejects(
        signLatest({ db: t.db, key: ledger.key }),
        new RegExp(`stored format ${LEDGER_FORMAT_VERSION + 1}`),
      );
      assert.deepEqual(
        (await snapshot(t.db)).state,
        { ...before.state, format_version: LEDGER_FORMAT_VERSION + 1 },
        'the checkpoint moved',
      );
    } finally {
      await t.db.updateTable('ledger_state').set({ format_version: LEDGER_FORMAT_VERSION }).execute();
      await signLatest({ db: t.db, key: ledger.key });
    }
  });
});

describe('a database connection lost in the middle of integrate', () => {
  let t: TestDatabase;
  before(async () => {
    t = await createTestDatabase(2);
  });
  after(() => t?.drop());

  it('fails that integrate, and does not crash the process', async () => {
    // The server's own pool (connect() in src/db/connection.ts) in a child process: the backend
    // of integrate's transaction is terminated (a PostgreSQL restart, a failover, an operator's
    // pg_terminate_backend) while the transaction is between two statements.
    const ledger = await createTestLedger(t.db);
    await appendToOutbox(t.db, [Buffer.from('one'), Buffer.from('two')]);
    const script = `
      import { sql } from 'kysely';
      import { connect } from './src/db/connection.ts';
      import { integrateBatch } from './src/ledger/sequencer.ts';
      const db = connect(process.env.TEST_DB_URL, 2);
      const other = connect(process.env.TEST_DB_URL, 1);
      const kill = async () => {
        const r = await sql\`select pid from pg_locks where locktype = 'advisory' and objid = ${LEDGER_SEQUENCER_LOCK} and granted and database = (select oid from pg_database where datname = current_database())\`.execute(other);
        await sql\`select pg_terminate_backend(\${r.rows[0].pid}::int, 10000)\`.execute(other);
        await new Promise((r) => setTimeout(r, 200)); // the sequencer's own work between statements
      };
      await integrateBatch({ db, max: 10, faults: { afterIntegrateWrite: kill } }).then(() => console.log('integrated'), (e) => console.log('integrate failed: ' + e.message));
      console.log('integrated after the loss: ' + await integrateBatch({ db, max: 10 }));
      await db.destroy();
      await other.destroy();
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      cwd: path.resolve(import.meta.dirname, '../..'),
      env: { ...process.env, TEST_DB_URL: t.url },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (b: Buffer) => (output += b.toString()));
    child.stderr.on('data', (b: Buffer) => (output += b.toString()));
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    await ledger.cleanup();
    assert.equal(code, 0, `the process died on a lost database connection:\n${output}`);
    assert.match(output, /integrate failed: /, output);
    assert.match(output, /integrated after the loss: 2/, output);
  });
});

describe('ledger creation and its key', () => {
  let t: TestDatabase;
  let dir: string;
  before(async () => {
    t = await createTestDatabase(2);
    dir = await mkdtemp(path.join(tmpdir(), 'sujarit-ledger-keys-'));
  });
  after(async () => {
    await t?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('creates the log once, and refuses when a log or a key exists; loading needs both halves', async () => {
    const keyFile = path.join(dir, 'key.pem');
    const config = ledgerConfig(dir, keyFile);
    assert.equal(await loadLedgerKey({ db: t.db, config }), null, 'no log and no key: nothing to load');

    // A key without a log: neither created over it nor loaded.
    const stray = exportPrivateKey(generateLogKey('stray.example/log').privateKey);
    await writeFile(keyFile, stray, { mode: 0o600 });
    await assert.rejects(initLedger({ db: t.db, config }), /refusing to overwrite a ledger key/);
    assert.equal(await readFile(keyFile, 'utf8'), stray, 'the existing key file was changed');
    assert.equal(await t.db.selectFrom('ledger_state').select('origin').executeTakeFirst(), undefined);
    await assert.rejects(loadLedgerKey({ db: t.db, config }), /exists but the database has no ledger/);
    await rm(keyFile);

    const key = await initLedger({ db: t.db, config });
    const state = await t.db.selectFrom('ledger_state').selectAll().executeTakeFirstOrThrow();
    assert.deepEqual(
      [state.format_version, state.origin, state.tree_size, state.signed_size],
      [LEDGER_FORMAT_VERSION, 'ledger.sujarit.test/log', 0, 0],
    );
    assert.equal(verifyNote(state.checkpoint, key.vkey).size, 0);

    // A log without... another key file: refused, and no second key is written.
    const second = ledgerConfig(dir, path.join(dir, 'second.pem'));
    await assert.rejects(initLedger({ db: t.db, config: second }), /a ledger exists/);
    assert.equal(existsSync(second.ledgerKeyFile), false, 'a second key was written');
    await assert.rejects(initLedger({ db: t.db, config }), /a ledger exists/);

    // A log whose key is missing.
    await assert.rejects(loadLedgerKey({ db: t.db, config: second }), /its key .* is missing/);
    const loaded = await loadLedgerKey({ db: t.db, config });
    assert.equal(loaded?.vkey, key.vkey);
  });

  it('refuses a key file that is not the key of the stored log', async () => {
    // A leftover key of another install, or a second server pointed at another key file, would
    // otherwise sign the existing log's next checkpoints with a key its verifiers do not know.
    const config = ledgerConfig(dir, path.join(dir, 'other.pem'));
    await writeFile(config.ledgerKeyFile, exportPrivateKey(generateLogKey('ledger.sujarit.test/log').privateKey), {
      mode: 0o600,
    });
    await assert.rejects(
      loadLedgerKey({ db: t.db, config }),
      'loadLedgerKey accepted a key that did not sign the stored checkpoint',
    );
  });
});
