import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { isAppError } from '../errors.ts';
import { listFrameworks, loadFrameworkFile, loadShippedFramework, parseFramework } from './framework.ts';

const FIXTURES = path.join(import.meta.dirname, '../../test/fixtures/ita');
const seedRaw = JSON.parse(readFileSync(path.join(FIXTURES, 'seed-004-framework.json'), 'utf8')) as Record<string, any>;

/** The message of the AppError('invalid_input') that parseFramework throws for `raw`. */
function faultsOf(raw: unknown): string {
  try {
    parseFramework(raw);
  } catch (e) {
    assert.ok(isAppError(e), 'an AppError');
    assert.equal(e.code, 'invalid_input');
    assert.equal(e.userMessage, 'ita.error.framework_file');
    return e.message;
  }
  assert.fail('the framework was accepted');
}

describe('the shipped framework', () => {
  it('is listed and loads', () => {
    assert.ok(listFrameworks().includes('ita-2569.json'));
    const f = loadShippedFramework('ita-2569.json');
    assert.equal(f.fiscalYear, 2569);
    assert.deepEqual(
      f.instruments.map((i) => [i.code, i.weight]),
      [
        ['IIT', 3000],
        ['EIT', 3000],
        ['OIT', 4000],
      ],
    );
    assert.deepEqual(
      f.indicators.map((i) => i.number),
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
    );
    assert.deepEqual(f.indicators.map((i) => i.name.th).slice(0, 2), ['การปฏิบัติหน้าที่', 'การใช้งบประมาณ']);
    assert.deepEqual(f.scales.four, {
      kind: 'levels',
      points: [0, 3333, 6667, 10000],
      labels: f.scales.four!.kind === 'levels' ? f.scales.four!.labels : [],
    });
    assert.deepEqual(
      f.grades.map((g) => `${g.grade}${g.min}`),
      ['AA9500', 'A8500', 'B7500', 'C6500', 'D5500', 'E5000', 'F0'],
    );
    assert.equal(f.passMark, 8500);
    assert.equal(f.disclosureThreshold, 5);
  });

  it('has questions on every survey indicator, reversed bribery items, and the complaint-figures item', () => {
    const f = loadShippedFramework('ita-2569.json');
    for (const ind of f.indicators.filter((i) => i.instrument !== 'OIT'))
      assert.ok(
        f.questions.some((q) => q.indicator === ind.number),
        `indicator ${ind.number}`,
      );
    assert.ok(f.questions.some((q) => q.scale === 'yesno' && q.reverse && /bribe|money/i.test(q.text.en)));
    assert.ok(f.questions.some((q) => q.scale === 'four' && q.reverse));
    assert.deepEqual(
      f.checklist.filter((c) => c.source === 'complaint-figures').map((c) => c.id),
      ['o24'],
    );
  });
});

describe('loadShippedFramework', () => {
  for (const name of [
    'ita-2570.json',
    '../framework.ts',
    '../../../package.json',
    'frameworks/ita-2569.json',
    '',
    'ITA-2569.JSON',
  ]) {
    it(`refuses ${JSON.stringify(name)} as not_found`, () => {
      assert.throws(
        () => loadShippedFramework(name),
        (e) => isAppError(e) && e.code === 'not_found',
      );
    });
  }
});

describe('loadFrameworkFile', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sujarit-framework-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  it('refuses a missing file as not_found', () => {
    assert.throws(
      () => loadFrameworkFile(path.join(dir, 'absent.json')),
      (e) => isAppError(e) && e.code === 'not_found',
    );
  });
  it('refuses a file that is not JSON', () => {
    const file = path.join(dir, 'bad.json');
    writeFileSync(file, '{ "format": ');
    assert.throws(
      () => loadFrameworkFile(file),
      (e) => isAppError(e) && e.code === 'invalid_input' && /not JSON/.test(e.message),
    );
  });
  it('reads a file with a byte order mark', () => {
    const file = path.join(dir, 'bom.json');
    writeFileSync(file, `\uFEFF${JSON.stringify(seedRaw)}`);
    assert.equal(loadFrameworkFile(file).fiscalYear, 2564);
  });
});

