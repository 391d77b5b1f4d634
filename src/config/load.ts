// The only reader of process.env. Every key is documented here and in docs/configuration.md.
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parseRecoveryPublicKey } from '../crypto/backup-seal.ts';
import type { KdfParams } from '../crypto/kdf.ts';
import { parseWitnessList, type WitnessConfig } from '../ledger/witness-client.ts';

/** A login limit: at most `burst` wrong guesses at once, refilled at `perMinute`. */
export type RateLimit = Readonly<{ perMinute: number; burst: number }>;
export type LoginLimitConfig = Readonly<{
  receipt: RateLimit;
  tracking: RateLimit;
  staff: RateLimit;
  staffAccount: RateLimit;
}>;

/**
 * One derivation ≈ 50 ms of a core: all four scopes flooded at once cost at most
 * (600 + 300 + 120) / 60 = 17 derivations/s ≈ 0.85 of one core, so a 2-core server keeps more
 * than a core for honest work (arithmetic in docs/security.md).
 */
export const DEFAULT_LOGIN_LIMITS: LoginLimitConfig = Object.freeze({
  receipt: Object.freeze({ perMinute: 600, burst: 20 }),
  tracking: Object.freeze({ perMinute: 300, burst: 10 }),
  staff: Object.freeze({ perMinute: 120, burst: 10 }),
  staffAccount: Object.freeze({ perMinute: 1, burst: 5 }),
});

export type Config = Readonly<{
  /** PORT: TCP port of the HTTP server (default 8080). */
  port: number;
  /** HOST: interface to listen on (default 127.0.0.1). */
  host: string;
  /** SUJARIT_DATA: folder for the embedded database, secrets and keys (default ./data). */
  dataDir: string;
  /** DATABASE_URL: an external PostgreSQL; when unset the embedded one in dataDir is used. */
  databaseUrl: string | undefined;
  /** SUJARIT_KDF_MEMORY_KIB / _ITERATIONS / _PARALLELISM: Argon2id cost for receipts and passwords. */
  kdf: Readonly<KdfParams>;
  /** SUJARIT_MAX_FILE_MB: largest attachment accepted (default 25). */
  maxFileBytes: number;
  /** SUJARIT_MAX_REPORT_MB: all attachments of one submission together (default 100). */
  maxReportBytes: number;
  /** SUJARIT_DB_POOL: PostgreSQL connections (default 16). */
  dbPoolSize: number;
  /**
   * SUJARIT_LIMIT_<SCOPE>_PER_MIN / _BURST: wrong guesses allowed platform-wide, per scope:
   * RECEIPT (600/min, burst 20), TRACKING (300/min, 10), STAFF (unknown emails together, 120/min,
   * 10) and STAFF_ACCOUNT (each account or email, 1/min, 5). See docs/security.md for the arithmetic.
   */
  loginLimits: LoginLimitConfig;
  /**
   * SUJARIT_SECURE_COOKIES=1: mark cookies Secure and send HSTS. Implied when SUJARIT_PUBLIC_URL is
   * https (served over HTTPS, as in production); 1 for HTTPS under another public address.
   */
  isSecureCookies: boolean;
  /** SUJARIT_LOG_LEVEL: fatal, error, warn, info, debug (default info). Reporter routes never log requests. */
  logLevel: string;
  /** SUJARIT_PUBLIC_URL: where the public reaches the platform (default http://<HOST>:<PORT>); the ledger's prefix is <it>/log. */
  publicUrl: string;
  /**
   * True when SUJARIT_PUBLIC_URL is unset and the default names a loopback or wildcard address
   * (127.0.0.1, localhost, ::1, 0.0.0.0, ::): no one outside could reach it, and the ledger must not
   * be named from it without asking (start.ts).
   */
  isPublicUrlGuessed: boolean;
  /**
   * SUJARIT_ONION_URL: the platform's Tor v3 onion address, http://<56 characters>.onion (default
   * unset). Staff pages are refused on it, and clearnet reporter pages name it in Onion-Location.
   */
  onionUrl: string | null;
  /** SUJARIT_LEDGER_KEY: the ledger's Ed25519 private key file (default <data>/ledger-key.pem, mode 0600). */
  ledgerKeyFile: string;
  /** SUJARIT_LEDGER_BATCH_MS / _ENTRIES: integrate every this many ms or entries (default 1000, 256). */
  ledgerBatchMs: number;
  ledgerBatchEntries: number;
  /**
   * SUJARIT_LEDGER_WITNESSES: C2SP tlog-witnesses asked to cosign every checkpoint, entries
   * "<witness vkey> <base URL>" separated by newlines or commas (default none: no cosigning).
   */
  ledgerWitnesses: readonly WitnessConfig[];
  /**
   * SUJARIT_SMTP_URL: smtp:// or smtps:// URL of the mail server, credentials included (default
   * unset: no mail is sent, so no deadline notices).
   */
  smtpUrl: string | undefined;
  /** SUJARIT_MAIL_FROM: the sender address of the platform's mail (default sujarit@localhost). */
  mailFrom: string;
  /**
   * LINE_CHANNEL_SECRET and LINE_CHANNEL_ACCESS_TOKEN: the LINE Official Account's Messaging API
   * channel (both or neither; without them the LINE channel is off and its webhook answers 404).
   * LINE_API_BASE: LINE's API base URL, for tests and proxies (default LINE's own hosts).
   */
  line: Readonly<LineConfig> | null;
  /** The cost of anonymous filing under load (src/intake/filing-cost.ts); see FilingCostParams. */
  filing: Readonly<FilingCostParams>;
  /**
   * SUJARIT_OPERATOR_NAME_TH, SUJARIT_OPERATOR_NAME_EN and SUJARIT_OPERATOR_CONTACT: who runs the
   * platform, named on the privacy notice (/privacy) as the data controller, and how to reach them
   * (all three or none; default none: the notice says the operator has not configured them yet).
   */
  operator: Readonly<OperatorConfig> | null;
  /** Backups: the recovery public key and the schedule (see BackupConfig). */
  backup: Readonly<BackupConfig>;
  /**
   * SUJARIT_WORKERS: server processes sharing PORT (node:cluster; default 1: no cluster). The first
   * process starts the embedded PostgreSQL and migrates once, then forks the workers (docs/scaling.md).
   */
  workers: number;
  /**
   * SUJARIT_METRICS_PORT / SUJARIT_METRICS_HOST: a separate listener serving /metrics (Prometheus
   * text) on HOST:PORT (host default 127.0.0.1; default unset: no listener).
   */
  metrics: Readonly<{ port: number; host: string }> | null;
  /** SUJARIT_OPENDATA_LICENCE: the open licence of the published datasets (/data), one of OPEN_LICENCES (default CC-BY-4.0). */
  openDataLicence: OpenLicence;
}>;

