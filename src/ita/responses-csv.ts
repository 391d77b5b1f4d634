// Answers collected outside Sujarit (paper, another survey tool), imported as one CSV file per agency:
//
//   respondent,question,answer
//   r1,i1,4          levels: 1..n (n = the scale's number of levels)
//   r1,i4,no         yes/no: yes | no | ใช่ | ไม่ใช่
//   r1,i5,           empty: not answered (r1 still counts as an IIT respondent)
//   ,o1,yes          checklist item: the assessor's verdict; respondent may be empty
//
// RFC 4180 quoting, UTF-8 with or without BOM, CRLF or LF. Described in docs/ita-framework.md.
// Read as a stream: records split as chunks come (csv-records.ts), rows counted as records come
// (responses-rows.ts), so a file of any size is read in the memory of its respondents.
import { AppError } from '../errors.ts';
import { createCsvReader } from './csv-records.ts';
import { HEADER } from './responses-fields.ts';
import { answersOf, createReading, goesOn, MAX_CSV_FAULTS, readRow } from './responses-rows.ts';
import type { Answers, Framework } from './types.ts';

export { MAX_CSV_FAULTS } from './responses-rows.ts';

/** A responses file larger than this is refused, and reading stops there. */
export const MAX_RESPONSES_CSV_BYTES = 50 * 1024 * 1024;

export type ResponsesReader = {
  /** Reads a chunk of the file; false once reading should stop. MUST throw AppError('too_large') past MAX_RESPONSES_CSV_BYTES. */
  push: (chunk: Uint8Array) => boolean;
  /** The end of the file: the answers, or AppError('invalid_input') listing the faults. */
  finish: () => Answers;
};

/**
 * Reads a responses CSV into Answers under a framework, chunk by chunk. MUST refuse (AppError) a
 * file over MAX_RESPONSES_CSV_BYTES (too_large, as soon as it is passed), a missing or wrong header,
 * unknown questions, answers off the scale, a (respondent, question) pair given twice, a checklist
 * item given twice (whatever the respondent column; both lines named), bytes that are not UTF-8,
 * invisible characters in a field, and a file that answers nothing (invalid_input), naming the
 * line of each fault, up to MAX_CSV_FAULTS. A respondent counts for an instrument when they have any
 * row of it, even an empty answer: that is what makes the answer count as missing. `source` names
 * the input in messages. MUST NOT keep a chunk after `push` returns (the caller may reuse it).
 */
export function createResponsesReader(framework: Framework, source = 'the responses file'): ResponsesReader {
  const st = createReading(framework);
  const csv = createCsvReader((r) => readRow(st, r));
  let bytesRead = 0;
  let isDone = false;
  return {
    push(chunk) {
      bytesRead += chunk.byteLength;
      if (bytesRead > MAX_RESPONSES_CSV_BYTES)
        throw new AppError(
          'too_large',
          `${source} is larger than ${MAX_RESPONSES_CSV_BYTES / 1024 / 1024} MB (reading stopped there)`,
          'ita.error.responses_csv_size',
        );
      isDone = !csv.push(chunk);
      return !isDone;
    },
    finish() {
      if (!isDone) csv.end();
      const { faults } = st;
      const broken = csv.fault();
      if (broken !== null && goesOn(st)) faults.push(broken);
      if (st.isHeader && faults.length === 0)
        faults.push(`line 1: the file is empty; the header must be ${HEADER.join(',')}`);
      if (faults.length === 0 && st.answered === 0)
        faults.push(
          st.rows === 0
            ? 'nothing is answered: the file has the header and no rows'
            : `nothing is answered: all ${st.rows} rows have an empty answer`,
        );
      if (faults.length === 0) return answersOf(st);
      const more = faults.length >= MAX_CSV_FAULTS ? `\n  (stopped after ${MAX_CSV_FAULTS} faults)` : '';
      throw new AppError(
        'invalid_input',
        `invalid responses file:\n  ${faults.join('\n  ')}${more}`,
        'ita.error.responses_csv',
      );
    },
  };
}

/** Reads a responses CSV from a stream of chunks (a file, standard input); see createResponsesReader. */
export async function readResponsesCsv(
  framework: Framework,
  chunks: AsyncIterable<Uint8Array>,
  source?: string,
): Promise<Answers> {
  const reader = createResponsesReader(framework, source);
  for await (const chunk of chunks) if (!reader.push(chunk)) break;
  return reader.finish();
}

/** Reads a responses CSV held as text; see createResponsesReader. */
export function parseResponsesCsv(framework: Framework, text: string): Answers {
  const reader = createResponsesReader(framework);
  // text.length ≤ UTF-8 bytes: a text too long is refused before it is copied to bytes.
  reader.push(text.length > MAX_RESPONSES_CSV_BYTES ? Buffer.alloc(MAX_RESPONSES_CSV_BYTES + 1) : Buffer.from(text));
  return reader.finish();
}
