// The Fastify app in process on a fresh database, with cheap key derivation, plus small factories.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { loadConfig, type Config } from '../../src/config/load.ts';
import type { KdfParams } from '../../src/crypto/kdf.ts';
import { addAgency } from '../../src/agencies/add-agency.ts';
import { loadSecrets } from '../../src/crypto/secrets.ts';
import type { Db } from '../../src/db/connection.ts';
import { createLoginLimits } from '../../src/intake/login-throttle.ts';
import { createFilingGate } from '../../src/intake/filing-cost.ts';
import { createHash } from 'node:crypto';
import { addStaffUser } from '../../src/staff/add-user.ts';
import { resolveStaffSession, staffLogin, type StaffActor } from '../../src/staff/session.ts';
import { recoveryHash } from '../../src/staff/totp.ts';
import { sealTo } from '../../src/crypto/sealed-box.ts';
import type { StaffRole } from '../../src/db/schema.ts';
import { buildApp } from '../../src/web/app.ts';
import { initLedger } from '../../src/ledger/keys.ts';
import type { SigningKey } from '../../src/ledger/note.ts';
import { runSequencer } from '../../src/ledger/sequencer.ts';
import type { WebDeps } from '../../src/web/deps.ts';
import { createTestDatabase } from './db.ts';

/** Argon2id at its cheapest: tests exercise the logic, `npm run bench` measures the real cost. */
export const CHEAP_KDF: KdfParams = { memoryKiB: 64, iterations: 1, parallelism: 1 };
export const PASSWORD = 'correct horse battery staple';

/**
 * Login limits no ordinary test reaches (the old throttle let 150 failures pass freely too); tests
 * of the limits themselves pass `SUJARIT_LIMIT_*` to createTestApp or build their own.
 */
const GENEROUS_LIMIT_ENV = Object.fromEntries(
  ['RECEIPT', 'TRACKING', 'STAFF', 'STAFF_ACCOUNT'].flatMap((s) => [
    [`SUJARIT_LIMIT_${s}_PER_MIN`, '60000'],
    [`SUJARIT_LIMIT_${s}_BURST`, '10000'],
  ]),
);
const GENEROUS = { perMinute: 60_000, burst: 10_000 };
export const TEST_LIMITS = createLoginLimits({
  receipt: GENEROUS,
  tracking: GENEROUS,
  staff: GENEROUS,
  staffAccount: GENEROUS,
});

/** `sequence()` runs the ledger's sequencer once (the server's timer does it every second). */
export type TestApp = {
  app: FastifyInstance;
  db: Db;
  url: string;
  deps: WebDeps;
  config: Config;
  dataDir: string;
  ledgerKey: SigningKey;
  sequence: () => Promise<void>;
  close: () => Promise<void>;
};

/** `logStream` receives the server log (pass `SUJARIT_LOG_LEVEL` in `env` too: tests run silent by default). */
export async function createTestApp(
  env: Record<string, string> = {},
  opts: { logStream?: { write: (line: string) => void } } = {},
): Promise<TestApp> {
  const t = await createTestDatabase();
  const dataDir = await mkdtemp(path.join(tmpdir(), 'sujarit-test-data-'));
  const config = loadConfig(
    {
      SUJARIT_DATA: dataDir,
      SUJARIT_ALLOW_WEAK_KDF: '1',
      SUJARIT_KDF_MEMORY_KIB: '64',
      SUJARIT_KDF_ITERATIONS: '1',
      SUJARIT_LOG_LEVEL: 'silent',
      ...GENEROUS_LIMIT_ENV,
      ...env,
    },
    [],
  );
  const ledgerKey = await initLedger({ db: t.db, config });
  const secrets = await loadSecrets(dataDir);
  // The load is measured afresh on every request, so a test sees the filings it just made.
  const filingGate = createFilingGate({ db: t.db, cookieKey: secrets.cookieKey, params: config.filing, cacheMs: 0 });
  const deps: WebDeps = {
    config,
    db: t.db,
    secrets,
    limits: createLoginLimits(config.loginLimits),
    filingGate,
    ledgerVkey: () => ledgerKey.vkey,
  };
  const app = await buildApp(deps, opts);
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
  await addAgency({
    db,
    agency: { code, nameTh: `หน่วยงาน ${code}`, nameEn: `Agency ${code}`, isIntakeOffice: opts.isIntakeOffice },
  });
}

/** The TOTP secret of every seeded staff member (tests that check TOTP itself compute codes from it). */
export const TOTP_SECRET = Buffer.from('sujarit-test-totp-secret-20b').subarray(0, 20);
const RECOVERY_PER_USER = 300;
const recoveryUsed = new Map<string, number>();

/**
 * A second-factor code for a seeded user. TOTP refuses a code's reuse, so logging one user in many
 * times a minute uses their seeded recovery codes (each once); tests of TOTP itself use `totpCode`.
 */
export function loginCode(email: string): string {
  const n = (recoveryUsed.get(email) ?? 0) + 1;
  if (n > RECOVERY_PER_USER) throw new Error(`seeded recovery codes of ${email} used up`);
  recoveryUsed.set(email, n);
  return recoveryCodeOf(email, n);
}

function recoveryCodeOf(email: string, n: number): string {
  const digits = createHash('sha256')
    .update(`${email}/${n}`)
    .digest()
    .readBigUInt64BE()
    .toString()
    .padStart(16, '0')
    .slice(-16);
  return digits.replace(/(\d{4})(?=\d)/g, '$1-');
}

/** A staff member with roles, their second factor enrolled (TOTP_SECRET and recovery codes for `loginCode`). */
export async function seedStaff(
  db: Db,
  agencyCode: string | null,
  email: string,
  roles: StaffRole[] = ['intake_officer'],
  opts: { displayName?: string; kdf?: KdfParams; enrol?: boolean } = {},
): Promise<{ id: number }> {
  const user = await addStaffUser({
    db,
    kdf: opts.kdf ?? CHEAP_KDF,
    agencyCode,
    email,
    roles,
    password: PASSWORD,
    displayName: opts.displayName ?? '',
  });
  if (opts.enrol !== false) {
    const row = await db
      .selectFrom('staff_user')
      .select(['public_key', 'email'])
      .where('id', '=', user.id)
      .executeTakeFirstOrThrow();
    const hashes = Array.from({ length: RECOVERY_PER_USER }, (_, i) => recoveryHash(recoveryCodeOf(row.email, i + 1)));
    await db
      .updateTable('staff_user')
      .set({ totp_sealed: sealTo(row.public_key!, TOTP_SECRET), recovery_hashes: hashes })
      .where('id', '=', user.id)
      .execute();
  }
  return user;
}

/** The first workflow's recipient: an intake officer who is also the identity custodian. */
export async function seedRecipient(
  db: Db,
  agencyCode: string,
  email: string,
  kdf: KdfParams = CHEAP_KDF,
): Promise<{ id: number }> {
  return seedStaff(db, agencyCode, email, ['intake_officer', 'identity_custodian'], { kdf });
}

/** A seeded staff member signed in with their password and a second-factor code, as the domain sees them. */
export async function signedInActor(db: Db, email: string): Promise<StaffActor> {
  const { token } = await staffLogin({
    db,
    kdf: CHEAP_KDF,
    limits: TEST_LIMITS,
    email,
    password: PASSWORD,
    code: loginCode(email),
  });
  const actor = await resolveStaffSession({ db, token });
  if (!actor) throw new Error(`${email} could not sign in`);
  return actor;
}
