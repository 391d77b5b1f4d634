// JSON as Cardinal prints it (serde_json with preserve_order, floats through ryu): a float with an
// integral value keeps its ".0" (1.0), exponents are written without "+" (1e16, 1.5e-7), numbers
// from 1e-5 up to 1e16 are written in full, and NaN or an infinity is null. Keys keep their order.

/** One f64 as serde_json writes it. */
export function rustFloat(v: number): string {
  if (!Number.isFinite(v)) return 'null';
  const abs = Math.abs(v);
  // Fast paths: ryu and JavaScript both write the shortest digits that read back; between 1e-5 and
  // 1e15 both write them in full, JavaScript only dropping the ".0" of a whole number.
  if (abs < 1e15 && Number.isInteger(v) && !Object.is(v, -0)) return `${v}.0`;
  if (abs >= 1e-5 && abs < 1e15) return String(v);
  if (v === 0) return Object.is(v, -0) ? '-0.0' : '0.0';
  const sign = v < 0 ? '-' : '';
  const [mantissa, exp] = Math.abs(v).toExponential().split('e') as [string, string];
  const digits = mantissa.replace('.', '');
  const length = digits.length;
  const k = Number(exp) - (length - 1); // value = digits × 10^k
  const kk = length + k; // the position of the decimal point
  if (k >= 0 && kk <= 16) return `${sign}${digits}${'0'.repeat(k)}.0`;
  if (kk > 0 && kk <= 16) return `${sign}${digits.slice(0, kk)}.${digits.slice(kk)}`;
  if (kk > -5 && kk <= 0) return `${sign}0.${'0'.repeat(-kk)}${digits}`;
  const e = kk - 1;
  return length === 1 ? `${sign}${digits}e${e}` : `${sign}${digits[0]}.${digits.slice(1)}e${e}`;
}

/** A value whose numbers are all f64 (Cardinal's results and meta), as compact JSON. */
export function rustJson(value: unknown): string {
  if (typeof value === 'number') return rustFloat(value);
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(rustJson).join(',')}]`;
  let out = '{';
  const entries: Iterable<[unknown, unknown]> = value instanceof Map ? value : Object.entries(value);
  for (const [k, v] of entries) out += `${out.length > 1 ? ',' : ''}${JSON.stringify(String(k))}:${rustJson(v)}`;
  return `${out}}`;
}
