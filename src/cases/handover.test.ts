// Handing a case over on a real database: the investigator assigned while no key holder is signed
// in sees the case waiting, the key holders are mailed (metadata only), the holder's next inbox
// says what it handed over; the approving supervisor reads the conclusion; the inbox summarises
// the cases sealed to the user, audited, and nobody else's.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { CHEAP_KDF, seedAgency, seedStaff, signedInActor } from '../../test/support/app.ts';
import { createTestDatabase, type TestDatabase } from '../../test/support/db.ts';
import type { StaffRole } from '../db/schema.ts';
import { newDraft, submitReport, type Submitted } from '../intake/submit-report.ts';
import { validateReport } from '../intake/validate-report.ts';
import type { StaffActor } from '../staff/session.ts';
import { loadCaseMeta } from './case-meta.ts';
import { loadCasePage } from './case-page.ts';
import { getCase } from './get-case.ts';
import { type HandoverMail, waitingForAccess } from './handover.ts';
import { loadInbox } from './inbox.ts';
import { assignInvestigator } from './team-members.ts';
import { transitionCase } from './workflow.ts';

describe('handing a case over', () => {
  let t: TestDatabase;
  const people: Record<string, StaffActor> = {};
  let report: Submitted;
  const WHAT = 'ผู้อำนวยการกองคลังเบิกค่าเดินทางซ้ำซ้อนหลายครั้งในปีงบประมาณเดียวกัน';
  const STAFF: [string, StaffRole[], string][] = [
    ['io', ['intake_officer'], 'รับเรื่อง หนึ่ง'],
    ['inv', ['investigator'], 'สืบสวน สอง'],
    ['named', ['investigator'], 'ผู้อำนวยการ กองคลัง'],
    ['sup', ['supervisor'], 'หัวหน้า สาม'],
  ];
  const who = (name: string) => people[name];
  const sent: { to: string; subject: string; text: string }[] = [];
  const mail: HandoverMail = {
    mailer: async (to, m) => {
      sent.push({ to, ...m });
    },
    publicUrl: 'https://sujarit.example',
  };
  const login = (email: string) => signedInActor(t.db, email);

  before(async () => {
    t = await createTestDatabase();
    await seedAgency(t.db, 'OPDC');
    for (const [name, roles, displayName] of STAFF)
      await seedStaff(t.db, 'OPDC', `${name}@example.org`, roles, { displayName });
    for (const [name] of STAFF) people[name] = await login(`${name}@example.org`);
    report = await submitReport({
      db: t.db,
      kdf: CHEAP_KDF,
      receiptSalt: randomBytes(16),
      draft: newDraft(),
      input: validateReport({ agency: 'OPDC', category: 'procurement_fraud', what: WHAT }),
      files: [],
      channel: 'web',
    });
    const move = (to: string, reason: string) =>
      transitionCase({ db: t.db, actor: who('io'), reference: report.reference, to, reason });
    await move('acknowledged', '');
    await move('screening', 'กลั่นกรอง');
    await move('investigating', 'ส่งตรวจสอบ');
  });
  after(() => t.drop());

  it('acknowledges without a reason, and keeps none in the history', async () => {
    const page = await loadCasePage({ db: t.db, actor: who('io'), reference: report.reference });
    const ack = page.history.find((h) => h.toStatus === 'acknowledged');
    assert.equal(ack?.reason, null);
    assert.equal(page.history.find((h) => h.toStatus === 'screening')?.reason, 'กลั่นกรอง');
  });

  it('shows the assignee the case waiting for access, and mails its key holders, metadata only', async () => {
    const assigned = await assignInvestigator({
      db: t.db,
      actor: who('sup'),
      reference: report.reference,
      userId: who('inv').id,
      mail,
    });
    assert.deepEqual(assigned, { access: 'waiting', mailed: 1, failed: 0 });
    assert.deepEqual(
      sent.map((m) => m.to),
      ['io@example.org'],
      'the one key holder, not the supervisor nor the assignee',
    );
    assert.ok(sent[0].subject.includes(report.reference));
    assert.ok(sent[0].text.includes('สืบสวน สอง') && sent[0].text.includes('https://sujarit.example/staff/cases'));
    assert.ok(!sent[0].text.includes(WHAT.slice(0, 12)), 'nothing of the case in the mail');
    const waiting = await waitingForAccess(t.db, who('inv'));
    assert.deepEqual(
      waiting.map((w) => [w.reference, w.category]),
      [[report.reference, 'procurement_fraud']],
    );
    const meta = await loadCaseMeta(t.db, who('inv'), report.reference, 'case_opened');
    assert.deepEqual([meta.isAwaitingAccess, meta.holdsKey], [true, false]);
    await assert.rejects(getCase({ db: t.db, actor: who('inv'), reference: report.reference }), { code: 'not_found' });
    const page = await loadCasePage({ db: t.db, actor: who('inv'), reference: report.reference });
    assert.equal(page.view, null, 'metadata only while waiting');
    assert.deepEqual(page.transitions, [], 'nothing to move yet');
  });

  it('counts a mail that fails and keeps the assignment, which the holder’s next inbox hands over', async () => {
    const failing: HandoverMail = {
      ...mail,
      mailer: async () => {
        throw new Error('mailbox unavailable');
      },
    };
    const assigned = await assignInvestigator({
      db: t.db,
      actor: who('sup'),
      reference: report.reference,
      userId: who('named').id,
      mail: failing,
    });
    assert.deepEqual(assigned, { access: 'waiting', mailed: 0, failed: 1 });
    const inbox = await loadInbox({ db: t.db, actor: who('io'), filter: { scope: 'mine' }, page: 1, pageSize: 25 });
    assert.deepEqual(
      inbox.handedOver.map((h) => [h.name, h.reference, h.state]).sort(),
      [
        ['ผู้อำนวยการ กองคลัง', report.reference, 'refused_named'],
        ['สืบสวน สอง', report.reference, 'sealed'],
      ],
      'the holder is told whom they handed the case to, and whom not (named in the report)',
    );
    assert.deepEqual(await waitingForAccess(t.db, who('inv')), []);
    assert.ok((await getCase({ db: t.db, actor: who('inv'), reference: report.reference })).content.what);
    const again = await loadInbox({ db: t.db, actor: who('io'), filter: { scope: 'mine' }, page: 1, pageSize: 25 });
    assert.deepEqual(again.handedOver, [], 'said once');
  });

  it('summarises in the inbox the cases sealed to the user only, and audits each summary', async () => {
    const inbox = await loadInbox({ db: t.db, actor: who('inv'), filter: { scope: 'mine' }, page: 1, pageSize: 25 });
    assert.equal(inbox.summaries[report.reference], WHAT);
    const agency = await loadInbox({ db: t.db, actor: who('sup'), filter: { scope: 'agency' }, page: 1, pageSize: 25 });
    assert.deepEqual(
      agency.cases.items.map((c) => c.reference),
      [report.reference],
    );
    assert.deepEqual(agency.summaries, {}, 'the supervisor holds no key: no summary');
    const listed = await t.db
      .selectFrom('audit_event')
      .select(['actor_user_id', 'detail'])
      .where('case_id', '=', report.caseId)
      .where('action', '=', 'cases_listed')
      .execute();
    assert.ok(listed.some((a) => a.actor_user_id === who('inv').id));
    assert.ok(!listed.some((a) => a.actor_user_id === who('sup').id));
    assert.ok(
      listed.every((a) => !JSON.stringify(a.detail).includes(WHAT.slice(0, 8))),
      'no text in the trail',
    );
  });

  it('lets the supervisors of the agency read the conclusion they approve, and nobody who joined since', async () => {
    const REASON = 'พบหลักฐานการเบิกซ้ำสามครั้ง';
    await transitionCase({
      db: t.db,
      actor: who('inv'),
      reference: report.reference,
      to: 'concluded',
      reason: REASON,
      outcome: 'substantiated',
    });
    const sup = await loadCasePage({ db: t.db, actor: who('sup'), reference: report.reference });
    assert.equal(sup.view, null, 'still metadata only');
    assert.deepEqual(
      [sup.conclusion?.outcome, sup.conclusion?.reason, sup.names[sup.conclusion!.byUserId!]],
      ['substantiated', REASON, 'สืบสวน สอง'],
    );
    assert.deepEqual(
      sup.transitions.map((tr) => tr.to),
      ['closed', 'investigating'],
      'approving comes first',
    );
    const viewed = await t.db
      .selectFrom('audit_event')
      .select('detail')
      .where('case_id', '=', report.caseId)
      .where('action', '=', 'case_metadata_viewed')
      .where('actor_user_id', '=', who('sup').id)
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    assert.deepEqual(viewed.detail, { conclusion: true }, 'reading the reason is audited');
    await seedStaff(t.db, 'OPDC', 'sup2@example.org', ['supervisor'], { displayName: 'หัวหน้า ใหม่' });
    const later = await loadCasePage({ db: t.db, actor: await login('sup2@example.org'), reference: report.reference });
    assert.deepEqual([later.conclusion?.outcome, later.conclusion?.reason], ['substantiated', null]);
    const team = await loadCasePage({ db: t.db, actor: who('io'), reference: report.reference });
    assert.equal(team.conclusion?.reason, REASON, 'the team reads it through the team key');
  });
  it('hands over every grant waiting for a holder in one inbox visit, and says how long it took', async (t2) => {
    const N = 20;
    const refs: string[] = [];
    for (let i = 0; i < N; i++) {
      const { id } = await seedStaff(t.db, 'OPDC', `many${i}@example.org`, ['investigator'], {
        displayName: `สืบสวน คนที่${i}`,
        enrol: false,
      });
      const r = await submitReport({
        db: t.db,
        kdf: CHEAP_KDF,
        receiptSalt: randomBytes(16),
        draft: newDraft(),
        input: validateReport({ agency: 'OPDC', category: 'bribery', what: `เรื่องที่ ${i}: เรียกรับเงินค่าออกใบอนุญาต` }),
        files: [],
        channel: 'web',
      });
      for (const [to, reason] of [
        ['acknowledged', ''],
        ['screening', 'x'],
        ['investigating', 'x'],
      ])
        await transitionCase({ db: t.db, actor: who('io'), reference: r.reference, to, reason });
      await assignInvestigator({ db: t.db, actor: who('sup'), reference: r.reference, userId: id });
      refs.push(r.reference);
    }
    const started = performance.now();
    const inbox = await loadInbox({ db: t.db, actor: who('io'), filter: { scope: 'mine' }, page: 1, pageSize: 25 });
    const ms = performance.now() - started;
    assert.deepEqual(inbox.handedOver.map((h) => h.reference).sort(), [...refs].sort());
    assert.ok(inbox.handedOver.every((h) => h.state === 'sealed'));
    t2.diagnostic(
      `an inbox visit handed over ${N} grants in ${ms.toFixed(0)} ms (${(ms / N).toFixed(1)} ms a grant, the page included)`,
    );
  });
});
