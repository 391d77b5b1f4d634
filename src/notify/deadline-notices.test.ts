import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, beforeEach, describe, it } from 'node:test';
import { closedPortUrl, startSmtp } from '../../test/support/smtp.ts';
import { CHEAP_KDF, seedAgency, seedStaff, signedInActor } from '../../test/support/app.ts';
import { createTestDatabase, type TestDatabase } from '../../test/support/db.ts';
import { openCaseKeys } from '../cases/open-case.ts';
import { postCaseMessage } from '../cases/post-case-message.ts';
import { formatDate } from '../i18n/messages.ts';
import { addMessage } from '../intake/add-message.ts';
import { buddhistYear, newDraft, submitReport } from '../intake/submit-report.ts';
import { validateReport } from '../intake/validate-report.ts';
import { sendDeadlineNotices } from './deadline-notices.ts';
import { createMailTransport, type MailTransport } from '../mail/mailer.ts';

const DAY = 86_400_000;
const MARKER = 'CONTENT-MARKER-5e1f';
const PUBLIC_URL = 'https://sujarit.example.go.th';
const FROM = 'deadlines@sujarit.example.go.th';

describe('sendDeadlineNotices', () => {
  let t: TestDatabase;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let transport: MailTransport;
  const salt = randomBytes(16);
  before(async () => {
    t = await createTestDatabase(4);
    smtp = await startSmtp();
    transport = createMailTransport(smtp.url);
    await seedAgency(t.db, 'OPDC');
    await seedAgency(t.db, 'NACC');
    await seedStaff(t.db, 'OPDC', 'one@opdc.example');
    await seedStaff(t.db, 'OPDC', 'two@opdc.example');
    await seedStaff(t.db, 'OPDC', 'sup@opdc.example', ['supervisor']);
    await seedStaff(t.db, 'OPDC', 'gone@opdc.example', ['supervisor']);
    await t.db.updateTable('staff_user').set({ is_active: false }).where('email', '=', 'gone@opdc.example').execute();
    await seedStaff(t.db, 'OPDC', 'admin@opdc.example', ['agency_admin']);
    await seedStaff(t.db, 'NACC', 'one@nacc.example');
    await seedStaff(t.db, 'NACC', 'sup@nacc.example', ['supervisor']);
  });
  after(async () => {
    transport.close();
    await smtp.close();
    await t.drop();
  });
  // Each test files its own cases: the earlier ones are closed and their mail forgotten.
  beforeEach(async () => {
    await t.db.updateTable('report_case').set({ status: 'closed' }).execute();
    smtp.received.length = 0;
    smtp.refused.clear();
  });

  const file = async (agency: string) => {
    const done = await submitReport({
      db: t.db,
      kdf: CHEAP_KDF,
      receiptSalt: salt,
      draft: newDraft(),
      input: validateReport({ agency, category: 'bribery', what: `${MARKER} เนื้อหาลับ`, who: `นายถูกกล่าวหา ${MARKER}` }),
      files: [],
      channel: 'web',
    });
    const row = await t.db
      .selectFrom('report_case')
      .select(['ack_due_at'])
      .where('id', '=', done.caseId)
      .executeTakeFirstOrThrow();
    return { ...done, ackDueAt: row.ack_due_at!, start: new Date(row.ack_due_at!.getTime() - 7 * DAY) };
  };
  const run = (now: Date, via: MailTransport = transport) =>
    sendDeadlineNotices({ db: t.db, transport: via, from: FROM, publicUrl: PUBLIC_URL, now });
  const at = (start: Date, days: number) => new Date(start.getTime() + days * DAY);
  const mailTo = (email: string) => smtp.received.filter((m) => m.to.includes(email));
  const recipients = () => smtp.received.flatMap((m) => m.to).sort();
  const actor = (email: string) => signedInActor(t.db, email);

  it('mails the team and the supervisors once each, with references, clocks and due dates only', async () => {
    const a = await file('OPDC');
    const b = await file('OPDC');
    const c = await file('NACC');
    const result = await run(at(a.start, 5.5));
    assert.deepEqual(result, { notices: 3, mails: 5, errors: [] });
    assert.deepEqual(
      recipients(),
      ['one@nacc.example', 'one@opdc.example', 'sup@nacc.example', 'sup@opdc.example', 'two@opdc.example'],
      'no inactive supervisor, no administrator, one mail each',
    );
    for (const m of smtp.received) {
      assert.equal(m.from, FROM);
      assert.equal(m.to.length, 1, 'one recipient per mail: the team is not disclosed to each other');
      assert.ok(
        !m.raw.includes(MARKER) &&
          !m.text.includes(MARKER) &&
          !m.text.includes('ถูกกล่าวหา') &&
          !m.text.includes('เนื้อหาลับ'),
        'no content',
      );
    }
    for (const email of ['one@opdc.example', 'two@opdc.example', 'sup@opdc.example']) {
      const [m] = mailTo(email);
      assert.equal(m.subject, 'แจ้งเตือนกำหนดเวลา 2 เรื่อง / Deadline reminder: 2 case(s)');
      for (const x of [a, b]) {
        assert.ok(m.text.includes(`${PUBLIC_URL}/staff/cases/${x.reference}`), 'a link to the console');
        assert.ok(
          m.text.includes(`${x.reference} ตอบรับเรื่อง: ใกล้ครบกำหนด (กำหนด ${formatDate('th', x.ackDueAt)})`),
          m.text,
        );
        assert.ok(
          m.text.includes(`${x.reference} acknowledgement: due soon (due ${formatDate('en', x.ackDueAt)})`),
          m.text,
        );
      }
      assert.ok(m.text.includes(String(buddhistYear(a.ackDueAt))), 'Buddhist Era year');
      assert.ok(!m.text.includes(c.reference), 'another agency’s case is not listed');
    }
    assert.ok(mailTo('sup@nacc.example')[0].text.includes(c.reference));
    const rows = await t.db
      .selectFrom('deadline_notice')
      .select(['case_id', 'clock', 'kind'])
      .where('case_id', 'in', [a.caseId, b.caseId, c.caseId])
      .execute();
    assert.deepEqual(
      rows.map((r) => `${r.clock}/${r.kind}`),
      ['ack/due_soon', 'ack/due_soon', 'ack/due_soon'],
    );
  });

  it('sends nothing twice, even from two servers at once, and sends again once overdue', async () => {
    const a = await file('OPDC');
    const other = createMailTransport(smtp.url);
    const [x, y] = await Promise.all([run(at(a.start, 5.5)), run(at(a.start, 5.5), other)]);
    other.close();
    assert.equal(x.notices + y.notices, 1, 'one server claims the notice');
    assert.equal(smtp.received.length, 3);
    assert.deepEqual(await run(at(a.start, 5.5)), { notices: 0, mails: 0, errors: [] });
    assert.deepEqual(await run(at(a.start, 6.9)), { notices: 0, mails: 0, errors: [] });
    const late = await run(at(a.start, 7));
    assert.deepEqual(late, { notices: 1, mails: 3, errors: [] });
    assert.ok(mailTo('one@opdc.example')[1].text.includes(`${a.reference} acknowledgement: overdue`));
    assert.deepEqual((await run(at(a.start, 8))).notices, 0);
  });

  it('retries what the server deferred for one recipient, and still mails the others', async () => {
    const a = await file('OPDC');
    const c = await file('NACC');
    smtp.refused.set('two@opdc.example', 450);
    const first = await run(at(a.start, 5.5));
    assert.equal(first.mails, 4);
    assert.equal(first.errors.length, 1);
    assert.match(first.errors[0], /two@opdc\.example/);
    const kept = await t.db
      .selectFrom('deadline_notice')
      .select('case_id')
      .where('case_id', 'in', [a.caseId, c.caseId])
      .execute();
    assert.deepEqual(
      kept.map((r) => r.case_id),
      [c.caseId],
      'the refused notice is released, the delivered one kept',
    );
    smtp.refused.clear();
    smtp.received.length = 0;
    const second = await run(at(a.start, 5.6));
    assert.deepEqual(second, { notices: 1, mails: 3, errors: [] });
    assert.deepEqual(recipients(), ['one@opdc.example', 'sup@opdc.example', 'two@opdc.example']);
  });

  it('does not retry a recipient the server refuses for good, so the others are not mailed again', async () => {
    const a = await file('OPDC');
    smtp.refused.set('two@opdc.example', 550);
    const first = await run(at(a.start, 5.5));
    assert.equal(first.mails, 2);
    assert.match(first.errors[0], /two@opdc\.example.*550/);
    smtp.refused.clear();
    assert.deepEqual(await run(at(a.start, 5.6)), { notices: 0, mails: 0, errors: [] });
  });

  it('retries everything when the mail server is unreachable, stopping at the first failure', async () => {
    const a = await file('OPDC');
    const c = await file('NACC');
    const down = createMailTransport(await closedPortUrl());
    const first = await run(at(a.start, 5.5), down);
    down.close();
    assert.equal(first.notices, 2);
    assert.equal(first.mails, 0);
    assert.equal(first.errors.length, 1, 'one failure stops the run');
    assert.equal(
      (
        await t.db
          .selectFrom('deadline_notice')
          .select('case_id')
          .where('case_id', 'in', [a.caseId, c.caseId])
          .execute()
      ).length,
      0,
      'every claim released',
    );
    assert.deepEqual(await run(at(a.start, 5.6)), { notices: 2, mails: 5, errors: [] });
  });

  it('skips paused cases, and reminds again when a pause moved the clock', async () => {
    const paused = await file('OPDC');
    const moved = await file('OPDC');
    const start = paused.start;
    const one = await actor('one@opdc.example');
    const ask = async (reference: string, days: number) => {
      const opened = await openCaseKeys({ db: t.db, actor: one, reference, purpose: 'message_posted' });
      await postCaseMessage({
        db: t.db,
        actor: one,
        opened,
        text: 'ขอข้อมูลเพิ่ม',
        files: [],
        awaitReporter: true,
        now: at(start, days),
      });
      return opened;
    };
    await ask(paused.reference, 1);
    assert.equal((await run(at(start, 5.5))).notices, 1);
    assert.ok(
      smtp.received.every((m) => !m.text.includes(paused.reference)),
      'a case waiting for its reporter is not due',
    );
    const opened = await ask(moved.reference, 6);
    await addMessage({
      db: t.db,
      caseId: moved.caseId,
      key: opened.keys.content,
      author: { kind: 'reporter' },
      text: 'ตอบแล้ว',
      files: [],
      now: at(start, 16),
    });
    smtp.received.length = 0;
    // Ten days of waiting: the acknowledgement is now due on day 17, so due soon again on day 16.
    assert.deepEqual(await run(at(start, 16)), { notices: 1, mails: 3, errors: [] });
    assert.ok(
      mailTo('sup@opdc.example')[0].text.includes(
        `${moved.reference} acknowledgement: due soon (due ${formatDate('en', at(moved.ackDueAt, 10))})`,
      ),
    );
    assert.ok(smtp.received.every((m) => !m.text.includes(paused.reference)));
  });
});
