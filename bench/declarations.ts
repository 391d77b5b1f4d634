// Section 19 of `npm run bench` (alone: BENCH_ONLY=declarations): the automatic checks of interest
// and asset declarations over 100,000 declarations (50,000 declarants, two years each), in a
// database of its own in the run's cluster, in process. Each declaration is sealed as filing seals it
// (content under a random key, the key sealed to the reviewer, and on each declarant's latest
// declaration their summary of figures for the checks, src/declarations/summary.ts, under that
// declaration's key). The figure is recheckAgency: the declarants read in batches, each one's
// summary opened with a key opened with the reviewer's private key, every declaration checked
// against the declarant's previous one, and the changed flags written back (after seeding, every
// row's flags are empty, so every flagged row is written). Goal: under 10 s. The first run opens a
// sealed box per declarant (one X25519 operation each) and writes the reviewer's key ring; the
// figure is the second run, from the ring (flags cleared first, so every flagged row is written
// again); the first is printed beside it. The pure checks alone are timed too, and, for comparison,
// a run that opens every declaration's content (every summary removed first: the path of
// declarations filed before summaries, which writes them). Knob: BENCH_DECLARATIONS (100000).
import { randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { addAgency } from '../src/agencies/add-agency.ts';
import { MIN_KDF } from '../src/config/load.ts';
import { aeadKey, sealJson } from '../src/crypto/aead.ts';
import { generateKeyPair, sealTo } from '../src/crypto/sealed-box.ts';
import { connect } from '../src/db/connection.ts';
import { migrate } from '../src/db/migrate.ts';
import { checkDeclaration, figuresOf } from '../src/declarations/checks.ts';
import type { DeclarationContent } from '../src/declarations/content.ts';
import { recheckAgency } from '../src/declarations/recheck.ts';
import { sealSummary } from '../src/declarations/summary.ts';
import { addStaffUser } from '../src/staff/add-user.ts';
import type { StaffActor } from '../src/staff/session.ts';
import type { Row } from './cases.ts';
import { envInt, fmt } from './lib.ts';

const TOTAL = envInt('BENCH_DECLARATIONS', 100_000);
const GOAL_S = 10;
const DB_NAME = 'sujarit_declarations_bench';
const BATCH = 5000;

/** A declarant's declaration of year `y` (0 or 1): deterministic, with every check firing somewhere. */
function contentOf(i: number, y: number): DeclarationContent {
  const income = 200_000 + (i % 50) * 20_000;
  const growth = i % 7 === 0 ? 5_000_000 : y * 100_000;
  return {
    occasion: y === 0 ? 'entry' : 'yearly',
    income,
    assets: [
      { kind: 'land', description: 'ที่ดิน', value: 1_000_000 + (i % 13) * 100_000 + growth, acquiredOn: '2020-01-01' },
      { kind: 'deposit', description: 'เงินฝาก', value: i % 11 === 0 ? income * 12 : income, acquiredOn: null },
      { kind: 'vehicle', description: 'รถยนต์', value: i % 17 === 0 ? null : 500_000, acquiredOn: '2022-06-01' },
    ],
    liabilities: i % 19 === 0 ? [{ description: 'เงินกู้', amount: 10_000_000 }] : [],
    interests: [],
    explanation: i % 3 === 0 ? 'ชี้แจง' : '',
  };
}

async function seed(
  db: ReturnType<typeof connect>,
  agencyId: number,
  users: number[],
  reviewer: { id: number; publicKey: Buffer },
) {
  const filedAt = (y: number) => new Date(Date.UTC(2025 + y, 10, 1));
  for (let start = 0; start < TOTAL; start += BATCH) {
    const ids: string[] = [];
    const userIds: number[] = [];
    const occasions: string[] = [];
    const tokens: string[] = [];
    const contents: Buffer[] = [];
    const filed: Date[] = [];
    const keys: Buffer[] = [];
    const summaries: (Buffer | null)[] = [];
    for (let n = start; n < Math.min(TOTAL, start + BATCH); n++) {
      const i = Math.floor(n / 2);
      const y = n % 2;
      const id = randomUUID();
      const key = randomBytes(32);
      const c = contentOf(i, y);
      // as filing writes it: the latest declaration carries the declarant's summary, the earlier none
      summaries.push(
        y === 1
          ? sealSummary(key, id, [
              { id: ids[ids.length - 1] as string, figures: figuresOf(contentOf(i, 0)) },
              { id, figures: figuresOf(c) },
            ])
          : null,
      );
      ids.push(id);
      userIds.push(users[i] as number);
      occasions.push(c.occasion);
      tokens.push(randomUUID());
      contents.push(sealJson(aeadKey(key), c, `declaration/${id}`));
      filed.push(filedAt(y));
      keys.push(sealTo(reviewer.publicKey, key));
    }
    await sql`insert into declaration (id, agency_id, user_id, occasion, filing_token, content, filed_at, summary)
      select * from unnest(${ids}::uuid[], ${sql.raw(`array_fill(${agencyId}, array[${ids.length}])`)}::int[], ${userIds}::int[],
        ${occasions}::text[], ${tokens}::uuid[], ${contents}::bytea[], ${filed}::timestamptz[], ${summaries}::bytea[])`.execute(
      db,
    );
    await sql`insert into declaration_key (declaration_id, user_id, sealed_key)
      select u.id, ${reviewer.id}, u.k from unnest(${ids}::uuid[], ${keys}::bytea[]) as u(id, k)`.execute(db);
  }
  await sql`vacuum analyze declaration`.execute(db);
}

/** Section 19: prints as it goes and adds its rows to the summary table. */
export async function declarationsSection(
  ctx: { clusterUrl: string; db: ReturnType<typeof connect>; say: (s: string) => void },
  rows: Row[],
): Promise<void> {
  const { say } = ctx;
  say(
    `\n== 19. declarations: the automatic checks over ${TOTAL.toLocaleString('en')} sealed declarations (in process)`,
  );
  await sql.raw(`drop database if exists ${DB_NAME}`).execute(ctx.db);
  await sql.raw(`create database ${DB_NAME}`).execute(ctx.db);
  const url = new URL(ctx.clusterUrl);
  url.pathname = `/${DB_NAME}`;
  const db = connect(url.toString(), 4);
  try {
    await migrate(db);
    const { id: agencyId } = await addAgency({
      db,
      agency: { code: 'DECL', nameTh: 'หน่วยงานทดสอบบัญชีทรัพย์สิน', nameEn: 'Declarations bench agency' },
    });
    const declarants = Math.ceil(TOTAL / 2);
    const { rows: made } = await sql<{ id: number }>`
      insert into staff_user (agency_id, email, is_active)
      select ${agencyId}, 'd' || g || '@bench.example', false from generate_series(1, ${declarants}) g
      order by g returning id`.execute(db);
    const users = made.map((r) => r.id);
    const keys = generateKeyPair();
    const { id: reviewerId } = await addStaffUser({
      db,
      kdf: MIN_KDF,
      agencyCode: 'DECL',
      email: 'rev@bench.example',
      roles: ['declaration_reviewer'],
      password: 'bench password, long enough',
    });
    const t0 = performance.now();
    await seed(db, agencyId, users, { id: reviewerId, publicKey: keys.publicKey });
    say(`  seeded ${TOTAL.toLocaleString('en')} sealed declarations in ${fmt((performance.now() - t0) / 1000)} s`);
    const actor: StaffActor = {
      id: reviewerId,
      agencyId,
      email: 'rev@bench.example',
      displayName: '',
      roles: ['declaration_reviewer'],
      isEnrolled: true,
      keys,
    };
    const t1 = performance.now();
    const first = await recheckAgency(db, actor);
    const firstSeconds = (performance.now() - t1) / 1000;
    if (first.checked !== TOTAL) throw new Error(`checked ${first.checked} of ${TOTAL}`);
    say(
      `  recheckAgency, first run (every sealed box opened, the key ring written): ${first.checked.toLocaleString('en')} checked, ${first.changed.toLocaleString('en')} flagged, ${fmt(firstSeconds)} s`,
    );
    await sql`update declaration set flags = '{}'`.execute(db);
    const t1b = performance.now();
    const run = await recheckAgency(db, actor);
    const seconds = (performance.now() - t1b) / 1000;
    if (run.checked !== TOTAL || run.changed !== first.changed) throw new Error(`second run: ${JSON.stringify(run)}`);
    say(
      `  recheckAgency, from the key ring (flags cleared first, so every flagged row is written again): ${fmt(seconds)} s`,
    );
    await sql`update declaration set flags = '{}', summary = null`.execute(db);
    const t1c = performance.now();
    const each = await recheckAgency(db, actor);
    const eachSeconds = (performance.now() - t1c) / 1000;
    if (each.checked !== TOTAL || each.changed !== first.changed) throw new Error(`third run: ${JSON.stringify(each)}`);
    say(
      `  recheckAgency opening every declaration (summaries removed first, as before summaries; from the ring; writes them): ${fmt(eachSeconds)} s`,
    );
    const t2 = performance.now();
    let flagged = 0;
    for (let n = 0; n < TOTAL; n += 2) {
      const i = n / 2;
      if (checkDeclaration(contentOf(i, 0), null).length > 0) flagged++;
      if (checkDeclaration(contentOf(i, 1), contentOf(i, 0)).length > 0) flagged++;
    }
    const pure = (performance.now() - t2) / 1000;
    say(
      `  the pure checks alone (content already in memory): ${fmt(pure * 1000)} ms, ${flagged.toLocaleString('en')} flagged`,
    );
    rows.push({
      metric: `Declarations: checks over ${TOTAL.toLocaleString('en')} sealed declarations, first run (sealed boxes)`,
      value: `${fmt(firstSeconds)} s`,
      limit: `< ${GOAL_S} s`,
      ratio: fmt(firstSeconds / GOAL_S, 2),
      verdict: 'info',
    });
    rows.push({
      metric: `Declarations: checks over ${TOTAL.toLocaleString('en')} sealed declarations, every content opened (no summaries)`,
      value: `${fmt(eachSeconds)} s`,
      limit: `< ${GOAL_S} s`,
      ratio: fmt(eachSeconds / GOAL_S, 2),
      verdict: 'info',
    });
    rows.push({
      metric: `Declarations: checks over ${TOTAL.toLocaleString('en')} sealed declarations (key ring, summaries, check, store)`,
      value: `${fmt(seconds)} s`,
      limit: `< ${GOAL_S} s`,
      ratio: fmt(seconds / GOAL_S, 2),
      verdict: seconds < GOAL_S ? 'PASS' : 'BELOW',
    });
  } finally {
    await db.destroy();
    await sql
      .raw(`drop database if exists ${DB_NAME}`)
      .execute(ctx.db)
      .catch(() => {});
  }
}
