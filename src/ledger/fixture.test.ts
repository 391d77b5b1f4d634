// Known-answer test against shared/fixtures/tlog: a 70,000-entry log written with Go's
// golang.org/x/mod/sumdb/tlog and sumdb/note. Our tiles, bundles, roots, proofs and checkpoint
// verification must agree with it byte for byte. The fixture lives beside the repository
// (<clone>/../shared); without it this test fails, it never skips.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { NoteError, parseVerifierKey, verifyCosignature, verifyNote, type VerifierKey } from './note.ts';
import { appendToBundles, parseTilePath, requiredTiles, tilePath, type HashTile } from './tiles.ts';
import {
  consistencyProof,
  inclusionProof,
  integrate,
  leafHash,
  memoryHashSource,
  rootFromRightEdge,
  tileHashSource,
  treeRoot,
  verifyConsistency,
  verifyInclusion,
  type HashSource,
} from './tree.ts';

const FIXTURE = path.resolve(import.meta.dirname, '../../../shared/fixtures/tlog');
const SIZES = [0, 1, 255, 256, 257, 1000, 65536, 70_000];
const README_ROOTS = new Map([
  [1000, 'E9LK4VtLGU+lQcoiVula5C6fV4/XlVwMXiPEZAwPn0o='],
  [70_000, 'b7T88ABmtHEmrJFxNVhSu7iOTH62Oor0aFcbd85qjiQ='],
]);

type Fixture = { logKey: VerifierKey; witnessKey: VerifierKey; checkpoints: Map<number, Buffer> };
let loaded: Fixture | undefined;

/** The fixture's keys and checkpoints; throws a clear error if the folder is not there. */
function fixture(): Fixture {
  if (loaded) return loaded;
  if (!existsSync(path.join(FIXTURE, 'README.md')) || !existsSync(path.join(FIXTURE, 'log', 'tile'))) {
    throw new Error(
      `tlog known-answer fixture not found at ${FIXTURE}. It is shared/fixtures/tlog beside the repository ` +
        `(<clone>/../shared/fixtures/tlog); check it out there: this test must not pass without it.`,
    );
  }
  const read = (f: string): string => readFileSync(path.join(FIXTURE, f), 'utf8').trim();
  loaded = {
    logKey: parseVerifierKey(read('vkey.txt')),
    witnessKey: parseVerifierKey(read('witness-vkey.txt')),
    checkpoints: new Map(SIZES.map((s) => [s, readFileSync(path.join(FIXTURE, `checkpoint-${s}.txt`))])),
  };
  return loaded;
}

/** Entry i of the fixture log, as its README defines it. */
function entry(i: number): Buffer {
  if (i === 0) return Buffer.alloc(0);
  if (i === 1) return Buffer.from(Array.from({ length: 65535 }, (_, j) => (j * 7) % 256));
  if (i === 2) return Buffer.from(Array.from({ length: 256 }, (_, j) => j));
  return Buffer.from(`{"case":"C-${String(i % 977).padStart(5, '0')}","event":"status_change","seq":${i}}`, 'utf8');
}

const entries = Array.from({ length: 70_000 }, (_, i) => entry(i));
const leaves = entries.map(leafHash);

/** Our log: integrate() and appendToBundles() in uneven batches that stop at every checkpoint size. */
function buildOurs(): { files: Map<string, Buffer>; roots: Map<number, Buffer> } {
  const files = new Map<string, Buffer>();
  const roots = new Map<number, Buffer>();
  let tree = integrate(0, new Map(), []);
  let bundles = appendToBundles(0, [], []);
  const cycle = [1000, 777, 1000, 1000, 333, 1, 1000, 2999];
  for (let step = 0; tree.size < 70_000; step++) {
    const stop = SIZES.find((s) => s > tree.size) ?? 70_000;
    const next = Math.min(stop, tree.size + cycle[step % cycle.length]);
    tree = integrate(tree.size, tree.lastTiles, leaves.slice(tree.size, next));
    bundles = appendToBundles(bundles.size, bundles.lastBundle, entries.slice(bundles.size, next));
    for (const t of tree.tiles) files.set(tilePath(t), t.hashes);
    for (const b of bundles.bundles) files.set(tilePath({ level: 'entries', ...b }), b.bytes);
    if (SIZES.includes(next)) roots.set(next, rootFromRightEdge(next, tree.lastTiles));
  }
  return { files, roots };
}
const ours = buildOurs();

const readFixtureTile = (t: HashTile): Buffer => readFileSync(path.join(FIXTURE, 'log', tilePath(t)));
const fixtureSource = (size: number): HashSource => tileHashSource(size, readFixtureTile);
const rootOf = (size: number): Buffer => verifyNote(fixture().checkpoints.get(size)!, fixture().logKey).root;

