// Section 18 of `npm run bench` (alone: BENCH_ONLY=opendata): open data at national scale (issue 17).
// In a database of its own in the run's cluster: BENCH_OPENDATA_CASES cases (default 10,000,000)
// spread over BENCH_OPENDATA_AGENCIES agencies (default 8,000) and the BENCH_OPENDATA_MONTHS months
// (default 24) up to the last complete month, every kind, channel, category and status, with their
// acknowledgement and conclusion events, permits and ratings. Measured:
//   - regenerating every dataset: one month's release (counts, disclosure control of every table,
//     CSV and JSON, stored and committed to the ledger outbox), goal under 60 s, and this process's
//     peak RSS meanwhile (sampled every 20 ms; printed, no goal);
//   - the catalogue and scorecard pages (/data, /data/<id>, the DCAT-AP catalogue, CKAN's
//     package_search, /scorecards, one agency's card, a comparison), goal p95 under 100 ms;
//   - the overseer's page (/staff/oversight, every agency granted: the first 50), goal p95 under 300 ms.
// Pages are requested through the app in process (app.inject), as bench/risk.ts does.
// Knobs: BENCH_OPENDATA_CASES, BENCH_OPENDATA_AGENCIES, BENCH_OPENDATA_MONTHS, BENCH_OPENDATA_N (40 requests a page).
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import type { connect } from '../src/db/connection.ts';
import { caseCounts, permitCounts, ratingCounts } from '../src/opendata/counts.ts';
import { setOversight } from '../src/opendata/oversight.ts';
import { lastCompleteMonth, releaseMonth } from '../src/opendata/release.ts';
import type { Row } from './cases.ts';
import { addEnrolledStaff, envInt, fmt, inProcessApp, median, percentile, withOwnDatabase } from './lib.ts';

const CASES = envInt('BENCH_OPENDATA_CASES', 10_000_000);
const AGENCIES = envInt('BENCH_OPENDATA_AGENCIES', 8_000);
const MONTHS = envInt('BENCH_OPENDATA_MONTHS', 24);
const N = envInt('BENCH_OPENDATA_N', 40);
const RELEASE_GOAL_S = 60;
const PAGE_GOAL_MS = 100;
const OVERSIGHT_GOAL_MS = 300;
const DB_NAME = 'sujarit_opendata_bench';
const TOTP = Buffer.alloc(20, 0x4f);
const PASSWORD = 'bench password, long enough';

type BenchDb = ReturnType<typeof connect>;

/** The code of the k-th agency seeded (any k: wraps around the agencies there are). */
const codeOf = (k: number) => `A${String(1 + (k % AGENCIES)).padStart(5, '0')}`;

