// Links that carry an account (an invitation, an access restore) go to their owner's mailbox, never
// to the person who asked for them: an administrator who saw a restore link could become the
// member. The link exists only in memory and in the mail; it is sent inside the transaction that
// makes it, so a mail that cannot be sent leaves nothing behind.
import type { Config } from '../config/load.ts';
import { translator, type Lang } from '../i18n/messages.ts';
import { bilingualMail, createMailTransport } from './mailer.ts';

/** Sends one staff mail; rejects when the mail server refuses it. */
export type StaffMailer = (to: string, mail: { subject: string; text: string }) => Promise<void>;

/** The platform's mailer when SMTP is configured, else null (then nothing can be mailed). */
export function staffMailer(config: Pick<Config, 'smtpUrl' | 'mailFrom'>): StaffMailer | null {
  if (!config.smtpUrl) return null;
  const transport = createMailTransport(config.smtpUrl);
  return async (to, mail) => {
    await transport.sendMail({ from: config.mailFrom, to, ...mail });
  };
}

/** A bilingual mail from the `mail.<kind>.subject` and `mail.<kind>.body` messages. */
export function staffMail(
  kind: 'invite' | 'restore_requested' | 'restore_link' | 'restore_refused' | 'handover',
  params: Record<string, string | number>,
): { subject: string; text: string } {
  const t = (lang: Lang) => translator(lang);
  return bilingualMail(
    (lang) => t(lang)(`mail.${kind}.subject`, params),
    (lang) => t(lang)(`mail.${kind}.body`, params),
  );
}
