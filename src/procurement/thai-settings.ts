// Settings of the Thai flags (thai-flags.ts), in the same INI file as Cardinal's: each flag runs when
// its section is present, and every key has a default. The defaults are our choice where no rule
// fixes them (docs/procurement.md says which).
import { invalidInput } from './invalid.ts';
import type { Ini } from './ini.ts';
import { pipeSet } from './json-access.ts';

export const THAI_SECTIONS = [
  'TH_REFERENCE_PRICE',
  'TH_FEW_BIDDERS',
  'TH_FISCAL_YEAR_END',
  'TH_SPLITTING',
  'TH_CONCENTRATION',
] as const;

export type ThaiCode = (typeof THAI_SECTIONS)[number];

export type ThaiSettings = {
  TH_REFERENCE_PRICE?: { share: number };
  TH_FEW_BIDDERS?: { minimum: number };
  TH_FISCAL_YEAR_END?: { details: Set<string>; month: number };
  TH_SPLITTING?: { thresholds: number[]; margin: number; windowDays: number; minimumContracts: number };
  TH_CONCENTRATION?: { threshold: number; minimumProcesses: number };
};

const KEYS: Record<ThaiCode, string[]> = {
  TH_REFERENCE_PRICE: ['share'],
  TH_FEW_BIDDERS: ['minimum'],
  TH_FISCAL_YEAR_END: ['procurement_method_details', 'month'],
  TH_SPLITTING: ['thresholds', 'margin', 'window_days', 'minimum_contracts'],
  TH_CONCENTRATION: ['threshold', 'minimum_contracting_processes'],
};

/** The Ministerial Regulation's two amounts most purchases fall under (see docs/procurement.md). */
export const DEFAULT_SPLITTING_THRESHOLDS = '100000|500000';

function positive(where: string, value: string | undefined, fallback: number, whole = false): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0 || (whole && !Number.isInteger(n))) {
    throw invalidInput(`settings ${where}: "${value}" is not a ${whole ? 'whole ' : ''}number above 0`);
  }
  return n;
}

export function parseThaiSettings(ini: Ini): ThaiSettings {
  const out: ThaiSettings = {};
  for (const code of THAI_SECTIONS) {
    const section = ini.get(code);
    if (!section) continue;
    for (const key of section.keys.keys()) {
      if (!KEYS[code].includes(key)) throw invalidInput(`settings [${code}]: unknown key "${key}"`);
    }
    const k = (key: string) => section.keys.get(key);
    const at = (key: string) => `${code}.${key}`;
    if (code === 'TH_REFERENCE_PRICE') out[code] = { share: positive(at('share'), k('share'), 0.95) };
    if (code === 'TH_FEW_BIDDERS') out[code] = { minimum: positive(at('minimum'), k('minimum'), 3, true) };
    if (code === 'TH_FISCAL_YEAR_END') {
      const month = positive(at('month'), k('month'), 9, true);
      if (month > 12) throw invalidInput(`settings ${at('month')}: a month is 1 to 12`);
      out[code] = { details: pipeSet(k('procurement_method_details') ?? 'วิธีเฉพาะเจาะจง'), month };
    }
    if (code === 'TH_SPLITTING') {
      const thresholds = [...pipeSet(k('thresholds') ?? DEFAULT_SPLITTING_THRESHOLDS)].map((t) =>
        positive(at('thresholds'), t, 0),
      );
      const margin = positive(at('margin'), k('margin'), 0.1);
      if (margin >= 1) throw invalidInput(`settings ${at('margin')}: a share below 1`);
      out[code] = {
        thresholds,
        margin,
        windowDays: positive(at('window_days'), k('window_days'), 30, true),
        minimumContracts: positive(at('minimum_contracts'), k('minimum_contracts'), 2, true),
      };
    }
    if (code === 'TH_CONCENTRATION') {
      out[code] = {
        threshold: positive(at('threshold'), k('threshold'), 0.5),
        minimumProcesses: positive(at('minimum_contracting_processes'), k('minimum_contracting_processes'), 5, true),
      };
    }
  }
  return out;
}
