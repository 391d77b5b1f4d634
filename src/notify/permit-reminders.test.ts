// §10 reminders against a real local SMTP server, with a controllable clock: every 7 days while
// undecided, never twice in a step (even from two runners), retried when mail fails, content-free.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, beforeEach, describe, it } from 'node:test';
import { closedPortUrl, startSmtp } from '../../test/support/smtp.ts';
import { CHEAP_KDF, seedAgency, seedStaff, signedInActor } from '../../test/support/app.ts';
import { createTestDatabase, type TestDatabase } from '../../test/support/db.ts';
import { bangkokToday, formatDay } from '../cases/permit-dates.ts';
import { recordPermitDecision, tellPermitDelay } from '../cases/permits.ts';
import { newDraft, submitReport } from '../intake/submit-report.ts';
import { validateComplaint } from '../intake/validate-complaint.ts';
import { createMailTransport, type MailTransport } from '../mail/mailer.ts';
import { CLAIM_LEASE_MS, sendPermitReminders } from './permit-reminders.ts';

const DAY = 86_400_000;
const MARKER = 'PERMIT-MARKER-7c3a';
const PUBLIC_URL = 'https://sujarit.example.go.th';
const FROM = 'permits@sujarit.example.go.th';
const addDays = (day: string, n: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);

