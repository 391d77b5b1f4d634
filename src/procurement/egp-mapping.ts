// Thailand's e-GP open data (the Comptroller General's Department's procurement data published on
// data.go.th) mapped to OCDS, as data: docs/procurement.md prints this table. The column names are
// those the issue quotes from the published CSV; we could not open a published file to confirm the
// full list (docs/procurement.md, "What is not confirmed"), so unknown columns are ignored and only
// รหัสโครงการ and ชื่อหน่วยงาน are required.

export type EgpField = 'text' | 'amount' | 'date' | 'method';

export type EgpColumn = {
  /** The column name as published (Thai). */
  column: string;
  /** Where its value goes in the OCDS release (a path, for the docs). */
  ocds: string;
  kind: EgpField;
  required?: boolean;
};

export const EGP_COLUMNS: readonly EgpColumn[] = [
  { column: 'รหัสโครงการ', ocds: 'ocid = "th-egp-" + value; tender/id', kind: 'text', required: true },
  { column: 'ชื่อโครงการ', ocds: 'tender/title', kind: 'text' },
  { column: 'ชื่อหน่วยงาน', ocds: 'buyer/name, buyer/id (when there is no รหัสหน่วยงาน)', kind: 'text', required: true },
  { column: 'รหัสหน่วยงาน', ocds: 'buyer/id', kind: 'text' },
  {
    column: 'วิธีจัดซื้อฯ',
    ocds: 'tender/procurementMethodDetails; tender/procurementMethod (EGP_METHODS)',
    kind: 'method',
  },
  { column: 'งบประมาณ(บาท)', ocds: 'planning/budget/amount (THB)', kind: 'amount' },
  { column: 'ราคากลาง(บาท)', ocds: 'tender/value/amount (THB)', kind: 'amount' },
  { column: 'ราคาตกลงซื้อ/จ้าง', ocds: 'awards[]/value/amount, contracts[]/value/amount (THB)', kind: 'amount' },
  { column: 'ชื่อผู้ชนะ', ocds: 'awards[]/suppliers[0]/name', kind: 'text' },
  { column: 'เลขนิติบุคคล', ocds: 'awards[]/suppliers[0]/id = "TH-DBD-" + value (else the name)', kind: 'text' },
  { column: 'วันที่ประกาศ', ocds: 'tender/tenderPeriod/startDate, date', kind: 'date' },
  { column: 'วันที่ลงนามสัญญา', ocds: 'contracts[]/dateSigned, awards[]/date', kind: 'date' },
];

/**
 * The Public Procurement and Supplies Administration Act B.E. 2560, section 55, names three
 * methods: general invitation (วิธีประกาศเชิญชวนทั่วไป; e-market, e-bidding and price inquiry are
 * its forms), selection (วิธีคัดเลือก) and the specific method (วิธีเฉพาะเจาะจง). OCDS's closed
 * procurementMethod codes: open, selective, limited. The first pattern the text contains wins.
 */
export const EGP_METHODS: readonly [pattern: string, method: 'open' | 'selective' | 'limited'][] = [
  ['เฉพาะเจาะจง', 'limited'],
  ['คัดเลือก', 'selective'],
  ['ประกาศเชิญชวน', 'open'],
  ['e-bidding', 'open'],
  ['e-market', 'open'],
  ['สอบราคา', 'open'],
];

/** The OCDS procurementMethod of an e-GP method name, or undefined. */
export function methodOf(text: string): 'open' | 'selective' | 'limited' | undefined {
  const lower = text.toLowerCase();
  return EGP_METHODS.find(([pattern]) => lower.includes(pattern))?.[1];
}
