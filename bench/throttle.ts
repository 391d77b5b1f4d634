// Section 10 of `npm run bench`: the login limits under attack (issue 12, item 4), on the real
// server (child process, production Argon2id cost, default limits).
//   a. 50 clients send wrong receipts as fast as answers come (never obeying Retry-After) while a
//      reporter logs in with a valid receipt every 100 ms: wrong receipts actually derived per
//      second against the configured limit, and the valid login's share admitted and time when
//      admitted against one derivation measured in the same run;
//   b. 50 clients brute-force one staff account while another staff member logs in every 100 ms:
//      the other's share admitted and time against one derivation.
// BENCH_THROTTLE_SECONDS sets each flood's length (default 6).
import { randomBytes, randomInt } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { addAgency } from '../src/agencies/add-agency.ts';
import { DEFAULT_LOGIN_LIMITS, MIN_KDF } from '../src/config/load.ts';
import { deriveReceiptKeys, generateReceipt } from '../src/crypto/receipt.ts';
import type { Db } from '../src/db/connection.ts';
import { recoveryHash } from '../src/staff/totp.ts';
import {
  addEnrolledStaff,
  envInt,
  fmt,
  median,
  postJson,
  processCpuSeconds,
  withSectionServer,
  type Reply,
} from './lib.ts';
import type { Row } from './line.ts';

export type ThrottleBenchContext = { clusterUrl: string; db: Db; tmp: string; say: (line: string) => void };

const SECONDS = envInt('BENCH_THROTTLE_SECONDS', 6);
const CLIENTS = 50;
const PROBE_EVERY_MS = 100;
const PASSWORD = 'bench password, long enough';
const LIMITS = DEFAULT_LOGIN_LIMITS;
const LIMIT_ENV = Object.fromEntries(
  (['receipt', 'tracking', 'staff', 'staffAccount'] as const).flatMap((scope) => {
    const name = scope === 'staffAccount' ? 'STAFF_ACCOUNT' : scope.toUpperCase();
    return [
      [`SUJARIT_LIMIT_${name}_PER_MIN`, String(LIMITS[scope].perMinute)],
      [`SUJARIT_LIMIT_${name}_BURST`, String(LIMITS[scope].burst)],
    ];
  }),
);

const wrongReceipt = () => String(randomInt(1e8)).padStart(8, '0') + String(randomInt(1e8)).padStart(8, '0');
const recoveryCode = (n: number) =>
  String(n)
    .padStart(16, '0')
    .replace(/(\d{4})(?=\d)/g, '$1-');

type Flood = {
  elapsedS: number;
  byStatus: Map<number, number>;
  samples: string[];
  probe: { ms: number; status: number }[];
  serverCpu: number;
  clientCpu: number;
};

/** `CLIENTS` loops sending `attack` back to back, and one probe every PROBE_EVERY_MS, for SECONDS. */
async function flood(
  serverPid: number,
  attack: () => Promise<Reply>,
  probe: (i: number) => Promise<Reply>,
): Promise<Flood> {
  const byStatus = new Map<number, number>();
  const samples: string[] = [];
  const probes: { ms: number; status: number }[] = [];
  const started = performance.now();
  const cpu0 = { server: processCpuSeconds(serverPid), client: process.cpuUsage() };
  const deadline = started + SECONDS * 1000;
  const attackers = Array.from({ length: CLIENTS }, async () => {
    while (performance.now() < deadline) {
      const r = await attack();
      byStatus.set(r.status, (byStatus.get(r.status) ?? 0) + 1);
      if (r.status !== 401 && r.status !== 429 && samples.length < 3)
        samples.push(`${r.status} ${r.body.slice(0, 160)}`);
    }
  });
  const prober = (async () => {
    await sleep(500); // the burst is spent by then: the probe meets the steady state
    for (let i = 0; performance.now() < deadline; i++) {
      const r = await probe(i);
      probes.push({ ms: r.ms, status: r.status });
      if (r.status !== 200 && r.status !== 429 && samples.length < 6)
        samples.push(`probe: ${r.status} ${r.body.slice(0, 160)}`);
      await sleep(PROBE_EVERY_MS);
    }
  })();
  await Promise.all([...attackers, prober]);
  const elapsedS = (performance.now() - started) / 1000;
  const client = process.cpuUsage(cpu0.client);
  return {
    elapsedS,
    byStatus,
    samples,
    probe: probes,
    serverCpu: (processCpuSeconds(serverPid) - cpu0.server) / elapsedS,
    clientCpu: (client.user + client.system) / 1e6 / elapsedS,
  };
}