describe('known answers from the Go-written fixture log', () => {
  it('has the fixture folder beside the repository', () => {
    fixture();
  });

  it('writes every tile and entry bundle in the fixture, byte for byte', () => {
    fixture();
    const dir = path.join(FIXTURE, 'log');
    const found = readdirSync(path.join(dir, 'tile'), { recursive: true, withFileTypes: true }).filter((d) =>
      d.isFile(),
    );
    assert.ok(found.length > 500, `only ${found.length} files in the fixture`);
    for (const d of found) {
      const rel = path.relative(dir, path.join(d.parentPath, d.name)).split(path.sep).join('/');
      assert.notEqual(parseTilePath(rel), null, `fixture path ${rel} is not canonical`);
      const mine = ours.files.get(rel);
      assert.ok(mine, `we never wrote ${rel}`);
      assert.ok(mine.equals(readFileSync(path.join(dir, rel))), `${rel} differs`);
    }
  });

  it('finds in the fixture every tile and bundle a checkpoint of each size needs', () => {
    fixture();
    for (const size of SIZES) {
      for (const t of requiredTiles(size)) {
        const paths = [tilePath(t), ...(t.level === 0 ? [tilePath({ ...t, level: 'entries' })] : [])];
        for (const p of paths) {
          assert.ok(existsSync(path.join(FIXTURE, 'log', p)), `${p} (size ${size}) missing from the fixture`);
          assert.ok(ours.files.has(p), `${p} (size ${size}) not written by us`);
        }
      }
    }
  });

  it('computes the roots of the README and of every checkpoint', () => {
    fixture();
    for (const [size, root] of README_ROOTS)
      assert.equal(ours.roots.get(size)?.toString('base64'), root, `root at ${size}`);
    for (const size of SIZES.filter((s) => s > 0)) {
      assert.deepEqual(ours.roots.get(size), rootOf(size), `our root at ${size}`);
      assert.deepEqual(treeRoot(size, fixtureSource(size)), rootOf(size), `root from the fixture's tiles at ${size}`);
    }
    assert.equal(rootOf(0).toString('hex'), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('accepts every checkpoint with vkey.txt and its cosignature with witness-vkey.txt', () => {
    const { logKey, witnessKey, checkpoints } = fixture();
    for (const [size, text] of checkpoints) {
      const cp = verifyNote(text, logKey);
      assert.deepEqual([cp.origin, cp.size, cp.extensions], ['example.test/tlog-verify-selftest', size, []]);
      assert.ok(verifyCosignature(text, witnessKey).timestamp > 1_600_000_000);
    }
    const latest = readFileSync(path.join(FIXTURE, 'log', 'checkpoint'));
    assert.deepEqual(verifyNote(latest, logKey).root, rootOf(70_000));
  });

  it('refuses every checkpoint once any one byte is changed', () => {
    const { logKey, witnessKey, checkpoints } = fixture();
    for (const [size, text] of checkpoints) {
      // The log's line ends where the second signature line starts.
      const logLineEnd = text.indexOf('\n\u2014 ', text.indexOf('\n\n\u2014 ') + 2, 'utf8') + 1;
      const bodyEnd = text.indexOf('\n\n\u2014 ', 0, 'utf8') + 1;
      assert.ok(bodyEnd > 0 && logLineEnd > bodyEnd);
      const changes = size === 1000 ? [0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80] : [0x01, 0x80];
      for (let i = 0; i < text.length; i++) {
        for (const change of changes) {
          const bad = Buffer.from(text);
          bad[i] ^= change;
          const what = `checkpoint-${size}.txt byte ${i} ^ 0x${change.toString(16)}`;
          assert.throws(() => (verifyNote(bad, logKey), verifyCosignature(bad, witnessKey)), NoteError, what);
          if (i < logLineEnd) assert.throws(() => verifyNote(bad, logKey), NoteError, what);
          if (i < bodyEnd || i >= logLineEnd) assert.throws(() => verifyCosignature(bad, witnessKey), NoteError, what);
        }
      }
    }
  });

  it('proves inclusion of sampled entries in every checkpoint, from the fixture tiles', () => {
    fixture();
    for (const size of SIZES.filter((s) => s > 0)) {
      const src = fixtureSource(size);
      const sample = new Set([0, 1, 2, 3, 255, 256, 257, 999, 65535, 65536, 69_999].filter((i) => i < size));
      for (let i = 0; i < size; i += 997) sample.add(i);
      for (const i of sample) {
        const proof = inclusionProof(i, size, src);
        assert.ok(verifyInclusion(leaves[i], i, size, proof, rootOf(size)), `entry ${i} in ${size}`);
        assert.equal(verifyInclusion(leaves[i === 0 ? 1 : 0], i, size, proof, rootOf(size)), false);
      }
    }
  });

  it('proves consistency between every pair of checkpoint sizes, from the fixture tiles', () => {
    fixture();
    const mem = memoryHashSource(leaves);
    for (const n of SIZES) {
      const src = fixtureSource(n);
      for (const m of SIZES.filter((m) => m <= n)) {
        const proof = consistencyProof(m, n, src);
        assert.deepEqual(proof, consistencyProof(m, n, mem), `${m} → ${n}`);
        assert.ok(verifyConsistency(m, n, rootOf(m), rootOf(n), proof), `${m} → ${n}`);
        if (m > 0 && m < n) assert.equal(verifyConsistency(m, n, rootOf(n), rootOf(m), proof), false);
      }
    }
  });
});
