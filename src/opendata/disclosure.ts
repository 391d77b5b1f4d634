// Disclosure control of the published count tables (pure): no published count from 1 to 4, and
// complementary suppression until no suppressed count can be worked out from what is published.
//
// The tables are given as one system: every count is a cell (a number), and every published
// relation between them is a constraint "Σ coef·cell = 0" (a row's cells minus its total; a total
// shared by two datasets is one cell, so both datasets are protected together). Zeros are published
// (a count of none discloses no one), so an attacker knows every suppressed cell is at least 1.
//
// Two attacks are run after each step, and a cell either finds is protected by suppressing one more
// cell beside it (the smallest published non-zero count of a constraint it is in):
// - bounds: interval propagation along every constraint (subtraction along rows, across groups and
//   datasets, with every suppressed cell ≥ 1), as in the "audit" step of tau-ARGUS's hypercube method;
// - linear algebra: a suppressed cell is determined when its unit vector lies in the row space of the
//   constraints restricted to the suppressed cells (exact Gaussian elimination, per component).
// Neither attack is run on the whole system at once: cells only interact within a component of
// constraints linked by shared cells (one agency's month), so the work grows with the table.

/** The smallest count published; 1 to THRESHOLD - 1 is suppressed (0 is published). */
export const THRESHOLD = 5;

/** Σ coef[i]·values[cells[i]] = 0 */
export type Constraint = { cells: number[]; coef: number[] };

/** A table with one total and groups of cells that each sum to it: the constraints it publishes. */
export function rowConstraints(total: number, groups: number[][]): Constraint[] {
  return groups.map((g) => ({ cells: [...g, total], coef: [...g.map(() => 1), -1] }));
}

type Bounds = { lo: Float64Array; hi: Float64Array };

/**
 * The bounds an attacker derives for every cell of `cells` (published cells are exact; suppressed
 * ones start at [1, ∞)), by propagating along the constraints until nothing tightens.
 */
export function attackBounds(values: number[], suppressed: boolean[], constraints: Constraint[]): Bounds {
  const n = values.length;
  const lo = new Float64Array(n);
  const hi = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    lo[i] = suppressed[i] ? 1 : values[i];
    hi[i] = suppressed[i] ? Number.POSITIVE_INFINITY : values[i];
  }
  const of = new Map<number, number[]>();
  constraints.forEach((c, k) => {
    for (const cell of c.cells) if (suppressed[cell]) of.set(cell, [...(of.get(cell) ?? []), k]);
  });
  const queue = constraints.map((_, k) => k);
  const queued = new Uint8Array(constraints.length).fill(1);
  let steps = 0;
  while (queue.length > 0 && steps++ < 100_000) {
    const k = queue.shift() as number;
    queued[k] = 0;
    const { cells, coef } = constraints[k];
    for (let j = 0; j < cells.length; j++) {
      const x = cells[j];
      if (!suppressed[x]) continue;
      // coef[j]·x = −Σ_{i≠j} coef[i]·cell[i]: its range from the others' bounds.
      let min = 0;
      let max = 0;
      for (let i = 0; i < cells.length; i++) {
        if (i === j) continue;
        const a = -coef[i];
        min += a > 0 ? a * lo[cells[i]] : a * hi[cells[i]];
        max += a > 0 ? a * hi[cells[i]] : a * lo[cells[i]];
      }
      let newLo = coef[j] > 0 ? min / coef[j] : max / coef[j];
      let newHi = coef[j] > 0 ? max / coef[j] : min / coef[j];
      if (Number.isNaN(newLo)) newLo = Number.NEGATIVE_INFINITY;
      if (Number.isNaN(newHi)) newHi = Number.POSITIVE_INFINITY;
      newLo = Math.ceil(newLo - 1e-9);
      newHi = Math.floor(newHi + 1e-9);
      if (newLo > lo[x] || newHi < hi[x]) {
        lo[x] = Math.max(lo[x], newLo);
        hi[x] = Math.min(hi[x], newHi);
        for (const other of of.get(x) ?? [])
          if (other !== k && !queued[other]) {
            queued[other] = 1;
            queue.push(other);
          }
      }
    }
  }
  return { lo, hi };
}

/**
 * The suppressed cells whose value follows from the constraints by linear algebra alone: x is
 * determined when e_x is in the row space of the constraint matrix restricted to suppressed cells.
 */
