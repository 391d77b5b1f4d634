// The mail jobs run by three processes at once against one database, as under SUJARIT_WORKERS=3
// or three hosts: every deadline notice and every §10 reminder is mailed to each person once,
// none is lost, whatever the interleaving of the claims.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { bangkokToday } from '../src/cases/permit-dates.ts';
import { newDraft, submitReport } from '../src/intake/submit-report.ts';
import { validateComplaint } from '../src/intake/validate-complaint.ts';
import { validateReport } from '../src/intake/validate-report.ts';
import { CHEAP_KDF, seedAgency, seedStaff } from './support/app.ts';
import { createTestDatabase, type TestDatabase } from './support/db.ts';
import { startSmtp } from './support/smtp.ts';

const PROCESSES = 3;
const CASES = 15;
const DAY = 86_400_000;
const RUNNER = path.join(import.meta.dirname, 'support', 'mail-runner.ts');
const addDays = (day: string, n: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);

describe('mail jobs in three processes at once', () => {
  let t: TestDatabase;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  const references = { deadline: [] as string[], permit: [] as string[] };

  before(async () => {
    t = await createTestDatabase(4);
    smtp = await startSmtp();
    await seedAgency(t.db, 'OPDC');
    await seedStaff(t.db, 'OPDC', 'io@opdc.example');
    await seedStaff(t.db, 'OPDC', 'sup@opdc.example', ['supervisor']);
    const today = bangkokToday();
    const salt = randomBytes(16);
    for (let i = 0; i < CASES; i++) {
      const tip = await submitReport({
        db: t.db,
        kdf: CHEAP_KDF,
        receiptSalt: salt,
        draft: newDraft(),
        input: validateReport({ agency: 'OPDC', category: 'bribery', what: `เรื่องที่ ${i}` }),
        files: [],
        channel: 'web',
      });
      references.deadline.push(tip.reference);
      const { report, complaint } = validateComplaint(
        {
          agency: 'OPDC',
          what: `ขอใบอนุญาต ${i}`,
          identityName: 'นายผู้ยื่น',
          identityContact: '0899999999',
          permitReference: `REQ-${i}`,
          filedOn: addDays(today, -40),
          manualDueOn: addDays(today, -10),
        },
        'permit',
      );
      const permit = await submitReport({
        db: t.db,
        kdf: CHEAP_KDF,
        receiptSalt: salt,
        draft: newDraft(),
        input: report,
        complaint,
        files: [],
        channel: 'web',
      });
      references.permit.push(permit.reference);
    }
  });
  after(async () => {
    await smtp?.close();
    await t?.drop();
  });

  it(`mails each notice and reminder once from ${PROCESSES} processes, and misses none`, async () => {
    const env = {
      ...process.env,
      DATABASE_URL: t.url,
      SMTP_URL: smtp.url,
      // 60 days on: every clock has run out and every permit reminder is due.
      NOW: new Date(Date.now() + 60 * DAY).toISOString(),
      START_AT: String(Date.now() + 4000),
      ROUNDS: '4',
    };
    const runs = await Promise.all(
      Array.from({ length: PROCESSES }, () => promisify(execFile)(process.execPath, [RUNNER], { env })),
    );
    const sent = runs.map((r) => JSON.parse(r.stdout) as { notices: number; reminders: number; errors: string[] });
    assert.deepEqual(
      sent.flatMap((s) => s.errors),
      [],
    );
    // Every item line (reference, clock or days late, due date) reaches each person once: a §10
    // reminder's line names its days late, so each step's line is its own.
    const items = new Map<string, number>();
    for (const mail of smtp.received) {
      const thai = mail.text.split('\n----\n')[0];
      for (const line of thai.split('\n').filter((l) => l.startsWith('- ')))
        for (const to of mail.to) items.set(`${to} ${line}`, (items.get(`${to} ${line}`) ?? 0) + 1);
    }
    const twice = [...items].filter(([, n]) => n > 1);
    assert.deepEqual(twice, [], 'an item mailed twice to one person');
    // None lost: the supervisor hears of every case, the tips' clocks and the permits' reminders.
    const toSupervisor = smtp.received.filter((m) => m.to.includes('sup@opdc.example')).map((m) => m.text);
    for (const ref of [...references.deadline, ...references.permit])
      assert.ok(
        toSupervisor.some((text) => text.includes(`/staff/cases/${ref}`)),
        `${ref} mailed to the supervisor`,
      );
    const total = sent.reduce((a, s) => ({ notices: a.notices + s.notices, reminders: a.reminders + s.reminders }), {
      notices: 0,
      reminders: 0,
    });
    // A round's step is sent once; a process that reaches a round late finds it sent already.
    assert.ok(total.reminders >= CASES && total.reminders <= CASES * 4, `${total.reminders} §10 reminders`);
    console.log(
      `${PROCESSES} processes: ${sent.map((s) => `${s.notices}+${s.reminders}`).join(', ')} notices+reminders claimed; ${smtp.received.length} mails`,
    );
  });
});
