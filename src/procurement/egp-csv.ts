// e-GP open-data CSV → OCDS compiled releases (egp-mapping.ts), streamed with the ITA's CSV reader
// (ita/csv-records.ts): a file of any size is read holding one chunk and one record. Consecutive
// rows of one project (one row per winner or contract) make one release. A row with an amount or a
// date that cannot be read, or with fewer fields than the header, is skipped and reported with its
// line number; a structural fault (a quote never closed) stops the reading and is reported.
import type { Readable } from 'node:stream';
import { parseFormDate } from '../i18n/form-date.ts';
import { type CsvRecord, createCsvReader, fieldText } from '../ita/csv-records.ts';
import { EGP_COLUMNS, methodOf } from './egp-mapping.ts';
import { emptyReport, type LineReport, skip } from './json-lines.ts';

const MAX_COLUMNS = 64;

type Row = Map<string, string>;

type Reading = {
  columns: (string | null)[] | null;
  report: LineReport;
  release: EgpRelease | null;
  onRelease: (release: unknown, line: number) => void;
};

/** A baht amount as published ("1,234,567.50"), or undefined for an empty cell; NaN when unreadable. */
export function egpAmount(text: string | undefined): number | undefined {
  const t = (text ?? '').replaceAll(',', '').trim();
  if (t === '') return undefined;
  return /^-?\d+(\.\d+)?$/.test(t) ? Number(t) : Number.NaN;
}

/** A day as published (D/M/YYYY in B.E., or YYYY-MM-DD) as RFC 3339 at midnight Thai time; null when unreadable. */
export function egpDate(text: string | undefined): string | undefined | null {
  const t = (text ?? '').trim().split(/\s+/)[0] ?? '';
  if (t === '') return undefined;
  const day = parseFormDate(t);
  return day === null ? null : `${day}T00:00:00+07:00`;
}

const value = (amount: number | undefined) => (amount === undefined ? undefined : { amount, currency: 'THB' });

/** The release of one project's first row. */
function releaseOf(row: Row, dates: Record<string, string | undefined>, amounts: Record<string, number | undefined>) {
  const id = row.get('รหัสโครงการ')!;
  const method = row.get('วิธีจัดซื้อฯ') ?? '';
  const buyerName = row.get('ชื่อหน่วยงาน')!;
  return {
    ocid: `th-egp-${id}`,
    id: `th-egp-${id}`,
    date: dates['วันที่ประกาศ'],
    tag: ['compiled'],
    buyer: { id: row.get('รหัสหน่วยงาน') || buyerName, name: buyerName },
    planning: amounts['งบประมาณ(บาท)'] === undefined ? undefined : { budget: value(amounts['งบประมาณ(บาท)']) },
    tender: {
      id,
      title: row.get('ชื่อโครงการ') || undefined,
      procurementMethod: methodOf(method),
      procurementMethodDetails: method || undefined,
      value: value(amounts['ราคากลาง(บาท)']),
      tenderPeriod: dates['วันที่ประกาศ'] === undefined ? undefined : { startDate: dates['วันที่ประกาศ'] },
    },
    awards: [] as unknown[],
    contracts: [] as unknown[],
  };
}

type EgpRelease = ReturnType<typeof releaseOf>;

/** Adds a row's winner and contract to its project's release. */
function addAward(release: EgpRelease, row: Row, signed: string | undefined, price: number | undefined): void {
  const name = row.get('ชื่อผู้ชนะ') ?? '';
  const tin = row.get('เลขนิติบุคคล') ?? '';
  if (name === '' && tin === '') return;
  const n = release.awards.length + 1;
  const supplier = { id: tin === '' ? name : `TH-DBD-${tin}`, name: name || undefined };
  release.awards.push({ id: String(n), status: 'active', date: signed, value: value(price), suppliers: [supplier] });
  if (signed !== undefined) {
    release.contracts.push({
      id: String(n),
      awardID: String(n),
      status: 'active',
      dateSigned: signed,
      value: value(price),
    });
  }
}

function readHeader(st: Reading, r: CsvRecord): boolean {
  const names = Array.from({ length: Math.min(r.count, MAX_COLUMNS) }, (_, k) => fieldText(r, k)?.trim() ?? null);
  const missing = EGP_COLUMNS.filter((c) => c.required && !names.includes(c.column)).map((c) => c.column);
  if (missing.length > 0) {
    skip(st.report, r.line, `the header lacks ${missing.join(', ')}: not an e-GP file`);
    return false;
  }
  st.columns = names;
  return true;
}

function flush(st: Reading): void {
  if (st.release === null) return;
  st.onRelease(st.release, st.report.lines);
  st.report.releases += 1;
  st.release = null;
}

function readRow(st: Reading, r: CsvRecord): boolean {
  st.report.lines += 1;
  if (st.columns === null) return readHeader(st, r);
  if (r.count === 1 && r.start[0] === r.end[0]) return true; // a blank line
  if (r.count < st.columns.length) return fault(st, r, `${r.count} fields where the header has ${st.columns.length}`);
  const row: Row = new Map();
  for (let k = 0; k < st.columns.length; k++) {
    const name = st.columns[k];
    if (!name) continue;
    const text = fieldText(r, k);
    if (text === null) return fault(st, r, `the field ${name} is not UTF-8`);
    row.set(name, text.trim());
  }
  const dates: Record<string, string | undefined> = {};
  const amounts: Record<string, number | undefined> = {};
  for (const c of EGP_COLUMNS) {
    const text = row.get(c.column);
    if (c.kind === 'amount') {
      const a = egpAmount(text);
      if (Number.isNaN(a)) return fault(st, r, `${c.column} "${text}" is not an amount`);
      amounts[c.column] = a;
    } else if (c.kind === 'date') {
      const d = egpDate(text);
      if (d === null) return fault(st, r, `${c.column} "${text}" is not a date`);
      dates[c.column] = d;
    }
  }
  if (!row.get('รหัสโครงการ') || !row.get('ชื่อหน่วยงาน')) return fault(st, r, 'no รหัสโครงการ or ชื่อหน่วยงาน');
  if (st.release?.tender.id !== row.get('รหัสโครงการ')) {
    flush(st);
    st.release = releaseOf(row, dates, amounts);
  }
  addAward(st.release!, row, dates['วันที่ลงนามสัญญา'], amounts['ราคาตกลงซื้อ/จ้าง']);
  return true;
}

function fault(st: Reading, r: CsvRecord, reason: string): boolean {
  skip(st.report, r.line, reason);
  return true;
}

/** Reads an e-GP CSV from `input`, calling `onRelease` for each project's release in order. */
export async function readEgpCsv(
  input: Readable,
  onRelease: (release: unknown, line: number) => void,
): Promise<LineReport> {
  const st: Reading = { columns: null, report: emptyReport(), release: null, onRelease };
  const csv = createCsvReader((r) => readRow(st, r), { maxFields: MAX_COLUMNS });
  let going = true;
  for await (const chunk of input) {
    going = csv.push(chunk as Buffer);
    if (!going) break;
  }
  if (going) csv.end();
  flush(st);
  const stopped = csv.fault();
  if (stopped !== null) skip(st.report, st.report.lines + 1, `${stopped}; the rest of the file was not read`);
  return st.report;
}
