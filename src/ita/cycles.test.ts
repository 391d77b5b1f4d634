// What the opening form proposes (issue 13, B.11): never a fiscal year no shipped framework is for.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { proposedCycle, type FrameworkChoice } from './cycles.ts';

const fw = (name: string, fiscalYear: number): FrameworkChoice => ({ name, fiscalYear, title: { th: name, en: name } });

describe('proposedCycle', () => {
  const shipped = [fw('ita-2570.json', 2570), fw('ita-2569.json', 2569)];
  const cases: [string, FrameworkChoice[], number[], number, { fiscalYear: number | null; framework: string }][] = [
    ['the current year with its framework', shipped, [], 2570, { fiscalYear: 2570, framework: 'ita-2570.json' }],
    [
      'an older framework’s year is not the current one',
      shipped,
      [],
      2569,
      { fiscalYear: 2569, framework: 'ita-2569.json' },
    ],
    ['no framework for the current year: no year', shipped, [], 2571, { fiscalYear: null, framework: 'ita-2570.json' }],
    [
      'the current year already opened: no year',
      shipped,
      [2570],
      2570,
      { fiscalYear: null, framework: 'ita-2570.json' },
    ],
    ['nothing shipped', [], [], 2570, { fiscalYear: null, framework: '' }],
  ];
  for (const [name, frameworks, opened, current, expected] of cases)
    it(name, () => {
      assert.deepEqual(
        proposedCycle(
          frameworks,
          opened.map((fiscalYear) => ({ fiscalYear })),
          current,
        ),
        expected,
      );
    });
});
