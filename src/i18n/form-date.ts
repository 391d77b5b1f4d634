// Dates typed in forms, Thai first: day/month/year in the Buddhist Era (7/12/2569), as Thai staff
// and citizens write them. A year of 2400 or more is read as B.E. (minus 543), one from 1900 to 2399
// as A.D.; Thai digits, the separators / - . and none at all (DDMMYYYY, what a phone's number pad types) are accepted, and so is YYYY-MM-DD (A.D.), what a
// date picker or an API client sends. Values are kept as YYYY-MM-DD (A.D.) calendar days.
import { asciiDigits } from './digits.ts';

const BE_OFFSET = 543;
const DMY = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$|^(\d{2})(\d{2})(\d{4})$/;
const ISO = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The calendar day a person typed, as YYYY-MM-DD (A.D.), or null when it is not a date that exists. */
export function parseFormDate(raw: unknown): string | null {
  if (typeof raw !== 'string') return null;
  const v = asciiDigits(raw.trim()).replace(/\s+/g, '');
  const iso = ISO.exec(v);
  const dmy = iso ? null : DMY.exec(v);
  if (!iso && !dmy) return null;
  const [y, m, d] = iso
    ? [Number(iso[1]), Number(iso[2]), Number(iso[3])]
    : [Number(dmy![3] ?? dmy![6]), Number(dmy![2] ?? dmy![5]), Number(dmy![1] ?? dmy![4])];
  const year = !iso && y >= 2400 ? y - BE_OFFSET : y;
  if (year < 1900 || year > 2399) return null;
  const date = new Date(Date.UTC(year, m - 1, d));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return null;
  return date.toISOString().slice(0, 10);
}

/** A YYYY-MM-DD day as a form shows it: DD/MM/YYYY in the Buddhist Era in Thai, A.D. in English. */
export function formDateValue(iso: string | null | undefined, lang: 'th' | 'en'): string {
  const m = iso ? ISO.exec(iso) : null;
  if (!m) return iso ?? '';
  return `${m[3]}/${m[2]}/${lang === 'th' ? Number(m[1]) + BE_OFFSET : m[1]}`;
}
