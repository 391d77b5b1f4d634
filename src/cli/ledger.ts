import { mkdir, writeFile, rename } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config/load.ts';
import type { Db } from '../db/connection.ts';
import { verifyAuditChain } from '../ledger/anchor-audit.ts';
import { initLedger } from '../ledger/keys.ts';
import { readCheckpoint, readTile } from '../ledger/read-log.ts';
import { requiredTiles, tilePath } from '../ledger/tiles.ts';

export const usage = 'ledger init | ledger export DIR | ledger verify-audit';

/** `ledger init`: creates the log and its key; refuses if either exists. */
export async function ledgerInit(db: Db, config: Config): Promise<string> {
  const key = await initLedger({ db, config });
  return `ledger created\nkey file: ${config.ledgerKeyFile} (keep it secret; back it up)\nverifier key: ${key.vkey}`;
}

async function writeAtomic(file: string, bytes: Buffer | string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  await writeFile(tmp, bytes);
  await rename(tmp, file);
}

/**
 * `ledger export DIR`: the log as static files in the tlog-tiles layout (checkpoint, every tile and
 * entry bundle of the signed size), servable by any web server under the log's prefix.
 */
export async function ledgerExport(db: Db, dir: string | undefined): Promise<string> {
  if (!dir) throw new Error(`usage: ${usage}`);
  const cp = await readCheckpoint(db);
  if (!cp) throw new Error('no ledger: run `ledger init` first');
  let files = 0;
  for (const t of requiredTiles(cp.size)) {
    for (const address of [t, { ...t, level: 'entries' as const }]) {
      if (address.level === 'entries' && t.level !== 0) continue;
      const bytes = await readTile(db, address);
      if (!bytes) throw new Error(`tile ${tilePath(address)} missing for size ${cp.size}`);
      await writeAtomic(path.join(dir, tilePath(address)), bytes);
      files++;
    }
  }
  // The checkpoint last: a reader who sees it finds every tile it names.
  await writeAtomic(path.join(dir, 'checkpoint'), cp.note);
  return `exported ${cp.origin} at size ${cp.size}: ${files} tiles and bundles and the checkpoint to ${dir}`;
}

/** `ledger verify-audit`: recomputes the audit chain and checks it against its ledger anchors. */
export async function ledgerVerifyAudit(db: Db): Promise<string> {
  const r = await verifyAuditChain({ db });
  return `audit trail OK: ${r.rows} rows chained, ${r.anchors} anchors (${r.anchorsInLog} in the log)`;
}
