// The rows of a responses CSV (responses-csv.ts) read one at a time into counts: what is kept is the
// tallies, the verdicts, and per respondent a number and one bit per question, so memory follows the
// respondents, not the rows. Most rows are read from their bytes without making a string.
import { type ByteIds, createByteIds } from './byte-ids.ts';
import { type CsvRecord, PLAIN } from './csv-records.ts';
import {
  answerBytes,
  answerValue,
  EMPTY_ANSWER,
  type FieldFault,
  fieldValue,
  HEADER,
  SEE_TEXT,
  trimEnd,
  trimStart,
} from './responses-fields.ts';
import type { Answers, Framework, QuestionTally, Scale, SurveyInstrument } from './types.ts';

/** At most this many faults are listed: past it the file is plainly not in the format. */
export const MAX_CSV_FAULTS = 20;

/** A survey's respondents, numbered, and per respondent one bit per question already given. */
type Survey = { respondents: ByteIds; words: number; seen: Uint32Array };

/** A question or (survey null) a checklist item; one shape for both, so the row loop stays monomorphic. */
type Target = {
  id: string;
  survey: Survey | null;
  slot: number;
  scale: Scale | null;
  /** The scale's number of levels; 0 for yes/no. */
  levels: number;
  /** answer value → count, and the values in the order first seen (the tally's order). */
  counts: Float64Array;
  order: number[];
  /** A checklist item's line, once given. */
  firstLine: number;
};

/** The state of one file's reading. */
export type Reading = {
  targets: Target[];
  /** Question and checklist ids → index in `targets`. */
  ids: ByteIds;
  surveys: Map<SurveyInstrument, Survey>;
  verdicts: Map<string, boolean>;
  faults: string[];
  isHeader: boolean;
  isFatal: boolean;
  rows: number;
  answered: number;
  // The last respondent field as written, its id (trimmed, UTF-8) and its number in the last survey:
  // a file lists one respondent's rows together, so most rows match it and need no lookup.
  lastRaw: Uint8Array;
  lastLength: number;
  lastKind: number;
  key: Uint8Array;
  lastSurvey: Survey | null;
  lastIndex: number;
};

/** A reading of nothing yet under `framework`. */
export function createReading(framework: Framework): Reading {
  const instrumentOf = new Map(framework.indicators.map((i) => [i.number, i.instrument]));
  const surveys = new Map<SurveyInstrument, Survey>();
  const targets: Target[] = [];
  for (const q of framework.questions) {
    const instrument = instrumentOf.get(q.indicator) as SurveyInstrument;
    const survey = surveys.get(instrument) ?? { respondents: createByteIds(), words: 0, seen: new Uint32Array(0) };
    surveys.set(instrument, survey);
    const slot = targets.filter((t) => t.survey === survey).length;
    survey.words = (slot >>> 5) + 1;
    const scale = framework.scales[q.scale]!;
    const levels = scale.kind === 'levels' ? scale.points.length : 0;
    const counts = new Float64Array(Math.max(levels + 1, 2));
    targets.push({ id: q.id, survey, slot, scale, levels, counts, order: [], firstLine: 0 });
  }
  for (const c of framework.checklist) {
    const counts = new Float64Array(0);
    targets.push({ id: c.id, survey: null, slot: 0, scale: null, levels: 0, counts, order: [], firstLine: 0 });
  }
  const ids = createByteIds();
  for (const t of targets) ids.add(Buffer.from(t.id), 0, Buffer.byteLength(t.id));
  return {
    targets,
    ids,
    surveys,
    verdicts: new Map(),
    faults: [],
    isHeader: true,
    isFatal: false,
    rows: 0,
    answered: 0,
    lastRaw: new Uint8Array(256),
    lastLength: -1,
    lastKind: -1,
    key: new Uint8Array(0),
    lastSurvey: null,
    lastIndex: 0,
  };
}

const isFieldFault = (v: string | FieldFault): v is FieldFault => typeof v !== 'string';

/** True while reading should go on: nothing fatal, fewer than MAX_CSV_FAULTS faults. */
export const goesOn = (st: Reading): boolean => !st.isFatal && st.faults.length < MAX_CSV_FAULTS;

/** Records a fault; true while reading should go on. */
function fault(st: Reading, f: string | FieldFault): boolean {
  if (typeof f === 'string') st.faults.push(f);
  else {
    st.faults.push(f.fault);
    st.isFatal ||= f.isFatal;
  }
  return goesOn(st);
}

/** Reads one record (the header first); false once reading should stop. */
export function readRow(st: Reading, r: CsvRecord): boolean {
  if (st.isHeader) return readHeader(st, r);
  if (r.count === 1 && r.start[0] === r.end[0]) return true; // a blank line, e.g. the last one
  st.rows += 1;
  if (r.count !== 3) return fault(st, `line ${r.line}: ${r.count} fields, expected 3 (${HEADER.join(',')})`);
  const target = targetOf(st, r);
  if (target === null || !readRespondent(st, r)) return goesOn(st);
  const { survey, slot, id } = target;
  if (survey === null) return readItem(st, r, target);
  if (st.key.length === 0) return fault(st, `line ${r.line}: ${id} needs a respondent`);
  const word = respondentIn(st, survey) * survey.words + (slot >>> 5);
  const bit = 1 << (slot & 31);
  if ((survey.seen[word]! & bit) !== 0)
    return fault(st, `line ${r.line}: respondent ${Buffer.from(st.key).toString()} ${id} is given twice`);
  survey.seen[word] = survey.seen[word]! | bit;
  const a = answerOf(r, target);
  if (typeof a !== 'number') return fault(st, a);
  if (a !== EMPTY_ANSWER) {
    if (target.counts[a] === 0) target.order.push(a);
    target.counts[a] += 1;
    st.answered += 1;
  }
  return true;
}

