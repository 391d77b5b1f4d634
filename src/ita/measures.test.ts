// The measures plan and its progress on real PostgreSQL: round trip, validation with every field at
// fault, money, who may edit, measures of another cycle, a closed cycle, the audit, and the
// monitoring report built from them.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { itaActors } from '../../test/support/ita.ts';
import { createTestDatabase, type TestDatabase } from '../../test/support/db.ts';
import type { AppError } from '../errors.ts';
import type { StaffActor } from '../staff/session.ts';
import { closeCycle, openCycle, type Cycle } from './cycles.ts';
import { listFrameworks } from './framework.ts';
import {
  listMeasures,
  loadMeasure,
  MEASURE_LIMITS,
  parseBaht,
  saveMeasure,
  saveProgress,
  type MeasureInput,
} from './measures.ts';
import { buildMonitoringReport, parseReportOptions, reportFileName } from './monitoring-report.ts';

const code = (want: string) => (e: unknown) => (e as AppError).code === want;
const GOOD: MeasureInput = {
  indicator: '4',
  title: 'ควบคุมการยืมทรัพย์สินของราชการ',
  objective: 'ลดการนำทรัพย์สินไปใช้ส่วนตัว',
  steps: 'ออกระเบียบการยืม\nตรวจนับทุกไตรมาส',
  responsibleUnit: 'กลุ่มงานบริหารจัดการองค์กร',
  startsOn: '2025-10-01',
  endsOn: '2026-09-30',
  budget: '12,500.50',
};

