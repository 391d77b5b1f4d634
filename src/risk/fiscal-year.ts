// The fiscal year a risk page asks for (the register's form, the signals' filter).
import { AppError } from '../errors.ts';
import { asciiDigits } from '../i18n/digits.ts';

/** A Buddhist Era fiscal year of 2500–2699, typed in Thai or ASCII digits (the register's and the signals' forms). */
export function parseFiscalYear(raw: unknown): number {
  const s = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? asciiDigits(raw.trim()) : '';
  if (!/^25\d\d$|^26\d\d$/.test(s))
    throw new AppError('invalid_input', 'fiscal year', 'error.form', { fiscalYear: 'risk.error.year' });
  return Number(s);
}
