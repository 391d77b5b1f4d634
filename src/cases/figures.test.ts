// Public figures on a real database: counts per agency, kind and channel, the late-permit rules,
// ratings' means, fiscal-year bounds in Bangkok time, nothing about staff.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';

import { seedAgency, seedStaff } from '../../test/support/app.ts';
import { createTestDatabase, type TestDatabase } from '../../test/support/db.ts';
import type { CaseChannel, CaseKind, CaseOutcome, CaseStatus } from '../db/schema.ts';
import {
  complaintFigures,
  currentFiscalYear,
  figuresCsv,
  fiscalYearRange,
  ratingFigures,
  type AgencyFigures,
} from './figures.ts';

const NOW = new Date('2026-06-15T05:00:00Z'); // Bangkok 15 Jun 2569, 12:00
const CATEGORY: Record<CaseKind, string> = { tip: 'bribery', complaint: 'service_delay', permit: 'late_permit' };

describe('ratingFigures', () => {
  it('gives the count and the mean to 2 decimals, null without ratings', () => {
    const cases: [[number, number, number, number, number], number, number | null][] = [
      [[0, 0, 0, 0, 0], 0, null],
      [[1, 0, 0, 0, 0], 1, 1],
      [[1, 1, 1, 1, 1], 5, 3],
      [[0, 0, 1, 0, 2], 3, 4.33],
      [[2, 0, 0, 0, 1], 3, 2.33],
      [[0, 0, 0, 1, 2], 3, 4.67],
      [[0, 1, 0, 0, 1], 2, 3.5],
      [[1, 0, 0, 0, 7], 8, 4.5],
    ];
    for (const [dist, count, mean] of cases)
      assert.deepEqual(ratingFigures(dist), { count, mean, distribution: dist }, dist.join(','));
  });
});

describe('fiscal years', () => {
  it('runs from 1 October to 30 September, named by its Buddhist Era year, in Bangkok', () => {
    assert.deepEqual(fiscalYearRange(2569), { from: '2025-10-01', to: '2026-09-30' });
    assert.equal(currentFiscalYear(new Date('2025-09-30T16:59:00Z')), 2568);
    assert.equal(currentFiscalYear(new Date('2025-09-30T17:00:00Z')), 2569, 'already 1 October in Bangkok');
    assert.equal(currentFiscalYear(NOW), 2569);
  });
});

