// A citizen's complaint: a service complaint or a late permit request, filed with a name and a
// contact (both sealed). Validation names every field at fault, like a report's.
import { parseFormDate } from '../i18n/form-date.ts';
import { AppError } from '../errors.ts';
import { isComplaintCategory, PERMIT_CATEGORY } from './limits.ts';
import { readText, type ReportInput } from './validate-report.ts';

export type PermitDetails = { requestRef: string; filedOn: string; manualDueOn: string };
export type Complainant = { name: string; contact: string; lineUserId?: string };
export type Location = { latitude: number; longitude: number; address: string };

/** What a complaint adds to a report: all of it sealed content, except the permit's dates. */
export type ComplaintDetails = {
  kind: 'complaint' | 'permit';
  complainant: Complainant;
  permit?: PermitDetails;
  location?: Location;
};

export type ComplaintInput = { report: ReportInput; complaint: ComplaintDetails };

/** A calendar date as typed in a date field (YYYY-MM-DD, Christian Era as browsers send it), or null. */
/** Today in Thailand, as YYYY-MM-DD. */
export function bangkokToday(now = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Bangkok' }).format(now);
}

/**
 * Validates a complaint's fields from a form. `kind` is 'permit' for a late permit request: then the
 * request's reference, the date filed and the citizen manual's deadline are required, and the
 * deadline must have passed. `isNamed` (the web form, staff on a caller's behalf) requires a name
 * and a contact. Throws AppError('invalid_input') naming every field at fault.
 */
export function validateComplaint(
  raw: Record<string, unknown>,
  kind: 'complaint' | 'permit',
  { isNamed = true, now = new Date() }: { isNamed?: boolean; now?: Date } = {},
): ComplaintInput {
  const errors: Record<string, string> = {};
  const agencyCode = typeof raw.agency === 'string' ? raw.agency.trim() : '';
  if (agencyCode === '') errors.agency = 'error.field.required';
  let category: string = PERMIT_CATEGORY;
  if (kind === 'complaint') {
    if (!isComplaintCategory(raw.category)) errors.category = 'error.field.required';
    else category = raw.category;
  }
  const what = readText(raw, 'what', errors, true);
  const when = readText(raw, 'when', errors);
  const where = readText(raw, 'where', errors);
  const name = readText(raw, 'identityName', errors, isNamed);
  const contact = readText(raw, 'identityContact', errors, isNamed);
  let permit: PermitDetails | undefined;
  if (kind === 'permit') {
    const requestRef = readText(raw, 'permitReference', errors, true);
    const filedOn = parseFormDate(raw.filedOn);
    const manualDueOn = parseFormDate(raw.manualDueOn);
    if (!filedOn) errors.filedOn = raw.filedOn ? 'error.field.invalid' : 'error.field.required';
    if (!manualDueOn) errors.manualDueOn = raw.manualDueOn ? 'error.field.invalid' : 'error.field.required';
    const today = bangkokToday(now);
    if (filedOn && filedOn > today) errors.filedOn = 'error.date_future';
    if (filedOn && manualDueOn && manualDueOn < filedOn) errors.manualDueOn = 'error.permit_due_before_filed';
    else if (manualDueOn && manualDueOn >= today) errors.manualDueOn = 'error.permit_not_late';
    if (filedOn && manualDueOn) permit = { requestRef, filedOn, manualDueOn };
  }
  if (Object.keys(errors).length > 0) {
    throw new AppError('invalid_input', `invalid complaint: ${Object.keys(errors).join(', ')}`, 'error.form', errors);
  }
  return {
    report: { agencyCode, category: category as ReportInput['category'], what, when, where, who: '', identity: null },
    complaint: { kind, complainant: { name, contact }, ...(permit ? { permit } : {}) },
  };
}
