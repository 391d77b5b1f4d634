import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { CASE_KINDS, CASE_STATUSES } from '../db/schema.ts';
import { ALL_CATEGORIES } from '../intake/limits.ts';
import { formatDate, formatMonth, messageKeys, translator } from './messages.ts';

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(path.join(dir, e.name)) : [path.join(dir, e.name)],
  );
}

describe('translations', () => {
  it('has the same keys in Thai and English', () => {
    assert.deepEqual(messageKeys('th').sort(), messageKeys('en').sort());
  });

  it('translates every key the code and the views name', () => {
    const src = path.join(import.meta.dirname, '..');
    const keys = new Set(messageKeys('th'));
    const used = new Set<string>();
    for (const f of files(src).filter((f) => /\.(ts|eta)$/.test(f) && !f.endsWith('.test.ts'))) {
      for (const m of readFileSync(f, 'utf8').matchAll(
        /['"]((?:app|nav|home|report|receipt|followup|case|category|status|role|removed|staff|error|admin|console|deadline|search|outcome|history|totp|setup|identity|witness|referral|audit|export|inbox|escrow|tracking|complaint|caller|kind|line|permit|figures|rating|ita|privacy|risk)\.[a-z_.]*[a-z_])['"]/g,
      ))
        used.add(m[1]);
    }
    for (const c of ALL_CATEGORIES) used.add(`category.${c}`);
    for (const c of ALL_CATEGORIES) if (c !== 'late_permit') used.add(`line.cat.${c}`);
    for (const k of CASE_KINDS) used.add(`kind.${k}`);
    for (const s of CASE_STATUSES) used.add(`status.${s}`);
    const missing = [...used].filter((k) => !keys.has(k));
    assert.deepEqual(missing, []);
    assert.ok(used.size > 100, `found ${used.size} keys`);
  });

  it('fills parameters', () => {
    assert.equal(translator('en')('staff.cases.total', { total: 3 }), '3 cases');
  });

  it('shows dates in the Buddhist Era, Bangkok time, in both languages', () => {
    const d = new Date('2026-01-02T07:05:00Z');
    assert.match(formatDate('th', d), /2569/);
    assert.match(formatDate('th', d), /14:05/);
    assert.match(formatDate('en', d), /2569/);
  });

  it('names a YYYY-MM month in the Buddhist Era in both languages, and leaves anything else as given', () => {
    assert.equal(formatMonth('th', '2026-10'), 'ตุลาคม 2569');
    assert.equal(formatMonth('en', '2026-10'), 'October 2569 BE');
    assert.equal(formatMonth('th', '2026-01'), 'มกราคม 2569');
    assert.equal(formatMonth('th', '2026-12'), 'ธันวาคม 2569');
    for (const odd of ['2026-13', '2026-1', '<b>', '']) assert.equal(formatMonth('th', odd), odd);
  });
});
