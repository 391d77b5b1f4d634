// OIT reminders against a real local SMTP server, with a controllable clock: weekly, daily before
// the due date, never twice a day (even from two runners), retried when mail fails, ids and titles only.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { closedPortUrl, startSmtp } from '../../test/support/smtp.ts';
import { ITA_PEOPLE, itaActors } from '../../test/support/ita.ts';
import { createTestDatabase, type TestDatabase } from '../../test/support/db.ts';
import { bangkokToday, formatDay } from '../cases/permit-dates.ts';
import { openCycle, type Cycle } from '../ita/cycles.ts';
import { listFrameworks } from '../ita/framework.ts';
import { saveEvidence, saveVerdict } from '../ita/oit.ts';
import type { StaffActor } from '../staff/session.ts';
import { isReminderDue, sendItaReminders } from './ita-reminders.ts';
import { createMailTransport, type MailTransport } from '../mail/mailer.ts';

const DAY = 86_400_000;
const PUBLIC_URL = 'https://sujarit.example.go.th';
const FROM = 'ita@sujarit.example.go.th';
const MARKER = 'OIT-NOTE-MARKER-51f0';
const addDays = (day: string, n: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);

describe('isReminderDue', () => {
  it('is due weekly from the opening or the last reminder, and daily in the 7 days up to the due date', () => {
    const table: [string, string | null, string | null, boolean][] = [
      // today, last sent, due date, due?
      ['2026-01-07', null, null, false],
      ['2026-01-08', null, null, true],
      ['2026-01-14', '2026-01-08', null, false],
      ['2026-01-15', '2026-01-08', null, true],
      ['2026-01-05', null, '2026-01-20', false],
      ['2026-01-12', '2026-01-11', '2026-01-20', false],
      ['2026-01-13', '2026-01-12', '2026-01-20', true],
      ['2026-01-14', '2026-01-13', '2026-01-20', true],
      ['2026-01-14', '2026-01-14', '2026-01-20', false],
      ['2026-01-20', '2026-01-19', '2026-01-20', true],
      ['2026-01-21', '2026-01-20', '2026-01-20', false],
      ['2026-01-27', '2026-01-20', '2026-01-20', true],
    ];
    for (const [today, lastSentOn, oitDueOn, want] of table)
      assert.equal(
        isReminderDue({ today, openedOn: '2026-01-01', lastSentOn, oitDueOn }),
        want,
        `${today} last ${lastSentOn} due ${oitDueOn}`,
      );
  });
});

