// Section 12 of `npm run bench` (alone: BENCH_ONLY=retention): the retention job shredding many
// expired cases, in a database of its own in the run's cluster, in process. Each case is seeded
// with what a real one holds (sealed content and identity, three keys, the reporter's access, two
// messages, an attachment of two 4 KiB chunks, its closing event with a sealed reason, two ledger
// openings). The figure is cases shredded/s by applyRetention (one transaction per case, row lock,
// tombstone, audit row) with one runner and with two at once; the limit is the same rows of as many
// cases deleted by set-based statements in one transaction, measured in the same run on the same
// database. Knob: BENCH_RETENTION_CASES (5000).
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { applyRetention } from '../src/cases/retention.ts';
import { connect, type Db } from '../src/db/connection.ts';
import { migrate } from '../src/db/migrate.ts';
import type { Row } from './cases.ts';
import { envInt, fmt } from './lib.ts';

const CASES = envInt('BENCH_RETENTION_CASES', 5_000);
const DB_NAME = 'sujarit_retention_bench';
/** The job must keep at least this share of the set-based deletion's rate. */
const GOAL_RATIO = 0.25;

export type RetentionBenchContext = { clusterUrl: string; db: Db; say: (line: string) => void };

/** Seeds `n` closed cases of agency `agencyId`, closed a year ago, numbered from `from`. */
async function seed(db: Db, agencyId: number, userId: number, from: number, n: number): Promise<void> {
  const to = from + n - 1;
  await sql`
    insert into report_case (id, reference, agency_id, category, channel, status, outcome, kind, has_identity, content, identity, team_public_key)
    select md5('c' || i)::uuid, 'RET-' || i, ${agencyId}, 'bribery', 'web', 'closed', 'unfounded_or_malicious', 'tip', true,
           decode(repeat(md5('content' || i), 32), 'hex'), decode(repeat(md5('identity' || i), 4), 'hex'), sha256(('team' || i)::bytea)
    from generate_series(${from}::int, ${to}::int) i`.execute(db);
  await sql`insert into case_agency (case_id, agency_id, is_owner) select md5('c' || i)::uuid, ${agencyId}, true from generate_series(${from}::int, ${to}::int) i`.execute(
    db,
  );
  await sql`
    insert into case_key (case_id, user_id, purpose, sealed_key)
    select md5('c' || i)::uuid, ${userId}, p, decode(repeat(md5(p || i), 5), 'hex')
    from generate_series(${from}::int, ${to}::int) i, unnest(array['content', 'identity', 'team']) p`.execute(db);
  await sql`
    insert into reporter_access (lookup, case_id, wrapped_keys)
    select sha256(('lookup' || i)::bytea), md5('c' || i)::uuid, decode(repeat(md5('wrap' || i), 6), 'hex')
    from generate_series(${from}::int, ${to}::int) i`.execute(db);
  await sql`
    insert into case_message (id, case_id, author_kind, body)
    select md5('m' || i || '-' || k)::uuid, md5('c' || i)::uuid, 'reporter', decode(repeat(md5('body' || i || k), 16), 'hex')
    from generate_series(${from}::int, ${to}::int) i, generate_series(1, 2) k`.execute(db);
  await sql`insert into blob (id) select md5('b' || i)::uuid from generate_series(${from}::int, ${to}::int) i`.execute(
    db,
  );
  await sql`
    insert into blob_chunk (blob_id, seq, data)
    select md5('b' || i)::uuid, s, decode(repeat(md5('chunk' || i || s), 256), 'hex')
    from generate_series(${from}::int, ${to}::int) i, generate_series(0, 1) s`.execute(db);
  await sql`
    insert into attachment (id, case_id, blob_id, uploaded_by, meta)
    select md5('a' || i)::uuid, md5('c' || i)::uuid, md5('b' || i)::uuid, 'reporter', decode(repeat(md5('meta' || i), 8), 'hex')
    from generate_series(${from}::int, ${to}::int) i`.execute(db);
  await sql`
    insert into case_event (case_id, at, kind, from_status, to_status, outcome, reason, for_reporter)
    select md5('c' || i)::uuid, now() - interval '1 year', 'status', 'screening', 'closed', 'unfounded_or_malicious',
           decode(repeat(md5('reason' || i), 8), 'hex'), true
    from generate_series(${from}::int, ${to}::int) i`.execute(db);
  await sql`
    insert into case_ledger_event (id, outbox_id, case_id, event, opening)
    select md5('l' || i || '-' || k)::uuid, i * 2 + k, md5('c' || i)::uuid, 'submission', decode(repeat(md5('open' || i || k), 12), 'hex')
    from generate_series(${from}::int, ${to}::int) i, generate_series(0, 1) k`.execute(db);
}

