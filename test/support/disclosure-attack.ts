// The attacker of the published count tables, written apart from src/opendata/disclosure.ts so the
// tests do not check the engine with itself. Given only what is published (the numbers shown, the
// cells left empty, and the relations the data dictionary states), it tries three ways to recover
// an empty cell exactly:
// 1. subtraction with bounds: along every relation, each empty cell is at least 1 (zeros are shown)
//    and at most what the others leave, repeated until nothing tightens;
// 2. linear algebra over the rationals (BigInt fractions): any combination of the relations that
//    leaves one empty cell alone gives its value;
// 3. enumeration: in every small component, every non-negative integer assignment of the empty
//    cells (up to the largest total around them) that satisfies every relation; a cell with one
//    value in all of them is recovered (this also catches what bounds and algebra miss together).

/** Σ coef·x = constant over the unknown (empty) cells, named by strings. */
export type Equation = { terms: Map<string, bigint>; constant: bigint };

/** A published relation: cells (known numbers or null for empty) with coefficients, summing to 0. */
export type Relation = { cells: { name: string; value: number | null; coef: number }[] };

export function equationsOf(relations: Relation[]): Equation[] {
  return relations.flatMap((r) => {
    const terms = new Map<string, bigint>();
    let constant = 0n;
    for (const c of r.cells) {
      if (c.value === null) terms.set(c.name, (terms.get(c.name) ?? 0n) + BigInt(c.coef));
      else constant -= BigInt(c.coef) * BigInt(c.value);
    }
    return terms.size > 0 ? [{ terms, constant }] : [];
  });
}

const abs = (a: bigint) => (a < 0n ? -a : a);
const gcd = (a: bigint, b: bigint): bigint => (b === 0n ? abs(a) : gcd(b, a % b));
type Frac = [bigint, bigint];
const norm = ([n, d]: Frac): Frac => {
  if (d < 0n) [n, d] = [-n, -d];
  const g = gcd(n, d) || 1n;
  return [n / g, d / g];
};
const sub = (a: Frac, b: Frac): Frac => norm([a[0] * b[1] - b[0] * a[1], a[1] * b[1]]);
const mul = (a: Frac, b: Frac): Frac => norm([a[0] * b[0], a[1] * b[1]]);
const div = (a: Frac, b: Frac): Frac => norm([a[0] * b[1], a[1] * b[0]]);

/** Attack 2: exact Gaussian elimination; returns the cells it pins and their values. */
export function linearAttack(equations: Equation[]): Map<string, number> {
  const names = [...new Set(equations.flatMap((e) => [...e.terms.keys()]))];
  const col = new Map(names.map((n, i) => [n, i]));
  const rows: Frac[][] = equations.map((e) => {
    const r: Frac[] = names.map(() => [0n, 1n] as Frac);
    for (const [n, a] of e.terms) r[col.get(n) as number] = [a, 1n];
    r.push([e.constant, 1n]);
    return r;
  });
  const pivots: number[] = [];
  let row = 0;
  for (let c = 0; c < names.length && row < rows.length; c++) {
    const p = rows.findIndex((r, i) => i >= row && r[c][0] !== 0n);
    if (p < 0) continue;
    [rows[row], rows[p]] = [rows[p], rows[row]];
    const pv = rows[row][c];
    rows[row] = rows[row].map((x) => div(x, pv));
    for (let i = 0; i < rows.length; i++) {
      if (i === row || rows[i][c][0] === 0n) continue;
      const f = rows[i][c];
      rows[i] = rows[i].map((x, j) => sub(x, mul(f, rows[row][j])));
    }
    pivots.push(c);
    row++;
  }
  const found = new Map<string, number>();
  pivots.forEach((c, i) => {
    const others = rows[i].slice(0, names.length).filter((x, j) => j !== c && x[0] !== 0n);
    if (others.length === 0) {
      const [n, d] = rows[i][names.length];
      found.set(names[c], Number(n) / Number(d));
    }
  });
  return found;
}