describe('sendPermitReminders', () => {
  let t: TestDatabase;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let transport: MailTransport;
  const salt = randomBytes(16);
  const today = bangkokToday();
  before(async () => {
    t = await createTestDatabase(6);
    smtp = await startSmtp();
    transport = createMailTransport(smtp.url);
    await seedAgency(t.db, 'OPDC');
    await seedAgency(t.db, 'NACC');
    await seedStaff(t.db, 'OPDC', 'io@opdc.example');
    await seedStaff(t.db, 'OPDC', 'sup@opdc.example', ['supervisor']);
    await seedStaff(t.db, 'OPDC', 'inv@opdc.example', ['investigator']);
    await seedStaff(t.db, 'OPDC', 'aud@opdc.example', ['auditor']);
    await seedStaff(t.db, 'OPDC', 'gone@opdc.example', ['supervisor']);
    await t.db.updateTable('staff_user').set({ is_active: false }).where('email', '=', 'gone@opdc.example').execute();
    await seedStaff(t.db, 'NACC', 'io@nacc.example');
  });
  after(async () => {
    transport.close();
    await smtp.close();
    await t.drop();
  });
  // Each test files its own requests: the earlier ones are decided and their mail forgotten.
  beforeEach(async () => {
    await t.db
      .updateTable('permit_request')
      .set({ decision: 'approved', decided_on: today, next_notice_at: null })
      .where('decision', 'is', null)
      .execute();
    smtp.received.length = 0;
    smtp.refused.clear();
  });

  /** A permit request 10 days past the manual's deadline; its first reminder is due at `start`. */
  const file = async (agency = 'OPDC') => {
    const { report, complaint } = validateComplaint(
      {
        agency,
        what: `${MARKER} ขอใบอนุญาตตั้งโรงงาน`,
        identityName: `นาย ${MARKER}`,
        identityContact: '0899999999',
        permitReference: `REQ-${MARKER}`,
        filedOn: addDays(today, -40),
        manualDueOn: addDays(today, -10),
      },
      'permit',
    );
    const done = await submitReport({
      db: t.db,
      kdf: CHEAP_KDF,
      receiptSalt: salt,
      draft: newDraft(),
      input: report,
      complaint,
      files: [],
      channel: 'line',
    });
    const row = await t.db
      .selectFrom('permit_request')
      .select('next_notice_at')
      .where('case_id', '=', done.caseId)
      .executeTakeFirstOrThrow();
    return { ...done, start: row.next_notice_at! };
  };
  const run = (now: Date, via: MailTransport = transport) =>
    sendPermitReminders({ db: t.db, transport: via, from: FROM, publicUrl: PUBLIC_URL, now });
  const at = (start: Date, days: number) => new Date(start.getTime() + days * DAY);
  const recipients = () => smtp.received.flatMap((m) => m.to).sort();
  const reminders = (caseId: string) =>
    t.db
      .selectFrom('permit_notice')
      .select(['kind', 'at', 'recipients'])
      .where('case_id', '=', caseId)
      .where('kind', '=', 'reminder')
      .orderBy('id')
      .execute();
  const nextOf = async (caseId: string) =>
    (
      await t.db
        .selectFrom('permit_request')
        .select('next_notice_at')
        .where('case_id', '=', caseId)
        .executeTakeFirstOrThrow()
    ).next_notice_at;
  const actor = (email: string) => signedInActor(t.db, email);

  it('mails the owning agency’s intake officers and supervisors once each, with references and days late only', async () => {
    const a = await file();
    const b = await file();
    const c = await file('NACC');
    const result = await run(at(a.start, 0.01));
    assert.deepEqual(result, { reminders: 3, mails: 3, errors: [] });
    assert.deepEqual(
      recipients(),
      ['io@nacc.example', 'io@opdc.example', 'sup@opdc.example'],
      'no investigator, auditor or inactive supervisor',
    );
    for (const m of smtp.received) {
      assert.equal(m.to.length, 1);
      assert.ok(
        !m.raw.includes(MARKER) &&
          !m.text.includes(MARKER) &&
          !m.text.includes('โรงงาน') &&
          !m.text.includes('0899999999'),
        'no content',
      );
    }
    const [mail] = smtp.received.filter((m) => m.to.includes('sup@opdc.example'));
    assert.equal(
      mail.subject,
      'คำขออนุญาตล่าช้า 2 เรื่อง: ถึงกำหนดแจ้งเหตุแห่งความล่าช้า (มาตรา 10) / 2 late permit request(s): time to tell the applicant why (section 10)',
    );
    for (const x of [a, b]) {
      assert.ok(mail.text.includes(`${PUBLIC_URL}/staff/cases/${x.reference}/permit`));
      assert.ok(
        mail.text.includes(`${x.reference}: เกินกำหนด 10 วัน (กำหนดตามคู่มือ ${formatDay('th', addDays(today, -10))})`),
        mail.text,
      );
      assert.ok(
        mail.text.includes(`${x.reference}: 10 day(s) late (manual deadline ${formatDay('en', addDays(today, -10))})`),
        mail.text,
      );
    }
    assert.match(mail.text, /มาตรา 10/);
    assert.ok(!mail.text.includes(c.reference), 'another agency’s request is not listed');
    assert.deepEqual(
      (await reminders(a.caseId)).map((r) => r.recipients),
      [2],
    );
    assert.deepEqual(
      (await reminders(c.caseId)).map((r) => r.recipients),
      [1],
    );
    assert.equal((await nextOf(a.caseId))?.getTime(), at(a.start, 7).getTime());
  });

  it('reminds every 7 days, never twice within a step, until the decision', async () => {
    const a = await file();
    const io = await actor('io@opdc.example');
    const sent: number[] = [];
    for (const day of [0, 0.5, 3, 6.99, 7, 7.2, 13, 14.1, 20.9]) {
      const r = await run(at(a.start, day));
      if (r.reminders > 0) sent.push(day);
    }
    assert.deepEqual(sent, [0, 7, 14.1]);
    assert.deepEqual(
      (await reminders(a.caseId)).map((r) => (r.at.getTime() - a.start.getTime()) / DAY),
      [0, 7, 14.1],
    );
    assert.equal((await nextOf(a.caseId))?.getTime(), at(a.start, 21).getTime(), 'the schedule keeps its steps');
    // A run that was down for three weeks sends one reminder, not three.
    assert.equal((await run(at(a.start, 41))).reminders, 1);
    assert.equal((await nextOf(a.caseId))?.getTime(), at(a.start, 42).getTime());
    await recordPermitDecision({ db: t.db, actor: io, reference: a.reference, decision: 'approved', decidedOn: today });
    assert.deepEqual(await run(at(a.start, 60)), { reminders: 0, mails: 0, errors: [] });
  });

  it('starts the 7 days again when staff told the applicant the reason', async () => {
    const a = await file();
    const io = await actor('io@opdc.example');
    assert.equal((await run(at(a.start, 0))).reminders, 1);
    await tellPermitDelay({
      db: t.db,
      actor: io,
      reference: a.reference,
      reason: 'รอผลตรวจสถานที่',
      now: at(a.start, 5),
    });
    assert.equal((await run(at(a.start, 7))).reminders, 0, 'told on day 5: not due on day 7');
    assert.equal((await run(at(a.start, 11.9))).reminders, 0);
    assert.equal((await run(at(a.start, 12))).reminders, 1);
    const kinds = await t.db
      .selectFrom('permit_notice')
      .select('kind')
      .where('case_id', '=', a.caseId)
      .orderBy('id')
      .execute();
    assert.deepEqual(
      kinds.map((k) => k.kind),
      ['reminder', 'reason_told', 'reminder'],
    );
  });

  it('sends once when two runners run at once', async () => {
    const a = await file();
    const b = await file();
    const other = createMailTransport(smtp.url);
    const [x, y] = await Promise.all([run(at(a.start, 0.01)), run(at(a.start, 0.01), other)]);
    other.close();
    assert.equal(x.reminders + y.reminders, 2, 'each request claimed by one runner');
    const perPerson = Map.groupBy(
      smtp.received.flatMap((m) => m.to.map((to) => ({ to, text: m.text }))),
      (m) => m.to,
    );
    for (const [, mails] of perPerson) {
      for (const ref of [a.reference, b.reference])
        assert.equal(mails.filter((m) => m.text.includes(ref)).length, 1, `${ref} once`);
    }
    assert.equal((await reminders(a.caseId)).length, 1);
    assert.equal((await reminders(b.caseId)).length, 1);
  });

  it('skips a request another runner holds, without waiting for it', async () => {
    const held = await file();
    const free = await file();
    let release!: () => void;
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => (locked = r));
    const holder = t.db.transaction().execute(async (trx) => {
      await trx.selectFrom('permit_request').select('case_id').where('case_id', '=', held.caseId).forUpdate().execute();
      locked();
      await new Promise<void>((r) => (release = r));
    });
    await isLocked;
    const r = await run(at(held.start, 0.01));
    release();
    await holder;
    assert.equal(r.reminders, 1);
    assert.ok(
      smtp.received.every((m) => !m.text.includes(held.reference)) &&
        smtp.received.some((m) => m.text.includes(free.reference)),
    );
    assert.equal((await run(at(held.start, 0.02))).reminders, 1, 'the held one at the next run');
  });

  it('records nothing when the mail server is down, and sends at the next run', async () => {
    const a = await file();
    const down = createMailTransport(await closedPortUrl());
    const first = await run(at(a.start, 0.01), down);
    down.close();
    assert.equal(first.reminders, 0);
    assert.equal(first.mails, 0);
    assert.equal(first.errors.length, 1, 'one failure stops the run');
    assert.deepEqual(await reminders(a.caseId), []);
    assert.equal((await nextOf(a.caseId))?.getTime(), a.start.getTime(), 'released: still due');
    assert.deepEqual(await run(at(a.start, 0.02)), { reminders: 1, mails: 2, errors: [] });
  });

  it('retries a deferred recipient’s reminders, and does not retry a recipient refused for good', async () => {
    const a = await file();
    smtp.refused.set('sup@opdc.example', 450);
    const first = await run(at(a.start, 0.01));
    assert.equal(first.reminders, 0);
    assert.match(first.errors[0], /sup@opdc\.example/);
    assert.deepEqual(await reminders(a.caseId), []);
    smtp.refused.set('sup@opdc.example', 550);
    const second = await run(at(a.start, 0.02));
    assert.equal(second.reminders, 1);
    assert.equal(second.mails, 1);
    assert.deepEqual(
      (await reminders(a.caseId)).map((r) => r.recipients),
      [1],
      'one person reached',
    );
    assert.deepEqual((await run(at(a.start, 0.03))).reminders, 0);
  });

  it('leaves a claim by a runner that died to expire, then sends it', async () => {
    const a = await file();
    const now = at(a.start, 0.01);
    // What a runner leaves behind when it dies between its claim and its mail.
    await t.db
      .updateTable('permit_request')
      .set({ next_notice_at: new Date(now.getTime() + CLAIM_LEASE_MS) })
      .where('case_id', '=', a.caseId)
      .execute();
    assert.equal((await run(now)).reminders, 0);
    assert.equal((await run(new Date(now.getTime() + CLAIM_LEASE_MS))).reminders, 1);
  });
});
