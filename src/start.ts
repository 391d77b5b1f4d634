// The platform on its embedded PostgreSQL (or DATABASE_URL); src/main.ts sizes the thread pool first.
// SUJARIT_WORKERS=N > 1: this process is the primary of N workers (src/cluster.ts), or one of them.
import cluster from 'node:cluster';
import { createInterface } from 'node:readline/promises';
import { startPrimary } from './cluster.ts';
import { loadConfig, problemOfPublicUrl } from './config/load.ts';
import { startServer } from './server.ts';
import { SETUP_LINK_DAYS } from './staff/add-user.ts';

/**
 * The first start names the ledger from the public URL, for ever. A guessed one (unset, so made
 * from a loopback HOST) is never taken silently: at a terminal the person is asked, Enter keeping
 * the loopback address for a trial on this machine; without a terminal (systemd, scripts) the
 * start is refused, naming the variable.
 */
export async function confirmPublicUrl(guess: string): Promise<string> {
  if (!process.stdin.isTTY)
    throw new Error(
      `Refusing to create the ledger: SUJARIT_PUBLIC_URL is not set. The ledger is named once, at this first start, from the public address, and ${guess} reaches no one but this machine. Set SUJARIT_PUBLIC_URL to the address the public uses (for example https://report.example.go.th), or to ${guess} to try Sujarit on this machine only, and start again.`,
    );
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    console.log(
      `First start: the public ledger is named now, for ever, from the address the public uses to reach this platform (SUJARIT_PUBLIC_URL is not set).\nType it (for example https://report.example.go.th), or press Enter to keep ${guess}: fine for trying Sujarit on this machine, wrong for a real installation.`,
    );
    for (;;) {
      const answer = (await rl.question('Public address: ')).trim().replace(/\/+$/, '');
      if (answer === '') {
        console.log(`Using ${guess}: this installation is for trying Sujarit on this machine only.`);
        return guess;
      }
      const problem = problemOfPublicUrl(answer);
      if (!problem) {
        console.log(`Using ${answer}. Set SUJARIT_PUBLIC_URL=${answer} for the next starts (links in mails use it).`);
        return answer;
      }
      console.log(`${problem}. Try again, or press Enter for ${guess}.`);
    }
  } finally {
    rl.close();
  }
}

const isWorker = cluster.isWorker;
let config: ReturnType<typeof loadConfig>;
let running: { url: string; firstAdminUrl: string | null; metricsUrl: string | null; stop: () => Promise<void> };
try {
  config = loadConfig();
  // Workers take the public URL the primary settled on (it passes SUJARIT_PUBLIC_URL to them).
  running =
    config.workers > 1 && !isWorker
      ? await startPrimary(config, { confirmPublicUrl })
      : await startServer(config, { isWorker, confirmPublicUrl });
} catch (e) {
  console.error((e as Error).message);
  process.exit(1);
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
// Printed once the handlers are in place: whoever reads "running" may stop it at once.
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
