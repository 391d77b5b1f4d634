// Deadline clocks end to end on the real database, with a controllable clock: reports are filed
// now, and the due views are asked about days later by passing `now`.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { addMonths } from '../src/agencies/deadlines.ts';
import { listCases, type DueFilter, type InboxScope } from '../src/cases/list-cases.ts';
import { openCaseKeys } from '../src/cases/open-case.ts';
import { postCaseMessage } from '../src/cases/post-case-message.ts';
import { transitionCase } from '../src/cases/workflow.ts';
import type { AgencySettings } from '../src/db/schema.ts';
import { addMessage } from '../src/intake/add-message.ts';
import { newDraft, submitReport } from '../src/intake/submit-report.ts';
import { validateReport } from '../src/intake/validate-report.ts';
import { resolveStaffSession, staffLogin, type StaffActor } from '../src/staff/session.ts';
import { CHEAP_KDF, TEST_LIMITS, PASSWORD, loginCode, seedAgency, seedStaff } from './support/app.ts';
import { createTestDatabase, type TestDatabase } from './support/db.ts';

const DAY = 86_400_000;
const NACC_SETTINGS: AgencySettings = {
  deadlines: { ackDays: 3 },
  categoryDeadlines: { bribery: { ackDays: 1, feedbackMonths: 1, pauseWhileWaiting: false } },
};