function readHeader(st: Reading, r: CsvRecord): boolean {
  st.isHeader = false;
  const fields: string[] = [];
  for (let k = 0; k < Math.min(r.count, HEADER.length); k++) {
    const text = fieldValue(r, k);
    if (isFieldFault(text)) return fault(st, text) && false;
    fields.push(text.toLowerCase());
  }
  if (r.count !== 3 || fields.some((f, k) => f !== HEADER[k]))
    return fault(st, `line ${r.line}: the header must be ${HEADER.join(',')}`) && false;
  return true;
}

/** The row's question or checklist item, or null after recording its fault. */
function targetOf(st: Reading, r: CsvRecord): Target | null {
  const b = r.bytes;
  if (r.kind[1] === PLAIN) {
    const s = trimStart(b, r.start[1]!, r.end[1]!);
    const found = st.ids.find(b, s, trimEnd(b, s, r.end[1]!));
    if (found >= 0) return st.targets[found]!;
  }
  const question = fieldValue(r, 1);
  if (isFieldFault(question)) {
    fault(st, question);
    return null;
  }
  const bytes = Buffer.from(question);
  const found = st.ids.find(bytes, 0, bytes.length);
  if (found >= 0) return st.targets[found]!;
  fault(st, `line ${r.line}: unknown question ${question === '' ? '(empty)' : question}`);
  return null;
}

/** Sets `st.key` to the row's respondent id; false after recording its fault. */
function readRespondent(st: Reading, r: CsvRecord): boolean {
  const b = r.bytes;
  const s = r.start[0]!;
  const length = r.end[0]! - s;
  if (length === st.lastLength && r.kind[0] === st.lastKind) {
    const last = st.lastRaw;
    let k = 0;
    while (k < length && b[s + k] === last[k]) k += 1;
    if (k === length) return true;
  }
  if (r.kind[0] === PLAIN) {
    st.key = new Uint8Array(b.subarray(trimStart(b, s, s + length), trimEnd(b, s, s + length))); // a copy
  } else {
    const text = fieldValue(r, 0);
    if (isFieldFault(text)) return fault(st, text) && false;
    st.key = Buffer.from(text);
  }
  st.lastKind = length <= st.lastRaw.length ? r.kind[0]! : -1;
  st.lastLength = length;
  if (st.lastKind >= 0) st.lastRaw.set(b.subarray(s, s + length));
  st.lastSurvey = null;
  return true;
}

/** The number of the row's respondent (`st.key`) in the survey, added when new. */
function respondentIn(st: Reading, survey: Survey): number {
  if (survey === st.lastSurvey) return st.lastIndex;
  const index = survey.respondents.add(st.key, 0, st.key.length);
  if ((index + 1) * survey.words > survey.seen.length) {
    const grown = new Uint32Array(Math.max(1024, survey.seen.length * 2));
    grown.set(survey.seen);
    survey.seen = grown;
  }
  st.lastSurvey = survey;
  st.lastIndex = index;
  return index;
}

function readItem(st: Reading, r: CsvRecord, target: Target): boolean {
  if (target.firstLine > 0)
    return fault(
      st,
      `line ${r.line}: ${target.id} is given twice, first on line ${target.firstLine} (one verdict per item)`,
    );
  target.firstLine = r.line;
  const verdict = answerOf(r, target);
  if (typeof verdict !== 'number') return fault(st, verdict);
  if (verdict !== EMPTY_ANSWER) {
    st.verdicts.set(target.id, verdict === 1);
    st.answered += 1;
  }
  return true;
}

/** The answer of a row: its value, EMPTY_ANSWER, or its fault. */
function answerOf(r: CsvRecord, target: Target): number | string | FieldFault {
  const s = r.start[2]!;
  if (r.end[2]! - s === 1) {
    const a = r.bytes[s]! - 48; // one digit, the commonest answer
    if (a >= 1 && a <= 9 && a <= target.levels) return a;
  }
  const fast = answerBytes(r, target.levels);
  if (fast !== SEE_TEXT) return fast;
  const answer = fieldValue(r, 2);
  if (isFieldFault(answer)) return answer;
  if (answer === '') return EMPTY_ANSWER;
  const expected = target.levels > 0 ? `1 to ${target.levels}` : 'yes or no';
  return answerValue(target.scale, answer) ?? `line ${r.line}: ${target.id} needs ${expected}, not '${answer}'`;
}

/** What was read, as scoring takes it. */
export function answersOf(st: Reading): Answers {
  const tallies = new Map<string, QuestionTally>();
  for (const t of st.targets) if (t.survey !== null) tallies.set(t.id, new Map(t.order.map((a) => [a, t.counts[a]!])));
  const count = (i: SurveyInstrument) => st.surveys.get(i)?.respondents.size() ?? 0;
  return { tallies, respondents: { IIT: count('IIT'), EIT: count('EIT') }, verdicts: st.verdicts };
}
