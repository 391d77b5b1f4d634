// Immutable monthly releases: each dataset built for a month, written as CSV (UTF-8 with a byte
// order mark, for Excel) and JSON, stored once (the table refuses updates and deletes), and its
// digest committed to the ledger in the same transaction. The opening is published with the
// release, so anyone holding the files can show the log committed to them before any later edit.
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../db/connection.ts';
import { csvField } from '../cases/export.ts';
import { bangkokToday } from '../cases/permit-dates.ts';
import { makeEntry, opens, type Opening } from '../ledger/events.ts';
import { AppError } from '../errors.ts';
import { type BuildRun, type Cell, type Column, datasetOf, datasets, type DatasetDef } from './datasets.ts';
// The datasets other modules' work adds (registered when imported): corruption-risk registers.
import './risk-registers.ts';

export type Release = {
  dataset: string;
  month: string;
  createdAt: Date;
  csv: Buffer;
  json: Buffer;
  sha256: string;
  opening: Opening;
};

/** The month before `now`'s, in Bangkok (the last complete month). */
export function lastCompleteMonth(now = new Date()): string {
  const [y, m] = bangkokToday(now).split('-').map(Number);
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
}

export function isMonth(s: unknown): s is string {
  return typeof s === 'string' && /^[0-9]{4}-(0[1-9]|1[0-2])$/.test(s);
}

/** One cell as CSV: a count or a median (never negative) as it is, anything else through csvField. */
const csvCell = (c: Cell): string =>
  c === null ? '' : typeof c === 'number' && c >= 0 ? String(c) : csvField(String(c));

/** Text gathered into buffers of about this many characters, so no one string nears V8's length limit. */
const PIECE_CHARS = 1 << 20;

/** Joins the texts `each` writes into one buffer, a piece at a time. */
function pieces(first: string, write: (add: (text: string) => void) => void, last: string): Buffer {
  const parts: Buffer[] = [];
  let text = first;
  write((t) => {
    text += t;
    if (text.length > PIECE_CHARS) {
      parts.push(Buffer.from(text, 'utf8'));
      text = '';
    }
  });
  parts.push(Buffer.from(text + last, 'utf8'));
  return Buffer.concat(parts);
}

export function toCsv(columns: Column[], rows: Cell[][]): Buffer {
  const line = (cells: Cell[]) => `${cells.map(csvCell).join(',')}\r\n`;
  return pieces(
    `\uFEFF${line(columns.map((c) => c.name))}`,
    (add) => {
      for (const r of rows) add(line(r));
    },
    '',
  );
}

/**
 * The release as JSON: `{"dataset", "release", "records": [{column: value, …}]}`, as JSON.stringify
 * writes it (a test holds them equal), written record by record: the complaints dataset of 8,000
 * agencies over 24 months is about 400 MB, near the longest string V8 makes.
 */
export function toJson(def: DatasetDef, month: string, columns: Column[], rows: Cell[][]): Buffer {
  const keys = columns.map((c, i) => `${i === 0 ? '' : ','}${JSON.stringify(c.name)}:`);
  const value = (v: Cell | undefined) =>
    typeof v === 'number' ? (Number.isFinite(v) ? String(v) : 'null') : v == null ? 'null' : JSON.stringify(v);
  return pieces(
    `{"dataset":${JSON.stringify(def.id)},"release":${JSON.stringify(month)},"records":[`,
    (add) =>
      rows.forEach((r, k) => {
        let record = k === 0 ? '{' : ',{';
        for (let i = 0; i < keys.length; i++) record += keys[i] + value(r[i]);
        add(`${record}}`);
      }),
    ']}',
  );
}

/** What the ledger entry commits to: SHA-256 over the dataset, the month and both files' digests. */
export function releaseDigest(dataset: string, month: string, csv: Buffer, json: Buffer): Buffer {
  const h = (b: Buffer) => createHash('sha256').update(b).digest('hex');
  return createHash('sha256')
    .update(`sujarit/v1/dataset-release\n${dataset}\n${month}\ncsv ${h(csv)}\njson ${h(json)}\n`)
    .digest();
}

