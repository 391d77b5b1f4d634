// The server's ledger asks its configured witnesses to cosign each checkpoint and serves the
// cosigned note: real database, real witnesses (witnessApp on 127.0.0.1), the real service.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../src/config/load.ts';
import { generateWitnessKey, verifyCosignature, verifyNote } from '../src/ledger/note.ts';
import { readCheckpoint } from '../src/ledger/read-log.ts';
import { startLedger } from '../src/ledger/service.ts';
import { createWitness, witnessApp, type Witness } from '../src/ledger/witness-server.ts';
import { createTestDatabase, type TestDatabase } from './support/db.ts';
import { appendToOutbox, TEST_PUBLIC_URL } from './support/ledger.ts';

describe('ledger service with witnesses', () => {
  let database: TestDatabase;
  let dir: string;
  const closers: (() => Promise<unknown>)[] = [];
  before(async () => {
    database = await createTestDatabase(4);
    dir = await mkdtemp(path.join(tmpdir(), 'sujarit-cosign-'));
  });
  after(async () => {
    for (const c of closers) await c();
    await database.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('appends verified cosignatures to the served checkpoint, tick after tick; a dead witness only logs', async () => {
    const origin = `${TEST_PUBLIC_URL.replace('https://', '')}/log`;
    const keys = [generateWitnessKey('w1.example/w'), generateWitnessKey('w2.example/w')];
    // The log key is made by startLedger; witnesses need it, so start them lazily after the first start.
    const logs: string[] = [];
    const env = (urls: string[]) => ({
      SUJARIT_DATA: dir,
      SUJARIT_PUBLIC_URL: TEST_PUBLIC_URL,
      SUJARIT_LEDGER_BATCH_MS: '60000',
      SUJARIT_LEDGER_WITNESSES: [
        ...keys.map((k, i) => `${k.vkey} ${urls[i]}`),
        `${generateWitnessKey('dead.example/w').vkey} http://127.0.0.1:9`,
      ].join('\n'),
    });
    const first = await startLedger({
      db: database.db,
      config: loadConfig({ SUJARIT_DATA: dir, SUJARIT_PUBLIC_URL: TEST_PUBLIC_URL }, []),
      log: () => {},
    });
    await first.stop();
    const witnesses: Witness[] = [];
    const urls: string[] = [];
    for (const k of keys) {
      const w = await createWitness({
        stateFile: path.join(dir, `${k.vkey.split('+')[0].replace('/', '_')}.json`),
        key: k,
        logs: [{ origin, vkey: first.key.vkey }],
      });
      const app = witnessApp(w);
      urls.push(await app.listen({ port: 0, host: '127.0.0.1' }));
      closers.push(() => app.close());
      witnesses.push(w);
    }
    const ledger = await startLedger({
      db: database.db,
      config: loadConfig(env(urls), []),
      log: (level, msg) => logs.push(`${level} ${msg}`),
    });
    closers.unshift(() => ledger.stop());
    for (const n of [0, 3, 300, 1]) {
      await appendToOutbox(
        database.db,
        Array.from({ length: n }, (_, i) => Buffer.from(`entry ${n}-${i}`)),
      );
      await ledger.tick();
      const cp = (await readCheckpoint(database.db))!;
      const parsed = verifyNote(cp.note, ledger.key.vkey);
      for (const [i, k] of keys.entries()) {
        assert.equal(verifyCosignature(cp.note, k.vkey).checkpoint.size, parsed.size);
        assert.equal(witnesses[i].state().logs[origin].size, parsed.size);
      }
      assert.equal(parsed.signatures.length, 3);
    }
    assert.equal((await readCheckpoint(database.db))!.size, 304);
    // Backed off, not asked on every tick: its 2 s back-off doubles after each failure, so four
    // ticks log it at most three times however slow the machine (the back-off itself is timed
    // with a fake clock in src/ledger/witness-client.test.ts).
    const dead = logs.filter((l) => /dead\.example/.test(l)).length;
    assert.ok(dead >= 1 && dead < 4, `dead witness logged, backed off (${dead} of 4 ticks): ${logs.join('\n')}`);
  });
});
