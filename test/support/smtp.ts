// A real SMTP server on 127.0.0.1 for the mail tests (deadline notices, permit reminders): it keeps
// what it receives, decoded, and refuses the recipients it is told to.
import { createServer, type AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export type Received = { from: string; to: string[]; subject: string; text: string; raw: string };

/** The body or header text as written, whatever transfer encoding nodemailer chose. */
function decodeBody(headers: string, body: string): string {
  if (/^content-transfer-encoding:\s*base64/im.test(headers))
    return Buffer.from(body.replace(/\s/g, ''), 'base64').toString('utf8');
  if (/^content-transfer-encoding:\s*quoted-printable/im.test(headers))
    return Buffer.from(
      body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16))),
      'latin1',
    ).toString('utf8');
  return body;
}

function decodeSubject(headers: string): string {
  const line = /^subject:(.*(?:\r\n[ \t].*)*)/im.exec(headers)![1].replace(/\r\n[ \t]/g, ' ');
  // adjacent encoded words join without the space between them (RFC 2047 §6.2), bytes first
  const parts = line
    .trim()
    .replace(/\?=\s+=\?/g, '?==?')
    .split(/(=\?utf-8\?[bq]\?[^?]*\?=)/i)
    .filter(Boolean);
  return Buffer.concat(
    parts.map((p) => {
      const m = /^=\?utf-8\?([bq])\?([^?]*)\?=$/i.exec(p);
      if (!m) return Buffer.from(p);
      return m[1].toLowerCase() === 'b'
        ? Buffer.from(m[2], 'base64')
        : Buffer.from(
            m[2].replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16))),
            'latin1',
          );
    }),
  ).toString('utf8');
}

/** A real SMTP server on 127.0.0.1 that keeps what it receives and refuses the recipients it is told to. */
export async function startSmtp() {
  const received: Received[] = [];
  /** Recipient address → the SMTP code refusing it (450: try later; 550: never). */
  const refused = new Map<string, number>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      const code = refused.get(address.address);
      if (code === undefined) return callback();
      callback(Object.assign(new Error('mailbox unavailable'), { responseCode: code }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('latin1');
        const split = raw.indexOf('\r\n\r\n');
        const headers = raw.slice(0, split);
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        received.push({
          from,
          to: session.envelope.rcptTo.map((r) => r.address),
          subject: decodeSubject(headers),
          text: decodeBody(headers, raw.slice(split + 4)),
          raw,
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    received,
    refused,
    url: `smtp://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** An address where nothing listens: a port just freed. */
export async function closedPortUrl(): Promise<string> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return `smtp://127.0.0.1:${port}`;
}
