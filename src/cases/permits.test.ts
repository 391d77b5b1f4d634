// Late permit requests on a real database: the decision (rules, roles, agencies), and §10's reason
// for the delay reaching the applicant's thread (and LINE) while the 7-day clock starts again.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { CHEAP_KDF, TEST_LIMITS, loginCode, PASSWORD, seedAgency, seedStaff } from '../../test/support/app.ts';
import { createTestDatabase, type TestDatabase } from '../../test/support/db.ts';
import type { StaffRole } from '../db/schema.ts';
import { loadCaseView, loadHistory } from '../intake/case-view.ts';
import { createLoginThrottle } from '../intake/login-throttle.ts';
import { openReporterSession } from '../intake/reporter-session.ts';
import { newDraft, submitReport } from '../intake/submit-report.ts';
import { validateComplaint } from '../intake/validate-complaint.ts';
import { validateReport } from '../intake/validate-report.ts';
import { resolveStaffSession, staffLogin, type StaffActor } from '../staff/session.ts';
import { bangkokToday, daysBetween, daysLate, nextNoticeAfter, parseDay } from './permit-dates.ts';
import { delayMessage, loadPermit, recordPermitDecision, tellPermitDelay } from './permits.ts';

const DAY = 86_400_000;
const addDays = (day: string, n: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);

describe('permit dates', () => {
  it('reads only real calendar dates', () => {
    for (const [raw, want] of [
      ['2026-02-28', '2026-02-28'],
      [' 2024-02-29 ', '2024-02-29'],
      ['2026-02-29', null],
      ['2026-13-01', null],
      ['26-01-01', null],
      ['2569-01-01', null],
      ['1/1/2569', '2026-01-01'],
      [42, null],
      ['', null],
    ] as const) {
      // 2569-01-01 was once taken as A.D. 2569: a B.E. year in the wrong field. Years past 2399 are read only as D/M/B.E.
      assert.equal(parseDay(raw), want, String(raw));
    }
  });

  it('counts days late in calendar days, to the decision or to today', () => {
    const cases: [string, string | null, string, number][] = [
      ['2026-01-10', null, '2026-01-10', 0],
      ['2026-01-10', null, '2026-01-11', 1],
      ['2026-01-10', '2026-01-09', '2026-03-01', 0],
      ['2026-01-10', '2026-02-10', '2026-03-01', 31],
      ['2025-12-31', null, '2026-03-01', 60],
    ];
    for (const [due, decided, today, want] of cases)
      assert.equal(daysLate(due, decided, today), want, `${due} ${decided} ${today}`);
    assert.equal(daysBetween('2026-03-01', '2026-02-01'), -28);
  });

  it('counts the Bangkok day, not the UTC one', () => {
    assert.equal(bangkokToday(new Date('2026-01-01T16:59:00Z')), '2026-01-01');
    assert.equal(bangkokToday(new Date('2026-01-01T17:00:00Z')), '2026-01-02');
  });

  it('keeps the reminders on their 7-day steps', () => {
    const was = new Date('2026-01-01T00:00:00Z');
    for (const [days, want] of [
      [0, 7],
      [0.5, 7],
      [6.99, 7],
      [7, 14],
      [20, 21],
    ] as const) {
      assert.equal(
        nextNoticeAfter(was, new Date(was.getTime() + days * DAY)).getTime(),
        was.getTime() + want * DAY,
        `after ${days} days`,
      );
    }
  });
});

