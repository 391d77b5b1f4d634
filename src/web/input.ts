// Checks on raw request input that every route needs, made before any query: PostgreSQL refuses a
// NUL character in text and an id outside `integer`, and such a refusal must be a 400, not a 500.
import type { FastifyRequest } from 'fastify';
import { AppError } from '../errors.ts';

/** True when `v`, or any string inside it (arrays, objects), holds a NUL character. */
export function hasNul(v: unknown, depth = 0): boolean {
  if (typeof v === 'string') return v.includes('\u0000');
  if (depth > 8 || v === null || typeof v !== 'object' || Buffer.isBuffer(v)) return false;
  return Object.entries(v).some(([k, x]) => k.includes('\u0000') || hasNul(x, depth + 1));
}

/**
 * preValidation hook of the whole app: a NUL in a path parameter, the query string or a parsed
 * body (url-encoded or JSON) is invalid input. Multipart fields are checked as they stream in
 * (multipart-form.ts); a raw body (the LINE webhook) is bytes and is not looked at.
 */
export async function refuseNul(req: FastifyRequest): Promise<void> {
  if (hasNul(req.params) || hasNul(req.query) || hasNul(req.body))
    throw new AppError('invalid_input', 'NUL character in the request', 'error.bad_request');
}

const ID = /^\d{1,9}$/; // at most 999,999,999: always inside PostgreSQL's integer

/** A row id from a URL: a positive integer PostgreSQL can hold, or -1 (no row has it: the domain answers not_found). */
export function pathId(raw: string): number {
  return ID.test(raw) ? Number(raw) : -1;
}

/** A row id from a form field: `1.5`, `99999999999` or `abc` is invalid input named on `field`, never a query. */
export function formId(raw: unknown, field: string): number {
  if (typeof raw === 'string' && ID.test(raw.trim())) return Number(raw.trim());
  throw new AppError('invalid_input', `${field} is not an id`, 'error.form', { [field]: 'error.field.invalid' });
}