/** The agencies (types, ministries, provinces in rotation) and the cases over MONTHS months, with SQL. */
export async function seed(db: BenchDb, month: string, say: (s: string) => void): Promise<void> {
  const t0 = performance.now();
  await sql`
    insert into agency (code, name_th, name_en, ministry, province, agency_type)
    select 'A' || lpad(g::text, 5, '0'), 'หน่วยงาน ' || g, 'Agency ' || g,
      'กระทรวง ' || (g % 20), 'จังหวัด ' || (g % 77),
      (array['central','provincial','local','state_enterprise','public_organisation','independent','other'])[1 + g % 7]
    from generate_series(1, ${AGENCIES}) g`.execute(db);
  const end = `${month}-01`;
  // Each case's first acknowledgement and conclusion are set here, at the times of the status events
  // inserted next (the same expressions), with case_event's trigger that keeps them set aside: the
  // trigger would update a case row per event (migration 0262).
  const status = `(array['new','acknowledged','screening','investigating','concluded','closed'])[1 + g % 6]`;
  await sql`
    insert into report_case (id, reference, agency_id, category, channel, status, outcome, has_identity, content, kind,
      created_at, updated_at, ack_due_at, reply_due_at, feedback_due_at, first_reply_at, first_ack_at, first_done_at)
    select s.id, 'OD-' || g, a.id,
      (array['bribery','procurement_fraud','abuse_of_authority','misuse_of_state_property','conflict_of_interest','other',
             'service_delay','staff_conduct','service_quality','fees','late_permit'])[1 + g % 11],
      (array['web','line','phone','api'])[1 + g % 4],
      ${sql.raw(status)},
      case when g % 6 = 5 then (array['substantiated','not_substantiated','resolved','out_of_scope'])[1 + g % 4] end,
      false, '\\x00'::bytea,
      case when g % 11 = 10 then 'permit' when g % 11 >= 6 then 'complaint' else 'tip' end,
      ts, ts, ts + interval '7 days', ts + interval '15 days', ts + interval '3 months',
      case when g % 6 >= 2 then ts + ((g % 20) || ' days')::interval end,
      case when g % 6 <> 0 then ts + ((abs(hashtext(s.id::text)) % 12) || ' days')::interval end,
      case when g % 6 >= 4 then ts + ((abs(hashtext(s.id::text)) % 120) || ' days')::interval end
    from (select gen_random_uuid() as id, g from generate_series(1, ${CASES}) g) s
      join agency a on a.code = 'A' || lpad((1 + g % ${AGENCIES})::text, 5, '0'),
      lateral (select (${end}::date - ${MONTHS} * interval '1 month' + (g::float / ${CASES}) * ${MONTHS} * interval '1 month')::timestamptz as ts) t`.execute(
    db,
  );
  await sql`alter table case_event disable trigger case_clock_times`.execute(db);
  await sql`
    insert into case_event (case_id, at, kind, from_status, to_status, for_reporter)
    select id, created_at + ((abs(hashtext(id::text)) % 12) || ' days')::interval, 'status', 'new', 'acknowledged', true
    from report_case where status <> 'new'`.execute(db);
  await sql`
    insert into case_event (case_id, at, kind, from_status, to_status, for_reporter)
    select id, created_at + ((abs(hashtext(id::text)) % 120) || ' days')::interval, 'status', 'investigating', status, true
    from report_case where status in ('concluded', 'closed')`.execute(db);
  await sql`alter table case_event enable trigger case_clock_times`.execute(db);
  await sql`
    insert into permit_request (case_id, agency_id, filed_on, manual_due_on, decision, decided_on)
    select id, agency_id, created_at::date, created_at::date + 15,
      case when number % 3 = 0 then null else 'approved' end,
      case when number % 3 = 0 then null else created_at::date + (number % 30)::int end
    from report_case where kind = 'permit'`.execute(db);
  await sql`
    insert into case_rating (case_id, agency_id, score, channel, rated_on)
    select id, agency_id, 1 + number % 5, 'web', created_at::date + 20
    from report_case where kind = 'complaint' and status = 'closed'`.execute(db);
  await sql`vacuum analyze`.execute(db);
  say(
    `  seeded ${AGENCIES.toLocaleString('en')} agencies and ${CASES.toLocaleString('en')} cases over ${MONTHS} months (events, permits, ratings) in ${fmt((performance.now() - t0) / 1000)} s`,
  );
}

/** This process's resident set, sampled until stopped: its peak in MB. */
function peakRss(): { stop: () => number } {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 20);
  return {
    stop: () => {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage.rss()) / 1024 / 1024;
    },
  };
}

