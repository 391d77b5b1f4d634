// The annual corruption-risk assessment report and the risk-management plan as PDFs in Thai official
// style, with the ITA report's machinery (pdf/thai-pdf.ts): A4, Sarabun 16 pt, official margins,
// page numbers "- ๒ -", Buddhist Era dates. Thai only (the documents an agency files and publishes).
// The output depends only on the register and `generatedOn`.
import { LINE, MM, OFFICIAL_PAGE, openThaiDocument, Writer } from '../pdf/thai-pdf.ts';
import { bahtAmount, beLongDate, cleanText } from '../pdf/thai-text.ts';
import { translator } from '../i18n/messages.ts';
import type { Register, Risk } from './register.ts';

export const RISK_DOCUMENTS = ['assessment', 'plan'] as const;
export type RiskDocument = (typeof RISK_DOCUMENTS)[number];

const { left: LEFT, right: RIGHT, bottom: BOTTOM } = OFFICIAL_PAGE;
const WIDTH = RIGHT - LEFT;
const INDENT = 10 * MM;

const TITLES: Record<RiskDocument, string> = {
  assessment: 'รายงานผลการประเมินความเสี่ยงการทุจริต',
  plan: 'แผนบริหารจัดการความเสี่ยงการทุจริต',
};

const th = translator('th');
const rated = (r: Risk['inherent']) =>
  r.likelihood === null || r.impact === null
    ? 'ยังไม่ประเมิน'
    : `โอกาส ${r.likelihood} × ผลกระทบ ${r.impact} = ${r.likelihood * r.impact} ระดับ${r.level?.name.th ?? ''}`;

function field(w: Writer, label: string, value: string): void {
  w.block(value.trim() === '' ? '–' : value, {
    x: LEFT + INDENT,
    width: WIDTH - INDENT,
    lead: { text: `${label} `, font: 'bold', hanging: false },
  });
}

function method(w: Writer, reg: Register): void {
  w.heading('๑. เกณฑ์การประเมิน', LEFT);
  field(w, 'โอกาสที่จะเกิด', reg.matrix.likelihood.map((s) => `${s.value} ${s.name.th} (${s.meaning.th})`).join('; '));
  field(w, 'ผลกระทบ', reg.matrix.impact.map((s) => `${s.value} ${s.name.th} (${s.meaning.th})`).join('; '));
  field(w, 'ระดับความเสี่ยง (โอกาส × ผลกระทบ)', reg.matrix.levels.map((l) => `${l.name.th} ตั้งแต่ ${l.min}`).join('; '));
  w.gap();
}

function summary(w: Writer, risks: Risk[]): void {
  w.heading('๒. สรุปผล', LEFT);
  const byLevel = new Map<string, number>();
  for (const r of risks) {
    const name = (r.residual.level ?? r.inherent.level)?.name.th ?? 'ยังไม่ประเมิน';
    byLevel.set(name, (byLevel.get(name) ?? 0) + 1);
  }
  field(w, 'จำนวนความเสี่ยง', `${risks.length} รายการ`);
  field(w, 'ตามระดับความเสี่ยงคงเหลือ', [...byLevel].map(([k, n]) => `${k} ${n}`).join('; ') || '–');
  w.gap();
}

function assessed(w: Writer, r: Risk): void {
  w.heading(`ความเสี่ยงที่ ${r.number} ${r.event}`, LEFT + INDENT);
  field(w, 'ด้าน', th(`risk.area.${r.area}`));
  field(w, 'กระบวนงาน/หน่วยงานย่อย', [r.process, r.unit].filter((s) => s !== '').join(' / '));
  field(w, 'ผู้รับผิดชอบ', r.owner);
  field(w, 'สาเหตุ', r.cause);
  field(w, 'ผลกระทบ', r.consequence);
  field(w, 'การควบคุมที่มีอยู่', r.controls);
  field(w, 'ความเสี่ยงก่อนควบคุม', rated(r.inherent));
  field(w, 'ความเสี่ยงคงเหลือ', rated(r.residual));
  field(w, 'การจัดการความเสี่ยง', r.treatment ? th(`risk.treatment.${r.treatment}`) : 'ยังไม่กำหนด');
  if (r.evidence.length > 0) field(w, 'หลักฐานจากข้อมูล', r.evidence.map((e) => String(e.source)).join(', '));
  w.gap();
}

