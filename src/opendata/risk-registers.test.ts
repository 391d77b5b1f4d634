// The published corruption-risk registers' summaries as an open dataset: each agency and year's
// latest publication up to the month released, counted from the register as published (hand
// counts), its digest as the ledger holds it; a publication after the month, a withdrawn risk, and
// a register never published are not in it; no free text of the register reaches the files.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestApp, seedAgency, seedStaff, type TestApp } from '../../test/support/app.ts';
import { NOW } from '../../test/support/opendata.ts';
import { datasets } from './datasets.ts';
import { loadRelease, releaseMonth } from './release.ts';
import { summaryOf } from './risk-registers.ts';

const SECRET = 'ข้อความอิสระในทะเบียน-ห้ามเผยแพร่';
const risk = (state: string, residual: [number | null, number | null], done: (string | null)[]) => ({
  number: 1,
  state,
  area: 'procurement',
  event: SECRET,
  owner: SECRET,
  residual,
  actions: done.map((d) => ({ title: SECRET, doneOn: d })),
});
const snapshot = (risks: unknown[]) => JSON.stringify({ agency: 'X', fiscalYear: 2570, matrix: 'nacc-5x5', risks });

describe('risk registers dataset', () => {
  let h: TestApp;
  before(async () => {
    h = await createTestApp();
    for (const code of ['LOCAL1', 'CENT1', 'NOPUB']) await seedAgency(h.db, code);
    const staff = await seedStaff(h.db, 'LOCAL1', 'risk@local1.example', ['risk_officer']);
    const agency = async (code: string) =>
      (await h.db.selectFrom('agency').select('id').where('code', '=', code).executeTakeFirstOrThrow()).id;
    const register = async (code: string, fy: number) =>
      (
        await h.db
          .insertInto('risk_register')
          .values({ agency_id: await agency(code), fiscal_year: fy, matrix_name: 'nacc-5x5', created_by: staff.id })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    const publish = async (registerId: number, at: string, text: string, digest: number) =>
      h.db
        .insertInto('risk_publication')
        .values({
          register_id: registerId,
          outbox_id: 1,
          digest: Buffer.alloc(32, digest),
          snapshot: text,
          opening: '{}',
          published_by: staff.id,
          published_at: new Date(at),
        })
        .execute();
    const local = await register('LOCAL1', 2570);
    // superseded in the same month by the second publication, which a later one (November) does not replace
    await publish(local, '2026-10-02T03:00:00Z', snapshot([risk('assessed', [5, 5], [])]), 1);
    await publish(
      local,
      '2026-10-20T03:00:00Z',
      snapshot([
        risk('assessed', [5, 5], ['2026-10-10', null]),
        risk('assessed', [3, 4], [null]),
        risk('assessed', [1, 2], []),
        risk('candidate', [null, null], []),
        risk('withdrawn', [5, 5], ['2026-10-01']),
      ]),
      2,
    );
    await publish(local, '2026-11-05T03:00:00Z', snapshot([]), 3);
    const cent = await register('CENT1', 2569);
    await publish(cent, '2026-09-30T03:00:00Z', snapshot([risk('assessed', [2, 3], ['2026-09-01'])]), 4);
    await register('NOPUB', 2570);
    await releaseMonth({ db: h.db, now: NOW });
  });
  after(() => h.close());

  it('is in the catalogue, released with the others', () => {
    assert.ok(datasets().some((d) => d.id === 'risk-registers'));
  });

  it('counts each register as last published up to the month, by residual level (hand counts)', async () => {
    const { records } = JSON.parse((await loadRelease(h.db, 'risk-registers', '2026-10')).json.toString('utf8')) as {
      records: Record<string, string | number | null>[];
    };
    assert.deepEqual(
      records.map((r) => [
        r.fiscal_year,
        r.agency_code,
        r.published_month,
        r.risks,
        r.risks_very_high,
        r.risks_high,
        r.risks_medium,
        r.risks_low,
        r.risks_unrated,
        r.actions,
        r.actions_done,
      ]),
      [
        // NACC 5 × 5 bands (likelihood × impact): low from 1, medium from 4, high from 9, very high from 15
        // CENT1: 2 × 3 = 6 medium; LOCAL1: 25 very high, 12 high, 2 low, one candidate unrated, one withdrawn left out
        [2569, 'CENT1', '2026-09', 1, 0, 0, 1, 0, 0, 1, 1],
        [2570, 'LOCAL1', '2026-10', 4, 1, 1, 0, 1, 1, 3, 1],
      ],
    );
    assert.equal(records[1].register_sha256, '02'.repeat(32), 'the digest of the publication counted');
    const csv = (await loadRelease(h.db, 'risk-registers', '2026-10')).csv.toString('utf8');
    assert.ok(!csv.includes(SECRET) && !JSON.stringify(records).includes(SECRET), 'no free text of the register');
    assert.ok(!csv.includes('NOPUB'), 'a register never published is not listed');
  });

  it('reads odd or hostile snapshots without failing: unknown matrix, missing fields, out-of-range ratings', () => {
    assert.deepEqual(summaryOf({}), [0, 0, 0, 0, 0, 0, 0, 0]);
    assert.deepEqual(
      summaryOf({ matrix: 'no-such', risks: [{ residual: [99, 99], actions: [{ doneOn: '' }] }] }),
      [1, 1, 0, 0, 0, 0, 1, 0],
    );
  });
});
