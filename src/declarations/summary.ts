// A declarant's summary: the figures the automatic checks read (checks.ts `Figures`) of each of
// their declarations in one agency, in filing order, sealed (AEAD, bound to the row) under the
// content key of their latest declaration there and kept on that row only. Whoever may open that
// declaration (the declarant, the agency's reviewers) may open it; nobody else learns a figure. A
// recheck then opens one small record per declarant instead of every declaration's content, and
// trusts it only when its ids are exactly the declarant's declarations (else it opens them all and
// writes the summary anew). Pure.
import { openRaw, sealRaw } from '../crypto/aead.ts';
import { checkFigures, type Figures, type Flag } from './checks.ts';

export type SummaryItem = { id: string; figures: Figures };

const VERSION = 1;
const aad = (latestId: string) => `declaration-summary/${latestId}`;

/** One item as a compact array: [id, assets, liabilities, income, cash, bits (1 unvalued, 2 explained)]. */
type Packed = [string, number, number, number, number, number];

/** Seals `items` (oldest first, the last being `latestId`) under the latest declaration's 32-byte content key. */
export function sealSummary(key: Uint8Array, latestId: string, items: readonly SummaryItem[]): Buffer {
  const d: Packed[] = items.map(({ id, figures: f }) => [
    id,
    f.assets,
    f.liabilities,
    f.income,
    f.cash,
    (f.unvalued ? 1 : 0) | (f.explained ? 2 : 0),
  ]);
  return sealRaw(key, Buffer.from(JSON.stringify({ v: VERSION, d }), 'utf8'), aad(latestId));
}

const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

/** The items of a summary, or null if it does not open under `key` for `latestId` or is not one. */
export function openSummary(key: Uint8Array, latestId: string, sealed: Uint8Array): SummaryItem[] | null {
  let value: unknown;
  try {
    value = JSON.parse(openRaw(key, sealed, aad(latestId)).toString('utf8'));
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const { v, d } = value as { v?: unknown; d?: unknown };
  if (v !== VERSION || !Array.isArray(d)) return null;
  const items: SummaryItem[] = [];
  for (const p of d) {
    if (!Array.isArray(p) || p.length !== 6 || typeof p[0] !== 'string' || !p.slice(1).every(isNum)) return null;
    const [id, assets, liabilities, income, cash, bits] = p as Packed;
    items.push({
      id,
      figures: {
        assets,
        liabilities,
        income,
        cash,
        netWorth: assets - liabilities,
        unvalued: (bits & 1) !== 0,
        explained: (bits & 2) !== 0,
      },
    });
  }
  return items;
}

/** The flags of each declaration of a chain (oldest first), each checked against the one before. */
export function flagsOfChain(chain: readonly Figures[]): Flag[][] {
  return chain.map((f, i) => checkFigures(f, i === 0 ? null : (chain[i - 1] as Figures)));
}
