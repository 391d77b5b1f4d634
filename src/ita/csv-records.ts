// A streaming RFC 4180 reader over bytes: records are split as chunks arrive, so a file of any
// size is read holding one chunk and one record. Fields stay byte ranges until a caller asks for
// their text, so a caller that recognises bytes (an answer '4', a known question id) makes no
// string at all. Quoted fields may hold commas, doubled quotes and line breaks; records end at
// CRLF, LF, a lone CR, or the end of the input; a UTF-8 BOM at the start is skipped.
import { isUtf8 } from 'node:buffer';

/** A record longer than this is refused: it keeps a quote left open from swallowing the whole input. */
export const MAX_CSV_RECORD_BYTES = 64 * 1024;

/** Ranges are kept for this many fields of a record unless the caller asks for more; `count` goes on counting past it. */
const MAX_FIELDS = 16;

/** Field kinds: printable ASCII without quotes (its bytes are its text), other unquoted bytes, quoted. */
export const PLAIN = 0;
const UNQUOTED = 1;
export const QUOTED = 2;

/**
 * One record, valid only during the onRecord call that receives it (the object and its arrays are
 * reused). Field k (k < min(count, maxFields)) is `bytes[start[k], end[k])`, without its enclosing quotes.
 */
export type CsvRecord = {
  line: number;
  count: number;
  bytes: Buffer;
  start: Int32Array;
  end: Int32Array;
  kind: Uint8Array;
};

export type CsvReader = {
  /** Reads the records `chunk` completes; false once reading should stop (a fault, or onRecord said so). */
  push: (chunk: Uint8Array) => boolean;
  /** The end of the input: reads the last record. */
  end: () => boolean;
  /** The structural fault that stopped reading ('line 3: a quoted field is never closed'), or null. */
  fault: () => string | null;
};

const INCOMPLETE = -1;
const FAULT = -2;
const EMPTY = Buffer.alloc(0);

type Reading = {
  onRecord: (record: CsvRecord) => boolean;
  maxFields: number;
  record: CsvRecord;
  /** The start of a record the last chunk did not complete (a copy), and the buffer that joins it to the next. */
  rest: Buffer | null;
  scratch: Buffer;
  line: number;
  isFirst: boolean;
  isStopped: boolean;
  fault: string | null;
};

/**
 * A reader calling `onRecord` for each record in order (return false to stop). MUST NOT hold more
 * than one chunk and one unfinished record, nor keep a chunk after `push` returns (the caller may
 * reuse it); MUST refuse a record over MAX_CSV_RECORD_BYTES.
 */
export function createCsvReader(
  onRecord: (record: CsvRecord) => boolean,
  { maxFields = MAX_FIELDS }: { maxFields?: number } = {},
): CsvReader {
  const st: Reading = {
    onRecord,
    maxFields,
    record: {
      line: 1,
      count: 0,
      bytes: EMPTY,
      start: new Int32Array(maxFields),
      end: new Int32Array(maxFields),
      kind: new Uint8Array(maxFields),
    },
    rest: null,
    scratch: EMPTY,
    line: 1,
    isFirst: true,
    isStopped: false,
    fault: null,
  };
  return {
    push(chunk) {
      if (st.isStopped) return false;
      let bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      if (st.rest !== null) {
        const length = st.rest.length + bytes.length;
        if (st.scratch.length < length) st.scratch = Buffer.allocUnsafe(length);
        st.scratch.set(st.rest, 0);
        st.scratch.set(bytes, st.rest.length);
        bytes = st.scratch.subarray(0, length);
      }
      return read(st, bytes, false);
    },
    end: () => !st.isStopped && read(st, st.rest ?? EMPTY, true),
    fault: () => st.fault,
  };
}

