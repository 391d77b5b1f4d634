// Cardinal's red-flag indicators (Open Contracting Partnership, ocdscardinal 0.0.6: source
// github.com/open-contracting/cardinal-rs src/lib.rs and src/indicators/*.rs, documentation
// cardinal.readthedocs.io/en/latest/cli/indicators/) over OCDS compiled releases, one at a time,
// with the same definitions, settings, exclusions and quartile method (quantile.ts). Releases are
// folded in file order as one Cardinal thread folds them; `finish` then computes what needs every
// release (fences, ratios per organization), as Cardinal's finalize does.
import { arr, idOf, type Json, num, obj, str } from './json-access.ts';
import { mulAdd, percentile, quartiles } from './quantile.ts';
import { emptyResults, type Group, type Results, setMeta, setResult } from './results.ts';
import type { CardinalSettings } from './settings.ts';
import { addSums, createNames, createSums, type Names, numberOf, type Sums, slotOf } from './tallies.ts';

type Bid = Json;

type Complete = { awards: Json[]; details: unknown[] } | null;
type Won = { supplier: string; details: unknown[] } | undefined;

/** One release and what several indicators look up in it, each computed once (on first use). */
type View = {
  release: Json;
  ocid: string;
  submitted?: Bid[];
  complete?: Complete;
  won?: Won;
};

function submittedOf(v: View): Bid[] {
  v.submitted ??= submittedBids(v.release);
  return v.submitted;
}

function completeOf(v: View): Complete {
  if (v.complete === undefined) v.complete = completeAwardsAndBids(v.release);
  return v.complete;
}

function wonOf(v: View): Won {
  if (!('won' in v)) v.won = soleWinner(completeOf(v));
  return v.won;
}

export type CardinalState = {
  settings: CardinalSettings;
  results: Results;
  /** The first currency observed (or the configured one): bids in others are skipped. */
  currency: string | undefined;
  /** Every organization identifier the sums below count, numbered. */
  orgs: Names;
  lowest: Lowest;
  r025: Sums;
  r038Buyer: Sums;
  r038Procuring: Sums;
  r038Tenderer: Sums;
  /** R048: per supplier, the processes (`num`) and, by the same slot, the classification codes. */
  r048: Sums;
  r048Codes: Set<string>[];
  /** R048: by the same slot, the `serial` of the last release that counted for the supplier. */
  r048Last: number[];
  /** Releases folded so far: a release's number while it is folded. */
  serial: number;
  /** Bids skipped for their currency (Cardinal warns of each). */
  otherCurrency: number;
};

export function createCardinal(settings: CardinalSettings): CardinalState {
  return {
    settings,
    results: emptyResults(),
    currency: undefined,
    orgs: createNames(),
    lowest: { slots: new Map(), ratio: [], winner: [], other: [] },
    r025: createSums(),
    r038Buyer: createSums(),
    r038Procuring: createSums(),
    r038Tenderer: createSums(),
    r048: createSums(),
    r048Codes: [],
    r048Last: [],
    serial: 0,
    otherCurrency: 0,
  };
}

/**
 * R024 and R058: per ocid, in the order first set (a Map's insertion order), the slot of its latest
 * ratio of the runner-up's bid to the winner's, the winner and the runner-up. A later release of the
 * same ocid takes a new slot and leaves the earlier one unread.
 */
export type Lowest = { slots: Map<string, number>; ratio: number[]; winner: number[]; other: number[] };

/** `winner` and `other` are organization numbers (`orgs`): a number per release, not a string. */
export function setLowest(l: Lowest, ocid: string, ratio: number, winner: number, other: number): void {
  l.slots.set(ocid, l.ratio.length);
  l.ratio.push(ratio);
  l.winner.push(winner);
  l.other.push(other);
}

/** The latest ratio of each ocid, in the order first set. */
function lowestRatios(l: Lowest): number[] {
  const out: number[] = [];
  for (const slot of l.slots.values()) out.push(l.ratio[slot]);
  return out;
}

/** Whether `currency` is the run's currency, the first one seen becoming it (Cardinal's get_or_insert_with). */
function sameCurrency(st: CardinalState, currency: string): boolean {
  st.currency ??= st.settings.currency ?? currency;
  if (currency === st.currency) return true;
  st.otherCurrency += 1;
  return false;
}

