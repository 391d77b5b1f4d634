import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { requiredTiles, tilePath, type HashTile } from './tiles.ts';
import {
  EMPTY_ROOT,
  consistencyProof,
  inclusionProof,
  integrate,
  leafHash,
  memoryHashSource,
  nodeHash,
  rootFromRightEdge,
  rootOfLeaves,
  subtreeHash,
  tileHashSource,
  tilesNeeded,
  treeRoot,
  verifyConsistency,
  verifyInclusion,
  type HashSource,
  type TileData,
} from './tree.ts';

// The reference: RFC 6962 §2.1 MTH, PATH and SUBPROOF written straight from the text, over the
// leaf range [lo, hi) of `leaves`. MTH is memoized only so that big spot checks stay fast.
const sha = (...parts: Buffer[]): Buffer => createHash('sha256').update(Buffer.concat(parts)).digest();
const refLeaf = (e: Buffer): Buffer => sha(Buffer.from([0]), e);
const refNode = (l: Buffer, r: Buffer): Buffer => sha(Buffer.from([1]), l, r);
const split = (n: number): number => 2 ** Math.ceil(Math.log2(n) - 1); // largest power of 2 < n
const memo = new Map<string, Buffer>();
function mth(lo: number, hi: number): Buffer {
  const key = `${lo}:${hi}`;
  let h = memo.get(key);
  if (!h) {
    const n = hi - lo;
    h = n === 0 ? sha() : n === 1 ? leaves[lo] : refNode(mth(lo, lo + split(n)), mth(lo + split(n), hi));
    memo.set(key, h);
  }
  return h;
}
function refPath(m: number, lo: number, hi: number): Buffer[] {
  if (hi - lo <= 1) return [];
  const k = split(hi - lo);
  return m < k ? [...refPath(m, lo, lo + k), mth(lo + k, hi)] : [...refPath(m - k, lo + k, hi), mth(lo, lo + k)];
}
function refSubproof(m: number, lo: number, hi: number, b: boolean): Buffer[] {
  if (m === hi - lo) return b ? [] : [mth(lo, hi)];
  const k = split(hi - lo);
  return m <= k
    ? [...refSubproof(m, lo, lo + k, b), mth(lo + k, hi)]
    : [...refSubproof(m - k, lo + k, hi, false), mth(lo, lo + k)];
}
const refProof = (m: number, n: number): Buffer[] => (m === 0 ? [] : refSubproof(m, 0, n, true));

const entries = Array.from({ length: 70_000 }, (_, i) => Buffer.from(`entry ${i}`));
const leaves = entries.map(refLeaf);
const src = memoryHashSource(leaves); // a tree bigger than any asked of it, as in production
const flip = (b: Buffer, bit = 0): Buffer => {
  const c = Buffer.from(b);
  c[bit >> 3] ^= 1 << (bit & 7);
  return c;
};

