// The filing certificate as a document a person can read and keep: A4, Sarabun, Thai first with
// English. Page 1 says what it proves in plain words; page 2 carries the verifiable part twice: the
// certificate JSON as an embedded file (what `verify-certificate` reads from the PDF) and as a QR
// code, so that a paper copy still carries it. A QR code and not a printed text block: 1–3 KB of
// base64 cannot be retyped from paper, and text pulled out of a PDF or a scan breaks lines and
// confuses O/0 and l/1; a QR code has error correction and a phone camera reads it.
//
// It MUST NOT show the report's content, its reference or the receipt: a found file (or a paper
// copy) would name the exact case, and the reporter has the reference on the receipt page and the
// follow-up page. It shows the agency because the reporter needs to know whom the certificate is
// about; the page says plainly that it does, so the reporter keeps it safe.
import QRCode from 'qrcode';
import type { Db } from '../db/connection.ts';
import { MM, OFFICIAL_PAGE, openThaiDocument, Writer, type PageLayout } from '../pdf/thai-pdf.ts';
import { beLongDate } from '../pdf/thai-text.ts';
import { buildCertificate, type FilingCertificate } from './certificate.ts';

/** The neutral names a reporter's device shows: no agency, no reference, no date. */
export const CERTIFICATE_PDF_NAME = 'sujarit-certificate.pdf';
export const CERTIFICATE_JSON_NAME = 'sujarit-certificate.json';

export type CertificateAgency = { nameTh: string; nameEn: string };

// The official margins at 14 pt instead of 16: page 1 then holds the whole statement in both languages.
const SIZE = 14;
const PAGE: PageLayout = { ...OFFICIAL_PAGE, line: SIZE * 1.3 };
const LEFT = PAGE.left;
const WIDTH = PAGE.right - PAGE.left;
const LABEL = 40 * MM;
const QR_SIDE = 110 * MM; // a version 25–40 symbol keeps modules of 0.6–0.9 mm: a phone reads it from paper
const BANGKOK_OFFSET_MS = 7 * 3_600_000; // Thailand keeps UTC+7 all year

/** The filing minute in Bangkok: "21 พฤศจิกายน 2569 เวลา 00:55 น." / "21 November 2569 B.E. (2026) at 00:55 Bangkok time (UTC+7)". */
export function filingTimeText(lang: 'th' | 'en', iso: string): string {
  const local = new Date(new Date(iso).getTime() + BANGKOK_OFFSET_MS).toISOString();
  const [ymd, hm] = [local.slice(0, 10), local.slice(11, 16)];
  return lang === 'th'
    ? `${beLongDate('th', ymd)} เวลา\u00A0${hm}\u00A0น.`
    : `${beLongDate('en', ymd)} B.E. (${ymd.slice(0, 4)}) at ${hm} Bangkok time (UTC+7)`;
}

/** The certificate as embedded and encoded: compact JSON (one line, UTF-8). */
export function certificateJson(cert: FilingCertificate): string {
  return JSON.stringify(cert);
}

/** The QR code of `text`: level M (15% may be lost) when it fits, else L; null when it cannot fit. */
function qrOf(text: string): QRCode.QRCode | null {
  for (const level of ['M', 'L'] as const) {
    try {
      return QRCode.create(text, { errorCorrectionLevel: level });
    } catch {
      // too long for a version 40 symbol at this level
    }
  }
  return null;
}

function drawQr(doc: PDFKit.PDFDocument, qr: QRCode.QRCode, x: number, y: number, side: number): void {
  const n = qr.modules.size;
  const cell = side / (n + 8); // a quiet zone of four modules on every side
  doc.save().rect(x, y, side, side).fill('white').fillColor('black');
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) if (qr.modules.get(r, c)) doc.rect(x + (c + 4) * cell, y + (r + 4) * cell, cell, cell);
  }
  doc.fill('black').restore();
}

/**
 * Renders the certificate. The output depends only on the arguments (the document's creation date
 * is the filing minute), and holds no content of the report, no reference and no receipt.
 */