function matchesMethod(tender: Json, set: Set<string>): boolean {
  if (set.size === 0) return true;
  const method = str(tender.procurementMethod);
  return method !== undefined && set.has(method);
}

/** Cardinal's matches_procurement_method_details: an allow list when `include` is set, else a deny list. */
export function matchesMethodDetails(release: Json, include: Set<string>, exclude: Set<string>): boolean {
  const details = str(obj(release.tender)?.procurementMethodDetails);
  if (details === undefined) return include.size === 0;
  return include.size === 0 ? !exclude.has(details) : include.has(details);
}

/** Bids whose status is set and is neither invited nor withdrawn (pending, valid, disqualified). */
function submittedBids(release: Json): Bid[] {
  const out: Bid[] = [];
  for (const bid of arr(obj(release.bids)?.details) ?? []) {
    const status = str(obj(bid)?.status);
    if (status !== undefined && status !== 'invited' && status !== 'withdrawn') out.push(bid as Bid);
  }
  return out;
}

/** The active awards and the bids, unless an award is pending (or of another status): results would not be final. */
function completeAwardsAndBids(release: Json): { awards: Json[]; details: unknown[] } | null {
  const awards = arr(release.awards);
  const details = arr(obj(release.bids)?.details);
  if (!awards || !obj(release.bids) || !details) return null;
  const complete: Json[] = [];
  for (const award of awards) {
    const status = str(obj(award)?.status);
    if (status === undefined || status === 'cancelled' || status === 'unsuccessful') continue;
    if (status !== 'active') return null;
    complete.push(award as Json);
  }
  return { awards: complete, details };
}

/** The single supplier of the single active award, or undefined (lots and consortia are excluded). */
function soleWinner(c: Complete): Won {
  if (c?.awards.length !== 1) return undefined;
  const suppliers = arr(c.awards[0]!.suppliers);
  const supplier = suppliers?.length === 1 ? idOf(suppliers[0]) : undefined;
  return supplier === undefined ? undefined : { supplier, details: c.details };
}

/**
 * The percentage difference between the winning bid and the lowest other valid bid (R024, R058),
 * over the valid bids by one tenderer with an amount and a currency.
 */
function foldSecondLowest(st: CardinalState, v: View): void {
  const { release, ocid } = v;
  if (!matchesMethodDetails(release, st.settings.priceComparison, st.settings.noPriceComparison)) return;
  const won = wonOf(v);
  if (!won) return;
  let winner: string | undefined;
  let winning = 0;
  let other: string | undefined;
  let second = 0;
  for (const bid of won.details) {
    const b = obj(bid);
    const value = obj(b?.value);
    const amount = num(value?.amount);
    const currency = str(value?.currency);
    const tenderers = arr(b?.tenderers);
    if (str(b?.status) !== 'valid' || amount === undefined || currency === undefined) continue;
    if (tenderers?.length !== 1) continue;
    const id = idOf(tenderers[0]);
    if (id === undefined || !sameCurrency(st, currency)) continue;
    if (id === won.supplier) {
      if (winner === undefined || amount < winning) [winner, winning] = [id, amount];
    } else if (other === undefined || amount < second) [other, second] = [id, amount];
  }
  if (winner !== undefined && other !== undefined && second >= winning) {
    setLowest(st.lowest, ocid, (second - winning) / winning, numberOf(st.orgs, winner), numberOf(st.orgs, other));
  }
}

