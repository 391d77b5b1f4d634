// The ledger's identity: its origin (from the public URL) and its Ed25519 key, kept in a file
// outside the database (mode 0600).
import { existsSync } from 'node:fs';
import { readFile, unlink, writeFile } from 'node:fs/promises';
import type { Db } from '../db/connection.ts';
import { AppError } from '../errors.ts';
import { exportPrivateKey, generateLogKey, loadLogKey, signCheckpoint, verifyNote, type SigningKey } from './note.ts';
import { LEDGER_FORMAT_VERSION } from './sequencer.ts';
import { EMPTY_ROOT } from './tree.ts';

/** What the ledger's identity needs of the configuration (a Config has it). */
export type LedgerKeyConfig = Readonly<{ publicUrl: string; ledgerKeyFile: string }>;

/** The log's origin: the scheme-less prefix URL (https://ledger.example.org/log → ledger.example.org/log). */
export function ledgerOrigin(config: LedgerKeyConfig): string {
  return `${config.publicUrl.replace(/^https?:\/\//, '')}/log`;
}

/** True once the log exists (its name, the origin, is then fixed for ever). */
export async function hasLedger(db: Db): Promise<boolean> {
  return (await db.selectFrom('ledger_state').select('origin').executeTakeFirst()) !== undefined;
}

/**
 * Creates the log: a new key file and the empty, signed tree. Refuses when a log or a key exists
 * (a second log under the same key, or a lost key for an existing log, must never happen quietly).
 */
export async function initLedger({ db, config }: { db: Db; config: LedgerKeyConfig }): Promise<SigningKey> {
  const origin = ledgerOrigin(config);
  const existing = await db.selectFrom('ledger_state').select('origin').executeTakeFirst();
  if (existing)
    throw new AppError(
      'conflict',
      `a ledger exists (origin ${existing.origin}); refusing to create another`,
      'error.conflict',
    );
  if (existsSync(config.ledgerKeyFile))
    throw new AppError(
      'conflict',
      `${config.ledgerKeyFile} exists; refusing to overwrite a ledger key`,
      'error.conflict',
    );
  const key = generateLogKey(origin);
  await writeFile(config.ledgerKeyFile, exportPrivateKey(key.privateKey), { mode: 0o600, flag: 'wx' });
  try {
    await db
      .insertInto('ledger_state')
      .values({
        format_version: LEDGER_FORMAT_VERSION,
        origin,
        tree_size: 0,
        tree_root: EMPTY_ROOT,
        signed_size: 0,
        checkpoint: signCheckpoint(origin, 0, EMPTY_ROOT, key.privateKey),
      })
      .execute();
  } catch (e) {
    await unlink(config.ledgerKeyFile).catch(() => {});
    throw e;
  }
  return key;
}

/** Loads the key of the existing log; null when no log exists yet. Throws when one half is missing. */
export async function loadLedgerKey({ db, config }: { db: Db; config: LedgerKeyConfig }): Promise<SigningKey | null> {
  const state = await db.selectFrom('ledger_state').select(['origin', 'checkpoint']).executeTakeFirst();
  const hasKey = existsSync(config.ledgerKeyFile);
  if (!state && !hasKey) return null;
  if (!state) throw new Error(`ledger key ${config.ledgerKeyFile} exists but the database has no ledger`);
  if (!hasKey)
    throw new Error(
      `the database has a ledger (origin ${state.origin}) but its key ${config.ledgerKeyFile} is missing`,
    );
  const key = loadLogKey(await readFile(config.ledgerKeyFile, 'utf8'), state.origin);
  try {
    verifyNote(state.checkpoint, key.vkey);
  } catch {
    throw new Error(
      `${config.ledgerKeyFile} is not the key of the stored log (origin ${state.origin}): its checkpoint does not verify with it`,
    );
  }
  return key;
}
