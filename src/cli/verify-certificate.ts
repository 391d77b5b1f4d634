import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { verifyCertificate } from '../ledger/certificate.ts';
import { readCertificateFile } from '../ledger/certificate-file.ts';

export const usage =
  'verify-certificate FILE --vkey VERIFIER_KEY (FILE: the certificate PDF or JSON; the key itself, or a file holding it)';

/** Verifies a filing certificate (PDF or JSON) offline; returns the report to print. Throws on any failure. */
export async function verifyCertificateCommand(args: string[]): Promise<string> {
  const { values, positionals } = parseArgs({ args, options: { vkey: { type: 'string' } }, allowPositionals: true });
  if (positionals.length !== 1 || !values.vkey) throw new Error(`usage: ${usage}`);
  const vkey = values.vkey.includes('+') ? values.vkey : (await readFile(values.vkey, 'utf8')).trim();
  const cert = readCertificateFile(await readFile(positionals[0]));
  const v = verifyCertificate(cert, vkey);
  return [
    'certificate OK',
    `log: ${v.origin} (checkpoint of size ${v.size})`,
    `entry: ${v.index}, a submission${v.reference ? ` (reference ${v.reference})` : ''}`,
    `filed: ${v.filedAt} (to the minute)`,
    `content digest: ${v.contentDigest}`,
  ].join('\n');
}
