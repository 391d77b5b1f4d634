// `sujarit backup`: one consistent archive of everything a restore needs, written while the platform
// runs. The database is exported logically: every table of the public schema through COPY, all in
// one REPEATABLE READ READ ONLY transaction, so the archive is the database at one instant whatever
// is filed meanwhile (attachments are rows of blob_chunk, so they are in it). The embedded
// PostgreSQL ships no pg_dump or pg_basebackup (initdb, pg_ctl and postgres only), and a pg_dump
// older than the server refuses it, so the same method serves DATABASE_URL: it needs nothing but a
// connection, and its archive restores onto either. Beside it, the files of the data folder that
// the database cannot work without: secrets.json and the ledger's key. Everything is encrypted to
// the recovery public key as it streams (crypto/backup-seal.ts): memory stays bounded by a chunk.
import { existsSync } from 'node:fs';
import { open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { encryptBackup } from '../crypto/backup-seal.ts';
import { poolOf, type Db } from '../db/connection.ts';
import { AppError } from '../errors.ts';
import { ARCHIVE_FORMAT, dataFrames, frame, type SequenceValue, type TableStart } from './frames.ts';

/** What a backup reads besides the database. */
export type BackupSources = Readonly<{ dataDir: string; ledgerKeyFile: string }>;
export type BackupResult = { file: string; bytes: number; tables: number; rows: number; files: number };

/** The files of the data folder a backup holds, by their name in the archive. */
export function backupFiles(sources: BackupSources): Record<string, string> {
  return { 'secrets.json': path.join(sources.dataDir, 'secrets.json'), 'ledger-key.pem': sources.ledgerKeyFile };
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** The tables of the public schema (schema_migration aside) with their stored columns, parents first. */
export async function tablesOf(client: pg.PoolClient | pg.Client): Promise<TableStart[]> {
  const tables = (
    await client.query<TableStart>(`
      select c.relname as name, array_agg(a.attname::text order by a.attnum) as columns
      from pg_class c
      join pg_namespace n on n.oid = c.relnamespace
      join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped and a.attgenerated = ''
      where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition
        and c.relname <> 'schema_migration'
      group by c.relname order by c.relname`)
  ).rows;
  const edges = (
    await client.query<{ child: string; parent: string }>(`
      select ch.relname as child, pa.relname as parent
      from pg_constraint k join pg_class ch on ch.oid = k.conrelid join pg_class pa on pa.oid = k.confrelid
      join pg_namespace n on n.oid = ch.relnamespace
      where k.contype = 'f' and not k.condeferrable and n.nspname = 'public' and ch.oid <> pa.oid`)
  ).rows;
  // Parents before children, so foreign keys hold as each table is loaded. A deferrable key is left
  // out: the restore defers it to its commit, which is how a cycle of keys is broken (migration 0232).
  // A cycle of immediate keys keeps name order for what is left: the restore would then refuse, in
  // its one transaction.
  const ordered: TableStart[] = [];
  const placed = new Set<string>();
  let rest = tables;
  while (rest.length > 0) {
    const ready = rest.filter((t) => edges.every((e) => e.child !== t.name || placed.has(e.parent)));
    const next = ready.length > 0 ? ready : rest;
    for (const t of next) placed.add(t.name);
    ordered.push(...next);
    rest = rest.filter((t) => !placed.has(t.name));
  }
  return ordered;
}

async function* databaseFrames(client: pg.PoolClient): AsyncGenerator<Buffer> {
  const migrations = (await client.query<{ name: string }>('select name from schema_migration order by name')).rows;
  yield frame('H', {
    format: ARCHIVE_FORMAT,
    createdAt: new Date().toISOString(),
    migrations: migrations.map((m) => m.name),
  });
}

async function* tableFrames(client: pg.PoolClient, counts: { tables: number; rows: number }): AsyncGenerator<Buffer> {
  for (const table of await tablesOf(client)) {
    yield frame('T', table);
    const stream = client.query(
      copyTo(`copy (select ${table.columns.map(quoteIdent).join(', ')} from ${quoteIdent(table.name)}) to stdout`),
    );
    for await (const chunk of stream as AsyncIterable<Buffer>) yield* dataFrames(chunk);
    yield frame('E', { rows: stream.rowCount });
    counts.tables++;
    counts.rows += stream.rowCount;
  }
  const sequences: SequenceValue[] = [];
  const names = await client.query<{ name: string }>(`
    select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and c.relkind = 'S' order by 1`);
  for (const { name } of names.rows) {
    const v = await client.query<{ last_value: string; is_called: boolean }>(
      `select last_value::text, is_called from ${quoteIdent(name)}`,
    );
    sequences.push({ name, lastValue: v.rows[0].last_value, isCalled: v.rows[0].is_called });
  }
  yield frame('S', sequences);
}

/** The archive's plaintext: header, files, every table at one snapshot, sequences, end. */
async function* archiveFrames(db: Db, sources: BackupSources, result: BackupResult): AsyncGenerator<Buffer> {
  const client = await poolOf(db).connect();
  try {
    await client.query('begin isolation level repeatable read read only');
    yield* databaseFrames(client);
    for (const [name, file] of Object.entries(backupFiles(sources))) {
      if (!existsSync(file)) continue;
      yield frame('F', { name, data: (await readFile(file)).toString('base64') });
      result.files++;
    }
    yield* tableFrames(client, result);
    await client.query('commit');
    yield frame('Z', { tables: result.tables, rows: result.rows, files: result.files });
  } finally {
    await client.query('rollback').catch(() => {});
    client.release();
  }
}

/**
 * Writes a backup to `to` (refused when it exists): written beside it under a temporary name,
 * flushed to disk, then renamed, so a file with the final name is always a whole archive.
 */
export async function writeBackup({
  db,
  sources,
  publicKey,
  to,
}: {
  db: Db;
  sources: BackupSources;
  publicKey: Buffer;
  to: string;
}): Promise<BackupResult> {
  const file = path.resolve(to);
  if (existsSync(file))
    throw new AppError('conflict', `${file} exists; a backup never overwrites a file`, 'error.conflict');
  const result: BackupResult = { file, bytes: 0, tables: 0, rows: 0, files: 0 };
  const partial = `${file}.partial-${process.pid}`;
  try {
    await pipeline(
      Readable.from(encryptBackup(publicKey, archiveFrames(db, sources, result))),
      createWriteStream(partial, { mode: 0o600, flags: 'wx' }),
    );
    const handle = await open(partial, 'r');
    await handle.sync();
    await handle.close();
    await rename(partial, file);
  } catch (e) {
    await unlink(partial).catch(() => {});
    throw e;
  }
  result.bytes = (await stat(file)).size;
  return result;
}