describe('parseFramework', () => {
  it('reports every fault of a broken file at once, each with its path', () => {
    const message = (() => {
      try {
        loadFrameworkFile(path.join(FIXTURES, 'broken-framework.json'));
      } catch (e) {
        return (e as Error).message;
      }
      return '';
    })();
    for (const fault of [
      'fiscalYear: 2026 is not a Buddhist Era year',
      'instruments: weights sum to 1.1, not 1',
      'scales.four.points[1]: 33.333 has more than 2 decimals',
      "questions/checklist: duplicate id 'i1'",
      "questions[1].scale: unknown scale 'five'",
      'checklist[0].indicator: indicator 2 belongs to IIT',
      'indicators: indicator 9 (OIT) has no checklist item',
      'grades[2].min: grades must be listed with strictly descending minimums',
      'passMark: 86 is not the minimum of any grade',
    ])
      assert.ok(message.includes(fault), `missing "${fault}" in:\n${message}`);
    assert.match(message, /\(9 faults\)/);
  });

  it('reports shape faults and rule faults together', () => {
    const raw = structuredClone(seedRaw);
    raw.title = { th: 'ไทย' };
    raw.questions[0].colour = 'red';
    raw.fiscalYear = 1999;
    const message = faultsOf(raw);
    assert.match(message, /title: missing field 'en'/);
    assert.match(message, /questions\[0\]: unknown field 'colour'/);
    assert.match(message, /fiscalYear: 1999 is not a Buddhist Era year/);
  });

  const mutations: [string, (f: Record<string, any>) => void, RegExp][] = [
    [
      'an unknown format',
      (f) => {
        f.format = 'sujarit-ita-framework/2';
      },
      /format: unknown format "sujarit-ita-framework\/2"/,
    ],
    [
      'a missing section',
      (f) => {
        delete f.grades;
      },
      /missing field 'grades'/,
    ],
    [
      'duplicate instruments',
      (f) => {
        f.instruments.push(structuredClone(f.instruments[0]));
      },
      /instruments: duplicate id 'IIT'/,
    ],
    [
      'duplicate indicators',
      (f) => {
        f.indicators.push({ ...structuredClone(f.indicators[0]), weight: 0 });
      },
      /indicators: duplicate id '1'/,
    ],
    [
      'a question on an unknown indicator',
      (f) => {
        f.questions[0].indicator = 42;
      },
      /questions\[0\]\.indicator: unknown indicator 42/,
    ],
    [
      'a question on an OIT indicator',
      (f) => {
        f.questions[3].indicator = 9;
      },
      /questions\[3\]\.indicator: indicator 9 belongs to OIT/,
    ],
    [
      'an indicator of an instrument not declared',
      (f) => {
        f.instruments = f.instruments.filter((i: any) => i.code !== 'EIT');
        f.instruments[1].weight = 0.7;
      },
      /indicators\[2\]\.instrument: unknown instrument 'EIT'/,
    ],
    [
      'a survey indicator without questions',
      (f) => {
        f.questions = f.questions.filter((q: any) => q.id !== 'e1');
      },
      /indicator 6 \(EIT\) has no question/,
    ],
    [
      'an indicator of weight 0',
      (f) => {
        f.indicators[0].weight = 0;
      },
      /indicator 1 has weight 0/,
    ],
    [
      'a weight with 5 decimals',
      (f) => {
        f.indicators[0].weight = 0.50001;
      },
      /indicators\[0\]\.weight: 0\.50001 has more than 4 decimals/,
    ],
    [
      'a point above 100',
      (f) => {
        f.scales.four.points[3] = 101;
      },
      /scales\.four\.points\[3\]: 101 is outside 0–100/,
    ],
    [
      'a negative point',
      (f) => {
        f.scales.four.points[0] = -1;
      },
      /scales\.four\.points\[0\]: -1 has more than 2 decimals or is not a plain decimal/,
    ],
    [
      'labels not matching points',
      (f) => {
        f.scales.four.labels.pop();
      },
      /scales\.four\.labels: 3 labels for 4 points/,
    ],
    [
      'grades not ending at 0',
      (f) => {
        f.grades.pop();
      },
      /grades\[5\]\.min: the last grade must start at 0/,
    ],
    [
      'a grade minimum with 3 decimals',
      (f) => {
        f.grades[0].min = 95.001;
      },
      /grades\[0\]\.min: 95\.001 has more than 2 decimals/,
    ],
    [
      'a pass mark above 100',
      (f) => {
        f.passMark = 120;
      },
      /passMark: 120 is outside 0–100/,
    ],
    [
      'an OIT sample',
      (f) => {
        f.instruments[2].minSample = { atLeast: 1, share: 0 };
      },
      /instruments\[2\]\.minSample: OIT is a checklist/,
    ],
    [
      'a disclosure threshold of 0',
      (f) => {
        f.disclosureThreshold = 0;
      },
      /disclosureThreshold: must be >= 1/,
    ],
  ];
  for (const [what, mutate, fault] of mutations) {
    it(`refuses ${what}`, () => {
      const raw = structuredClone(seedRaw);
      mutate(raw);
      assert.match(faultsOf(raw), fault);
    });
  }

  it('refuses what is not an object at all', () => {
    assert.match(faultsOf(null), /format: unknown format null/);
    assert.match(faultsOf([]), /\(file\): must be object/);
  });

  it('converts decimals exactly, where float arithmetic would not', () => {
    const raw = structuredClone(seedRaw);
    // 0.29 × 10000 = 2899.9999999999995 and 0.57 × 100 = 56.99999999999999 in binary floating point.
    raw.indicators[0].weight = 0.29;
    raw.indicators[1].weight = 0.71;
    raw.grades[3].min = 64.57;
    const f = parseFramework(raw);
    assert.deepEqual([f.indicators[0]!.weight, f.indicators[1]!.weight, f.grades[3]!.min], [2900, 7100, 6457]);
  });
});