/** The open licences a deployment may publish its datasets under (SPDX identifiers), with their deeds. */
export const OPEN_LICENCES = {
  'CC-BY-4.0': { title: 'Creative Commons Attribution 4.0', url: 'https://creativecommons.org/licenses/by/4.0/' },
  'CC0-1.0': { title: 'Creative Commons Zero 1.0', url: 'https://creativecommons.org/publicdomain/zero/1.0/' },
  'CC-BY-SA-4.0': {
    title: 'Creative Commons Attribution-ShareAlike 4.0',
    url: 'https://creativecommons.org/licenses/by-sa/4.0/',
  },
  'ODC-By-1.0': { title: 'Open Data Commons Attribution 1.0', url: 'https://opendatacommons.org/licenses/by/1-0/' },
  'ODbL-1.0': {
    title: 'Open Data Commons Open Database License 1.0',
    url: 'https://opendatacommons.org/licenses/odbl/1-0/',
  },
} as const;
export type OpenLicence = keyof typeof OPEN_LICENCES;

/**
 * SUJARIT_BACKUP_PUBLIC_KEY: the recovery public key backups are encrypted to (`sujarit
 * recovery-key` prints it; default unset: no backup can be made). SUJARIT_BACKUP_DIR: the folder
 * scheduled backups are written to (default unset: none scheduled), every SUJARIT_BACKUP_HOURS
 * (default 24), keeping the newest SUJARIT_BACKUP_KEEP (default 7).
 */
export type BackupConfig = { publicKey: Buffer | null; dir: string | null; hours: number; keep: number };

/** The platform's operator as the privacy notice names it: plain text, one line each (contact: up to 4 lines). */
export type OperatorConfig = { nameTh: string; nameEn: string; contact: string };

/** Longest operator name and contact accepted (characters). */
export const OPERATOR_LIMITS = { name: 200, contact: 500 } as const;

