// Backups below the drill (test/restore-drill.test.ts): the encryption against every kind of damage,
// a backup of a DATABASE_URL platform restored into an empty database identical table by table
// (triggers not fired twice, sequences continued), refusals that change nothing (a database that
// is not empty, a forged archive well encrypted to the right key), the configuration, and the
// schedule: exactly one backup with three runners at once, then rotation.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import pg from 'pg';
import { frame } from '../src/backup/frames.ts';
import { restoreBackup } from '../src/backup/restore.ts';
import {
  lastBackupAt,
  rotateBackups,
  runScheduledBackup,
  scheduledName,
  startBackupSchedule,
} from '../src/backup/schedule.ts';
import { writeBackup } from '../src/backup/write-backup.ts';
import { loadConfig } from '../src/config/load.ts';
import {
  BackupIntegrityError,
  decryptBackup,
  encryptBackup,
  newRecoveryKey,
  parseRecoveryKeyFile,
  parseRecoveryPublicKey,
} from '../src/crypto/backup-seal.ts';
import { CHUNK } from '../src/crypto/stream.ts';
import { connect, type Db } from '../src/db/connection.ts';
import { verifyAuditChain } from '../src/ledger/anchor-audit.ts';
import { createTestApp, seedAgency, seedRecipient, type TestApp } from './support/app.ts';
import { withDatabase } from './support/db.ts';

async function* chunks(b: Buffer, size = 10_000): AsyncGenerator<Buffer> {
  for (let i = 0; i < b.length; i += size) yield b.subarray(i, i + size);
}
async function collect(it: AsyncIterable<Buffer>): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const b of it) out.push(b);
  return Buffer.concat(out);
}
const key = newRecoveryKey();
const pub = parseRecoveryPublicKey(key.publicText);
const keys = parseRecoveryKeyFile(key.secretText);

describe('backup encryption', () => {
  it('round-trips every size around the chunk boundary, streamed in pieces of any size', async () => {
    for (const size of [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 7]) {
      const plain = randomBytes(size);
      const sealed = await collect(encryptBackup(pub, chunks(plain, 7777)));
      assert.deepEqual(await collect(decryptBackup(keys, chunks(sealed, 3001))), plain, `size ${size}`);
    }
  });

  it('refuses a wrong key, a changed header, truncation, extension, reordering and any flipped byte', async () => {
    const plain = randomBytes(3 * CHUNK + 100);
    const sealed = await collect(encryptBackup(pub, chunks(plain)));
    const refuse = async (label: string, bytes: Buffer, k = keys) =>
      assert.rejects(collect(decryptBackup(k, chunks(bytes))), BackupIntegrityError, label);
    await refuse('wrong key', sealed, parseRecoveryKeyFile(newRecoveryKey().secretText));
    await refuse('not a backup', Buffer.from('hello'));
    await refuse('empty', Buffer.alloc(0));
    const header = 18 + 80;
    await refuse('header only', sealed.subarray(0, header));
    for (const cut of [1, 17, CHUNK + 16, sealed.length - header - 1])
      await refuse(`cut ${cut}`, sealed.subarray(0, sealed.length - cut));
    await refuse('extended', Buffer.concat([sealed, randomBytes(CHUNK + 16)]));
    await refuse('extended by a byte', Buffer.concat([sealed, Buffer.alloc(1)]));
    const c = CHUNK + 16;
    const swapped = Buffer.concat([
      sealed.subarray(0, header),
      sealed.subarray(header + c, header + 2 * c),
      sealed.subarray(header, header + c),
      sealed.subarray(header + 2 * c),
    ]);
    await refuse('reordered', swapped);
    for (const at of [0, 5, 20, header - 1, header, header + c + 3, sealed.length - 1]) {
      const f = Buffer.from(sealed);
      f[at] ^= 0x80;
      await refuse(`flipped byte ${at}`, f);
    }
  });

  it('parses keys strictly, and the configuration names a bad one', () => {
    assert.throws(() => parseRecoveryPublicKey('sujarit-backup-pub-1:short'));
    assert.throws(() => parseRecoveryPublicKey(key.secretText));
    assert.throws(() => parseRecoveryKeyFile(key.publicText), BackupIntegrityError);
    assert.throws(() => loadConfig({ SUJARIT_BACKUP_PUBLIC_KEY: 'x' }, []), /SUJARIT_BACKUP_PUBLIC_KEY/);
    assert.throws(() => loadConfig({ SUJARIT_BACKUP_DIR: '/tmp' }, []), /needs SUJARIT_BACKUP_PUBLIC_KEY/);
    assert.throws(() => loadConfig({ SUJARIT_BACKUP_HOURS: '0' }, []), /SUJARIT_BACKUP_HOURS/);
    const c = loadConfig({ SUJARIT_BACKUP_PUBLIC_KEY: key.publicText, SUJARIT_BACKUP_DIR: '/tmp/b' }, []);
    assert.deepEqual([c.backup.publicKey, c.backup.dir, c.backup.hours, c.backup.keep], [pub, '/tmp/b', 24, 7]);
  });
});

