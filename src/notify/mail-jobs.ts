// The periodic mail jobs (deadline notices, permit, ITA and declaration reminders): each is a send
// function of one shape and how often it runs; the server starts them together when SMTP is set.
import type { Config } from '../config/load.ts';
import type { Db } from '../db/connection.ts';
import { startMailTimer, type MailTransport } from '../mail/mailer.ts';

/** What one run of a job is given. */
export type MailRun = { db: Db; transport: MailTransport; from: string; publicUrl: string; now: Date };

/** A job: its send function, how often it runs, and the log line of a run that sent mail. */
export type MailJob<R extends { errors: string[]; mails: number }> = {
  name: string;
  intervalMs: number;
  send: (run: MailRun) => Promise<R>;
  says: (r: R) => string;
};

/** Starts every job on its own timer when SMTP is configured; `stop` waits for runs in flight. */
export function startMailJobs(
  { db, config, log }: { db: Db; config: Config; log: (level: 'info' | 'warn', msg: string) => void },
  // biome-ignore lint/suspicious/noExplicitAny: each job's run result is its own; only errors and mails are read here
  jobs: MailJob<any>[],
): { stop: () => Promise<void> } {
  const timers = jobs.map((job) =>
    startMailTimer({
      config,
      intervalMs: job.intervalMs,
      name: job.name,
      log,
      run: async (transport, now) => {
        const r = await job.send({ db, transport, from: config.mailFrom, publicUrl: config.publicUrl, now });
        return { errors: r.errors, sent: r.mails > 0 ? job.says(r) : null };
      },
    }),
  );
  return {
    stop: async () => {
      for (const t of timers) await t?.stop();
    },
  };
}