function planned(w: Writer, r: Risk): void {
  w.heading(`ความเสี่ยงที่ ${r.number} ${r.event}`, LEFT + INDENT);
  field(w, 'ระดับความเสี่ยงคงเหลือ', rated(r.residual));
  field(w, 'การจัดการความเสี่ยง', r.treatment ? th(`risk.treatment.${r.treatment}`) : 'ยังไม่กำหนด');
  if (r.actions.length === 0) field(w, 'การดำเนินการ', 'ยังไม่มี');
  r.actions.forEach((a, i) => {
    field(w, `การดำเนินการที่ ${i + 1}`, a.title + (a.measure ? ' (มาตรการ ITA)' : ''));
    field(w, 'ผู้รับผิดชอบ', a.owner);
    field(w, 'กำหนดเสร็จ', a.dueOn ? beLongDate('th', a.dueOn) : '–');
    field(w, 'งบประมาณ', `${bahtAmount('th', a.budget)} บาท`);
    field(w, 'ความก้าวหน้ารอบ ๖ เดือน', a.progress6);
    field(w, 'ความก้าวหน้ารอบ ๑๒ เดือน', a.progress12);
  });
  w.gap();
}

/** The document as PDF bytes. */
export async function renderRiskPdf(reg: Register, doc: RiskDocument, generatedOn: string): Promise<Buffer> {
  const agency = cleanText(reg.agencyName.th).replace(/\n/g, ' ').trim() || reg.agencyCode;
  const { doc: pdf, bytes } = await openThaiDocument({
    lang: 'th-TH',
    info: {
      Title: `${TITLES[doc]} ประจำปีงบประมาณ พ.ศ. ${reg.fiscalYear}`,
      Author: agency,
      Creator: 'Sujarit',
      CreationDate: new Date(`${generatedOn}T00:00:00+07:00`),
    },
  });
  const w = new Writer(pdf, false);
  const title = { x: LEFT, width: WIDTH, align: 'center' as const, font: 'bold' as const };
  w.block(TITLES[doc], title);
  w.block(agency, title);
  w.block(`ประจำปีงบประมาณ พ.ศ. ${reg.fiscalYear}`, title);
  w.gap(1);
  const risks = reg.risks.filter((r) => r.state !== 'withdrawn');
  if (doc === 'assessment') {
    method(w, reg);
    summary(w, risks);
    w.heading('๓. ความเสี่ยงการทุจริตที่ประเมิน', LEFT);
    for (const r of risks) assessed(w, r);
  } else {
    w.heading('มาตรการและการดำเนินการเพื่อจัดการความเสี่ยง', LEFT);
    for (const r of risks) planned(w, r);
  }
  if (risks.length === 0) w.block('ยังไม่มีความเสี่ยงในทะเบียน', { x: LEFT + INDENT, width: WIDTH - INDENT });
  w.room(2 * LINE);
  w.line(`จัดทำเมื่อ ${beLongDate('th', generatedOn)}`, { x: LEFT, width: WIDTH, align: 'right' }, BOTTOM - LINE);
  pdf.end();
  return bytes;
}

export function riskPdfName(reg: Pick<Register, 'agencyCode' | 'fiscalYear'>, doc: RiskDocument): string {
  return `risk-${doc}-${reg.agencyCode.replace(/[^A-Za-z0-9_-]/g, '_')}-${reg.fiscalYear}.pdf`;
}
