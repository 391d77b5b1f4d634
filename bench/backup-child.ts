// A child process of bench/backup.ts, so that its peak resident memory is its own:
//   node bench/backup-child.ts read URL         merely reading every table through COPY in one
//                                               REPEATABLE READ transaction, the bytes discarded
//   node bench/backup-child.ts backup URL FILE  writeBackup: the same reading, framed, encrypted, written
//   node bench/backup-child.ts restore URL FILE restoreBackup into the empty database at URL
// Writes to stdout, as JSON, the time from after the imports, the bytes read and the peak RSS.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { to as copyTo } from 'pg-copy-streams';
import { restoreBackup } from '../src/backup/restore.ts';
import { quoteIdent, tablesOf, writeBackup } from '../src/backup/write-backup.ts';
import { newRecoveryKey, parseRecoveryKeyFile, parseRecoveryPublicKey } from '../src/crypto/backup-seal.ts';
import { connect, poolOf } from '../src/db/connection.ts';

const [mode = '', url = '', file = '', keyText = ''] = process.argv.slice(2);
const started = performance.now();
let bytes = 0;
const folder = await mkdtemp(path.join(tmpdir(), 'sujarit-bench-backup-'));
const db = connect(url, 2);
try {
  if (mode === 'read') {
    const client = await poolOf(db).connect();
    await client.query('begin isolation level repeatable read read only');
    for (const t of await tablesOf(client)) {
      const stream = client.query(
        copyTo(`copy (select ${t.columns.map(quoteIdent).join(', ')} from ${quoteIdent(t.name)}) to stdout`),
      );
      for await (const chunk of stream as AsyncIterable<Buffer>) bytes += chunk.length;
    }
    await client.query('commit');
    client.release();
  } else if (mode === 'backup') {
    const key = parseRecoveryPublicKey(keyText || newRecoveryKey().publicText);
    bytes = (
      await writeBackup({
        db,
        sources: { dataDir: folder, ledgerKeyFile: path.join(folder, 'none.pem') },
        publicKey: key,
        to: file,
      })
    ).bytes;
  } else if (mode === 'restore') {
    await db.destroy();
    await restoreBackup({
      file,
      keys: parseRecoveryKeyFile(keyText),
      target: { dataDir: folder, ledgerKeyFile: path.join(folder, 'none.pem'), databaseUrl: url },
    });
  } else throw new Error(`unknown mode ${mode}`);
} finally {
  if (mode !== 'restore') await db.destroy();
  await rm(folder, { recursive: true, force: true });
}
process.stdout.write(
  JSON.stringify({ mode, ms: performance.now() - started, bytes, maxRssKiB: process.resourceUsage().maxRSS }),
);
