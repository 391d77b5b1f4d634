import assert from 'node:assert/strict';
import { execFile as execFileCb } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { inflateSync } from 'node:zlib';
import { createTestApp, seedAgency, seedRecipient, type TestApp } from '../../test/support/app.ts';
import { csrfOf, get, newJar, postForm, postMultipart, receiptOf } from '../../test/support/web.ts';
import { verifyCertificateCommand } from '../cli/verify-certificate.ts';
import { contentDigest } from './events.ts';
import { verifyCertificate, type FilingCertificate } from './certificate.ts';
import { embeddedFiles, readCertificateFile } from './certificate-file.ts';
import { filingTimeText } from './certificate-pdf.ts';

const execFile = promisify(execFileCb);

describe('filingTimeText', () => {
  it('gives the minute in Bangkok with the Buddhist Era year', () => {
    const table: [string, string, string][] = [
      ['2026-11-21T17:55:00.000Z', 'th', '22 พฤศจิกายน 2569 เวลา\u00A000:55\u00A0น.'],
      ['2026-11-21T17:55:00.000Z', 'en', '22 November 2569 B.E. (2026) at 00:55 Bangkok time (UTC+7)'],
      ['2026-12-31T16:59:00.000Z', 'th', '31 ธันวาคม 2569 เวลา\u00A023:59\u00A0น.'],
    ];
    for (const [iso, lang, want] of table) assert.equal(filingTimeText(lang as 'th' | 'en', iso), want);
  });
});

describe('filing certificate as a PDF', () => {
  let t: TestApp;
  let dir: string;
  let pdf: Buffer;
  let text: string;
  let reference: string;
  const content = { what: 'ผู้อำนวยการรับเงินใต้โต๊ะค่าออกใบอนุญาต', when: '1 พ.ย.', where: 'ห้องประชุมชั้นสาม', who: 'นายสมชาย' };
  before(async () => {
    t = await createTestApp();
    dir = await mkdtemp(path.join(tmpdir(), 'sujarit-cert-pdf-'));
    await seedAgency(t.db, 'OPDC');
    await seedRecipient(t.db, 'OPDC', 'officer@opdc.example');
    const jar = newJar();
    const form = await get(t.app, jar, '/report');
    const res = await postMultipart(t.app, jar, '/report', {
      _csrf: csrfOf(form.body),
      agency: 'OPDC',
      category: 'bribery',
      ...content,
    });
    await t.sequence();
    const done = await postForm(t.app, jar, '/report/certificate', {
      _csrf: csrfOf(res.body),
      receipt: receiptOf(res.body),
    });
    assert.equal(done.statusCode, 200, done.body);
    assert.equal(done.headers['content-type'], 'application/pdf');
    assert.equal(done.headers['content-disposition'], 'attachment; filename="sujarit-certificate.pdf"');
    assert.equal(done.headers['cache-control'], 'no-store');
    pdf = done.rawPayload;
    await writeFile(path.join(dir, 'c.pdf'), pdf);
    text = (await execFile('pdftotext', ['-layout', path.join(dir, 'c.pdf'), '-'])).stdout.normalize('NFKC');
    reference = (await t.db.selectFrom('report_case').select('reference').executeTakeFirstOrThrow()).reference;
  });
  after(async () => {
    await t.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('says in Thai and English what it proves, with the agency and the filing minute', () => {
    assert.match(text, /หนังสือรับรองการแจ้งเรื่อง/);
    assert.match(text, /ถูกบันทึกลงในบัญชีสาธารณะ/);
    assert.match(text, /Filing certificate/);
    const cert = readCertificateFile(pdf) as FilingCertificate;
    const minute = filingTimeText('th', cert.filedAt);
    assert.match(minute, /^\d{1,2} \S+ 25\d\d เวลา\u00A0\d\d:\d\d\u00A0น\.$/);
    assert.ok(text.replace(/\s+/g, ' ').includes(minute.replace(/\s+/g, ' ')), `the filing minute ${minute}`);
    assert.ok(text.includes(cert.log.origin), 'the log origin');
    assert.match(text, /verify-certificate sujarit-certificate\.pdf/);
    assert.ok(text.includes(`${t.config.publicUrl}/log`), 'the public log URL');
  });

  it('holds none of the report, no reference and no receipt, in its text or its bytes', () => {
    const inflated = Buffer.concat([pdf, ...embeddedFiles(pdf)]).toString('utf8');
    for (const v of Object.values(content)) {
      assert.ok(!text.includes(v), `no "${v}" in the text`);
      assert.ok(!inflated.includes(v), `no "${v}" in the file`);
    }
    assert.ok(!text.includes(reference) && !inflated.includes(reference), 'no reference');
  });

  it('embeds the certificate, which verifies with the CLI and commits to the content', async () => {
    const cert = readCertificateFile(pdf);
    const v = verifyCertificate(cert, t.ledgerKey.vkey);
    assert.equal(v.contentDigest, contentDigest(content, []).toString('hex'));
    const out = await verifyCertificateCommand([path.join(dir, 'c.pdf'), '--vkey', t.ledgerKey.vkey]);
    assert.match(out, /^certificate OK/);
  });

  it('fails to verify when one byte of the embedded certificate is altered', async () => {
    // pdfkit compresses the embedded file: alter it inflated, as a tampering tool would, and put it back.
    const json = embeddedFiles(pdf)[0].toString('utf8');
    const at = json.indexOf('"entry":"') + '"entry":"'.length + 12;
    const bad = json.slice(0, at) + (json[at] === 'A' ? 'B' : 'A') + json.slice(at + 1);
    assert.throws(() => verifyCertificate(JSON.parse(bad), t.ledgerKey.vkey));
    const flipped = Buffer.from(pdf);
    const stream = findEmbeddedStream(flipped);
    flipped[stream + 20] ^= 0x01; // one byte of the compressed stream
    await writeFile(path.join(dir, 'bad.pdf'), flipped);
    await assert.rejects(verifyCertificateCommand([path.join(dir, 'bad.pdf'), '--vkey', t.ledgerKey.vkey]));
  });

  it('reads the JSON file as before, and refuses a PDF without a certificate', () => {
    assert.equal((readCertificateFile(Buffer.from(JSON.stringify({ format: 'x' }))) as { format: string }).format, 'x');
    assert.throws(() => readCertificateFile(Buffer.from('%PDF-1.7\n1 0 obj\n<< >>\nendobj\n')), /no embedded/);
  });

  it('is two A4 pages: the statement, then the verifiable part', async () => {
    const { stdout } = await execFile('pdfinfo', [path.join(dir, 'c.pdf')]);
    assert.match(stdout, /Pages:\s+2/);
    assert.match(stdout, /Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)/);
  });
});

/** The offset of the embedded file's stream data in a pdfkit PDF. */
function findEmbeddedStream(pdf: Buffer): number {
  const text = pdf.toString('latin1');
  const at = text.indexOf('/Type /EmbeddedFile');
  const start = text.indexOf('stream\n', at) + 'stream\n'.length;
  assert.ok(at > 0 && inflateSync(pdf.subarray(start, text.indexOf('\nendstream', start))).length > 0);
  return start;
}