/** A deterministic PRNG, so any failing batch split can be replayed. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('hashes', () => {
  it('match RFC 6962 leaf, node and empty-tree definitions', () => {
    assert.equal(EMPTY_ROOT.toString('hex'), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    assert.equal(
      leafHash(Buffer.alloc(0)).toString('hex'),
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
    );
    for (const e of [Buffer.alloc(0), Buffer.from('x'), Buffer.alloc(65535, 7)])
      assert.deepEqual(leafHash(e), refLeaf(e));
    assert.deepEqual(nodeHash(leaves[0], leaves[1]), refNode(leaves[0], leaves[1]));
    assert.throws(() => leafHash(Buffer.alloc(65536)), RangeError);
    assert.throws(() => nodeHash(leaves[0], Buffer.alloc(31)), RangeError);
  });

  it('give the RFC 6962 test-vector roots for the eight reference leaves', () => {
    const inputs = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'];
    const roots = [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
      'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
      '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
      '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
      'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
      '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
    ];
    const l = inputs.map((h) => leafHash(Buffer.from(h, 'hex')));
    roots.forEach((root, i) => {
      assert.equal(treeRoot(i + 1, memoryHashSource(l)).toString('hex'), root, `size ${i + 1}`);
      assert.equal(rootOfLeaves(l.slice(0, i + 1)).toString('hex'), root, `size ${i + 1}`);
    });
  });
});

describe('roots and proofs against the reference', () => {
  it('every root, inclusion proof and consistency proof for sizes 0 to 70', () => {
    for (let n = 0; n <= 70; n++) {
      const root = mth(0, n);
      assert.deepEqual(treeRoot(n, src), root, `root ${n}`);
      assert.deepEqual(rootOfLeaves(leaves.slice(0, n)), root, `rootOfLeaves ${n}`);
      for (let i = 0; i < n; i++) {
        const proof = inclusionProof(i, n, src);
        assert.deepEqual(proof, refPath(i, 0, n), `PATH(${i}, ${n})`);
        assert.ok(verifyInclusion(leaves[i], i, n, proof, root), `verify PATH(${i}, ${n})`);
      }
      for (let m = 0; m <= n; m++) {
        const proof = consistencyProof(m, n, src);
        assert.deepEqual(proof, refProof(m, n), `PROOF(${m}, ${n})`);
        assert.ok(verifyConsistency(m, n, mth(0, m), root, proof), `verify PROOF(${m}, ${n})`);
      }
    }
  });

  it('spot checks on bigger trees, across tile and level boundaries', () => {
    const sizes = [255, 256, 257, 511, 512, 513, 1000, 4097, 65535, 65536, 65537, 70_000];
    for (const n of sizes) {
      const root = mth(0, n);
      assert.deepEqual(treeRoot(n, src), root, `root ${n}`);
      for (const i of [0, 1, 255, 256, Math.floor(n / 2), n - 2, n - 1].filter((i) => i < n)) {
        const proof = inclusionProof(i, n, src);
        assert.deepEqual(proof, refPath(i, 0, n), `PATH(${i}, ${n})`);
        assert.ok(verifyInclusion(leaves[i], i, n, proof, root));
      }
      for (const m of [1, 2, 255, 256, 257, 1000, 65536, n - 1, n].filter((m) => m <= n)) {
        const proof = consistencyProof(m, n, src);
        assert.deepEqual(proof, refProof(m, n), `PROOF(${m}, ${n})`);
        assert.ok(verifyConsistency(m, n, mth(0, m), root, proof));
      }
    }
  });

  it('reads few stored hashes: the root of 70,000 reads 130, all from the three edge tiles', () => {
    let reads = 0;
    const counting: HashSource = (l, i) => (reads++, src(l, i));
    treeRoot(70_000, counting);
    assert.equal(reads, 1 + 16 + 1 + 64 + 32 + 16); // 65536 + 4096 + 256 + 64 + 32 + 16 leaves
    assert.deepEqual(
      tilesNeeded(70_000, (s) => treeRoot(70_000, s))
        .map(tilePath)
        .sort(),
      ['tile/0/273.p/112', 'tile/1/001.p/17', 'tile/2/000.p/1'],
    );
    // A proof hashes up to 255 stored hashes per level inside tiles, and reads at most two tiles a level.
    reads = 0;
    inclusionProof(12_345, 70_000, counting);
    assert.ok(reads <= 3 * 256, `${reads} reads`);
    assert.ok(tilesNeeded(70_000, (s) => inclusionProof(12_345, 70_000, s)).length <= 6);
  });

  it('computes unaligned ranges too (slowly), and refuses bad arguments', () => {
    for (const [start, size] of [
      [3, 5],
      [1, 256],
      [100, 300],
      [7, 1],
    ])
      assert.deepEqual(subtreeHash(start, size, src), mth(start, start + size));
    assert.throws(() => inclusionProof(5, 5, src), RangeError);
    assert.throws(() => consistencyProof(6, 5, src), RangeError);
    assert.throws(() => treeRoot(-1, src), RangeError);
    assert.throws(() => treeRoot(1.5, src), RangeError);
    assert.throws(() => treeRoot(3, () => Buffer.alloc(31)), /32-byte/);
    assert.throws(() => treeRoot(70_001, src), /no stored hash/);
  });
});

describe('verification refuses what is not exactly the proof', () => {
  const roots = Array.from({ length: 42 }, (_, n) => mth(0, n));

  it('inclusion: altered, extra, missing or swapped hashes; wrong leaf, index, size or root', () => {
    for (let n = 1; n <= 40; n++) {
      for (let i = 0; i < n; i++) {
        const proof = inclusionProof(i, n, src);
        const bad: [string, boolean][] = [
          ['wrong leaf', verifyInclusion(leaves[i === 0 ? 1 : 0], i, n, proof, roots[n])],
          ['wrong root', verifyInclusion(leaves[i], i, n, proof, roots[n - 1])],
          ['extra hash', verifyInclusion(leaves[i], i, n, [...proof, leaves[0]], roots[n])],
          ['extra zero hash', verifyInclusion(leaves[i], i, n, [...proof, Buffer.alloc(32)], roots[n])],
          ['index out of range', verifyInclusion(leaves[i], n, n, proof, roots[n])],
          ['size 0', verifyInclusion(leaves[i], i, 0, proof, roots[0])],
          ['negative index', verifyInclusion(leaves[i], -1, n, proof, roots[n])],
        ];
        if (proof.length > 0) {
          bad.push(['missing last', verifyInclusion(leaves[i], i, n, proof.slice(0, -1), roots[n])]);
          bad.push(['missing first', verifyInclusion(leaves[i], i, n, proof.slice(1), roots[n])]);
          bad.push(['leaf as root', verifyInclusion(leaves[i], i, n, proof, leaves[i])]);
          bad.push([
            'short hash',
            verifyInclusion(
              leaves[i],
              i,
              n,
              proof.map((p, j) => (j === 0 ? p.subarray(1) : p)),
              roots[n],
            ),
          ]);
        } else {
          bad.push(['one hash for a one-leaf tree', verifyInclusion(leaves[i], i, n, [leaves[1]], roots[n])]);
        }
        proof.forEach((_, j) =>
          bad.push([
            `hash ${j} altered`,
            verifyInclusion(
              leaves[i],
              i,
              n,
              proof.map((p, x) => (x === j ? flip(p, 255) : p)),
              roots[n],
            ),
          ]),
        );
        if (proof.length > 1) bad.push(['reordered', verifyInclusion(leaves[i], i, n, [...proof].reverse(), roots[n])]);
        for (const [what, ok] of bad) assert.equal(ok, false, `${what}: PATH(${i}, ${n})`);
        // Another index or size is accepted only with its own root if its proof is the same one.
        for (const [j, m] of [
          [i - 1, n],
          [i + 1, n],
          [i, n - 1],
          [i, n + 1],
        ]) {
          if (j < 0 || j >= m) continue;
          const same =
            j === i &&
            m !== n &&
            inclusionProof(i, m, src).every((h, x) => h.equals(proof[x] ?? Buffer.alloc(0))) &&
            inclusionProof(i, m, src).length === proof.length;
          assert.equal(verifyInclusion(leaves[i], j, m, proof, roots[m]), same, `PATH(${i}, ${n}) as (${j}, ${m})`);
        }
      }
    }
  });

  it('consistency: altered, extra, missing hashes; wrong sizes or roots; degenerate sizes', () => {
    for (let n = 1; n <= 40; n++) {
      for (let m = 1; m < n; m++) {
        const proof = consistencyProof(m, n, src);
        const bad: [string, boolean][] = [
          ['swapped roots', verifyConsistency(m, n, roots[n], roots[m], proof)],
          ['wrong old root', verifyConsistency(m, n, roots[m - 1], roots[n], proof)],
          ['wrong new root', verifyConsistency(m, n, roots[m], roots[n - 1], proof)],
          ['empty proof', verifyConsistency(m, n, roots[m], roots[n], [])],
          ['extra hash', verifyConsistency(m, n, roots[m], roots[n], [...proof, leaves[0]])],
          ['missing last', verifyConsistency(m, n, roots[m], roots[n], proof.slice(0, -1))],
          ['missing first', verifyConsistency(m, n, roots[m], roots[n], proof.slice(1))],
          ['old > new', verifyConsistency(n, m, roots[n], roots[m], proof)],
          [
            'short hash',
            verifyConsistency(
              m,
              n,
              roots[m],
              roots[n],
              proof.map((p, j) => (j === 0 ? p.subarray(1) : p)),
            ),
          ],
        ];
        proof.forEach((_, j) =>
          bad.push([
            `hash ${j} altered`,
            verifyConsistency(
              m,
              n,
              roots[m],
              roots[n],
              proof.map((p, x) => (x === j ? flip(p, 3) : p)),
            ),
          ]),
        );
        for (const [what, ok] of bad) assert.equal(ok, false, `${what}: PROOF(${m}, ${n})`);
        for (const [a, b] of [
          [m - 1, n],
          [m + 1, n],
          [m, n + 1],
          [m, n - 1],
        ]) {
          if (a < 1 || a >= b) continue;
          const other = consistencyProof(a, b, src);
          const same = other.length === proof.length && other.every((h, x) => h.equals(proof[x]));
          assert.equal(verifyConsistency(a, b, roots[a], roots[b], proof), same, `PROOF(${m}, ${n}) as (${a}, ${b})`);
        }
      }
    }
  });

  it('equal sizes and the empty tree: only the empty proof and the right roots', () => {
    const cases: [number, number, Buffer, Buffer, Buffer[], boolean][] = [
      [5, 5, roots[5], roots[5], [], true],
      [5, 5, roots[5], roots[4], [], false],
      [5, 5, roots[5], roots[5], [roots[5]], false],
      [0, 5, EMPTY_ROOT, roots[5], [], true],
      [0, 5, roots[1], roots[5], [], false],
      [0, 5, EMPTY_ROOT, roots[5], [roots[5]], false],
      [0, 0, EMPTY_ROOT, EMPTY_ROOT, [], true],
      [-1, 5, EMPTY_ROOT, roots[5], [], false],
      [1.5, 5, roots[1], roots[5], [], false],
      // The proof from 1 to 2 read as a proof to 3 with the root of 2: only the final sn = 0 test refuses it.
      [1, 3, roots[1], roots[2], consistencyProof(1, 2, src), false],
    ];
    for (const [m, n, a, b, p, want] of cases) assert.equal(verifyConsistency(m, n, a, b, p), want, `${m} → ${n}`);
    assert.equal(verifyInclusion(leaves[0], 0, 2, [], leaves[0]), false); // a one-leaf proof is not a two-leaf one
    assert.deepEqual(consistencyProof(0, 9, src), []);
    assert.deepEqual(consistencyProof(9, 9, src), []);
  });
});

/** The expected bytes of a tile, read from the reference source. */
const tileBytes = (t: HashTile): Buffer =>
  Buffer.concat(Array.from({ length: t.width }, (_, j) => src(t.level, t.index * 256 + j)));

