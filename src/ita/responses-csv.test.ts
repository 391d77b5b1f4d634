import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { isAppError } from '../errors.ts';
import { loadFrameworkFile } from './framework.ts';
import { decodeResponsesCsv, MAX_RESPONSES_CSV_BYTES, parseResponsesCsv } from './responses-csv.ts';

const framework = loadFrameworkFile(path.join(import.meta.dirname, '../../test/fixtures/ita/seed-004-framework.json'));

function faultsOf(text: string): string {
  try {
    parseResponsesCsv(framework, text);
  } catch (e) {
    assert.ok(isAppError(e));
    assert.equal(e.code, 'invalid_input');
    return e.message;
  }
  assert.fail('the file was accepted');
}

describe('parseResponsesCsv', () => {
  it('tallies answers, counts respondents per instrument and reads verdicts', () => {
    const a = parseResponsesCsv(
      framework,
      'respondent,question,answer\ns1,i1,4\ns1,i2,yes\ns2,i1,2\ns2,i2,\np1,e1,3\n,o1,yes\n,o2,no\n,o3,\n',
    );
    assert.deepEqual(
      [...a.tallies.get('i1')!],
      [
        [4, 1],
        [2, 1],
      ],
    );
    assert.deepEqual([...a.tallies.get('i2')!], [[1, 1]]);
    assert.deepEqual([...a.tallies.get('i3')!], []);
    assert.deepEqual(a.respondents, { IIT: 2, EIT: 1 });
    assert.deepEqual(
      [...a.verdicts],
      [
        ['o1', true],
        ['o2', false],
      ],
    );
  });

  const equivalent: [string, string][] = [
    ['CRLF and a BOM', '\uFEFFrespondent,question,answer\r\ns1,i2,ใช่\r\n"s 2",i2,ไม่ใช่\r\n'],
    ['LF, no final line break, capitals', 'Respondent,Question,Answer\ns1,i2,YES\n"s 2",i2,No'],
    [
      'quoted fields with commas, quotes and line breaks',
      'respondent,question,answer\ns1,i2,"yes"\n"s ""2""\n,x",i2,no\n',
    ],
  ];
  for (const [what, text] of equivalent) {
    it(`reads ${what}`, () => {
      const a = parseResponsesCsv(framework, text);
      assert.deepEqual([...a.tallies.get('i2')!].sort(), [
        [0, 1],
        [1, 1],
      ]);
      assert.equal(a.respondents.IIT, 2);
    });
  }

  const faults: [string, string, RegExp][] = [
    ['an empty file', '', /line 1: the file is empty/],
    ['a wrong header', 'who,question,answer\ns1,i1,1\n', /line 1: the header must be respondent,question,answer/],
    ['a header with a fourth column', 'respondent,question,answer,note\n', /line 1: the header must be/],
    ['an unknown question', 'respondent,question,answer\ns1,i1,1\ns1,i99,1\n', /^ {2}line 3: unknown question i99$/m],
    ['a level off the scale', 'respondent,question,answer\ns1,i1,5\n', /line 2: i1 needs 1 to 4, not '5'/],
    [
      'a yes/no answer given as a number',
      'respondent,question,answer\ns1,i2,1\n',
      /line 2: i2 needs yes or no, not '1'/,
    ],
    [
      'a duplicate answer',
      'respondent,question,answer\ns1,i1,1\ns2,i1,1\ns1,i1,2\n',
      /line 4: respondent s1 i1 is given twice/,
    ],
    ['a duplicate verdict', 'respondent,question,answer\n,o1,yes\n,o1,no\n', /line 3: o1 is given twice/],
    ['a bad verdict', 'respondent,question,answer\n,o1,maybe\n', /line 2: o1 needs yes or no, not 'maybe'/],
    ['a survey answer without respondent', 'respondent,question,answer\n,i1,1\n', /line 2: i1 needs a respondent/],
    ['too few fields', 'respondent,question,answer\ns1,i1\n', /line 2: 2 fields, expected 3/],
    ['an unclosed quote', 'respondent,question,answer\ns1,i1,1\n"s2,i1,1\n', /line 3: a quoted field is never closed/],
    ['a stray quote', 'respondent,question,answer\ns"1,i1,1\n', /line 2: a quote inside a field/],
    ['text after a closing quote', 'respondent,question,answer\n"s1"x,i1,1\n', /line 2: text after a closing quote/],
  ];
  for (const [what, text, fault] of faults) it(`refuses ${what}`, () => assert.match(faultsOf(text), fault));

  it('counts lines inside quoted fields, and lists several faults', () => {
    const message = faultsOf('respondent,question,answer\n"a\nb",i1,1\ns1,i9,1\ns2,i1,7\n');
    assert.match(message, /line 4: unknown question i9/);
    assert.match(message, /line 5: i1 needs 1 to 4, not '7'/);
  });

  it('stops after 20 faults', () => {
    const rows = Array.from({ length: 30 }, (_, k) => `s${k},i99,1`);
    const message = faultsOf(`respondent,question,answer\n${rows.join('\n')}\n`);
    assert.equal(message.match(/unknown question/g)!.length, 20);
    assert.match(message, /stopped after 20 faults/);
  });

  it('refuses a file over the size limit as too_large', () => {
    const text = `respondent,question,answer\n${'x'.repeat(MAX_RESPONSES_CSV_BYTES)}`;
    assert.throws(
      () => parseResponsesCsv(framework, text),
      (e) => isAppError(e) && e.code === 'too_large',
    );
  });
});

describe('decodeResponsesCsv', () => {
  it('reads UTF-8 and refuses Windows-874', () => {
    assert.equal(decodeResponsesCsv(Buffer.from('ใช่', 'utf8')), 'ใช่');
    assert.throws(
      () => decodeResponsesCsv(Uint8Array.of(0xe3, 0xaa, 0xe8)),
      (e) => isAppError(e) && /not UTF-8/.test(e.message),
    ); // ใช่ in Windows-874
  });
});