/**
 * SUJARIT_FILING_THRESHOLD: filings platform-wide in the current and the previous minute above which
 * the web and API forms cost something (default 120, 0 = always). SUJARIT_FILING_WAIT_S: the age a
 * form's ticket must reach at the first load level (default 60), doubling at each further multiple
 * of the threshold up to SUJARIT_FILING_MAX_WAIT_S (default 900). SUJARIT_FILING_POW_BITS: the
 * proof of work that replaces the wait at the first level (default 20 bits, +1 a level, at most 30).
 */
export type FilingCostParams = { threshold: number; waitSeconds: number; maxWaitSeconds: number; powBits: number };

export type LineConfig = {
  channelSecret: string;
  accessToken: string;
  apiBase: string | undefined;
  /**
   * SUJARIT_LINE_LESSON_HOUR: the hour (0–23, Thailand time) from which linked staff are pushed the
   * lesson of the day, once a day; null (the default, unset) pushes nothing: the lesson comes when asked.
   */
  lessonHour: number | null;
};

/** Minimum Argon2id cost the issue and OWASP set for production (m=19 MiB, t=2, p=1). */
export const MIN_KDF: KdfParams = { memoryKiB: 19456, iterations: 2, parallelism: 1 };

type Env = Record<string, string | undefined>;

/**
 * Reads configuration once from the environment and command-line flags (`--port`, `--host`,
 * `--data`), validates every key and throws one error that lists every violation.
 * MUST be called only at start; the result is frozen.
 */