describe('sendItaReminders', () => {
  let t: TestDatabase;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let transport: MailTransport;
  const who: Record<string, StaffActor> = {};
  let year = 2560;
  const today = bangkokToday();

  before(async () => {
    t = await createTestDatabase(6);
    smtp = await startSmtp();
    transport = createMailTransport(smtp.url);
    Object.assign(who, await itaActors(t.db, [...ITA_PEOPLE, ['gone@opdc.example', 'OPDC', ['ita_assessor']]]));
    await t.db.updateTable('staff_user').set({ is_active: false }).where('email', '=', 'gone@opdc.example').execute();
  });
  after(async () => {
    transport.close();
    await smtp.close();
    await t.drop();
  });
  // Each test opens its own cycle: the earlier ones are closed and their mail forgotten.
  beforeEach(async () => {
    await t.db.updateTable('ita_cycle').set({ state: 'closed' }).where('state', '=', 'open').execute();
    smtp.received.length = 0;
    smtp.refused.clear();
  });

  const open = (oitDueOn: string | null = null, email = 'admin@opdc.example') =>
    openCycle({
      db: t.db,
      actor: who[email],
      fiscalYear: year++,
      frameworkName: listFrameworks()[0],
      staffCount: 100,
      oitDueOn,
    });
  /** Noon in Bangkok, `days` after today. */
  const on = (days: number) => new Date(`${addDays(today, days)}T05:00:00Z`);
  const run = (days: number, via: MailTransport = transport) =>
    sendItaReminders({ db: t.db, transport: via, from: FROM, publicUrl: PUBLIC_URL, now: on(days) });
  const recipients = () => smtp.received.flatMap((m) => m.to).sort();
  const reminders = (c: Cycle) =>
    t.db
      .selectFrom('ita_reminder')
      .select(['sent_on', 'missing', 'recipients'])
      .where('cycle_id', '=', c.id)
      .orderBy('sent_on')
      .execute();
  /** Every item but `keep` disclosed. */
  const completeAllBut = async (c: Cycle, keep: number) => {
    for (const item of c.framework.checklist.slice(keep)) {
      await saveEvidence({
        db: t.db,
        actor: who['admin@opdc.example'],
        cycleId: c.id,
        itemId: item.id,
        url: `https://opdc.example/${item.id}`,
        note: MARKER,
        maxFileBytes: 1024,
      });
      await saveVerdict({
        db: t.db,
        actor: who['assessor@opdc.example'],
        cycleId: c.id,
        itemId: item.id,
        verdict: 'yes',
        comment: MARKER,
      });
    }
  };

  it('mails the agency’s active administrators and assessors a week after opening, with the missing items and the link only', async () => {
    const c = await open();
    await completeAllBut(c, 2);
    assert.deepEqual(await run(6), { cycles: 0, mails: 0, errors: [] }, 'not before a week');
    assert.deepEqual(await run(7), { cycles: 1, mails: 2, errors: [] });
    assert.deepEqual(
      recipients(),
      ['admin@opdc.example', 'assessor@opdc.example'],
      'no investigator, inactive assessor or other agency',
    );
    const [mail] = smtp.received;
    const [a, b] = c.framework.checklist;
    for (const item of [a, b])
      assert.ok(
        mail.text.includes(`${item.id}: ${item.text.th}`) && mail.text.includes(`${item.id}: ${item.text.en}`),
        item.id,
      );
    assert.ok(!mail.text.includes(`${c.framework.checklist[2].id}: `), 'items done are not listed');
    assert.ok(mail.text.includes(`${PUBLIC_URL}/staff/ita/${c.id}/oit`));
    assert.match(mail.subject, new RegExp(`${c.fiscalYear}.*2`));
    assert.ok(!mail.raw.includes(MARKER) && !mail.raw.includes('opdc.example/'), 'no notes, comments or evidence');
    assert.deepEqual(await reminders(c), [{ sent_on: addDays(today, 7), missing: 2, recipients: 2 }]);
    const audit = await t.db
      .selectFrom('audit_event')
      .select(['actor_user_id', 'detail'])
      .where('action', '=', 'ita_reminder_sent')
      .execute();
    assert.deepEqual(
      audit.map((r) => [r.actor_user_id, r.detail]),
      [[null, { cycleId: c.id, missing: 2, recipients: 2 }]],
    );

    smtp.received.length = 0;
    assert.deepEqual(await run(7), { cycles: 0, mails: 0, errors: [] }, 'once a day');
    assert.deepEqual(await run(13), { cycles: 0, mails: 0, errors: [] }, 'once a week');
    assert.equal((await run(14)).cycles, 1);
    assert.equal(smtp.received.length, 2);
  });

  it('mails daily in the 7 days before the due date, and names the date', async () => {
    const due = addDays(today, 10);
    const c = await open(due);
    const sent = [];
    for (let d = 1; d <= 12; d++) if ((await run(d)).cycles === 1) sent.push(d);
    assert.deepEqual(sent, [3, 4, 5, 6, 7, 8, 9, 10], 'weekly again from the due date on');
    assert.equal((await reminders(c)).length, 8);
    assert.ok(
      smtp.received[0].text.includes(formatDay('th', due)) && smtp.received[0].text.includes(formatDay('en', due)),
    );
  });

  it('sends nothing for a cycle with nothing missing, or a closed one', async () => {
    const c = await open();
    await completeAllBut(c, 0);
    assert.deepEqual(await run(7), { cycles: 0, mails: 0, errors: [] });
    await t.db.updateTable('ita_cycle').set({ state: 'closed' }).where('id', '=', c.id).execute();
    const d = await open();
    await t.db.updateTable('ita_cycle').set({ state: 'closed' }).where('id', '=', d.id).execute();
    assert.deepEqual(await run(7), { cycles: 0, mails: 0, errors: [] });
    assert.equal(smtp.received.length, 0);
  });

  it('mails once when two runners run at the same time', async () => {
    const c = await open();
    const other = createMailTransport(smtp.url);
    try {
      const [r1, r2] = await Promise.all([run(7), run(7, other)]);
      assert.equal(r1.cycles + r2.cycles, 1);
      assert.equal(r1.mails + r2.mails, 2);
    } finally {
      other.close();
    }
    assert.equal(smtp.received.length, 2);
    assert.equal((await reminders(c)).length, 1);
  });

  it('releases the day’s claim when the mail server is down, and sends at the next run', async () => {
    const c = await open();
    const down = createMailTransport(await closedPortUrl());
    try {
      const r = await run(7, down);
      assert.equal(r.cycles, 0);
      assert.equal(r.errors.length, 1);
    } finally {
      down.close();
    }
    assert.deepEqual(await reminders(c), []);
    const audit = await t.db
      .selectFrom('audit_event')
      .select('detail')
      .where('action', '=', 'ita_reminder_sent')
      .execute();
    assert.ok(!audit.some((a) => (a.detail as { cycleId: number }).cycleId === c.id), 'nothing audited');
    assert.deepEqual(await run(7), { cycles: 1, mails: 2, errors: [] });
  });

  it('reports a recipient refused for good, and still records the others', async () => {
    const c = await open();
    smtp.refused.set('assessor@opdc.example', 550);
    const r = await run(7);
    assert.equal(r.cycles, 1);
    assert.equal(r.mails, 1);
    assert.equal(r.errors.length, 1);
    assert.match(r.errors[0], /assessor@opdc\.example/);
    assert.deepEqual(
      (await reminders(c)).map((x) => x.recipients),
      [1],
    );
  });
});
