// What a declaration holds (sealed as one JSON document), and reading it from a form: a fixed number
// of rows per section so the form works without JavaScript; empty rows are skipped, every fault is
// named by its field so the form shows it beside the field with what was typed. Pure.
import { AppError } from '../errors.ts';
import { parseFormDate } from '../i18n/form-date.ts';
import { isThaiId13, normaliseId } from './juristic.ts';
import { asciiDigits } from '../i18n/digits.ts';

export const ASSET_KINDS = ['land', 'building', 'vehicle', 'deposit', 'investment', 'other'] as const;
export type AssetKind = (typeof ASSET_KINDS)[number];
export const INTEREST_KINDS = ['shareholding', 'directorship', 'relative_business'] as const;
export type InterestKind = (typeof INTEREST_KINDS)[number];
export const OCCASIONS = ['entry', 'yearly', 'leaving'] as const;
export type Occasion = (typeof OCCASIONS)[number];

/** Rows each section of the form offers. */
export const ROWS = { assets: 6, liabilities: 3, interests: 3 } as const;
/** The largest amount accepted, in baht (a typo guard: one hundred billion). */
export const MAX_BAHT = 100_000_000_000;
export const MAX_TEXT = 300;
export const MAX_EXPLANATION = 2000;

export type Asset = { kind: AssetKind; description: string; value: number | null; acquiredOn: string | null };
export type Liability = { description: string; amount: number };
export type Interest = { kind: InterestKind; juristicId: string; name: string };
export type DeclarationContent = {
  occasion: Occasion;
  /** Yearly income in baht, all sources. */
  income: number;
  assets: Asset[];
  liabilities: Liability[];
  interests: Interest[];
  /** What explains changes since the previous declaration (may be empty). */
  explanation: string;
};

/** A typed amount of baht: digits with optional thousands commas and up to 2 decimals; '' is null. */
export function parseBaht(typed: string): number | null | 'invalid' {
  const v = asciiDigits(typed.trim()).replace(/,/g, '');
  if (v === '') return null;
  if (!/^\d{1,12}(\.\d{1,2})?$/.test(v)) return 'invalid';
  const n = Number(v);
  return n > MAX_BAHT ? 'invalid' : n;
}

type Typed = (name: string, max: number) => string;

function pick<T extends string>(list: readonly T[], v: string): T | null {
  return (list as readonly string[]).includes(v) ? (v as T) : null;
}

function readAssets(str: Typed, bad: Record<string, string>): Asset[] {
  const assets: Asset[] = [];
  for (let i = 0; i < ROWS.assets; i++) {
    const [kindT, desc, valueT, dateT] = ['kind', 'description', 'value', 'acquired'].map((f) =>
      str(`asset.${i}.${f}`, f === 'description' ? MAX_TEXT + 1 : 40).trim(),
    );
    if (!desc && !valueT && !dateT) continue;
    const kind = pick(ASSET_KINDS, kindT);
    if (!kind) bad[`asset.${i}.kind`] = 'error.field.invalid';
    if (!desc) bad[`asset.${i}.description`] = 'error.field.required';
    else if (desc.length > MAX_TEXT) bad[`asset.${i}.description`] = 'error.field.too_long';
    const value = parseBaht(valueT);
    if (value === 'invalid') bad[`asset.${i}.value`] = 'declarations.error.baht';
    const acquiredOn = dateT ? parseFormDate(dateT) : null;
    if (dateT && !acquiredOn) bad[`asset.${i}.acquired`] = 'declarations.error.date';
    assets.push({ kind: kind ?? 'other', description: desc, value: value === 'invalid' ? null : value, acquiredOn });
  }
  return assets;
}

function readLiabilities(str: Typed, bad: Record<string, string>): Liability[] {
  const out: Liability[] = [];
  for (let i = 0; i < ROWS.liabilities; i++) {
    const desc = str(`liability.${i}.description`, MAX_TEXT + 1).trim();
    const amountT = str(`liability.${i}.amount`, 40).trim();
    if (!desc && !amountT) continue;
    if (!desc) bad[`liability.${i}.description`] = 'error.field.required';
    else if (desc.length > MAX_TEXT) bad[`liability.${i}.description`] = 'error.field.too_long';
    const amount = parseBaht(amountT);
    if (amount === null || amount === 'invalid') bad[`liability.${i}.amount`] = 'declarations.error.baht';
    out.push({ description: desc, amount: typeof amount === 'number' ? amount : 0 });
  }
  return out;
}

function readInterests(str: Typed, bad: Record<string, string>): Interest[] {
  const out: Interest[] = [];
  for (let i = 0; i < ROWS.interests; i++) {
    const kindT = str(`interest.${i}.kind`, 40).trim();
    const idT = normaliseId(str(`interest.${i}.juristic`, 40));
    const name = str(`interest.${i}.name`, MAX_TEXT + 1).trim();
    if (!idT && !name) continue;
    const kind = pick(INTEREST_KINDS, kindT);
    if (!kind) bad[`interest.${i}.kind`] = 'error.field.invalid';
    if (!isThaiId13(idT)) bad[`interest.${i}.juristic`] = 'declarations.error.juristic';
    if (!name) bad[`interest.${i}.name`] = 'error.field.required';
    else if (name.length > MAX_TEXT) bad[`interest.${i}.name`] = 'error.field.too_long';
    out.push({ kind: kind ?? 'shareholding', juristicId: idT, name });
  }
  return out;
}

/** The declaration a form describes, or an invalid_input error naming every field at fault. */
export function readDeclaration(str: Typed): DeclarationContent {
  const bad: Record<string, string> = {};
  const occasion = pick(OCCASIONS, str('occasion', 20));
  if (!occasion) bad.occasion = 'error.field.invalid';
  const income = parseBaht(str('income', 40));
  if (income === null || income === 'invalid') bad.income = 'declarations.error.baht';
  const assets = readAssets(str, bad);
  const liabilities = readLiabilities(str, bad);
  const interests = readInterests(str, bad);
  const explanation = str('explanation', MAX_EXPLANATION + 1).trim();
  if (explanation.length > MAX_EXPLANATION) bad.explanation = 'error.field.too_long';
  if (Object.keys(bad).length > 0) throw new AppError('invalid_input', 'declaration form faults', 'error.form', bad);
  return {
    occasion: occasion ?? 'yearly',
    income: typeof income === 'number' ? income : 0,
    assets,
    liabilities,
    interests,
    explanation,
  };
}

export type Totals = { assets: number; liabilities: number; income: number; cash: number; netWorth: number };

/** Sums of a declaration (assets without a value count as 0). */
export function totalsOf(d: Pick<DeclarationContent, 'assets' | 'liabilities' | 'income'>): Totals {
  let assets = 0;
  let cash = 0;
  for (const a of d.assets) {
    assets += a.value ?? 0;
    if (a.kind === 'deposit') cash += a.value ?? 0;
  }
  let liabilities = 0;
  for (const l of d.liabilities) liabilities += l.amount;
  return { assets, liabilities, income: d.income, cash, netWorth: assets - liabilities };
}
