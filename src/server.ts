// Starts the platform: configuration, database (embedded or DATABASE_URL), migrations, HTTP.
import { createFilingGate } from './intake/filing-cost.ts';
import type { FastifyInstance } from 'fastify';
import type { Config } from './config/load.ts';
import { loadSecrets } from './crypto/secrets.ts';
import { connect, type Db } from './db/connection.ts';
import { startEmbeddedDatabase } from './db/embedded.ts';
import { migrate } from './db/migrate.ts';
import { sweepOrphanBlobs } from './intake/attachments.ts';
import { releaseMonth } from './opendata/release.ts';
import { createLoginLimits, limitsOfWorker } from './intake/login-throttle.ts';
import { firstAdminLink } from './staff/add-user.ts';
import { buildApp } from './web/app.ts';
import { hasLedger } from './ledger/keys.ts';
import { startLedger } from './ledger/service.ts';
import { deadlineNotices } from './notify/deadline-notices.ts';
import { permitReminders } from './notify/permit-reminders.ts';
import { itaReminders } from './notify/ita-reminders.ts';
import { declarationReminders } from './notify/declaration-reminders.ts';
import { startMailJobs } from './notify/mail-jobs.ts';
import { startRetention } from './cases/retention.ts';
import { startLineWorker, type LineWorker } from './channels/line/worker.ts';
import { startBackupSchedule } from './backup/schedule.ts';
import { startMetricsListener, type MetricsListener } from './metrics/listener.ts';

/** `firstAdminUrl`: set when the platform has no administrator yet (print it once; it replaces any earlier one). */
export type Running = {
  app: FastifyInstance;
  db: Db;
  url: string;
  firstAdminUrl: string | null;
  /** The /metrics listener's URL when SUJARIT_METRICS_PORT is set (a single process; under workers the first process serves it). */
  metricsUrl: string | null;
  stop: () => Promise<void>;
};

/** Opens the database the configuration names, starting the embedded one when DATABASE_URL is unset. */
export async function openDatabase(
  config: Config,
  log: (line: string) => void = () => {},
): Promise<{ db: Db; stop: () => Promise<void> }> {
  const embedded = config.databaseUrl ? null : await startEmbeddedDatabase(config.dataDir, log);
  const db = connect(config.databaseUrl ?? embedded!.url, config.dbPoolSize);
  // A refused migration (a database newer than the code) stops the embedded PostgreSQL too.
  await migrate(db).catch(async (e: unknown) => {
    await db.destroy();
    await embedded?.stop();
    throw e;
  });
  return {
    db,
    stop: async () => {
      await db.destroy();
      await embedded?.stop();
    },
  };
}

/**
 * Starts everything; resolves once the server accepts requests (GET /healthz answers 200).
 * `isWorker`: one of SUJARIT_WORKERS processes (src/cluster.ts): the first process made the
 * first-start records and serves /metrics; this one takes its share of the login limits.
 * `confirmPublicUrl`: asked for the public URL when the ledger is about to be named (its first
 * start) from a guessed one (config.isPublicUrlGuessed); what it returns names the ledger and the
 * links of this run, and it throws to refuse the start. Without it the guess is used (tests).
 */
export type StartOptions = { isWorker?: boolean; confirmPublicUrl?: (guess: string) => Promise<string> };

/** The configuration with the public URL the first start settled on (see StartOptions). */
export async function settlePublicUrl(config: Config, db: Db, opts: StartOptions): Promise<Config> {
  if (!opts.confirmPublicUrl || !config.isPublicUrlGuessed || (await hasLedger(db))) return config;
  const publicUrl = await opts.confirmPublicUrl(config.publicUrl);
  return Object.freeze({
    ...config,
    publicUrl,
    isPublicUrlGuessed: false,
    isSecureCookies: config.isSecureCookies || publicUrl.startsWith('https://'),
  });
}

export async function startServer(given: Config, opts: StartOptions = {}): Promise<Running> {
  const { isWorker = false } = opts;
  const { db, stop: stopDb } = await openDatabase(given);
  const config = await settlePublicUrl(given, db, opts).catch(async (e: unknown) => {
    await stopDb();
    throw e;
  });
  const secrets = await loadSecrets(config.dataDir);
  let vkey: string | null = null;
  let line: LineWorker | null = null;
  const limits = createLoginLimits(isWorker ? limitsOfWorker(config.loginLimits, config.workers) : config.loginLimits);
  const app = await buildApp({
    config,
    db,
    secrets,
    limits,
    filingGate: createFilingGate({ db, cookieKey: secrets.cookieKey, params: config.filing }),
    ledgerVkey: () => vkey,
    onLineEvents: () => line?.kick(),
  });
  const ledger = await startLedger({ db, config, log: (level, msg) => app.log[level](msg) });
  vkey = ledger.key.vkey;
  // The release in flight, if any: stop() waits for it before the database closes.
  let release: Promise<unknown> | null = null;
  const sweep = async () => {
    await sweepOrphanBlobs({ db }).catch((e: Error) =>
      app.log.warn({ err: { message: e.message } }, 'orphan sweep failed'),
    );
    // The open datasets of the month just over, once (the hourly check releases it early in the new
    // month); not awaited: on a large database it takes seconds, and the server starts meanwhile.
    release ??= releaseMonth({ db })
      .then((ids) => ids.length > 0 && app.log.info(`open data released: ${ids.join(', ')}`))
      .catch((e: Error) => app.log.warn({ err: { message: e.message } }, 'open data release failed'))
      .finally(() => {
        release = null;
      });
  };
  await sweep();
  const timer = setInterval(sweep, 3600_000);
  timer.unref();
  const mailJobs = startMailJobs({ db, config, log: (level, msg) => app.log[level](msg) }, [
    deadlineNotices,
    permitReminders,
    itaReminders,
    declarationReminders,
  ]);
  const backups = startBackupSchedule({
    db,
    backup: config.backup,
    sources: config,
    log: (level, msg) => app.log[level](msg),
  });
  const retention = startRetention({ db, log: (level, msg) => app.log[level](msg) });
  // Events stored before a restart (or while processing failed) are processed now.
  line = startLineWorker({ db, config, secrets, throttle: limits.tracking, log: (level, msg) => app.log[level](msg) });
  line?.kick();
  // Without a platform administrator nobody could add agencies or staff from the web: a one-time
  // link to create the first one is made at every start until one exists (a new link replaces the last).
  const firstAdmin = isWorker ? null : await firstAdminLink(db);
  const url = await app.listen({ port: config.port, host: config.host });
  let metrics: MetricsListener | null = null;
  if (config.metrics && !isWorker) metrics = await startMetricsListener({ db, ...config.metrics, cluster: false });
  // With PORT=0 the default public URL names port 0: use the address actually bound.
  const base = config.publicUrl.endsWith(':0') ? url : config.publicUrl;
  return {
    app,
    db,
    url,
    firstAdminUrl: firstAdmin ? `${base}/staff/setup/${firstAdmin}` : null,
    metricsUrl: metrics?.url ?? null,
    stop: async () => {
      clearInterval(timer);
      await metrics?.stop();
      await mailJobs.stop();
      await backups?.stop();
      await retention.stop();
      await app.close();
      await release;
      await line?.stop();
      await ledger.stop();
      await stopDb();
    },
  };
}