/** Attack 1: bounds by subtraction; returns the cells whose bounds meet. */
export function boundsAttack(equations: Equation[]): Map<string, number> {
  const lo = new Map<string, number>();
  const hi = new Map<string, number>();
  for (const e of equations)
    for (const n of e.terms.keys()) {
      lo.set(n, 1);
      hi.set(n, Number.POSITIVE_INFINITY);
    }
  for (let changed = true, rounds = 0; changed && rounds < 1000; rounds++) {
    changed = false;
    for (const e of equations)
      for (const [x, ax] of e.terms) {
        let min = Number(e.constant);
        let max = Number(e.constant);
        for (const [y, ay] of e.terms) {
          if (y === x) continue;
          const a = -Number(ay);
          min += a > 0 ? a * (lo.get(y) as number) : a * (hi.get(y) as number);
          max += a > 0 ? a * (hi.get(y) as number) : a * (lo.get(y) as number);
        }
        const a = Number(ax);
        const l = Math.ceil((a > 0 ? min / a : max / a) - 1e-9);
        const h = Math.floor((a > 0 ? max / a : min / a) + 1e-9);
        if (!Number.isNaN(l) && l > (lo.get(x) as number)) {
          lo.set(x, l);
          changed = true;
        }
        if (!Number.isNaN(h) && h < (hi.get(x) as number)) {
          hi.set(x, h);
          changed = true;
        }
      }
  }
  const found = new Map<string, number>();
  for (const [n, l] of lo) if (l === hi.get(n)) found.set(n, l);
  return found;
}

/** Attack 3: enumeration of every solution in components of at most `maxUnknowns` empty cells. */
export function enumerationAttack(equations: Equation[], maxUnknowns = 3): Map<string, number> {
  const found = new Map<string, number>();
  for (const comp of componentsOf(equations)) {
    const names = [...new Set(comp.flatMap((e) => [...e.terms.keys()]))];
    if (names.length > maxUnknowns) continue;
    const maxValue = Math.min(60, Math.max(4, ...comp.map((e) => Number(abs(e.constant)))) + 5);
    let capped = false;
    const seen = new Map<string, Set<number>>(names.map((n) => [n, new Set()]));
    const value = new Map<string, number>();
    const walk = (i: number) => {
      if (i === names.length) {
        if (
          comp.every(
            (e) =>
              [...e.terms].reduce((s, [n, a]) => s + Number(a) * (value.get(n) as number), 0) === Number(e.constant),
          )
        )
          for (const n of names) {
            seen.get(n)?.add(value.get(n) as number);
            if (value.get(n) === maxValue) capped = true;
          }
        return;
      }
      for (let v = 1; v <= maxValue; v++) {
        value.set(names[i], v);
        walk(i + 1);
      }
    };
    walk(0);
    // A solution at the cap may have more beyond it: only an uncapped search proves uniqueness.
    if (!capped) for (const [n, s] of seen) if (s.size === 1) found.set(n, [...s][0]);
  }
  return found;
}

function componentsOf(equations: Equation[]): Equation[][] {
  const parent = equations.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])));
  const first = new Map<string, number>();
  equations.forEach((e, i) => {
    for (const n of e.terms.keys()) {
      const j = first.get(n);
      if (j === undefined) first.set(n, i);
      else parent[find(i)] = find(j);
    }
  });
  const groups = new Map<number, Equation[]>();
  equations.forEach((e, i) => groups.set(find(i), [...(groups.get(find(i)) ?? []), e]));
  return [...groups.values()];
}

/** Every attack; the empty cells any of them recovers, with the value it found. */
export function attack(relations: Relation[], opts: { enumerate?: boolean } = {}): Map<string, number> {
  const equations = equationsOf(relations);
  const out = new Map([...boundsAttack(equations), ...linearAttack(equations)]);
  if (opts.enumerate !== false) for (const [k, v] of enumerationAttack(equations)) out.set(k, v);
  return out;
}
