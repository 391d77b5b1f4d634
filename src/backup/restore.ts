// `sujarit restore`: a backup onto an empty machine. The archive is read twice: first whole, to
// check that every byte authenticates and the archive is complete (nothing is written before), then
// into the database in ONE transaction (the schema built by the backup's own migrations, every
// table loaded by COPY, the sequences set), and only once that commits are the files written. A
// newer version's migrations then apply as at any start.
import { once } from 'node:events';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Writable } from 'node:stream';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { recordAudit } from '../audit/record-audit.ts';
import { BackupIntegrityError, decryptBackup } from '../crypto/backup-seal.ts';
import type { KeyPair } from '../crypto/sealed-box.ts';
import { connect, poolOf, type Db } from '../db/connection.ts';
import { startEmbeddedDatabase } from '../db/embedded.ts';
import { migrate, migrationFiles, migrationSql } from '../db/migrate.ts';
import { AppError } from '../errors.ts';
import {
  ARCHIVE_FORMAT,
  jsonOf,
  readFrames,
  type FileEntry,
  type Frame,
  type Header,
  type SequenceValue,
  type TableStart,
  type Totals,
} from './frames.ts';
import { backupFiles, quoteIdent, tablesOf, type BackupSources } from './write-backup.ts';

export type RestoreTarget = BackupSources & Readonly<{ databaseUrl: string | undefined }>;

/** What a pass over the archive does with each part; the walk itself checks the order. */
type Visitor = {
  header?: (h: Header) => Promise<void>;
  file?: (f: FileEntry) => void;
  tableStart?: (t: TableStart) => Promise<void>;
  data?: (chunk: Buffer) => Promise<void>;
  tableEnd?: (rows: number) => Promise<void>;
  sequences?: (s: SequenceValue[]) => Promise<void>;
};

const damaged = (why: string) => new BackupIntegrityError(`the backup is malformed: ${why}`);

/** Walks an archive frame by frame, refusing any order a backup never has; returns its totals. */
async function walk(file: string, keys: KeyPair, v: Visitor): Promise<Header & Totals> {
  const at: { header: Header | null; table: TableStart | null; end: Totals | null } = {
    header: null,
    table: null,
    end: null,
  };
  const seen = { tables: 0, rows: 0, files: 0 };
  const frames = readFrames(decryptBackup(keys, createReadStream(file, { highWaterMark: 256 * 1024 })));
  for await (const f of frames) {
    if (at.end) throw damaged('frames after its end');
    if (!at.header && f.kind !== 'H') throw damaged('no header');
    if (at.table && f.kind !== 'D' && f.kind !== 'E') throw damaged('a table is cut short');
    await visit(f);
  }
  const { header, end } = at;
  if (!header || !end) throw damaged('it stops before its end');
  if (end.tables !== seen.tables || end.rows !== seen.rows || end.files !== seen.files)
    throw damaged('its counts do not match its content');
  return { ...header, ...end };

  async function visit(f: Frame): Promise<void> {
    if (f.kind === 'H') {
      if (at.header) throw damaged('two headers');
      const header = jsonOf<Header>(f);
      if (header.format !== ARCHIVE_FORMAT)
        throw new AppError(
          'invalid_input',
          `backup format ${header.format} is not ${ARCHIVE_FORMAT}`,
          'error.internal',
        );
      at.header = header;
      await v.header?.(header);
    } else if (f.kind === 'F') {
      v.file?.(jsonOf<FileEntry>(f));
      seen.files++;
    } else if (f.kind === 'T') {
      at.table = jsonOf<TableStart>(f);
      await v.tableStart?.(at.table);
    } else if (f.kind === 'D') {
      if (!at.table) throw damaged('rows outside a table');
      await v.data?.(f.payload);
    } else if (f.kind === 'E') {
      if (!at.table) throw damaged('a table ends that never began');
      const { rows } = jsonOf<{ rows: number }>(f);
      await v.tableEnd?.(rows);
      seen.tables++;
      seen.rows += rows;
      at.table = null;
    } else if (f.kind === 'S') await v.sequences?.(jsonOf<SequenceValue[]>(f));
    else at.end = jsonOf<Totals>(f);
  }
}

/** Reads the whole archive, checking it authenticates and is complete; writes nothing. */
export function verifyBackup(file: string, keys: KeyPair): Promise<Header & Totals> {
  return walk(file, keys, {});
}

/** Refuses a target that holds anything a restore would replace. */
async function assertEmptyFolder(target: RestoreTarget): Promise<void> {
  const found = Object.values(backupFiles(target)).filter((f) => existsSync(f));
  if (!target.databaseUrl && existsSync(path.join(target.dataDir, 'pg'))) found.push(path.join(target.dataDir, 'pg'));
  if (found.length > 0)
    throw new AppError(
      'conflict',
      `restore needs an empty target, and ${found.join(', ')} exist${found.length === 1 ? 's' : ''}: restore into a new data folder (SUJARIT_DATA)${target.databaseUrl ? ' and an empty database' : ''}; nothing was changed`,
      'error.conflict',
    );
}

async function assertEmptyDatabase(client: pg.PoolClient): Promise<void> {
  const { rows } = await client.query<{ n: number }>(`
    select count(*)::int as n from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and c.relkind in ('r', 'p', 'S', 'v', 'm')`);
  if (rows[0].n > 0)
    throw new AppError(
      'conflict',
      `restore needs an empty database, and this one holds ${rows[0].n} relations: create a new database for DATABASE_URL; nothing was changed`,
      'error.conflict',
    );
}