export function loadConfig(env: Env = process.env, argv: string[] = process.argv.slice(2)): Config {
  const { values: flags } = parseArgs({
    args: argv,
    options: { port: { type: 'string' }, host: { type: 'string' }, data: { type: 'string' } },
    strict: false,
    allowPositionals: true,
  });
  const problems: string[] = [];
  const int = (name: string, raw: string | boolean | undefined, fallback: number, min: number, max: number): number => {
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
      return fallback;
    }
    return n;
  };
  const port = int('PORT', flags.port ?? env.PORT, 8080, 0, 65535);
  const host = String(flags.host ?? env.HOST ?? '127.0.0.1');
  const dataDir = path.resolve(String(flags.data ?? env.SUJARIT_DATA ?? './data'));
  const databaseUrl = env.DATABASE_URL || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl))
    problems.push('DATABASE_URL must start with postgres:// or postgresql://');
  // Tests and the benchmark seed pass cheaper costs explicitly; the server refuses them.
  const allowWeakKdf = env.SUJARIT_ALLOW_WEAK_KDF === '1';
  const kdf = {
    memoryKiB: int(
      'SUJARIT_KDF_MEMORY_KIB',
      env.SUJARIT_KDF_MEMORY_KIB,
      MIN_KDF.memoryKiB,
      allowWeakKdf ? 8 : MIN_KDF.memoryKiB,
      4 * 1024 * 1024,
    ),
    iterations: int('SUJARIT_KDF_ITERATIONS', env.SUJARIT_KDF_ITERATIONS, MIN_KDF.iterations, 1, 64),
    parallelism: int('SUJARIT_KDF_PARALLELISM', env.SUJARIT_KDF_PARALLELISM, MIN_KDF.parallelism, 1, 16),
  };
  if (!allowWeakKdf && kdf.iterations < MIN_KDF.iterations)
    problems.push(`SUJARIT_KDF_ITERATIONS must be at least ${MIN_KDF.iterations}`);
  const maxFileMb = int('SUJARIT_MAX_FILE_MB', env.SUJARIT_MAX_FILE_MB, 25, 1, 1024);
  const maxReportMb = int('SUJARIT_MAX_REPORT_MB', env.SUJARIT_MAX_REPORT_MB, 100, 1, 4096);
  if (maxReportMb < maxFileMb) problems.push('SUJARIT_MAX_REPORT_MB must be at least SUJARIT_MAX_FILE_MB');
  const dbPoolSize = int('SUJARIT_DB_POOL', env.SUJARIT_DB_POOL, 16, 1, 200);
  const limit = (scope: string, { perMinute, burst }: RateLimit): RateLimit =>
    Object.freeze({
      perMinute: int(`SUJARIT_LIMIT_${scope}_PER_MIN`, env[`SUJARIT_LIMIT_${scope}_PER_MIN`], perMinute, 1, 60_000),
      burst: int(`SUJARIT_LIMIT_${scope}_BURST`, env[`SUJARIT_LIMIT_${scope}_BURST`], burst, 1, 10_000),
    });
  const d = DEFAULT_LOGIN_LIMITS;
  const loginLimits = Object.freeze({
    receipt: limit('RECEIPT', d.receipt),
    tracking: limit('TRACKING', d.tracking),
    staff: limit('STAFF', d.staff),
    staffAccount: limit('STAFF_ACCOUNT', d.staffAccount),
  });
  const logLevel = env.SUJARIT_LOG_LEVEL ?? 'info';
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'silent'].includes(logLevel))
    problems.push('SUJARIT_LOG_LEVEL must be fatal, error, warn, info, debug or silent');
  const publicUrl = (env.SUJARIT_PUBLIC_URL || `http://${isIP(host) === 6 ? `[${host}]` : host}:${port}`).replace(
    /\/+$/,
    '',
  );
  const publicUrlProblem = problemOfPublicUrl(publicUrl);
  if (publicUrlProblem) problems.push(publicUrlProblem);
  const isPublicUrlGuessed = !env.SUJARIT_PUBLIC_URL && isLocalHost(host);
  const onionUrl = env.SUJARIT_ONION_URL ? env.SUJARIT_ONION_URL.replace(/\/+$/, '') : null;
  if (onionUrl && !isOnionV3Url(onionUrl))
    problems.push(
      'SUJARIT_ONION_URL must be a Tor v3 onion address: http://<56 characters>.onion (the hostname file of the onion service)',
    );
  const ledgerKeyFile = path.resolve(env.SUJARIT_LEDGER_KEY ?? path.join(dataDir, 'ledger-key.pem'));
  const ledgerBatchMs = int('SUJARIT_LEDGER_BATCH_MS', env.SUJARIT_LEDGER_BATCH_MS, 1000, 10, 60_000);
  const ledgerBatchEntries = int('SUJARIT_LEDGER_BATCH_ENTRIES', env.SUJARIT_LEDGER_BATCH_ENTRIES, 256, 1, 65_536);
  let ledgerWitnesses: WitnessConfig[] = [];
  try {
    ledgerWitnesses = parseWitnessList(env.SUJARIT_LEDGER_WITNESSES ?? '');
  } catch (e) {
    problems.push(`SUJARIT_LEDGER_WITNESSES: ${(e as Error).message}`);
  }
  const smtpUrl = env.SUJARIT_SMTP_URL || undefined;
  // The URL carries the mail server's password: a problem names the variable, never echoes it.
  if (smtpUrl && !(URL.canParse(smtpUrl) && /^smtps?:\/\/\S+$/.test(smtpUrl)))
    problems.push('SUJARIT_SMTP_URL must be an smtp:// or smtps:// URL');
  const mailFrom = env.SUJARIT_MAIL_FROM || 'sujarit@localhost';
  if (!/^[^\s@<>",]+@[^\s@<>",]+$/.test(mailFrom)) problems.push('SUJARIT_MAIL_FROM must be a plain email address');
  const lineSecret = env.LINE_CHANNEL_SECRET || undefined;
  const lineToken = env.LINE_CHANNEL_ACCESS_TOKEN || undefined;
  const lineApiBase = env.LINE_API_BASE ? env.LINE_API_BASE.replace(/\/+$/, '') : undefined;
  // Secrets are named, never echoed.
  if (Boolean(lineSecret) !== Boolean(lineToken))
    problems.push('LINE_CHANNEL_SECRET and LINE_CHANNEL_ACCESS_TOKEN must be set together');
  if (lineSecret && !/^[0-9a-f]{32}$/i.test(lineSecret))
    problems.push('LINE_CHANNEL_SECRET must be the 32 hexadecimal digits LINE shows for the channel');
  // The SDK resolves its paths against the origin: a path in the base would be silently dropped.
  if (
    lineApiBase &&
    !(URL.canParse(lineApiBase) && /^https?:\/\/\S+$/.test(lineApiBase) && new URL(lineApiBase).pathname === '/')
  )
    problems.push('LINE_API_BASE must be an http(s) origin, without a path');
  const lessonHour =
    env.SUJARIT_LINE_LESSON_HOUR === undefined || env.SUJARIT_LINE_LESSON_HOUR === ''
      ? null
      : int('SUJARIT_LINE_LESSON_HOUR', env.SUJARIT_LINE_LESSON_HOUR, 0, 0, 23);
  const filing = {
    threshold: int('SUJARIT_FILING_THRESHOLD', env.SUJARIT_FILING_THRESHOLD, 120, 0, 1_000_000),
    waitSeconds: int('SUJARIT_FILING_WAIT_S', env.SUJARIT_FILING_WAIT_S, 60, 1, 3600),
    maxWaitSeconds: int('SUJARIT_FILING_MAX_WAIT_S', env.SUJARIT_FILING_MAX_WAIT_S, 900, 1, 6 * 3600),
    powBits: int('SUJARIT_FILING_POW_BITS', env.SUJARIT_FILING_POW_BITS, 20, 8, 30),
  };
  if (filing.maxWaitSeconds < filing.waitSeconds)
    problems.push('SUJARIT_FILING_MAX_WAIT_S must be at least SUJARIT_FILING_WAIT_S');
  const operator = operatorOf(env, problems);
  const backup = backupOf(env, int, problems);
  const workers = int('SUJARIT_WORKERS', env.SUJARIT_WORKERS, 1, 1, 64);
  const metricsPort = env.SUJARIT_METRICS_PORT
    ? int('SUJARIT_METRICS_PORT', env.SUJARIT_METRICS_PORT, 0, 0, 65535)
    : null;
  const metricsHost = env.SUJARIT_METRICS_HOST || '127.0.0.1';
  if (metricsPort !== null && metricsPort === port && metricsPort !== 0)
    problems.push('SUJARIT_METRICS_PORT must differ from PORT (metrics have a listener of their own)');
  const openDataLicence = (env.SUJARIT_OPENDATA_LICENCE ?? 'CC-BY-4.0') as OpenLicence;
  if (!(openDataLicence in OPEN_LICENCES))
    problems.push(`SUJARIT_OPENDATA_LICENCE must be one of ${Object.keys(OPEN_LICENCES).join(', ')}`);
  const secure = env.SUJARIT_SECURE_COOKIES ?? '0';
  if (!['0', '1'].includes(secure)) problems.push('SUJARIT_SECURE_COOKIES must be 0 or 1');
  if (problems.length > 0) {
    throw new Error(`Invalid configuration:\n- ${problems.join('\n- ')}`);
  }
  return Object.freeze({
    isSecureCookies: secure === '1' || publicUrl.startsWith('https://'),
    port,
    host,
    dataDir,
    databaseUrl,
    kdf: Object.freeze(kdf),
    maxFileBytes: maxFileMb * 1024 * 1024,
    maxReportBytes: maxReportMb * 1024 * 1024,
    dbPoolSize,
    loginLimits,
    logLevel,
    publicUrl,
    isPublicUrlGuessed,
    onionUrl,
    ledgerKeyFile,
    ledgerBatchMs,
    ledgerBatchEntries,
    ledgerWitnesses: Object.freeze(ledgerWitnesses.map((w) => Object.freeze(w))),
    smtpUrl,
    mailFrom,
    line:
      lineSecret && lineToken
        ? Object.freeze({ channelSecret: lineSecret, accessToken: lineToken, apiBase: lineApiBase, lessonHour })
        : null,
    filing: Object.freeze(filing),
    operator,
    backup,
    workers,
    metrics: metricsPort === null ? null : Object.freeze({ port: metricsPort, host: metricsHost }),
    openDataLicence,
  });
}

