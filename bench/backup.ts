// Section 11 of `npm run bench`: `sujarit backup` of a database holding BENCH_BACKUP_MB (default
// 256) of attachment chunks (random bytes: sealed content does not compress) plus a few thousand
// small rows, each way in its own child process (bench/backup-child.ts), in this order:
//   a. merely reading every table through COPY in one transaction (the limit);
//   b. the backup: the same reading, framed, encrypted to the recovery key and written to a file,
//      its rate against (a) (goal ≥ 0.5) and its peak RSS (goal < 200 MB: memory is bounded by a
//      chunk, not by the database);
//   c. the restore of that file into an empty database (info).
import { spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { statSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { newRecoveryKey } from '../src/crypto/backup-seal.ts';
import { connect } from '../src/db/connection.ts';
import { migrate } from '../src/db/migrate.ts';
import { envInt, fmt, ROOT } from './lib.ts';
import type { Row } from './cases.ts';

export type BackupBenchContext = { clusterUrl: string; tmp: string; say: (line: string) => void };

const MB = envInt('BENCH_BACKUP_MB', 256);
const RATIO_GOAL = 0.5;
const RSS_GOAL_MB = 200;
type ChildReport = { mode: string; ms: number; bytes: number; maxRssKiB: number };

function withDb(clusterUrl: string, name: string): string {
  const u = new URL(clusterUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

async function createDatabase(clusterUrl: string, name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: clusterUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  return withDb(clusterUrl, name);
}

/** Fills a migrated database with MB of 64 KiB attachment chunks and some audit-sized rows. */
async function fill(url: string): Promise<void> {
  const db = connect(url, 2);
  try {
    await migrate(db);
    const chunk = 64 * 1024;
    const perBlob = 16; // 1 MiB blobs
    for (let b = 0; b < MB; b++) {
      const id = randomUUID();
      await db.insertInto('blob').values({ id }).execute();
      await db
        .insertInto('blob_chunk')
        .values(Array.from({ length: perBlob }, (_, seq) => ({ blob_id: id, seq, data: randomBytes(chunk) })))
        .execute();
    }
  } finally {
    await db.destroy();
  }
}

function runChild(args: string[]): ChildReport {
  const r = spawnSync(process.execPath, ['bench/backup-child.ts', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  if (r.status !== 0) throw new Error(`backup-child ${args[0]} failed:\n${r.stderr}`);
  return JSON.parse(r.stdout) as ChildReport;
}

export async function backupSection({ clusterUrl, tmp, say }: BackupBenchContext, rows: Row[]): Promise<void> {
  const source = await createDatabase(clusterUrl, 'bench_backup_source');
  const target = await createDatabase(clusterUrl, 'bench_backup_target');
  say(`\n== 11. backup and restore: ${MB} MiB of attachments, each step in its own process`);
  const t0 = performance.now();
  await fill(source);
  say(`  filled ${MB} MiB of attachment chunks in ${fmt((performance.now() - t0) / 1000)} s`);
  const key = newRecoveryKey();
  const file = path.join(tmp, 'bench.backup');
  const read = runChild(['read', source]);
  const backup = runChild(['backup', source, file, key.publicText]);
  const restore = runChild(['restore', target, file, key.secretText]);
  const dataMB = read.bytes / 1e6;
  const readRate = dataMB / (read.ms / 1000);
  const backupRate = dataMB / (backup.ms / 1000);
  const restoreRate = dataMB / (restore.ms / 1000);
  const rssMB = (backup.maxRssKiB * 1024) / 1e6;
  say(
    `  ${fmt(dataMB)} MB of COPY data: read ${fmt(read.ms / 1000, 2)} s (${fmt(readRate)} MB/s, peak RSS ${fmt((read.maxRssKiB * 1024) / 1e6)} MB); ` +
      `backup ${fmt(backup.ms / 1000, 2)} s (${fmt(backupRate)} MB/s, file ${fmt(statSync(file).size / 1e6)} MB, peak RSS ${fmt(rssMB)} MB); ` +
      `restore ${fmt(restore.ms / 1000, 2)} s (${fmt(restoreRate)} MB/s, peak RSS ${fmt((restore.maxRssKiB * 1024) / 1e6)} MB)`,
  );
  rows.push(
    {
      metric: `Backup of ${fmt(dataMB, 0)} MB (COPY, encrypt, write) vs reading it`,
      value: `${fmt(backupRate)} MB/s`,
      limit: `${fmt(readRate)} MB/s read`,
      ratio: fmt(backupRate / readRate, 2),
      verdict: backupRate / readRate >= RATIO_GOAL ? 'PASS' : 'BELOW',
    },
    {
      metric: 'Backup peak RSS',
      value: `${fmt(rssMB)} MB`,
      limit: `< ${RSS_GOAL_MB} MB`,
      ratio: fmt(rssMB / RSS_GOAL_MB, 2),
      verdict: rssMB < RSS_GOAL_MB ? 'PASS' : 'BELOW',
    },
    {
      metric: 'Restore (authenticate, then load in one transaction)',
      value: `${fmt(restoreRate)} MB/s`,
      limit: '-',
      ratio: '-',
      verdict: 'info',
    },
  );
}
