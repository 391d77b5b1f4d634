// The settings file of `ocdscardinal indicators` (docs: cardinal.readthedocs.io, "Settings" and each
// indicator's "Configuration"; source: cardinal-rs src/indicators/mod.rs, struct Settings). An
// indicator runs when its section is present, even empty. Keys are read as Cardinal's serde types
// read them (whole numbers where it takes usize or i64, decimals where f64). The sections of
// `ocdscardinal prepare` are accepted and ignored, as `indicators` ignores them. The Thai flags
// (thai-flags.ts) have sections of their own, named TH…; Cardinal itself would refuse them.
import { invalidInput } from './invalid.ts';
import { type Ini, type IniSection, MAX_INI_BYTES, parseIni } from './ini.ts';
import { pipeSet } from './json-access.ts';
import { parseThaiSettings, THAI_SECTIONS, type ThaiSettings } from './thai-settings.ts';

export type CardinalSettings = {
  currency?: string;
  noPriceComparison: Set<string>;
  priceComparison: Set<string>;
  excludeDetails: Set<string>;
  R003?: { threshold: number; methods: Set<string>; details: Map<string, number> };
  R018?: { methods: Set<string> };
  R024?: { threshold?: number };
  R025?: { percentile: number; threshold?: number };
  R028?: Record<string, never>;
  R030?: Record<string, never>;
  R035?: { threshold: number };
  R036?: Record<string, never>;
  R038?: { threshold?: number; minimumBids: number; minimumProcesses: number };
  R048?: { digits: number; threshold?: number; minimumProcesses: number };
  R058?: { threshold?: number };
  thai: ThaiSettings;
};

export const CARDINAL_CODES = [
  'R003',
  'R018',
  'R024',
  'R025',
  'R028',
  'R030',
  'R035',
  'R036',
  'R038',
  'R048',
  'R058',
] as const;

const PREPARE_SECTIONS = ['defaults', 'redactions', 'corrections', 'modifications', 'codelists'];
const TOP_KEYS = ['currency', 'no_price_comparison_procurement_methods', 'price_comparison_procurement_methods'];
const KEYS: Record<string, string[]> = {
  exclusions: ['procurement_method_details'],
  R003: ['threshold', 'procurement_methods'],
  R018: ['procurement_methods'],
  R024: ['threshold'],
  R025: ['percentile', 'threshold'],
  R028: [],
  R030: [],
  R035: ['threshold'],
  R036: [],
  R038: ['threshold', 'minimum_submitted_bids', 'minimum_contracting_processes'],
  R048: ['digits', 'threshold', 'minimum_contracting_processes'],
  R058: ['threshold'],
};

/** A whole number as serde reads usize (`signed` for i64). */
export function wholeNumber(where: string, value: string | undefined, signed = false): number | undefined {
  if (value === undefined) return undefined;
  if (!(signed ? /^[+-]?\d{1,15}$/ : /^\+?\d{1,15}$/).test(value)) {
    throw invalidInput(`settings ${where}: "${value}" is not a whole number`);
  }
  return Number(value);
}

/** A decimal as serde reads f64. */
export function decimal(where: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(value)) {
    throw invalidInput(`settings ${where}: "${value}" is not a number`);
  }
  return Number(value);
}

function checkKeys(name: string, section: IniSection, allowed: string[], subsections: string[] = []): void {
  for (const key of section.keys.keys()) {
    if (!allowed.includes(key)) throw invalidInput(`settings [${name}]: unknown key "${key}"`);
  }
  for (const sub of section.subsections.keys()) {
    if (!subsections.includes(sub)) throw invalidInput(`settings: unknown section [${name}.${sub}]`);
  }
}

function r003(s: IniSection): CardinalSettings['R003'] {
  const details = new Map<string, number>();
  for (const [k, v] of s.subsections.get('procurement_method_details') ?? []) {
    details.set(k, wholeNumber(`R003.procurement_method_details.${k}`, v, true)!);
  }
  return {
    threshold: wholeNumber('R003.threshold', s.keys.get('threshold'), true) ?? 15,
    methods: pipeSet(s.keys.get('procurement_methods')),
    details,
  };
}

function indicatorSettings(ini: Ini): Partial<CardinalSettings> {
  const get = (name: string) => ini.get(name)?.keys;
  const out: Partial<CardinalSettings> = {};
  const s = (name: string) => ini.get(name);
  if (s('R003')) out.R003 = r003(s('R003')!);
  if (s('R018')) out.R018 = { methods: pipeSet(get('R018')!.get('procurement_methods') ?? 'open|selective') };
  if (s('R024')) out.R024 = { threshold: decimal('R024.threshold', get('R024')!.get('threshold')) };
  if (s('R025')) {
    out.R025 = {
      percentile: wholeNumber('R025.percentile', get('R025')!.get('percentile')) ?? 75,
      threshold: decimal('R025.threshold', get('R025')!.get('threshold')),
    };
  }
  if (s('R028')) out.R028 = {};
  if (s('R030')) out.R030 = {};
  if (s('R035'))
    out.R035 = { threshold: Math.max(wholeNumber('R035.threshold', get('R035')!.get('threshold')) ?? 1, 1) };
  if (s('R036')) out.R036 = {};
  if (s('R038')) {
    const k = get('R038')!;
    out.R038 = {
      threshold: decimal('R038.threshold', k.get('threshold')),
      minimumBids: wholeNumber('R038.minimum_submitted_bids', k.get('minimum_submitted_bids')) ?? 2,
      minimumProcesses: wholeNumber('R038.minimum_contracting_processes', k.get('minimum_contracting_processes')) ?? 2,
    };
  }
  if (s('R048')) {
    const k = get('R048')!;
    out.R048 = {
      digits: wholeNumber('R048.digits', k.get('digits')) ?? 2,
      threshold: wholeNumber('R048.threshold', k.get('threshold')),
      minimumProcesses: wholeNumber('R048.minimum_contracting_processes', k.get('minimum_contracting_processes')) ?? 20,
    };
  }
  if (s('R058')) out.R058 = { threshold: decimal('R058.threshold', get('R058')!.get('threshold')) };
  return out;
}

/** Settings from an INI text; MUST refuse unknown sections and keys, and the indicators not computed here. */
export function parseSettings(text: string): CardinalSettings {
  const ini = parseIni(text);
  for (const [name, section] of ini) {
    if (name === '') checkKeys('(top)', section, TOP_KEYS);
    else if (PREPARE_SECTIONS.includes(name)) continue;
    else if (name === 'R044' || name === 'R055') {
      throw invalidInput(`settings: [${name}] is a Cardinal indicator Sujarit does not compute`);
    } else if (name in KEYS)
      checkKeys(name, section, KEYS[name]!, name === 'R003' ? ['procurement_method_details'] : []);
    else if (!(THAI_SECTIONS as readonly string[]).includes(name))
      throw invalidInput(`settings: unknown section [${name}]`);
  }
  const top = ini.get('')!.keys;
  return {
    currency: top.get('currency'),
    noPriceComparison: pipeSet(top.get('no_price_comparison_procurement_methods')),
    priceComparison: pipeSet(top.get('price_comparison_procurement_methods')),
    excludeDetails: pipeSet(ini.get('exclusions')?.keys.get('procurement_method_details')),
    ...indicatorSettings(ini),
    thai: parseThaiSettings(ini),
  };
}

/** No settings file: Cardinal runs no indicator at all (each is enabled by its section). */
export const MAX_SETTINGS_FILE = MAX_INI_BYTES;

export const EMPTY_SETTINGS: CardinalSettings = parseSettings('');
