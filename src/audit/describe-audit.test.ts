import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { translator } from '../i18n/messages.ts';
import { AUDIT_GROUPS, auditFields, peopleIn } from './describe-audit.ts';
import { AUDIT_ACTIONS } from './record-audit.ts';

describe('AUDIT_GROUPS', () => {
  it('holds every kind of event exactly once', () => {
    const grouped = AUDIT_GROUPS.flatMap((g) => [...g.actions]);
    assert.deepEqual([...grouped].sort(), [...AUDIT_ACTIONS].sort());
    assert.equal(new Set(grouped).size, grouped.length);
  });

  it('names every kind of event and every group in Thai and in English', () => {
    for (const lang of ['th', 'en'] as const) {
      const t = translator(lang);
      const unnamed = [
        ...AUDIT_ACTIONS.map((a) => `audit.action.${a}`),
        ...AUDIT_GROUPS.map((g) => `audit.group.${g.key}`),
      ].filter((k) => t(k) === k);
      assert.deepEqual(unnamed, [], lang);
    }
  });
});

describe('auditFields', () => {
  it('reads a change of roles as people and roles, an empty list as a dash', () => {
    const fields = auditFields({
      user: 7,
      before: [],
      after: ['intake_officer'],
      requested: ['investigator'],
      keysDropped: 0,
    });
    assert.deepEqual(fields, [
      { path: ['user'], value: { kind: 'person', id: 7 } },
      { path: ['before'], value: { kind: 'text', value: '—' } },
      { path: ['after'], value: { kind: 'roles', roles: ['intake_officer'] } },
      { path: ['requested'], value: { kind: 'roles', roles: ['investigator'] } },
      { path: ['keysDropped'], value: { kind: 'number', value: 0 } },
    ]);
    assert.deepEqual(peopleIn(fields), [7]);
  });

  it('gives a year as it is written, not as a quantity with a thousands separator', () => {
    assert.deepEqual(auditFields({ fiscalYear: 2570, year: 2569, count: 2570 }), [
      { path: ['fiscalYear'], value: { kind: 'text', value: '2570' } },
      { path: ['year'], value: { kind: 'text', value: '2569' } },
      { path: ['count'], value: { kind: 'number', value: 2570 } },
    ]);
  });

  it('flattens nested settings into labelled paths', () => {
    const fields = auditFields({
      before: { deadlines: {}, categoryDeadlines: {} },
      after: { deadlines: { ackDays: 5, pauseWhileWaiting: true }, categoryDeadlines: { bribery: { ackDays: 2 } } },
    });
    assert.deepEqual(
      fields.map((f) => [f.path.join(' › '), f.value]),
      [
        ['before › deadlines', { kind: 'text', value: '—' }],
        ['before › categoryDeadlines', { kind: 'text', value: '—' }],
        ['after › deadlines › ackDays', { kind: 'number', value: 5 }],
        ['after › deadlines › pauseWhileWaiting', { kind: 'bool', value: true }],
        ['after › categoryDeadlines › bribery › ackDays', { kind: 'number', value: 2 }],
      ],
    );
  });

  it('names a purpose that is a kind of event, and keeps other text with its key', () => {
    assert.deepEqual(auditFields({ purpose: 'message_posted', factor: 'second', users: [3, 4] }), [
      { path: ['purpose'], value: { kind: 'action', action: 'message_posted' } },
      { path: ['factor'], value: { kind: 'text', value: 'second', key: 'factor' } },
      {
        path: ['users'],
        value: [
          { kind: 'person', id: 3 },
          { kind: 'person', id: 4 },
        ],
      },
    ]);
  });
});