function backupOf(
  env: Env,
  int: (name: string, raw: string | undefined, fallback: number, min: number, max: number) => number,
  problems: string[],
): Readonly<BackupConfig> {
  let publicKey: Buffer | null = null;
  if (env.SUJARIT_BACKUP_PUBLIC_KEY) {
    try {
      publicKey = parseRecoveryPublicKey(env.SUJARIT_BACKUP_PUBLIC_KEY);
    } catch (e) {
      problems.push(`SUJARIT_BACKUP_PUBLIC_KEY: ${(e as Error).message}`);
    }
  }
  const dir = env.SUJARIT_BACKUP_DIR ? path.resolve(env.SUJARIT_BACKUP_DIR) : null;
  if (dir && !env.SUJARIT_BACKUP_PUBLIC_KEY)
    problems.push('SUJARIT_BACKUP_DIR needs SUJARIT_BACKUP_PUBLIC_KEY (make one with `sujarit recovery-key`)');
  return Object.freeze({
    publicKey,
    dir,
    hours: int('SUJARIT_BACKUP_HOURS', env.SUJARIT_BACKUP_HOURS, 24, 1, 24 * 31),
    keep: int('SUJARIT_BACKUP_KEEP', env.SUJARIT_BACKUP_KEEP, 7, 1, 1000),
  });
}

