// The platform on its embedded PostgreSQL (or DATABASE_URL); src/main.ts sizes the thread pool first.
// SUJARIT_WORKERS=N > 1: this process is the primary of N workers (src/cluster.ts), or one of them.
import cluster from 'node:cluster';
import { startPrimary } from './cluster.ts';
import { loadConfig } from './config/load.ts';
import { startServer } from './server.ts';
import { SETUP_LINK_DAYS } from './staff/add-user.ts';

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig();
} catch (e) {
  console.error((e as Error).message);
  process.exit(1);
}
const isWorker = cluster.isWorker;
const running = config.workers > 1 && !isWorker ? await startPrimary(config) : await startServer(config, { isWorker });
if (!isWorker) {
  const processes = config.workers > 1 ? `, ${config.workers} workers` : '';
  console.log(
    `Sujarit is running at ${running.url} (data: ${config.dataDir}${config.databaseUrl ? ', database: DATABASE_URL' : ', embedded PostgreSQL'}${processes})`,
  );
  if (running.metricsUrl) console.log(`Metrics at ${running.metricsUrl}`);
  if (running.firstAdminUrl)
    console.log(
      `First start: create the platform administrator at ${running.firstAdminUrl} (valid ${SETUP_LINK_DAYS} days)`,
    );
}
let isStopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, async () => {
    // Ctrl-C in a terminal signals the whole process group, and npm forwards it once more: a
    // repeated signal is the same request to stop, not a second one.
    if (isStopping) return;
    isStopping = true;
    if (!isWorker) console.log(`Sujarit is stopping (${signal}): finishing requests in flight…`);
    await running.stop();
    if (!isWorker) console.log('Sujarit stopped.');
    process.exit(0);
  });
}
