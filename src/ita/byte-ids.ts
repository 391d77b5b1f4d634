// Byte strings (respondent ids, question ids) numbered 0, 1, 2… in the order first added, looked up
// by their bytes as they lie in a read buffer: no string and no Map entry per id. The ids' bytes
// sit end to end in one growing array, the table holds numbers only (open addressing, FNV-1a, at
// most half full), so an id costs its length plus about 16 bytes. Exact: the hash only chooses
// where to look; bytes are compared.

export type ByteIds = {
  /** The number of `bytes[start, end)`, or -1 when it was never added. */
  find: (bytes: Uint8Array, start: number, end: number) => number;
  /** The number of `bytes[start, end)`, the next one (= size before) when it is new. */
  add: (bytes: Uint8Array, start: number, end: number) => number;
  size: () => number;
};

function hashOf(bytes: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let k = start; k < end; k++) h = Math.imul(h ^ bytes[k]!, 0x01000193);
  return h;
}

/** An empty numbering. */
export function createByteIds(): ByteIds {
  let count = 0;
  let arena = new Uint8Array(1024); // the ids' bytes, end to end
  let ends = new Int32Array(64); // id n is arena[n === 0 ? 0 : ends[n - 1], ends[n])
  let hashes = new Int32Array(64);
  let table = new Int32Array(128); // slot → id + 1, 0 when empty
  let mask = table.length - 1;

  /** The slot holding these bytes, or the empty slot where they would go. */
  function slotOf(bytes: Uint8Array, start: number, end: number, h: number): number {
    const length = end - start;
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const id = table[slot]! - 1;
      if (id < 0) return slot;
      if (hashes[id] !== h) continue;
      const from = id === 0 ? 0 : ends[id - 1]!;
      if (ends[id]! - from !== length) continue;
      let k = 0;
      while (k < length && arena[from + k] === bytes[start + k]) k += 1;
      if (k === length) return slot;
    }
  }

  function grow(length: number): void {
    const used = count === 0 ? 0 : ends[count - 1]!;
    if (used + length > arena.length) {
      const bigger = new Uint8Array(Math.max(2 * arena.length, used + length));
      bigger.set(arena.subarray(0, used));
      arena = bigger;
    }
    if (count === ends.length) {
      const biggerEnds = new Int32Array(2 * count);
      biggerEnds.set(ends);
      ends = biggerEnds;
      const biggerHashes = new Int32Array(2 * count);
      biggerHashes.set(hashes);
      hashes = biggerHashes;
    }
    if (2 * (count + 1) > table.length) {
      table = new Int32Array(2 * table.length);
      mask = table.length - 1;
      for (let id = 0; id < count; id++) {
        let slot = hashes[id]! & mask;
        while (table[slot] !== 0) slot = (slot + 1) & mask;
        table[slot] = id + 1;
      }
    }
  }

  return {
    find(bytes, start, end) {
      return table[slotOf(bytes, start, end, hashOf(bytes, start, end))]! - 1;
    },
    add(bytes, start, end) {
      const h = hashOf(bytes, start, end);
      const found = table[slotOf(bytes, start, end, h)]! - 1;
      if (found >= 0) return found;
      grow(end - start);
      const from = count === 0 ? 0 : ends[count - 1]!;
      arena.set(bytes.subarray(start, end), from);
      ends[count] = from + end - start;
      hashes[count] = h;
      table[slotOf(bytes, start, end, h)] = count + 1;
      count += 1;
      return count - 1;
    },
    size: () => count,
  };
}
