// The risk register, its signals, publication and review on real PostgreSQL: signals equal hand
// counts of seeded cases, counts below 5 are not shown (nor given away by a total), a risk officer
// learns no content, other agencies see nothing, every change is kept and audited, a published
// register rewritten afterwards shows, and a reviewer scores only the agencies granted to them.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { seedAgency, seedStaff, signedInActor } from '../../test/support/app.ts';
import { createTestDatabase, type TestDatabase } from '../../test/support/db.ts';
import { createTestLedger, type TestLedger } from '../../test/support/ledger.ts';
import { runSequencer } from '../ledger/sequencer.ts';
import { CONTENT_MARKER, seedCases } from '../../test/support/risk.ts';
import type { AppError } from '../errors.ts';
import { translator } from '../i18n/messages.ts';
import type { StaffActor } from '../staff/session.ts';
import { clusters, wordsOf } from './cluster.ts';
import { levelOf, NACC_5X5 } from './matrix.ts';
import { publishRegister, verifyRegister } from './publish.ts';
import {
  candidateRiskFrom,
  loadRegister,
  openRegister,
  registerHistory,
  saveAction,
  saveRisk,
  type RiskInput,
} from './register.ts';
import { answerReview, checklistHints, reviewsOf, saveReview, setOversight } from './review.ts';
import {
  agencySignals,
  candidateFromSignal,
  computeSignals,
  rowLabel,
  suppressParts,
  type Signals,
} from './signals.ts';

const code = (want: string) => (e: unknown) => (e as AppError).code === want;
const fieldsOf = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    return (e as AppError).fields;
  }
  throw new Error('expected a refusal');
};
const NOW = new Date('2026-03-01T05:00:00Z'); // FY 2569 (1 Oct 2025 – 30 Sep 2026)
const rowOf = (s: Signals, signal: string, row: string) =>
  s.signals.find((x) => x.key === signal)?.rows.find((r) => r.key === row)?.values;

const GOOD: RiskInput = {
  area: 'permits',
  process: 'การออกใบอนุญาตก่อสร้าง',
  unit: 'กองช่าง',
  owner: 'ผู้อำนวยการกองช่าง',
  cause: 'ขั้นตอนไม่ชัดเจน',
  event: 'เรียกรับเงินเพื่อเร่งการอนุญาต',
  consequence: 'ประชาชนเสียประโยชน์',
  controls: 'คู่มือประชาชน',
  inherentLikelihood: '4',
  inherentImpact: '4',
  residualLikelihood: '2',
  residualImpact: '3',
  treatment: 'reduce',
  reviewedOn: '1/3/2569',
  nextReviewOn: '2026-09-01',
};

