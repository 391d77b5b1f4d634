// Known answers through the database: the 70,000 entries of shared/fixtures/tlog (a log written with
// Go's golang.org/x/mod/sumdb/tlog) appended to our outbox and run through the sequencer must give
// the fixture's roots at each of its checkpoint sizes, and /log must serve every one of its tiles
// and entry bundles byte for byte — full and partial, every level — from readTile and over HTTP.
// The fixture lives beside the repository (<clone>/../shared); without it this test fails.
import { createFilingGate } from '../intake/filing-cost.ts';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { loadSecrets } from '../crypto/secrets.ts';
import { createLoginLimits } from '../intake/login-throttle.ts';
import { buildApp } from '../web/app.ts';
import { createTestDatabase, type TestDatabase } from '../../test/support/db.ts';
import { appendToOutbox, createTestLedger, type TestLedger } from '../../test/support/ledger.ts';
import { parseVerifierKey, verifyNote, type VerifierKey } from './note.ts';
import { readCheckpoint, readTile } from './read-log.ts';
import { integrateBatch, signLatest } from './sequencer.ts';
import { parseTilePath, requiredTiles, tilePath, type TileAddress } from './tiles.ts';
import { EMPTY_ROOT } from './tree.ts';

const FIXTURE = path.resolve(import.meta.dirname, '../../../shared/fixtures/tlog');
const SIZES = [0, 1, 255, 256, 257, 1000, 65_536, 70_000];
const README_ROOTS = new Map([
  [1000, 'E9LK4VtLGU+lQcoiVula5C6fV4/XlVwMXiPEZAwPn0o='],
  [70_000, 'b7T88ABmtHEmrJFxNVhSu7iOTH62Oor0aFcbd85qjiQ='],
]);

function checkFixture(): void {
  if (!existsSync(path.join(FIXTURE, 'README.md')) || !existsSync(path.join(FIXTURE, 'log', 'tile'))) {
    throw new Error(
      `tlog known-answer fixture not found at ${FIXTURE}. It is shared/fixtures/tlog beside the repository ` +
        `(<clone>/../shared/fixtures/tlog); check it out there: this test must not pass without it.`,
    );
  }
}

/** Entry i of the fixture log, as its README defines it. */
function entry(i: number): Buffer {
  if (i === 0) return Buffer.alloc(0);
  if (i === 1) return Buffer.from(Array.from({ length: 65535 }, (_, j) => (j * 7) % 256));
  if (i === 2) return Buffer.from(Array.from({ length: 256 }, (_, j) => j));
  return Buffer.from(`{"case":"C-${String(i % 977).padStart(5, '0')}","event":"status_change","seq":${i}}`, 'utf8');
}

