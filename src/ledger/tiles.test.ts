import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  appendToBundles,
  decodeBundle,
  encodeBundle,
  parseTilePath,
  requiredTiles,
  tileForHash,
  tilePath,
  type HashTile,
  type TileAddress,
} from './tiles.ts';

describe('tile paths', () => {
  const table: [TileAddress, string][] = [
    [{ level: 0, index: 0, width: 256 }, 'tile/0/000'],
    [{ level: 0, index: 1, width: 256 }, 'tile/0/001'],
    [{ level: 0, index: 999, width: 256 }, 'tile/0/999'],
    [{ level: 0, index: 1000, width: 256 }, 'tile/0/x001/000'],
    [{ level: 0, index: 1234067, width: 256 }, 'tile/0/x001/x234/067'],
    [{ level: 0, index: 1234067, width: 5 }, 'tile/0/x001/x234/067.p/5'],
    [{ level: 1, index: 1, width: 17 }, 'tile/1/001.p/17'],
    [{ level: 2, index: 0, width: 1 }, 'tile/2/000.p/1'],
    [{ level: 0, index: 273, width: 255 }, 'tile/0/273.p/255'],
    [{ level: 63, index: 1_000_000, width: 256 }, 'tile/63/x001/x000/000'],
    [{ level: 'entries', index: 273, width: 112 }, 'tile/entries/273.p/112'],
    [{ level: 'entries', index: 1000, width: 256 }, 'tile/entries/x001/000'],
    [{ level: 0, index: Number.MAX_SAFE_INTEGER, width: 256 }, 'tile/0/x009/x007/x199/x254/x740/991'],
  ];

  it('spells each address one way and reads it back', () => {
    for (const [t, p] of table) {
      assert.equal(tilePath(t), p);
      assert.deepEqual(parseTilePath(p), t, p);
    }
  });

  it('refuses every non-canonical or out-of-range path', () => {
    const bad = [
      'tile/0/1',
      'tile/0/01',
      'tile/0/0001',
      'tile/0/x000/001',
      'tile/0/x000/x001/000',
      'tile/0/001/002',
      'tile/0/x001/x002',
      'tile/0/X001/000',
      'tile/0/x01/000',
      'tile/00/000',
      'tile/01/000',
      'tile/64/000',
      'tile/100/000',
      'tile/-1/000',
      'tile/a/000',
      'tile/data/000',
      'tile/entry/000',
      'tile/0/000.p/0',
      'tile/0/000.p/256',
      'tile/0/000.p/007',
      'tile/0/000.p/',
      'tile/0/000.p',
      'tile/0/000.P/5',
      'tile/0/000.p/5/1',
      'tile/0/000.p/1.p/1',
      'tile/entries/000.p/300',
      '/tile/0/000',
      'tile/0/000/',
      'tile//000',
      'tile/0/',
      'tile/0',
      'tiles/0/000',
      'tile/0/000 ',
      ' tile/0/000',
      'tile/0/0a0',
      'tile/0/+01',
      'tile/0/x009/x007/x199/x254/x740/992',
      'tile/0/x999/x999/x999/x999/x999/999',
      '',
      'tile/0/000\n',
    ];
    for (const p of bad) assert.equal(parseTilePath(p), null, JSON.stringify(p));
  });

  it('refuses to spell impossible addresses', () => {
    const bad: TileAddress[] = [
      { level: 0, index: 0, width: 0 },
      { level: 0, index: 0, width: 257 },
      { level: 64, index: 0, width: 1 },
      { level: -1, index: 0, width: 1 },
      { level: 0.5, index: 0, width: 1 },
      { level: 0, index: -1, width: 1 },
      { level: 0, index: 1.5, width: 1 },
      { level: 0, index: 2 ** 53, width: 1 },
    ];
    for (const t of bad) assert.throws(() => tilePath(t), RangeError, JSON.stringify(t));
  });
});

describe('requiredTiles and tileForHash', () => {
  const summary = (tiles: HashTile[]): string[] => {
    // Runs of full tiles are summarised as "L/first-last", partial tiles as their path.
    const out: string[] = [];
    for (const t of tiles) {
      if (t.width < 256) out.push(tilePath(t));
      else if (t.index === 0) out.push(`${t.level}/0-0`);
      else out[out.length - 1] = `${t.level}/0-${t.index}`;
    }
    return out;
  };

  it('lists full and partial tiles of every level, as tlog-tiles describes for 70,000', () => {
    const table: [number, string[]][] = [
      [0, []],
      [1, ['tile/0/000.p/1']],
      [255, ['tile/0/000.p/255']],
      [256, ['0/0-0', 'tile/1/000.p/1']],
      [257, ['0/0-0', 'tile/0/001.p/1', 'tile/1/000.p/1']],
      [1000, ['0/0-2', 'tile/0/003.p/232', 'tile/1/000.p/3']],
      [65536, ['0/0-255', '1/0-0', 'tile/2/000.p/1']],
      [70_000, ['0/0-272', 'tile/0/273.p/112', '1/0-0', 'tile/1/001.p/17', 'tile/2/000.p/1']],
      [2 ** 24, ['0/0-65535', '1/0-255', '2/0-0', 'tile/3/000.p/1']],
    ];
    for (const [size, want] of table) assert.deepEqual(summary(requiredTiles(size)), want, `size ${size}`);
    assert.throws(() => requiredTiles(-1), RangeError);
  });

  it('finds the tile holding a stored hash at a given tree size', () => {
    const table: [number, number, number, string][] = [
      [0, 0, 1, 'tile/0/000.p/1'],
      [0, 255, 256, 'tile/0/000'],
      [0, 255, 70_000, 'tile/0/000'],
      [0, 69_999, 70_000, 'tile/0/273.p/112'],
      [1, 255, 70_000, 'tile/1/000'],
      [1, 272, 70_000, 'tile/1/001.p/17'],
      [2, 0, 70_000, 'tile/2/000.p/1'],
    ];
    for (const [level, index, size, want] of table) assert.equal(tilePath(tileForHash(level, index, size)), want);
    for (const [level, index, size] of [
      [0, 70_000, 70_000],
      [1, 273, 70_000],
      [3, 0, 70_000],
      [0, -1, 5],
    ]) {
      assert.throws(() => tileForHash(level, index, size), RangeError);
    }
  });
});

