import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { sql } from 'kysely';
import type { Db } from './connection.ts';
import { MIGRATION_LOCK } from './locks.ts';

const MIGRATIONS = path.join(import.meta.dirname, 'migrations');

/** The migration files this version knows, in the order they apply. */
export async function migrationFiles(): Promise<string[]> {
  return (await readdir(MIGRATIONS)).filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f)).sort();
}

/** The SQL text of one migration file (a name from migrationFiles). */
export function migrationSql(file: string): Promise<string> {
  return readFile(path.join(MIGRATIONS, file), 'utf8');
}

/** Why a database with migrations this code lacks is refused: it was made by a newer version. */
function newerDatabaseMessage(unknown: string[]): string {
  return `The database is newer than this version of Sujarit: it has migration${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}, which this version does not know (a downgrade). Nothing was changed. Install the version that made it again, or restore a backup taken before the upgrade.`;
}

/**
 * Applies the SQL files of src/db/migrations in name order, each once, each in its own transaction,
 * under an advisory lock so that two servers starting together do not race. Refuses, changing
 * nothing, a database that records a migration this code does not have (a downgrade).
 * `through`: stop after this migration (tests build earlier schemas with it).
 */
export async function migrate(db: Db, opts: { through?: string } = {}): Promise<string[]> {
  const known = await migrationFiles();
  const files = opts.through === undefined ? known : known.filter((f) => f <= (opts.through as string));
  const applied: string[] = [];
  await db.connection().execute(async (conn) => {
    await sql`select pg_advisory_lock(${MIGRATION_LOCK})`.execute(conn);
    try {
      await sql`create table if not exists schema_migration (name text primary key, applied_at timestamptz not null default now())`.execute(
        conn,
      );
      const done = new Set(
        (await sql<{ name: string }>`select name from schema_migration`.execute(conn)).rows.map((r) => r.name),
      );
      const unknown = [...done].filter((name) => !known.includes(name)).sort();
      if (unknown.length > 0) throw new Error(newerDatabaseMessage(unknown));
      for (const file of files) {
        if (done.has(file)) continue;
        const text = await migrationSql(file);
        await conn.transaction().execute(async (trx) => {
          await sql.raw(text).execute(trx);
          await sql`insert into schema_migration (name) values (${file})`.execute(trx);
        });
        applied.push(file);
      }
    } finally {
      await sql`select pg_advisory_unlock(${MIGRATION_LOCK})`.execute(conn);
    }
  });
  return applied;
}
