// The Fastify app in process on a fresh database, with cheap key derivation, plus small factories.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { loadConfig, type Config, type KdfParams } from '../../src/config/load.ts';
import { addAgency } from '../../src/agencies/add-agency.ts';
import { loadSecrets } from '../../src/crypto/secrets.ts';
import type { Db } from '../../src/db/connection.ts';
import { createLoginThrottle } from '../../src/intake/login-throttle.ts';
import { addStaffUser } from '../../src/staff/add-user.ts';
import { buildApp } from '../../src/web/app.ts';
import { initLedger } from '../../src/ledger/keys.ts';
import type { SigningKey } from '../../src/ledger/note.ts';
import { runSequencer } from '../../src/ledger/sequencer.ts';
import type { WebDeps } from '../../src/web/deps.ts';
import { createTestDatabase } from './db.ts';

/** Argon2id at its cheapest: tests exercise the logic, `npm run bench` measures the real cost. */
export const CHEAP_KDF: KdfParams = { memoryKiB: 64, iterations: 1, parallelism: 1 };
export const PASSWORD = 'correct horse battery staple';

/** `sequence()` runs the ledger's sequencer once (the server's timer does it every second). */
export type TestApp = { app: FastifyInstance; db: Db; url: string; deps: WebDeps; config: Config; dataDir: string; ledgerKey: SigningKey; sequence: () => Promise<void>; close: () => Promise<void> };

export async function createTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const t = await createTestDatabase();
  const dataDir = await mkdtemp(path.join(tmpdir(), 'sujarit-test-data-'));
  const config = loadConfig({ SUJARIT_DATA: dataDir, SUJARIT_ALLOW_WEAK_KDF: '1', SUJARIT_KDF_MEMORY_KIB: '64', SUJARIT_KDF_ITERATIONS: '1', SUJARIT_LOG_LEVEL: 'silent', ...env }, []);
  const ledgerKey = await initLedger({ db: t.db, config });
  const deps: WebDeps = { config, db: t.db, secrets: await loadSecrets(dataDir), receiptThrottle: createLoginThrottle(), staffThrottle: createLoginThrottle(), ledgerVkey: () => ledgerKey.vkey };
  const app = await buildApp(deps);
  await app.ready();
  return {
    app,
    db: t.db,
    url: t.url,
    deps,
    config,
    dataDir,
    ledgerKey,
    sequence: async () => {
      await runSequencer({ db: t.db, key: ledgerKey });
    },
    close: async () => {
      await app.close();
      await t.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export async function seedAgency(db: Db, code: string, opts: { isIntakeOffice?: boolean } = {}): Promise<void> {
  await addAgency({ db, agency: { code, nameTh: `หน่วยงาน ${code}`, nameEn: `Agency ${code}`, isIntakeOffice: opts.isIntakeOffice } });
}

export async function seedRecipient(db: Db, agencyCode: string, email: string, kdf: KdfParams = CHEAP_KDF): Promise<{ id: number }> {
  return addStaffUser({ db, kdf, agencyCode, email, role: 'recipient', password: PASSWORD });
}
