import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formDateValue, parseFormDate } from './form-date.ts';

describe('parseFormDate', () => {
  const table: [unknown, string | null][] = [
    ['7/12/2569', '2026-12-07'],
    ['07/12/2569', '2026-12-07'],
    ['๗/๑๒/๒๕๖๙', '2026-12-07'],
    [' 7-12-2569 ', '2026-12-07'],
    ['7.12.2569', '2026-12-07'],
    ['07122569', '2026-12-07'],
    ['7122569', null],
    ['7/12/2026', '2026-12-07'],
    ['2026-12-07', '2026-12-07'],
    ['29/2/2567', '2024-02-29'], // 2024 is a leap year
    ['29/2/2569', null],
    ['31/4/2569', null],
    ['0/1/2569', null],
    ['1/13/2569', null],
    ['12/7', null],
    ['2569-12-07', null], // an ISO date is A.D.: year 2569 is out of range
    ['1/1/1899', null],
    ['', null],
    [undefined, null],
    [20261207, null],
    ['7/12/2569\u0000', null],
  ];
  for (const [raw, expected] of table)
    it(`reads ${JSON.stringify(raw)} as ${expected}`, () => assert.equal(parseFormDate(raw), expected));
});

describe('formDateValue', () => {
  it('shows a day in the Buddhist Era in Thai and A.D. in English, and reads back to itself', () => {
    assert.equal(formDateValue('2026-12-07', 'th'), '07/12/2569');
    assert.equal(formDateValue('2026-12-07', 'en'), '07/12/2026');
    for (const lang of ['th', 'en'] as const)
      assert.equal(parseFormDate(formDateValue('2024-02-29', lang)), '2024-02-29');
    assert.equal(formDateValue(null, 'th'), '');
    assert.equal(formDateValue('not a date', 'th'), 'not a date', 'what was typed is shown back as typed');
  });
});
