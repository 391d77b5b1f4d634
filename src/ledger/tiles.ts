// C2SP tlog-tiles resources: tile and entry-bundle paths, bundle bytes, and which tiles a tree
// size needs. Pure: no storage, no HTTP. Sizes and indexes are JavaScript numbers, so every value
// MUST be a safe integer (below 2^53); arithmetic is done with division, never 32-bit shifts.

/** Hashes per full tile and entries per full bundle. */
export const TILE_WIDTH = 256;
/** Bytes of one hash in a tile. */
export const HASH_SIZE = 32;
/** Largest entry the uint16 length prefix of a bundle can carry. */
export const MAX_ENTRY_SIZE = 65535;
/** Highest level tlog-tiles allows in a path (`<L>` is 0 to 63). */
export const MAX_LEVEL = 63;

/** A hash tile: `width` is 1 to 256; 256 means full (no `.p/` suffix). */
export type HashTile = { level: number; index: number; width: number };
/** A hash tile or an entry bundle (`tile/entries/…`), as named by a path. */
export type TileAddress = HashTile | { level: 'entries'; index: number; width: number };

/** 256^level as a number (exact for the levels a safe-integer tree can have). */
export function levelSpan(level: number): number {
  return TILE_WIDTH ** level;
}

/** Number of stored hashes at `level` in a tree of `size` leaves: floor(size / 256^level). */
export function hashesAtLevel(size: number, level: number): number {
  return Math.floor(size / levelSpan(level));
}

