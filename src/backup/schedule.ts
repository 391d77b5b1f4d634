// Scheduled backups: every SUJARIT_BACKUP_HOURS one server process writes a backup into
// SUJARIT_BACKUP_DIR and keeps the newest SUJARIT_BACKUP_KEEP. Exactly once with several processes
// (or hosts) on one database: a process takes a session advisory lock without waiting, and under it
// checks in backup_run that no backup finished within the period; the others skip.
import { mkdir, readdir, unlink } from 'node:fs/promises';
import path from 'node:path';
import { sql } from 'kysely';
import { recordAudit } from '../audit/record-audit.ts';
import type { BackupConfig } from '../config/load.ts';
import type { Db } from '../db/connection.ts';
import { BACKUP_LOCK } from '../db/locks.ts';
import { writeBackup, type BackupResult, type BackupSources } from './write-backup.ts';

/** How often a process checks whether a backup is due. */
export const BACKUP_CHECK_MS = 5 * 60_000;
const NAME = /^sujarit-\d{8}T\d{6}Z\.backup$/;

/** Records a finished backup (the archive is already on disk), in backup_run and the audit trail. */
export async function recordBackup(
  db: Db,
  { startedAt, result, by }: { startedAt: Date; result: BackupResult; by: 'schedule' | 'command' },
): Promise<void> {
  const file = path.basename(result.file);
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('backup_run')
      .values({
        started_at: startedAt,
        made_by: by,
        file_name: file,
        bytes: result.bytes,
        table_count: result.tables,
        row_count: result.rows,
      })
      .execute();
    await recordAudit(trx, {
      actorUserId: null,
      action: 'backup_made',
      detail: {
        file,
        bytes: result.bytes,
        tables: result.tables,
        rows: result.rows,
        by: by === 'command' ? 'command_line' : by,
      },
    });
  });
}

/** When the last backup finished, or null when none ever did (what the metrics show as its age). */
export async function lastBackupAt(db: Db): Promise<Date | null> {
  const row = await db
    .selectFrom('backup_run')
    .select('finished_at')
    .orderBy('finished_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.finished_at ?? null;
}

/** The scheduled backup's file name at `now`: sorts by time, UTC. */
export function scheduledName(now: Date): string {
  return `sujarit-${now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}.backup`;
}

/** Deletes all but the newest `keep` scheduled backups in `dir` (only files named as the schedule names them). */
export async function rotateBackups(dir: string, keep: number): Promise<string[]> {
  const names = (await readdir(dir)).filter((n) => NAME.test(n)).sort();
  const old = names.slice(0, Math.max(0, names.length - keep));
  for (const n of old) await unlink(path.join(dir, n));
  return old;
}

export type ScheduledRun = { result: BackupResult; removed: string[] } | null;

/**
 * Writes a backup if one is due at `now` and no other process is writing one; null when not.
 * The lock is a session lock on one connection held for the whole backup.
 */
export async function runScheduledBackup({
  db,
  backup,
  sources,
  now,
}: {
  db: Db;
  backup: Readonly<BackupConfig>;
  sources: BackupSources;
  now: Date;
}): Promise<ScheduledRun> {
  const { dir, publicKey } = backup;
  if (!dir || !publicKey) return null;
  return db.connection().execute(async (conn) => {
    const locked = await sql<{ ok: boolean }>`select pg_try_advisory_lock(${BACKUP_LOCK}) as ok`.execute(conn);
    if (!locked.rows[0].ok) return null;
    try {
      const last = await lastBackupAt(conn);
      if (last && now.getTime() - last.getTime() < backup.hours * 3600_000) return null;
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const result = await writeBackup({ db, sources, publicKey, to: path.join(dir, scheduledName(now)) });
      await recordBackup(conn, { startedAt: now, result, by: 'schedule' });
      return { result, removed: await rotateBackups(dir, backup.keep) };
    } finally {
      await sql`select pg_advisory_unlock(${BACKUP_LOCK})`.execute(conn);
    }
  });
}

/** Starts the schedule (null without SUJARIT_BACKUP_DIR); stop() waits for a backup in progress. */
export function startBackupSchedule({
  db,
  backup,
  sources,
  log,
}: {
  db: Db;
  backup: Readonly<BackupConfig>;
  sources: BackupSources;
  log: (level: 'info' | 'warn', msg: string) => void;
}): { stop: () => Promise<void> } | null {
  if (!backup.dir) return null;
  let running: Promise<void> | null = null;
  const tick = () => {
    running ??= runScheduledBackup({ db, backup, sources, now: new Date() })
      .then((r) => {
        if (r)
          log('info', `backup written: ${r.result.file} (${r.result.bytes} bytes); removed ${r.removed.length} old`);
      })
      .catch((e: Error) => log('warn', `scheduled backup failed: ${e.message}`))
      .finally(() => {
        running = null;
      });
  };
  tick();
  const timer = setInterval(tick, Math.min(BACKUP_CHECK_MS, backup.hours * 3600_000));
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
