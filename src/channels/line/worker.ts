// Runs the LINE channel's work in the background: stored events, then notices for complainants,
// then the daily lesson pushes (when SUJARIT_LINE_LESSON_HOUR is set), then the outbox. Woken when
// the webhook stores events, and every `pollMs` for retries and for notices that other processes'
// transactions created. One run at a time per process.
import type { Config } from '../../config/load.ts';
import type { PlatformSecrets } from '../../crypto/secrets.ts';
import type { Db } from '../../db/connection.ts';
import type { LoginThrottle } from '../../intake/login-throttle.ts';
import { channelKeys } from './channel-key.ts';
import { lineClients } from './clients.ts';
import type { LineDeps } from './deps.ts';
import { pushLessons } from './lesson-push.ts';
import { composeNotices } from './notices.ts';
import { processNextEvent, type ProcessHooks } from './process-events.ts';
import { sendOutbox } from './send-outbox.ts';

export type LineWorker = {
  /** Asks for a run soon (coalesced with one in progress). */
  kick: () => void;
  /** Resolves when a run started now has finished: everything due has been handled once. */
  idle: () => Promise<void>;
  stop: () => Promise<void>;
};

/** Events processed between two rounds of sending. */
const EVENTS_PER_ROUND = 50;

type Log = (level: 'info' | 'warn' | 'error', msg: string) => void;

/** Starts the worker when the LINE channel is configured; null otherwise. */
export function startLineWorker({
  db,
  config,
  secrets,
  throttle,
  log,
  pollMs = 1000,
  hooks = {},
  retryBaseSeconds,
}: {
  db: Db;
  config: Config;
  secrets: PlatformSecrets;
  throttle: LoginThrottle;
  log: Log;
  pollMs?: number;
  hooks?: ProcessHooks;
  retryBaseSeconds?: number;
}): LineWorker | null {
  if (!config.line) return null;
  const deps: LineDeps = {
    db,
    config,
    secrets,
    keys: channelKeys(secrets.channelKey),
    clients: lineClients(config.line),
    throttle,
    retryBaseSeconds,
  };
  let running: Promise<void> | null = null;
  let again = false;
  let isStopped = false;
  const report = (e: unknown) =>
    log(
      'warn',
      `LINE channel: ${(e as Error).name ?? 'Error'} ${(e as { code?: string; status?: number }).code ?? (e as { status?: number }).status ?? ''}`.trim(),
    );
  // Answers go out every EVENTS_PER_ROUND events, not only once the backlog is empty: under a
  // burst, reply tokens would otherwise expire and every answer become a (paid) push.
  const runOnce = async () => {
    let more = true;
    while (more && !isStopped) {
      let n = 0;
      while (n < EVENTS_PER_ROUND && !isStopped && (await processNextEvent(deps, hooks, report))) n++;
      more = n === EVENTS_PER_ROUND;
      while (!isStopped && (await composeNotices(deps)) > 0);
      while (!isStopped && (await pushLessons(deps)) > 0);
      while (!isStopped && (await sendOutbox(deps)) > 0);
    }
  };
  const run = (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        await runOnce().catch(report); // the database may be down: the next tick tries again
      } while (again && !isStopped);
    })().finally(() => {
      running = null;
    });
    return running;
  };
  const timer = setInterval(() => void run(), pollMs);
  timer.unref();
  return {
    kick: () => void run(),
    idle: async () => {
      await running;
      await run();
    },
    stop: async () => {
      isStopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
