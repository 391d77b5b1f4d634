// Section 15 of `npm run bench` (alone: BENCH_ONLY=risk): the corruption-risk signals page of one
// agency holding 200,000 cases (two fiscal years, every kind and category; 20,000 permits and
// 20,000 ratings; 20 units, each case concerning one of them but one in 21 concerning none), in a
// database of its own in the run's cluster. The page is requested through
// the app in process (app.inject: session, the signals' queries, the audit row, the Eta view), as a
// risk officer's browser would; what HTTP adds on a socket is section 4's. Goal: p95 under 200 ms.
// The page counts anew at most once a minute per agency and year (SIGNALS_FRESH_MS); the cost of
// counting anew is measured apart (computeSignals), against the same goal.
// Knobs: BENCH_RISK_CASES (200000), BENCH_RISK_N (60 requests), BENCH_RISK_COUNT_N (20 counts).
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { addAgency } from '../src/agencies/add-agency.ts';
import { MIN_KDF } from '../src/config/load.ts';
import { currentFiscalYear } from '../src/cases/figures.ts';
import { sealTo } from '../src/crypto/sealed-box.ts';
import type { connect } from '../src/db/connection.ts';
import { computeSignals } from '../src/risk/signals.ts';
import { addStaffUser } from '../src/staff/add-user.ts';
import type { Row } from './cases.ts';
import { envInt, fmt, inProcessApp, median, percentile, withOwnDatabase } from './lib.ts';

const TOTAL = envInt('BENCH_RISK_CASES', 200_000);
const N = envInt('BENCH_RISK_N', 60);
const GOAL_MS = 200;
const COUNT_N = envInt('BENCH_RISK_COUNT_N', 20);
/** The agency's units: each case concerns one of them, or (one in UNITS + 1) none. */
const UNITS = 20;
const DB_NAME = 'sujarit_risk_bench';
const TOTP = Buffer.alloc(20, 0x52);
const PASSWORD = 'bench password, long enough';

/** Seeds the agency's cases over this fiscal year and the one before, with SQL. */
export async function seed(db: ReturnType<typeof connect>, agencyId: number, say: (s: string) => void) {
  const t0 = performance.now();
  const fy = currentFiscalYear();
  const from = `${fy - 544 - 1}-10-01`; // the start of last fiscal year
  const units = await sql<{ id: number }>`
    insert into agency_unit (agency_id, code, name_th, name_en)
    select ${agencyId}, 'U' || u, 'หน่วยงานย่อย ' || u, 'Unit ' || u from generate_series(1, ${UNITS}) u
    returning id`.execute(db);
  const unitIds = units.rows.map((u) => u.id);
  await sql`
    insert into report_case (id, reference, agency_id, category, channel, status, outcome, has_identity, content, kind,
      created_at, updated_at, ack_due_at, reply_due_at, unit_id)
    select gen_random_uuid(), 'RB-' || g, ${agencyId},
      (array['bribery','procurement_fraud','abuse_of_authority','misuse_of_state_property','conflict_of_interest','other',
             'service_delay','staff_conduct','service_quality','fees','late_permit'])[1 + g % 11],
      (array['web','line','phone','api'])[1 + g % 4],
      (array['new','acknowledged','screening','investigating','concluded','closed'])[1 + g % 6],
      case when g % 6 = 4 then (array['substantiated','partly_substantiated','not_substantiated'])[1 + g % 3] end,
      false, '\\x00'::bytea,
      case when g % 11 = 10 then 'permit' when g % 11 >= 6 then 'complaint' else 'tip' end,
      ts, ts,
      case when g % 6 < 2 then ts + interval '7 days' end,
      case when g % 6 < 3 then ts + interval '15 days' end,
      (${unitIds}::int[])[1 + g % ${UNITS + 1}]
    from generate_series(1, ${TOTAL}) g,
      lateral (select ${from}::timestamptz + (g::float / ${TOTAL}) * (now() - ${from}::timestamptz) as ts) t`.execute(
    db,
  );
  await sql`
    insert into permit_request (case_id, agency_id, filed_on, manual_due_on, decision, decided_on)
    select id, agency_id, created_at::date, created_at::date + 15,
      case when number % 3 = 0 then null else 'approved' end,
      case when number % 3 = 0 then null else created_at::date + (number % 30)::int end
    from report_case where agency_id = ${agencyId} and kind = 'permit' limit 20000`.execute(db);
  await sql`
    insert into case_rating (case_id, agency_id, score, channel, rated_on)
    select id, agency_id, 1 + number % 5, 'web', created_at::date + 20
    from report_case where agency_id = ${agencyId} and kind = 'complaint' limit 20000`.execute(db);
  await sql`vacuum analyze`.execute(db);
  say(
    `seeded ${TOTAL.toLocaleString('en')} cases (${UNITS} units), 20,000 permits, 20,000 ratings in ${fmt((performance.now() - t0) / 1000)} s`,
  );
}