describe('deadline clocks', () => {
  let t: TestDatabase;
  const salt = randomBytes(16);
  const actors: Record<string, StaffActor> = {};
  before(async () => {
    t = await createTestDatabase(4);
    await seedAgency(t.db, 'OPDC');
    await seedAgency(t.db, 'NACC');
    await t.db
      .updateTable('agency')
      .set({ settings: JSON.stringify(NACC_SETTINGS) })
      .where('code', '=', 'NACC')
      .execute();
    for (const [agency, who, role] of [
      ['OPDC', 'intake', 'intake_officer'],
      ['OPDC', 'sup', 'supervisor'],
      ['NACC', 'intake', 'intake_officer'],
      ['NACC', 'sup', 'supervisor'],
    ] as const) {
      const email = `${who}@${agency.toLowerCase()}.example`;
      await seedStaff(t.db, agency, email, [role]);
      const { token } = await staffLogin({
        db: t.db,
        kdf: CHEAP_KDF,
        limits: TEST_LIMITS,
        email,
        password: PASSWORD,
        code: loginCode(email),
      });
      actors[email] = (await resolveStaffSession({ db: t.db, token }))!;
    }
  });
  after(() => t.drop());

  const file = async (agency: string, category = 'procurement_fraud') => {
    const done = await submitReport({
      db: t.db,
      kdf: CHEAP_KDF,
      receiptSalt: salt,
      draft: newDraft(),
      input: validateReport({ agency, category, what: 'เนื้อหาลับ' }),
      files: [],
      channel: 'web',
    });
    return { ...done, ...(await clocks(done.caseId)) };
  };
  const clocks = (caseId: string) =>
    t.db
      .selectFrom('report_case')
      .select(['ack_due_at', 'reply_due_at', 'feedback_due_at', 'paused_at', 'first_reply_at'])
      .where('id', '=', caseId)
      .executeTakeFirstOrThrow();
  /** The references in one due view of one staff member at `now`. */
  const view = async (email: string, scope: InboxScope, due: DueFilter, now: Date) =>
    (await listCases({ db: t.db, actor: actors[email], scope, due, now, pageSize: 100 })).items.map((i) => i.reference);
  /** Where a case stands at `now` for an intake officer (their cases) and a supervisor (the agency's). */
  const standing = async (agency: string, reference: string, now: Date) => {
    const a = agency.toLowerCase();
    const out: string[] = [];
    for (const [email, scope] of [
      [`intake@${a}.example`, 'mine'],
      [`sup@${a}.example`, 'agency'],
    ] as const) {
      const soon = (await view(email, scope, 'due_soon', now)).includes(reference);
      const late = (await view(email, scope, 'overdue', now)).includes(reference);
      out.push(soon && late ? 'both' : soon ? 'due_soon' : late ? 'overdue' : 'none');
    }
    assert.equal(out[0], out[1], `the intake officer and the supervisor of ${agency} see ${reference} alike`);
    return out[0];
  };
  const at = (start: Date, days: number) => new Date(start.getTime() + days * DAY);

  it('starts the default clocks at filing and shows the case due soon, then overdue', async () => {
    const c = await file('OPDC');
    const start = at(c.ack_due_at!, -7);
    assert.ok(Math.abs(Date.now() - start.getTime()) < 60_000, 'acknowledge within 7 days of filing');
    assert.equal(c.reply_due_at!.getTime(), at(start, 15).getTime());
    assert.equal(c.feedback_due_at!.getTime(), addMonths(start, 3).getTime());
    assert.equal(c.paused_at, null);
    assert.equal(await standing('OPDC', c.reference, at(start, 1)), 'none');
    assert.equal(await standing('OPDC', c.reference, at(start, 5.5)), 'due_soon');
    assert.equal(await standing('OPDC', c.reference, at(start, 7)), 'overdue', 'overdue at the due instant');
    const [item] = (
      await listCases({
        db: t.db,
        actor: actors['sup@opdc.example'],
        scope: 'agency',
        due: 'overdue',
        now: at(start, 7),
      })
    ).items.filter((i) => i.reference === c.reference);
    assert.equal(item.dueAt?.getTime(), c.ack_due_at!.getTime(), 'the earliest running clock is shown');
    // Another agency's people see nothing of it.
    for (const [email, scope] of [
      ['intake@nacc.example', 'mine'],
      ['sup@nacc.example', 'agency'],
    ] as const) {
      assert.ok(!(await view(email, scope, 'overdue', at(start, 7))).includes(c.reference));
    }
  });

  it('meets the acknowledgement clock on acknowledging; the reply clock runs on', async () => {
    const c = await file('OPDC');
    const start = at(c.ack_due_at!, -7);
    await transitionCase({
      db: t.db,
      actor: actors['intake@opdc.example'],
      reference: c.reference,
      to: 'acknowledged',
      reason: 'รับเรื่องแล้ว',
    });
    const after = await clocks(c.caseId);
    assert.equal(after.ack_due_at, null);
    assert.equal(after.reply_due_at?.getTime(), c.reply_due_at!.getTime());
    assert.equal(
      await standing('OPDC', c.reference, at(start, 8)),
      'none',
      'the missed acknowledgement no longer counts',
    );
    assert.equal(await standing('OPDC', c.reference, at(start, 14)), 'due_soon');
    assert.equal(await standing('OPDC', c.reference, at(start, 15.01)), 'overdue');
  });

  it('pauses while waiting for the reporter and resumes on their answer, shifted by the wait', async () => {
    const c = await file('OPDC');
    const start = at(c.ack_due_at!, -7);
    const intake = actors['intake@opdc.example'];
    const opened = await openCaseKeys({ db: t.db, actor: intake, reference: c.reference, purpose: 'message_posted' });
    await postCaseMessage({
      db: t.db,
      actor: intake,
      opened,
      text: 'ขอรายละเอียดเพิ่ม',
      files: [],
      awaitReporter: true,
      now: at(start, 2),
    });
    const waiting = await clocks(c.caseId);
    assert.equal(waiting.paused_at?.getTime(), at(start, 2).getTime());
    assert.equal(waiting.first_reply_at?.getTime(), at(start, 2).getTime());
    assert.equal(waiting.reply_due_at, null, 'a reply to the reporter meets the reply clock');
    assert.equal(await standing('OPDC', c.reference, at(start, 6)), 'none', 'a paused case is not due soon');
    assert.equal(await standing('OPDC', c.reference, at(start, 9)), 'none', 'nor overdue');
    const listed = (await listCases({ db: t.db, actor: intake, now: at(start, 9) })).items.find(
      (i) => i.reference === c.reference,
    );
    assert.equal(listed?.isPaused, true);

    await addMessage({
      db: t.db,
      caseId: c.caseId,
      key: opened.keys.content,
      author: { kind: 'reporter' },
      text: 'รายละเอียดเพิ่มเติม',
      files: [],
      now: at(start, 12),
    });
    const resumed = await clocks(c.caseId);
    assert.equal(resumed.paused_at, null);
    assert.equal(resumed.ack_due_at?.getTime(), at(c.ack_due_at!, 10).getTime(), 'ten days of waiting added');
    assert.equal(resumed.feedback_due_at?.getTime(), at(c.feedback_due_at!, 10).getTime());
    assert.equal(resumed.reply_due_at, null, 'a met clock stays met');
    assert.equal(await standing('OPDC', c.reference, at(start, 13)), 'none');
    assert.equal(await standing('OPDC', c.reference, at(start, 15.5)), 'due_soon');
    assert.equal(await standing('OPDC', c.reference, at(start, 17)), 'overdue');
  });

  it('keeps every clock to the minute, whatever second the server saw', async () => {
    const filed = new Date('2026-03-02T03:04:37.891Z');
    const done = await submitReport({
      db: t.db,
      kdf: CHEAP_KDF,
      receiptSalt: salt,
      draft: newDraft(),
      input: validateReport({ agency: 'OPDC', category: 'procurement_fraud', what: 'เนื้อหาลับ' }),
      files: [],
      channel: 'web',
      now: filed,
    });
    const minute = new Date('2026-03-02T03:04:00Z');
    const c = await clocks(done.caseId);
    assert.equal(c.ack_due_at?.toISOString(), at(minute, 7).toISOString());
    assert.equal(c.reply_due_at?.toISOString(), at(minute, 15).toISOString());
    assert.equal(c.feedback_due_at?.toISOString(), addMonths(minute, 3).toISOString());
    const intake = actors['intake@opdc.example'];
    const opened = await openCaseKeys({
      db: t.db,
      actor: intake,
      reference: done.reference,
      purpose: 'message_posted',
    });
    await postCaseMessage({
      db: t.db,
      actor: intake,
      opened,
      text: 'ขอรายละเอียดเพิ่ม',
      files: [],
      awaitReporter: true,
      now: new Date('2026-03-03T08:09:59.999Z'),
    });
    const waiting = await clocks(done.caseId);
    assert.equal(waiting.paused_at?.toISOString(), '2026-03-03T08:09:00.000Z');
    assert.equal(waiting.first_reply_at?.toISOString(), '2026-03-03T08:09:00.000Z');
    await addMessage({
      db: t.db,
      caseId: done.caseId,
      key: opened.keys.content,
      author: { kind: 'reporter' },
      text: 'ตอบ',
      files: [],
      now: new Date('2026-03-04T08:10:30.500Z'),
    });
    const resumed = await clocks(done.caseId);
    assert.equal(
      resumed.ack_due_at?.toISOString(),
      new Date(at(minute, 7).getTime() + DAY + 60_000).toISOString(),
      'shifted by the whole minutes waited',
    );
    const events = await t.db.selectFrom('case_event').select('at').where('case_id', '=', done.caseId).execute();
    for (const d of [...Object.values(resumed), ...events.map((e) => e.at)])
      if (d) assert.equal(d.getTime() % 60_000, 0, `${d.toISOString()} is to the minute`);
  });

  it('follows the agency’s policy, and its category’s over it', async () => {
    const other = await file('NACC', 'procurement_fraud');
    const start = at(other.ack_due_at!, -3);
    assert.ok(Math.abs(Date.now() - start.getTime()) < 60_000, 'the agency acknowledges within 3 days');
    assert.equal(
      other.reply_due_at!.getTime(),
      at(start, 15).getTime(),
      'what the agency does not set stays the default',
    );
    assert.equal(other.feedback_due_at!.getTime(), addMonths(start, 3).getTime());

    const bribery = await file('NACC', 'bribery');
    const start2 = at(bribery.ack_due_at!, -1);
    assert.ok(Math.abs(Date.now() - start2.getTime()) < 60_000, 'bribery is acknowledged within a day');
    assert.equal(bribery.reply_due_at!.getTime(), at(start2, 15).getTime());
    assert.equal(bribery.feedback_due_at!.getTime(), addMonths(start2, 1).getTime());
    assert.equal(await standing('NACC', bribery.reference, at(start2, 0.5)), 'due_soon');
    assert.equal(await standing('NACC', bribery.reference, at(start2, 1)), 'overdue');
    assert.equal(await standing('NACC', other.reference, at(start2, 1)), 'due_soon');
  });

  it('does not pause when the policy says clocks run while waiting', async () => {
    const c = await file('NACC', 'bribery');
    const start = at(c.ack_due_at!, -1);
    const intake = actors['intake@nacc.example'];
    const opened = await openCaseKeys({ db: t.db, actor: intake, reference: c.reference, purpose: 'message_posted' });
    await postCaseMessage({
      db: t.db,
      actor: intake,
      opened,
      text: 'ขอรายละเอียดเพิ่ม',
      files: [],
      awaitReporter: true,
      now: at(start, 0.25),
    });
    const row = await clocks(c.caseId);
    assert.equal(row.paused_at, null);
    assert.equal(row.reply_due_at, null);
    assert.equal(row.ack_due_at?.getTime(), c.ack_due_at!.getTime());
    assert.equal(await standing('NACC', c.reference, at(start, 2)), 'overdue');
  });
});