describe('entry bundles', () => {
  const big = Buffer.alloc(65535, 0xab);
  const entries = [Buffer.alloc(0), Buffer.from('a'), big, Buffer.from('{"case":"C-00003"}'), Buffer.alloc(0)];

  it('are uint16-length-prefixed entries, and decode back, including 0 and 65,535 bytes', () => {
    const bytes = encodeBundle(entries);
    assert.equal(
      bytes.length,
      entries.reduce((n, e) => n + 2 + e.length, 0),
    );
    assert.deepEqual(bytes.subarray(0, 5), Buffer.from([0, 0, 0, 1, 0x61]));
    assert.deepEqual(bytes.subarray(5, 7), Buffer.from([0xff, 0xff]));
    assert.deepEqual(decodeBundle(bytes), entries);
    assert.deepEqual(decodeBundle(bytes, 5), entries);
    const full = Array.from({ length: 256 }, (_, i) => Buffer.from([i]));
    assert.deepEqual(decodeBundle(encodeBundle(full), 256), full);
  });

  it('refuses oversize entries, empty or overfull bundles on encoding', () => {
    assert.throws(() => encodeBundle([Buffer.alloc(65536)]), RangeError);
    assert.throws(() => encodeBundle([]), RangeError);
    assert.throws(() => encodeBundle(Array.from({ length: 257 }, () => Buffer.alloc(0))), RangeError);
  });

  it('refuses truncation at every byte, trailing bytes, a wrong count and more than 256 entries', () => {
    const bytes = encodeBundle(entries);
    const boundaries = new Set<number>();
    let at = 0;
    for (const e of entries) boundaries.add((at += 2 + e.length));
    for (let cut = 0; cut < bytes.length; cut++) {
      if (boundaries.has(cut)) assert.throws(() => decodeBundle(bytes.subarray(0, cut), 5), /expected 5/);
      else
        assert.throws(() => decodeBundle(bytes.subarray(0, cut)), cut === 0 ? /empty/ : /truncated/, `cut at ${cut}`);
    }
    assert.throws(() => decodeBundle(Buffer.concat([bytes, Buffer.from([0])])), /truncated/);
    assert.throws(() => decodeBundle(Buffer.concat([bytes, Buffer.from([0, 5, 1])])), /truncated/);
    assert.throws(() => decodeBundle(Buffer.alloc(2 * 257)), /more than 256/);
  });

  it('appendToBundles in batches writes what one batch writes', () => {
    const all = Array.from({ length: 1000 }, (_, i) => Buffer.from(`entry ${i}`));
    const once = appendToBundles(0, [], all);
    assert.deepEqual(
      once.bundles.map((b) => tilePath({ level: 'entries', ...b })),
      ['tile/entries/000', 'tile/entries/001', 'tile/entries/002', 'tile/entries/003.p/232'],
    );
    assert.deepEqual(once.lastBundle, all.slice(768));
    const written = new Map<string, Buffer>();
    let state = { size: 0, lastBundle: [] as Buffer[] };
    for (const n of [1, 254, 1, 1, 300, 43, 400]) {
      const r = appendToBundles(state.size, state.lastBundle, all.slice(state.size, state.size + n));
      for (const b of r.bundles) {
        assert.deepEqual(decodeBundle(b.bytes, b.width), all.slice(b.index * 256, b.index * 256 + b.width));
        written.set(tilePath({ level: 'entries', ...b }), b.bytes);
      }
      state = r;
    }
    assert.equal(state.size, 1000);
    for (const b of once.bundles) assert.deepEqual(written.get(tilePath({ level: 'entries', ...b })), b.bytes);
    assert.deepEqual(appendToBundles(1000, once.lastBundle, []).bundles, []);
    assert.throws(() => appendToBundles(1001, once.lastBundle, []), /needs 233/);
    assert.throws(() => appendToBundles(0, [], [Buffer.alloc(65536)]), RangeError);
  });
});