/** Section 15: prints as it goes and adds its row to the summary table. */
export async function riskSection(
  ctx: { clusterUrl: string; db: ReturnType<typeof connect>; say: (s: string) => void },
  rows: Row[],
): Promise<void> {
  const { say } = ctx;
  say(
    `\n== 15. corruption risk: the signals page of one agency with ${TOTAL.toLocaleString('en')} cases (${N} requests, in process)`,
  );
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'sujarit-risk-bench-'));
  try {
    await withOwnDatabase(ctx, DB_NAME, async (db) => {
      const { id: agencyId } = await addAgency({
        db,
        agency: { code: 'RISK', nameTh: 'หน่วยงานทดสอบความเสี่ยง', nameEn: 'Risk bench agency' },
      });
      await seed(db, agencyId, say);
      const email = 'risk@bench.example';
      const { id } = await addStaffUser({
        db,
        kdf: MIN_KDF,
        agencyCode: 'RISK',
        email,
        roles: ['risk_officer'],
        password: PASSWORD,
      });
      const { public_key } = await db
        .selectFrom('staff_user')
        .select('public_key')
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      if (!public_key) throw new Error('no key');
      await db
        .updateTable('staff_user')
        .set({ totp_sealed: sealTo(public_key, TOTP) })
        .where('id', '=', id)
        .execute();
      const { app, token } = await inProcessApp(db, dataDir, { email, password: PASSWORD, totp: TOTP });
      const get = () =>
        app.inject({ method: 'GET', url: '/staff/risk/signals', headers: { cookie: `sj_staff=${token}` } });
      const first = await get();
      if (first.statusCode !== 200 || !first.body.includes('<table') || first.body.includes('risk.signal.'))
        throw new Error(`signals page: ${first.statusCode} ${first.body.slice(0, 300)}`);
      for (let i = 0; i < 5; i++) await get(); // warm
      const times: number[] = [];
      for (let i = 0; i < N; i++) {
        const t = performance.now();
        const res = await get();
        times.push(performance.now() - t);
        if (res.statusCode !== 200) throw new Error(`signals page: ${res.statusCode}`);
      }
      await app.close();
      const counts: number[] = [];
      for (let i = 0; i < COUNT_N; i++) {
        const t = performance.now();
        await computeSignals(db, agencyId, currentFiscalYear());
        counts.push(performance.now() - t);
      }
      const c95 = percentile(counts, 95);
      say(
        `  counting the signals anew (computeSignals, at most once a minute per agency and year)  p50 ${fmt(median(counts))} ms  p95 ${fmt(c95)} ms`,
      );
      rows.push({
        metric: `Risk: counting the signals anew, ${TOTAL.toLocaleString('en')} cases, p95 (median ${fmt(median(counts))})`,
        value: `${fmt(c95)} ms`,
        limit: `< ${GOAL_MS} ms`,
        ratio: fmt(c95 / GOAL_MS, 2),
        verdict: c95 < GOAL_MS ? 'PASS' : 'BELOW',
      });
      const p95 = percentile(times, 95);
      say(
        `  GET /staff/risk/signals  p50 ${fmt(median(times))} ms  p95 ${fmt(p95)} ms  max ${fmt(Math.max(...times))} ms`,
      );
      rows.push({
        metric: `Risk: signals page, ${TOTAL.toLocaleString('en')} cases, p95 (median ${fmt(median(times))})`,
        value: `${fmt(p95)} ms`,
        limit: `< ${GOAL_MS} ms`,
        ratio: fmt(p95 / GOAL_MS, 2),
        verdict: p95 < GOAL_MS ? 'PASS' : 'BELOW',
      });
    });
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}