const count = (f: Flood, status: number) => f.byStatus.get(status) ?? 0;
const statuses = (f: Flood) =>
  [...f.byStatus]
    .sort((a, b) => a[0] - b[0])
    .map(([s, n]) => `${s}×${n}`)
    .join(', ');
const answers = (f: Flood) => [...f.byStatus.values()].reduce((a, b) => a + b, 0);
/** Where the machine went: the server's and this load generator's CPU, in cores, and per answer. */
const cpuLine = (f: Flood) =>
  `CPU: server ${fmt(f.serverCpu, 2)} core (${fmt((1000 * f.serverCpu * f.elapsedS) / answers(f), 2)} ms an answer), load generator ${fmt(f.clientCpu, 2)} core`;

/** Section 10: prints as it goes and adds its rows to the summary table. */
export async function throttleSection(ctx: ThrottleBenchContext, rows: Row[]): Promise<void> {
  const { say } = ctx;
  const receiptPerS = LIMITS.receipt.perMinute / 60;
  say(
    `\n== 10. login limits: ${CLIENTS} clients flooding wrong guesses for ${SECONDS} s each (Retry-After ignored); receipts ${receiptPerS}/s burst ${LIMITS.receipt.burst}, staff account ${LIMITS.staffAccount.perMinute}/min burst ${LIMITS.staffAccount.burst}`,
  );
  await withSectionServer(
    ctx,
    { name: 'throttle', sockets: CLIENTS + 4, env: LIMIT_ENV },
    async ({ server, db, agent, base }) => {
      await addAgency({ db, agency: { code: 'LIMIT', nameTh: 'หน่วยงานทดสอบ', nameEn: 'Limits agency' } });
      const seeded: number[] = [];
      for (const email of ['victim@limit.example', 'bystander@limit.example']) {
        const id = await addEnrolledStaff(db, {
          agencyCode: 'LIMIT',
          email,
          password: PASSWORD,
          totp: randomBytes(20),
          recoveryHashes: Array.from({ length: 400 }, (_, n) => recoveryHash(recoveryCode(n + 1))),
        });
        seeded.push(id);
      }
      const filed = await postJson(agent, base, '/api/v1/reports', {
        agency: 'LIMIT',
        category: 'bribery',
        what: 'เรียกรับเงินค่าอนุญาต',
      });
      if (filed.status !== 201) throw new Error(`POST /api/v1/reports: ${filed.status} ${filed.body}`);
      const receipt = (JSON.parse(filed.body) as { receipt: string }).receipt;

      // One derivation at the production cost, in this process, alone: the yardstick of both goals.
      const salt = randomBytes(16);
      const times: number[] = [];
      for (let i = 0; i < 23; i++) {
        const t = performance.now();
        await deriveReceiptKeys(generateReceipt(), salt, MIN_KDF);
        if (i >= 3) times.push(performance.now() - t);
      }
      const derivationMs = median(times);
      // The server's pool opens its connections now, not while the flood runs (not counted).
      await Promise.all(
        Array.from({ length: 16 }, () => postJson(agent, base, '/api/v1/reporter/session', { receipt })),
      );
      const quiet: number[] = [];
      for (let i = 0; i < 10; i++)
        quiet.push((await postJson(agent, base, '/api/v1/reporter/session', { receipt })).ms);
      say(
        `one derivation: median ${fmt(derivationMs)} ms; a valid receipt login with no attack: median ${fmt(median(quiet))} ms`,
      );

      // a. wrong receipts
      const serverPid = server.child.pid!;
      const a = await flood(
        serverPid,
        () => postJson(agent, base, '/api/v1/reporter/session', { receipt: wrongReceipt() }),
        () => postJson(agent, base, '/api/v1/reporter/session', { receipt }),
      );
      const derivedPerS = count(a, 401) / a.elapsedS;
      const allowedPerS = receiptPerS + LIMITS.receipt.burst / a.elapsedS; // the steady rate plus one burst
      const admitted = a.probe.filter((p) => p.status === 200);
      const admittedShare = admitted.length / Math.max(1, a.probe.length);
      const admittedMs = median(admitted.map((p) => p.ms));
      const refusedMs = median(a.probe.filter((p) => p.status === 429).map((p) => p.ms));
      for (const line of a.samples) say(`   unexpected answer: ${line}`);
      say(
        `a. wrong receipts: ${statuses(a)} in ${fmt(a.elapsedS)} s = ${fmt((count(a, 401) + count(a, 429)) / a.elapsedS, 0)} answers/s; derived (401) ${fmt(derivedPerS)} /s against the limit ${fmt(receiptPerS)} /s + burst ${LIMITS.receipt.burst} once = ${fmt(allowedPerS)} /s`,
      );
      say(
        `   valid receipt every ${PROBE_EVERY_MS} ms meanwhile: ${admitted.length} of ${a.probe.length} admitted (${fmt(100 * admittedShare, 0)}%), median ${fmt(admittedMs)} ms when admitted (one derivation ${fmt(derivationMs)} ms); refused ones answered in ${fmt(refusedMs)} ms`,
      );
      say(`   ${cpuLine(a)}`);

      // b. one staff account brute-forced, another logging in
      let nextCode = 1;
      const b = await flood(
        serverPid,
        () =>
          postJson(agent, base, '/api/v1/staff/session', {
            email: 'victim@limit.example',
            password: `guess ${randomInt(1e9)}`,
            code: '000000',
          }),
        () =>
          postJson(agent, base, '/api/v1/staff/session', {
            email: 'bystander@limit.example',
            password: PASSWORD,
            code: recoveryCode(nextCode++),
          }),
      );
      const staffOk = b.probe.filter((p) => p.status === 200);
      const staffShare = staffOk.length / Math.max(1, b.probe.length);
      const staffMs = median(staffOk.map((p) => p.ms));
      for (const line of b.samples) say(`   unexpected answer: ${line}`);
      const failedRows = (
        await db
          .selectFrom('audit_event')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .where('action', '=', 'staff_login_failed')
          .where('actor_user_id', '=', seeded[0])
          .executeTakeFirstOrThrow()
      ).n;
      say(
        `b. one staff account brute-forced: ${statuses(b)} in ${fmt(b.elapsedS)} s; its wrong passwords derived (401): ${count(b, 401)} (burst ${LIMITS.staffAccount.burst} + ${LIMITS.staffAccount.perMinute}/min; ${failedRows} audit rows)`,
      );
      say(
        `   another account logging in every ${PROBE_EVERY_MS} ms meanwhile: ${staffOk.length} of ${b.probe.length} admitted (${fmt(100 * staffShare, 0)}%), median ${fmt(staffMs)} ms (one derivation ${fmt(derivationMs)} ms)`,
      );
      say(`   ${cpuLine(b)}`);

      rows.push({
        metric: `Wrong receipts derived/s under ${CLIENTS} clients`,
        value: `${fmt(derivedPerS)} /s`,
        limit: `≤ ${fmt(allowedPerS)} /s`,
        ratio: fmt(derivedPerS / allowedPerS, 2),
        verdict: derivedPerS <= allowedPerS ? 'PASS' : 'BELOW',
      });
      rows.push({
        metric: 'Valid receipt login meanwhile, when admitted',
        value: `${fmt(admittedMs)} ms`,
        limit: `≤ 2 × ${fmt(derivationMs)} ms`,
        ratio: fmt(admittedMs / derivationMs, 2),
        verdict: admitted.length > 0 && admittedMs <= 2 * derivationMs ? 'PASS' : 'BELOW',
      });
      rows.push({
        metric: 'Valid receipt login meanwhile, share admitted',
        value: `${fmt(100 * admittedShare, 0)}%`,
        limit: '- (no distinguisher)',
        ratio: '-',
        verdict: 'info',
      });
      rows.push({
        metric: 'Staff login, other account brute-forced',
        value: `${fmt(staffMs)} ms`,
        limit: `≤ 2 × ${fmt(derivationMs)} ms`,
        ratio: fmt(staffMs / derivationMs, 2),
        verdict: staffShare === 1 && staffMs <= 2 * derivationMs ? 'PASS' : 'BELOW',
      });
      rows.push({
        metric: 'Staff login, other account brute-forced, admitted',
        value: `${fmt(100 * staffShare, 0)}%`,
        limit: '100%',
        ratio: fmt(staffShare, 2),
        verdict: staffShare === 1 ? 'PASS' : 'BELOW',
      });
    },
  );
}
