// RFC 6962 / RFC 9162 Merkle tree math over the hashes a tlog-tiles log stores. Pure: hashes come
// from a HashSource, so the same code serves the sequencer (memory), the HTTP layer (tiles from
// storage) and tests. Sizes and indexes MUST be safe integers; shifts are done by division because
// JavaScript's `>>` truncates to 32 bits.
import { hash } from 'node:crypto';
import {
  HASH_SIZE,
  MAX_ENTRY_SIZE,
  TILE_WIDTH,
  hashesAtLevel,
  levelSpan,
  tileForHash,
  tilePath,
  type HashTile,
} from './tiles.ts';

/**
 * Stored hash `index` of `level`: level 0 is leaf hash `index`; level L is the MTH of the complete
 * subtree of 256^L leaves starting at leaf index·256^L. MUST return a 32-byte Buffer or throw.
 */
export type HashSource = (level: number, index: number) => Buffer;

/** MTH of the empty tree, SHA-256(""). MUST NOT be modified. */
export const EMPTY_ROOT: Buffer = hash('sha256', Buffer.alloc(0), 'buffer');

/** SHA-256(0x00 ‖ entry). Entries MUST be at most 65,535 bytes (bundles cannot carry more). */
export function leafHash(entry: Buffer): Buffer {
  if (entry.length > MAX_ENTRY_SIZE) throw new RangeError(`entry of ${entry.length} bytes exceeds ${MAX_ENTRY_SIZE}`);
  const b = Buffer.allocUnsafe(entry.length + 1);
  b[0] = 0x00;
  entry.copy(b, 1);
  return hash('sha256', b, 'buffer');
}

/** SHA-256(0x01 ‖ left ‖ right). Both MUST be 32 bytes. */
export function nodeHash(left: Buffer, right: Buffer): Buffer {
  if (left.length !== HASH_SIZE || right.length !== HASH_SIZE)
    throw new RangeError('node children must be 32-byte hashes');
  const b = Buffer.allocUnsafe(1 + 2 * HASH_SIZE);
  b[0] = 0x01;
  left.copy(b, 1);
  right.copy(b, 1 + HASH_SIZE);
  return hash('sha256', b, 'buffer');
}

