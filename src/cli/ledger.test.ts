import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createTestApp, type TestApp } from '../../test/support/app.ts';
import { CHEAP_KDF_ENV } from '../../test/support/server.ts';
import { verifyNote } from '../ledger/note.ts';
import { tilePath, requiredTiles } from '../ledger/tiles.ts';
import { ledgerExport } from './ledger.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

describe('ledger commands', () => {
  let t: TestApp;
  let out: string;
  before(async () => {
    t = await createTestApp();
    for (let i = 0; i < 600; i++)
      await t.db
        .insertInto('ledger_outbox')
        .values({ entry: Buffer.from(`entry ${i}`) })
        .execute();
    await t.sequence();
    out = await mkdtemp(path.join(tmpdir(), 'sujarit-export-'));
  });
  after(async () => {
    await t.close();
    await rm(out, { recursive: true, force: true });
  });

  it('exports the log as static tlog-tiles files identical to what /log serves', async () => {
    await ledgerExport(t.db, out);
    const note = await readFile(path.join(out, 'checkpoint'), 'utf8');
    const cp = verifyNote(note, t.ledgerKey.vkey);
    assert.equal(cp.size, 600);
    for (const tile of requiredTiles(600)) {
      const served = await t.app.inject({ method: 'GET', url: `/log/${tilePath(tile)}` });
      assert.equal(served.statusCode, 200);
      assert.deepEqual(await readFile(path.join(out, tilePath(tile))), served.rawPayload);
    }
    assert.deepEqual((await readdir(path.join(out, 'tile/entries'))).sort(), ['000', '001', '002.p'].sort());
  });

  it('ledger init refuses when a log exists', () => {
    const env = {
      ...process.env,
      ...CHEAP_KDF_ENV,
      DATABASE_URL: t.url,
      SUJARIT_DATA: t.dataDir,
      SUJARIT_LEDGER_KEY: path.join(out, 'other-key.pem'),
    };
    const r = spawnSync(process.execPath, ['src/cli/main.ts', 'ledger', 'init'], { cwd: ROOT, env, encoding: 'utf8' });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /a ledger exists/);
  });

  it('ledger verify-audit reports the chain', () => {
    const env = { ...process.env, ...CHEAP_KDF_ENV, DATABASE_URL: t.url, SUJARIT_DATA: t.dataDir };
    const r = spawnSync(process.execPath, ['src/cli/main.ts', 'ledger', 'verify-audit'], {
      cwd: ROOT,
      env,
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /audit trail OK: 0 rows/);
  });
});