/** Why `url` cannot be the public URL, or null: an http(s) URL without spaces or + (the ledger's origin is made from it). */
export function problemOfPublicUrl(url: string): string | null {
  return /^https?:\/\/[^\s+/]+(\/[^\s+]*)?$/.test(url) && URL.canParse(url)
    ? null
    : 'SUJARIT_PUBLIC_URL must be an http(s) URL without spaces or +';
}

/** Loopback and wildcard addresses: a public URL made from them reaches nobody but this machine. */
function isLocalHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost') || h === '::' || h === '::1' || h === '0.0.0.0') return true;
  return isIP(h) === 4 && h.startsWith('127.');
}

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/**
 * A Tor v3 onion service URL: http://, then base32(public key ‖ checksum ‖ version 3), 56
 * characters, then .onion, where checksum = SHA3-256(".onion checksum" ‖ key ‖ version)[:2]
 * (Tor's rend-spec-v3, "Encoding onion addresses"). http only: the onion is its own encryption.
 */
export function isOnionV3Url(url: string): boolean {
  const m = /^http:\/\/([a-z2-7]{56})\.onion$/.exec(url);
  if (!m) return false;
  let bits = 0;
  let value = 0;
  const bytes: number[] = [];
  for (const ch of m[1]) {
    value = (value << 5) | BASE32.indexOf(ch);
    bits += 5;
    if (bits >= 8) {
      bytes.push((value >> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  const raw = Buffer.from(bytes);
  const [key, checksum, version] = [raw.subarray(0, 32), raw.subarray(32, 34), raw[34]];
  if (version !== 3) return false;
  const expected = createHash('sha3-256')
    .update(Buffer.concat([Buffer.from('.onion checksum'), key, Buffer.from([3])]))
    .digest()
    .subarray(0, 2);
  return expected.equals(checksum);
}

/**
 * The operator's name and contact, all three variables or none. Shown on a public page, so text
 * that reads differently than it looks (control and format characters) is refused; the contact may
 * hold line breaks (an address), at most four lines.
 */
function operatorOf(env: Env, problems: string[]): Readonly<OperatorConfig> | null {
  const raw = {
    nameTh: env.SUJARIT_OPERATOR_NAME_TH,
    nameEn: env.SUJARIT_OPERATOR_NAME_EN,
    contact: env.SUJARIT_OPERATOR_CONTACT,
  };
  const names = {
    nameTh: 'SUJARIT_OPERATOR_NAME_TH',
    nameEn: 'SUJARIT_OPERATOR_NAME_EN',
    contact: 'SUJARIT_OPERATOR_CONTACT',
  } as const;
  const given = (Object.keys(raw) as (keyof typeof raw)[]).filter((k) => (raw[k] ?? '').trim() !== '');
  if (given.length === 0) return null;
  if (given.length < 3) {
    problems.push(
      'SUJARIT_OPERATOR_NAME_TH, SUJARIT_OPERATOR_NAME_EN and SUJARIT_OPERATOR_CONTACT must be set together',
    );
    return null;
  }
  const clean = (k: keyof typeof raw, max: number, lines: number): string => {
    const v = (raw[k] ?? '').replace(/\r\n?/g, '\n').trim();
    if ([...v].length > max) problems.push(`${names[k]} must be at most ${max} characters`);
    if (/[\p{Cc}\p{Cf}\u2028\u2029]/u.test(v.replace(/\n/g, '')) || v.split('\n').length > lines)
      problems.push(`${names[k]} must be plain text${lines > 1 ? `, at most ${lines} lines` : ' on one line'}`);
    return v;
  };
  return Object.freeze({
    nameTh: clean('nameTh', OPERATOR_LIMITS.name, 1),
    nameEn: clean('nameEn', OPERATOR_LIMITS.name, 1),
    contact: clean('contact', OPERATOR_LIMITS.contact, 4),
  });
}