export async function renderCertificatePdf({
  cert,
  agency,
  publicUrl,
}: {
  cert: FilingCertificate;
  agency: CertificateAgency;
  publicUrl: string;
}): Promise<Buffer> {
  const json = certificateJson(cert);
  const size = Number(cert.checkpoint.split('\n')[1]);
  const logUrl = `${publicUrl.replace(/\/+$/, '')}/log`;
  const th = filingTimeText('th', cert.filedAt);
  const en = filingTimeText('en', cert.filedAt);
  const { doc, bytes } = await openThaiDocument({
    layout: PAGE,
    lang: 'th-TH',
    info: {
      Title: 'หนังสือรับรองการแจ้งเรื่อง (Filing certificate)',
      Creator: 'Sujarit',
      CreationDate: new Date(cert.filedAt),
    },
  });
  doc.fontSize(SIZE);
  const w = new Writer(doc, false, PAGE);
  const full = { x: LEFT, width: WIDTH };
  const para = { ...full, indent: 25 * MM };
  const field = (th: string, en: string, value: string) => {
    w.room(2 * PAGE.line);
    const top = w.y;
    w.block(th, { x: LEFT, width: LABEL, font: 'bold' });
    w.block(en, { x: LEFT, width: LABEL });
    const below = w.y;
    w.y = top;
    w.block(value, { x: LEFT + LABEL, width: WIDTH - LABEL });
    w.y = Math.max(below, w.y) + PAGE.line / 4;
  };

  w.block('หนังสือรับรองการแจ้งเรื่อง', { ...full, align: 'center', font: 'bold' });
  w.block('Filing certificate', { ...full, align: 'center', font: 'bold' });
  w.gap(1);
  w.block(
    `หนังสือฉบับนี้รับรองว่า มีผู้แจ้งเรื่องต่อ${agency.nameTh} ผ่านระบบสุจริต และเรื่องนั้นถูกบันทึกลงในบัญชีสาธารณะ ซึ่งเพิ่มต่อท้ายได้อย่างเดียว เมื่อวันที่ ${th} ` +
      `และบัญชีไม่ได้ถูกเขียนใหม่นับแต่นั้น: จุดตรวจสอบที่บัญชีลงนามไว้ (${size}\u00A0รายการ) ยังมีรายการของเรื่องนี้อยู่ และหากภายหลังมีการลบหรือแก้ไขย้อนหลัง ผู้ถือหนังสือฉบับนี้ตรวจพบได้`,
    para,
  );
  w.block('หนังสือนี้ไม่มีเนื้อหาของเรื่อง ไม่มีหมายเลขอ้างอิง และไม่มีรหัสรับเรื่อง แต่มีชื่อหน่วยงานที่รับเรื่อง โปรดเก็บไว้ในที่ปลอดภัย', para);
  w.gap(0.5);
  w.block(
    `This certifies that a report was filed with ${agency.nameEn} through Sujarit and committed to its public, append-only ledger on ${en}, ` +
      `and that the log has not been rewritten since: its signed checkpoint of ${size} entries still holds this report’s entry, and anyone holding this certificate can detect a later deletion or change.`,
    para,
  );
  w.block(
    'It holds none of the report’s content, no reference and no receipt, but it names the agency: keep it somewhere safe.',
    para,
  );
  w.gap(1);
  field('หน่วยงานที่รับเรื่อง', 'Agency', `${agency.nameTh}\n${agency.nameEn}`);
  field('เวลาที่แจ้ง', 'Filed', `${th}\n${en}`);
  field('บัญชีสาธารณะ', 'Public log', cert.log.origin);
  field(
    'จุดตรวจสอบ',
    'Checkpoint',
    `${size} รายการ รายการของเรื่องนี้คือลำดับที่ ${cert.index}\n${size} entries; this report is entry ${cert.index}`,
  );
  field(
    'ลายนิ้วมือเนื้อหา',
    'Content digest',
    `SHA-256\u00A0${cert.contentDigest.slice(0, 32)}\n${cert.contentDigest.slice(32)}`,
  );
  w.gap(0.5);
  w.block('วิธีตรวจสอบและส่วนที่ใช้ตรวจสอบอยู่ในหน้า 2 / How to verify, and the verifiable part: page 2.', full);

  w.room(PAGE.bottom); // page 2: the verifiable part
  w.block('ส่วนที่ใช้ตรวจสอบ / The verifiable part', { ...full, align: 'center', font: 'bold' });
  w.gap(0.5);
  w.block(
    `ไฟล์ ${CERTIFICATE_JSON_NAME} แนบอยู่ในเอกสาร PDF นี้ (ดูที่แถบไฟล์แนบของโปรแกรมอ่าน PDF) และอยู่ในรหัส QR ด้านล่างสำหรับฉบับพิมพ์ ตรวจสอบได้แบบออฟไลน์ด้วยกุญแจตรวจสอบของบัญชี ซึ่งควรได้จากแหล่งที่เชื่อถือได้ เช่น หน่วยงานประกาศไว้ หรือที่`,
    para,
  );
  w.block(`${logUrl}/vkey`, { x: LEFT + 10 * MM, width: WIDTH - 10 * MM });
  w.block(
    `The file ${CERTIFICATE_JSON_NAME} is attached to this PDF (the attachments panel of a PDF reader) and is in the QR code below for a paper copy. Verify it offline with the log’s verifier key, from a source you trust: the agency publishes it, and the log serves it at the address above.`,
    para,
  );
  w.gap(0.5);
  w.block(`npm run sujarit -- verify-certificate ${CERTIFICATE_PDF_NAME} --vkey "$(curl -s ${logUrl}/vkey)"`, {
    x: LEFT + 10 * MM,
    width: WIDTH - 10 * MM,
  });
  w.gap(0.5);
  w.block(
    'หรือด้วย OpenSSL และ Python ตามคู่มือ docs/ledger.md ของ Sujarit / or with OpenSSL and Python, as in Sujarit’s docs/ledger.md. บัญชีสาธารณะ / The public log:',
    full,
  );
  w.block(`${logUrl}/checkpoint`, { x: LEFT + 10 * MM, width: WIDTH - 10 * MM });
  const qr = qrOf(json);
  w.gap(0.5);
  if (qr) {
    w.room(QR_SIDE + PAGE.line);
    drawQr(doc, qr, LEFT + (WIDTH - QR_SIDE) / 2, w.y, QR_SIDE);
    w.y += QR_SIDE;
    w.block(
      `รหัส QR: ${CERTIFICATE_JSON_NAME} (${Buffer.byteLength(json)} ไบต์) / QR code: ${CERTIFICATE_JSON_NAME} (${Buffer.byteLength(json)} bytes)`,
      { ...full, align: 'center' },
    );
  } else {
    w.block(
      'ใบรับรองนี้ยาวเกินกว่าจะพิมพ์เป็นรหัส QR ได้: ใช้ไฟล์ที่แนบ / This certificate is too long for a QR code: use the attached file.',
      full,
    );
  }
  doc.file(Buffer.from(json, 'utf8'), {
    name: CERTIFICATE_JSON_NAME,
    type: 'application/json',
    description: 'Sujarit filing certificate',
    creationDate: new Date(cert.filedAt),
    modifiedDate: new Date(cert.filedAt),
  });
  doc.end();
  return bytes;
}

