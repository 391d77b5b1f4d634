// The certificate of a passed ethics course as a PDF in Thai official style (Sarabun 16 pt, the
// official page, Buddhist Era dates, Thai first then English), with its verification code and the
// public page that verifies it. The output depends only on its arguments.
import { OFFICIAL_PAGE, openThaiDocument, Writer } from '../pdf/thai-pdf.ts';
import { beLongDate } from '../pdf/thai-text.ts';
import type { VerifiedCertificate } from './certificate.ts';

export const ETHICS_CERTIFICATE_PDF = 'ethics-certificate.pdf';
export const VERIFY_PATH = '/verify-certificate';

export async function renderEthicsCertificatePdf(cert: VerifiedCertificate, publicUrl: string): Promise<Buffer> {
  const { doc, bytes } = await openThaiDocument({
    lang: 'th-TH',
    info: {
      Title: 'เกียรติบัตรการอบรมจริยธรรม (Ethics course certificate)',
      Creator: 'Sujarit',
      CreationDate: new Date(`${cert.issuedOn}T12:00:00Z`),
    },
  });
  const w = new Writer(doc, false, OFFICIAL_PAGE);
  const x = OFFICIAL_PAGE.left;
  const width = OFFICIAL_PAGE.right - OFFICIAL_PAGE.left;
  const full = { x, width };
  const center = { ...full, align: 'center' as const };
  const verifyUrl = `${publicUrl.replace(/\/+$/, '')}${VERIFY_PATH}`;
  w.block(cert.agencyTh, { ...center, font: 'bold' });
  w.block(cert.agencyEn, center);
  w.gap(1);
  w.block('เกียรติบัตรฉบับนี้ให้ไว้เพื่อแสดงว่า', center);
  w.block('This certifies that', center);
  w.gap(0.5);
  w.block(cert.name, { ...center, font: 'bold' });
  w.gap(0.5);
  w.block('ได้ผ่านการอบรมและการทดสอบหลังเรียนของหลักสูตร', center);
  w.block('has completed the course and passed its post-test', center);
  w.gap(0.5);
  w.block(cert.courseTh, { ...center, font: 'bold' });
  w.block(cert.courseEn, center);
  w.gap(0.5);
  w.block(`คะแนน ${cert.percent.toFixed(2)}% / Score ${cert.percent.toFixed(2)}%`, center);
  w.block(`ให้ไว้ ณ วันที่ ${beLongDate('th', cert.issuedOn)}`, center);
  w.block(`Given on ${beLongDate('en', cert.issuedOn)} (Buddhist Era)`, center);
  w.gap(1.5);
  w.block(`รหัสตรวจสอบ / Verification code: ${cert.code}`, { ...center, font: 'bold' });
  w.gap(0.5);
  w.block(
    `ตรวจสอบเกียรติบัตรนี้ได้ที่ ${verifyUrl} โดยกรอกรหัสตรวจสอบ ลายนิ้วมือของเกียรติบัตรถูกบันทึกในบัญชีสาธารณะของระบบสุจริต ซึ่งเพิ่มต่อท้ายได้อย่างเดียว`,
    full,
  );
  w.block(
    `Verify this certificate at ${verifyUrl} with its code. Its digest is committed to Sujarit’s public, append-only ledger.`,
    full,
  );
  doc.end();
  return bytes;
}
