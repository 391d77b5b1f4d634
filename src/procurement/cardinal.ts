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

type Fraction = [numerator: number, denominator: number];

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
  secondLowest: Map<string, number>;
  winners: Map<string, [string, string]>;
  r025: Map<string, Fraction>;
  r038Buyer: Map<string, Fraction>;
  r038Procuring: Map<string, Fraction>;
  r038Tenderer: Map<string, Fraction>;
  r048: Map<string, { count: number; codes: Set<string> }>;
  /** Bids skipped for their currency (Cardinal warns of each). */
  otherCurrency: number;
};

export function createCardinal(settings: CardinalSettings): CardinalState {
  return {
    settings,
    results: emptyResults(),
    currency: undefined,
    secondLowest: new Map(),
    winners: new Map(),
    r025: new Map(),
    r038Buyer: new Map(),
    r038Procuring: new Map(),
    r038Tenderer: new Map(),
    r048: new Map(),
    otherCurrency: 0,
  };
}

function addFraction(map: Map<string, Fraction>, key: string, numerator: number, denominator: number): void {
  const f = map.get(key);
  if (f) {
    f[0] += numerator;
    f[1] += denominator;
  } else map.set(key, [numerator, denominator]);
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

/** Valid bids by one tenderer with an amount and a currency: [tenderer, amount, currency]. */
function validPricedBids(details: unknown[]): [string, number, string][] {
  const out: [string, number, string][] = [];
  for (const bid of details) {
    const value = obj(obj(bid)?.value);
    const amount = num(value?.amount);
    const currency = str(value?.currency);
    const tenderers = arr(obj(bid)?.tenderers);
    if (str(obj(bid)?.status) !== 'valid' || amount === undefined || currency === undefined) continue;
    if (tenderers?.length !== 1) continue;
    const id = idOf(tenderers[0]);
    if (id !== undefined) out.push([id, amount, currency]);
  }
  return out;
}

/** The percentage difference between the winning bid and the lowest other valid bid (R024, R058). */
function foldSecondLowest(st: CardinalState, v: View): void {
  const { release, ocid } = v;
  if (!matchesMethodDetails(release, st.settings.priceComparison, st.settings.noPriceComparison)) return;
  const won = wonOf(v);
  if (!won) return;
  let winner: [string, number] | undefined;
  let other: [string, number] | undefined;
  for (const [id, amount, currency] of validPricedBids(won.details)) {
    if (!sameCurrency(st, currency)) continue;
    if (id === won.supplier) {
      if (!winner || amount < winner[1]) winner = [id, amount];
    } else if (!other || amount < other[1]) other = [id, amount];
  }
  if (winner && other && other[1] >= winner[1]) {
    st.secondLowest.set(ocid, (other[1] - winner[1]) / winner[1]);
    st.winners.set(ocid, [winner[0], other[0]]);
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
  const t = Date.parse(value.replace(/[t ]/, 'T').replace(/z$/, 'Z'));
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
  const valid = new Set<string>();
  for (const bid of won.details) {
    const tenderers = arr(obj(bid)?.tenderers);
    const id = tenderers?.length === 1 ? idOf(tenderers[0]) : undefined;
    if (id !== undefined && str(obj(bid)?.status) === 'valid') valid.add(id);
  }
  for (const id of valid) addFraction(st.r025, id, id === won.supplier ? 1 : 0, 1);
}

function foldR028(st: CardinalState, v: View): void {
  const { release, ocid } = v;
  if (!matchesMethodDetails(release, st.settings.priceComparison, st.settings.noPriceComparison)) return;
  const bids = submittedOf(v);
  if (bids.length < 2) return;
  const prices = new Map<string, Set<string>>();
  for (const bid of bids) {
    const tenderers = arr(bid.tenderers);
    const value = obj(bid.value);
    const amount = num(value?.amount);
    const currency = str(value?.currency);
    if (!tenderers || amount === undefined || currency === undefined) continue;
    const ids = new Set(tenderers.map(idOf).filter((id) => id !== undefined));
    if (ids.size === 0) continue;
    const price = `${amount}\u0000${currency}`;
    const other = prices.get(price);
    if (other && !sameSet(ids, other)) {
      setResult(st.results, 'OCID', ocid, 'R028', 1);
      for (const id of [...ids, ...other]) setResult(st.results, 'Tenderer', id, 'R028', 1);
    }
    prices.set(price, ids);
  }
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
      if (id !== undefined) addFraction(st.r038Tenderer, id, increment, 1);
    }
  }
  const buyer = idOf(release.buyer);
  if (buyer !== undefined) addFraction(st.r038Buyer, buyer, disqualified, bids.length);
  const procuring = idOf(obj(release.tender)?.procuringEntity);
  if (procuring !== undefined) addFraction(st.r038Procuring, procuring, disqualified, bids.length);
}

