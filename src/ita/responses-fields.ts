// One field of a responses CSV row (responses-csv.ts) read as a value: from its bytes for the
// common forms ('4', 'yes', 'ใช่', a short question id), so that most rows make no string; from its
// text for everything else, which also catches what makes one field look like another.
import { type CsvRecord, fieldText, PLAIN, QUOTED } from './csv-records.ts';
import type { Scale } from './types.ts';

export const HEADER = ['respondent', 'question', 'answer'];

/** answerBytes: the field is empty (not answered); read its text (fieldValue) for anything else. */
export const EMPTY_ANSWER = -1;
export const SEE_TEXT = -2;

const YES = new Set(['yes', 'ใช่']);
const NO = new Set(['no', 'ไม่ใช่']);
const YES_TH = Buffer.from('ใช่');
const NO_TH = Buffer.from('ไม่ใช่');
const NOT_UTF8 =
  'the file is not UTF-8 text (save it as "CSV UTF-8"; Excel\'s plain CSV on Thai Windows is Windows-874)';

// Control characters other than tab and line breaks, and invisible format characters (zero-width
// space, BOM, direction marks…): a field holding one looks like another field and is not.
const INVISIBLE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\p{Cf}]/u;
const INVISIBLE_ALL = new RegExp(INVISIBLE.source, 'gu');
const NAMES: Record<number, string> = {
  0: 'NUL',
  173: 'SOFT HYPHEN',
  8203: 'ZERO WIDTH SPACE',
  8204: 'ZERO WIDTH NON-JOINER',
  8205: 'ZERO WIDTH JOINER',
  8206: 'LEFT-TO-RIGHT MARK',
  8207: 'RIGHT-TO-LEFT MARK',
  8288: 'WORD JOINER',
  65279: 'ZERO WIDTH NO-BREAK SPACE (BOM)',
};

/** A field refused; `isFatal` when reading the rest of the file is pointless (not UTF-8). */
export type FieldFault = { fault: string; isFatal: boolean };

/** The value of an answer's text on a scale (null: a checklist verdict, yes or no), or null when it is not one. */
export function answerValue(scale: Scale | null, answer: string): number | null {
  if (scale?.kind === 'levels') {
    if (!/^\d{1,3}$/.test(answer)) return null;
    const a = Number(answer);
    return a >= 1 && a <= scale.points.length ? a : null;
  }
  const a = answer.toLowerCase();
  return YES.has(a) ? 1 : NO.has(a) ? 0 : null;
}

/** The first index in [s, e) past leading spaces. */
export function trimStart(b: Uint8Array, s: number, e: number): number {
  while (s < e && b[s] === 32) s += 1;
  return s;
}

/** The end of [s, e) before trailing spaces. */
export function trimEnd(b: Uint8Array, s: number, e: number): number {
  while (e > s && b[e - 1] === 32) e -= 1;
  return e;
}

/**
 * The answer in field 2 read from its bytes, as answerValue would read its text: a value,
 * EMPTY_ANSWER, or SEE_TEXT for anything else (a fault, a form it does not know). `levels` is the
 * scale's number of levels, 0 for yes/no.
 */
export function answerBytes(r: CsvRecord, levels: number): number {
  const b = r.bytes;
  let s = r.start[2]!;
  let e = r.end[2]!;
  if (r.kind[2] !== PLAIN) {
    if (levels > 0 || r.kind[2] === QUOTED) return SEE_TEXT;
    const len = e - s;
    if (len === YES_TH.length && b.compare(YES_TH, 0, len, s, e) === 0) return 1;
    if (len === NO_TH.length && b.compare(NO_TH, 0, len, s, e) === 0) return 0;
    return SEE_TEXT;
  }
  s = trimStart(b, s, e);
  e = trimEnd(b, s, e);
  const len = e - s;
  if (len === 0) return EMPTY_ANSWER;
  if (levels > 0) {
    if (len > 3) return SEE_TEXT;
    let a = 0;
    for (let k = s; k < e; k++) {
      const d = b[k]! - 48;
      if (d < 0 || d > 9) return SEE_TEXT;
      a = a * 10 + d;
    }
    return a >= 1 && a <= levels ? a : SEE_TEXT;
  }
  if (len === 3 && (b[s]! | 32) === 121 && (b[s + 1]! | 32) === 101 && (b[s + 2]! | 32) === 115) return 1; // yes
  if (len === 2 && (b[s]! | 32) === 110 && (b[s + 1]! | 32) === 111) return 0; // no
  return SEE_TEXT;
}

/** Field k's text, trimmed; or its fault: bytes that are not UTF-8, an invisible character. */
export function fieldValue(r: CsvRecord, k: number): string | FieldFault {
  const raw = fieldText(r, k);
  if (raw === null) return { fault: `line ${r.line}: ${NOT_UTF8}`, isFatal: true };
  const text = raw.trim();
  if (r.kind[k] !== PLAIN && INVISIBLE.test(text))
    return { fault: `line ${r.line}: the ${HEADER[k]} field ${describeInvisible(text)}`, isFatal: false };
  return text;
}

const codeOf = (c: string): string => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

function describeInvisible(text: string): string {
  const c = text.match(INVISIBLE)![0];
  const code = c.codePointAt(0)!;
  const name = NAMES[code] ?? (code < 0xa0 ? 'a control character' : 'an invisible format character');
  const shown = text.replace(INVISIBLE_ALL, (d) => `<${codeOf(d)}>`);
  const hint = code === 0 ? ' (is the file UTF-16? save it as "CSV UTF-8")' : '; delete it';
  return `'${shown.length > 60 ? `${shown.slice(0, 60)}…` : shown}' holds ${codeOf(c)} ${name}, which does not show${hint}`;
}
