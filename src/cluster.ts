// SUJARIT_WORKERS=N: N server processes sharing one port through node:cluster. The first process
// (the primary) serves no page: it starts the embedded PostgreSQL (once; DATABASE_URL otherwise),
// migrates, makes the first-start records (secrets, the ledger and its key, the first
// administrator's link), then forks the workers, which share PORT (the primary hands connections
// out in turn) and reach the database through the URL it gives them. Every timer, queue and
// sequencer runs in every worker and is exactly-once through the database (docs/scaling.md), as
// it must be for N servers on several hosts anyway. The primary serves /metrics, summing the
// workers' request metrics (prom-client's AggregatorRegistry). SIGTERM or SIGINT to it stops the
// workers (each finishes its requests in flight), then the database; a worker that dies
// otherwise is replaced.
import cluster, { type Worker } from 'node:cluster';
import type { Config } from './config/load.ts';
import { loadSecrets } from './crypto/secrets.ts';
import { connect } from './db/connection.ts';
import { startEmbeddedDatabase } from './db/embedded.ts';
import { migrate } from './db/migrate.ts';
import { openLedger } from './ledger/service.ts';
import { startMetricsListener, type MetricsListener } from './metrics/listener.ts';
import { settlePublicUrl, type StartOptions } from './server.ts';
import { firstAdminLink } from './staff/add-user.ts';

/** How long a stopping worker may take to finish its requests before it is killed. */
export const WORKER_STOP_MS = 30_000;
/** A worker that dies this soon after its start is not replaced again (it would die in a loop). */
const MIN_LIFE_MS = 5_000;

export type Primary = {
  url: string;
  firstAdminUrl: string | null;
  metricsUrl: string | null;
  workers: number;
  stop: () => Promise<void>;
};

type Log = (line: string) => void;

/** Starts the database and the workers; resolves once every worker accepts requests. */
export async function startPrimary(
  config: Config,
  opts: Pick<StartOptions, 'confirmPublicUrl'> = {},
  log: Log = console.log,
): Promise<Primary> {
  const embedded = config.databaseUrl ? null : await startEmbeddedDatabase(config.dataDir);
  const databaseUrl = config.databaseUrl ?? (embedded as { url: string }).url;
  const db = connect(databaseUrl, 2);
  const closeDb = async () => {
    await db.destroy();
    await embedded?.stop();
  };
  let firstAdmin: string | null;
  let settled: Config;
  try {
    await migrate(db);
    settled = await settlePublicUrl(config, db, opts);
    await loadSecrets(config.dataDir);
    await openLedger({ db, config: settled, log: (_level, msg) => log(msg) });
    firstAdmin = await firstAdminLink(db);
  } catch (e) {
    await closeDb();
    throw e;
  }
  let isStopping = false;
  const started = new Map<number, number>();
  const fork = (): Worker => {
    const w = cluster.fork({ DATABASE_URL: databaseUrl, SUJARIT_PUBLIC_URL: settled.publicUrl });
    started.set(w.id, Date.now());
    return w;
  };
  cluster.on('exit', (w, code, signal) => {
    if (isStopping) return;
    const lived = Date.now() - (started.get(w.id) ?? 0);
    log(`Sujarit worker ${w.process.pid} ended (${signal ?? code}) after ${Math.round(lived / 1000)} s`);
    if (lived >= MIN_LIFE_MS) fork();
  });
  const url = await new Promise<string>((resolve, reject) => {
    let listening = 0;
    const onExit = (_w: Worker, code: number) => {
      if (listening < config.workers) reject(new Error(`a worker ended (${code}) before every worker was ready`));
    };
    cluster.on('exit', onExit);
    cluster.on('listening', (_w, address) => {
      if (++listening !== config.workers) return;
      cluster.off('exit', onExit);
      const host = address.address?.includes(':') ? `[${address.address}]` : (address.address ?? config.host);
      resolve(`http://${host}:${address.port}`);
    });
    for (let i = 0; i < config.workers; i++) fork();
  }).catch(async (e: Error) => {
    isStopping = true;
    await stopWorkers();
    await closeDb();
    throw e;
  });
  let metrics: MetricsListener | null = null;
  if (config.metrics) metrics = await startMetricsListener({ db, ...config.metrics, cluster: true });
  const base = config.publicUrl.endsWith(':0') ? url : config.publicUrl;
  return {
    url,
    firstAdminUrl: firstAdmin ? `${base}/staff/setup/${firstAdmin}` : null,
    metricsUrl: metrics?.url ?? null,
    workers: config.workers,
    stop: async () => {
      isStopping = true;
      await stopWorkers();
      await metrics?.stop();
      await closeDb();
    },
  };
}

/** SIGTERM to every worker; each stops as a single server does. One still running after WORKER_STOP_MS is killed. */
async function stopWorkers(): Promise<void> {
  const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
  await Promise.all(
    workers.map(
      (w) =>
        new Promise<void>((resolve) => {
          if (w.isDead()) return resolve();
          const timer = setTimeout(() => w.process.kill('SIGKILL'), WORKER_STOP_MS);
          w.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
          w.process.kill('SIGTERM');
        }),
    ),
  );
}