describe('ITA measures', () => {
  let t: TestDatabase;
  const who: Record<string, StaffActor> = {};
  let cycle: Cycle;
  let nacc: Cycle;

  before(async () => {
    t = await createTestDatabase(4);
    Object.assign(who, await itaActors(t.db));
    cycle = await openCycle({
      db: t.db,
      actor: who['admin@opdc.example'],
      fiscalYear: 2569,
      frameworkName: listFrameworks()[0],
      staffCount: 40,
    });
    nacc = await openCycle({
      db: t.db,
      actor: who['admin@nacc.example'],
      fiscalYear: 2569,
      frameworkName: listFrameworks()[0],
      staffCount: 40,
    });
  });
  after(() => t.drop());

  it('adds, reads back, edits a measure and records both rounds of progress, audited', async () => {
    const id = await saveMeasure({ db: t.db, actor: who['assessor@opdc.example'], cycleId: cycle.id, input: GOOD });
    const { measure } = await loadMeasure({
      db: t.db,
      actor: who['admin@opdc.example'],
      cycleId: cycle.id,
      measureId: id,
    });
    assert.deepEqual(
      { ...measure, progress: undefined },
      {
        id,
        cycleId: cycle.id,
        indicator: 4,
        title: GOOD.title,
        objective: GOOD.objective,
        steps: GOOD.steps,
        responsibleUnit: GOOD.responsibleUnit,
        startsOn: '2025-10-01',
        endsOn: '2026-09-30',
        budget: '12500.50',
        progress: undefined,
        isOverBudget: false,
      },
    );
    await saveMeasure({
      db: t.db,
      actor: who['admin@opdc.example'],
      cycleId: cycle.id,
      measureId: id,
      input: { ...GOOD, title: 'ควบคุมการยืม (แก้ไข)', budget: '' },
    });
    await saveProgress({
      db: t.db,
      actor: who['assessor@opdc.example'],
      cycleId: cycle.id,
      measureId: id,
      round: '6',
      input: { progress: 'ออกระเบียบแล้ว', percent: '50', budgetUsed: '1000', problems: '', suggestions: 'อบรมเพิ่ม' },
    });
    await saveProgress({
      db: t.db,
      actor: who['assessor@opdc.example'],
      cycleId: cycle.id,
      measureId: id,
      round: '6',
      input: { progress: 'ออกระเบียบและประกาศแล้ว', percent: '60', budgetUsed: '0', problems: '', suggestions: '' },
    });
    await saveProgress({
      db: t.db,
      actor: who['admin@opdc.example'],
      cycleId: cycle.id,
      measureId: id,
      round: '12',
      input: { progress: 'เสร็จสิ้น', percent: '100', budgetUsed: '20', problems: 'งบเพิ่มเติม', suggestions: '' },
    });
    const { measures } = await listMeasures({ db: t.db, actor: who['assessor@opdc.example'], cycleId: cycle.id });
    const m = measures.find((x) => x.id === id)!;
    assert.equal(m.title, 'ควบคุมการยืม (แก้ไข)');
    assert.equal(m.budget, '0.00');
    assert.deepEqual(
      m.progress.map((p) => [p.round, p.progress, p.percent, p.budgetUsed]),
      [
        [6, 'ออกระเบียบและประกาศแล้ว', 60, '0.00'],
        [12, 'เสร็จสิ้น', 100, '20.00'],
      ],
    );
    assert.equal(m.isOverBudget, true, 'budget used above the plan is kept and flagged');
    const audit = await t.db
      .selectFrom('audit_event')
      .select('action')
      .where('action', 'in', ['ita_measure_saved', 'ita_progress_saved'])
      .execute();
    assert.deepEqual(audit.map((a) => a.action).sort(), [
      'ita_measure_saved',
      'ita_measure_saved',
      'ita_progress_saved',
      'ita_progress_saved',
      'ita_progress_saved',
    ]);
  });

  it('refuses a measure with every field at fault and stores nothing', async () => {
    const before = await t.db
      .selectFrom('ita_measure')
      .select((e) => e.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    await assert.rejects(
      saveMeasure({
        db: t.db,
        actor: who['admin@opdc.example'],
        cycleId: cycle.id,
        input: {
          indicator: '11',
          title: ' ',
          objective: 'x'.repeat(MEASURE_LIMITS.objective + 1),
          steps: '',
          responsibleUnit: '',
          startsOn: '2026-02-30',
          endsOn: '2569-01-01',
          budget: '-5',
        },
      }),
      (e: AppError) => {
        assert.deepEqual(e.fields, {
          indicator: 'ita.measure.error.indicator',
          title: 'ita.measure.error.required',
          objective: 'ita.measure.error.too_long',
          steps: 'ita.measure.error.required',
          responsibleUnit: 'ita.measure.error.required',
          startsOn: 'ita.measure.error.date',
          endsOn: 'ita.measure.error.date',
          budget: 'ita.measure.error.money',
        });
        return e.code === 'invalid_input';
      },
    );
    await assert.rejects(
      saveMeasure({
        db: t.db,
        actor: who['admin@opdc.example'],
        cycleId: cycle.id,
        input: { ...GOOD, startsOn: '2026-05-01', endsOn: '2026-04-30' },
      }),
      (e: AppError) => e.fields.endsOn === 'ita.measure.error.ends_before_start',
    );
    const after = await t.db
      .selectFrom('ita_measure')
      .select((e) => e.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    assert.equal(Number(after.n), Number(before.n));
  });

  it('refuses malformed progress with the fields at fault', async () => {
    const id = await saveMeasure({ db: t.db, actor: who['admin@opdc.example'], cycleId: cycle.id, input: GOOD });
    await assert.rejects(
      saveProgress({
        db: t.db,
        actor: who['admin@opdc.example'],
        cycleId: cycle.id,
        measureId: id,
        round: '9',
        input: {
          progress: '',
          percent: '101',
          budgetUsed: '1.234',
          problems: 'x'.repeat(MEASURE_LIMITS.problems + 1),
          suggestions: '',
        },
      }),
      (e: AppError) => {
        assert.deepEqual(Object.keys(e.fields).sort(), ['budgetUsed', 'percent', 'problems', 'progress', 'round']);
        return true;
      },
    );
    for (const percent of ['-1', '50.5', '', 'fifty']) {
      await assert.rejects(
        saveProgress({
          db: t.db,
          actor: who['admin@opdc.example'],
          cycleId: cycle.id,
          measureId: id,
          round: '6',
          input: { progress: 'x', percent, budgetUsed: '', problems: '', suggestions: '' },
        }),
        (e: AppError) => e.fields.percent === 'ita.measure.error.percent',
        percent,
      );
    }
    assert.equal((await t.db.selectFrom('ita_progress').selectAll().where('measure_id', '=', id).execute()).length, 0);
  });

  it('parses baht with separators, at most two decimals, never negative', () => {
    for (const [raw, want] of [
      ['12,500.50', '12500.50'],
      ['0', '0.00'],
      ['', '0.00'],
      ['007', '7.00'],
      ['1,234,567.5', '1234567.50'],
      ['999999999999.99', '999999999999.99'],
      ['1000000000000', null],
      ['-1', null],
      ['1.234', null],
      ['1,2', null],
      ['12,5000', null],
      ['1e3', null],
      ['๑๒', null],
    ] as const) {
      assert.equal(parseBaht(raw), want, raw);
    }
  });

  it('answers not found for a measure of another cycle or agency, and forbidden for an investigator', async () => {
    const theirs = await saveMeasure({ db: t.db, actor: who['admin@nacc.example'], cycleId: nacc.id, input: GOOD });
    await assert.rejects(
      loadMeasure({ db: t.db, actor: who['admin@opdc.example'], cycleId: cycle.id, measureId: theirs }),
      code('not_found'),
      'another cycle’s measure under my cycle',
    );
    await assert.rejects(
      loadMeasure({ db: t.db, actor: who['admin@opdc.example'], cycleId: nacc.id, measureId: theirs }),
      code('not_found'),
    );
    await assert.rejects(
      saveMeasure({ db: t.db, actor: who['admin@opdc.example'], cycleId: cycle.id, measureId: theirs, input: GOOD }),
      code('not_found'),
    );
    await assert.rejects(
      saveProgress({
        db: t.db,
        actor: who['admin@opdc.example'],
        cycleId: cycle.id,
        measureId: theirs,
        round: '6',
        input: { progress: 'x', percent: '1', budgetUsed: '', problems: '', suggestions: '' },
      }),
      code('not_found'),
    );
    await assert.rejects(
      listMeasures({ db: t.db, actor: who['inv@opdc.example'], cycleId: cycle.id }),
      code('forbidden'),
    );
    await assert.rejects(
      saveMeasure({ db: t.db, actor: who['inv@opdc.example'], cycleId: cycle.id, input: GOOD }),
      code('forbidden'),
    );
    const row = await t.db.selectFrom('ita_measure').select('title').where('id', '=', theirs).executeTakeFirstOrThrow();
    assert.equal(row.title, GOOD.title);
  });

  it('keeps measures and progress editable after the cycle is closed', async () => {
    const c = await openCycle({
      db: t.db,
      actor: who['admin@opdc.example'],
      fiscalYear: 2568,
      frameworkName: listFrameworks()[0],
      staffCount: 40,
    });
    const id = await saveMeasure({ db: t.db, actor: who['admin@opdc.example'], cycleId: c.id, input: GOOD });
    await closeCycle({ db: t.db, actor: who['admin@opdc.example'], cycleId: c.id });
    await saveProgress({
      db: t.db,
      actor: who['assessor@opdc.example'],
      cycleId: c.id,
      measureId: id,
      round: '12',
      input: { progress: 'written after the year', percent: '100', budgetUsed: '0', problems: '', suggestions: '' },
    });
    await saveMeasure({
      db: t.db,
      actor: who['assessor@opdc.example'],
      cycleId: c.id,
      input: { ...GOOD, indicator: '9' },
    });
    assert.equal(
      (await listMeasures({ db: t.db, actor: who['admin@opdc.example'], cycleId: c.id })).measures.length,
      2,
    );
  });

  it('builds the monitoring report with the round’s progress, in the language asked for', async () => {
    const c = await openCycle({
      db: t.db,
      actor: who['admin@opdc.example'],
      fiscalYear: 2567,
      frameworkName: listFrameworks()[0],
      staffCount: 40,
    });
    const id = await saveMeasure({ db: t.db, actor: who['admin@opdc.example'], cycleId: c.id, input: GOOD });
    await saveProgress({
      db: t.db,
      actor: who['admin@opdc.example'],
      cycleId: c.id,
      measureId: id,
      round: '6',
      input: { progress: 'ครึ่งทาง', percent: '50', budgetUsed: '100', problems: 'ไม่มี', suggestions: '' },
    });
    const six = await buildMonitoringReport({
      db: t.db,
      actor: who['assessor@opdc.example'],
      cycleId: c.id,
      ...parseReportOptions({ round: '6', lang: 'en', digits: 'arabic' }),
    });
    assert.equal(six.agencyName, 'Agency OPDC');
    assert.equal(six.fiscalYear, 2567);
    assert.deepEqual(
      six.projects.map((p) => [p.indicator, p.indicatorName, p.budget, p.progress?.percent]),
      [[4, 'Use of state assets', '12500.50', 50]],
    );
    const twelve = await buildMonitoringReport({
      db: t.db,
      actor: who['admin@opdc.example'],
      cycleId: c.id,
      round: 12,
      lang: 'th',
      thaiDigits: true,
    });
    assert.equal(twelve.projects[0].progress, null, 'no twelve-month progress yet');
    assert.equal(twelve.projects[0].indicatorName, 'การใช้ทรัพย์สินของราชการ');
    assert.ok(twelve.scores.some((s) => s.fiscalYear === 2567));
    assert.equal(reportFileName(2567, 12), 'ita-monitoring-2567-12m.pdf');
    await assert.rejects(
      buildMonitoringReport({
        db: t.db,
        actor: who['admin@nacc.example'],
        cycleId: c.id,
        round: 6,
        lang: 'th',
        thaiDigits: false,
      }),
      code('not_found'),
    );
  });

  it('parses the report options strictly', () => {
    assert.deepEqual(parseReportOptions({ round: '12' }), { round: 12, lang: 'th', thaiDigits: true });
    assert.deepEqual(parseReportOptions({ round: '6', lang: 'en', digits: 'thai' }), {
      round: 6,
      lang: 'en',
      thaiDigits: false,
    });
    assert.throws(
      () => parseReportOptions({ round: '7', lang: 'fr', digits: 'roman' }),
      (e: AppError) => Object.keys(e.fields).sort().join() === 'digits,lang,round',
    );
  });
});
