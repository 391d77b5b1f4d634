// Section 13 of `npm run bench` (alone: BENCH_ONLY=scale): several processes (SUJARIT_WORKERS).
// The same server with one process, then with BENCH_SCALE_WORKERS (3) workers sharing its port,
// each in a database of its own in the run's cluster, production Argon2id, 3 recipients:
//   a. submissions/s (POST /api/v1/reports, BENCH_CLIENTS clients, closed loop, BENCH_SCALE_SECONDS
//      (10) after a 2 s warm-up): on one machine Argon2id bounds both alike, so the goal is that
//      N processes keep at least 0.95 of one process's rate (they add nothing but must cost nothing);
//   b. meanwhile, a staff member's case list (GET /staff/cases, HTML) every 200 ms: its p95 while
//      submissions saturate the CPU, against the case list's goal (100 ms), and idle before.
import { addAgency } from '../src/agencies/add-agency.ts';
import type { Db } from '../src/db/connection.ts';
import { totpCode } from '../src/staff/totp.ts';
import {
  addEnrolledStaff,
  closedLoop,
  cpuSnapshot,
  envInt,
  fmt,
  median,
  percentile,
  postJson,
  request,
  withSectionServer,
} from './lib.ts';
import type { Row } from './line.ts';

export type ScaleBenchContext = {
  clusterUrl: string;
  db: Db;
  tmp: string;
  clients: number;
  say: (line: string) => void;
};

const SECONDS = envInt('BENCH_SCALE_SECONDS', 10);
const WORKERS = envInt('BENCH_SCALE_WORKERS', 3);
const RATIO_GOAL = 0.95;
const STAFF_P95_GOAL_MS = 100;
const PROBE_EVERY_MS = 200;
const AGENCY = 'SCALE';
const PASSWORD = 'bench password, long enough';
const TOTP = Buffer.alloc(20, 0x37);
const REPORT = {
  agency: AGENCY,
  category: 'procurement_fraud',
  what: 'เจ้าหน้าที่จัดซื้อจัดจ้างเรียกรับเงินจากผู้รับเหมาเพื่อให้ชนะการประกวดราคา '.repeat(6),
  where: 'สำนักงานเขต',
};

type Phase = {
  perS: number;
  errors: number;
  p95: number;
  staffIdleP95: number;
  staffBusyP95: number;
  staffBusyMedian: number;
  staffN: number;
};

/** The agency and its 3 recipients, the first with a second factor, as an authenticator app enrols it. */
async function seed(db: Db): Promise<string> {
  await addAgency({ db, agency: { code: AGENCY, nameTh: 'หน่วยงานทดสอบหลายกระบวนการ', nameEn: 'Scale bench agency' } });
  for (let i = 1; i <= 3; i++)
    await addEnrolledStaff(db, { agencyCode: AGENCY, email: `r${i}@scale.example`, password: PASSWORD, totp: TOTP });
  return 'r1@scale.example';
}

async function phase(ctx: ScaleBenchContext, workers: number): Promise<Phase> {
  const env: Record<string, string> = { SUJARIT_FILING_THRESHOLD: '1000000', SUJARIT_WORKERS: String(workers) };
  return withSectionServer(
    ctx,
    { name: `scale${workers}`, sockets: ctx.clients + 4, env },
    async ({ server, db, agent, base }) => {
      const email = await seed(db);
      const login = await postJson(agent, base, '/api/v1/staff/session', {
        email,
        password: PASSWORD,
        code: totpCode(TOTP),
      });
      if (login.status !== 200) throw new Error(`staff login: ${login.status} ${login.body}`);
      const cookie = `sj_staff=${(JSON.parse(login.body) as { token: string }).token}`;
      const staffPage = async () => {
        const r = await request(agent, base, 'GET', '/staff/cases', { headers: { cookie } });
        if (r.status !== 200) throw new Error(`GET /staff/cases: ${r.status} ${r.body.slice(0, 200)}`);
        return r.ms;
      };
      const snapshot = () => cpuSnapshot(server.child.pid as number, []);
      const submit = async () => {
        const reply = await postJson(agent, base, '/api/v1/reports', REPORT);
        return { ok: reply.status === 201, reply };
      };
      await closedLoop({ seconds: 2, clients: ctx.clients, send: submit, snapshot });
      const idle: number[] = [];
      for (let i = 0; i < 20; i++) idle.push(await staffPage());
      const busy: number[] = [];
      let isLoading = true;
      const prober = (async () => {
        while (isLoading) {
          busy.push(await staffPage());
          await new Promise((r) => setTimeout(r, PROBE_EVERY_MS));
        }
      })();
      const load = await closedLoop({ seconds: SECONDS, clients: ctx.clients, send: submit, snapshot });
      isLoading = false;
      await prober;
      for (const e of load.errorSamples) ctx.say(`  error: ${e}`);
      return {
        perS: load.ok / load.elapsedS,
        errors: load.errors,
        p95: percentile(load.latencies, 95),
        staffIdleP95: percentile(idle, 95),
        staffBusyP95: percentile(busy, 95),
        staffBusyMedian: median(busy),
        staffN: busy.length,
      };
    },
  );
}

export async function scaleSection(ctx: ScaleBenchContext, rows: Row[]): Promise<void> {
  ctx.say(
    `\n== 13. several processes: submissions/s with 1 process, then ${WORKERS} workers (SUJARIT_WORKERS), ${ctx.clients} clients, ${SECONDS} s; a staff case list every ${PROBE_EVERY_MS} ms meanwhile`,
  );
  const results = new Map<number, Phase>();
  for (const n of [1, WORKERS]) {
    const r = await phase(ctx, n);
    results.set(n, r);
    ctx.say(
      `${n === 1 ? '1 process ' : `${n} workers `}: ${fmt(r.perS)} submissions/s (errors ${r.errors}, p95 ${fmt(r.p95, 0)} ms); staff case list p95 ${fmt(r.staffBusyP95, 0)} ms under load (${r.staffN} requests, median ${fmt(r.staffBusyMedian, 0)}), ${fmt(r.staffIdleP95, 0)} ms idle`,
    );
  }
  const one = results.get(1) as Phase;
  const many = results.get(WORKERS) as Phase;
  const ratio = many.perS / one.perS;
  rows.push({
    metric: `Submissions/s, ${WORKERS} workers`,
    value: `${fmt(many.perS)} /s`,
    limit: `${fmt(one.perS)} /s (1 process, same run)`,
    ratio: fmt(ratio, 2),
    verdict: ratio >= RATIO_GOAL ? 'PASS' : 'BELOW',
  });
  for (const [n, r] of results)
    rows.push({
      metric: `Staff case list p95 while submissions saturate the CPU, ${n === 1 ? '1 process' : `${n} workers`}`,
      value: `${fmt(r.staffBusyP95, 0)} ms`,
      limit: `${STAFF_P95_GOAL_MS} ms`,
      ratio: fmt(r.staffBusyP95 / STAFF_P95_GOAL_MS, 2),
      verdict: r.staffBusyP95 <= STAFF_P95_GOAL_MS ? 'PASS' : 'BELOW',
    });
}
