// The red flags ACT Ai (actai.co) shows on Thai procurement, where OCDS data allows them, each run
// when its section is in the settings (thai-settings.ts). Definitions are ours, written from what
// ACT Ai names; docs/procurement.md gives each one's source and what could not be confirmed.
//   TH_REFERENCE_PRICE  the winning price is at least `share` of the reference price (ราคากลาง,
//                       tender/value): value = winning ÷ reference.
//   TH_FEW_BIDDERS      fewer than `minimum` bidders where bids are known (bids/details, else
//                       tender/numberOfTenderers): value = bidders.
//   TH_FISCAL_YEAR_END  a purchase by a listed method (default วิธีเฉพาะเจาะจง, the specific method)
//                       signed (or awarded) in `month` (default 9, September, the last month of the
//                       Thai fiscal year), Thai time: value = 1.
//   TH_SPLITTING        at least `minimum_contracts` purchases by one buyer from one supplier within
//                       `window_days`, each within `margin` below one of `thresholds`: value = how many.
//   TH_CONCENTRATION    per buyer with at least `minimum_contracting_processes` awarded processes,
//                       the share won by its most frequent supplier, flagged at `threshold` or above
//                       (group Buyer): value = the share.
import { arr, idOf, type Json, num, obj, str } from './json-access.ts';
import { type Results, setResult } from './results.ts';
import type { CardinalSettings } from './settings.ts';
import type { ThaiSettings } from './thai-settings.ts';
import { createNames, createSums, type Names, numberOf, type Sums, slotOf } from './tallies.ts';

type Near = { ocid: string; time: number; threshold: number };

export type ThaiState = {
  settings: ThaiSettings;
  currency: string;
  otherCurrency: number;
  /** TH_SPLITTING: purchases just under a threshold, by buyer and supplier. */
  near: Map<string, Near[]>;
  /** The organizations' numbers (shared with Cardinal's state in a run). */
  orgs: Names;
  /** TH_CONCENTRATION: awarded processes per buyer (`num`) and, by the same slot, per supplier number. */
  wins: Sums;
  winsBySupplier: Map<number, number>[];
  pending: [ocid: string, code: string, value: number][];
};

const DAY = 86_400_000;
const THAI_OFFSET = 7 * 3_600_000;

/** `orgs`: the run's organization numbers, when Cardinal's state has them already. */
export function createThaiFlags(settings: CardinalSettings, orgs: Names = createNames()): ThaiState {
  return {
    settings: settings.thai,
    currency: settings.currency ?? 'THB',
    otherCurrency: 0,
    near: new Map(),
    orgs,
    wins: createSums(),
    winsBySupplier: [],
    pending: [],
  };
}

/** An amount in the run's currency, or undefined (another currency is counted and skipped). */
function amountOf(st: ThaiState, value: unknown): number | undefined {
  const v = obj(value);
  const amount = num(v?.amount);
  if (amount === undefined) return undefined;
  if (str(v?.currency) !== st.currency) {
    st.otherCurrency += 1;
    return undefined;
  }
  return amount;
}

function activeAwards(release: Json): Json[] {
  return (arr(release.awards) ?? []).filter((a) => str(obj(a)?.status) === 'active') as Json[];
}

/** The amount won: the active awards' values, else the contracts' (cancelled ones left out). */
function winningAmount(st: ThaiState, release: Json): number | undefined {
  let total: number | undefined;
  for (const award of activeAwards(release)) {
    const a = amountOf(st, award.value);
    if (a !== undefined) total = (total ?? 0) + a;
  }
  if (total !== undefined) return total;
  for (const contract of arr(release.contracts) ?? []) {
    if (str(obj(contract)?.status) === 'cancelled') continue;
    const a = amountOf(st, obj(contract)?.value);
    if (a !== undefined) total = (total ?? 0) + a;
  }
  return total;
}

/** The sole supplier of the active awards (one id across them all), or undefined. */
function soleSupplier(release: Json): string | undefined {
  let sole: string | undefined;
  for (const award of arr(release.awards) ?? []) {
    if (str(obj(award)?.status) !== 'active') continue;
    for (const s of arr(obj(award)?.suppliers) ?? []) {
      const id = idOf(s);
      if (id === undefined) continue;
      if (sole !== undefined && sole !== id) return undefined;
      sole = id;
    }
  }
  return sole;
}

/** When the purchase was made: a contract's dateSigned, else an active award's date. */
function purchaseTime(release: Json): number | undefined {
  for (const c of arr(release.contracts) ?? []) {
    const t = Date.parse(str(obj(c)?.dateSigned) ?? '');
    if (!Number.isNaN(t)) return t;
  }
  for (const a of activeAwards(release)) {
    const t = Date.parse(str(a.date) ?? '');
    if (!Number.isNaN(t)) return t;
  }
  return undefined;
}

function bidderCount(release: Json): number | undefined {
  const details = arr(obj(release.bids)?.details);
  if (details && details.length > 0) {
    const ids = new Set<string>();
    for (const bid of details) {
      const status = str(obj(bid)?.status);
      if (status === 'invited' || status === 'withdrawn') continue;
      for (const t of arr(obj(bid)?.tenderers) ?? []) {
        const id = idOf(t);
        if (id !== undefined) ids.add(id);
      }
    }
    return ids.size;
  }
  const n = num(obj(release.tender)?.numberOfTenderers);
  return n !== undefined && Number.isInteger(n) ? n : undefined;
}

