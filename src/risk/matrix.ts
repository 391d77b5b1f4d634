// The data a risk register is built on: the areas of risk, the likelihood × impact matrix with its
// bands and levels, and where each comes from. Data, not code: a register names its matrix, so a
// later change of the default changes no register already made.
//
// Sources (checked 2026-12-07 through the reference search; none is NACC's own guide, which could
// not be reached):
// - PACC (สำนักงาน ป.ป.ท.), "คู่มือแนวทางการประเมินความเสี่ยงการทุจริต (Fraud Risk Assessment)",
//   กองยุทธศาสตร์และแผนงาน, September 2561, and its February 2563 edition (the method: risk
//   identification, likelihood × impact, levels, measures): https://pubhtml5.com/siie/csun/basic/ and
//   https://pubhtml5.com/lyla/exsp/basic/
// - NACC's Ang Thong office, "การประเมินความเสี่ยงการทุจริตในประเด็นที่เกี่ยวข้องกับสินบน
//   ปีงบประมาณ พ.ศ. 2567" (the bribery focus since ITA 2567):
//   https://www.nacc.go.th/angthong/categorydetail/2020091411551939/20240618152621
// - Toomyai Subdistrict (an agency applying the guide): the four areas and the frequency bands and
//   impact criteria quoted below, as published:
//   https://www.toomyai.go.th/ (page "การประเมินความเสี่ยงการทุจริต")
// NOT CONFIRMED: the band "more than 25 a year" for level 5 leaves 21–25 a year unplaced in the
// published text (kept as published: level 4 is "up to 20", level 5 "more than 25"); impact levels 1
// and 2 have no description there; the level bands of the score (1–3, 4–8, 9–14, 15–25) are the ones
// agencies commonly print with the guide and could not be matched to a NACC or PACC page.

export type Text = { th: string; en: string };

/** One step of a scale: its value, name and what it means. */
export type Step = { value: number; name: Text; meaning: Text };

/** A level of risk: scores from `min` (likelihood × impact) up to the next level's. */
export type Level = { key: 'low' | 'medium' | 'high' | 'very_high'; min: number; name: Text; colour: string };

export type Matrix = {
  name: string;
  title: Text;
  likelihood: readonly Step[];
  impact: readonly Step[];
  levels: readonly Level[];
  sources: readonly string[];
  notConfirmed: readonly string[];
};

const step = (value: number, th: string, en: string, meaningTh: string, meaningEn: string): Step => ({
  value,
  name: { th, en },
  meaning: { th: meaningTh, en: meaningEn },
});

/**
 * The default: 5 × 5, likelihood by how often a year, impact by the harm to the agency and the
 * public. Colours have at least 4.5:1 contrast with white text; the level is also printed in every
 * cell, so colour never carries the meaning alone.
 */
export const NACC_5X5: Matrix = {
  name: 'nacc-5x5',
  title: { th: 'เมทริกซ์ความเสี่ยง 5 × 5 (โอกาส × ผลกระทบ)', en: '5 × 5 risk matrix (likelihood × impact)' },
  likelihood: [
    step(1, 'น้อยมาก', 'very low', 'ไม่เกิน 5 ครั้งต่อปี', 'up to 5 times a year'),
    step(2, 'น้อย', 'low', 'ไม่เกิน 10 ครั้งต่อปี', 'up to 10 times a year'),
    step(3, 'ปานกลาง', 'medium', 'ไม่เกิน 15 ครั้งต่อปี', 'up to 15 times a year'),
    step(4, 'สูง', 'high', 'ไม่เกิน 20 ครั้งต่อปี', 'up to 20 times a year'),
    step(5, 'สูงมาก', 'very high', 'มากกว่า 25 ครั้งต่อปี', 'more than 25 times a year'),
  ],
  impact: [
    step(1, 'น้อยมาก', 'very low', '(ไม่ระบุในแหล่งที่มา)', '(not described in the source)'),
    step(2, 'น้อย', 'low', '(ไม่ระบุในแหล่งที่มา)', '(not described in the source)'),
    step(3, 'ปานกลาง', 'medium', 'เสียหายต่อภาพลักษณ์ของหน่วยงาน', 'harms the agency’s reputation'),
    step(
      4,
      'สูง',
      'high',
      'เสียหายต่อภาพลักษณ์ของหน่วยงาน และประชาชนไม่ได้รับความสะดวก',
      'harms the agency’s reputation, and the public is not served',
    ),
    step(
      5,
      'สูงมาก',
      'very high',
      'เสียหายต่อภาพลักษณ์ ประชาชนไม่ได้รับความสะดวก เป็นภัยด้านความมั่นคง อาชญากรรม หรือความรุนแรงอื่น',
      'harms the reputation, the public is not served, and it threatens security, or is a crime or other violence',
    ),
  ],
  levels: [
    { key: 'low', min: 1, name: { th: 'ต่ำ', en: 'low' }, colour: '#1a7f37' },
    { key: 'medium', min: 4, name: { th: 'ปานกลาง', en: 'medium' }, colour: '#7a4d00' },
    { key: 'high', min: 9, name: { th: 'สูง', en: 'high' }, colour: '#9a3c00' },
    { key: 'very_high', min: 15, name: { th: 'สูงมาก', en: 'very high' }, colour: '#7f1d1d' },
  ],
  sources: [
    'https://pubhtml5.com/siie/csun/basic/',
    'https://pubhtml5.com/lyla/exsp/basic/',
    'https://www.nacc.go.th/angthong/categorydetail/2020091411551939/20240618152621',
    'https://www.toomyai.go.th/',
  ],
  notConfirmed: [
    'likelihood 5 "more than 25 a year" leaves 21–25 unplaced (kept as published)',
    'impact 1 and 2 not described in the source',
    'level bands 1–3, 4–8, 9–14, 15–25 not found on a NACC or PACC page',
  ],
};

export const MATRICES: Readonly<Record<string, Matrix>> = { [NACC_5X5.name]: NACC_5X5 };
export const DEFAULT_MATRIX = NACC_5X5.name;

export function matrixOf(name: string): Matrix {
  return MATRICES[name] ?? NACC_5X5;
}

/** The level of likelihood × impact; null when either is not rated. */
export function levelOf(m: Matrix, likelihood: number | null, impact: number | null): Level | null {
  if (likelihood === null || impact === null) return null;
  const score = likelihood * impact;
  return [...m.levels].reverse().find((l) => score >= l.min) ?? null;
}

/**
 * The areas of risk: the four of the NACC/PACC method (permits and licensing, abuse of power,
 * budget spending, use of state property), bribery (ITA's focus since 2567), procurement and human
 * resources (issue 16). The order is the register's.
 */
export const RISK_AREAS = [
  'permits',
  'abuse_of_power',
  'budget_spending',
  'state_property',
  'bribery',
  'procurement',
  'human_resources',
] as const;
export type RiskArea = (typeof RISK_AREAS)[number];

/** The area a case category points at, for a candidate risk made from a signal (a guess the officer changes). */
export const AREA_OF_CATEGORY: Readonly<Record<string, RiskArea>> = {
  bribery: 'bribery',
  procurement_fraud: 'procurement',
  abuse_of_authority: 'abuse_of_power',
  misuse_of_state_property: 'state_property',
  conflict_of_interest: 'abuse_of_power',
  late_permit: 'permits',
  fees: 'bribery',
  service_delay: 'permits',
  staff_conduct: 'human_resources',
};

export const TREATMENTS = ['reduce', 'accept', 'avoid', 'transfer'] as const;
