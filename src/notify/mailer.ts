// Outgoing mail to staff, over SMTP with nodemailer (a maintained client: STARTTLS, pooling,
// SMTP errors as rejections). Mail leaves the platform in the clear for every relay on the way:
// what is sent MUST NOT carry case content, only what the metadata views show.
import nodemailer from 'nodemailer';

/** What the platform needs of a transport: a nodemailer transporter, or a test's stand-in. */
export type MailTransport = {
  sendMail: (mail: { from: string; to: string; subject: string; text: string }) => Promise<unknown>;
  close: () => void;
};

/** A transport to the mail server of SUJARIT_SMTP_URL (options such as `?pool=true` in its query). */
export function createMailTransport(smtpUrl: string): MailTransport {
  return nodemailer.createTransport(smtpUrl);
}