/** The limit: the same rows of the cases `from`..`from + n - 1` deleted table by table in one transaction. */
async function setBased(db: Db, from: number, n: number): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const ids = sql`(select md5('c' || i)::uuid from generate_series(${from}::int, ${from + n - 1}::int) i)`;
    await sql`create temporary table gone_blobs on commit drop as select blob_id from attachment where case_id in ${ids}`.execute(
      trx,
    );
    await sql`delete from attachment where case_id in ${ids}`.execute(trx);
    await sql`delete from blob where id in (select blob_id from gone_blobs)`.execute(trx);
    for (const table of [
      'case_message',
      'case_witness',
      'case_key',
      'reporter_access',
      'identity_request',
      'case_grant',
      'line_contact',
      'complainant_notice',
      'case_ledger_event',
    ])
      await sql`delete from ${sql.table(table)} where case_id in ${ids}`.execute(trx);
    await sql`update case_event set reason = null, reason_for_supervisors = null where case_id in ${ids}`.execute(trx);
    await sql`update report_case set content = '\\x', identity = null, team_public_key = null where id in ${ids}`.execute(
      trx,
    );
    await sql`insert into case_tombstone (case_id, closed_at, rule) select c, now(), '{}' from ${ids} as t(c)`.execute(
      trx,
    );
  });
}

async function shredAll(db: Db, runners: number): Promise<number> {
  let total = 0;
  for (;;) {
    const runs = await Promise.all(Array.from({ length: runners }, () => applyRetention({ db })));
    const n = runs.reduce((s, r) => s + r.shredded.length, 0);
    total += n;
    if (n === 0) return total;
  }
}

/** Section 12: prints as it goes and adds its rows to the summary table. */
export async function retentionSection(ctx: RetentionBenchContext, rows: Row[]): Promise<void> {
  const { say } = ctx;
  say(`\n== 12. retention: shredding ${CASES.toLocaleString('en')} expired cases, one runner then two; in process`);
  await sql.raw(`drop database if exists ${DB_NAME}`).execute(ctx.db);
  await sql.raw(`create database ${DB_NAME}`).execute(ctx.db);
  const url = new URL(ctx.clusterUrl);
  url.pathname = `/${DB_NAME}`;
  const db = connect(url.toString(), 4);
  try {
    await migrate(db);
    const agency = await db
      .insertInto('agency')
      .values({ code: 'RET', name_th: 'หน่วยงานทดสอบ', name_en: 'Retention bench' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const user = await db
      .insertInto('staff_user')
      .values({ agency_id: agency.id, email: 'bench@ret.example', public_key: randomBytes(32) })
      .returning('id')
      .executeTakeFirstOrThrow();
    const rate = async (label: string, from: number, run: () => Promise<number>) => {
      await seed(db, agency.id, user.id, from, CASES);
      await sql`analyze`.execute(db);
      const t = performance.now();
      const n = await run();
      const s = (performance.now() - t) / 1000;
      if (n !== CASES) throw new Error(`${label}: ${n} of ${CASES} cases shredded`);
      say(`${label}: ${n.toLocaleString('en')} cases in ${fmt(s, 2)} s = ${fmt(n / s)} cases/s`);
      return n / s;
    };
    const limit = await rate('set-based deletion (the limit)', 1, async () => {
      await setBased(db, 1, CASES);
      return CASES;
    });
    const one = await rate('the job, one runner', CASES + 1, () => shredAll(db, 1));
    const two = await rate('the job, two runners at once', 2 * CASES + 1, () => shredAll(db, 2));
    const tombstones = await db
      .selectFrom('case_tombstone')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    if (Number(tombstones.n) !== 3 * CASES)
      throw new Error(`${tombstones.n} tombstones for ${3 * CASES} shredded cases`);
    rows.push({
      metric: `Retention: cases shredded/s by the job (${CASES.toLocaleString('en')} cases, one runner)`,
      value: `${fmt(one)}/s`,
      limit: `≥ ${GOAL_RATIO} × ${fmt(limit)}/s set-based`,
      ratio: fmt(one / limit, 2),
      verdict: one / limit >= GOAL_RATIO ? 'PASS' : 'BELOW',
    });
    rows.push({
      metric: 'Retention: cases shredded/s, two runners at once (each case once)',
      value: `${fmt(two)}/s`,
      limit: `${fmt(limit)}/s set-based`,
      ratio: fmt(two / limit, 2),
      verdict: 'info',
    });
  } finally {
    await db.destroy();
    await sql
      .raw(`drop database if exists ${DB_NAME}`)
      .execute(ctx.db)
      .catch(() => {});
  }
}
