// Order statistics exactly as Cardinal computes them: it calls statrs' `Data::lower_quartile`,
// `upper_quartile` and `percentile` (statrs 0.16, src/statistics/slice_statistics.rs), which use
// the R-8 (median-unbiased) estimator: h = (n + 1/3)·τ + 1/3, interpolating between the order
// statistics ⌊h⌋ and ⌊h⌋+1; the minimum below the first, the maximum past the last; NaN when empty.

/** The τ-quantile of `values` (sorted in place); NaN for an empty list or τ outside [0, 1]. */
export function quantile(values: number[], tau: number): number {
  const n = values.length;
  if (!(tau >= 0 && tau <= 1) || n === 0) return Number.NaN;
  sortNumbers(values);
  const h = (n + 1 / 3) * tau + 1 / 3;
  const hf = Math.trunc(h);
  if (hf <= 0 || tau === 0) return values[0]!;
  if (hf >= n || Math.abs(tau - 1) < Number.EPSILON) return values[n - 1]!;
  const a = values[hf - 1]!;
  const b = values[hf]!;
  return a + (h - hf) * (b - a);
}

/**
 * Sorts ascending in place as `values.sort((a, b) => a - b)` does, through a Float64Array's native
 * sort when that gives the same order (no NaN, whose place the comparator leaves undefined, and no
 * -0, which the native sort puts before 0 where the comparator keeps the input order): a million
 * values sort several times faster than with a comparator called from JavaScript.
 */
function sortNumbers(values: number[]): void {
  for (const v of values) {
    if (Number.isNaN(v) || Object.is(v, -0)) {
      values.sort((a, b) => a - b);
      return;
    }
  }
  const sorted = Float64Array.from(values).sort();
  for (let i = 0; i < sorted.length; i++) values[i] = sorted[i] as number;
}

/** Q1 and Q3 as statrs gives them. */
export function quartiles(values: number[]): { q1: number; q3: number } {
  return { q1: quantile(values, 0.25), q3: quantile(values, 0.75) };
}

/** `statrs::percentile(p)`: the quantile at p / 100 (p a whole number, as Cardinal's setting is). */
export function percentile(values: number[], p: number): number {
  return quantile(values, p / 100);
}

/** Rust's `a.mul_add(b, c)` (a·b + c); JavaScript has no fused multiply-add, so the last bit may differ. */
export function mulAdd(a: number, b: number, c: number): number {
  return a * b + c;
}
