// The shipped framework files: each validates, each item says where its number and words come from,
// and the FY 2565 file has not drifted from the source tables kept beside it
// (src/ita/frameworks/sources/*.tsv, transcribed from the cited pages).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { FRAMEWORKS_DIR, listFrameworks, loadShippedFramework } from './framework.ts';
import type { Evidence } from './types.ts';

/** The rows of a source table: tab-separated, `#` lines are the citation and the column names. */
function table(name: string): string[][] {
  return readFileSync(path.join(FRAMEWORKS_DIR, 'sources', name), 'utf8')
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => l.split('\t'));
}

describe('every shipped framework', () => {
  for (const name of listFrameworks()) {
    it(`${name} cites a known source for every indicator, sub-indicator, question and item`, () => {
      const f = loadShippedFramework(name);
      assert.ok(f.sources, 'it declares its sources');
      const all: [string, Evidence | undefined][] = [
        ...f.indicators.map((i) => [`indicator ${i.number}`, i.evidence] as [string, Evidence | undefined]),
        ...(f.subIndicators ?? []).map((s) => [s.id, s.evidence] as [string, Evidence | undefined]),
        ...f.questions.map((q) => [q.id, q.evidence] as [string, Evidence | undefined]),
        ...f.checklist.map((c) => [c.id, c.evidence] as [string, Evidence | undefined]),
        ...['weights', 'grades', 'passMark', 'minSample', 'answerPoints', 'scoring'].map(
          (t) => [t, f.evidence?.[t]] as [string, Evidence | undefined],
        ),
      ];
      for (const [what, e] of all) {
        assert.ok(e, `${what} has evidence`);
        for (const s of e.sources) assert.ok(Object.hasOwn(f.sources!, s), `${what}: source ${s} is declared`);
        if (e.status === 'unconfirmed') assert.ok(e.note, `${what}: an unconfirmed claim says why`);
      }
    });
  }

  it('marks a draft as such, in its title too, and claims nothing in it as quoted', () => {
    for (const name of listFrameworks()) {
      const f = loadShippedFramework(name);
      if (!f.isDraft) continue;
      assert.match(f.title.th, /^ร่าง/);
      assert.match(f.title.en, /^Draft/);
      const statuses = new Set([...f.questions, ...f.checklist].map((x) => x.evidence?.status));
      assert.deepEqual([...statuses], ['unconfirmed']);
    }
  });
});

describe('ita-2565.json (NACC FY 2565, the 43-item OIT of 2563–2565)', () => {
  const f = loadShippedFramework('ita-2565.json');

  it('has O1–O43 in sub-indicators 9.1–9.5 and 10.1–10.2 of 9, 8, 7, 4, 5, 8 and 2 items', () => {
    assert.deepEqual(
      f.checklist.map((c) => c.number),
      Array.from({ length: 43 }, (_, k) => `O${k + 1}`),
    );
    assert.deepEqual(
      (f.subIndicators ?? []).map((s) => [s.id, f.checklist.filter((c) => c.subIndicator === s.id).length]),
      [
        ['9.1', 9],
        ['9.2', 8],
        ['9.3', 7],
        ['9.4', 4],
        ['9.5', 5],
        ['10.1', 8],
        ['10.2', 2],
      ],
    );
    assert.deepEqual(
      f.checklist.filter((c) => c.source === 'complaint-figures').map((c) => c.number),
      ['O31'],
    );
  });

  it('has I1–I30 on indicators 1–5 and E1–E15 on indicators 6–8, six and five a piece', () => {
    const main = [...new Map(f.questions.map((q) => [q.parent ?? q.id, q])).values()];
    assert.deepEqual(
      main.map((q) => q.number),
      [...Array.from({ length: 30 }, (_, k) => `I${k + 1}`), ...Array.from({ length: 15 }, (_, k) => `E${k + 1}`)],
    );
    for (let n = 1; n <= 8; n += 1)
      assert.equal(main.filter((q) => q.indicator === n).length, n <= 5 ? 6 : 5, `indicator ${n}`);
  });

  it('matches the OIT source table: number, sub-indicator, name and the sources cited', () => {
    const rows = table('ita-2565-oit.tsv');
    assert.equal(rows.length, f.checklist.length);
    rows.forEach(([id, number, sub, name, sources], k) => {
      const c = f.checklist[k]!;
      assert.deepEqual(
        [c.id, c.number, c.subIndicator, c.text.th, c.evidence?.sources.join(',')],
        [id, number, sub, name, sources],
        `row ${k + 1}`,
      );
    });
  });

  it('matches the IIT source table: number, indicator, stem and parts', () => {
    const rows = table('ita-2565-iit.tsv');
    const iit = f.questions.filter((q) => q.indicator <= 5);
    const stems = rows.filter((r) => r[3] === '');
    const parts = rows.filter((r) => r[3] !== '');
    assert.deepEqual(
      stems.map(([id, number, indicator, , text]) => [id, number, Number(indicator), text]),
      [...new Map(iit.map((q) => [q.parent ?? q.id, q])).values()].map((q) => [
        q.parent ?? q.id,
        q.number,
        q.indicator,
        (q.stem ?? q.text).th,
      ]),
    );
    assert.deepEqual(
      parts.map(([id, , , , text]) => [id, text]),
      iit.filter((q) => q.part).map((q) => [q.id, q.part!.th]),
    );
  });

  it('says which claims are unconfirmed (the answer points, the EIT wording) and which are quoted (grades, pass mark)', () => {
    assert.equal(f.evidence?.answerPoints?.status, 'unconfirmed');
    assert.equal(f.evidence?.passMark?.status, 'quoted');
    assert.equal(f.evidence?.grades?.status, 'quoted');
    assert.deepEqual(
      f.grades.map((g) => [g.grade, g.min]),
      [
        ['AA', 9500],
        ['A', 8500],
        ['B', 7500],
        ['C', 6500],
        ['D', 5500],
        ['E', 5000],
        ['F', 0],
      ],
      'the seven bands of the FY 2565 annual report (sme-2565-annual-report)',
    );
    assert.equal(f.passMark, 8500);
    assert.ok(f.questions.filter((q) => q.indicator >= 6).every((q) => q.evidence?.status === 'unconfirmed'));
    assert.ok(f.questions.filter((q) => q.indicator <= 5).every((q) => q.evidence?.status === 'other-year'));
  });
});

