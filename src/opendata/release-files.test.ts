// The release files written piece by piece (release.ts) are exactly what the plain ways write:
// JSON.stringify of the records, and CSV lines of csvField cells (a leading '-', '=', '+' or '@'
// defused, quotes doubled), with a byte order mark and CRLF.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { seededRandom } from '../../test/support/random.ts';
import { csvField } from '../cases/export.ts';
import { type Cell, type Column, datasetOf } from './datasets.ts';
import { toCsv, toJson } from './release.ts';

const def = datasetOf('complaints-and-tips');
const column = (name: string): Column => ({ name, type: 'string', label: { th: name, en: name } });

function randomCell(rand: () => number): Cell {
  const pick = rand();
  if (pick < 0.2) return null;
  if (pick < 0.6) return Math.floor(rand() * 1000) * (rand() < 0.1 ? 0.1 : 1);
  if (pick < 0.65) return -Math.floor(rand() * 10);
  const texts = ['กรุงเทพมหานคร', 'a,b', 'say "hi"', '=SUM(A1)', '+1', '@x', 'line\nbreak', '\\', '😀 ข้อ', ''];
  return texts[Math.floor(rand() * texts.length)] as string;
}

describe('release files', () => {
  it('are byte for byte what JSON.stringify and csvField lines give, over several pieces', () => {
    assert.ok(def);
    const rand = seededRandom(5);
    const columns = ['month', 'agency_code', 'a "quoted" name', 'ชื่อ', 'n'].map(column);
    // enough rows that the files are written in more than one piece (1 MiB of text each)
    const rows = Array.from({ length: 40_000 }, () => columns.map(() => randomCell(rand)));
    const json = toJson(def, '2026-11', columns, rows);
    const records = rows.map((r) => Object.fromEntries(columns.map((c, i) => [c.name, r[i] ?? null])));
    assert.ok(json.equals(Buffer.from(JSON.stringify({ dataset: def.id, release: '2026-11', records }), 'utf8')));
    const line = (cells: Cell[]) => `${cells.map((c) => (c === null ? '' : csvField(String(c)))).join(',')}\r\n`;
    const csv = toCsv(columns, rows);
    assert.ok(csv.equals(Buffer.from(`\uFEFF${[columns.map((c) => c.name), ...rows].map(line).join('')}`, 'utf8')));
    assert.ok(json.length > 2 * 1024 * 1024 && csv.length > 1024 * 1024, 'several pieces');
  });

  it('an empty table is a header (CSV) and no records (JSON)', () => {
    assert.ok(def);
    assert.equal(
      toJson(def, '2026-11', [column('a')], []).toString(),
      '{"dataset":"complaints-and-tips","release":"2026-11","records":[]}',
    );
    assert.equal(toCsv([column('a'), column('b')], []).toString(), '\uFEFFa,b\r\n');
  });
});