/**
 * The agency a case was filed with: the sender of its first referral, or its owner when it was
 * never referred (a transfer changes the owner, not where the reporter filed).
 */
async function filingAgency(db: Db, caseId: string): Promise<CertificateAgency> {
  const first = await db
    .selectFrom('case_referral')
    .select('from_agency_id')
    .where('case_id', '=', caseId)
    .orderBy('referred_at')
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
  const agencyId =
    first?.from_agency_id ??
    (await db.selectFrom('report_case').select('agency_id').where('id', '=', caseId).executeTakeFirstOrThrow())
      .agency_id;
  const row = await db
    .selectFrom('agency')
    .select(['name_th', 'name_en'])
    .where('id', '=', agencyId)
    .executeTakeFirstOrThrow();
  return { nameTh: row.name_th, nameEn: row.name_en };
}

/**
 * The certificate of a case's submission as JSON and as PDF, or null while its entry is not yet in
 * a signed checkpoint. MUST be given the case key (reporter or recipient).
 */
export async function buildCertificateFiles({
  db,
  caseId,
  caseKey,
  vkey,
  publicUrl,
}: {
  db: Db;
  caseId: string;
  caseKey: Buffer;
  vkey: string;
  publicUrl: string;
}): Promise<{ json: string; pdf: () => Promise<Buffer> } | null> {
  const cert = await buildCertificate({ db, caseId, caseKey, vkey });
  if (!cert) return null;
  return {
    json: `${JSON.stringify(cert, null, 2)}\n`,
    pdf: async () => renderCertificatePdf({ cert, agency: await filingAgency(db, caseId), publicUrl }),
  };
}
