import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createCsvReader, fieldText, MAX_CSV_RECORD_BYTES } from './csv-records.ts';

/** The records of `text` as [line, fields] pairs, pushed in chunks of `size` bytes into one reused buffer; or the fault. */
function recordsOf(text: string, size = Number.POSITIVE_INFINITY): [number, (string | null)[]][] | string {
  const records: [number, (string | null)[]][] = [];
  const csv = createCsvReader((r) => {
    records.push([r.line, Array.from({ length: r.count }, (_, k) => fieldText(r, k))]);
    return true;
  });
  const bytes = Buffer.from(text);
  const chunk = Buffer.alloc(Math.min(size, bytes.length));
  for (let at = 0; at < bytes.length; at += chunk.length) {
    const n = bytes.copy(chunk, 0, at, at + chunk.length);
    if (!csv.push(chunk.subarray(0, n))) return csv.fault() ?? 'stopped';
    chunk.fill(0x21); // the reader MUST NOT keep a chunk after push
  }
  return csv.end() ? records : (csv.fault() ?? 'stopped');
}

describe('createCsvReader', () => {
  const cases: [string, string, [number, (string | null)[]][]][] = [
    [
      'LF, CRLF and a lone CR',
      'a,b\nc,d\r\ne\rf',
      [
        [1, ['a', 'b']],
        [2, ['c', 'd']],
        [3, ['e']],
        [4, ['f']],
      ],
    ],
    ['a BOM, a final line break', '\uFEFFa,b\r\n', [[1, ['a', 'b']]]],
    [
      'empty fields',
      ',\n,,x\n',
      [
        [1, ['', '']],
        [2, ['', '', 'x']],
      ],
    ],
    [
      'quotes, doubled quotes, commas and line breaks',
      '"a ""b""\n,c",d\ne',
      [
        [1, ['a "b"\n,c', 'd']],
        [3, ['e']],
      ],
    ],
    ['Thai, which is UTF-8', 'ผู้ตอบ,ใช่\n', [[1, ['ผู้ตอบ', 'ใช่']]]],
  ];
  for (const [what, text, expected] of cases) {
    it(`reads ${what}, whatever the chunk size`, () => {
      for (const size of [1, 2, 3, 5, Number.POSITIVE_INFINITY])
        assert.deepEqual(recordsOf(text, size), expected, `size ${size}`);
    });
  }

  it('gives null as the text of a field that is not UTF-8', () => {
    const fields: (string | null)[] = [];
    const csv = createCsvReader((r) => fields.push(fieldText(r, 0)) > 0);
    csv.push(Uint8Array.of(0xe3, 0xaa, 0xe8, 0x0a)); // ใช่ in Windows-874
    csv.end();
    assert.deepEqual(fields, [null]);
  });

  const faults: [string, string, RegExp][] = [
    ['an unclosed quote', 'a\n"b,c\n', /^line 2: a quoted field is never closed$/],
    ['a stray quote', 'a\nb"c\n', /^line 2: a quote inside a field that does not start with one$/],
    ['text after a closing quote', 'a\n"b"c\n', /^line 2: text after a closing quote$/],
    ['a record over the limit', `a\n"${'x'.repeat(MAX_CSV_RECORD_BYTES)}"\n`, /^line 2: a record longer than 64 KiB/],
    [
      'a quote left open in a long file',
      `a\n"b\n${'c,d\n'.repeat(20_000)}`,
      /^line 2: a record longer than 64 KiB \(is a quote left open\?\)$/,
    ],
  ];
  for (const [what, text, fault] of faults) {
    it(`refuses ${what}, whatever the chunk size`, () => {
      for (const size of [7, 4096, Number.POSITIVE_INFINITY])
        assert.match(String(recordsOf(text, size)), fault, `size ${size}`);
    });
  }

  it('stops when told to', () => {
    let seen = 0;
    const csv = createCsvReader(() => ++seen < 2);
    assert.equal(csv.push(Buffer.from('a\nb\nc\n')), false);
    assert.equal(seen, 2);
    assert.equal(csv.fault(), null);
  });
});