function foldR003(st: CardinalState, release: Json, ocid: string): void {
  const s = st.settings.R003!;
  const tender = obj(release.tender);
  if (!tender || !matchesMethod(tender, s.methods)) return;
  const period = obj(tender.tenderPeriod);
  const start = rfc3339(str(period?.startDate));
  const end = rfc3339(str(period?.endDate));
  if (start === undefined || end === undefined) return;
  const days = Math.trunc((end - start) / 86_400_000);
  const details = str(tender.procurementMethodDetails);
  const threshold = details !== undefined && s.details.has(details) ? s.details.get(details)! : s.threshold;
  if (days < threshold) setResult(st.results, 'OCID', ocid, 'R003', 1);
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** Milliseconds of an RFC 3339 date-time (chrono's parse_from_rfc3339), or undefined. */
export function rfc3339(value: string | undefined): number | undefined {
  if (value === undefined || !RFC3339.test(value)) return undefined;
  // Written as Date.parse reads it already (a "T" and no "z": the common case), it is not copied.
  const usual = value.charCodeAt(10) === 84 && value.charCodeAt(value.length - 1) !== 122;
  const t = Date.parse(usual ? value : value.replace(/[t ]/, 'T').replace(/z$/, 'Z'));
  return Number.isNaN(t) ? undefined : t;
}

function foldR018(st: CardinalState, release: Json, ocid: string): void {
  const tender = obj(release.tender);
  if (!tender || !matchesMethod(tender, st.settings.R018!.methods)) return;
  if (tender.numberOfTenderers === 1) setResult(st.results, 'OCID', ocid, 'R018', 1);
}

function foldR025(st: CardinalState, v: View): void {
  const won = wonOf(v);
  if (!won) return;
  const valid: string[] = [];
  for (const bid of won.details) {
    const tenderers = arr(obj(bid)?.tenderers);
    const id = tenderers?.length === 1 ? idOf(tenderers[0]) : undefined;
    if (id !== undefined && str(obj(bid)?.status) === 'valid') valid.push(id);
  }
  for (const id of distinct(valid)) addSums(st.r025, numberOf(st.orgs, id), id === won.supplier ? 1 : 0, 1);
}

/** Lists this long or shorter are searched by a scan; longer ones through a Set or a Map. */
const SCANNED = 16;

/** The distinct strings of `list` in order, as a Set built from it holds them. */
function distinct(list: string[]): string[] {
  if (list.length > SCANNED) return [...new Set(list)];
  const out: string[] = [];
  for (const x of list) if (!out.includes(x)) out.push(x);
  return out;
}

/** The distinct identifiers of `tenderers`, in order. */
function distinctIds(tenderers: unknown[]): string[] {
  const ids: string[] = [];
  for (const t of tenderers) {
    const id = idOf(t);
    if (id !== undefined) ids.push(id);
  }
  return distinct(ids);
}

/**
 * R028's prices in one release: the last tenderers seen at each amount and currency, as a Map keyed
 * by both would keep them. A release has a few bids, so they are found by a scan; past SCANNED
 * prices, through a Map.
 */
type Prices = { amounts: number[]; currencies: string[]; holders: string[][]; index?: Map<string, number> };

const priceKey = (amount: number, currency: string): string => `${amount}\u0000${currency}`;

function priceAt(p: Prices, amount: number, currency: string): number {
  if (p.index) return p.index.get(priceKey(amount, currency)) ?? -1;
  for (let i = 0; i < p.amounts.length; i++) if (p.amounts[i] === amount && p.currencies[i] === currency) return i;
  return -1;
}

function addPrice(p: Prices, amount: number, currency: string, ids: string[]): void {
  p.amounts.push(amount);
  p.currencies.push(currency);
  p.holders.push(ids);
  if (p.index) p.index.set(priceKey(amount, currency), p.amounts.length - 1);
  else if (p.amounts.length > SCANNED) {
    p.index = new Map(p.amounts.map((a, i) => [priceKey(a, p.currencies[i]), i]));
  }
}

function foldR028(st: CardinalState, v: View): void {
  const { release, ocid } = v;
  if (!matchesMethodDetails(release, st.settings.priceComparison, st.settings.noPriceComparison)) return;
  const bids = submittedOf(v);
  if (bids.length < 2) return;
  const prices: Prices = { amounts: [], currencies: [], holders: [] };
  for (const bid of bids) {
    const tenderers = arr(bid.tenderers);
    const value = obj(bid.value);
    const amount = num(value?.amount);
    const currency = str(value?.currency);
    if (!tenderers || amount === undefined || currency === undefined) continue;
    const ids = distinctIds(tenderers);
    if (ids.length === 0) continue;
    const at = priceAt(prices, amount, currency);
    if (at < 0) {
      addPrice(prices, amount, currency, ids);
      continue;
    }
    const other = prices.holders[at];
    if (!sameIds(ids, other)) {
      setResult(st.results, 'OCID', ocid, 'R028', 1);
      for (const id of ids) setResult(st.results, 'Tenderer', id, 'R028', 1);
      for (const id of other) setResult(st.results, 'Tenderer', id, 'R028', 1);
    }
    prices.holders[at] = ids;
  }
}

/** Whether two lists of distinct identifiers hold the same ones. */
function sameIds(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  if (a.length <= SCANNED) return a.every((x) => b.includes(x));
  const set = new Set(b);
  return a.every((x) => set.has(x));
}

function sameSet(a: Set<string>, b: Set<string>): boolean {
  return a.size === b.size && [...a].every((x) => b.has(x));
}

function foldR030(st: CardinalState, release: Json, ocid: string): void {
  const end = str(obj(obj(release.tender)?.tenderPeriod)?.endDate);
  const awards = arr(release.awards);
  const details = arr(obj(release.bids)?.details);
  if (end === undefined || !awards || !details) return;
  const awarded = new Set<string>();
  for (const award of awards) {
    const suppliers = arr(obj(award)?.suppliers);
    if (str(obj(award)?.status) !== 'active' || !suppliers) continue;
    for (const s of suppliers) {
      const id = idOf(s);
      if (id !== undefined) awarded.add(id);
    }
  }
  for (const bid of details) {
    const date = str(obj(bid)?.date);
    const tenderers = arr(obj(bid)?.tenderers);
    if (str(obj(bid)?.status) !== 'valid' || date === undefined || !tenderers || !(date > end)) continue;
    for (const t of tenderers) {
      const id = idOf(t);
      if (id === undefined || !awarded.has(id)) continue;
      setResult(st.results, 'OCID', ocid, 'R030', 1);
      setResult(st.results, 'Tenderer', id, 'R030', 1);
    }
  }
}

function foldR035(st: CardinalState, v: View): void {
  const ocid = v.ocid;
  const c = completeOf(v);
  if (!c) return;
  const awarded = new Set<string>();
  const valid = new Set<string>();
  const disqualified = new Set<string>();
  for (const award of c.awards) {
    for (const s of arr(award.suppliers) ?? []) {
      const id = idOf(s);
      if (id !== undefined) awarded.add(id);
    }
  }
  for (const bid of c.details) {
    const status = str(obj(bid)?.status);
    const tenderers = arr(obj(bid)?.tenderers);
    const set = status === 'valid' ? valid : status === 'disqualified' ? disqualified : undefined;
    if (!set || !tenderers) continue;
    for (const t of tenderers) {
      const id = idOf(t);
      if (id !== undefined) set.add(id);
    }
  }
  if (valid.size !== 1 || !sameSet(valid, awarded)) return;
  const difference = [...disqualified].filter((id) => !valid.has(id)).length;
  if (difference < st.settings.R035!.threshold) return;
  setResult(st.results, 'OCID', ocid, 'R035', difference);
  setResult(st.results, 'Tenderer', [...valid][0]!, 'R035', 0);
}

function foldR036(st: CardinalState, v: View): void {
  const { release, ocid } = v;
  if (!matchesMethodDetails(release, st.settings.priceComparison, st.settings.noPriceComparison)) return;
  const awards = arr(release.awards);
  if (!awards?.some((a) => str(obj(a)?.status) === 'active')) return;
  let lowest: number | undefined;
  let lowestDisqualified = false;
  let validWithAmount = false;
  for (const bid of submittedOf(v)) {
    const status = str(bid.status)!;
    const value = obj(bid.value);
    const amount = num(value?.amount);
    const currency = str(value?.currency);
    if (amount === undefined || currency === undefined || !sameCurrency(st, currency)) continue;
    if (lowest === undefined || amount < lowest) {
      lowest = amount;
      lowestDisqualified = status === 'disqualified';
    }
    if (status === 'valid') validWithAmount = true;
  }
  if (validWithAmount && lowestDisqualified) setResult(st.results, 'OCID', ocid, 'R036', 1);
}

function foldR038(st: CardinalState, v: View): void {
  const release = v.release;
  const bids = submittedOf(v);
  if (bids.length === 0) return;
  let disqualified = 0;
  for (const bid of bids) {
    const increment = str(bid.status) === 'disqualified' ? 1 : 0;
    disqualified += increment;
    for (const t of arr(bid.tenderers) ?? []) {
      const id = idOf(t);
      if (id !== undefined) addSums(st.r038Tenderer, numberOf(st.orgs, id), increment, 1);
    }
  }
  const buyer = idOf(release.buyer);
  if (buyer !== undefined) addSums(st.r038Buyer, numberOf(st.orgs, buyer), disqualified, bids.length);
  const procuring = idOf(obj(release.tender)?.procuringEntity);
  if (procuring !== undefined) addSums(st.r038Procuring, numberOf(st.orgs, procuring), disqualified, bids.length);
}

function foldR048(st: CardinalState, release: Json): void {
  const digits = st.settings.R048!.digits;
  for (const award of arr(release.awards) ?? []) {
    const items = arr(obj(award)?.items);
    const suppliers = arr(obj(award)?.suppliers);
    const supplier = suppliers?.length === 1 ? idOf(suppliers[0]) : undefined;
    if (str(obj(award)?.status) !== 'active' || !items || supplier === undefined) continue;
    let slot = -1;
    for (const item of items) {
      const code = idOf(obj(item)?.classification);
      if (code === undefined) continue;
      if (slot < 0) {
        slot = slotOf(st.r048, numberOf(st.orgs, supplier));
        st.r048Codes[slot] ??= new Set();
        // A process counts once for its supplier, however many of its awards name it.
        if (st.r048Last[slot] !== st.serial) {
          st.r048Last[slot] = st.serial;
          st.r048.num[slot] += 1;
        }
      }
      st.r048Codes[slot].add(firstChars(code, digits));
    }
  }
}

const SURROGATE = /[\uD800-\uDFFF]/;

/** The first `n` characters as Rust counts them (Unicode scalar values, not UTF-16 units). */
function firstChars(text: string, n: number): string {
  return SURROGATE.test(text) ? Array.from(text).slice(0, n).join('') : text.slice(0, n);
}

/**
 * Folds one parsed line. Cardinal skips a line that is not an object with a string `ocid`, a
 * cancelled tender, and a procurement method detail listed under [exclusions]; returns whether the
 * release was counted.
 */
export function foldRelease(st: CardinalState, value: unknown): boolean {
  const release = obj(value);
  const ocid = str(release?.ocid);
  if (!release || ocid === undefined) return false;
  if (str(obj(release.tender)?.status) === 'cancelled') return false;
  const s = st.settings;
  if (!matchesMethodDetails(release, EMPTY, s.excludeDetails)) return false;
  const v: View = { release, ocid };
  st.serial += 1;
  if (s.R024 || s.R058) foldSecondLowest(st, v);
  if (s.R003) foldR003(st, release, ocid);
  if (s.R018) foldR018(st, release, ocid);
  if (s.R025) foldR025(st, v);
  if (s.R028) foldR028(st, v);
  if (s.R030) foldR030(st, release, ocid);
  if (s.R035) foldR035(st, v);
  if (s.R036) foldR036(st, v);
  if (s.R038) foldR038(st, v);
  if (s.R048) foldR048(st, release);
  return true;
}

const EMPTY = new Set<string>();

/** Q1 − 1.5·IQR (`lower`) or Q3 + 1.5·IQR, recording q1 and q3 under `prefix` in Meta. */
function fence(st: CardinalState, code: string, values: number[], lower: boolean, prefix = '') {
  const { q1, q3 } = quartiles(values);
  setMeta(st.results, code, `${prefix}q1`, q1);
  setMeta(st.results, code, `${prefix}q3`, q3);
  return { q1, fence: lower ? mulAdd(q3 - q1, -1.5, q1) : mulAdd(q3 - q1, 1.5, q3) };
}

function finishR024(st: CardinalState): void {
  const t = st.settings.R024!.threshold;
  const l = st.lowest;
  const { q1, fence: lower } = t === undefined ? fence(st, 'R024', lowestRatios(l), true) : { q1: 1, fence: t };
  setMeta(st.results, 'R024', 'lower_fence', lower);
  if (!(q1 > 0 && lower > 0)) return;
  for (const [ocid, slot] of l.slots) {
    const ratio = l.ratio[slot];
    if (!(ratio <= lower)) continue;
    setResult(st.results, 'OCID', ocid, 'R024', ratio);
    setResult(st.results, 'Tenderer', st.orgs.names[l.winner[slot]], 'R024', 0);
    setResult(st.results, 'Tenderer', st.orgs.names[l.other[slot]], 'R024', 0);
  }
}

function finishR025(st: CardinalState): void {
  const s = st.settings.R025!;
  const { size, num: n, den: d, members } = st.r025;
  const upper = percentile(Array.from(d.subarray(0, size)), s.percentile);
  const ratios: number[] = [];
  for (let i = 0; i < size; i++) ratios.push(n[i] / d[i]);
  const { q1, fence: lower } =
    s.threshold === undefined ? fence(st, 'R025', ratios, true) : { q1: 1, fence: s.threshold };
  setMeta(st.results, 'R025', 'upper_fence', upper);
  setMeta(st.results, 'R025', 'lower_fence', lower);
  if (!(q1 > 0 && lower > 0)) return;
  for (let i = 0; i < size; i++) {
    if (d[i] >= upper && n[i] / d[i] <= lower)
      setResult(st.results, 'Tenderer', st.orgs.names[members[i]], 'R025', n[i] / d[i]);
  }
}

function finishR038Group(st: CardinalState, fractions: Sums, minimum: number, group: Group): void {
  const ratios = new Map<string, number>();
  const { size, num: n, den: d, members } = fractions;
  for (let i = 0; i < size; i++) if (d[i] >= minimum) ratios.set(st.orgs.names[members[i]], n[i] / d[i]);
  if (ratios.size === 0) return;
  const t = st.settings.R038!.threshold;
  const upper = t ?? fence(st, 'R038', [...ratios.values()], false, `${group}_`).fence;
  setMeta(st.results, 'R038', `${group}_upper_fence`, upper);
  if (!(upper > 0)) return;
  for (const [id, ratio] of ratios) if (ratio >= upper) setResult(st.results, group, id, 'R038', ratio);
}

function finishR048(st: CardinalState): void {
  const s = st.settings.R048!;
  const lengths = new Map<string, number>();
  const { size, num: count, members } = st.r048;
  for (let i = 0; i < size; i++) {
    if (count[i] >= s.minimumProcesses) lengths.set(st.orgs.names[members[i]], st.r048Codes[i].size);
  }
  const upper = s.threshold ?? fence(st, 'R048', [...lengths.values()], false).fence;
  setMeta(st.results, 'R048', 'upper_fence', upper);
  for (const [id, length] of lengths) if (length >= upper) setResult(st.results, 'Tenderer', id, 'R048', length);
}

function finishR058(st: CardinalState): void {
  const t = st.settings.R058!.threshold;
  const l = st.lowest;
  const upper = t ?? fence(st, 'R058', lowestRatios(l), false).fence;
  setMeta(st.results, 'R058', 'upper_fence', upper);
  if (!(upper > 0)) return;
  for (const [ocid, slot] of l.slots) {
    const ratio = l.ratio[slot];
    if (!(ratio >= upper)) continue;
    setResult(st.results, 'OCID', ocid, 'R058', ratio);
    setResult(st.results, 'Tenderer', st.orgs.names[l.winner[slot]], 'R058', 0);
  }
}

/** Computes what needs every release, in Cardinal's order of indicators; returns the results. */
export function finishCardinal(st: CardinalState): Results {
  const s = st.settings;
  if (s.R024) finishR024(st);
  if (s.R025) finishR025(st);
  if (s.R038) {
    finishR038Group(st, st.r038Buyer, s.R038.minimumProcesses, 'Buyer');
    finishR038Group(st, st.r038Procuring, s.R038.minimumProcesses, 'ProcuringEntity');
    finishR038Group(st, st.r038Tenderer, s.R038.minimumBids, 'Tenderer');
  }
  if (s.R048) finishR048(st);
  if (s.R058) finishR058(st);
  return st.results;
}