function checkSize(n: number, what: string): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${what} must be a non-negative safe integer, got ${n}`);
}

/** The largest power of two strictly below n (n ≥ 2): RFC 6962's split point k. */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function isPowerOfTwo(n: number): boolean {
  let p = 1;
  while (p < n) p *= 2;
  return p === n;
}

/** Root of a complete tree whose leaves are `row` (length a power of two). */
function completeRoot(row: Buffer[]): Buffer {
  while (row.length > 1) {
    const next: Buffer[] = [];
    for (let i = 0; i < row.length; i += 2) next.push(nodeHash(row[i], row[i + 1]));
    row = next;
  }
  return row[0];
}

function read(src: HashSource, level: number, index: number): Buffer {
  const h = src(level, index);
  if (!Buffer.isBuffer(h) || h.length !== HASH_SIZE)
    throw new Error(`hash source gave no 32-byte hash for ${level}/${index}`);
  return h;
}

/** MTH of an aligned complete subtree: at most 128 stored hashes of one level, 127 hashings. */
function alignedHash(start: number, size: number, src: HashSource): Buffer {
  let height = 0;
  while (2 ** height < size) height++;
  const level = Math.floor(height / 8);
  const span = levelSpan(level);
  const row: Buffer[] = [];
  for (let i = start / span; i < (start + size) / span; i++) row.push(read(src, level, i));
  return completeRoot(row);
}

/**
 * MTH of leaves [start, start+size). Fast when the range is what roots and proofs use (a complete
 * aligned subtree, or a left-balanced range starting at a multiple of the next power of two):
 * O(log size) stored hashes, at most 127 hashings per level. Any other range is correct but
 * slower (it splits down to aligned pieces). Size 0 gives EMPTY_ROOT.
 */
export function subtreeHash(start: number, size: number, src: HashSource): Buffer {
  checkSize(start, 'start');
  checkSize(size, 'size');
  if (size === 0) return EMPTY_ROOT;
  if (isPowerOfTwo(size) && start % size === 0) return alignedHash(start, size, src);
  const k = splitPoint(size);
  return nodeHash(subtreeHash(start, k, src), subtreeHash(start + k, size - k, src));
}

/** MTH of the first `size` leaves (EMPTY_ROOT for 0). */
export function treeRoot(size: number, src: HashSource): Buffer {
  return subtreeHash(0, size, src);
}

/** RFC 9162 §2.1.3.1 PATH(index, D[size]): sibling hashes, leaf level first. MUST have index < size. */
export function inclusionProof(index: number, size: number, src: HashSource): Buffer[] {
  checkSize(index, 'index');
  checkSize(size, 'size');
  if (index >= size) throw new RangeError(`index ${index} is not in a tree of ${size}`);
  const path = (m: number, start: number, n: number): Buffer[] => {
    if (n === 1) return [];
    const k = splitPoint(n);
    if (m < k) return [...path(m, start, k), subtreeHash(start + k, n - k, src)];
    return [...path(m - k, start + k, n - k), subtreeHash(start, k, src)];
  };
  return path(index, 0, size);
}

/**
 * RFC 9162 §2.1.4.1 PROOF(oldSize, D[newSize]) = SUBPROOF(oldSize, D[newSize], true). MUST have
 * oldSize ≤ newSize. Empty when oldSize is 0 or equal to newSize (nothing to prove).
 */
export function consistencyProof(oldSize: number, newSize: number, src: HashSource): Buffer[] {
  checkSize(oldSize, 'old size');
  checkSize(newSize, 'new size');
  if (oldSize > newSize) throw new RangeError(`old size ${oldSize} exceeds new size ${newSize}`);
  if (oldSize === 0) return [];
  const subproof = (m: number, start: number, n: number, whole: boolean): Buffer[] => {
    if (m === n) return whole ? [] : [subtreeHash(start, n, src)];
    const k = splitPoint(n);
    if (m <= k) return [...subproof(m, start, k, whole), subtreeHash(start + k, n - k, src)];
    return [...subproof(m - k, start + k, n - k, false), subtreeHash(start, k, src)];
  };
  return subproof(oldSize, 0, newSize, true);
}

const isHash = (h: unknown): h is Buffer => Buffer.isBuffer(h) && h.length === HASH_SIZE;
const isSize = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
const odd = (n: number): boolean => n % 2 === 1;
const half = (n: number): number => Math.floor(n / 2);

/**
 * RFC 9162 §2.1.3.2. True only if `proof` is exactly the inclusion proof of `leaf` at `index` in
 * the tree of `size` with `root`. Never throws: malformed input, short or long proofs are false.
 */
export function verifyInclusion(
  leaf: Buffer,
  index: number,
  size: number,
  proof: readonly Buffer[],
  root: Buffer,
): boolean {
  if (!isHash(leaf) || !isHash(root) || !isSize(index) || !isSize(size) || index >= size) return false;
  if (!Array.isArray(proof) || !proof.every(isHash)) return false;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return false; // more hashes than the tree has levels
    if (odd(fn) || fn === sn) {
      r = nodeHash(p, r);
      while (!odd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && r.equals(root);
}

/**
 * RFC 9162 §2.1.4.2. True only if `proof` shows the tree (newSize, newRoot) extends
 * (oldSize, oldRoot). Equal sizes need an empty proof and equal roots; old size 0 needs an empty
 * proof and EMPTY_ROOT. Never throws: malformed input, short or long proofs are false.
 */
export function verifyConsistency(
  oldSize: number,
  newSize: number,
  oldRoot: Buffer,
  newRoot: Buffer,
  proof: readonly Buffer[],
): boolean {
  if (!isSize(oldSize) || !isSize(newSize) || oldSize > newSize || !isHash(oldRoot) || !isHash(newRoot)) return false;
  if (!Array.isArray(proof) || !proof.every(isHash)) return false;
  if (oldSize === newSize) return proof.length === 0 && oldRoot.equals(newRoot);
  if (oldSize === 0) return proof.length === 0 && oldRoot.equals(EMPTY_ROOT);
  if (proof.length === 0) return false;
  // A power-of-two old tree is itself a node of the new tree, so its root starts the path.
  const path = isPowerOfTwo(oldSize) ? [oldRoot, ...proof] : [...proof];
  let fn = oldSize - 1;
  let sn = newSize - 1;
  while (odd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (!odd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && fr.equals(oldRoot) && sr.equals(newRoot);
}

/** RFC 6962 MTH straight from the definition, over all of `leafHashes` (for tests and checks). */
export function rootOfLeaves(leafHashes: readonly Buffer[]): Buffer {
  if (leafHashes.length === 0) return EMPTY_ROOT;
  if (leafHashes.length === 1) return leafHashes[0];
  const k = splitPoint(leafHashes.length);
  return nodeHash(rootOfLeaves(leafHashes.slice(0, k)), rootOfLeaves(leafHashes.slice(k)));
}

/**
 * A HashSource over leaf hashes held in memory, with every level ≥ 1 hash computed up front
 * (only complete 256^L subtrees exist). Throws when asked for a hash the tree does not have.
 */
export function memoryHashSource(leafHashes: readonly Buffer[]): HashSource {
  const levels: Buffer[][] = [[...leafHashes]];
  while (levels[levels.length - 1].length >= TILE_WIDTH) {
    const below = levels[levels.length - 1];
    const row: Buffer[] = [];
    for (let i = 0; i + TILE_WIDTH <= below.length; i += TILE_WIDTH)
      row.push(completeRoot(below.slice(i, i + TILE_WIDTH)));
    levels.push(row);
  }
  return (level, index) => {
    const h = levels[level]?.[index];
    if (!h) throw new RangeError(`no stored hash ${level}/${index} in a tree of ${leafHashes.length}`);
    return h;
  };
}

/** A tile's full contents so far: `width` hashes (256 when full), 32 bytes each. */
export type TileData = HashTile & { hashes: Buffer };

/** Per level, the bytes of the partial tile at the right edge; an absent level means empty. */
export type RightEdge = ReadonlyMap<number, Buffer>;

function checkEdge(size: number, edge: RightEdge): void {
  for (const [level, bytes] of edge) {
    if (!Number.isInteger(level) || level < 0 || !Buffer.isBuffer(bytes))
      throw new Error(`right edge has a bad entry at level ${level}`);
    const width = hashesAtLevel(size, level) % TILE_WIDTH;
    if (bytes.length !== width * HASH_SIZE) {
      throw new Error(
        `right edge at level ${level} holds ${bytes.length} bytes; a tree of ${size} needs ${width * HASH_SIZE}`,
      );
    }
  }
  for (let level = 0; hashesAtLevel(size, level) > 0; level++) {
    if (hashesAtLevel(size, level) % TILE_WIDTH > 0 && !edge.has(level))
      throw new Error(`right edge lacks level ${level} for a tree of ${size}`);
  }
}

/**
 * The integration step. Appends `newLeafHashes` to a tree of `oldSize` whose right edge (partial
 * tile per level) is `lastTiles`, and returns the new size, every tile whose contents changed
 * (full tiles when they fill, then the new partial tile of each level touched) and the new right
 * edge. Unchanged partial tiles are not repeated: if every result of every call is stored, every
 * tile a checkpoint of the new size needs exists. `lastTiles` MUST match `oldSize` (throws).
 */
export function integrate(
  oldSize: number,
  lastTiles: RightEdge,
  newLeafHashes: readonly Buffer[],
): { size: number; tiles: TileData[]; lastTiles: Map<number, Buffer> } {
  checkSize(oldSize, 'old size');
  checkEdge(oldSize, lastTiles);
  const rows: Buffer[][] = [];
  const counts: number[] = []; // stored hashes per level after this batch
  const touched = new Set<number>();
  for (let level = 0; hashesAtLevel(oldSize, level) > 0; level++) {
    const bytes = lastTiles.get(level) ?? Buffer.alloc(0);
    rows.push(
      Array.from({ length: bytes.length / HASH_SIZE }, (_, i) => bytes.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE)),
    );
    counts.push(hashesAtLevel(oldSize, level));
  }
  const tiles: TileData[] = [];
  const push = (level: number, h: Buffer): void => {
    if (rows.length === level) {
      rows.push([]);
      counts.push(0);
    }
    rows[level].push(h);
    counts[level]++;
    touched.add(level);
    if (rows[level].length === TILE_WIDTH) {
      const full = rows[level];
      rows[level] = [];
      tiles.push({ level, index: counts[level] / TILE_WIDTH - 1, width: TILE_WIDTH, hashes: Buffer.concat(full) });
      // Only a full tile is hashed into the level above; partial tiles never are.
      push(level + 1, completeRoot(full));
    }
  };
  for (const h of newLeafHashes) {
    if (!isHash(h)) throw new RangeError('leaf hashes must be 32-byte Buffers');
    push(0, h);
  }
  const edge = new Map<number, Buffer>();
  rows.forEach((row, level) => {
    if (row.length === 0) return;
    const hashes = Buffer.concat(row);
    edge.set(level, hashes);
    if (touched.has(level))
      tiles.push({ level, index: Math.floor(counts[level] / TILE_WIDTH), width: row.length, hashes });
  });
  return { size: oldSize + newLeafHashes.length, tiles, lastTiles: edge };
}

/**
 * Root of the tree of `size` from its right edge alone: every complete subtree of the root's
 * decomposition sits in the partial tile of its level, so no other tile is read. `lastTiles` MUST
 * be the right edge of `size` (as `integrate` returns it; throws otherwise).
 */
export function rootFromRightEdge(size: number, lastTiles: RightEdge): Buffer {
  checkSize(size, 'size');
  checkEdge(size, lastTiles);
  return treeRoot(size, (level, index) => {
    const first = Math.floor(hashesAtLevel(size, level) / TILE_WIDTH) * TILE_WIDTH;
    const bytes = lastTiles.get(level);
    if (!bytes || index < first) throw new Error(`hash ${level}/${index} is not on the right edge of ${size}`);
    return bytes.subarray((index - first) * HASH_SIZE, (index - first + 1) * HASH_SIZE);
  });
}

/**
 * A HashSource for the tree of `size` reading whole tiles through `readTile` (each read once and
 * cached). `readTile` MUST return the tile's bytes (width × 32) or throw; shorter or longer tiles
 * are refused. Asking for a hash beyond `size` throws.
 */
export function tileHashSource(size: number, readTile: (tile: HashTile) => Buffer): HashSource {
  checkSize(size, 'size');
  const cache = new Map<string, Buffer>();
  return (level, index) => {
    const tile = tileForHash(level, index, size);
    const key = tilePath(tile);
    let bytes = cache.get(key);
    if (!bytes) {
      bytes = readTile(tile);
      if (!Buffer.isBuffer(bytes) || bytes.length !== tile.width * HASH_SIZE)
        throw new Error(`tile ${key} is not ${tile.width * HASH_SIZE} bytes`);
      cache.set(key, bytes);
    }
    const at = (index % TILE_WIDTH) * HASH_SIZE;
    return bytes.subarray(at, at + HASH_SIZE);
  };
}

/**
 * The tiles `op` reads from a tree of `size`, found by running it once on placeholder hashes. Lets
 * an async store fetch them all first, then run `op` on `tileHashSource`. `op` MUST read the same
 * hashes whatever their values (true of every function here); its result is discarded.
 */
export function tilesNeeded(size: number, op: (src: HashSource) => unknown): HashTile[] {
  const found = new Map<string, HashTile>();
  const placeholder = Buffer.alloc(HASH_SIZE);
  op((level, index) => {
    const tile = tileForHash(level, index, size);
    found.set(tilePath(tile), tile);
    return placeholder;
  });
  return [...found.values()];
}
