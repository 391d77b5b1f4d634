// A logical dump of a PostgreSQL server, as an attacker with a database copy would make one: the
// real pg_dump when it is new enough for the server, otherwise the data of every table of every
// non-system schema of every database through `COPY (SELECT * FROM t) TO STDOUT`, which is what
// pg_dump itself runs for table data.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import pg from 'pg';
import { withDatabase } from './db.ts';

const run = promisify(execFile);

export type Dump = {
  method: 'pg_dump' | 'copy';
  data: Buffer;
  databases: string[];
  tables: number;
  serverMajor: number;
  pgDumpMajor: number | null;
};

/** A COPY … TO STDOUT run through pg's Submittable interface; resolves with the raw COPY text. */
class CopyOut {
  text: string;
  chunks: Buffer[] = [];
  error: Error | null = null;
  done: Promise<Buffer>;
  resolve: (b: Buffer) => void = () => {};
  reject: (e: Error) => void = () => {};
  constructor(text: string) {
    this.text = text;
    this.done = new Promise<Buffer>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }
  submit(connection: { query: (text: string) => void }): void {
    connection.query(this.text);
  }
  handleCopyData(msg: { chunk: Buffer }): void {
    this.chunks.push(Buffer.from(msg.chunk));
  }
  handleError(err: Error): void {
    this.error = err;
    this.reject(err);
  }
  handleReadyForQuery(): void {
    if (!this.error) this.resolve(Buffer.concat(this.chunks));
  }
  handleCommandComplete(): void {}
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
  handleCopyInResponse(): void {}
}

function quoteIdent(s: string): string {
  return `"${s.replace(/"/g, '""')}"`;
}

async function copyOut(client: pg.Client, sqlText: string): Promise<Buffer> {
  const q = new CopyOut(sqlText);
  client.query(q as unknown as pg.QueryConfig);
  return q.done;
}

async function pgDumpMajor(): Promise<number | null> {
  try {
    const { stdout } = await run('pg_dump', ['--version']);
    const m = /(\d+)(?:\.\d+)?/.exec(stdout);
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/**
 * A database dropped while the dump runs (another test file's, at its end): gone before the
 * connection (3D000), or its connection ended by DROP DATABASE ... WITH (FORCE) (57P01).
 */
function isDropped(e: unknown): boolean {
  const code = (e as { code?: unknown }).code;
  const stderr = String((e as { stderr?: unknown }).stderr ?? '');
  return (
    code === '3D000' || code === '57P01' || /does not exist|terminating connection due to administrator/.test(stderr)
  );
}

/**
 * Dumps every database of the server at `url` (a superuser connection), as pg_dumpall would: a
 * database dropped while the dump runs is left out (and out of `databases`), since the test files
 * running beside this one create and drop their own.
 */
export async function logicalDump(url: string): Promise<Dump> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  let databases: string[];
  let serverMajor: number;
  try {
    serverMajor = Math.floor(
      (await admin.query<{ v: number }>(`select current_setting('server_version_num')::int as v`)).rows[0].v / 10000,
    );
    databases = (
      await admin.query<{ datname: string }>('select datname from pg_database where datallowconn order by datname')
    ).rows.map((r) => r.datname);
  } finally {
    await admin.end();
  }
  const dumpMajor = await pgDumpMajor();
  const parts: Buffer[] = [];
  let tables = 0;
  if (dumpMajor !== null && dumpMajor >= serverMajor) {
    const dumped: string[] = [];
    for (const name of databases) {
      try {
        const { stdout } = await run('pg_dump', ['--no-password', '--dbname', withDatabase(url, name)], {
          encoding: 'buffer',
          maxBuffer: 1 << 30,
        });
        parts.push(Buffer.from(`-- database ${name}\n`), stdout);
        dumped.push(name);
      } catch (e) {
        if (!isDropped(e)) throw e;
      }
    }
    const data = Buffer.concat(parts);
    return { method: 'pg_dump', data, databases: dumped, tables, serverMajor, pgDumpMajor: dumpMajor };
  }
  const dumped: string[] = [];
  for (const name of databases) {
    const client = new pg.Client({ connectionString: withDatabase(url, name) });
    client.on('error', () => undefined); // a connection ended by DROP DATABASE: the query says so
    const start = parts.length;
    let dbTables = 0;
    try {
      await client.connect();
      await client.query('begin isolation level repeatable read read only');
      const rels = (
        await client.query<{ schema: string; name: string }>(`
        select n.nspname as schema, c.relname as name
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where c.relkind in ('r', 'p', 'm')
          and n.nspname not in ('pg_catalog', 'information_schema')
          and n.nspname not like 'pg\\_toast%' and n.nspname not like 'pg\\_temp%'
        order by 1, 2`)
      ).rows;
      for (const r of rels) {
        const qualified = `${quoteIdent(r.schema)}.${quoteIdent(r.name)}`;
        parts.push(
          Buffer.from(`\n-- ${name} ${qualified}\n`),
          await copyOut(client, `copy (select * from ${qualified}) to stdout`),
        );
        dbTables++;
      }
      // pg_dump also dumps large objects, which live in the catalog.
      parts.push(
        Buffer.from(`\n-- ${name} pg_largeobject\n`),
        await copyOut(client, 'copy (select * from pg_catalog.pg_largeobject) to stdout'),
      );
      await client.query('commit');
      dumped.push(name);
      tables += dbTables;
    } catch (e) {
      if (!isDropped(e)) throw e;
      parts.length = start;
    } finally {
      await client.end().catch(() => undefined);
    }
  }
  return { method: 'copy', data: Buffer.concat(parts), databases: dumped, tables, serverMajor, pgDumpMajor: dumpMajor };
}
