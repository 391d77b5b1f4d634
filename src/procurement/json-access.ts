// Reading parsed OCDS JSON the way serde_json's `Value::get` does: a field of the wrong type is
// absent, never an error.

export type Json = Record<string, unknown>;

export const obj = (v: unknown): Json | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined;
export const arr = (v: unknown): unknown[] | undefined => (Array.isArray(v) ? v : undefined);
export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
export const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
/** `obj(v)?.[key]`, for a value that may be anything (a keyed load: not for hot loops, where `obj(v)?.name` is faster). */
export const field = (v: unknown, key: string): unknown => obj(v)?.[key];
/** The `id` of an organization reference when it is a string. */
export const idOf = (v: unknown): string | undefined => str(obj(v)?.id);

/** Cardinal's `parse_pipe_separated_value`: "a|b" → {a, b}; a trailing "|" adds nothing; "" is empty. */
export function pipeSet(value: string | undefined): Set<string> {
  if (value === undefined || value === '') return new Set();
  const parts = value.split('|');
  if (parts.at(-1) === '') parts.pop();
  return new Set(parts);
}