/** Appends leaves [from, to) in batches, checking every batch, and returns the tiles written. */
function appendInBatches(
  from: number,
  to: number,
  batch: () => number,
  checkRoot: (size: number) => Buffer,
): Map<string, Buffer> {
  const written = new Map<string, Buffer>();
  let state = integrate(0, new Map(), leaves.slice(0, from));
  for (const t of state.tiles) written.set(tilePath(t), t.hashes);
  while (state.size < to) {
    const next = Math.min(to, state.size + batch());
    const r = integrate(state.size, state.lastTiles, leaves.slice(state.size, next));
    assert.equal(r.size, next);
    for (const t of r.tiles) {
      assert.deepEqual(t.hashes, tileBytes(t), `tile ${tilePath(t)} after ${next}`);
      written.set(tilePath(t), t.hashes);
    }
    // Everything a checkpoint of this size needs has been written by this or an earlier batch.
    for (const t of requiredTiles(next)) assert.ok(written.has(tilePath(t)), `${tilePath(t)} missing at ${next}`);
    assert.deepEqual(rootFromRightEdge(next, r.lastTiles), checkRoot(next), `root at ${next}`);
    state = r;
  }
  return written;
}

describe('integrate', () => {
  it('appending 1,000 leaves in random batches of 1 to 300 gives the tiles and roots of one batch', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const random = rng(seed);
      const written = appendInBatches(
        0,
        1000,
        () => 1 + Math.floor(random() * 300),
        (n) => mth(0, n),
      );
      const once = integrate(0, new Map(), leaves.slice(0, 1000));
      for (const t of once.tiles) assert.deepEqual(written.get(tilePath(t)), t.hashes, tilePath(t));
      assert.deepEqual(once.tiles.map(tilePath), [
        'tile/0/000',
        'tile/0/001',
        'tile/0/002',
        'tile/0/003.p/232',
        'tile/1/000.p/3',
      ]);
    }
  });

  it('batches that cross 65,536 build the first level-2 tile the same way', () => {
    const random = rng(7);
    const written = appendInBatches(
      65_500,
      66_000,
      () => 1 + Math.floor(random() * 40),
      (n) => treeRoot(n, src),
    );
    assert.deepEqual(written.get('tile/1/000'), tileBytes({ level: 1, index: 0, width: 256 }));
    assert.deepEqual(written.get('tile/2/000.p/1'), src(2, 0));
  });

  it('returns only changed tiles, and nothing for an empty batch', () => {
    const a = integrate(0, new Map(), leaves.slice(0, 256));
    assert.deepEqual(a.tiles.map(tilePath), ['tile/0/000', 'tile/1/000.p/1']);
    const b = integrate(256, a.lastTiles, leaves.slice(256, 257));
    assert.deepEqual(b.tiles.map(tilePath), ['tile/0/001.p/1']); // tile/1/000.p/1 is unchanged
    const c = integrate(257, b.lastTiles, []);
    assert.deepEqual(c.tiles, [] as TileData[]);
    assert.deepEqual([...c.lastTiles], [...b.lastTiles]);
  });

  it('refuses a right edge that does not match the size, and leaf hashes that are not 32 bytes', () => {
    const edge = integrate(0, new Map(), leaves.slice(0, 300)).lastTiles; // level 0: 44 hashes, level 1: 1
    const cases: [string, number, Map<number, Buffer>, Buffer[]][] = [
      ['wrong size', 301, edge, []],
      ['missing level', 300, new Map([[0, edge.get(0)!]]), []],
      [
        'short tile',
        300,
        new Map([
          [0, edge.get(0)!.subarray(32)],
          [1, edge.get(1)!],
        ]),
        [],
      ],
      ['extra level', 300, new Map([...edge, [2, leaves[0]]]), []],
      ['negative level', 300, new Map([...edge, [-1, Buffer.alloc(0)]]), []],
      ['bad leaf hash', 300, edge, [Buffer.alloc(31)]],
    ];
    for (const [what, size, e, l] of cases) assert.throws(() => integrate(size, e, l), what);
    assert.throws(() => rootFromRightEdge(301, edge));
  });
});

describe('tileHashSource', () => {
  it('serves proofs from tiles, reading each once, and refuses tiles of the wrong length', () => {
    const reads: string[] = [];
    const s = tileHashSource(70_000, (t) => (reads.push(tilePath(t)), tileBytes(t)));
    assert.deepEqual(inclusionProof(4242, 70_000, s), inclusionProof(4242, 70_000, src));
    assert.deepEqual(consistencyProof(1000, 70_000, s), consistencyProof(1000, 70_000, src));
    assert.equal(new Set(reads).size, reads.length);
    const needed = tilesNeeded(70_000, (x) => [inclusionProof(4242, 70_000, x), consistencyProof(1000, 70_000, x)]).map(
      tilePath,
    );
    assert.deepEqual(new Set(needed), new Set(reads));
    assert.throws(
      () =>
        treeRoot(
          1000,
          tileHashSource(1000, (t) => tileBytes(t).subarray(32)),
        ),
      /is not/,
    );
    assert.throws(() => tileHashSource(1000, tileBytes)(0, 1000), RangeError);
  });
});
