// Moving from one year's OIT checklist to the next: which items continue (the same words, or renamed
// or merged as a mapping file says, with its evidence), which are new and which are dropped. Pure;
// the mappings are data in src/ita/frameworks/transitions/, named `<from>-to-<to>.json` after the
// two framework files; without one, only items with the same Thai words are taken to continue.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { FRAMEWORKS_DIR } from './framework.ts';
import type { Evidence, Framework } from './types.ts';

/** One link of a mapping file: the item(s) of the earlier year that continue as item `to`. */
export type MappingLink = { from: string[]; to: string; evidence: Evidence };
export type Mapping = { from: string; to: string; links: MappingLink[] };

/**
 * What became of the earlier checklist: `same` (the same Thai words, whatever the number), `renamed`
 * (one item continues under other words), `merged` (several continue as one), `new`, `dropped`.
 * Evidence of an earlier item may be carried over wherever it continues.
 */
export type ItemChange =
  | { kind: 'same' | 'renamed'; from: string; to: string; evidence?: Evidence }
  | { kind: 'merged'; from: string[]; to: string; evidence: Evidence }
  | { kind: 'new'; to: string }
  | { kind: 'dropped'; from: string };

export const TRANSITIONS_DIR = path.join(FRAMEWORKS_DIR, 'transitions');

/** The mapping file between two shipped framework files, or null when there is none. */
export function loadMapping(fromName: string, toName: string): Mapping | null {
  const file = path.join(TRANSITIONS_DIR, `${fromName.replace(/\.json$/, '')}-to-${toName}`);
  if (!/^[a-z0-9-]+\.json$/.test(path.basename(file)) || !existsSync(file)) return null;
  return JSON.parse(readFileSync(file, 'utf8')) as Mapping;
}

const words = (s: string): string => s.replace(/\s+/g, ' ').trim();

/**
 * The changes from `from`'s checklist to `to`'s, in `to`'s order, then the dropped items in `from`'s
 * order. A link of `mapping` wins over matching by words; it MUST name items the two frameworks
 * have (an unknown id throws), and an item MUST NOT continue into two items.
 */
export function compareChecklists(from: Framework, to: Framework, mapping: Mapping | null = null): ItemChange[] {
  const fromIds = new Set(from.checklist.map((c) => c.id));
  const toIds = new Set(to.checklist.map((c) => c.id));
  const used = new Set<string>();
  const linked = new Map<string, MappingLink>();
  for (const link of mapping?.links ?? []) {
    if (!toIds.has(link.to)) throw new Error(`mapping: ${link.to} is not an item of ${to.fiscalYear}`);
    for (const id of link.from) {
      if (!fromIds.has(id)) throw new Error(`mapping: ${id} is not an item of ${from.fiscalYear}`);
      if (used.has(id)) throw new Error(`mapping: ${id} continues into two items`);
      used.add(id);
    }
    linked.set(link.to, link);
  }
  const byWords = new Map(from.checklist.filter((c) => !used.has(c.id)).map((c) => [words(c.text.th), c.id]));
  const changes: ItemChange[] = to.checklist.map((item): ItemChange => {
    const link = linked.get(item.id);
    if (link && link.from.length > 1) return { kind: 'merged', from: link.from, to: item.id, evidence: link.evidence };
    if (link) {
      const earlier = from.checklist.find((c) => c.id === link.from[0])!;
      const kind = words(earlier.text.th) === words(item.text.th) ? 'same' : 'renamed';
      return { kind, from: earlier.id, to: item.id, evidence: link.evidence };
    }
    const same = byWords.get(words(item.text.th));
    if (same === undefined || used.has(same)) return { kind: 'new', to: item.id };
    used.add(same);
    return { kind: 'same', from: same, to: item.id };
  });
  for (const c of from.checklist) if (!used.has(c.id)) changes.push({ kind: 'dropped', from: c.id });
  return changes;
}

/** For each item of the later year that continues an earlier one, the earlier item(s) it continues. */
export function continuedFrom(changes: readonly ItemChange[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const c of changes) {
    if (c.kind === 'same' || c.kind === 'renamed') out.set(c.to, [c.from]);
    else if (c.kind === 'merged') out.set(c.to, c.from);
  }
  return out;
}
