// Outgoing mail to staff, over SMTP with nodemailer (a maintained client: STARTTLS, pooling,
// SMTP errors as rejections). Mail leaves the platform in the clear for every relay on the way:
// what is sent MUST NOT carry case content, only what the metadata views show.
// How mail leaves; what to send and when is decided by the jobs in notify/ and by staff-mail.ts.
import nodemailer from 'nodemailer';
import type { Config } from '../config/load.ts';
import type { Lang } from '../i18n/messages.ts';

/** What the platform needs of a transport: a nodemailer transporter, or a test's stand-in. */
export type MailTransport = {
  sendMail: (mail: { from: string; to: string; subject: string; text: string }) => Promise<unknown>;
  close: () => void;
};

/** A transport to the mail server of SUJARIT_SMTP_URL (options such as `?pool=true` in its query). */
export function createMailTransport(smtpUrl: string): MailTransport {
  return nodemailer.createTransport(smtpUrl);
}

/** A mail in Thai, then English: one subject line with both, one body with both sections. */
export function bilingualMail(
  subject: (lang: Lang) => string,
  section: (lang: Lang) => string,
): { subject: string; text: string } {
  return { subject: `${subject('th')} / ${subject('en')}`, text: `${section('th')}\n\n----\n\n${section('en')}\n` };
}

/**
 * Runs `run` every `intervalMs` when SMTP is configured (null otherwise): one run at a time, the
 * timer unref'd, failures logged and retried at the next run, never thrown. `run` returns the
 * errors to log and, when it sent mail, a line saying so.
 */
export function startMailTimer({
  config,
  intervalMs,
  name,
  log,
  run,
}: {
  config: Config;
  intervalMs: number;
  name: string;
  log: (level: 'info' | 'warn', msg: string) => void;
  run: (transport: MailTransport, now: Date) => Promise<{ errors: string[]; sent: string | null }>;
}): { stop: () => Promise<void> } | null {
  if (!config.smtpUrl) return null;
  const transport = createMailTransport(config.smtpUrl);
  let running: Promise<void> | null = null;
  const tick = () => {
    running ??= run(transport, new Date())
      .then((r) => {
        for (const e of r.errors) log('warn', e);
        if (r.sent) log('info', `${name}: ${r.sent}`);
      })
      .catch((e: Error) => log('warn', `${name}: ${e.message}`))
      .finally(() => {
        running = null;
      });
  };
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
      transport.close();
    },
  };
}
