// The result of a run as Cardinal builds it (cardinal-rs src/indicators/mod.rs, struct Indicators):
// per group, per identifier, per indicator, a value; and per indicator the quartiles and fences used
// ("Meta"). Groups come in Cardinal's order: OCID and Tenderer exist from the start (its reduce step
// creates them), the others as indicators set them, and an empty OCID or Tenderer group is removed
// as IndexMap::swap_remove removes it (the last group takes its place).
import { rustJson } from './rust-json.ts';

export type Group = 'OCID' | 'Buyer' | 'ProcuringEntity' | 'Tenderer';

export type Results = {
  groups: Map<Group, Map<string, Record<string, number>>>;
  meta: Map<string, Map<string, number>>;
};

export function emptyResults(): Results {
  return {
    groups: new Map<Group, Map<string, Record<string, number>>>([
      ['OCID', new Map()],
      ['Tenderer', new Map()],
    ]),
    meta: new Map(),
  };
}

export function setResult(r: Results, group: Group, key: string, code: string, value: number): void {
  let g = r.groups.get(group);
  if (!g) r.groups.set(group, (g = new Map()));
  let m = g.get(key);
  if (!m) g.set(key, (m = {}));
  m[code] = value;
}

/**
 * Adds the results of a later part of the input to `into`, as if its setResult calls had followed
 * into's: identifiers keep the place they first had, and a later value replaces an earlier one.
 * `part` MUST NOT be used afterwards (its records are taken over).
 */
export function mergeResults(into: Results, part: Results): void {
  for (const [group, keys] of part.groups) {
    let g = into.groups.get(group);
    if (!g) into.groups.set(group, (g = new Map()));
    for (const [key, values] of keys) {
      const m = g.get(key);
      if (m) Object.assign(m, values);
      else g.set(key, values);
    }
  }
  for (const [code, values] of part.meta) for (const [key, value] of values) setMeta(into, code, key, value);
}

export function setMeta(r: Results, code: string, key: string, value: number): void {
  let m = r.meta.get(code);
  if (!m) r.meta.set(code, (m = new Map()));
  m.set(key, value);
}

/** The groups in output order, the empty OCID and Tenderer groups removed as swap_remove does. */
export function orderedGroups(r: Results): Group[] {
  const keys = [...r.groups.keys()];
  for (const g of ['OCID', 'Tenderer'] as const) {
    const i = keys.indexOf(g);
    if (i < 0 || r.groups.get(g)!.size > 0) continue;
    const last = keys.pop()!;
    if (i < keys.length) keys[i] = last;
  }
  return keys;
}

const round4 = (v: number): number => Math.round(v * 10_000) / 10_000;

/** What `ocdscardinal indicators` prints (one line), with "Meta" unless `noMeta`. */
export function resultsJson(r: Results, noMeta = false): string {
  const out = new Map<string, unknown>();
  for (const g of orderedGroups(r)) out.set(g, r.groups.get(g));
  if (!noMeta) {
    const meta = new Map<string, Map<string, number>>();
    for (const [code, m] of r.meta) meta.set(code, new Map([...m].map(([k, v]) => [k, roundHalfAway(v)])));
    out.set('Meta', meta);
  }
  return rustJson(out);
}

/** Rust's f64::round rounds half away from zero; Math.round rounds half up. */
function roundHalfAway(v: number): number {
  if (!Number.isFinite(v)) return v;
  return v < 0 ? -round4(-v) : round4(v);
}