export function linearlyDetermined(suppressed: boolean[], constraints: Constraint[]): number[] {
  const unknown = new Map<number, number>();
  const rows: number[][] = [];
  for (const c of constraints) {
    const cols: [number, number][] = [];
    for (let i = 0; i < c.cells.length; i++)
      if (suppressed[c.cells[i]]) {
        if (!unknown.has(c.cells[i])) unknown.set(c.cells[i], unknown.size);
        cols.push([unknown.get(c.cells[i]) as number, c.coef[i]]);
      }
    if (cols.length > 0) rows.push(cols.flat());
  }
  const m = unknown.size;
  const matrix = rows.map((pairs) => {
    const r = new Float64Array(m);
    for (let i = 0; i < pairs.length; i += 2) r[pairs[i]] += pairs[i + 1];
    return r;
  });
  const pivots: number[] = [];
  let row = 0;
  for (let col = 0; col < m && row < matrix.length; col++) {
    let p = -1;
    for (let r = row; r < matrix.length; r++) if (Math.abs(matrix[r][col]) > 1e-9) p = p < 0 ? r : p;
    if (p < 0) continue;
    [matrix[row], matrix[p]] = [matrix[p], matrix[row]];
    const pv = matrix[row][col];
    for (let c = 0; c < m; c++) matrix[row][c] /= pv;
    for (let r = 0; r < matrix.length; r++) {
      if (r === row || Math.abs(matrix[r][col]) < 1e-9) continue;
      const f = matrix[r][col];
      for (let c = 0; c < m; c++) matrix[r][c] -= f * matrix[row][c];
    }
    pivots.push(col);
    row++;
  }
  const cellOf = [...unknown.keys()];
  const determined: number[] = [];
  pivots.forEach((col, r) => {
    let alone = true;
    for (let c = 0; c < m && alone; c++) if (c !== col && Math.abs(matrix[r][c]) > 1e-9) alone = false;
    if (alone) determined.push(cellOf[col]);
  });
  return determined;
}

/** Suppressed cells an attacker recovers exactly, by bounds or by linear algebra. */
export function recoverable(values: number[], suppressed: boolean[], constraints: Constraint[]): number[] {
  const { lo, hi } = attackBounds(values, suppressed, constraints);
  const found = new Set<number>();
  for (let i = 0; i < values.length; i++) if (suppressed[i] && lo[i] === hi[i]) found.add(i);
  for (const x of linearlyDetermined(suppressed, constraints)) found.add(x);
  return [...found].sort((a, b) => a - b);
}

/** Groups the constraints into components linked by shared cells. */
function components(n: number, constraints: Constraint[]): number[][] {
  const parent = Array.from({ length: constraints.length }, (_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]];
      i = parent[i];
    }
    return i;
  };
  const firstOf = new Int32Array(n).fill(-1);
  constraints.forEach((c, k) => {
    for (const cell of c.cells) {
      if (firstOf[cell] < 0) firstOf[cell] = k;
      else parent[find(k)] = find(firstOf[cell]);
    }
  });
  const groups = new Map<number, number[]>();
  constraints.forEach((_, k) => {
    const r = find(k);
    groups.set(r, [...(groups.get(r) ?? []), k]);
  });
  return [...groups.values()];
}

/**
 * The cells to suppress: every count from 1 to THRESHOLD − 1, then, component by component, one
 * more cell at a time until neither attack recovers any suppressed cell. A complement is the
 * smallest published non-zero cell of a constraint the recovered cell is in, preferring cells in
 * fewer constraints (an inner cell before a total shared by many groups).
 */
export function suppress(values: number[], constraints: Constraint[], { direct = true } = {}): boolean[] {
  const suppressed = values.map((v) => v > 0 && v < THRESHOLD);
  const uses = new Uint16Array(values.length);
  for (const c of constraints) for (const cell of c.cells) uses[cell]++;
  // Without `direct`, every component is attacked whole, every time (the reference the shortcuts are tested against).
  const memo: Memo | null = direct ? new Map() : null;
  for (const comp of components(values.length, constraints)) {
    const cs = comp.map((k) => constraints[k] as Constraint);
    if (cs.some((c) => c.cells.some((x) => suppressed[x]))) protectComponent(values, suppressed, uses, cs, memo);
  }
  return suppressed;
}

/** Attacks already run, by the attacked part's shape, values and suppressed cells (numbered locally). */
type Memo = Map<string, number[]>;
const MEMO_MAX = 200_000;

/**
 * What the attacks recover in one component (cells numbered as in the whole system). With a memo, a
 * part already attacked with the same shape, values and suppressed cells (frequent among small
 * counts: many agency-months look alike) is answered from it: the attacks see nothing else.
 */
