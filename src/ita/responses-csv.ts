// Answers collected outside Sujarit (paper, another survey tool), imported as one CSV file per agency:
//
//   respondent,question,answer
//   r1,i1,4          levels: 1..n (n = the scale's number of levels)
//   r1,i4,no         yes/no: yes | no | ใช่ | ไม่ใช่
//   r1,i5,           empty: not answered (r1 still counts as an IIT respondent)
//   ,o1,yes          checklist item: the assessor's verdict; respondent may be empty
//
// RFC 4180 quoting, UTF-8 with or without BOM, CRLF or LF. Described in docs/ita-framework.md.
import { AppError } from '../errors.ts';
import type { Answers, Framework, QuestionTally, Scale, SurveyInstrument } from './types.ts';

/** A responses file larger than this is refused before it is parsed. */
export const MAX_RESPONSES_CSV_BYTES = 50 * 1024 * 1024;

/** At most this many faults are listed: past it the file is plainly not in the format. */
export const MAX_CSV_FAULTS = 20;

const HEADER = ['respondent', 'question', 'answer'];
const YES = new Set(['yes', 'ใช่']);
const NO = new Set(['no', 'ไม่ใช่']);

type Record3 = { line: number; fields: string[] };

/**
 * Splits RFC 4180 text into records, calling `onRecord` with the line each record starts on.
 * Quoted fields may hold commas, doubled quotes and line breaks. Returns a fault or null.
 */
function readRecords(text: string, onRecord: (r: Record3) => boolean): string | null {
  let line = 1;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const start = line;
    const fields: string[] = [];
    for (;;) {
      let value: string;
      if (text.charCodeAt(i) === 34 /* " */) {
        let out = '';
        let from = i + 1;
        for (;;) {
          const q = text.indexOf('"', from);
          if (q < 0) return `line ${start}: a quoted field is never closed`;
          out += text.slice(from, q);
          if (text.charCodeAt(q + 1) === 34) {
            out += '"';
            from = q + 2;
            continue;
          }
          i = q + 1;
          break;
        }
        for (const ch of out) if (ch === '\n') line += 1;
        value = out;
        const c = text.charCodeAt(i);
        if (i < n && c !== 44 && c !== 10 && c !== 13) return `line ${line}: text after a closing quote`;
      } else {
        let j = i;
        while (j < n) {
          const c = text.charCodeAt(j);
          if (c === 44 || c === 10 || c === 13) break;
          if (c === 34) return `line ${line}: a quote inside a field that does not start with one`;
          j += 1;
        }
        value = text.slice(i, j);
        i = j;
      }
      fields.push(value);
      if (text.charCodeAt(i) === 44) {
        i += 1;
        continue;
      }
      break;
    }
    // The record ends at CRLF, LF, a lone CR, or the end of the text.
    if (text.charCodeAt(i) === 13) i += 1;
    if (text.charCodeAt(i) === 10) i += 1;
    line += 1;
    if (!onRecord({ line: start, fields })) return null;
  }
  return null;
}

type Target = { kind: 'question'; instrument: SurveyInstrument; scale: Scale; tally: QuestionTally } | { kind: 'item' };

function answerValue(scale: Scale, answer: string): number | null {
  if (scale.kind === 'levels') {
    if (!/^\d{1,3}$/.test(answer)) return null;
    const a = Number(answer);
    return a >= 1 && a <= scale.points.length ? a : null;
  }
  return yesNo(answer);
}

function yesNo(answer: string): number | null {
  const a = answer.toLowerCase();
  return YES.has(a) ? 1 : NO.has(a) ? 0 : null;
}

/**
 * Reads a responses CSV into Answers under a framework. MUST refuse (AppError) a file over
 * MAX_RESPONSES_CSV_BYTES (too_large), a missing or wrong header, unknown questions, answers off the
 * scale, and a (respondent, question) pair given twice (invalid_input), naming the line of each fault,
 * up to MAX_CSV_FAULTS. A respondent counts for an instrument when they have any row of it, even an
 * empty answer: that is what makes the answer count as missing.
 */