function checkIndex(n: number, what: string): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${what} must be a non-negative safe integer, got ${n}`);
}

function checkAddress(t: TileAddress): void {
  if (t.level !== 'entries' && (!Number.isInteger(t.level) || t.level < 0 || t.level > MAX_LEVEL)) {
    throw new RangeError(`tile level must be 0 to ${MAX_LEVEL} or 'entries', got ${String(t.level)}`);
  }
  checkIndex(t.index, 'tile index');
  if (!Number.isInteger(t.width) || t.width < 1 || t.width > TILE_WIDTH) {
    throw new RangeError(`tile width must be 1 to ${TILE_WIDTH}, got ${t.width}`);
  }
}

/**
 * The path of a tile or bundle below the log prefix, e.g. `tile/0/x001/x234/067.p/5`.
 * MUST be given a valid address (throws otherwise): a width of 256 is the full tile.
 */
export function tilePath(t: TileAddress): string {
  checkAddress(t);
  // Three-digit groups, all but the last prefixed with `x`, so that a directory never shares a
  // name with a file and tiles can be served straight from a filesystem.
  let n = Math.floor(t.index / 1000);
  let out = String(t.index % 1000).padStart(3, '0');
  while (n > 0) {
    out = `x${String(n % 1000).padStart(3, '0')}/${out}`;
    n = Math.floor(n / 1000);
  }
  const suffix = t.width === TILE_WIDTH ? '' : `.p/${t.width}`;
  return `tile/${t.level}/${out}${suffix}`;
}

const PATH = /^tile\/(0|[1-9][0-9]?|entries)\/((?:x[0-9]{3}\/)*[0-9]{3})(?:\.p\/([1-9][0-9]{0,2}))?$/;

/**
 * Reads a path such as `tile/1/x001/234.p/17` or `tile/entries/000`. Returns null for anything that
 * is not the one canonical spelling of a tile (leading-zero groups, missing `x`, width 0 or ≥ 256,
 * level above 63 or with leading zeros, index beyond 2^53). MUST NOT be given the log prefix.
 */
export function parseTilePath(p: string): TileAddress | null {
  const m = PATH.exec(p);
  if (!m) return null;
  const level = m[1] === 'entries' ? 'entries' : Number(m[1]);
  const width = m[3] === undefined ? TILE_WIDTH : Number(m[3]);
  if ((level !== 'entries' && level > MAX_LEVEL) || (m[3] !== undefined && width >= TILE_WIDTH)) return null;
  let index = 0;
  for (const group of m[2].split('/')) index = index * 1000 + Number(group.replace('x', ''));
  if (!Number.isSafeInteger(index)) return null;
  const t: TileAddress = level === 'entries' ? { level, index, width } : { level, index, width };
  // Canonical form only: `x000/001` names tile 1 but is not how tile 1 is spelled.
  return tilePath(t) === p ? t : null;
}

/**
 * The tiles a checkpoint of `size` needs, lowest level first: for each level L with
 * floor(size / 256^L) > 0, the full tiles before the edge and, if the edge is not on a tile
 * boundary, the partial tile with that width. Entry bundles mirror level 0 (same indexes, widths).
 */
export function requiredTiles(size: number): HashTile[] {
  checkIndex(size, 'tree size');
  const out: HashTile[] = [];
  for (let level = 0; hashesAtLevel(size, level) > 0; level++) {
    const count = hashesAtLevel(size, level);
    const full = Math.floor(count / TILE_WIDTH);
    for (let index = 0; index < full; index++) out.push({ level, index, width: TILE_WIDTH });
    if (count % TILE_WIDTH > 0) out.push({ level, index: full, width: count % TILE_WIDTH });
  }
  return out;
}

/**
 * The tile that holds stored hash `index` of `level` in a tree of `size`: the full tile if that
 * tile is complete at this size, else the partial tile of this size. Throws if the hash does not
 * exist yet at this size (MUST NOT be used to guess at future tiles).
 */
export function tileForHash(level: number, index: number, size: number): HashTile {
  checkIndex(index, 'hash index');
  const count = hashesAtLevel(size, level);
  if (index >= count) throw new RangeError(`hash ${level}/${index} does not exist in a tree of ${size}`);
  const tile = Math.floor(index / TILE_WIDTH);
  const width = tile < Math.floor(count / TILE_WIDTH) ? TILE_WIDTH : count % TILE_WIDTH;
  return { level, index: tile, width };
}

/**
 * An entry bundle: each entry as a big-endian uint16 length then its bytes. MUST be given 1 to 256
 * entries of at most 65,535 bytes each (throws otherwise; empty bundles are never served).
 */
export function encodeBundle(entries: readonly Buffer[]): Buffer {
  if (entries.length < 1 || entries.length > TILE_WIDTH)
    throw new RangeError(`a bundle holds 1 to 256 entries, got ${entries.length}`);
  let total = 0;
  for (const e of entries) {
    if (e.length > MAX_ENTRY_SIZE) throw new RangeError(`entry of ${e.length} bytes exceeds ${MAX_ENTRY_SIZE}`);
    total += 2 + e.length;
  }
  const out = Buffer.allocUnsafe(total);
  let at = 0;
  for (const e of entries) {
    out.writeUInt16BE(e.length, at);
    e.copy(out, at + 2);
    at += 2 + e.length;
  }
  return out;
}

/**
 * Splits a bundle into its entries (copies, not views). Throws on truncation, trailing bytes,
 * an empty bundle, more than 256 entries, or — when `width` is given — any other count.
 */
export function decodeBundle(bytes: Buffer, width?: number): Buffer[] {
  const out: Buffer[] = [];
  let at = 0;
  while (at < bytes.length) {
    if (out.length === TILE_WIDTH) throw new Error('bundle holds more than 256 entries');
    if (at + 2 > bytes.length) throw new Error(`bundle truncated in the length prefix at byte ${at}`);
    const len = bytes.readUInt16BE(at);
    if (at + 2 + len > bytes.length)
      throw new Error(`bundle truncated: entry ${out.length} needs ${len} bytes at byte ${at + 2}`);
    out.push(Buffer.from(bytes.subarray(at + 2, at + 2 + len)));
    at += 2 + len;
  }
  if (out.length === 0) throw new Error('empty bundle');
  if (width !== undefined && out.length !== width)
    throw new Error(`bundle holds ${out.length} entries, expected ${width}`);
  return out;
}

/** A bundle (or hash tile) written by an append: `width` 256 is full. */
export type BundleUpdate = { index: number; width: number; bytes: Buffer };

/**
 * The bundle counterpart of `integrate` in tree.ts: appends `newEntries` to a log of `oldSize`
 * whose last, partial bundle holds `lastBundle` (MUST be exactly oldSize mod 256 entries). Returns
 * every bundle that changed — full ones once they fill, then the new partial one if any — and the
 * new partial bundle's entries for the next call. Bundles that did not change are not repeated.
 */
export function appendToBundles(
  oldSize: number,
  lastBundle: readonly Buffer[],
  newEntries: readonly Buffer[],
): { size: number; bundles: BundleUpdate[]; lastBundle: Buffer[] } {
  checkIndex(oldSize, 'tree size');
  if (lastBundle.length !== oldSize % TILE_WIDTH) {
    throw new Error(
      `last bundle holds ${lastBundle.length} entries; a log of ${oldSize} needs ${oldSize % TILE_WIDTH}`,
    );
  }
  const bundles: BundleUpdate[] = [];
  let current = [...lastBundle];
  let size = oldSize;
  for (const e of newEntries) {
    if (e.length > MAX_ENTRY_SIZE) throw new RangeError(`entry ${size} of ${e.length} bytes exceeds ${MAX_ENTRY_SIZE}`);
    current.push(e);
    size++;
    if (current.length === TILE_WIDTH) {
      bundles.push({ index: size / TILE_WIDTH - 1, width: TILE_WIDTH, bytes: encodeBundle(current) });
      current = [];
    }
  }
  if (newEntries.length > 0 && current.length > 0) {
    bundles.push({ index: Math.floor(size / TILE_WIDTH), width: current.length, bytes: encodeBundle(current) });
  }
  return { size, bundles, lastBundle: current };
}