/** Reads the records of `buf`, keeping an unfinished last one unless `isLast`; false once reading stops. */
function read(st: Reading, buf: Buffer, isLast: boolean): boolean {
  let i = 0;
  if (st.isFirst) {
    if (buf.length < 3 && !isLast) {
      st.rest = Buffer.from(buf);
      return true;
    }
    st.isFirst = false;
    if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) i = 3;
  }
  st.record.bytes = buf;
  while (i < buf.length) {
    const startLine = st.line;
    const next = readRecord(st, buf, i, isLast);
    if (next === FAULT) return stop(st);
    if (next === INCOMPLETE) {
      st.line = startLine;
      if (buf.length - i > MAX_CSV_RECORD_BYTES) return tooLong(st, startLine);
      st.rest = Buffer.from(buf.subarray(i)); // a copy: the caller may reuse its chunk
      return true;
    }
    if (next - i > MAX_CSV_RECORD_BYTES) return tooLong(st, startLine);
    i = next;
    if (!st.onRecord(st.record)) return stop(st);
  }
  st.rest = null;
  return true;
}

function refuse(st: Reading, fault: string): number {
  st.fault = fault;
  return FAULT;
}

function tooLong(st: Reading, startLine: number): boolean {
  st.fault = `line ${startLine}: a record longer than ${MAX_CSV_RECORD_BYTES / 1024} KiB (is a quote left open?)`;
  return stop(st);
}

function stop(st: Reading): boolean {
  st.isStopped = true;
  st.rest = null;
  return false;
}

/**
 * Reads the record at `i` into `st.record`; returns the index after it, INCOMPLETE (needs more
 * input) or FAULT. Every read is guarded by `< n`: reading past the end of a typed array
 * deoptimizes the loop.
 */
function readRecord(st: Reading, buf: Buffer, i: number, isLast: boolean): number {
  const { record } = st;
  const n = buf.length;
  const startLine = st.line;
  let count = 0;
  for (;;) {
    let s = i;
    let kind = PLAIN;
    if (i < n && buf[i] === 34 /* " */) {
      s = i + 1;
      let q = s;
      for (;;) {
        q = buf.indexOf(34, q);
        if (q < 0 || q + 1 >= n) {
          if (!isLast) return INCOMPLETE; // a doubled quote may go on in the next chunk
          if (q < 0) return refuse(st, `line ${startLine}: a quoted field is never closed`);
          break;
        }
        if (buf[q + 1] !== 34) break;
        q += 2;
      }
      for (let k = s; k < q; k++) if (buf[k] === 10) st.line += 1;
      i = q + 1;
      kind = QUOTED;
    } else {
      while (i < n) {
        const c = buf[i]!;
        if (c > 44 && c < 127) {
          i += 1;
          continue;
        }
        if (c === 44 || c === 10 || c === 13) break;
        if (c === 34) return refuse(st, `line ${st.line}: a quote inside a field that does not start with one`);
        if (c < 32 || c > 126) kind = UNQUOTED;
        i += 1;
      }
    }
    if (i >= n && !isLast) return INCOMPLETE;
    if (count < st.maxFields) {
      record.start[count] = s;
      record.end[count] = kind === QUOTED ? i - 1 : i;
      record.kind[count] = kind;
    }
    count += 1;
    if (i >= n) break;
    const c = buf[i]!;
    if (c === 44 /* , */) {
      i += 1;
      continue;
    }
    if (c !== 10 && c !== 13) return refuse(st, `line ${st.line}: text after a closing quote`);
    break;
  }
  if (i < n && buf[i] === 13) {
    i += 1;
    if (i >= n && !isLast) return INCOMPLETE; // an LF may follow in the next chunk
  }
  if (i < n && buf[i] === 10) i += 1;
  st.line += 1;
  record.line = startLine;
  record.count = count;
  return i;
}

/** The text of field k as written (quotes undone, not trimmed), or null when its bytes are not UTF-8. */
export function fieldText(record: CsvRecord, k: number): string | null {
  const { bytes } = record;
  const s = record.start[k]!;
  const e = record.end[k]!;
  if (record.kind[k] === PLAIN) return bytes.toString('latin1', s, e);
  if (!isUtf8(bytes.subarray(s, e))) return null;
  const text = bytes.toString('utf8', s, e);
  return record.kind[k] === QUOTED ? text.replaceAll('""', '"') : text;
}