function foldR048(st: CardinalState, release: Json): void {
  const digits = st.settings.R048!.digits;
  const observed = new Set<string>();
  for (const award of arr(release.awards) ?? []) {
    const items = arr(obj(award)?.items);
    const suppliers = arr(obj(award)?.suppliers);
    const supplier = suppliers?.length === 1 ? idOf(suppliers[0]) : undefined;
    if (str(obj(award)?.status) !== 'active' || !items || supplier === undefined) continue;
    for (const item of items) {
      const code = idOf(obj(item)?.classification);
      if (code === undefined) continue;
      let entry = st.r048.get(supplier);
      if (!entry) st.r048.set(supplier, (entry = { count: 0, codes: new Set() }));
      if (!observed.has(supplier)) {
        observed.add(supplier);
        entry.count += 1;
      }
      entry.codes.add(firstChars(code, digits));
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
  const { q1, fence: lower } =
    t === undefined ? fence(st, 'R024', [...st.secondLowest.values()], true) : { q1: 1, fence: t };
  setMeta(st.results, 'R024', 'lower_fence', lower);
  if (!(q1 > 0 && lower > 0)) return;
  for (const [ocid, ratio] of st.secondLowest) {
    if (!(ratio <= lower)) continue;
    setResult(st.results, 'OCID', ocid, 'R024', ratio);
    for (const id of st.winners.get(ocid)!) setResult(st.results, 'Tenderer', id, 'R024', 0);
  }
}

function finishR025(st: CardinalState): void {
  const s = st.settings.R025!;
  const upper = percentile(
    [...st.r025.values()].map((f) => f[1]),
    s.percentile,
  );
  const ratios = [...st.r025.values()].map((f) => f[0] / f[1]);
  const { q1, fence: lower } =
    s.threshold === undefined ? fence(st, 'R025', ratios, true) : { q1: 1, fence: s.threshold };
  setMeta(st.results, 'R025', 'upper_fence', upper);
  setMeta(st.results, 'R025', 'lower_fence', lower);
  if (!(q1 > 0 && lower > 0)) return;
  for (const [id, [n, d]] of st.r025) {
    if (d >= upper && n / d <= lower) setResult(st.results, 'Tenderer', id, 'R025', n / d);
  }
}

function finishR038Group(st: CardinalState, fractions: Map<string, Fraction>, minimum: number, group: Group): void {
  const ratios = new Map<string, number>();
  for (const [id, [n, d]] of fractions) if (d >= minimum) ratios.set(id, n / d);
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
  for (const [id, { count, codes }] of st.r048) if (count >= s.minimumProcesses) lengths.set(id, codes.size);
  const upper = s.threshold ?? fence(st, 'R048', [...lengths.values()], false).fence;
  setMeta(st.results, 'R048', 'upper_fence', upper);
  for (const [id, length] of lengths) if (length >= upper) setResult(st.results, 'Tenderer', id, 'R048', length);
}

function finishR058(st: CardinalState): void {
  const t = st.settings.R058!.threshold;
  const upper = t ?? fence(st, 'R058', [...st.secondLowest.values()], false).fence;
  setMeta(st.results, 'R058', 'upper_fence', upper);
  if (!(upper > 0)) return;
  for (const [ocid, ratio] of st.secondLowest) {
    if (!(ratio >= upper)) continue;
    setResult(st.results, 'OCID', ocid, 'R058', ratio);
    setResult(st.results, 'Tenderer', st.winners.get(ocid)![0], 'R058', 0);
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