/** An empty database (no migrations) on the test server; dropped by the returned function. */
async function emptyDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const server = process.env.SUJARIT_TEST_DATABASE_URL ?? '';
  const name = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  return {
    url: withDatabase(server, name),
    drop: async () => {
      const a = new pg.Client({ connectionString: server });
      await a.connect();
      await a.query(`drop database if exists ${name} with (force)`);
      await a.end();
    },
  };
}

/** Every table's rows as one digest, by table. */
async function digests(db: Db): Promise<Record<string, string>> {
  const tables = (
    await sql<{ t: string }>`select tablename as t from pg_tables where schemaname = 'public' order by 1`.execute(db)
  ).rows;
  const out: Record<string, string> = {};
  for (const { t } of tables) {
    const r = await sql<{
      d: string;
    }>`select md5(coalesce(string_agg(x::text, '|' order by x::text), '')) || ':' || count(*) as d from ${sql.table(t)} x`.execute(
      db,
    );
    out[t] = t === 'schema_migration' ? 'skipped' : r.rows[0].d;
  }
  return out;
}

describe('a backup of a DATABASE_URL platform', () => {
  let t: TestApp;
  let dir = '';
  let archive = '';
  before(async () => {
    t = await createTestApp();
    dir = await mkdtemp(path.join(tmpdir(), 'sujarit-backup-'));
    archive = path.join(dir, 'a.backup');
    await seedAgency(t.db, 'OPDC');
    await seedRecipient(t.db, 'OPDC', 'io@opdc.example');
    for (let i = 0; i < 3; i++) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/reports',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({ agency: 'OPDC', category: 'bribery', what: `report ${i}` }),
      });
      assert.equal(res.statusCode, 201, res.body);
    }
    await t.sequence();
    const r = await writeBackup({ db: t.db, sources: t.config, publicKey: pub, to: archive });
    assert.equal(r.files, 2);
    await assert.rejects(writeBackup({ db: t.db, sources: t.config, publicKey: pub, to: archive }), /never overwrites/);
  });
  after(async () => {
    await t.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('restores into an empty database and data folder, every table identical, sequences continued', async () => {
    const target = await emptyDatabase();
    const folder = path.join(dir, 'restored');
    try {
      const r = await restoreBackup({
        file: archive,
        keys,
        target: { dataDir: folder, ledgerKeyFile: path.join(folder, 'ledger-key.pem'), databaseUrl: target.url },
      });
      assert.deepEqual(r.applied, []);
      const db = connect(target.url, 2);
      try {
        const { audit_event: restoredAudit, ...restored } = await digests(db);
        const { audit_event: sourceAudit, ...source } = await digests(t.db);
        assert.deepEqual(restored, source);
        // The trail holds every event of the source, then one saying the platform was restored.
        const last = await db
          .selectFrom('audit_event')
          .select(['action', 'detail'])
          .orderBy('id', 'desc')
          .executeTakeFirstOrThrow();
        assert.equal(last.action, 'backup_restored');
        assert.equal(Number(restoredAudit.split(':')[1]), Number(sourceAudit.split(':')[1]) + 1);
        assert.ok((await verifyAuditChain({ db })).rows > 0, 'the chain verifies');
        assert.match(restored.report_case, /:3$/, 'the three reports are there');
        const next = async (d: Db) =>
          (await sql<{ n: string }>`select nextval('ledger_outbox_id_seq')::text as n`.execute(d)).rows[0].n;
        assert.equal(await next(db), await next(t.db), 'the sequence goes on where it was');
      } finally {
        await db.destroy();
      }
      assert.deepEqual(
        await readFile(path.join(folder, 'secrets.json')),
        await readFile(path.join(t.dataDir, 'secrets.json')),
      );
      assert.deepEqual(await readFile(path.join(folder, 'ledger-key.pem')), await readFile(t.config.ledgerKeyFile));
    } finally {
      await target.drop();
    }
  });

  it('refuses a database that is not empty, changing nothing', async () => {
    const folder = path.join(dir, 'not-empty');
    await assert.rejects(
      restoreBackup({
        file: archive,
        keys,
        target: { dataDir: folder, ledgerKeyFile: path.join(folder, 'k.pem'), databaseUrl: await digestsUrl(t) },
      }),
      /restore needs an empty database/,
    );
    assert.ok(!existsSync(path.join(folder, 'secrets.json')));
  });

  it('restores nothing from a forged archive encrypted to the right key', async () => {
    const forgeries: [string, Buffer[]][] = [
      [
        'a table not in the schema',
        [
          frame('H', { format: 1, createdAt: '', migrations: [] }),
          frame('T', { name: 'evil', columns: ['x'] }),
          frame('E', { rows: 0 }),
          frame('Z', { tables: 1, rows: 0, files: 0 }),
        ],
      ],
      [
        'rows that do not fit',
        [
          frame('H', { format: 1, createdAt: '', migrations: [] }),
          frame('T', { name: 'agency', columns: ['id'] }),
          frame('D', Buffer.from('x\n')),
          frame('E', { rows: 1 }),
          frame('Z', { tables: 1, rows: 1, files: 0 }),
        ],
      ],
      ['no end', [frame('H', { format: 1, createdAt: '', migrations: [] })]],
      [
        'an unknown migration',
        [
          frame('H', { format: 1, createdAt: '', migrations: ['9999_evil.sql'] }),
          frame('Z', { tables: 0, rows: 0, files: 0 }),
        ],
      ],
      [
        'an unknown file',
        [
          frame('H', { format: 1, createdAt: '', migrations: [] }),
          frame('F', { name: '../../etc/passwd', data: '' }),
          frame('Z', { tables: 0, rows: 0, files: 1 }),
        ],
      ],
    ];
    for (const [label, frames] of forgeries) {
      const file = path.join(dir, `forged-${forgeries.findIndex((f) => f[0] === label)}.backup`);
      await writeFile(file, await collect(encryptBackup(pub, Readable.from(frames))));
      const target = await emptyDatabase();
      const folder = path.join(dir, `forged-target-${label.length}`);
      try {
        await assert.rejects(
          restoreBackup({
            file,
            keys,
            target: { dataDir: folder, ledgerKeyFile: path.join(folder, 'k.pem'), databaseUrl: target.url },
          }),
          label,
        );
        const db = connect(target.url, 1);
        const n = (
          await sql<{ n: number }>`select count(*)::int as n from pg_tables where schemaname = 'public'`.execute(db)
        ).rows[0].n;
        await db.destroy();
        assert.equal(n, 0, `${label}: the database stays empty`);
        assert.ok(!existsSync(folder) || (await readdir(folder)).length === 0, `${label}: no file written`);
      } finally {
        await target.drop();
      }
    }
  });

  it('starts the schedule in the server: a backup at once when none was made, then none until due', async () => {
    const backupDir = path.join(dir, 'at-start');
    await mkdir(backupDir);
    const logs: string[] = [];
    const backup = { publicKey: pub, dir: backupDir, hours: 24, keep: 2 };
    const job = startBackupSchedule({ db: t.db, backup, sources: t.config, log: (_l, m) => logs.push(m) });
    await job?.stop(); // waits for the check made at start
    assert.equal((await readdir(backupDir)).length, 1, logs.join('\n'));
    const again = startBackupSchedule({ db: t.db, backup, sources: t.config, log: (_l, m) => logs.push(m) });
    await again?.stop();
    assert.equal((await readdir(backupDir)).length, 1, 'not due again within the period');
    assert.equal(
      startBackupSchedule({ db: t.db, backup: { ...backup, dir: null }, sources: t.config, log: () => {} }),
      null,
    );
  });

  it('schedules exactly one backup among three runners, records it, and rotates', async () => {
    const backupDir = path.join(dir, 'scheduled');
    await mkdir(backupDir);
    const backup = { publicKey: pub, dir: backupDir, hours: 24, keep: 2 };
    const now = new Date(Date.now() + 25 * 3600_000);
    const runs = await Promise.all(
      [0, 1, 2].map(() => runScheduledBackup({ db: t.db, backup, sources: t.config, now })),
    );
    assert.equal(runs.filter((r) => r !== null).length, 1, 'one runner wrote the backup');
    assert.ok((await lastBackupAt(t.db)) !== null);
    assert.equal(
      await runScheduledBackup({ db: t.db, backup, sources: t.config, now: new Date(Date.now() + 3600_000) }),
      null,
      'not due yet',
    );
    const later = [50, 75, 100].map((h) => new Date(Date.now() + h * 3600_000));
    for (const at of later)
      assert.ok(
        await runScheduledBackup({ db: t.db, backup, sources: t.config, now: at }),
        `due at ${at.toISOString()}`,
      );
    const names = (await readdir(backupDir)).sort();
    assert.deepEqual(names, later.slice(1).map(scheduledName), 'the newest two are kept');
    await writeFile(path.join(backupDir, 'keep-me.txt'), 'not a backup');
    assert.deepEqual(await rotateBackups(backupDir, 1), [names[0]]);
    assert.ok(existsSync(path.join(backupDir, 'keep-me.txt')), 'rotation removes only scheduled backups');
    const rows = await t.db.selectFrom('backup_run').select(['made_by', 'file_name']).execute();
    assert.ok(rows.length >= 4 && rows.every((r) => r.made_by === 'schedule'));
    const audited = await t.db.selectFrom('audit_event').select('detail').where('action', '=', 'backup_made').execute();
    assert.equal(audited.length, rows.length, 'every backup is in the audit trail');
  });
});

/** The URL of the test app's own (migrated, not empty) database. */
async function digestsUrl(t: TestApp): Promise<string> {
  const r = await sql<{ d: string }>`select current_database() as d`.execute(t.db);
  return withDatabase(process.env.SUJARIT_TEST_DATABASE_URL ?? '', r.rows[0].d);
}
