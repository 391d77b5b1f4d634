// The attacker with two monthly releases: each release repeats every earlier month, and a past
// month's kind, channel, category and total do not change from one release to the next while its
// states and clocks do (cases move on). Playing both releases together (a cell of a stable column
// is the same unknown in both; one shown in either is known; a state or clock cell is each
// release's own unknown), no empty cell is recovered. What changed between the two, a flow of cases
// from one state to another, is published by design (docs/opendata.md, the known limit).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestApp, seedAgency, type TestApp } from '../../test/support/app.ts';
import { attack, type Relation } from '../../test/support/disclosure-attack.ts';
import { NOW, seedFixture } from '../../test/support/opendata.ts';
import { CASE_GROUPS } from './counts.ts';
import { loadRelease, releaseMonth } from './release.ts';

type Rec = Record<string, string | number | null>;
const STABLE = new Set(['kind', 'channel', 'category']);
const DEC = new Date(Date.UTC(2026, 11, 15, 5));

describe('two releases against one attacker', () => {
  let h: TestApp;
  before(async () => {
    h = await createTestApp();
    for (const code of ['LOCAL1', 'LOCAL2', 'CENT1']) await seedAgency(h.db, code);
    const ids = await seedFixture(h.db);
    await releaseMonth({ db: h.db, now: NOW });
    // Between the releases, LOCAL1's two new October complaints are acknowledged and three of its
    // LINE tips are closed: October's states and clocks change, its kinds, channels and categories do not.
    const cases = await h.db
      .selectFrom('report_case')
      .select(['id', 'status', 'kind'])
      .where('agency_id', '=', ids.LOCAL1)
      .execute();
    const fresh = cases.filter((c) => c.status === 'new').map((c) => c.id);
    const tips = cases.filter((c) => c.kind === 'tip').map((c) => c.id);
    await h.db.updateTable('report_case').set({ status: 'acknowledged' }).where('id', 'in', fresh).execute();
    await h.db
      .updateTable('report_case')
      .set({ status: 'closed', outcome: 'not_substantiated' })
      .where('id', 'in', tips.slice(0, 3))
      .execute();
    for (const id of fresh)
      await h.db
        .insertInto('case_event')
        .values({
          case_id: id,
          at: NOW,
          kind: 'status',
          from_status: 'new',
          to_status: 'acknowledged',
          for_reporter: true,
        })
        .execute();
    for (const id of tips.slice(0, 3))
      await h.db
        .insertInto('case_event')
        .values({
          case_id: id,
          at: NOW,
          kind: 'status',
          from_status: 'investigating',
          to_status: 'closed',
          for_reporter: true,
        })
        .execute();
    await releaseMonth({ db: h.db, now: DEC });
  });
  after(() => h.close());

  it('recovers no empty cell from the October and November releases together', async () => {
    const records = async (month: string) =>
      (JSON.parse((await loadRelease(h.db, 'complaints-and-tips', month)).json.toString('utf8')) as { records: Rec[] })
        .records;
    const releases = { oct: await records('2026-10'), nov: await records('2026-11') };
    const october = (rows: Rec[]) => rows.filter((r) => r.month === '2026-10');
    assert.equal(october(releases.oct).length, october(releases.nov).length, 'November repeats October');
    const changed = october(releases.oct).some((r) => {
      const n = october(releases.nov).find((x) => x.agency_code === r.agency_code) as Rec;
      return Object.keys(r).some((k) => r[k] !== n[k]);
    });
    assert.ok(changed, 'October reads differently in November');
    // a stable cell shown in either release is known to the attacker in both
    const known = new Map<string, number>();
    const nameOf = (release: string, r: Rec, group: string, k: string) =>
      STABLE.has(group) || k === 'received'
        ? `${r.agency_code}/${r.month}/${k}`
        : `${release}/${r.agency_code}/${r.month}/${k}`;
    for (const [release, rows] of Object.entries(releases))
      for (const r of rows)
        for (const g of CASE_GROUPS)
          for (const k of [...g.columns, 'received'])
            if (typeof r[k] === 'number') known.set(nameOf(release, r, g.name, k), r[k] as number);
    const relations: Relation[] = [];
    const hidden = new Set<string>();
    for (const [release, rows] of Object.entries(releases))
      for (const r of rows)
        for (const g of CASE_GROUPS) {
          const cells = [...g.columns, 'received'].map((k) => {
            const name = nameOf(release, r, g.name, k);
            const value = known.get(name) ?? null;
            if (value === null) hidden.add(name);
            return { name, value, coef: k === 'received' ? -1 : 1 };
          });
          relations.push({ cells });
        }
    assert.ok(hidden.size > 0, 'something is hidden in both releases');
    // nothing: neither a stable cell nor a release's own state or clock cell through the other's totals
    assert.deepEqual([...attack(relations).keys()], []);
  });
});