describe('ita-2568.json (draft: the FY 2568 OIT as one agency prints it)', () => {
  const f = loadShippedFramework('ita-2568.json');
  const rows = table('ita-2568-oit.tsv');

  it('is a draft with O1–O28, O1–O20 on indicator 9 and O21–O28 on indicator 10, no sub-indicators', () => {
    assert.equal(f.isDraft, true);
    assert.deepEqual(
      f.checklist.map((c) => [c.number, c.indicator]),
      Array.from({ length: 28 }, (_, k) => [`O${k + 1}`, k < 20 ? 9 : 10]),
    );
    assert.equal(f.subIndicators, undefined);
    assert.deepEqual(
      f.checklist.filter((c) => c.source === 'complaint-figures').map((c) => c.number),
      ['O19'],
    );
  });

  it('matches the source table: number, topic heading, and the name as the quoted heading less what the table says was cut', () => {
    assert.equal(rows.length, f.checklist.length);
    rows.forEach(([id, number, indicator, heading, name, quoted, cut, from], k) => {
      const c = f.checklist[k]!;
      assert.deepEqual(
        [c.id, c.number, c.indicator, c.group.th, c.text.th],
        [id, number, Number(indicator), heading, name],
        `row ${k + 1}`,
      );
      assert.equal(quoted, `${number} ${name}${cut ?? ''}`, `row ${k + 1}: the table is consistent`);
      assert.ok(from === 'page' || from === 'code', `row ${k + 1}: says where it was captured`);
      assert.ok(c.evidence?.sources.includes('rtrda-ita-2568'));
    });
  });

  it('cuts only the agency’s year or its ministry from a heading, never NACC’s words', () => {
    const cuts = rows.map((r) => r[6] ?? '').filter((c) => c !== '');
    for (const cut of cuts) assert.match(cut, /^( พ\.ศ\. 25\d\d|ของกระทรวงคมนาคม ประจำปีงบประมาณ พ\.ศ\. 25\d\d)$/);
  });

  it('claims nothing as confirmed: every item, question and framework-wide figure is unconfirmed', () => {
    const all = [...f.indicators, ...f.questions, ...f.checklist].map((x) => x.evidence?.status);
    assert.deepEqual([...new Set(all)], ['unconfirmed']);
    for (const t of ['weights', 'grades', 'passMark', 'minSample', 'answerPoints', 'scoring'])
      assert.equal(f.evidence?.[t]?.status, 'unconfirmed', t);
  });
});
