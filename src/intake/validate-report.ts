import { AppError } from '../errors.ts';
import { TEXT_LIMITS, isCategory, type AnyCategory, type Category } from './limits.ts';

/** What the reporter tells; all of it is sealed content except agency and category. */
export type ReportInput = {
  agencyCode: string; // an agency code, or UNKNOWN_AGENCY for the platform's intake office
  category: AnyCategory;
  what: string;
  when: string;
  where: string;
  who: string;
  identity: { name: string; contact: string } | null;
};

export const UNKNOWN_AGENCY = 'unknown';

type Raw = Record<string, unknown>;

export function readText(
  raw: Raw,
  name: keyof typeof TEXT_LIMITS,
  errors: Record<string, string>,
  isRequired = false,
): string {
  const v = raw[name];
  if (v !== undefined && v !== null && typeof v !== 'string') {
    errors[name] = 'error.field.invalid';
    return '';
  }
  const s = (v ?? '').normalize('NFC').trim();
  if (isRequired && s === '') errors[name] = 'error.field.required';
  else if (s.length > TEXT_LIMITS[name]) errors[name] = 'error.field.too_long';
  return s;
}

/**
 * Validates a submission's fields (from a form or JSON). Throws AppError('invalid_input') naming
 * every field at fault; the caller shows the form again with what was typed.
 */
export function validateReport(raw: Raw): ReportInput {
  const errors: Record<string, string> = {};
  const agencyCode = typeof raw.agency === 'string' ? raw.agency.trim() : '';
  if (agencyCode === '') errors.agency = 'error.field.required';
  const category = raw.category;
  if (!isCategory(category)) errors.category = 'error.field.required';
  const what = readText(raw, 'what', errors, true);
  const when = readText(raw, 'when', errors);
  const where = readText(raw, 'where', errors);
  const who = readText(raw, 'who', errors);
  const identityName = readText(raw, 'identityName', errors);
  const identityContact = readText(raw, 'identityContact', errors);
  if (Object.keys(errors).length > 0) {
    throw new AppError('invalid_input', `invalid report: ${Object.keys(errors).join(', ')}`, 'error.form', errors);
  }
  const identity = identityName || identityContact ? { name: identityName, contact: identityContact } : null;
  return { agencyCode, category: category as Category, what, when, where, who, identity };
}

/**
 * Validates a message text; an empty text is allowed only when files come with it. `field` names
 * the form field in the error (a witness's statement is a message too).
 */
export function validateMessage(raw: unknown, hasFiles: boolean, field = 'message'): string {
  if (raw !== undefined && raw !== null && typeof raw !== 'string') {
    throw new AppError('invalid_input', 'message must be a string', 'error.form', { [field]: 'error.field.invalid' });
  }
  const s = (raw ?? '').normalize('NFC').trim();
  if (s.length > TEXT_LIMITS.message)
    throw new AppError('invalid_input', 'message too long', 'error.form', { [field]: 'error.field.too_long' });
  if (s === '' && !hasFiles)
    throw new AppError('invalid_input', 'message is empty', 'error.form', { [field]: 'error.field.required' });
  return s;
}
