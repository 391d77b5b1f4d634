// Section 9 of `npm run bench` (alone: BENCH_ONLY=filing): the cost of anonymous filing under load
// (src/intake/filing-cost.ts) on a real server (child process, production Argon2id), in a database
// of its own in the run's cluster, threshold BENCH_FILING_THRESHOLD (20 filings in two minutes)
// and a first wait of BENCH_FILING_WAIT_S (10 s, shorter than the default 60 so the run is quick).
// Measured, in this order:
//   a. an honest one-off filing: POST /api/v1/reports below the threshold, then under load with a
//      ticket old enough (the reporter wrote for longer than the wait): p50 of each, the difference
//      is what the cost adds to an honest filing that waited;
//   b. a flooding client under load, BENCH_CLIENTS clients, closed loop, BENCH_FILING_SECONDS (5):
//      posts without a ticket, then each with a fresh ticket (GET, then POST at once): filings/s
//      accepted and refusals/s (what refusing costs the server);
//   c. a hoarder: BENCH_FILING_HOARD (300) tickets fetched at once, the wait waited, all posted:
//      how many were accepted before the load they raised made the rest immature again;
//   d. the proof of work: SHA-256/s on one core of this machine through node:crypto (a scripted
//      attacker's rate; OpenSSL's own loop or a GPU is far faster, a browser's WebCrypto slower)
//      and the filings/s one core buys at the level's bits.
import { hash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { addAgency } from '../src/agencies/add-agency.ts';
import { MIN_KDF } from '../src/config/load.ts';
import type { Db } from '../src/db/connection.ts';
import { filingTicketKey, issueFilingTicket, proofBits } from '../src/intake/filing-cost.ts';
import { addStaffUser } from '../src/staff/add-user.ts';
import {
  closedLoop,
  envInt,
  cpuSnapshot,
  fmt,
  median,
  postgresPids,
  postJson,
  request,
  withSectionServer,
} from './lib.ts';
import type { Row } from './line.ts';

export type FilingBenchContext = {
  clusterUrl: string;
  db: Db;
  postmasterPid: number;
  tmp: string;
  clients: number;
  say: (line: string) => void;
};

const THRESHOLD = envInt('BENCH_FILING_THRESHOLD', 20);
const WAIT_S = envInt('BENCH_FILING_WAIT_S', 10);
const SECONDS = envInt('BENCH_FILING_SECONDS', 5);
const HOARD = envInt('BENCH_FILING_HOARD', 300);
const HONEST_N = 10;
const REPORT = { agency: 'FLOOD', category: 'bribery', what: 'เจ้าหน้าที่เรียกเงินสองพันบาท' };

export async function filingSection(ctx: FilingBenchContext, rows: Row[]): Promise<void> {
  const { say, clients } = ctx;
  say(
    `\n== 9. filing under load: threshold ${THRESHOLD} filings in two minutes, first wait ${WAIT_S} s, ${clients} flooding clients, ${SECONDS} s a phase`,
  );
  await withSectionServer(
    ctx,
    {
      name: 'filing',
      sockets: clients + 2,
      env: { SUJARIT_FILING_THRESHOLD: String(THRESHOLD), SUJARIT_FILING_WAIT_S: String(WAIT_S) },
    },
    async ({ server, db, agent, base }) => {
      await addAgency({
        db,
        agency: { code: REPORT.agency, nameTh: 'หน่วยงานทดสอบการส่งเรื่องจำนวนมาก', nameEn: 'Flood benchmark agency' },
      });
      await addStaffUser({
        db,
        kdf: MIN_KDF,
        agencyCode: REPORT.agency,
        email: 'intake@flood.example',
        roles: ['intake_officer'],
        password: 'bench password for the flood section',
      });
      const secrets = JSON.parse(await readFile(path.join(ctx.tmp, 'filing-server', 'secrets.json'), 'utf8')) as {
        cookieKey: string;
      };
      const key = filingTicketKey(Buffer.from(secrets.cookieKey, 'base64'));
      const aged = (seconds: number) => issueFilingTicket(key, Date.now() - seconds * 1000);
      const file = (body: object) => postJson(agent, base, '/api/v1/reports', { ...REPORT, ...body });
      const cost = async () =>
        JSON.parse((await request(agent, base, 'GET', '/api/v1/filing-ticket')).body) as {
          ticket: string;
          waitSeconds: number;
          powBits: number;
        };

      // a. the honest filing, below the threshold and under load with a ticket older than the wait
      const free: number[] = [];
      for (let i = 0; i < HONEST_N; i++) {
        const r = await file({});
        if (r.status !== 201) throw new Error(`a filing below the threshold answered ${r.status}: ${r.body}`);
        free.push(r.ms);
      }
      while ((await cost()).waitSeconds === 0)
        if ((await file({})).status !== 201) throw new Error('filing below the threshold refused');
      const paid: number[] = [];
      for (let i = 0; i < HONEST_N; i++) {
        const r = await file({ ticket: aged(3600) });
        if (r.status !== 201) throw new Error(`a filing with an hour-old ticket answered ${r.status}: ${r.body}`);
        paid.push(r.ms);
      }
      const added = median(paid) - median(free);
      say(
        `a. honest filing: p50 ${fmt(median(free))} ms below the threshold, ${fmt(median(paid))} ms under load with a ticket older than the wait: ${fmt(added)} ms added (the reporter who writes longer than the wait waits nothing)`,
      );

      // b. the flood
      const level = await cost();
      const snapshot = () => cpuSnapshot(server!.child.pid!, postgresPids(ctx.postmasterPid));
      const flood = async (withTicket: boolean) => {
        const casesBefore = await countCases(db!);
        let refused = 0;
        const result = await closedLoop({
          seconds: SECONDS,
          clients,
          snapshot,
          send: async () => {
            const ticket = withTicket ? (await cost()).ticket : undefined;
            const reply = await file(ticket ? { ticket } : {});
            if (reply.status === 429) refused++;
            return { ok: reply.status === 201 || reply.status === 429, reply };
          },
        });
        const accepted = (await countCases(db!)) - casesBefore;
        return { acceptedPerS: accepted / result.elapsedS, refusedPerS: refused / result.elapsedS };
      };
      const bare = await flood(false);
      const fresh = await flood(true);
      say(
        `b. flood under load (wait ${level.waitSeconds} s or ${level.powBits} bits): without a ticket ${fmt(bare.acceptedPerS, 2)} filings/s accepted, ${fmt(bare.refusedPerS, 0)} refusals/s; with a fresh ticket each ${fmt(fresh.acceptedPerS, 2)} accepted, ${fmt(fresh.refusedPerS, 0)} refusals/s (GET + POST)`,
      );

      // c. the hoarder: a pile of tickets, the wait waited, all posted at once
      const pile = await Promise.all(Array.from({ length: HOARD }, async () => (await cost()).ticket));
      const hoardLevel = await cost();
      await new Promise((r) => setTimeout(r, (hoardLevel.waitSeconds + 1) * 1000));
      const before = await countCases(db);
      const started = performance.now();
      let next = 0;
      await Promise.all(
        Array.from({ length: clients }, async () => {
          while (next < pile.length) await file({ ticket: pile[next++] });
        }),
      );
      const hoarded = (await countCases(db)) - before;
      const after = await cost();
      say(
        `c. hoarder: ${HOARD} tickets fetched under load (wait ${hoardLevel.waitSeconds} s), ${hoardLevel.waitSeconds + 1} s waited, all posted in ${fmt((performance.now() - started) / 1000)} s: ${hoarded} accepted, then the load they added (wait ${after.waitSeconds} s) refused the rest`,
      );

      // d. the proof of work: what a filing costs a native attacker's core at this level's bits
      const t0 = performance.now();
      let n = 0;
      while (performance.now() - t0 < 1000) {
        for (let i = 0; i < 1000; i++) hash('sha256', `${pile[0]}:${n++}`, 'buffer');
      }
      const hashesPerS = n / ((performance.now() - t0) / 1000);
      const solveS = (bits: number) => 2 ** bits / hashesPerS;
      let found = 0;
      while (proofBits(pile[1], found.toString(36)) < after.powBits) found++;
      say(
        `d. proof of work: ${fmt(hashesPerS / 1e6, 2)} M SHA-256/s on one core; ${after.powBits} bits ≈ ${fmt(solveS(after.powBits), 2)} s a filing (this ticket took ${found.toLocaleString('en')} tries), ${fmt(1 / solveS(after.powBits), 2)} filings/s a core; at the first level's bits ${level.powBits}: ${fmt(solveS(level.powBits), 2)} s`,
      );

      rows.push({
        metric: 'Filing under load: honest filing, added latency (ticket older than the wait)',
        value: `${fmt(added)} ms`,
        limit: '-',
        ratio: '-',
        verdict: 'info',
      });
      rows.push({
        metric: 'Filing under load: flood accepted, no ticket / fresh tickets',
        value: `${fmt(bare.acceptedPerS, 2)} / ${fmt(fresh.acceptedPerS, 2)} /s`,
        limit: '0 /s',
        ratio: '-',
        verdict: bare.acceptedPerS === 0 && fresh.acceptedPerS === 0 ? 'PASS' : 'BELOW',
      });
      rows.push({
        metric: 'Filing under load: refusals/s (no ticket)',
        value: `${fmt(bare.refusedPerS, 0)} /s`,
        limit: '-',
        ratio: '-',
        verdict: 'info',
      });
      rows.push({
        metric: `Filing under load: hoard of ${HOARD} matured tickets accepted`,
        value: String(hoarded),
        limit: '-',
        ratio: '-',
        verdict: 'info',
      });
      rows.push({
        metric: `Filing under load: proof of work per filing, ${after.powBits} bits, one core`,
        value: `${fmt(solveS(after.powBits), 2)} s`,
        limit: '-',
        ratio: '-',
        verdict: 'info',
      });
    },
  );
}

async function countCases(db: Db): Promise<number> {
  const row = await db
    .selectFrom('report_case')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
