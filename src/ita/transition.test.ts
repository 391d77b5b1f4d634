import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadShippedFramework, parseFramework } from './framework.ts';
import { compareChecklists, continuedFrom, loadMapping, type Mapping } from './transition.ts';
import type { Framework } from './types.ts';

const text = (th: string) => ({ th, en: th });

/** A framework of one IIT question and the OIT items given as [id, Thai words]. */
function withItems(year: number, items: [string, string][]): Framework {
  return parseFramework({
    format: 'sujarit-ita-framework/1',
    fiscalYear: year,
    title: text(`ปี ${year}`),
    instruments: [
      { code: 'IIT', name: text('ภายใน'), weight: 0.5 },
      { code: 'OIT', name: text('เปิดเผย'), weight: 0.5 },
    ],
    indicators: [
      { number: 1, instrument: 'IIT', name: text('หน้าที่'), weight: 1 },
      { number: 9, instrument: 'OIT', name: text('เปิดเผย'), weight: 1 },
    ],
    scales: { two: { kind: 'levels', points: [0, 100], labels: [text('ไม่'), text('ใช่')] } },
    questions: [{ id: 'i1', indicator: 1, scale: 'two', text: text('ข้อ') }],
    checklist: items.map(([id, th]) => ({ id, indicator: 9, group: text('9.1'), text: text(th) })),
    grades: [{ grade: 'F', min: 0 }],
    passMark: 0,
    disclosureThreshold: 1,
  });
}

const y2568 = withItems(2568, [
  ['o1', 'โครงสร้าง'],
  ['o2', 'ข้อมูลผู้บริหาร'],
  ['o3', 'ประกาศเจตนารมณ์ No Gift Policy'],
  ['o4', 'รายงานผลตามนโยบาย No Gift Policy'],
  ['o5', 'แผนการจัดซื้อจัดจ้าง'],
  ['o6', 'กฎหมายที่เกี่ยวข้อง'],
]);
const y2569 = withItems(2569, [
  ['o1', 'ข้อมูลผู้บริหาร'],
  ['o2', 'โครงสร้าง  '],
  ['o3', 'นโยบาย No Gift Policy และรายงานผล'],
  ['o4', 'แผนและรายงานการจัดซื้อจัดจ้าง'],
  ['o5', 'ประมวลจริยธรรม'],
]);
const evidence = { status: 'unconfirmed' as const, sources: [], note: 'test' };
const mapping: Mapping = {
  from: 'a',
  to: 'b',
  links: [
    { from: ['o3', 'o4'], to: 'o3', evidence },
    { from: ['o5'], to: 'o4', evidence },
  ],
};

describe('compareChecklists', () => {
  it('finds items with the same words whatever their number, and new and dropped ones', () => {
    assert.deepEqual(compareChecklists(y2568, y2569), [
      { kind: 'same', from: 'o2', to: 'o1' },
      { kind: 'same', from: 'o1', to: 'o2' },
      { kind: 'new', to: 'o3' },
      { kind: 'new', to: 'o4' },
      { kind: 'new', to: 'o5' },
      { kind: 'dropped', from: 'o3' },
      { kind: 'dropped', from: 'o4' },
      { kind: 'dropped', from: 'o5' },
      { kind: 'dropped', from: 'o6' },
    ]);
  });

  it('takes renamed and merged items from a mapping, with its evidence', () => {
    const changes = compareChecklists(y2568, y2569, mapping);
    assert.deepEqual(
      changes.map((c) => [c.kind, 'from' in c ? c.from : null, 'to' in c ? c.to : null]),
      [
        ['same', 'o2', 'o1'],
        ['same', 'o1', 'o2'],
        ['merged', ['o3', 'o4'], 'o3'],
        ['renamed', 'o5', 'o4'],
        ['new', null, 'o5'],
        ['dropped', 'o6', null],
      ],
    );
    assert.deepEqual(
      [...continuedFrom(changes)],
      [
        ['o1', ['o2']],
        ['o2', ['o1']],
        ['o3', ['o3', 'o4']],
        ['o4', ['o5']],
      ],
    );
  });

  it('refuses a mapping that names items the years do not have, or continues one item twice', () => {
    const bad = (links: Mapping['links']) => () => compareChecklists(y2568, y2569, { from: 'a', to: 'b', links });
    assert.throws(bad([{ from: ['o9'], to: 'o1', evidence }]), /o9 is not an item of 2568/);
    assert.throws(bad([{ from: ['o1'], to: 'o9', evidence }]), /o9 is not an item of 2569/);
    assert.throws(
      bad([
        { from: ['o1'], to: 'o1', evidence },
        { from: ['o1'], to: 'o2', evidence },
      ]),
      /o1 continues into two items/,
    );
  });

  it('from NACC’s FY 2565 checklist to the FY 2569 draft: 21 items with the same words, 12 new, 22 dropped', () => {
    const changes = compareChecklists(loadShippedFramework('ita-2565.json'), loadShippedFramework('ita-2569.json'));
    const count = (kind: string) => changes.filter((c) => c.kind === kind).length;
    assert.deepEqual([count('same'), count('new'), count('dropped')], [21, 12, 22]);
    assert.ok(changes.some((c) => c.kind === 'same' && c.from === 'o36' && c.to === 'o27'));
  });

  it('from NACC’s FY 2565 checklist to the FY 2568 draft: 10 the same, 10 renamed and 2 merged by the shipped mapping', () => {
    const from = loadShippedFramework('ita-2565.json');
    const to = loadShippedFramework('ita-2568.json');
    const mapping = loadMapping('ita-2565.json', 'ita-2568.json');
    assert.ok(mapping, 'the mapping file ships');
    assert.ok(mapping.links.every((l) => l.evidence.status === 'unconfirmed' && l.evidence.note));
    const changes = compareChecklists(from, to, mapping);
    const count = (kind: string) => changes.filter((c) => c.kind === kind).length;
    assert.deepEqual(
      [count('same'), count('renamed'), count('merged'), count('new'), count('dropped')],
      [10, 10, 2, 6, 19],
    );
    assert.ok(changes.some((c) => c.kind === 'merged' && c.to === 'o1' && c.from.join() === 'o1,o3'));
    assert.ok(changes.some((c) => c.kind === 'same' && c.from === 'o29' && c.to === 'o17'));
    assert.ok(changes.some((c) => c.kind === 'same' && c.from === 'o42' && c.to === 'o27'));
  });
});
