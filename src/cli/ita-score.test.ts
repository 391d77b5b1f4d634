import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';

const ROOT = path.join(import.meta.dirname, '../..');
const FIXTURES = path.join(ROOT, 'test/fixtures/ita');

/** Runs `sujarit ita score …` as a user would (its own process, no database). */
function itaScore(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['src/cli/main.ts', 'ita', 'score', ...args], { cwd: ROOT, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

type Breakdown = {
  ita: string | null;
  grade: string | null;
  passed: boolean | null;
  instruments: { code: string; score: string | null; respondents: number | null }[];
  indicators: { number: number; score: string | null }[];
  questions: { id: string; score: string | null; answered: number; missing: number }[];
  checklist: { id: string; disclosed: boolean }[];
};

describe('sujarit ita score', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sujarit-ita-score-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  const seed: [string, Record<string, string>, string][] = [
    ['2564', { IIT: '83.41', EIT: '92.21', OIT: '100.00' }, '92.69'],
    ['2563', { IIT: '80.79', EIT: '84.47', OIT: '97.50' }, '88.58'],
  ];
  for (const [year, instruments, ita] of seed) {
    it(`prints seed 004's FY ${year} scores from a responses file`, () => {
      const r = itaScore(
        '--framework',
        path.join(FIXTURES, 'seed-004-framework.json'),
        '--responses',
        path.join(FIXTURES, `seed-004-${year}.csv`),
      );
      assert.equal(r.status, 0, r.stderr);
      const out = JSON.parse(r.stdout) as Breakdown;
      assert.deepEqual(Object.fromEntries(out.instruments.map((i) => [i.code, i.score])), instruments);
      assert.deepEqual([out.ita, out.grade, out.passed], [ita, 'A', true]);
      assert.deepEqual(
        out.instruments.map((i) => i.respondents),
        [40, year === '2564' ? 77 : 73, null],
      );
      assert.deepEqual(
        out.questions.find((q) => q.id === 'i2'),
        { id: 'i2', indicator: 1, score: '94.74', answered: 38, missing: 2 },
      );
      assert.equal(out.checklist.length, 21);
    });
  }

  it('takes a shipped framework by name', () => {
    const csv = path.join(dir, 'some.csv');
    writeFileSync(csv, 'respondent,question,answer\ns1,i1,4\ns1,i4,no\np1,e4,yes\n,o24,yes\n');
    const r = itaScore('--framework', 'ita-2569.json', '--responses', csv);
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as Breakdown;
    assert.deepEqual(
      out.questions.filter((q) => ['i1', 'i4', 'e4'].includes(q.id)).map((q) => q.score),
      ['100.00', '100.00', '0.00'],
    );
    assert.equal(out.ita, null); // most indicators have no answers yet
    assert.equal(out.checklist.find((c) => c.id === 'o24')!.disclosed, true);
  });

  const failures: [string, () => string[], RegExp][] = [
    ['no arguments', () => [], /usage: npm run sujarit -- ita score --framework/],
    [
      'an unknown option',
      () => ['--framework', 'ita-2569.json', '--responses', 'x.csv', '--colour'],
      /Unknown option '--colour'/,
    ],
    [
      'a framework that does not exist',
      () => ['--framework', 'ita-2999.json', '--responses', 'x.csv'],
      /framework file not found: ita-2999.json/,
    ],
    [
      'a broken framework, naming each fault',
      () => ['--framework', path.join(FIXTURES, 'broken-framework.json'), '--responses', 'x.csv'],
      /9 faults[\s\S]*questions\[1\]\.scale: unknown scale 'five'[\s\S]*passMark: 86/,
    ],
    [
      'a responses file that does not exist',
      () => ['--framework', 'ita-2569.json', '--responses', path.join(dir, 'absent.csv')],
      /responses file not found/,
    ],
    [
      'a responses file with faults, naming their lines',
      () => {
        const csv = path.join(dir, 'bad.csv');
        writeFileSync(csv, 'respondent,question,answer\ns1,i1,4\ns1,i99,1\ns2,i4,maybe\n');
        return ['--framework', 'ita-2569.json', '--responses', csv];
      },
      /line 3: unknown question i99[\s\S]*line 4: i4 needs yes or no, not 'maybe'/,
    ],
  ];
  for (const [what, args, message] of failures) {
    it(`exits 1 on ${what}`, () => {
      const r = itaScore(...args());
      assert.equal(r.status, 1);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /^error: /);
      assert.match(r.stderr, message);
    });
  }
});