/** Section 18: prints as it goes and adds its rows to the summary table. */
export async function openDataSection(
  ctx: { clusterUrl: string; db: BenchDb; say: (s: string) => void },
  rows: Row[],
): Promise<void> {
  const { say } = ctx;
  say(
    `\n== 18. open data: ${CASES.toLocaleString('en')} cases in ${AGENCIES.toLocaleString('en')} agencies: a month's release, the catalogue and scorecard pages, the overseer's page (${N} requests a page, in process)`,
  );
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'sujarit-opendata-bench-'));
  try {
    await withOwnDatabase(ctx, DB_NAME, async (db) => {
      const month = lastCompleteMonth();
      await seed(db, month, say);

      const rss = peakRss();
      const t0 = performance.now();
      const released = await releaseMonth({ db, month });
      const seconds = (performance.now() - t0) / 1000;
      const peak = rss.stop();
      // Where the release's time goes: the three counting queries alone, timed again after it (the
      // database's caches as warm as at the release's end), against the rest (control, files, storing).
      const c0 = performance.now();
      const now = new Date();
      const [cases] = await Promise.all([
        caseCounts(db, month, now),
        permitCounts(db, month, now),
        ratingCounts(db, month),
      ]);
      const countSeconds = (performance.now() - c0) / 1000;
      say(
        `  of which the counting queries, timed again alone: ${fmt(countSeconds)} s (${cases.length.toLocaleString('en')} agency-months); the rest (disclosure control, files, storing) about ${fmt(Math.max(0, seconds - countSeconds))} s`,
      );
      const sizes = await db
        .selectFrom('dataset_release')
        .select(['dataset', sql<number>`length(csv)`.as('csv'), sql<number>`length(json)`.as('json')])
        .execute();
      say(
        `  release of ${month}: ${released.length} datasets in ${fmt(seconds)} s, peak RSS ${fmt(peak)} MB; ${sizes.map((s) => `${s.dataset} ${fmt(Number(s.csv) / 1e6)} MB CSV`).join(', ')}`,
      );
      rows.push({
        metric: `Open data: regenerating every dataset, ${CASES.toLocaleString('en')} cases in ${AGENCIES.toLocaleString('en')} agencies (peak RSS ${fmt(peak)} MB)`,
        value: `${fmt(seconds)} s`,
        limit: `< ${RELEASE_GOAL_S} s`,
        ratio: fmt(seconds / RELEASE_GOAL_S, 2),
        verdict: seconds < RELEASE_GOAL_S ? 'PASS' : 'BELOW',
      });

      const email = 'overseer@bench.example';
      const id = await addEnrolledStaff(db, { agencyCode: 'A00001', email, password: PASSWORD, totp: TOTP });
      const codes = (await db.selectFrom('agency').select('code').execute()).map((r) => r.code);
      await setOversight({ db, actor: { id, roles: ['platform_admin'] }, email, agencyCodes: codes });
      const { app, token } = await inProcessApp(db, dataDir, { email, password: PASSWORD, totp: TOTP });
      try {
        const time = async (label: string, url: string, goal: number, headers: Record<string, string> = {}) => {
          const get = () => app.inject({ method: 'GET', url, headers });
          const first = await get();
          if (first.statusCode !== 200) throw new Error(`${url}: ${first.statusCode} ${first.body.slice(0, 300)}`);
          for (let i = 0; i < 3; i++) await get();
          const times: number[] = [];
          for (let i = 0; i < N; i++) {
            const t = performance.now();
            await get();
            times.push(performance.now() - t);
          }
          const p95 = percentile(times, 95);
          say(`  GET ${url.slice(0, 70)}  p50 ${fmt(median(times))} ms  p95 ${fmt(p95)} ms`);
          rows.push({
            metric: `Open data: ${label}, p95 (median ${fmt(median(times))})`,
            value: `${fmt(p95)} ms`,
            limit: `< ${goal} ms`,
            ratio: fmt(p95 / goal, 2),
            verdict: p95 < goal ? 'PASS' : 'BELOW',
          });
        };
        await time('catalogue /data', '/data', PAGE_GOAL_MS);
        await time('a dataset page', '/data/complaints-and-tips', PAGE_GOAL_MS);
        await time('DCAT-AP catalogue', '/data/catalog.jsonld', PAGE_GOAL_MS);
        await time('CKAN package_search', '/api/3/action/package_search?q=permits', PAGE_GOAL_MS);
        await time('scorecards list', '/scorecards', PAGE_GOAL_MS);
        await time('one agency scorecard', `/scorecards/${codeOf(4320)}`, PAGE_GOAL_MS);
        await time(
          'three agencies compared',
          `/scorecards/compare?a=${codeOf(6)}&a=${codeOf(99)}&a=${codeOf(7776)}`,
          PAGE_GOAL_MS,
        );
        await time(
          `overseer, ${AGENCIES.toLocaleString('en')} agencies granted (first page of 50)`,
          '/staff/oversight',
          OVERSIGHT_GOAL_MS,
          {
            cookie: `sj_staff=${token}`,
          },
        );
      } finally {
        await app.close();
      }
    });
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}
