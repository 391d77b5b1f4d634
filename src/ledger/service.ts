// Runs the sequencer in the server: every SUJARIT_LEDGER_BATCH_MS, everything pending is
// integrated (in batches of up to SUJARIT_LEDGER_BATCH_ENTRIES × 16) and signed.
import type { Db } from '../db/connection.ts';
import { initLedger, loadLedgerKey, type LedgerKeyConfig } from './keys.ts';
import type { SigningKey } from './note.ts';
import { cosignLatest, runSequencer } from './sequencer.ts';
import { createCosigner, type WitnessConfig } from './witness-client.ts';

/** What the running ledger needs of the configuration (a Config has it). */
export type LedgerConfig = LedgerKeyConfig &
  Readonly<{ ledgerWitnesses: readonly WitnessConfig[]; ledgerBatchMs: number; ledgerBatchEntries: number }>;

export type LedgerService = { key: SigningKey; tick: () => Promise<void>; stop: () => Promise<void> };

/** Loads the ledger key, creating the log on the very first start (no log, no key). */
export async function openLedger({
  db,
  config,
  log,
}: {
  db: Db;
  config: LedgerKeyConfig;
  log: (level: 'info' | 'warn', msg: string) => void;
}): Promise<SigningKey> {
  const key = await loadLedgerKey({ db, config });
  if (key) return key;
  const created = await initLedger({ db, config });
  log('info', `ledger created: verifier key ${created.vkey}`);
  return created;
}

/**
 * Loads the ledger key, creating the log on the very first start (no log, no key), and starts the
 * sequencer timer. A failed run is logged and retried at the next tick.
 */
export async function startLedger({
  db,
  config,
  log,
}: {
  db: Db;
  config: LedgerConfig;
  log: (level: 'info' | 'warn', msg: string) => void;
}): Promise<LedgerService> {
  const signingKey = await openLedger({ db, config, log });
  let running: Promise<void> | null = null;
  // Cosigning has its own guard, so a slow witness never holds up sequencing.
  let cosigning: Promise<void> | null = null;
  const cosigner = config.ledgerWitnesses.length > 0 ? createCosigner({ witnesses: config.ledgerWitnesses }) : null;
  const cosign = (): Promise<void> => {
    if (!cosigner) return Promise.resolve();
    cosigning ??= cosignLatest({ db, cosigner })
      .then((errors) => {
        for (const e of errors) log('warn', `ledger ${e.message}`);
      })
      .catch((e: Error) => log('warn', `ledger cosigning: ${e.message}`))
      .finally(() => {
        cosigning = null;
      });
    return cosigning;
  };
  const tick = () => {
    running ??= runSequencer({ db, key: signingKey, max: Math.max(256, config.ledgerBatchEntries * 16) })
      .then(() => undefined)
      .catch((e: Error) => log('warn', `ledger sequencer: ${e.message}`))
      .finally(() => {
        running = null;
      });
    const sequenced = running;
    return sequenced.then(cosign);
  };
  const timer = setInterval(tick, config.ledgerBatchMs);
  timer.unref();
  return {
    key: signingKey,
    tick,
    stop: async () => {
      clearInterval(timer);
      await running;
      await cosigning;
    },
  };
}
