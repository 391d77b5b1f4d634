// Merging the run of a later part of a file into the run of the part before it, so that finishing
// the merged run gives what one run over the whole file gives, byte for byte (redflags-file.ts folds
// the parts in worker threads). What the fold keeps in Maps keeps the Map's rules: an identifier
// stays where it first appeared, and a later value replaces an earlier one (a duplicate ocid in two
// parts); sums are added, lists and sets joined in file order.
import { type CardinalState, setLowest } from './cardinal.ts';
import type { RedFlagRun } from './redflags.ts';
import { mergeResults } from './results.ts';
import { mergeSums, renumber } from './tallies.ts';
import type { ThaiState } from './thai-flags.ts';

function mergeCardinal(into: CardinalState, part: CardinalState, to: number[]): void {
  mergeResults(into.results, part.results);
  into.currency ??= part.currency;
  into.otherCurrency += part.otherCurrency;
  const l = part.lowest;
  for (const [ocid, slot] of l.slots)
    setLowest(into.lowest, ocid, l.ratio[slot], to[l.winner[slot]], to[l.other[slot]]);
  mergeSums(into.r025, part.r025, to);
  mergeSums(into.r038Buyer, part.r038Buyer, to);
  mergeSums(into.r038Procuring, part.r038Procuring, to);
  mergeSums(into.r038Tenderer, part.r038Tenderer, to);
  const slots = mergeSums(into.r048, part.r048, to);
  for (let slot = 0; slot < slots.length; slot++) {
    const codes = (into.r048Codes[slots[slot]] ??= new Set());
    for (const code of part.r048Codes[slot]) codes.add(code);
  }
}

function mergeThai(into: ThaiState, part: ThaiState, to: number[]): void {
  into.otherCurrency += part.otherCurrency;
  for (const [key, list] of part.near) {
    const earlier = into.near.get(key);
    if (earlier) for (const n of list) earlier.push(n);
    else into.near.set(key, list);
  }
  const slots = mergeSums(into.wins, part.wins, to);
  for (let slot = 0; slot < slots.length; slot++) {
    const counts = (into.winsBySupplier[slots[slot]] ??= new Map());
    for (const [supplier, n] of part.winsBySupplier[slot])
      counts.set(to[supplier], (counts.get(to[supplier]) ?? 0) + n);
  }
  for (const p of part.pending) into.pending.push(p);
}

/**
 * Adds `part`, the run over the lines that follow those of `into`, to `into`. Both MUST share one
 * organization table between their Cardinal and Thai states (createRun); `part` MUST NOT be used
 * afterwards.
 */
export function mergeRun(into: RedFlagRun, part: RedFlagRun): void {
  const to = renumber(into.cardinal.orgs, part.cardinal.orgs);
  mergeCardinal(into.cardinal, part.cardinal, to);
  mergeThai(into.thai, part.thai, to);
  into.releases += part.releases;
  into.ignored += part.ignored;
}
