// Ledger test helpers: a ledger on a test database, fast outbox appends, a seeded generator of
// entries, and the whole-log check a monitor would make from what /log serves (checkpoint, tiles,
// bundles), over any reader: the database's read functions or HTTP.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { loadConfig, type Config } from '../../src/config/load.ts';
import type { Db } from '../../src/db/connection.ts';
import { initLedger } from '../../src/ledger/keys.ts';
import type { SigningKey } from '../../src/ledger/note.ts';
import { verifyNote } from '../../src/ledger/note.ts';
import { readCheckpoint, readTile } from '../../src/ledger/read-log.ts';
import {
  decodeBundle,
  HASH_SIZE,
  parseTilePath,
  requiredTiles,
  TILE_WIDTH,
  tilePath,
  type HashTile,
  type TileAddress,
} from '../../src/ledger/tiles.ts';
import {
  consistencyProof,
  inclusionProof,
  leafHash,
  memoryHashSource,
  rootOfLeaves,
  tileHashSource,
  verifyConsistency,
  verifyInclusion,
  type HashSource,
} from '../../src/ledger/tree.ts';

export const TEST_PUBLIC_URL = 'https://ledger.sujarit.test';

/** A configuration for ledger tests: data in `dir`, the key file `keyFile` (default <dir>/ledger-key.pem). */
export function ledgerConfig(dir: string, keyFile?: string): Config {
  return loadConfig(
    {
      SUJARIT_DATA: dir,
      SUJARIT_PUBLIC_URL: TEST_PUBLIC_URL,
      SUJARIT_LOG_LEVEL: 'silent',
      ...(keyFile ? { SUJARIT_LEDGER_KEY: keyFile } : {}),
    },
    [],
  );
}

export type TestLedger = { key: SigningKey; config: Config; dir: string; cleanup: () => Promise<void> };