function flag(st: ThaiState, ocid: string, code: string, value: number): void {
  st.pending.push([ocid, code, value]);
}

function nearThreshold(thresholds: number[], margin: number, amount: number): number | undefined {
  for (const t of thresholds) if (amount < t && amount >= t * (1 - margin)) return t;
  return undefined;
}

function foldSplitting(st: ThaiState, release: Json, ocid: string, won: number | undefined): void {
  const s = st.settings.TH_SPLITTING!;
  if (won === undefined) return;
  const threshold = nearThreshold(s.thresholds, s.margin, won);
  if (threshold === undefined) return;
  const buyer = idOf(release.buyer);
  const supplier = soleSupplier(release);
  const time = purchaseTime(release);
  if (buyer === undefined || supplier === undefined || time === undefined) return;
  const key = `${buyer}\u0000${supplier}`;
  const list = st.near.get(key) ?? [];
  list.push({ ocid, time, threshold });
  st.near.set(key, list);
}

function foldConcentration(st: ThaiState, release: Json): void {
  const buyer = idOf(release.buyer);
  if (buyer === undefined) return;
  const supplier = soleSupplier(release);
  if (supplier === undefined) return;
  const slot = slotOf(st.wins, numberOf(st.orgs, buyer));
  st.wins.num[slot] += 1;
  const bySupplier = (st.winsBySupplier[slot] ??= new Map());
  const n = numberOf(st.orgs, supplier);
  bySupplier.set(n, (bySupplier.get(n) ?? 0) + 1);
}

/** Folds one release Cardinal counted (it has a string ocid). */
export function foldThaiFlags(st: ThaiState, release: Json): void {
  const s = st.settings;
  if (!s.TH_REFERENCE_PRICE && !s.TH_FEW_BIDDERS && !s.TH_FISCAL_YEAR_END && !s.TH_SPLITTING && !s.TH_CONCENTRATION) {
    return;
  }
  const ocid = release.ocid as string;
  const won = s.TH_REFERENCE_PRICE || s.TH_SPLITTING ? winningAmount(st, release) : undefined;
  if (s.TH_REFERENCE_PRICE) {
    const reference = amountOf(st, obj(release.tender)?.value);
    if (
      won !== undefined &&
      reference !== undefined &&
      reference > 0 &&
      won / reference >= s.TH_REFERENCE_PRICE.share
    ) {
      flag(st, ocid, 'TH_REFERENCE_PRICE', won / reference);
    }
  }
  if (s.TH_FEW_BIDDERS) {
    const n = bidderCount(release);
    if (n !== undefined && n > 0 && n < s.TH_FEW_BIDDERS.minimum) flag(st, ocid, 'TH_FEW_BIDDERS', n);
  }
  if (s.TH_FISCAL_YEAR_END) {
    const details = str(obj(release.tender)?.procurementMethodDetails);
    if (details !== undefined && s.TH_FISCAL_YEAR_END.details.has(details)) {
      const time = purchaseTime(release);
      const month = time === undefined ? 0 : new Date(time + THAI_OFFSET).getUTCMonth() + 1;
      if (month === s.TH_FISCAL_YEAR_END.month) flag(st, ocid, 'TH_FISCAL_YEAR_END', 1);
    }
  }
  if (s.TH_SPLITTING) foldSplitting(st, release, ocid, won);
  if (s.TH_CONCENTRATION) foldConcentration(st, release);
}

/** TH_SPLITTING: for each purchase, the most purchases under the same threshold in a window holding it. */
function finishSplitting(st: ThaiState): void {
  const s = st.settings.TH_SPLITTING!;
  for (const list of st.near.values()) {
    if (list.length < s.minimumContracts) continue;
    for (const threshold of new Set(list.map((n) => n.threshold))) {
      const same = list.filter((n) => n.threshold === threshold).sort((a, b) => a.time - b.time);
      const best = new Map<string, number>();
      let first = 0;
      for (let last = 0; last < same.length; last++) {
        while (same[last]!.time - same[first]!.time > s.windowDays * DAY) first += 1;
        const count = last - first + 1;
        if (count < s.minimumContracts) continue;
        for (let k = first; k <= last; k++) best.set(same[k]!.ocid, Math.max(best.get(same[k]!.ocid) ?? 0, count));
      }
      for (const [ocid, count] of best) flag(st, ocid, 'TH_SPLITTING', count);
    }
  }
}

export function finishThaiFlags(st: ThaiState, results: Results): void {
  if (st.settings.TH_SPLITTING) finishSplitting(st);
  for (const [ocid, code, value] of st.pending) setResult(results, 'OCID', ocid, code, value);
  const c = st.settings.TH_CONCENTRATION;
  if (!c) return;
  const { size, num: total, members } = st.wins;
  for (let i = 0; i < size; i++) {
    if (total[i] < c.minimumProcesses) continue;
    const share = Math.max(...st.winsBySupplier[i].values()) / total[i];
    if (share >= c.threshold) setResult(results, 'Buyer', st.orgs.names[members[i]], 'TH_CONCENTRATION', share);
  }
}
