// The automatic checks of a declaration, in the manner of Ukraine's NACP "logical and arithmetic
// control" (NACP order 161/24 of 21 June 2024, the Procedure for logical and arithmetic control of
// declarations: https://cis-legislation.com/document.fwx?rgn=161415, an unofficial translation),
// which weighs discrepancies in a declaration and against the previous one, and the NACP's list of
// common violations, among them an asset declared without its value
// (https://nazk.gov.ua/en/news/nacp-identifies-top-10-violations-in-declarations). The five rules
// and their thresholds are the ones issue 18 names; the thresholds are ours, not the NACP's
// (its weights are not public in the text we found). A flag is a reason to look, never a finding.
// Pure: one call per declaration, no allocation beyond the result.
import { type DeclarationContent, type Totals, totalsOf } from './content.ts';

export const FLAGS = [
  'net_worth_growth',
  'cash_10x_income',
  'liabilities_2x',
  'asset_without_value',
  'change_unexplained',
] as const;
export type Flag = (typeof FLAGS)[number];

/** Cash (deposits) at or above this many times the yearly income is flagged. */
export const CASH_TIMES_INCOME = 10;
/** Liabilities at or above this many times (assets + income) are flagged. */
export const LIABILITY_TIMES = 2;
/**
 * A change of total assets, liabilities or income from the previous declaration of at least this
 * many baht wants an explanation (our threshold; Ukraine asks for an explanation of significant
 * changes, measured in subsistence minimums).
 */
export const CHANGE_BAHT = 100_000;

type Checked = Pick<DeclarationContent, 'assets' | 'liabilities' | 'income' | 'explanation'>;

/**
 * All the checks read of one declaration: its totals, whether an asset with an acquisition date has
 * no value, whether it explains its changes. A declarant's summary (summary.ts) keeps these per
 * declaration, so a recheck need not open every declaration's content.
 */
export type Figures = Totals & { unvalued: boolean; explained: boolean };

export function figuresOf(d: Checked): Figures {
  return {
    ...totalsOf(d),
    unvalued: d.assets.some((a) => a.value === null && a.acquiredOn !== null),
    explained: d.explanation.trim() !== '',
  };
}

/**
 * The flags of `current`, given the declarant's `previous` declaration (null for the first one):
 * - net_worth_growth: net worth (assets − liabilities) grew by more than the income declared;
 * - cash_10x_income: deposits ≥ 10 × income (and some cash);
 * - liabilities_2x: liabilities ≥ 2 × (assets + income) (and some liability);
 * - asset_without_value: an asset with an acquisition date but no value;
 * - change_unexplained: assets, liabilities or income changed by ≥ CHANGE_BAHT, no explanation.
 */
export function checkDeclaration(current: Checked, previous: Checked | null): Flag[] {
  return checkFigures(figuresOf(current), previous && figuresOf(previous));
}

/** `checkDeclaration` on the figures of the two declarations. */
export function checkFigures(now: Figures, before: Figures | null): Flag[] {
  const flags: Flag[] = [];
  if (before && now.netWorth - before.netWorth > now.income) flags.push('net_worth_growth');
  if (now.cash > 0 && now.cash >= CASH_TIMES_INCOME * now.income) flags.push('cash_10x_income');
  if (now.liabilities > 0 && now.liabilities >= LIABILITY_TIMES * (now.assets + now.income))
    flags.push('liabilities_2x');
  if (now.unvalued) flags.push('asset_without_value');
  if (
    before &&
    !now.explained &&
    (Math.abs(now.assets - before.assets) >= CHANGE_BAHT ||
      Math.abs(now.liabilities - before.liabilities) >= CHANGE_BAHT ||
      Math.abs(now.income - before.income) >= CHANGE_BAHT)
  )
    flags.push('change_unexplained');
  return flags;
}
