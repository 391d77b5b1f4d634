// Disclosure control against an attacker written apart from it (test/support/disclosure-attack.ts):
// no published count from 1 to 4, and no suppressed count recovered by subtraction, bounds, linear
// algebra or enumeration, on hand-made tables and on thousands of random ones, including totals
// shared between tables. The attacker itself is shown to work: without the complements it wins.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { attack, type Relation } from '../../test/support/disclosure-attack.ts';
import { seededRandom } from '../../test/support/random.ts';
import { type Constraint, rowConstraints, suppress, THRESHOLD } from './disclosure.ts';

/** What an attacker sees: each constraint with the published numbers and the empty cells. */
function published(values: number[], hidden: boolean[], constraints: Constraint[]): Relation[] {
  return constraints.map((c) => ({
    cells: c.cells.map((x, i) => ({ name: `c${x}`, value: hidden[x] ? null : values[x], coef: c.coef[i] })),
  }));
}

/** A random system: rows with a total and 1–3 groups each summing to it; some rows share a cell as another row's total. */
function randomSystem(rand: () => number): { values: number[]; constraints: Constraint[] } {
  const values: number[] = [];
  const constraints: Constraint[] = [];
  const rows = 1 + Math.floor(rand() * 4);
  let link: number | null = null;
  for (let r = 0; r < rows; r++) {
    const total = link ?? values.push(Math.floor(rand() * (rand() < 0.5 ? 12 : 60))) - 1;
    const groups: number[][] = [];
    for (let g = 0, n = 1 + Math.floor(rand() * 3); g < n; g++) {
      const width = 2 + Math.floor(rand() * 4);
      const parts = Array.from({ length: width }, () => 0);
      for (let k = 0; k < values[total]; k++) parts[Math.floor(rand() * width * rand()) % width]++;
      groups.push(parts.map((v) => values.push(v) - 1));
    }
    constraints.push(...rowConstraints(total, groups));
    // the next row's total is one of this row's cells (as the permits' total is the cases' kind_permit)
    link = rand() < 0.5 ? groups[0][0] : null;
  }
  return { values, constraints };
}

describe('disclosure control', () => {
  it('hides the small counts and what would give them back', () => {
    // a total of 7: 5, 1, 1 — the two 1s alone would be recovered (each at least 1, together 2)
    const values = [7, 5, 1, 1];
    const constraints = rowConstraints(0, [[1, 2, 3]]);
    const hidden = suppress(values, constraints);
    assert.deepEqual(hidden, [false, true, true, true]);
    assert.equal(attack(published(values, hidden, constraints)).size, 0);
  });

  it('a lone small count takes the next smallest with it', () => {
    const values = [30, 20, 7, 3];
    const constraints = rowConstraints(0, [[1, 2, 3]]);
    const hidden = suppress(values, constraints);
    assert.deepEqual(hidden, [false, false, true, true]);
    assert.equal(attack(published(values, hidden, constraints)).size, 0);
  });

  it('publishes zeros and counts of 5 and more untouched when nothing needs hiding', () => {
    const values = [15, 0, 5, 10];
    assert.deepEqual(suppress(values, rowConstraints(0, [[1, 2, 3]])), [false, false, false, false]);
  });

  it('a row of ones loses its total too', () => {
    const values = [5, 1, 1, 1, 1, 1];
    const constraints = rowConstraints(0, [[1, 2, 3, 4, 5]]);
    const hidden = suppress(values, constraints);
    assert.equal(hidden[0], true);
    assert.equal(attack(published(values, hidden, constraints)).size, 0);
  });

  it('the attacker recovers cells when only the small counts are hidden (so its silence means something)', () => {
    const values = [30, 20, 7, 3];
    const constraints = rowConstraints(0, [[1, 2, 3]]);
    const primaryOnly = values.map((v) => v > 0 && v < THRESHOLD);
    assert.deepEqual([...attack(published(values, primaryOnly, constraints))], [['c3', 3]]);
  });

  it('the direct shortcut hides exactly what the attacks alone would (random systems and case-shaped rows)', () => {
    const rand = seededRandom(29);
    let shortcutUsed = 0;
    for (let n = 0; n < 3000; n++) {
      const { values, constraints } = randomSystem(rand);
      const direct = suppress(values, constraints);
      assert.deepEqual(direct, suppress(values, constraints, { direct: false }), `system ${n}`);
      if (direct.some(Boolean)) shortcutUsed += 1;
    }
    // rows as the complaints table has them: a total and seven groups of 3 to 13 cells, some linked to a permit row
    for (let n = 0; n < 300; n++) {
      const values: number[] = [];
      const constraints: Constraint[] = [];
      const total = values.push(1 + Math.floor(rand() * 80)) - 1;
      const groups = [3, 4, 13, 10, 4, 4, 4].map((width) => {
        const parts = Array.from({ length: width }, () => 0);
        for (let k = 0; k < (values[total] as number); k++) parts[Math.floor(rand() ** 1.5 * width)]++;
        return parts.map((v) => values.push(v) - 1);
      });
      constraints.push(...rowConstraints(total, groups));
      const kindPermit = (groups[0] as number[])[2] as number;
      if (rand() < 0.5) {
        const parts = Array.from({ length: 6 }, () => 0);
        for (let k = 0; k < (values[kindPermit] as number); k++) parts[Math.floor(rand() * 6)]++;
        constraints.push(...rowConstraints(kindPermit, [parts.map((v) => values.push(v) - 1)]));
      }
      const hidden = suppress(values, constraints);
      assert.deepEqual(hidden, suppress(values, constraints, { direct: false }), `row ${n}`);
      assert.equal(attack(published(values, hidden, constraints)).size, 0, `row ${n}`);
    }
    assert.ok(shortcutUsed > 500, 'the random systems exercise suppression');
  });

  it('random tables with shared totals: nothing below 5 shown, nothing recovered (1,000 systems)', () => {
    const rand = seededRandom(17);
    let hiddenCells = 0;
    for (let n = 0; n < 1000; n++) {
      const { values, constraints } = randomSystem(rand);
      const hidden = suppress(values, constraints);
      values.forEach((v, i) => {
        if (v > 0 && v < THRESHOLD) assert.ok(hidden[i], `system ${n}: cell ${i} = ${v} published`);
      });
      hiddenCells += hidden.filter(Boolean).length;
      const found = attack(published(values, hidden, constraints));
      assert.equal(
        found.size,
        0,
        `system ${n}: recovered ${JSON.stringify([...found])} from ${JSON.stringify({ values, hidden, constraints })}`,
      );
    }
    assert.ok(hiddenCells > 300, 'the random systems exercise suppression');
  });
});