export function parseResponsesCsv(framework: Framework, text: string): Answers {
  // text.length ≤ UTF-8 bytes, so the cheap test first; byteLength is exact.
  if (text.length > MAX_RESPONSES_CSV_BYTES || Buffer.byteLength(text, 'utf8') > MAX_RESPONSES_CSV_BYTES) {
    throw new AppError(
      'too_large',
      `the responses file is larger than ${MAX_RESPONSES_CSV_BYTES / 1024 / 1024} MB`,
      'ita.error.responses_csv_size',
    );
  }
  const instrumentOf = new Map(framework.indicators.map((i) => [i.number, i.instrument]));
  const answers: Answers = { tallies: new Map(), respondents: { IIT: 0, EIT: 0 }, verdicts: new Map() };
  const targets = new Map<string, Target>();
  for (const q of framework.questions) {
    const tally: QuestionTally = new Map();
    answers.tallies.set(q.id, tally);
    targets.set(q.id, {
      kind: 'question',
      instrument: instrumentOf.get(q.indicator) as SurveyInstrument,
      scale: framework.scales[q.scale]!,
      tally,
    });
  }
  for (const c of framework.checklist) targets.set(c.id, { kind: 'item' });

  const faults: string[] = [];
  const seen = new Set<string>();
  const respondents = { IIT: new Set<string>(), EIT: new Set<string>() };
  let isHeader = true;
  const fault = (f: string): boolean => faults.push(f) < MAX_CSV_FAULTS;
  const onRecord = ({ line, fields }: Record3): boolean => {
    if (isHeader) {
      isHeader = false;
      if (fields.length !== 3 || fields.some((f, k) => f.trim().toLowerCase() !== HEADER[k]))
        return fault(`line ${line}: the header must be ${HEADER.join(',')}`) && false;
      return true;
    }
    if (fields.length === 1 && fields[0] === '') return true; // a blank line, e.g. the last one
    if (fields.length !== 3) return fault(`line ${line}: ${fields.length} fields, expected 3 (${HEADER.join(',')})`);
    const [respondent, question, answer] = fields.map((f) => f.trim()) as [string, string, string];
    const target = targets.get(question);
    if (!target) return fault(`line ${line}: unknown question ${question === '' ? '(empty)' : question}`);
    const key = `${respondent}\u0000${question}`;
    if (seen.has(key))
      return fault(`line ${line}: ${respondent === '' ? '' : `respondent ${respondent} `}${question} is given twice`);
    seen.add(key);
    if (target.kind === 'item') {
      if (answer === '') return true;
      const verdict = yesNo(answer);
      if (verdict === null) return fault(`line ${line}: ${question} needs yes or no, not '${answer}'`);
      answers.verdicts.set(question, verdict === 1);
      return true;
    }
    if (respondent === '') return fault(`line ${line}: ${question} needs a respondent`);
    respondents[target.instrument].add(respondent);
    if (answer === '') return true;
    const value = answerValue(target.scale, answer);
    if (value === null) {
      const expected = target.scale.kind === 'levels' ? `1 to ${target.scale.points.length}` : 'yes or no';
      return fault(`line ${line}: ${question} needs ${expected}, not '${answer}'`);
    }
    target.tally.set(value, (target.tally.get(value) ?? 0) + 1);
    return true;
  };
  const broken = readRecords(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, onRecord);
  if (broken !== null && faults.length < MAX_CSV_FAULTS) faults.push(broken);
  if (isHeader) faults.push(`line 1: the file is empty; the header must be ${HEADER.join(',')}`);
  if (faults.length > 0) {
    const more = faults.length >= MAX_CSV_FAULTS ? `\n  (stopped after ${MAX_CSV_FAULTS} faults)` : '';
    throw new AppError(
      'invalid_input',
      `invalid responses file:\n  ${faults.join('\n  ')}${more}`,
      'ita.error.responses_csv',
    );
  }
  answers.respondents = { IIT: respondents.IIT.size, EIT: respondents.EIT.size };
  return answers;
}

/**
 * The text of an uploaded responses file. MUST refuse (invalid_input) bytes that are not UTF-8:
 * Excel's plain "CSV" on Thai Windows is Windows-874, which would otherwise turn into garbage.
 */
export function decodeResponsesCsv(bytes: Uint8Array): string {
  if (bytes.byteLength > MAX_RESPONSES_CSV_BYTES)
    throw new AppError(
      'too_large',
      `the responses file is larger than ${MAX_RESPONSES_CSV_BYTES / 1024 / 1024} MB`,
      'ita.error.responses_csv_size',
    );
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new AppError(
      'invalid_input',
      'the responses file is not UTF-8 text (save it as "CSV UTF-8")',
      'ita.error.responses_csv',
    );
  }
}
