// One process of test/mail-processes.test.ts: waits for START_AT, then runs the deadline notices
// and the §10 permit reminders ROUNDS times, round k at the clock NOW + k weeks (a new §10 step
// each round, so the processes race for every step), against DATABASE_URL and
// the SMTP server at SMTP_URL, as a server's mail timers would. Prints what it sent as JSON.
import { connect } from '../../src/db/connection.ts';
import { createMailTransport } from '../../src/mail/mailer.ts';
import { sendDeadlineNotices } from '../../src/notify/deadline-notices.ts';
import { sendPermitReminders } from '../../src/notify/permit-reminders.ts';

const env = process.env as Record<string, string>;
const db = connect(env.DATABASE_URL, 4);
const transport = createMailTransport(env.SMTP_URL);
const WEEK = 7 * 86_400_000;
const args = (k: number) => ({
  db,
  transport,
  from: 'jobs@sujarit.example.go.th',
  publicUrl: 'https://sujarit.example.go.th',
  now: new Date(Date.parse(env.NOW) + k * WEEK),
});
const sent = { notices: 0, reminders: 0, errors: [] as string[] };
await new Promise((r) => setTimeout(r, Math.max(0, Number(env.START_AT) - Date.now())));
for (let i = 0; i < Number(env.ROUNDS); i++) {
  const [d, p] = await Promise.all([sendDeadlineNotices(args(i)), sendPermitReminders(args(i))]);
  sent.notices += d.notices;
  sent.reminders += p.reminders;
  sent.errors.push(...d.errors, ...p.errors);
}
transport.close();
await db.destroy();
console.log(JSON.stringify(sent));