export function newRun(db: Db, month: string, now: Date): BuildRun {
  const memo = new Map<string, Promise<unknown>>();
  return {
    db,
    month,
    now,
    memo: <T>(key: string, make: () => Promise<T>) => {
      if (!memo.has(key)) memo.set(key, make());
      return memo.get(key) as Promise<T>;
    },
  };
}

/** Every dataset built for `month` (not stored): what a release would hold now. */
export async function buildAll(
  db: Db,
  month: string,
  now = new Date(),
): Promise<{ def: DatasetDef; columns: Column[]; rows: Cell[][] }[]> {
  const run = newRun(db, month, now);
  return Promise.all(datasets().map(async (def) => ({ def, columns: def.columns(), rows: await def.build(run) })));
}

/**
 * Releases every dataset not yet released for `month` (default: the last complete month): builds,
 * stores and commits each to the ledger outbox. A month not yet over is refused. Returns the ids
 * released now.
 */
export async function releaseMonth({
  db,
  month,
  now = new Date(),
}: {
  db: Db;
  month?: string;
  now?: Date;
}): Promise<string[]> {
  const m = month ?? lastCompleteMonth(now);
  if (!isMonth(m)) throw new AppError('invalid_input', 'month must be YYYY-MM', 'error.field.invalid');
  if (m > lastCompleteMonth(now))
    throw new AppError('invalid_input', 'the month is not over yet', 'error.field.invalid');
  const done = new Set(
    (await db.selectFrom('dataset_release').select('dataset').where('month', '=', m).execute()).map((r) => r.dataset),
  );
  const todo = datasets().filter((d) => !done.has(d.id));
  if (todo.length === 0) return [];
  const run = newRun(db, m, now);
  const built = await Promise.all(
    todo.map(async (def) => {
      const columns = def.columns();
      const rows = await def.build(run);
      return { def, csv: toCsv(columns, rows), json: toJson(def, m, columns, rows) };
    }),
  );
  return db.transaction().execute(async (trx) => {
    // Two servers releasing at once: the second waits, then finds the month released and adds nothing.
    await sql`select pg_advisory_xact_lock(hashtext('sujarit/dataset-release'))`.execute(trx);
    const already = new Set(
      (await trx.selectFrom('dataset_release').select('dataset').where('month', '=', m).execute()).map(
        (r) => r.dataset,
      ),
    );
    const released: string[] = [];
    for (const b of built) {
      if (already.has(b.def.id)) continue;
      const digest = releaseDigest(b.def.id, m, b.csv, b.json);
      const { entry, opening } = makeEntry('dataset_release', `dataset/${b.def.id}/${m}`, digest, now);
      const { id } = await trx.insertInto('ledger_outbox').values({ entry }).returning('id').executeTakeFirstOrThrow();
      await trx
        .insertInto('dataset_release')
        .values({
          dataset: b.def.id,
          month: m,
          csv: b.csv,
          json: b.json,
          sha256: createHash('sha256').update(b.csv).digest(),
          outbox_id: id,
          opening: JSON.stringify(opening),
        })
        .execute();
      released.push(b.def.id);
    }
    return released;
  });
}

export type ReleaseInfo = { dataset: string; month: string; createdAt: Date; sha256: string; bytes: number };

/** Every release, newest month first (no file bodies). */
export async function listReleases(db: Db, dataset?: string): Promise<ReleaseInfo[]> {
  let q = db
    .selectFrom('dataset_release')
    .select(['dataset', 'month', 'created_at', 'sha256', sql<number>`length(csv)`.as('bytes')])
    .orderBy('month', 'desc')
    .orderBy('dataset');
  if (dataset) q = q.where('dataset', '=', dataset);
  const rows = await q.execute();
  return rows.map((r) => ({
    dataset: r.dataset,
    month: r.month,
    createdAt: r.created_at,
    sha256: r.sha256.toString('hex'),
    bytes: Number(r.bytes),
  }));
}

const parsed = new Map<string, Release>();

