// A fresh database per test file, with the real migrations, in the run's PostgreSQL.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { connect, type Db } from '../../src/db/connection.ts';
import type { Database } from '../../src/db/schema.ts';
import { migrate } from '../../src/db/migrate.ts';

export type TestDatabase = { db: Db; url: string; drop: () => Promise<void> };

function serverUrl(): string {
  const url = process.env.SUJARIT_TEST_DATABASE_URL;
  if (!url)
    throw new Error('SUJARIT_TEST_DATABASE_URL is unset: run tests with npm test (global setup starts PostgreSQL)');
  return url;
}

export function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** `through`: migrate only up to this migration (an earlier schema, for upgrade tests). */
export async function createTestDatabase(poolSize = 10, opts: { through?: string } = {}): Promise<TestDatabase> {
  const name = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl() });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = withDatabase(serverUrl(), name);
  const db = connect(url, poolSize);
  await migrate(db, opts);
  return {
    db,
    url,
    drop: async () => {
      await db.destroy();
      const a = new pg.Client({ connectionString: serverUrl() });
      await a.connect();
      await a.query(`drop database if exists ${name} with (force)`);
      await a.end();
    },
  };
}

/** The number of rows of `table` (a test's before-and-after count). */
export async function rowCount(db: Db, table: keyof Database): Promise<number> {
  const { n } = await db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(n);
}