describe('complaintFigures', () => {
  let t: TestDatabase;
  let n = 0;
  const ids: Record<string, number> = {};
  before(async () => {
    t = await createTestDatabase();
    for (const code of ['AAA', 'BBB', 'CCC', 'PPP']) await seedAgency(t.db, code);
    for (const a of await t.db.selectFrom('agency').select(['id', 'code']).execute()) ids[a.code] = a.id;
    await seedStaff(t.db, 'AAA', 'officer-name@aaa.example', ['intake_officer', 'supervisor'], {
      displayName: 'สมชาย ใจดี',
    });
  });
  after(() => t.drop());

  const addCase = async (
    agency: string,
    kind: CaseKind,
    channel: CaseChannel,
    status: CaseStatus = 'new',
    createdAt = '2026-01-15T03:00:00Z',
  ) => {
    const id = randomUUID();
    await t.db
      .insertInto('report_case')
      .values({
        id,
        reference: `F-${++n}`,
        agency_id: ids[agency],
        category: CATEGORY[kind],
        channel,
        status,
        kind,
        has_identity: false,
        content: Buffer.from('sealed'),
        created_at: createdAt,
      })
      .execute();
    return id;
  };
  const addPermit = async (
    agency: string,
    p: { due: string; decision?: 'approved' | 'rejected'; decidedOn?: string; createdAt?: string },
  ) => {
    const id = await addCase(agency, 'permit', 'web', 'new', p.createdAt);
    await t.db
      .insertInto('permit_request')
      .values({
        case_id: id,
        agency_id: ids[agency],
        filed_on: '2025-08-01',
        manual_due_on: p.due,
        decision: p.decision ?? null,
        decided_on: p.decidedOn ?? null,
        next_notice_at: null,
      })
      .execute();
  };
  const addRatings = async (agency: string, scores: number[], ratedOn = '2026-03-01') => {
    for (const score of scores) {
      const id = await addCase(agency, 'complaint', 'line', 'closed');
      await t.db
        .insertInto('case_rating')
        .values({ case_id: id, agency_id: ids[agency], score, channel: 'line', rated_on: ratedOn })
        .execute();
    }
  };
  const of = (list: AgencyFigures[], code: string) => list.find((a) => a.code === code)!;

  it('counts complaints and tips apart, by channel, handled when concluded or closed, within the fiscal year in Bangkok time', async () => {
    await addCase('AAA', 'complaint', 'web');
    await addCase('AAA', 'complaint', 'line', 'closed');
    await addCase('AAA', 'complaint', 'line', 'concluded');
    await addCase('AAA', 'complaint', 'phone', 'investigating');
    await addCase('AAA', 'tip', 'web');
    await addCase('AAA', 'tip', 'api', 'closed');
    await addCase('AAA', 'complaint', 'walk_in', 'new', '2025-09-30T17:30:00Z'); // 1 Oct 2568 00:30 in Bangkok: FY 2569
    await addCase('AAA', 'complaint', 'walk_in', 'new', '2025-09-30T16:59:00Z'); // 30 Sep 23:59 in Bangkok: FY 2568
    await addCase('AAA', 'tip', 'web', 'new', '2026-09-30T17:00:00Z'); // 1 Oct 2569 in Bangkok: FY 2570
    await addCase('BBB', 'tip', 'hotline_1111', 'acknowledged');
    const fy = await complaintFigures({ db: t.db, ...fiscalYearRange(2569), now: NOW });
    const rows: [string, 'complaints' | 'tips', number, number, Partial<Record<CaseChannel, number>>][] = [
      ['AAA', 'complaints', 5, 2, { web: 1, line: 2, phone: 1, walk_in: 1 }],
      ['AAA', 'tips', 2, 1, { web: 1, api: 1 }],
      ['BBB', 'complaints', 0, 0, {}],
      ['BBB', 'tips', 1, 0, { hotline_1111: 1 }],
      ['CCC', 'complaints', 0, 0, {}],
    ];
    for (const [code, part, received, handled, channels] of rows) {
      const x = of(fy.agencies, code)[part];
      assert.equal(x.received, received, `${code} ${part} received`);
      assert.equal(x.handled, handled, `${code} ${part} handled`);
      assert.deepEqual(
        Object.fromEntries(Object.entries(x.byChannel).filter(([, v]) => v > 0)),
        channels,
        `${code} ${part} channels`,
      );
    }
    assert.deepEqual(
      fy.agencies.map((a) => a.code),
      ['AAA', 'BBB', 'CCC', 'PPP'],
      'every agency, zeros included',
    );
    assert.equal(fy.total.tips.received, 3);
    assert.equal(fy.total.complaints.byChannel.line, 2);
    const all = await complaintFigures({ db: t.db, now: NOW });
    assert.equal(of(all.agencies, 'AAA').complaints.received, 6);
    assert.equal(of(all.agencies, 'AAA').tips.received, 3);
    assert.deepEqual([all.from, all.to], [null, null]);
  });

  it('counts permits approved, rejected, pending and late against the manual’s deadline', async () => {
    const table: [string, { due: string; decision?: 'approved' | 'rejected'; decidedOn?: string }, boolean][] = [
      ['decided before the deadline', { due: '2026-01-10', decision: 'approved', decidedOn: '2026-01-05' }, false],
      ['decided on the deadline', { due: '2026-01-10', decision: 'rejected', decidedOn: '2026-01-10' }, false],
      ['decided a day after', { due: '2026-01-10', decision: 'approved', decidedOn: '2026-01-11' }, true],
      ['rejected a month after', { due: '2026-02-01', decision: 'rejected', decidedOn: '2026-03-01' }, true],
      ['undecided, deadline yesterday', { due: '2026-06-14' }, true],
      ['undecided, deadline today', { due: '2026-06-15' }, false],
    ];
    for (const [name, p, isLate] of table) {
      const before = of((await complaintFigures({ db: t.db, now: NOW })).agencies, 'PPP').permits.late;
      await addPermit('PPP', p);
      const after = of((await complaintFigures({ db: t.db, now: NOW })).agencies, 'PPP').permits.late;
      assert.equal(after - before, isLate ? 1 : 0, name);
    }
    await addPermit('PPP', { due: '2025-09-01', createdAt: '2025-09-01T03:00:00Z' }); // a complaint of FY 2568
    const fy = await complaintFigures({ db: t.db, ...fiscalYearRange(2569), now: NOW });
    assert.deepEqual(of(fy.agencies, 'PPP').permits, { received: 6, approved: 2, rejected: 2, late: 3, pending: 2 });
    assert.deepEqual(of(fy.agencies, 'PPP').complaints.received, 6, 'a permit complaint is a complaint');
    assert.deepEqual(of(fy.agencies, 'AAA').permits, { received: 0, approved: 0, rejected: 0, late: 0, pending: 0 });
    assert.deepEqual(of((await complaintFigures({ db: t.db, now: NOW })).agencies, 'PPP').permits, {
      received: 7,
      approved: 2,
      rejected: 2,
      late: 4,
      pending: 3,
    });
  });

  it('gives each agency its ratings’ count, mean and distribution, by the date rated', async () => {
    await addRatings('AAA', [5, 5, 4, 3, 1]);
    await addRatings('BBB', [4, 5, 5]);
    await addRatings('AAA', [1], '2025-09-30');
    const fy = await complaintFigures({ db: t.db, ...fiscalYearRange(2569), now: NOW });
    assert.deepEqual(of(fy.agencies, 'AAA').ratings, { count: 5, mean: 3.6, distribution: [1, 0, 1, 1, 2] });
    assert.deepEqual(of(fy.agencies, 'BBB').ratings, { count: 3, mean: 4.67, distribution: [0, 0, 0, 1, 2] });
    assert.deepEqual(of(fy.agencies, 'CCC').ratings, { count: 0, mean: null, distribution: [0, 0, 0, 0, 0] });
    assert.deepEqual(fy.total.ratings, { count: 8, mean: 4, distribution: [1, 0, 1, 2, 4] });
    assert.deepEqual(of((await complaintFigures({ db: t.db, now: NOW })).agencies, 'AAA').ratings.count, 6);
    const custom = await complaintFigures({ db: t.db, from: '2026-03-01', to: '2026-03-01', now: NOW });
    assert.equal(custom.total.ratings.count, 8, 'both bounds included');
  });

  it('counts closed complaints by outcome, never a tip’s, nor a complaint before closure', async () => {
    const withOutcome = async (kind: CaseKind, status: CaseStatus, outcome: CaseOutcome, createdAt?: string) => {
      const id = await addCase('CCC', kind, 'web', status, createdAt);
      await t.db.updateTable('report_case').set({ outcome }).where('id', '=', id).execute();
    };
    await withOutcome('complaint', 'closed', 'resolved');
    await withOutcome('permit', 'closed', 'resolved');
    await withOutcome('complaint', 'closed', 'partly_resolved');
    await withOutcome('complaint', 'closed', 'referred');
    await withOutcome('complaint', 'concluded', 'not_resolved'); // may still be sent back
    await withOutcome('tip', 'closed', 'substantiated');
    await withOutcome('complaint', 'closed', 'not_resolved', '2025-09-01T03:00:00Z'); // FY 2568
    const fy = await complaintFigures({ db: t.db, ...fiscalYearRange(2569), now: NOW });
    assert.deepEqual(of(fy.agencies, 'CCC').outcomes, {
      resolved: 2,
      partly_resolved: 1,
      not_resolved: 0,
      referred: 1,
    });
    assert.deepEqual(fy.total.outcomes, { resolved: 2, partly_resolved: 1, not_resolved: 0, referred: 1 });
    assert.equal(of(fy.agencies, 'CCC').complaints.handled, 5);
    assert.deepEqual(of((await complaintFigures({ db: t.db, now: NOW })).agencies, 'CCC').outcomes, {
      resolved: 2,
      partly_resolved: 1,
      not_resolved: 1,
      referred: 1,
    });
  });

  it('says nothing about staff, in the figures or the CSV', async () => {
    const fy = await complaintFigures({ db: t.db, ...fiscalYearRange(2569), now: NOW });
    for (const a of fy.agencies) {
      assert.deepEqual(Object.keys(a).sort(), [
        'code',
        'complaints',
        'nameEn',
        'nameTh',
        'outcomes',
        'permits',
        'ratings',
        'tips',
      ]);
      assert.deepEqual(Object.keys(a.ratings).sort(), ['count', 'distribution', 'mean']);
    }
    const staff = await t.db.selectFrom('staff_user').select(['id', 'email', 'display_name']).executeTakeFirstOrThrow();
    for (const text of [JSON.stringify(fy), figuresCsv(fy)]) {
      assert.ok(
        !text.includes(staff.email) &&
          !text.includes('officer') &&
          !text.includes(staff.display_name) &&
          !/user|staff|actor/i.test(text),
      );
    }
  });

  it('writes one CSV row per agency and a total, codes as headers', async () => {
    const csv = figuresCsv(await complaintFigures({ db: t.db, ...fiscalYearRange(2569), now: NOW }));
    assert.ok(csv.startsWith('\uFEFFagency_code,agency_name_th,agency_name_en,complaints_received,complaints_web,'));
    const lines = csv.slice(1).trimEnd().split('\r\n');
    assert.equal(lines.length, 6);
    const header = lines[0].split(',');
    const aaa = Object.fromEntries(lines[1].split(',').map((v, i) => [header[i], v]));
    assert.equal(aaa.agency_code, 'AAA');
    assert.equal(aaa.ratings_mean, '3.60');
    assert.equal(aaa.complaints_line, '8'); // two filed and six rated complaints came by LINE
    const total = Object.fromEntries(lines[5].split(',').map((v, i) => [header[i], v]));
    assert.equal(total.agency_code, 'ALL');
    assert.equal(total.permits_late, '3');
    const ccc = Object.fromEntries(lines[3].split(',').map((v, i) => [header[i], v]));
    assert.deepEqual(
      [
        ccc.agency_code,
        ccc.complaints_resolved,
        ccc.complaints_partly_resolved,
        ccc.complaints_not_resolved,
        ccc.complaints_referred,
      ],
      ['CCC', '2', '1', '0', '1'],
    );
    assert.equal(total.complaints_resolved, '2');
  });

  it('refuses malformed or reversed dates', async () => {
    await assert.rejects(complaintFigures({ db: t.db, from: '2026-02-30' }), {
      code: 'invalid_input',
      fields: { from: 'error.field.invalid' },
    });
    await assert.rejects(complaintFigures({ db: t.db, to: "2026-01-01'; drop table report_case; --" }), {
      code: 'invalid_input',
    });
    await assert.rejects(complaintFigures({ db: t.db, from: '2026-02-01', to: '2026-01-01' }), {
      code: 'invalid_input',
      fields: { to: 'error.figures_range' },
    });
  });
});
