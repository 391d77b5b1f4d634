// `sujarit recovery-key`, `sujarit backup` and `sujarit restore` (docs/operations.md).
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { recordBackup } from '../backup/schedule.ts';
import { restoreBackup } from '../backup/restore.ts';
import { writeBackup } from '../backup/write-backup.ts';
import type { Config } from '../config/load.ts';
import { newRecoveryKey, parseRecoveryKeyFile } from '../crypto/backup-seal.ts';
import { connect } from '../db/connection.ts';
import { runningEmbeddedUrl } from '../db/embedded.ts';
import { AppError } from '../errors.ts';

export const usage = [
  'recovery-key --out FILE        make the offline backup recovery key (prints the public key for SUJARIT_BACKUP_PUBLIC_KEY)',
  'backup --to FILE               write an encrypted backup of the running (or stopped) platform',
  'restore FILE --key KEYFILE     restore a backup onto an empty data folder (and, with DATABASE_URL, an empty database)',
].join('\n  ');

function flags(args: string[], names: string[]): { values: Record<string, string | undefined>; positionals: string[] } {
  const { values, positionals } = parseArgs({
    args,
    options: Object.fromEntries(names.map((n) => [n, { type: 'string' as const }])),
    allowPositionals: true,
  });
  return { values: values as Record<string, string | undefined>, positionals };
}

const missing = (what: string) => new AppError('invalid_input', `${what} is required\n  ${usage}`, 'error.internal');

export async function recoveryKeyCommand(args: string[]): Promise<string> {
  const out = flags(args, ['out']).values.out;
  if (!out) throw missing('--out FILE');
  if (existsSync(out))
    throw new AppError('conflict', `${out} exists; a recovery key is never overwritten`, 'error.conflict');
  const key = newRecoveryKey();
  await writeFile(out, key.secretText, { mode: 0o600, flag: 'wx' });
  return [
    `Recovery key written to ${out}. Move it OFF this server (keep two copies in separate safe places):`,
    'without it no backup can be restored, and with it anyone can read every backup.',
    'Configure the server with its public key:',
    `SUJARIT_BACKUP_PUBLIC_KEY=${key.publicText}`,
  ].join('\n');
}

export async function backupCommand(args: string[], config: Config): Promise<string> {
  const to = flags(args, ['to']).values.to;
  if (!to) throw missing('--to FILE');
  const publicKey = config.backup.publicKey;
  if (!publicKey)
    throw new AppError(
      'invalid_input',
      'SUJARIT_BACKUP_PUBLIC_KEY is unset: make a recovery key with `sujarit recovery-key --out FILE` and configure its public key',
      'error.internal',
    );
  // Beside a running server, its embedded PostgreSQL is used as it runs (starting another would stop it).
  const url = config.databaseUrl ?? (await runningEmbeddedUrl(config.dataDir));
  // The server's modules load only when the database must be started here (the platform is stopped).
  const opened = url
    ? ((db) => ({ db, stop: () => db.destroy() }))(connect(url, 2))
    : await (await import('../server.ts')).openDatabase(config);
  try {
    const started = new Date();
    const r = await writeBackup({ db: opened.db, sources: config, publicKey, to });
    await recordBackup(opened.db, { startedAt: started, result: r, by: 'command' });
    return `Backup written to ${r.file}: ${r.bytes} bytes, ${r.tables} tables, ${r.rows} rows, ${r.files} files.`;
  } finally {
    await opened.stop();
  }
}

export async function restoreCommand(args: string[], config: Config): Promise<string> {
  const { values, positionals } = flags(args, ['key']);
  const file = positionals[0];
  if (!file || !values.key) throw missing('FILE and --key KEYFILE');
  const keys = parseRecoveryKeyFile(await readFile(values.key, 'utf8'));
  const r = await restoreBackup({ file, keys, target: config, log: (line) => console.log(line) });
  return `Restored the backup of ${r.createdAt} into ${config.databaseUrl ? 'DATABASE_URL' : config.dataDir}: ${r.tables} tables, ${r.rows} rows, ${r.files} files${r.applied.length > 0 ? `; then upgraded by ${r.applied.join(', ')}` : ''}. Start the platform as usual.`;
}