/** Creates the log on `db` (as the first server start does) with its key in a fresh temp folder. */
export async function createTestLedger(db: Db, keyFile?: string): Promise<TestLedger> {
  const dir = await mkdtemp(path.join(tmpdir(), 'sujarit-ledger-'));
  const config = ledgerConfig(dir, keyFile);
  const key = await initLedger({ db, config });
  return { key, config, dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Appends entries to the outbox in order (few statements); returns their outbox ids, in order. */
export async function appendToOutbox(db: Db, entries: readonly Buffer[]): Promise<number[]> {
  const ids: number[] = [];
  let at = 0;
  while (at < entries.length) {
    // Chunks of at most ~4 MB of entry bytes or 10,000 rows keep every statement small.
    let end = at;
    let bytes = 0;
    while (end < entries.length && end - at < 10_000 && (end === at || bytes + entries[end].length < 4_000_000))
      bytes += entries[end++].length;
    const chunk = entries.slice(at, end);
    const r = await sql<{ id: number }>`insert into ledger_outbox (entry)
      select t.entry from unnest(${chunk}::bytea[]) with ordinality as t(entry, o) order by t.o returning id`.execute(
      db,
    );
    const got = r.rows.map((x) => Number(x.id)).sort((a, b) => a - b);
    assert.equal(got.length, chunk.length);
    ids.push(...got);
    at = end;
  }
  return ids;
}

/** mulberry32: a small seeded generator, so a failing run can be repeated with its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An integer in [lo, hi]. */
export function randomInt(rng: () => number, lo: number, hi: number): number {
  return lo + Math.floor(rng() * (hi - lo + 1));
}

/** `size` bytes from `rng`. */
export function randomBytesOf(rng: () => number, size: number): Buffer {
  const b = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i += 4) {
    const v = Math.floor(rng() * 4294967296);
    for (let j = 0; j < 4 && i + j < size; j++) b[i + j] = (v >>> (8 * j)) & 0xff;
  }
  return b;
}

/** A random entry: often empty or tiny, sometimes up to 4 kB, rarely the largest (65,535 bytes). */
export function randomEntry(rng: () => number): Buffer {
  const r = rng();
  if (r < 0.08) return Buffer.alloc(0);
  if (r < 0.085) return randomBytesOf(rng, 65535);
  if (r < 0.15) return randomBytesOf(rng, randomInt(rng, 257, 4096));
  return randomBytesOf(rng, randomInt(rng, 1, 120));
}

/** What a log serves: the checkpoint text and tile or bundle bytes (null when not served). */
export type LogReader = { checkpoint: () => Promise<string | null>; tile: (t: TileAddress) => Promise<Buffer | null> };

/** What a monitor reads from one server's /log over HTTP. */
export function httpReader(base: string): LogReader {
  return {
    checkpoint: async () => {
      const res = await fetch(new URL('/log/checkpoint', base));
      return res.status === 200 ? res.text() : null;
    },
    tile: async (t: TileAddress) => {
      const p = tilePath(t);
      assert.ok(parseTilePath(p));
      const res = await fetch(new URL(`/log/${p}`, base));
      return res.status === 200 ? Buffer.from(await res.arrayBuffer()) : null;
    },
  };
}

/** The public read functions of src/ledger/read-log.ts on `db`: exactly what /log serves. */
export function dbReader(db: Db): LogReader {
  return {
    checkpoint: async () => (await readCheckpoint(db))?.note ?? null,
    tile: (t) => readTile(db, t),
  };
}

/** A checkpoint's body and the log's own signature line (its origin's), without any cosignatures. */
export function logSigned(note: string): string {
  const split = note.lastIndexOf('\n\n');
  const body = note.slice(0, split + 1);
  const origin = body.slice(0, body.indexOf('\n'));
  const own = note
    .slice(split + 2)
    .split('\n')
    .filter((line) => line.startsWith(`\u2014 ${origin} `));
  assert.equal(own.length, 1, `checkpoint without exactly one signature by its origin ${origin}`);
  return `${body}\n${own[0]}\n`;
}

/** A checkpoint a verifier accepted. */
export type SignedTree = { size: number; root: Buffer; note: string };

/**
 * Every checkpoint seen, by size. Adding a second, different checkpoint (or root) for a size that
 * is already known fails: a log signs each size once, over one root (witnesses may add cosignatures).
 */
export class SignedHistory {
  readonly bySize = new Map<number, SignedTree>();
  add(cp: SignedTree): void {
    const known = this.bySize.get(cp.size);
    if (known) {
      assert.ok(
        known.root.equals(cp.root),
        `two roots signed for size ${cp.size}: ${known.root.toString('base64')} and ${cp.root.toString('base64')}`,
      );
      // Witnesses' cosignature lines may be added later; the log's own text and signature may not change.
      assert.equal(logSigned(cp.note), logSigned(known.note), `two different checkpoints of size ${cp.size}`);
      return;
    }
    this.bySize.set(cp.size, cp);
  }
  sizes(): number[] {
    return [...this.bySize.keys()].sort((a, b) => a - b);
  }
}

/** The bytes tile `t` must hold, from hashes computed from scratch. */
export function expectedTile(mem: HashSource, t: HashTile): Buffer {
  return Buffer.concat(Array.from({ length: t.width }, (_, j) => mem(t.level, t.index * TILE_WIDTH + j)));
}

export type VerifyOptions = {
  vkey: string;
  /** Every entry of the log so far, in order, when the caller knows them. */
  expected?: readonly Buffer[];
  /** Checkpoints seen so far; the current one is added, then every pair is proven consistent. */
  history: SignedHistory;
  /**
   * Every inclusion proof and every consistency proof between signed sizes is checked. Those also
   * built by tree.ts from the served tiles: the inclusion proofs of every entry ('all') or of this
   * many spread over the log (plus the edges and `tileBuilt`), and the consistency proofs of pairs
   * with the current size ('current', the default) or of every pair ('all').
   */
  inclusion: 'all' | number;
  tileBuilt?: Iterable<number>;
  /** Spot checks for big logs: only the inclusion proofs built from the tiles, not every entry's. */
  sampleOnly?: boolean;
  pairs?: 'all' | 'current';
  /** Shown in assertion messages. */
  label?: string;
};

export type VerifyReport = SignedTree & {
  entries: Buffer[];
  leaves: Buffer[];
  proofs: { inclusion: number; consistency: number; tileBuilt: number; tiles: number };
};

/**
 * Re-verifies the whole log from what `reader` serves, as a monitor would:
 * - the checkpoint verifies with `vkey`;
 * - every entry bundle of the checkpoint is served, decodes, and (when known) equals the entries;
 * - the root recomputed from all entries equals the checkpoint's root;
 * - every tile the checkpoint needs, and the partial tiles of every earlier signed size, is served
 *   and equals the tile computed from scratch;
 * - every inclusion proof verifies, and consistency proofs verify between every pair of signed
 *   sizes (see `inclusion` and `pairs` for which are also built from the served tiles).
 */
export async function verifyWholeLog(reader: LogReader, opts: VerifyOptions): Promise<VerifyReport> {
  const at = opts.label ? ` [${opts.label}]` : '';
  const text = await reader.checkpoint();
  assert.ok(text !== null, `no checkpoint served${at}`);
  const cp = verifyNote(text, opts.vkey);
  const size = cp.size;
  const cache = new Map<string, Buffer>();
  const fetchTile = async (t: TileAddress): Promise<Buffer> => {
    const p = tilePath(t);
    let b = cache.get(p);
    if (!b) {
      const served = await reader.tile(t);
      assert.ok(served, `${p} is not served but the checkpoint of ${size} needs it${at}`);
      b = Buffer.from(served);
      cache.set(p, b);
    }
    return b;
  };

  // Entries, from the bundles.
  const entries: Buffer[] = [];
  for (const t of requiredTiles(size).filter((x) => x.level === 0)) {
    const bundle = await fetchTile({ level: 'entries', index: t.index, width: t.width });
    entries.push(...decodeBundle(bundle, t.width));
  }
  assert.equal(entries.length, size, `bundles hold ${entries.length} entries for size ${size}${at}`);
  if (opts.expected) {
    assert.ok(
      opts.expected.length >= size,
      `the log has ${size} entries, only ${opts.expected.length} were appended${at}`,
    );
    for (let i = 0; i < size; i++)
      assert.ok(entries[i].equals(opts.expected[i]), `entry ${i} differs from what was appended${at}`);
  }
  const leaves = entries.map(leafHash);
  const mem = memoryHashSource(leaves);
  // RFC 6962's MTH straight from its definition, not from tiles.
  assert.ok(rootOfLeaves(leaves).equals(cp.root), `the root of all ${size} entries is not the checkpoint's root${at}`);

  // Tiles: the checkpoint's own, then the partial tiles of every earlier size (kept as prefixes).
  let tiles = 0;
  const checkTile = async (t: HashTile, of: number): Promise<void> => {
    const served = await fetchTile(t);
    assert.equal(served.length, t.width * HASH_SIZE, `${tilePath(t)} has ${served.length} bytes${at}`);
    assert.ok(
      served.equals(expectedTile(mem, t)),
      `${tilePath(t)} (needed by size ${of}) differs from the tile computed from scratch${at}`,
    );
    tiles++;
  };
  for (const t of requiredTiles(size)) await checkTile(t, size);
  for (const s of opts.history.sizes()) {
    if (s > size) assert.fail(`checkpoint went back from ${s} to ${size}${at}`);
    for (const t of requiredTiles(s).filter((x) => x.width < TILE_WIDTH)) {
      await checkTile(t, s);
      if (t.level !== 0) continue;
      const bundle = await fetchTile({ level: 'entries', index: t.index, width: t.width });
      assert.deepEqual(
        decodeBundle(bundle, t.width),
        entries.slice(t.index * TILE_WIDTH, t.index * TILE_WIDTH + t.width),
        `partial bundle of size ${s}${at}`,
      );
    }
  }
  // Synchronous tile sources for proofs, from the tiles fetched above.
  const sourceFor = (n: number): HashSource =>
    tileHashSource(n, (t) => {
      const b = cache.get(tilePath(t));
      if (!b) throw new Error(`tile ${tilePath(t)} of size ${n} was not fetched`);
      return b;
    });

  // Inclusion proofs: every entry's, from the RFC 6962 reference over the served leaf hashes, each
  // verified with verifyInclusion; and those a client builds with tree.ts over the served tiles
  // (tileHashSource) for the new entries and a spread of the others, which must be the same proofs.
  const ref = referenceTree(leaves);
  const src = size > 0 ? sourceFor(size) : null;
  const tileBuilt = new Set<number>(opts.tileBuilt ?? []);
  if (opts.inclusion === 'all') for (let i = 0; i < size; i++) tileBuilt.add(i);
  else {
    for (const i of [0, 1, 255, 256, 257, 65535, 65536, size - 2, size - 1]) tileBuilt.add(i);
    const step = Math.max(1, Math.floor(size / opts.inclusion));
    for (let i = 0; i < size; i += step) tileBuilt.add(i);
  }
  let inclusion = 0;
  let built = 0;
  for (let i = 0; i < size; i++) {
    if (opts.sampleOnly && !tileBuilt.has(i)) continue;
    const proof = ref.inclusion(i, size);
    assert.ok(
      verifyInclusion(leaves[i], i, size, proof, cp.root),
      `inclusion proof of entry ${i} in ${size} does not verify${at}`,
    );
    inclusion++;
    if (tileBuilt.has(i)) {
      assert.deepEqual(
        inclusionProof(i, size, src!),
        proof,
        `inclusion proof of entry ${i} in ${size} from the served tiles${at}`,
      );
      built++;
    }
  }

  // Consistency between every pair of signed sizes: every pair from the reference, and from the
  // served tiles (tree.ts) every pair that has the current size.
  const current: SignedTree = { size, root: cp.root, note: text };
  opts.history.add(current);
  const sizes = opts.history.sizes();
  let consistency = 0;
  for (const n of sizes) {
    const newer = opts.history.bySize.get(n)!;
    const nSource = n === size || opts.pairs === 'all' ? sourceFor(n) : null;
    for (const m of sizes) {
      if (m >= n) continue;
      const older = opts.history.bySize.get(m)!;
      const proof = ref.consistency(m, n);
      assert.ok(
        verifyConsistency(m, n, older.root, newer.root, proof),
        `checkpoints ${m} and ${n} are not consistent${at}`,
      );
      if (nSource) {
        assert.deepEqual(
          consistencyProof(m, n, nSource),
          proof,
          `consistency proof ${m} → ${n} from the served tiles${at}`,
        );
        built++;
      }
      consistency++;
    }
  }
  return { ...current, entries, leaves, proofs: { inclusion, consistency, tileBuilt: built, tiles } };
}

/**
 * RFC 6962 §2.1 MTH, PATH and PROOF written straight from the text over `leaves`, with MTH
 * memoized: independent of tree.ts and tiles, and fast enough for every proof of a log.
 */
export function referenceTree(leaves: readonly Buffer[]) {
  const sha = (...parts: Buffer[]): Buffer => createHash('sha256').update(Buffer.concat(parts)).digest();
  const split = (n: number): number => {
    let k = 1;
    while (k * 2 < n) k *= 2;
    return k;
  };
  const memo = new Map<number, Buffer>();
  const mth = (lo: number, hi: number): Buffer => {
    const key = lo * 2 ** 26 + hi;
    let h = memo.get(key);
    if (!h) {
      const n = hi - lo;
      h =
        n === 0 ? sha() : n === 1 ? leaves[lo] : sha(Buffer.from([1]), mth(lo, lo + split(n)), mth(lo + split(n), hi));
      memo.set(key, h);
    }
    return h;
  };
  const path = (m: number, lo: number, hi: number): Buffer[] => {
    if (hi - lo <= 1) return [];
    const k = split(hi - lo);
    return m < k ? [...path(m, lo, lo + k), mth(lo + k, hi)] : [...path(m - k, lo + k, hi), mth(lo, lo + k)];
  };
  const subproof = (m: number, lo: number, hi: number, whole: boolean): Buffer[] => {
    if (m === hi - lo) return whole ? [] : [mth(lo, hi)];
    const k = split(hi - lo);
    return m <= k
      ? [...subproof(m, lo, lo + k, whole), mth(lo + k, hi)]
      : [...subproof(m - k, lo + k, hi, false), mth(lo, lo + k)];
  };
  return {
    root: (n: number): Buffer => mth(0, n),
    inclusion: (i: number, n: number): Buffer[] => path(i, 0, n),
    consistency: (m: number, n: number): Buffer[] => (m === 0 ? [] : subproof(m, 0, n, true)),
  };
}