function recoverableIn(values: number[], suppressed: boolean[], cs: Constraint[], memo?: Memo): number[] {
  // The component on its own cells, numbered from 0, so the attacks' work is the component's size.
  const index = new Map<number, number>();
  const local = cs.map((c) => ({
    cells: c.cells.map((x) => {
      if (!index.has(x)) index.set(x, index.size);
      return index.get(x) as number;
    }),
    coef: c.coef,
  }));
  const cells = [...index.keys()];
  const v = cells.map((x) => values[x] as number);
  const s = cells.map((x) => suppressed[x] as boolean);
  const key = memo
    ? `${local.map((c) => `${c.cells.join(',')}:${c.coef.join(',')}`).join(';')}|${v.map((n, i) => (s[i] ? `s${n}` : n)).join(',')}`
    : '';
  let found = memo?.get(key);
  if (!found) {
    found = recoverable(v, s, local);
    if (memo) {
      if (memo.size >= MEMO_MAX) memo.clear();
      memo.set(key, found);
    }
  }
  return found.map((i) => cells[i] as number).sort((a, b) => a - b);
}

/**
 * The suppressed cells an attacker recovers in one component, attacked in parts. A published cell
 * is a constant to the attacker, so only constraints that share a suppressed cell interact: the
 * bounds move only through suppressed cells, and the constraint matrix restricted to suppressed
 * cells is block-diagonal by those parts. A part of one constraint whose k suppressed cells (each
 * with coefficient 1) sum to a known S gives a cell back exactly when it is alone (k = 1, by
 * subtraction) or when every one of them is 1 (S = k, by the bounds: each is at least 1), which is
 * what the attacks find there; any other part is attacked (attackBounds, linearlyDetermined). The
 * result is the attacks' on the whole component, at a fraction of the cost: the complaints rows
 * mostly share only published cells (their total, kind_permit).
 */
function recoverableInParts(
  values: number[],
  suppressed: boolean[],
  uses: Uint16Array,
  cs: Constraint[],
  memo: Memo,
): number[] {
  const parent = cs.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i] as number] as number;
    return i;
  };
  const firstOf = new Map<number, number>();
  cs.forEach((c, k) => {
    for (const x of c.cells) {
      if (!suppressed[x] || (uses[x] as number) < 2) continue;
      const first = firstOf.get(x);
      if (first === undefined) firstOf.set(x, k);
      else parent[find(k)] = find(first);
    }
  });
  const parts = new Map<number, Constraint[]>();
  cs.forEach((c, k) => {
    const root = find(k);
    const part = parts.get(root);
    if (part) part.push(c);
    else parts.set(root, [c]);
  });
  const found: number[] = [];
  for (const part of parts.values()) {
    const alone = part.length === 1 ? directly(values, suppressed, part[0] as Constraint) : null;
    found.push(...(alone ?? recoverableIn(values, suppressed, part, memo)));
  }
  return found.sort((a, b) => a - b);
}

/** What one constraint on its own gives back (above); null when a suppressed cell's coefficient is not 1. */
function directly(values: number[], suppressed: boolean[], c: Constraint): number[] | null {
  let k = 0;
  let sum = 0;
  for (let i = 0; i < c.cells.length; i++) {
    const x = c.cells[i] as number;
    if (!suppressed[x]) sum -= (c.coef[i] as number) * (values[x] as number);
    else if (c.coef[i] !== 1) return null;
    else k += 1;
  }
  return k === 1 || (k > 1 && sum === k) ? c.cells.filter((x) => suppressed[x]) : [];
}

/**
 * Suppresses complements in one component until nothing is recovered. A complement is the
 * smallest published non-zero cell of a constraint the first recovered cell is in, preferring
 * cells in fewer constraints; failing that, any published non-zero cell of the component.
 */
function protectComponent(
  values: number[],
  suppressed: boolean[],
  uses: Uint16Array,
  cs: Constraint[],
  memo: Memo | null,
): void {
  for (;;) {
    const found = memo ? recoverableInParts(values, suppressed, uses, cs, memo) : recoverableIn(values, suppressed, cs);
    if (found.length === 0) return;
    const x = found[0] as number;
    let best = -1;
    const better = (y: number) =>
      best < 0 ||
      (uses[y] as number) < (uses[best] as number) ||
      (uses[y] === uses[best] && (values[y] as number) < (values[best] as number));
    for (const c of cs) {
      if (!c.cells.includes(x)) continue;
      for (const y of c.cells) if (!suppressed[y] && (values[y] as number) > 0 && better(y)) best = y;
    }
    // Nothing left beside it: widen to any published non-zero cell of the component, in the
    // order the component's cells are first named.
    if (best < 0)
      for (const y of new Set(cs.flatMap((c) => c.cells)))
        if (!suppressed[y] && (values[y] as number) > 0 && better(y)) best = y;
    if (best < 0) return;
    suppressed[best] = true;
  }
}