/**
 * The most of a file read in one query. PostgreSQL sends bytea as hex text and Node cannot make a
 * string of more than 2^29 − 24 characters, so a release of more than about 256 MB read whole
 * would throw inside the database driver (and take the process down): the complaints dataset of
 * 8,000 agencies over 24 months (bench/opendata.ts) is larger than that, so files are read in pieces.
 */
export const READ_CHUNK_BYTES = 32 * 1024 * 1024;

/** One file of a stored release, `bytes` long, read `chunk` bytes at a time. */
export async function readReleaseFile(
  db: Db,
  dataset: string,
  month: string,
  column: 'csv' | 'json',
  bytes: number,
  chunk: number,
): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (let from = 0; from < bytes || parts.length === 0; from += chunk) {
    const { rows } = await sql<{ part: Buffer }>`
      select substring(${sql.ref(column)} from ${from + 1} for ${chunk}) as part
      from dataset_release where dataset = ${dataset} and month = ${month}`.execute(db);
    if (!rows[0]) throw new AppError('not_found', 'no such dataset release', 'error.not_found');
    parts.push(rows[0].part);
  }
  return Buffer.concat(parts);
}

/** One release (the newest when `month` is absent), or not_found. Kept in memory once read: a release never changes. */
export async function loadRelease(db: Db, dataset: string, month?: string, chunk = READ_CHUNK_BYTES): Promise<Release> {
  if (!datasetOf(dataset) || (month !== undefined && !isMonth(month)))
    throw new AppError('not_found', 'no such dataset release', 'error.not_found');
  const key = month ? `${dataset}/${month}` : null;
  const hit = key ? parsed.get(key) : undefined;
  if (hit) return hit;
  let q = db
    .selectFrom('dataset_release')
    .select([
      'dataset',
      'month',
      'created_at',
      'sha256',
      'opening',
      sql<number>`length(csv)`.as('csv_bytes'),
      sql<number>`length(json)`.as('json_bytes'),
    ])
    .where('dataset', '=', dataset);
  q = month ? q.where('month', '=', month) : q.orderBy('month', 'desc').limit(1);
  const r = await q.executeTakeFirst();
  if (!r) throw new AppError('not_found', 'no such dataset release', 'error.not_found');
  const [csv, json] = await Promise.all([
    readReleaseFile(db, r.dataset, r.month, 'csv', Number(r.csv_bytes), chunk),
    readReleaseFile(db, r.dataset, r.month, 'json', Number(r.json_bytes), chunk),
  ]);
  const release: Release = {
    dataset: r.dataset,
    month: r.month,
    createdAt: r.created_at,
    csv,
    json,
    sha256: r.sha256.toString('hex'),
    opening: r.opening as unknown as Opening,
  };
  if (parsed.size > 200) parsed.clear();
  parsed.set(`${dataset}/${r.month}`, release);
  return release;
}

export type ReleaseCheck = { dataset: string; month: string; inLog: boolean };

/**
 * Checks every release against its ledger entry: the stored files still give the committed digest,
 * and the entry (once sequenced) opens to it. Throws naming the first release that does not match:
 * a quiet edit of a release's files shows up here.
 */
export async function verifyReleases(db: Db): Promise<ReleaseCheck[]> {
  const rows = await db
    .selectFrom('dataset_release as r')
    .leftJoin('ledger_entry as l', 'l.outbox_id', 'r.outbox_id')
    .leftJoin('ledger_outbox as o', 'o.id', 'r.outbox_id')
    .select(['r.dataset', 'r.month', 'r.csv', 'r.json', 'r.opening', 'l.entry as logged', 'o.entry as queued'])
    .orderBy('r.month')
    .orderBy('r.dataset')
    .execute();
  return rows.map((r) => {
    const opening = r.opening as unknown as Opening;
    const digest = releaseDigest(r.dataset, r.month, r.csv, r.json);
    const entry = r.logged ?? r.queued;
    if (!entry || !Buffer.from(opening.detailValue, 'base64').equals(digest) || !opens(entry, opening))
      throw new Error(`dataset release ${r.dataset} ${r.month}: the files do not match the ledger entry`);
    return { dataset: r.dataset, month: r.month, inLog: r.logged !== null };
  });
}