/** Every file under the fixture's log/tile/, as [path below log/, address]. */
function fixtureFiles(): [string, TileAddress][] {
  const dir = path.join(FIXTURE, 'log');
  return readdirSync(path.join(dir, 'tile'), { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => {
      const rel = path.relative(dir, path.join(d.parentPath, d.name)).split(path.sep).join('/');
      const address = parseTilePath(rel);
      assert.ok(address, `fixture path ${rel} is not canonical`);
      return [rel, address] as [string, TileAddress];
    })
    .sort(([a], [b]) => a.localeCompare(b));
}

const fixtureBytes = (rel: string): Buffer => readFileSync(path.join(FIXTURE, 'log', rel));

describe('the ledger store against the Go-written fixture log', () => {
  let t: TestDatabase;
  let ledger: TestLedger;
  let fixtureKey: VerifierKey;
  let app: FastifyInstance | undefined;

  before(async () => {
    checkFixture();
    fixtureKey = parseVerifierKey(readFileSync(path.join(FIXTURE, 'vkey.txt'), 'utf8').trim());
    t = await createTestDatabase(4);
    ledger = await createTestLedger(t.db);
  });
  after(async () => {
    await app?.close();
    await t?.drop();
    await ledger?.cleanup();
  });

  it('gives the fixture root at each of its checkpoint sizes, and the tiles those need', async () => {
    let size = 0;
    for (const target of SIZES) {
      const entries = Array.from({ length: target - size }, (_, k) => entry(size + k));
      await appendToOutbox(t.db, entries);
      let integrated = 0;
      for (let n = -1; n !== 0; integrated += n) n = await integrateBatch({ db: t.db, max: 4096 });
      assert.equal(integrated, target - size);
      size = target;
      assert.equal(await signLatest({ db: t.db, key: ledger.key }), target);

      const served = await readCheckpoint(t.db);
      const ours = verifyNote(served!.note, ledger.key.vkey);
      const theirs = verifyNote(readFileSync(path.join(FIXTURE, `checkpoint-${target}.txt`)), fixtureKey);
      assert.equal(ours.size, target);
      assert.equal(theirs.size, target);
      assert.equal(ours.root.toString('base64'), theirs.root.toString('base64'), `root at ${target}`);
      if (target === 0) assert.ok(ours.root.equals(EMPTY_ROOT));
      if (README_ROOTS.has(target))
        assert.equal(ours.root.toString('base64'), README_ROOTS.get(target), `README root at ${target}`);

      // What a client of this checkpoint fetches: every tile and bundle, equal to the fixture's.
      for (const tile of requiredTiles(target)) {
        const addresses: TileAddress[] = [tile, ...(tile.level === 0 ? [{ ...tile, level: 'entries' as const }] : [])];
        for (const a of addresses) {
          const bytes = await readTile(t.db, a);
          assert.ok(bytes, `${tilePath(a)} is not served at size ${target}`);
          assert.ok(
            bytes.equals(fixtureBytes(tilePath(a))),
            `${tilePath(a)} at size ${target} differs from the fixture`,
          );
        }
      }
    }
    const latest = verifyNote(readFileSync(path.join(FIXTURE, 'log', 'checkpoint')), fixtureKey);
    assert.ok(verifyNote((await readCheckpoint(t.db))!.note, ledger.key.vkey).root.equals(latest.root));
  });

  it('serves every tile and bundle of the fixture byte for byte, partial ones of earlier sizes included', async () => {
    const files = fixtureFiles();
    assert.ok(files.length > 500, `only ${files.length} files in the fixture`);
    const kinds = new Set<string>();
    for (const [rel, address] of files) {
      const bytes = await readTile(t.db, address);
      assert.ok(bytes, `${rel} is not served`);
      assert.ok(bytes.equals(fixtureBytes(rel)), `${rel} differs from the fixture`);
      kinds.add(`${address.level}${address.width < 256 ? '.p' : ''}`);
    }
    // Every level the fixture has (0, 1, 2 and bundles), full and partial.
    assert.deepEqual([...kinds].sort(), ['0', '0.p', '1', '1.p', '2.p', 'entries', 'entries.p']);
  });

  describe('over HTTP (/log)', () => {
    const get = (url: string, headers: Record<string, string> = {}) => app!.inject({ method: 'GET', url, headers });

    before(async () => {
      const secrets = await loadSecrets(ledger.dir);
      app = await buildApp({
        config: ledger.config,
        db: t.db,
        secrets,
        limits: createLoginLimits(),
        filingGate: createFilingGate({ db: t.db, cookieKey: secrets.cookieKey, params: ledger.config.filing }),
        ledgerVkey: () => ledger.key.vkey,
      });
      await app.ready();
    });

    it('serves the checkpoint and the verifier key as text, briefly cached', async () => {
      const cp = await get('/log/checkpoint');
      assert.equal(cp.statusCode, 200);
      assert.equal(cp.headers['content-type'], 'text/plain; charset=utf-8');
      const maxAge = /^public, max-age=(\d+)$/.exec(String(cp.headers['cache-control']));
      assert.ok(maxAge && Number(maxAge[1]) <= 60, `cache-control ${cp.headers['cache-control']}`);
      assert.equal(cp.body, (await readCheckpoint(t.db))!.note);
      assert.equal(verifyNote(cp.rawPayload, ledger.key.vkey).size, 70_000);
      const vkey = await get('/log/vkey');
      assert.equal(vkey.statusCode, 200);
      assert.equal(vkey.body, `${ledger.key.vkey}\n`);
    });

    it('serves every fixture tile and bundle as immutable octets, bundles gzipped when asked', async () => {
      for (const [rel, address] of fixtureFiles()) {
        const want = fixtureBytes(rel);
        const plain = await get(`/log/${rel}`);
        assert.equal(plain.statusCode, 200, rel);
        assert.equal(plain.headers['content-type'], 'application/octet-stream', rel);
        assert.equal(plain.headers['cache-control'], 'public, max-age=31536000, immutable', rel);
        assert.equal(plain.headers['content-encoding'], undefined, rel);
        assert.ok(plain.rawPayload.equals(want), `${rel} over HTTP differs from the fixture`);
        const zipped = await get(`/log/${rel}`, { 'accept-encoding': 'br, gzip;q=0.9, deflate' });
        assert.equal(zipped.statusCode, 200, rel);
        assert.equal(zipped.headers['cache-control'], 'public, max-age=31536000, immutable', rel);
        if (address.level === 'entries') {
          assert.equal(zipped.headers['content-encoding'], 'gzip', rel);
          assert.match(String(zipped.headers.vary), /accept-encoding/i, rel);
          assert.ok(gunzipSync(zipped.rawPayload).equals(want), `${rel} gunzipped differs from the fixture`);
        } else {
          assert.equal(zipped.headers['content-encoding'], undefined, `hash tile ${rel} is compressed`);
          assert.ok(zipped.rawPayload.equals(want), rel);
        }
      }
    });

    it('answers 404 for unknown and non-canonical paths, and for tiles beyond the signed size', async () => {
      // 70,000 = 273 full tiles + 112; level 1 has 273 hashes = 1 full tile + 17; level 2 has 1.
      const notFound = [
        '/log/',
        '/log/tile',
        '/log/tile/0',
        '/log/nothing',
        '/log/checkpoint.txt',
        '/log/tile/0/x000/001',
        '/log/tile/0/1',
        '/log/tile/0/0001',
        '/log/tile/00/000',
        '/log/tile/0/000.p/0',
        '/log/tile/0/000.p/256',
        '/log/tile/0/000.p/01',
        '/log/tile/0/273.p/',
        '/log/tile/99/000',
        '/log/tile/64/000.p/1',
        '/log/tile/entries/x000/000',
        '/log/tile/entries/000.p/300',
        '/log/tile/0/273',
        '/log/tile/0/273.p/113',
        '/log/tile/0/274.p/1',
        '/log/tile/entries/273',
        '/log/tile/entries/273.p/113',
        '/log/tile/1/001',
        '/log/tile/1/001.p/18',
        '/log/tile/2/000',
        '/log/tile/2/000.p/2',
        '/log/tile/3/000.p/1',
        '/log/tile/0/x001/000',
      ];
      for (const url of notFound) assert.equal((await get(url)).statusCode, 404, url);
      for (const url of [
        '/log/tile/0/273.p/112',
        '/log/tile/entries/273.p/112',
        '/log/tile/1/001.p/17',
        '/log/tile/2/000.p/1',
        '/log/tile/0/000.p/1',
      ]) {
        assert.equal((await get(url)).statusCode, 200, url);
      }

      // Integrated but not yet signed: stored, yet not served until a checkpoint covers it.
      await appendToOutbox(
        t.db,
        Array.from({ length: 300 }, (_, k) => entry(70_000 + k)),
      );
      assert.equal(await integrateBatch({ db: t.db, max: 4096 }), 300);
      for (const url of [
        '/log/tile/0/273',
        '/log/tile/0/273.p/113',
        '/log/tile/entries/273',
        '/log/tile/entries/274.p/44',
        '/log/tile/0/274.p/44',
        '/log/tile/1/001.p/18',
      ]) {
        assert.equal((await get(url)).statusCode, 404, `${url} before it is signed`);
      }
      assert.equal(verifyNote((await get('/log/checkpoint')).rawPayload, ledger.key.vkey).size, 70_000);
      assert.equal(await signLatest({ db: t.db, key: ledger.key }), 70_300);
      for (const url of [
        '/log/tile/0/273',
        '/log/tile/0/273.p/113',
        '/log/tile/entries/273',
        '/log/tile/entries/274.p/44',
        '/log/tile/0/274.p/44',
        '/log/tile/1/001.p/18',
      ]) {
        assert.equal((await get(url)).statusCode, 200, `${url} once signed`);
      }
      assert.equal(verifyNote((await get('/log/checkpoint')).rawPayload, ledger.key.vkey).size, 70_300);
    });
  });
});
