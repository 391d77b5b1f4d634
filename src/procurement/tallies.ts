// Per-organization sums without a Map entry and an array per organization: identifiers are interned
// once (`Names`: one Map<string, number>), and each indicator's sums live in growable typed arrays
// indexed by that number (`Sums`). A Sums keeps its organizations in the order they were first added,
// as a Map keeps its keys: the indicators' output order depends on it. Both merge a later part of a
// file into an earlier one (`mergeSums`), as if the part's releases had been folded after the
// earlier part's.

/** Identifiers numbered 0, 1, 2… in the order first seen. */
export type Names = { numbers: Map<string, number>; names: string[] };

export function createNames(): Names {
  return { numbers: new Map(), names: [] };
}

/** The number of `name`, given it on first sight. */
export function numberOf(t: Names, name: string): number {
  const n = t.numbers.get(name);
  if (n !== undefined) return n;
  const next = t.names.length;
  t.numbers.set(name, next);
  t.names.push(name);
  return next;
}

/** A numerator and a denominator per organization number; `members[slot]` in first-added order. */
export type Sums = {
  /** Per organization number: its slot + 1, or 0 when absent. */
  slots: Int32Array;
  members: Int32Array;
  num: Float64Array;
  den: Float64Array;
  size: number;
};

export function createSums(): Sums {
  return {
    slots: new Int32Array(64),
    members: new Int32Array(64),
    num: new Float64Array(64),
    den: new Float64Array(64),
    size: 0,
  };
}

function grown<T extends Int32Array | Float64Array>(a: T, least: number): T {
  const b = new (a.constructor as new (n: number) => T)(Math.max(least, a.length * 2));
  b.set(a);
  return b;
}

/** The slot of `member`, added (at the end) when absent. */
export function slotOf(s: Sums, member: number): number {
  if (member >= s.slots.length) s.slots = grown(s.slots, member + 1);
  const slot = s.slots[member] - 1;
  if (slot >= 0) return slot;
  const added = s.size++;
  if (added >= s.members.length) {
    s.members = grown(s.members, added + 1);
    s.num = grown(s.num, added + 1);
    s.den = grown(s.den, added + 1);
  }
  s.members[added] = member;
  s.slots[member] = added + 1;
  return added;
}

export function addSums(s: Sums, member: number, numerator: number, denominator: number): void {
  const slot = slotOf(s, member);
  s.num[slot] += numerator;
  s.den[slot] += denominator;
}

/**
 * Adds `part` to `into`, in part's order, as if part's additions had followed into's: `to` gives
 * into's number of each of part's organization numbers (`renumber`). Returns into's slot of each of
 * part's slots.
 */
export function mergeSums(into: Sums, part: Sums, to: number[]): number[] {
  const slots: number[] = [];
  for (let slot = 0; slot < part.size; slot++) {
    const at = slotOf(into, to[part.members[slot]]);
    into.num[at] += part.num[slot];
    into.den[at] += part.den[slot];
    slots.push(at);
  }
  return slots;
}

/** `into`'s number of each of `part`'s names, by part's number (given to those into lacks). */
export function renumber(into: Names, part: Names): number[] {
  return part.names.map((name) => numberOf(into, name));
}