describe('risk register and signals', () => {
  let t: TestDatabase;
  const who: Record<string, StaffActor> = {};

  before(async () => {
    t = await createTestDatabase(4);
    for (const a of ['OPDC', 'NACC', 'PACC']) await seedAgency(t.db, a);
    const people: [string, string | null, Parameters<typeof seedStaff>[3]][] = [
      ['risk@opdc', 'OPDC', ['risk_officer']],
      ['sup@opdc', 'OPDC', ['supervisor']],
      ['aud@opdc', 'OPDC', ['auditor']],
      ['inv@opdc', 'OPDC', ['investigator']],
      ['risk@nacc', 'NACC', ['risk_officer']],
      ['rev@pacc', 'PACC', ['risk_reviewer']],
      ['root@platform', null, ['platform_admin']],
    ];
    for (const [email, agency, roles] of people) await seedStaff(t.db, agency, email, roles);
    for (const [email] of people) who[email] = await signedInActor(t.db, email);
    // FY 2569: 7 bribery tips in Q1, 3 in Q2; 5 of them substantiated, 2 partly.
    await seedCases(t.db, {
      agency: 'OPDC',
      count: 5,
      category: 'bribery',
      at: '2025-11-03T03:00:00Z',
      status: 'concluded',
      outcome: 'substantiated',
    });
    await seedCases(t.db, {
      agency: 'OPDC',
      count: 2,
      category: 'bribery',
      at: '2025-11-04T03:00:00Z',
      status: 'concluded',
      outcome: 'partly_substantiated',
    });
    await seedCases(t.db, { agency: 'OPDC', count: 3, category: 'bribery', at: '2026-02-10T03:00:00Z' });
    // FY 2568: 6 procurement tips (the trend's last year); one filed 30 Sep 2025 23:30 Bangkok still counts in 2568.
    await seedCases(t.db, { agency: 'OPDC', count: 5, category: 'procurement_fraud', at: '2025-03-01T03:00:00Z' });
    await seedCases(t.db, { agency: 'OPDC', count: 1, category: 'procurement_fraud', at: '2025-09-30T16:30:00Z' });
    // 5 service-delay complaints, acknowledgement overdue, each rated 1.
    await seedCases(t.db, {
      agency: 'OPDC',
      count: 5,
      kind: 'complaint',
      category: 'service_delay',
      at: '2025-12-01T03:00:00Z',
      ackOverdue: true,
      rating: { score: 1, ratedOn: '2026-01-10' },
    });
    // 6 late-permit complaints: 5 decided 10 days after the manual's date, 1 in time.
    await seedCases(t.db, {
      agency: 'OPDC',
      count: 5,
      kind: 'permit',
      category: 'late_permit',
      at: '2025-11-01T03:00:00Z',
      permit: { dueDays: 15, decidedDays: 25 },
    });
    await seedCases(t.db, {
      agency: 'OPDC',
      count: 1,
      kind: 'permit',
      category: 'late_permit',
      at: '2025-11-01T03:00:00Z',
      permit: { dueDays: 15, decidedDays: 10 },
    });
    // Another agency's cases: never in OPDC's signals.
    await seedCases(t.db, {
      agency: 'NACC',
      count: 20,
      category: 'bribery',
      at: '2025-11-03T03:00:00Z',
      ackOverdue: true,
    });
  });
  after(() => t.drop());

  it('counts what a hand count of the seeded cases gives, by kind, category, quarter and year', async () => {
    const s = await computeSignals(t.db, who['risk@opdc'].agencyId!, 2569, NOW);
    // this year 10, last year 0; quarters 7 and 3: the 3 is hidden, and so the 7 (else 10 − 7 tells it)
    assert.deepEqual(rowOf(s, 'categories', 'tip.bribery'), [10, 0, null, null, 0, 0]);
    assert.deepEqual(rowOf(s, 'categories', 'tip.procurement_fraud'), [0, 6, 0, 0, 0, 0]);
    assert.deepEqual(rowOf(s, 'categories', 'complaint.service_delay'), [5, 0, 5, 0, 0, 0]);
    assert.deepEqual(rowOf(s, 'categories', 'permit.late_permit'), [6, 0, 6, 0, 0, 0]);
    assert.deepEqual(rowOf(s, 'outcomes', 'bribery'), [5, null, 0]);
    assert.deepEqual(rowOf(s, 'deadlines', 'ack'), [0, 5, 0]); // tip, complaint, permit
    assert.deepEqual(rowOf(s, 'permits', 'late_permit'), [6, 5, 50, 10]);
    assert.deepEqual(rowOf(s, 'ratings', 'service_delay'), [5, 5]);
    // service delay and late permit share the word ล่าช้า: one cluster of 11 cases, all in Q1
    const cluster = s.signals.find((x) => x.key === 'clusters')?.rows[0];
    assert.ok(cluster);
    assert.ok(cluster.key.includes('service_delay') && cluster.key.includes('late_permit'), cluster.key);
    assert.deepEqual(cluster.values, [11, 11, 0, 0, 0]);
    assert.match(rowLabel(translator('th'), cluster), /ล่าช้า/);
  });

  it('hides counts from 1 to 4 and any count a shown total would give away', () => {
    assert.deepEqual(suppressParts([7, 3, 0, 0]), [null, null, 0, 0]);
    assert.deepEqual(suppressParts([7, 3, 2, 6]), [7, null, null, 6]);
    assert.deepEqual(suppressParts([5, 6, 0, 0]), [5, 6, 0, 0]);
    assert.deepEqual(suppressParts([1, 0, 0, 0]), [null, 0, 0, 0]);
  });

  it('tells a risk officer nothing of content: no content read, no key, no case opened', async () => {
    const s = await agencySignals({ db: t.db, actor: who['risk@opdc'], fiscalYear: '2569', now: NOW });
    assert.ok(!JSON.stringify(s).includes(CONTENT_MARKER));
    const keys = await t.db
      .selectFrom('case_key')
      .select('case_id')
      .where('user_id', '=', who['risk@opdc'].id)
      .execute();
    assert.equal(keys.length, 0);
    const audit = await t.db
      .selectFrom('audit_event')
      .select('action')
      .where('actor_user_id', '=', who['risk@opdc'].id)
      .execute();
    const actions = audit.map((a) => a.action);
    assert.ok(actions.includes('risk_signals_viewed'));
    assert.deepEqual(
      actions.filter((a) => /^(case_|identity_|attachment_)/.test(a)),
      [],
    );
  });

  it('shows each agency its own cases only, and no signals to roles that do not read them', async () => {
    const s = await agencySignals({ db: t.db, actor: who['risk@nacc'], fiscalYear: '2569', now: NOW });
    assert.deepEqual(rowOf(s, 'categories', 'tip.bribery'), [20, 0, 20, 0, 0, 0]);
    assert.equal(rowOf(s, 'categories', 'complaint.service_delay'), undefined);
    assert.deepEqual(rowOf(s, 'deadlines', 'ack'), [20, 0, 0]);
    await assert.rejects(agencySignals({ db: t.db, actor: who['inv@opdc'], fiscalYear: '2569' }), code('forbidden'));
    await assert.rejects(agencySignals({ db: t.db, actor: who['rev@pacc'], fiscalYear: '2569' }), code('forbidden'));
    const sup = await agencySignals({ db: t.db, actor: who['sup@opdc'], fiscalYear: '2569', now: NOW });
    assert.deepEqual(rowOf(sup, 'categories', 'tip.bribery'), [10, 0, null, null, 0, 0]);
    for (const year of ['25', '3000', '2569; drop table x', 2569.5])
      await assert.rejects(
        agencySignals({ db: t.db, actor: who['risk@opdc'], fiscalYear: year }),
        code('invalid_input'),
      );
  });

  it('turns a signal row into a candidate risk with its evidence, found again on the server', async () => {
    const made = await candidateFromSignal({
      db: t.db,
      actor: who['risk@opdc'],
      fiscalYear: '2569',
      signal: 'permits',
      row: 'late_permit',
      now: NOW,
    });
    const reg = await loadRegister({ db: t.db, actor: who['risk@opdc'], registerId: made.registerId });
    assert.equal(reg.fiscalYear, 2569);
    const risk = reg.risks.find((r) => r.id === made.riskId);
    assert.equal(risk?.state, 'candidate');
    assert.equal(risk?.area, 'permits');
    assert.deepEqual(risk?.evidence, [
      {
        source: 'signal:permits',
        fiscalYear: 2569,
        row: 'late_permit',
        columns: ['risk.col.received', 'risk.col.late', 'risk.col.days_late', 'risk.col.max_days_late'],
        values: [6, 5, 50, 10],
      },
    ]);
    await assert.rejects(
      candidateFromSignal({
        db: t.db,
        actor: who['risk@opdc'],
        fiscalYear: '2569',
        signal: 'permits',
        row: 'x',
        now: NOW,
      }),
      code('not_found'),
    );
    await assert.rejects(
      candidateFromSignal({
        db: t.db,
        actor: who['sup@opdc'],
        fiscalYear: '2569',
        signal: 'permits',
        row: 'late_permit',
        now: NOW,
      }),
      code('forbidden'),
    );
    // the domain entry point for red flags: checked source, bounded evidence
    const flag = await candidateRiskFrom(t.db, who['risk@opdc'], {
      source: 'redflag:R003',
      area: 'procurement',
      event: 'ระยะเวลายื่นข้อเสนอสั้นผิดปกติ',
      evidence: { ocid: 'ocds-xxx-1', value: 3 },
      now: NOW,
    });
    assert.equal(flag.registerId, made.registerId);
    for (const source of ['', 'R003', 'redflag:<script>', `redflag:${'x'.repeat(100)}`])
      await assert.rejects(
        candidateRiskFrom(t.db, who['risk@opdc'], { source, area: 'procurement', event: 'x', evidence: {}, now: NOW }),
        code('invalid_input'),
      );
    await assert.rejects(
      candidateRiskFrom(t.db, who['risk@opdc'], {
        source: 'redflag:R003',
        area: 'procurement',
        event: 'x',
        evidence: { big: 'x'.repeat(5000) },
        now: NOW,
      }),
      code('too_large'),
    );
  });

  it('rates risks on the matrix, checks every field, links an ITA measure of its own agency only, and keeps every change', async () => {
    const id = await openRegister({ db: t.db, actor: who['risk@opdc'], fiscalYear: '2570' });
    assert.equal(await openRegister({ db: t.db, actor: who['risk@opdc'], fiscalYear: 2570 }), id);
    const riskId = await saveRisk({ db: t.db, actor: who['risk@opdc'], registerId: id, input: GOOD });
    const forged = await fieldsOf(
      saveRisk({
        db: t.db,
        actor: who['risk@opdc'],
        registerId: id,
        input: {
          ...GOOD,
          area: 'weather',
          inherentLikelihood: '6',
          residualImpact: '0',
          treatment: 'ignore',
          event: '',
          cause: 'x'.repeat(4001),
          reviewedOn: '31/02/2569',
        },
      }),
    );
    assert.deepEqual(Object.keys(forged).sort(), [
      'area',
      'cause',
      'event',
      'inherentLikelihood',
      'residualImpact',
      'reviewedOn',
      'treatment',
    ]);
    await assert.rejects(
      saveRisk({ db: t.db, actor: who['sup@opdc'], registerId: id, input: GOOD }),
      code('forbidden'),
    );
    await assert.rejects(
      saveRisk({ db: t.db, actor: who['risk@nacc'], registerId: id, input: GOOD }),
      code('not_found'),
    );
    await assert.rejects(
      saveRisk({ db: t.db, actor: who['risk@opdc'], registerId: id, riskId: 999999, input: GOOD }),
      code('not_found'),
    );
    // an ITA measure: OPDC's links, NACC's is refused as if it did not exist
    const cycle = async (agency: string) =>
      (
        await sql<{
          id: number;
        }>`insert into ita_cycle (agency_id, fiscal_year, framework_name, framework, public_code, staff_count, opened_by)
          select id, 2570, 'x', '{}', ${`code-${agency}`}, 10, ${who['risk@opdc'].id} from agency where code = ${agency} returning id`.execute(
          t.db,
        )
      ).rows[0].id;
    const measure = async (cycleId: number) =>
      (
        await sql<{
          id: number;
        }>`insert into ita_measure (cycle_id, indicator, title, objective, steps, responsible_unit, starts_on, ends_on, budget, created_by)
          values (${cycleId}, 4, 'ควบคุมการยืมทรัพย์สิน', 'o', 's', 'กองคลัง', '2026-10-01', '2027-03-31', 12000, ${who['risk@opdc'].id}) returning id`.execute(
          t.db,
        )
      ).rows[0].id;
    const mine = await measure(await cycle('OPDC'));
    const theirs = await measure(await cycle('NACC'));
    await saveAction({ db: t.db, actor: who['risk@opdc'], riskId, input: { itaMeasureId: String(mine) } });
    await saveAction({
      db: t.db,
      actor: who['risk@opdc'],
      riskId,
      input: {
        title: 'ตรวจสอบเวลาอนุญาต',
        owner: 'กองช่าง',
        dueOn: '1/1/2569',
        budget: '5,000',
        progress6: 'ทำแล้วครึ่งหนึ่ง',
      },
    });
    assert.deepEqual(
      Object.keys(
        await fieldsOf(
          saveAction({ db: t.db, actor: who['risk@opdc'], riskId, input: { itaMeasureId: String(theirs) } }),
        ),
      ),
      ['itaMeasureId'],
    );
    assert.deepEqual(
      Object.keys(
        await fieldsOf(saveAction({ db: t.db, actor: who['risk@opdc'], riskId, input: { title: '', budget: '-1' } })),
      ).sort(),
      ['budget', 'title'],
    );
    const reg = await loadRegister({ db: t.db, actor: who['sup@opdc'], registerId: id });
    assert.equal(reg.access, 'read');
    const risk = reg.risks[0];
    assert.equal(risk.inherent.level?.key, 'very_high');
    assert.equal(risk.residual.level?.key, 'medium');
    assert.equal(risk.reviewedOn, '2026-03-01');
    assert.deepEqual(
      risk.actions.map((a) => [a.title, a.owner, a.dueOn, a.budget, a.measure?.id ?? null]),
      [
        ['ควบคุมการยืมทรัพย์สิน', 'กองคลัง', '2027-03-31', '12000.00', mine],
        ['ตรวจสอบเวลาอนุญาต', 'กองช่าง', '2026-01-01', '5000.00', null],
      ],
    );
    assert.equal(risk.actions[1].isLate, true);
    const history = await registerHistory({ db: t.db, actor: who['aud@opdc'], registerId: id });
    assert.deepEqual(history.map((h) => h.kind).reverse(), [
      'risk_register_opened',
      'risk_saved',
      'risk_action_saved',
      'risk_action_saved',
    ]);
    await assert.rejects(registerHistory({ db: t.db, actor: who['inv@opdc'], registerId: id }), code('not_found'));
    await assert.rejects(loadRegister({ db: t.db, actor: who['risk@nacc'], registerId: id }), code('not_found'));
    await assert.rejects(loadRegister({ db: t.db, actor: who['rev@pacc'], registerId: id }), code('not_found'));
    const audited = await t.db.selectFrom('audit_event').select('action').where('action', 'like', 'risk_%').execute();
    assert.ok(audited.length >= 4);
  });

  it('puts the register’s digest in the ledger, and a rewrite afterwards shows', async () => {
    const ledger: TestLedger = await createTestLedger(t.db);
    try {
      const id = await openRegister({ db: t.db, actor: who['risk@opdc'], fiscalYear: '2570' });
      await assert.rejects(publishRegister({ db: t.db, actor: who['sup@opdc'], registerId: id }), code('forbidden'));
      const { digest } = await publishRegister({ db: t.db, actor: who['risk@opdc'], registerId: id });
      assert.match(digest, /^[0-9a-f]{64}$/);
      // pressed twice, unchanged: one publication, one ledger entry
      assert.equal((await publishRegister({ db: t.db, actor: who['risk@opdc'], registerId: id })).digest, digest);
      const pubs = await t.db
        .selectFrom('risk_publication')
        .select('outbox_id')
        .where('register_id', '=', id)
        .execute();
      assert.equal(pubs.length, 1);
      await runSequencer({ db: t.db, key: ledger.key });
      const ok = await verifyRegister({ db: t.db, actor: who['sup@opdc'], registerId: id });
      assert.deepEqual(ok, {
        published: true,
        unchangedSince: true,
        publicationsIntact: true,
        publications: 1,
        inLog: 1,
        problems: [],
      });
      // someone with the database rewrites a risk: the register no longer hashes to what was published
      await sql`update risk_item set residual_likelihood = 1 where register_id = ${id}`.execute(t.db);
      assert.equal((await verifyRegister({ db: t.db, actor: who['risk@opdc'], registerId: id })).unchangedSince, false);
      // … and covers it by rewriting the stored publication: its ledger entry does not open any more
      await sql`update risk_publication set snapshot = replace(snapshot, '"residual":[2,3]', '"residual":[1,3]') where register_id = ${id}`.execute(
        t.db,
      );
      const bad = await verifyRegister({ db: t.db, actor: who['risk@opdc'], registerId: id });
      assert.equal(bad.publicationsIntact, false);
      assert.match(bad.problems.join(), /does not hash/);
    } finally {
      await ledger.cleanup();
    }
  });

  it('lets a granted reviewer score a register, and the agency answer; nobody else', async () => {
    const id = await openRegister({ db: t.db, actor: who['risk@opdc'], fiscalYear: '2570' });
    const scores = { areas_covered: '1', evidence_used: '2', controls_actions: '2', actions_on_time: '0' };
    await assert.rejects(
      saveReview({ db: t.db, actor: who['rev@pacc'], registerId: id, scores, comment: '' }),
      code('not_found'),
    );
    await assert.rejects(
      setOversight({ db: t.db, actor: who['risk@opdc'], reviewerEmail: 'rev@pacc', agencyCode: 'OPDC' }),
      code('forbidden'),
    );
    assert.deepEqual(
      Object.keys(
        await fieldsOf(
          setOversight({ db: t.db, actor: who['root@platform'], reviewerEmail: 'risk@opdc', agencyCode: 'NOPE' }),
        ),
      ).sort(),
      ['agencyCode', 'reviewerEmail'],
    );
    await setOversight({ db: t.db, actor: who['root@platform'], reviewerEmail: 'REV@pacc ', agencyCode: ' opdc' });
    const reg = await loadRegister({ db: t.db, actor: who['rev@pacc'], registerId: id });
    assert.equal(reg.access, 'review');
    assert.deepEqual(checklistHints(reg).areas_covered, { met: 1, of: 7 });
    assert.deepEqual(
      Object.keys(
        await fieldsOf(
          saveReview({
            db: t.db,
            actor: who['rev@pacc'],
            registerId: id,
            scores: { ...scores, evidence_used: '3', actions_on_time: 'x' },
            comment: '',
          }),
        ),
      ).sort(),
      ['score.actions_on_time', 'score.evidence_used'],
    );
    const reviewId = await saveReview({
      db: t.db,
      actor: who['rev@pacc'],
      registerId: id,
      scores,
      comment: 'ยังไม่ครอบคลุมด้านงบประมาณ',
    });
    await assert.rejects(answerReview({ db: t.db, actor: who['rev@pacc'], reviewId, answer: 'x' }), code('forbidden'));
    await assert.rejects(answerReview({ db: t.db, actor: who['risk@nacc'], reviewId, answer: 'x' }), code('not_found'));
    await assert.rejects(
      answerReview({ db: t.db, actor: who['risk@opdc'], reviewId, answer: '  ' }),
      code('invalid_input'),
    );
    await answerReview({ db: t.db, actor: who['risk@opdc'], reviewId, answer: 'จะเพิ่มในรอบหกเดือน' });
    const [review] = await reviewsOf(t.db, id);
    assert.deepEqual(
      [review.total, review.max, review.comment, review.answers.map((a) => a.answer)],
      [5, 8, 'ยังไม่ครอบคลุมด้านงบประมาณ', ['จะเพิ่มในรอบหกเดือน']],
    );
    // the reviewer reads registers, never signals or NACC's register
    const nacc = await openRegister({ db: t.db, actor: who['risk@nacc'], fiscalYear: '2570' });
    await assert.rejects(loadRegister({ db: t.db, actor: who['rev@pacc'], registerId: nacc }), code('not_found'));
    await setOversight({
      db: t.db,
      actor: who['root@platform'],
      reviewerEmail: 'rev@pacc',
      agencyCode: 'OPDC',
      revoke: true,
    });
    await assert.rejects(loadRegister({ db: t.db, actor: who['rev@pacc'], registerId: id }), code('not_found'));
  });
});

describe('risk matrix and clustering (pure)', () => {
  it('levels likelihood × impact on the 5 × 5 bands', () => {
    assert.equal(levelOf(NACC_5X5, 1, 3)?.key, 'low');
    assert.equal(levelOf(NACC_5X5, 2, 2)?.key, 'medium');
    assert.equal(levelOf(NACC_5X5, 3, 3)?.key, 'high');
    assert.equal(levelOf(NACC_5X5, 5, 3)?.key, 'very_high');
    assert.equal(levelOf(NACC_5X5, null, 3), null);
  });
  it('segments Thai words and links labels that share them', () => {
    assert.deepEqual([...wordsOf('การพิจารณาอนุญาตล่าช้า')], ['พิจารณา', 'อนุญาต', 'ล่าช้า']);
    assert.deepEqual(
      clusters([
        { key: 'a', text: 'ให้บริการล่าช้า' },
        { key: 'b', text: 'การเรียกรับสินบน' },
        { key: 'c', text: 'การพิจารณาอนุญาตล่าช้า' },
      ]),
      [{ keys: ['a', 'c'], words: ['ล่าช้า'] }],
    );
    assert.deepEqual(clusters([]), []);
  });
});
