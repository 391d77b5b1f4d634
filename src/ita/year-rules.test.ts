import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gradeUnder, pastYears, yearRules } from './year-rules.ts';

describe('yearRules', () => {
  it('takes a year’s rules from its own framework file when Sujarit ships one', () => {
    const r = yearRules(2565)!;
    assert.equal(r.origin, 'frameworks/ita-2565.json');
    assert.deepEqual(r.weights, { IIT: 3000, EIT: 3000, OIT: 4000 });
    assert.equal(r.passMark, 8500);
  });

  it('takes FY 2563 and 2564 from the register of past years, each with evidence', () => {
    assert.deepEqual(
      pastYears().map((y) => [y.fiscalYear, y.weights.IIT, y.weights.EIT, y.weights.OIT]),
      [
        [2563, 3000, 3000, 4000],
        [2564, 3000, 3000, 4000],
      ],
    );
    assert.equal(yearRules(2563)!.origin, 'frameworks/years/past-years.json');
    assert.equal(gradeUnder(yearRules(2563)!, 8858), 'A');
    assert.equal(gradeUnder(yearRules(2564)!, 9500), 'AA');
  });

  it('knows nothing of a year without a file or a register entry (no other year’s weights stand in)', () => {
    for (const y of [2559, 2566, 2567]) assert.equal(yearRules(y), null, String(y));
  });

  it('takes no rules from a draft framework file (FY 2568 and 2569 ship as drafts: their weights are a guess)', () => {
    for (const y of [2568, 2569]) assert.equal(yearRules(y), null, String(y));
  });
});