describe('late permit requests', () => {
  let t: TestDatabase;
  const salt = randomBytes(16);
  const people: Record<string, StaffActor> = {};
  const STAFF: [string, string, StaffRole[]][] = [
    ['io', 'OPDC', ['intake_officer']],
    ['sup', 'OPDC', ['supervisor']],
    ['aud', 'OPDC', ['auditor']],
    ['adm', 'OPDC', ['agency_admin']],
    ['nio', 'NACC', ['intake_officer']],
    ['nsup', 'NACC', ['supervisor']],
  ];
  const today = bangkokToday();
  const filedOn = addDays(today, -40);
  const manualDueOn = addDays(today, -10);

  before(async () => {
    t = await createTestDatabase();
    await seedAgency(t.db, 'OPDC');
    await seedAgency(t.db, 'NACC');
    for (const [name, agency, roles] of STAFF) {
      const email = `${name}@example.org`;
      await seedStaff(t.db, agency, email, roles);
      const { token } = await staffLogin({
        db: t.db,
        kdf: CHEAP_KDF,
        limits: TEST_LIMITS,
        email,
        password: PASSWORD,
        code: loginCode(email),
      });
      people[name] = (await resolveStaffSession({ db: t.db, token }))!;
    }
  });
  after(() => t.drop());

  const filePermit = async (agency = 'OPDC') => {
    const { report, complaint } = validateComplaint(
      {
        agency,
        what: 'ยื่นขอใบอนุญาตก่อสร้างอาคารแล้วยังไม่ได้รับผล',
        identityName: 'นางสาว ผู้ยื่น คำขอ',
        identityContact: '0812345678',
        permitReference: 'คำขอที่ 123/2569',
        filedOn,
        manualDueOn,
      },
      'permit',
    );
    return submitReport({
      db: t.db,
      kdf: CHEAP_KDF,
      receiptSalt: salt,
      draft: newDraft(),
      input: report,
      complaint,
      files: [],
      channel: 'web',
    });
  };
  const fileTip = () =>
    submitReport({
      db: t.db,
      kdf: CHEAP_KDF,
      receiptSalt: salt,
      draft: newDraft(),
      input: validateReport({ agency: 'OPDC', category: 'bribery', what: 'เรียกรับเงิน' }),
      files: [],
      channel: 'web',
    });
  const decide = (who: string, reference: string, decision: unknown, decidedOn: unknown) =>
    recordPermitDecision({ db: t.db, actor: people[who], reference, decision, decidedOn });
  const permitRow = (caseId: string) =>
    t.db.selectFrom('permit_request').selectAll().where('case_id', '=', caseId).executeTakeFirstOrThrow();

  it('shows the dates, the days late and who may act, to the agency only', async () => {
    const p = await filePermit();
    const view = await loadPermit({ db: t.db, actor: people.io, reference: p.reference });
    assert.deepEqual(
      [view.filedOn, view.manualDueOn, view.decision, view.daysLate, view.notices],
      [filedOn, manualDueOn, null, 10, []],
    );
    assert.ok(
      view.nextNoticeAt && view.nextNoticeAt.getTime() <= Date.now(),
      'a request already late is reminded at once',
    );
    const rights = async (who: string) => {
      const v = await loadPermit({ db: t.db, actor: people[who], reference: p.reference });
      return [v.canDecide, v.canTellDelay];
    };
    assert.deepEqual(await rights('io'), [true, true]);
    assert.deepEqual(
      await rights('sup'),
      [true, false],
      'the supervisor decides on metadata, and cannot write to the applicant',
    );
    assert.deepEqual(await rights('aud'), [false, false]);
    for (const who of ['adm', 'nio', 'nsup'])
      await assert.rejects(
        loadPermit({ db: t.db, actor: people[who], reference: p.reference }),
        { code: 'not_found' },
        who,
      );
    const tip = await fileTip();
    await assert.rejects(loadPermit({ db: t.db, actor: people.io, reference: tip.reference }), {
      code: 'not_found',
      userMessage: 'error.permit_none',
    });
    const denied = await t.db
      .selectFrom('audit_event')
      .select('action')
      .where('case_id', '=', p.caseId)
      .where('action', '=', 'case_access_denied')
      .execute();
    assert.equal(denied.length, 3, 'every refused look is audited');
  });

  it('refuses a malformed decision, a date outside filing..today, and anyone but the team or the owning supervisor', async () => {
    const p = await filePermit();
    const refused: [string, unknown, unknown, Record<string, unknown>][] = [
      ['io', 'maybe', today, { code: 'invalid_input', fields: { decision: 'error.field.required' } }],
      ['io', 'approved', '2026-02-30', { code: 'invalid_input', fields: { decidedOn: 'error.field.invalid' } }],
      ['io', 'approved', '', { code: 'invalid_input', fields: { decidedOn: 'error.field.required' } }],
      [
        'io',
        undefined,
        undefined,
        { code: 'invalid_input', fields: { decision: 'error.field.required', decidedOn: 'error.field.required' } },
      ],
      [
        'io',
        'approved',
        addDays(filedOn, -1),
        { code: 'invalid_input', fields: { decidedOn: 'error.permit_decided_before_filed' } },
      ],
      [
        'io',
        'rejected',
        addDays(today, 1),
        { code: 'invalid_input', fields: { decidedOn: 'error.permit_decided_future' } },
      ],
      ['aud', 'approved', today, { code: 'forbidden' }],
      ['nio', 'approved', today, { code: 'not_found' }],
      ['nsup', 'approved', today, { code: 'not_found' }],
      ['adm', 'approved', today, { code: 'not_found' }],
    ];
    for (const [who, decision, day, error] of refused)
      await assert.rejects(decide(who, p.reference, decision, day), error, `${who} ${String(decision)} ${String(day)}`);
    assert.equal((await permitRow(p.caseId)).decision, null);
    const tip = await fileTip();
    await assert.rejects(decide('io', tip.reference, 'approved', today), {
      code: 'not_found',
      userMessage: 'error.permit_none',
    });
  });

  it('records the decision once, on the filing day at the earliest, stops the reminders and tells the applicant', async () => {
    const p = await filePermit();
    assert.deepEqual(await decide('io', p.reference, 'approved', filedOn), {
      decision: 'approved',
      decidedOn: filedOn,
    });
    const row = await permitRow(p.caseId);
    assert.equal(row.decision, 'approved');
    assert.equal(row.next_notice_at, null, 'no more reminders');
    await assert.rejects(decide('sup', p.reference, 'rejected', today), {
      code: 'conflict',
      userMessage: 'error.permit_decided',
    });
    await assert.rejects(tellPermitDelay({ db: t.db, actor: people.io, reference: p.reference, reason: 'ช้า' }), {
      code: 'conflict',
    });
    const view = await loadPermit({ db: t.db, actor: people.io, reference: p.reference });
    assert.deepEqual([view.decidedOn, view.daysLate, view.canDecide, view.canTellDelay], [filedOn, 0, false, false]);
    const reporter = (await loadHistory(t.db, p.caseId, null, true)).items;
    assert.deepEqual(
      reporter.map((h) => [h.kind, h.actorRole, h.actorUserId]),
      [['permit_approved', 'intake_officer', null]],
      'the applicant sees the decision and a role, never a name',
    );
    const audit = await t.db
      .selectFrom('audit_event')
      .select(['action', 'detail', 'actor_user_id'])
      .where('case_id', '=', p.caseId)
      .where('action', '=', 'status_changed')
      .execute();
    assert.deepEqual(
      audit.map((a) => [a.actor_user_id, a.detail]),
      [[people.io.id, { permit: 'approved', decidedOn: filedOn }]],
    );
    const ledger = await t.db
      .selectFrom('case_ledger_event')
      .select(['event', 'sealing'])
      .where('case_id', '=', p.caseId)
      .orderBy('outbox_id')
      .execute();
    assert.deepEqual(
      ledger.map((e) => `${e.event}/${e.sealing}`),
      ['submission/content', 'status_change/content'],
    );
  });

  it('lets the owning supervisor decide on metadata alone; a decision reaches a LINE complainant', async () => {
    const p = await filePermit();
    await t.db
      .insertInto('line_contact')
      .values({ case_id: p.caseId, user_hash: randomBytes(32), sealed: randomBytes(48) })
      .execute();
    await decide('sup', p.reference, 'rejected', today);
    const ledger = await t.db
      .selectFrom('case_ledger_event')
      .select(['event', 'sealing'])
      .where('case_id', '=', p.caseId)
      .orderBy('outbox_id')
      .execute();
    assert.deepEqual(
      ledger.map((e) => `${e.event}/${e.sealing}`),
      ['submission/content', 'status_change/team'],
      'sealed to the team: the supervisor holds no key',
    );
    const notices = await t.db
      .selectFrom('complainant_notice')
      .select('kind')
      .where('case_id', '=', p.caseId)
      .execute();
    assert.deepEqual(
      notices.map((n) => n.kind),
      ['status'],
    );
    const view = await loadPermit({ db: t.db, actor: people.aud, reference: p.reference });
    assert.deepEqual([view.decision, view.decidedOn, view.daysLate], ['rejected', today, 10]);
  });

  it('lets one of two decisions at once win', async () => {
    const p = await filePermit();
    const results = await Promise.allSettled([
      decide('io', p.reference, 'approved', today),
      decide('sup', p.reference, 'rejected', today),
    ]);
    assert.deepEqual(results.map((r) => r.status).sort(), ['fulfilled', 'rejected']);
    const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    assert.equal(lost.reason.code, 'conflict');
    const events = await t.db.selectFrom('case_event').select('kind').where('case_id', '=', p.caseId).execute();
    assert.equal(events.length, 1, 'one history step');
  });

  it('sends the reason for the delay to the applicant’s thread and to LINE, records it and restarts the 7-day clock', async () => {
    const p = await filePermit();
    await t.db
      .insertInto('line_contact')
      .values({ case_id: p.caseId, user_hash: randomBytes(32), sealed: randomBytes(48) })
      .execute();
    const now = new Date();
    const reason = 'รอความเห็นจากสำนักงานโยธาธิการจังหวัด คาดว่าจะแล้วเสร็จภายใน 14 วัน';
    await assert.rejects(tellPermitDelay({ db: t.db, actor: people.io, reference: p.reference, reason: '   ' }), {
      code: 'invalid_input',
      fields: { reason: 'error.field.required' },
    });
    await assert.rejects(tellPermitDelay({ db: t.db, actor: people.sup, reference: p.reference, reason }), {
      code: 'forbidden',
      userMessage: 'error.permit_delay_needs_key',
    });
    await assert.rejects(tellPermitDelay({ db: t.db, actor: people.nio, reference: p.reference, reason }), {
      code: 'not_found',
    });
    const told = await tellPermitDelay({ db: t.db, actor: people.io, reference: p.reference, reason, now });
    const minute = Math.floor(now.getTime() / 60_000) * 60_000; // stored to the minute
    assert.equal(told.nextNoticeAt.getTime(), minute + 7 * DAY);
    assert.equal((await permitRow(p.caseId)).next_notice_at?.getTime(), minute + 7 * DAY);
    const notices = await t.db
      .selectFrom('permit_notice')
      .select(['kind', 'at'])
      .where('case_id', '=', p.caseId)
      .execute();
    assert.deepEqual(
      notices.map((n) => [n.kind, n.at.getTime()]),
      [['reason_told', minute]],
    );

    const session = await openReporterSession({
      db: t.db,
      kdf: CHEAP_KDF,
      receiptSalt: salt,
      throttle: createLoginThrottle(),
      receipt: p.receipt,
    });
    const mine = (await loadCaseView({ db: t.db, caseId: session.caseId, keys: session.keys, withIdentity: false }))!;
    assert.deepEqual(
      mine.messages.map((m) => [m.text, m.authorRole, m.authorUserId]),
      [[delayMessage(reason), 'intake_officer', people.io.id]],
    );
    assert.match(mine.messages[0].text, /มาตรา 10/);
    assert.match(mine.messages[0].text, /section 10/);
    const line = await t.db
      .selectFrom('complainant_notice')
      .select(['kind', 'ref_id'])
      .where('case_id', '=', p.caseId)
      .execute();
    assert.deepEqual(
      line.map((n) => [n.kind, n.ref_id]),
      [['reply', told.messageId]],
      'queued for the LINE complainant',
    );
    const stored = await t.db
      .selectFrom('case_message')
      .select('body')
      .where('id', '=', told.messageId)
      .executeTakeFirstOrThrow();
    assert.ok(!stored.body.includes(Buffer.from('โยธาธิการ')), 'the reason is sealed');
    const audit = await t.db
      .selectFrom('audit_event')
      .select(['detail'])
      .where('case_id', '=', p.caseId)
      .where('action', '=', 'message_posted')
      .execute();
    assert.deepEqual(
      audit.map((a) => a.detail),
      [{ files: 0, awaitReporter: false, permitDelay: true }],
    );
  });
});