/** Builds the schema the backup was made on: its own migrations, in its order, none unknown. */
async function buildSchema(client: pg.PoolClient, header: Header): Promise<void> {
  const known = new Set(await migrationFiles());
  const unknown = header.migrations.filter((m) => !known.has(m));
  if (unknown.length > 0)
    throw new AppError(
      'invalid_input',
      `the backup was made by a newer Sujarit (migrations ${unknown.join(', ')} are unknown here): restore with that version`,
      'error.internal',
    );
  await client.query(
    'create table schema_migration (name text primary key, applied_at timestamptz not null default now())',
  );
  for (const m of header.migrations) {
    await client.query(await migrationSql(m));
    await client.query('insert into schema_migration (name) values ($1)', [m]);
  }
}

/** Loads the archive into the database in one transaction left open; collects its files. */
async function load(client: pg.PoolClient, file: string, keys: KeyPair): Promise<FileEntry[]> {
  const files: FileEntry[] = [];
  let schema = new Map<string, Set<string>>();
  let copy: (Writable & { rowCount: number }) | null = null;
  await client.query('begin');
  // deferrable keys (a cycle broken, tablesOf) are checked once every table is loaded
  await client.query('set constraints all deferred');
  await walk(file, keys, {
    header: async (h) => {
      await buildSchema(client, h);
      const tables = await tablesOf(client);
      schema = new Map(tables.map((t) => [t.name, new Set(t.columns)]));
      // Rows a migration may have seeded are in the archive too: the archive's are the ones kept.
      if (tables.length > 0) await client.query(`truncate ${tables.map((t) => quoteIdent(t.name)).join(', ')}`);
      for (const t of tables) await client.query(`alter table ${quoteIdent(t.name)} disable trigger user`);
    },
    file: (f) => {
      if (!['secrets.json', 'ledger-key.pem'].includes(f.name)) throw damaged(`unknown file ${f.name}`);
      files.push(f);
    },
    tableStart: async (t) => {
      const columns = schema.get(t.name);
      if (!columns || !t.columns.every((c) => columns.has(c))) throw damaged(`table ${t.name} is not in the schema`);
      copy = client.query(
        copyFrom(`copy ${quoteIdent(t.name)} (${t.columns.map(quoteIdent).join(', ')}) from stdin`),
      ) as Writable & { rowCount: number };
    },
    data: async (chunk) => {
      if (copy && !copy.write(chunk)) await once(copy, 'drain');
    },
    tableEnd: async (rows) => {
      const done = copy;
      copy = null;
      if (!done) return;
      done.end();
      await once(done, 'finish');
      if (done.rowCount !== rows) throw damaged(`a table holds ${done.rowCount} rows, not ${rows}`);
    },
    sequences: async (list) => {
      for (const s of list)
        await client.query('select setval($1::regclass, $2::bigint, $3)', [
          quoteIdent(s.name),
          s.lastValue,
          s.isCalled,
        ]);
    },
  });
  for (const name of schema.keys()) await client.query(`alter table ${quoteIdent(name)} enable trigger user`);
  return files;
}

export type RestoreResult = Header & Totals & { applied: string[] };

/**
 * Restores `file` onto `target` (an empty data folder, and with DATABASE_URL an empty database).
 * Throws BackupIntegrityError for the wrong key or a damaged archive, AppError 'conflict' for a
 * target that is not empty; in every failure nothing is left behind that was not there before.
 */
export async function restoreBackup({
  file,
  keys,
  target,
  log = () => {},
}: {
  file: string;
  keys: KeyPair;
  target: RestoreTarget;
  log?: (line: string) => void;
}): Promise<RestoreResult> {
  await assertEmptyFolder(target);
  const totals = await verifyBackup(file, keys);
  log(
    `backup of ${totals.createdAt} authenticated: ${totals.tables} tables, ${totals.rows} rows, ${totals.files} files`,
  );
  const hadFolder = existsSync(target.dataDir) ? await readdir(target.dataDir) : null;
  const embedded = target.databaseUrl ? null : await startEmbeddedDatabase(target.dataDir);
  const db: Db = connect(target.databaseUrl ?? (embedded as { url: string }).url, 2);
  let isDone = false;
  const written: string[] = [];
  try {
    const client = await poolOf(db).connect();
    try {
      await assertEmptyDatabase(client);
      const files = await load(client, file, keys);
      // The files are written before the commit, and removed again if it fails.
      for (const f of files) {
        const to = backupFiles(target)[f.name];
        await mkdir(path.dirname(to), { recursive: true, mode: 0o711 });
        await writeFile(to, Buffer.from(f.data, 'base64'), { mode: 0o600, flag: 'wx' });
        written.push(to);
      }
      await client.query('commit');
    } catch (e) {
      await client.query('rollback').catch(() => {});
      for (const w of written) await rm(w, { force: true });
      throw e;
    } finally {
      client.release();
    }
    const applied = await migrate(db);
    // The restored trail says so: a restore of an older backup makes later events vanish, and the
    // next reader of the trail (and of the ledger, where its head is anchored) must be able to see why.
    await db.transaction().execute((trx) =>
      recordAudit(trx, {
        actorUserId: null,
        action: 'backup_restored',
        detail: { file: path.basename(file), backupOf: totals.createdAt, tables: totals.tables, rows: totals.rows },
      }),
    );
    isDone = true;
    return { ...totals, applied };
  } finally {
    await db.destroy();
    await embedded?.stop();
    if (!isDone && embedded) await removeCreated(target.dataDir, hadFolder);
  }
}

/** After a failed restore onto the embedded database, removes what the restore created. */
async function removeCreated(dataDir: string, before: string[] | null): Promise<void> {
  if (before === null) return rm(dataDir, { recursive: true, force: true });
  for (const name of await readdir(dataDir))
    if (!before.includes(name)) await rm(path.join(dataDir, name), { recursive: true, force: true });
}
