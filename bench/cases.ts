// Section 6 of `npm run bench` (alone: BENCH_ONLY=cases): case handling at national scale, in a
// database of its own in the run's cluster, in process (the API's GET /cases takes no scope or due
// filter yet and there is no search route; section 4 measures what HTTP adds to a list page).
//   a. inbox pages: listCases first page, `agency` scope for a supervisor and `mine` for an intake
//      officer, in the largest agency and a typical one;
//   b. the due views (due_soon, overdue) for the same people;
//   c. searchCases by an investigator over the 2,000 cases sealed to them: real keys sealed to
//      their X25519 key, real content and messages sealed as submitReport and addMessage seal them.
//      The first search opens the sealed boxes and writes the investigator's key ring (timed apart);
//      the measured ones open the ring, as every search after a staff member's first does.
// 200,000 cases across 50 agencies are seeded with SQL (generate_series); only the searched cases
// hold real ciphertext (the lists never decrypt). Knobs: BENCH_CASES_TOTAL (200000),
// BENCH_CASES_SEARCHED (2000), BENCH_CASES_LIST_N (100 samples per view), BENCH_CASES_SEARCH_N
// (60 searches), BENCH_CASES_EXTRA_SQL (run on this section's database after the seed),
// BENCH_CASES_SEARCH_COMPARE (another checkout's src/cases/search.ts: both searches in turn).
import { randomBytes, randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { openFromRing, ringKeyOf } from '../src/cases/key-ring.ts';
import { listCases, type CaseFilter } from '../src/cases/list-cases.ts';
import { searchCases } from '../src/cases/search.ts';
import { aeadKey, sealJson } from '../src/crypto/aead.ts';
import { generateKeyPair, openSealed, sealTo, type KeyPair } from '../src/crypto/sealed-box.ts';
import { connect, type Db } from '../src/db/connection.ts';
import { migrate } from '../src/db/migrate.ts';
import type { StaffRole } from '../src/db/schema.ts';
import { contentAad, messageAad } from '../src/intake/case-keys.ts';
import type { StaffActor } from '../src/staff/session.ts';
import { cpuSnapshot, envInt, fmt, median, percentile, postgresPids } from './lib.ts';

export type Row = { metric: string; value: string; limit: string; ratio: string; verdict: 'PASS' | 'BELOW' | 'info' };
export type CasesBenchContext = {
  clusterUrl: string /** any database of the cluster, to create this section's */;
  db: Db;
  /** the cluster's postmaster, to count PostgreSQL's CPU during the searches (left out when absent) */
  postmasterPid?: number;
  say: (line: string) => void;
};

const TOTAL = envInt('BENCH_CASES_TOTAL', 200_000);
const SEARCHED = envInt('BENCH_CASES_SEARCHED', 2_000);
const LIST_N = envInt('BENCH_CASES_LIST_N', 100);
const SEARCH_N = envInt('BENCH_CASES_SEARCH_N', 60);
const AGENCIES = 50;
/** One case in five belongs to the largest agency (40,000 of 200,000); the rest spread evenly. */
const LARGEST_SHARE = 5;
const LIST_GOAL_MS = 100;
const SEARCH_GOAL_MS = 300;
const DB_NAME = 'sujarit_cases_bench';

// ---------------------------------------------------------------- realistic content

const NAMES = [
  'นายสมชาย ใจดี',
  'นางสาวสมศรี มีสุข',
  'นายประเสริฐ ทองคำ',
  'นายวิชัย ศรีสวัสดิ์',
  'นางมาลี รักษ์ไทย',
  'นายอนันต์ บุญมา',
  'นางสาวพรทิพย์ แสงทอง',
  'นายธนากร เพชรรัตน์',
  'นายสุรชัย วงศ์ใหญ่',
  'นางกาญจนา สุขสม',
  'Mr. Somsak Chaiyo',
  'Ms. Kanya Rattana',
];
const PLACES = [
  'ร้านกาแฟหน้าศาลากลางจังหวัด',
  'ลานจอดรถของโรงพยาบาลประจำจังหวัด',
  'สำนักงานเขตบางรัก',
  'ที่ว่าการอำเภอเมือง',
  'ห้องประชุมชั้นสาม',
  'ไซต์ก่อสร้างริมคลองประปา',
];
const PROJECTS = [
  'ก่อสร้างถนนคอนกรีตเสริมเหล็ก',
  'จัดซื้อครุภัณฑ์คอมพิวเตอร์',
  'ปรับปรุงอาคารเรียน',
  'ขุดลอกคูคลอง',
  'ติดตั้งไฟส่องสว่างพลังงานแสงอาทิตย์',
  'จ้างเหมาบริการทำความสะอาด',
  'ซ่อมแซมสะพานไม้',
];
const DEPTS = [
  'องค์การบริหารส่วนตำบล',
  'เทศบาลนคร',
  'สำนักงานที่ดินจังหวัด',
  'แขวงทางหลวงชนบท',
  'โรงพยาบาลส่งเสริมสุขภาพตำบล',
  'สำนักงานเขตพื้นที่การศึกษา',
];
const PROJECTS_EN = [
  'concrete road',
  'school building renovation',
  'solar street lighting',
  'canal dredging',
  'computer equipment purchase',
];
const pick = <T>(list: readonly T[], i: number) => list[i % list.length];

const TEMPLATES: ((i: number) => string)[] = [
  (i) =>
    `เมื่อวันที่ ${1 + (i % 28)} มีนาคม 2569 ${pick(NAMES, i)} หัวหน้าฝ่ายพัสดุของ${pick(DEPTS, i)} เรียกรับเงินจำนวน ${(50 + (i % 400)) * 1000} บาท จากผู้รับเหมาที่ยื่นซองประกวดราคาโครงการ${pick(PROJECTS, i)} โดยอ้างว่าจะช่วยให้ชนะการประกวดราคา ผู้แจ้งเห็นการส่งมอบเงินสดที่${pick(PLACES, i)} และมีภาพถ่ายใบเสร็จที่ไม่มีลายมือชื่อ`,
  (i) =>
    `ขอร้องเรียนกรณีการจัดซื้อจัดจ้างโครงการ${pick(PROJECTS, i + 3)} ของ${pick(DEPTS, i + 1)} ราคากลางสูงกว่าราคาตลาดเกือบสองเท่า คณะกรรมการตรวจรับงานลงนามรับงานทั้งที่งานยังไม่แล้วเสร็จ มีการแบ่งซื้อแบ่งจ้างเพื่อให้วงเงินต่ำกว่าเกณฑ์ที่ต้องประกาศ และผู้ชนะการเสนอราคาเป็นบริษัทของญาติ${pick(NAMES, i + 5)}`,
  (i) =>
    `${pick(NAMES, i + 2)} ใช้รถยนต์ราชการของ${pick(DEPTS, i + 2)} ไปใช้ส่วนตัวในวันหยุดหลายครั้ง รวมทั้งนำน้ำมันเชื้อเพลิงของทางราชการไปเติมรถส่วนตัว มีการเบิกค่าเบี้ยเลี้ยงเดินทางไป${pick(PLACES, i + 1)} ทั้งที่ไม่ได้เดินทางจริง เพื่อนร่วมงานหลายคนทราบแต่ไม่กล้าร้องเรียนเพราะกลัวถูกกลั่นแกล้ง`,
  (i) =>
    `On ${1 + (i % 28)} March the head of the procurement unit, ${pick(NAMES, i + 10)}, asked a contractor for ${(20 + (i % 300)) * 1000} baht to approve the final inspection of the ${pick(PROJECTS_EN, i)} project. The payment was made in cash. The invoice numbers in the procurement file do not match the delivery records, and two bidders share one address.`,
  (i) =>
    `เจ้าหน้าที่ของ${pick(DEPTS, i + 4)} ออกใบอนุญาตก่อสร้างโดยไม่ตรวจสอบเอกสาร และรับ "ค่าดำเนินการ" ${(5 + (i % 90)) * 1000} บาท ผ่านบัญชีธนาคารของภรรยา ผู้แจ้งมีสำเนา statement และข้อความ LINE ระหว่าง${pick(NAMES, i + 7)}กับผู้ประกอบการ`,
];

function reportContent(i: number): { what: string; when: string; where: string; who: string } {
  return {
    what: `${pick(TEMPLATES, i)(i)} ${pick(TEMPLATES, i * 7 + 3)(i + 1)}`,
    when: `${1 + (i % 12)}/${2568 + (i % 2)}`,
    where: pick(PLACES, i + 2),
    who: `${pick(NAMES, i)} และเจ้าหน้าที่อีก ${1 + (i % 3)} คน`,
  };
}
const reporterMessage = (i: number) =>
  `ผู้แจ้งส่งข้อมูลเพิ่มเติม: ${pick(NAMES, i + 3)} นัดรับเงินอีกครั้งในสัปดาห์หน้าที่${pick(PLACES, i)} มีพยานอีกสองคน`;
const staffMessage = (i: number) =>
  i % 2 === 0
    ? 'ขอบคุณสำหรับข้อมูล กรุณาส่งสำเนาใบเสร็จหรือหลักฐานการโอนเงินเพิ่มเติม'
    : 'Thank you. Could you send a copy of the invoice or the bank transfer slip?';
const internalNote = (i: number) =>
  `บันทึกภายใน: ตรวจสอบบัญชีธนาคารของ${pick(NAMES, i + 1)} แล้วพบเงินเข้า ${(10 + (i % 50)) * 1000} บาท ส่งเรื่องให้ฝ่ายกฎหมายพิจารณา`;

/** What the investigator types: common and rare words, Thai, English, several words, and no match. */
const QUERIES = [
  'จัดซื้อ',
  'ผู้รับเหมา',
  'สมชาย',
  'contractor invoice',
  'ไฟส่องสว่าง พลังงาน',
  'บัญชีธนาคาร ภรรยา',
  'ฝ่ายกฎหมาย',
  'ไม่มีคำนี้ในเรื่องใด',
];

// ---------------------------------------------------------------- seeding

export type Seeded = {
  db: Db;
  largest: { id: number; code: string; cases: number };
  typical: { id: number; code: string; cases: number };
  people: Record<'supLarge' | 'intakeLarge' | 'supTypical' | 'intakeTypical', StaffActor>;
  investigator: StaffActor;
};

const actorOf = (
  id: number,
  agencyId: number,
  role: StaffRole,
  keys: KeyPair = { publicKey: Buffer.alloc(32), privateKey: Buffer.alloc(32) },
): StaffActor => ({ id, agencyId, email: '', displayName: '', roles: [role], isEnrolled: true, keys });

export async function seed(db: Db, say: (line: string) => void): Promise<Seeded> {
  let t = performance.now();
  await sql`insert into agency (code, name_th, name_en) select 'AG' || lpad(g::text, 2, '0'), 'หน่วยงานทดสอบ ' || g, 'Bench agency ' || g from generate_series(1, ${AGENCIES}::int) g`.execute(
    db,
  );
  // Per agency: a supervisor, two intake officers, four investigators (public keys: dummy bytes).
  await sql`
    with r(role, n) as (values ('supervisor', 1), ('intake_officer', 1), ('intake_officer', 2), ('investigator', 1), ('investigator', 2), ('investigator', 3), ('investigator', 4)),
    u as (
      insert into staff_user (agency_id, email, public_key)
      select a.id, lower(a.code) || '.' || r.role || '.' || r.n || '@bench.example', decode(md5(a.code || r.role || r.n) || md5(r.role || r.n || a.code), 'hex')
      from agency a cross join r returning id, email
    )
    insert into staff_role (user_id, role) select id, split_part(email, '.', 2) from u`.execute(db);
  // Cases: created one every 5 minutes over ~2 years, stored in that order as the application
  // stores them (agencies interleaved); older ones mostly closed; clocks as submitReport and the
  // workflow leave them (null once met); a few paused; 1 % copied to the next agency by referral.
  await sql`
    with ag as (select id, code, row_number() over (order by id) as k from agency),
    s as (
      select g, case when g % ${LARGEST_SHARE}::int = 0 then 1 else 2 + (g % ${AGENCIES - 1}::int) end as k, (g * 7919) % 20 as p,
        date_trunc('minute', now() - make_interval(mins => 5 * (${TOTAL}::int - g))) as at, ${TOTAL}::int - g > 180 * 288 as is_old
      from generate_series(1, ${TOTAL}::int) g
    ),
    c as (
      select s.*, ag.id as agency_id, ag.code,
        case when s.is_old and s.p < 12 then 'closed' when s.is_old and s.p < 17 then 'concluded'
          else (array['new','new','acknowledged','acknowledged','screening','screening','investigating','investigating','investigating','investigating','referred','concluded','concluded','concluded','closed','closed','closed','closed','closed','closed'])[1 + s.p] end as status
      from s join ag on ag.k = s.k
    )
    insert into report_case (id, number, reference, agency_id, category, channel, status, outcome, has_identity, content, team_public_key, ack_due_at, reply_due_at, feedback_due_at, paused_at, first_reply_at, created_at, updated_at)
    select gen_random_uuid(), g, code || '-' || (2567 + g * 2 / ${TOTAL}::int) || '-' || lpad(g::text, 6, '0'), agency_id,
      (array['bribery','procurement_fraud','abuse_of_authority','misuse_of_state_property','conflict_of_interest','other'])[1 + g % 6],
      (array['web','web','web','api','line','phone','walk_in','hotline_1111','hotline_1206','referral'])[1 + (g / 3) % 10],
      status,
      case when status in ('concluded', 'closed') then (array['out_of_scope','insufficient_information','duplicate','unfounded_or_malicious','substantiated','partly_substantiated','not_substantiated'])[1 + g % 7] end,
      g % 4 = 0, decode(repeat('a5', 700), 'hex'), decode(md5(g::text) || md5(code), 'hex'),
      case when status = 'new' then at + interval '7 days' end,
      case when status in ('new', 'acknowledged', 'screening') then at + interval '15 days' end,
      case when status not in ('concluded', 'closed') then at + interval '3 months' end,
      case when status = 'investigating' and g % 20 = 0 then at + interval '20 days' end,
      case when status not in ('new', 'acknowledged') then at + interval '10 days' end,
      at, least(now(), at + make_interval(days => p))
    from c order by g`.execute(db);
  await sql`select setval('case_number_seq', ${TOTAL}::int)`.execute(db);
  await sql`
    insert into case_agency (case_id, agency_id, is_owner)
    select id, agency_id, true from report_case
    union all
    select id, 1 + agency_id % ${AGENCIES}::int, false from report_case where number % 101 = 0`.execute(db);
  const casesMs = performance.now() - t;
  t = performance.now();
  // Keys as submitReport leaves them for the list: the content key sealed to each intake officer of
  // the agency (dummy bytes of a sealed box's size); investigators assigned to the cases in work.
  await sql`
    insert into case_key (case_id, user_id, purpose, sealed_key)
    select c.id, u.id, 'content', decode(repeat('5a', 80), 'hex')
    from report_case c join staff_user u on u.agency_id = c.agency_id join staff_role r on r.user_id = u.id and r.role = 'intake_officer'`.execute(
    db,
  );
  await sql`
    with a as (
      insert into case_assignment (case_id, user_id, assigned_by)
      select c.id, u.id, null from report_case c join staff_user u on u.agency_id = c.agency_id and u.email like '%.investigator.' || (1 + c.number % 4) || '@bench.example'
      where c.status in ('investigating', 'referred', 'concluded', 'closed') returning case_id, user_id
    )
    insert into case_key (case_id, user_id, purpose, sealed_key) select case_id, user_id, 'content', decode(repeat('5a', 80), 'hex') from a`.execute(
    db,
  );
  const keysMs = performance.now() - t;
  t = performance.now();

  const agencies = await db
    .selectFrom('agency as a')
    .select(['a.id', 'a.code'])
    .select((eb) =>
      eb
        .selectFrom('report_case as c')
        .select((e) => e.fn.countAll<number>().as('n'))
        .whereRef('c.agency_id', '=', 'a.id')
        .as('cases'),
    )
    .where('a.code', 'in', ['AG01', 'AG02'])
    .orderBy('a.code')
    .execute();
  const [largest, typical] = agencies.map((a) => ({ id: a.id, code: a.code, cases: Number(a.cases) }));
  const staff = await db
    .selectFrom('staff_user')
    .select(['id', 'email'])
    .where('email', 'in', [
      'ag01.supervisor.1@bench.example',
      'ag01.intake_officer.1@bench.example',
      'ag02.supervisor.1@bench.example',
      'ag02.intake_officer.1@bench.example',
      'ag01.investigator.1@bench.example',
    ])
    .execute();
  const idOf = (email: string) => staff.find((s) => s.email === email)!.id;

  // The investigator: a real key pair, and SEARCHED cases of the largest agency sealed to it as
  // submitReport seals (content under the case key, the case and team keys in sealed boxes) with
  // their threads as addMessage seals them.
  const keys = generateKeyPair();
  const investigator = actorOf(idOf('ag01.investigator.1@bench.example'), largest.id, 'investigator', keys);
  await db.updateTable('staff_user').set({ public_key: keys.publicKey }).where('id', '=', investigator.id).execute();
  await db.deleteFrom('case_key').where('user_id', '=', investigator.id).execute();
  await db.deleteFrom('case_assignment').where('user_id', '=', investigator.id).execute();
  const picked = await sql<{
    id: string;
    created_at: Date;
  }>`select id, created_at from report_case where agency_id = ${largest.id}::int and status in ('investigating', 'referred', 'concluded', 'closed') order by random() limit ${SEARCHED}::int`.execute(
    db,
  );
  const ids: string[] = [];
  const contents: Buffer[] = [];
  const keyRows = { caseId: [] as string[], purpose: [] as string[], sealed: [] as Buffer[] };
  const msg = {
    id: [] as string[],
    caseId: [] as string[],
    kind: [] as string[],
    user: [] as (number | null)[],
    role: [] as (string | null)[],
    thread: [] as string[],
    body: [] as Buffer[],
    at: [] as Date[],
  };
  let chars = 0;
  picked.rows.forEach((c, i) => {
    const caseKey = randomBytes(32);
    const teamKey = randomBytes(32);
    const content = reportContent(i);
    chars += content.what.length + content.when.length + content.where.length + content.who.length;
    ids.push(c.id);
    contents.push(sealJson(aeadKey(caseKey), content, contentAad(c.id)));
    keyRows.caseId.push(c.id, c.id);
    keyRows.purpose.push('content', 'team');
    keyRows.sealed.push(sealTo(keys.publicKey, caseKey), sealTo(keys.publicKey, teamKey));
    const add = (thread: 'reporter' | 'internal', kind: 'reporter' | 'staff', text: string, n: number) => {
      const id = randomUUID();
      chars += text.length;
      msg.id.push(id);
      msg.caseId.push(c.id);
      msg.kind.push(kind);
      msg.user.push(kind === 'staff' ? investigator.id : null);
      msg.role.push(kind === 'staff' ? 'investigator' : null);
      msg.thread.push(thread);
      msg.body.push(sealJson(aeadKey(thread === 'internal' ? teamKey : caseKey), { text }, messageAad(c.id, id)));
      msg.at.push(new Date(c.created_at.getTime() + n * 86_400_000));
    };
    // 1 to 4 messages with the reporter; an internal note in one case of three
    for (let m = 0; m <= i % 4; m++)
      add(
        'reporter',
        m % 2 === 0 ? 'reporter' : 'staff',
        m % 2 === 0 ? reporterMessage(i + m) : staffMessage(i + m),
        m + 1,
      );
    if (i % 3 === 0) add('internal', 'staff', internalNote(i), 5);
  });
  await sql`update report_case c set content = t.content from unnest(${ids}::uuid[], ${contents}::bytea[]) as t(id, content) where c.id = t.id`.execute(
    db,
  );
  await sql`insert into case_key (case_id, user_id, purpose, sealed_key) select t.c, ${investigator.id}::int, t.p, t.s from unnest(${keyRows.caseId}::uuid[], ${keyRows.purpose}::text[], ${keyRows.sealed}::bytea[]) as t(c, p, s)`.execute(
    db,
  );
  await sql`insert into case_assignment (case_id, user_id) select unnest(${ids}::uuid[]), ${investigator.id}::int`.execute(
    db,
  );
  await sql`
    insert into case_message (id, case_id, author_kind, author_user_id, author_role, thread, body, created_at)
    select * from unnest(${msg.id}::uuid[], ${msg.caseId}::uuid[], ${msg.kind}::text[], ${msg.user}::int[], ${msg.role}::text[], ${msg.thread}::text[], ${msg.body}::bytea[], ${msg.at}::timestamptz[])`.execute(
    db,
  );
  const sealedMs = performance.now() - t;
  t = performance.now();
  // What autovacuum does after a bulk load (statistics, visibility map); done now, not in minutes.
  await sql`vacuum (analyze)`.execute(db);
  const counts = (
    await sql<{
      cases: number;
      keys: number;
      messages: number;
    }>`select (select count(*) from report_case)::int as cases, (select count(*) from case_key)::int as keys, (select count(*) from case_message)::int as messages`.execute(
      db,
    )
  ).rows[0];
  say(
    `seeded ${counts.cases.toLocaleString('en')} cases in ${AGENCIES} agencies (${largest.code}: ${largest.cases.toLocaleString('en')}, ${typical.code}: ${typical.cases.toLocaleString('en')}) in ${fmt(casesMs / 1000)} s; ${counts.keys.toLocaleString('en')} sealed keys and assignments ${fmt(keysMs / 1000)} s; ${picked.rows.length.toLocaleString('en')} cases really sealed to one investigator (${msg.id.length.toLocaleString('en')} messages, ${(chars / 1e6).toFixed(2)} M characters of text) ${fmt(sealedMs / 1000)} s; vacuum analyze ${fmt((performance.now() - t) / 1000)} s`,
  );
  return {
    db,
    largest,
    typical,
    investigator,
    people: {
      supLarge: actorOf(idOf('ag01.supervisor.1@bench.example'), largest.id, 'supervisor'),
      intakeLarge: actorOf(idOf('ag01.intake_officer.1@bench.example'), largest.id, 'intake_officer'),
      supTypical: actorOf(idOf('ag02.supervisor.1@bench.example'), typical.id, 'supervisor'),
      intakeTypical: actorOf(idOf('ag02.intake_officer.1@bench.example'), typical.id, 'intake_officer'),
    },
  };
}

// ---------------------------------------------------------------- measuring

type View = {
  name: string;
  group: 'inbox' | 'due';
  actor: StaffActor;
  filter: CaseFilter;
  times: number[];
  total: number;
  capped: boolean;
};

/** Samples the views round-robin (so a drift of the machine's speed touches all alike). */
async function measureViews(db: Db, views: View[]): Promise<void> {
  for (const v of views) for (let i = 0; i < 5; i++) await listCases({ db, actor: v.actor, ...v.filter }); // warm-up
  for (let i = 0; i < LIST_N; i++) {
    for (const v of views) {
      const t = performance.now();
      const p = await listCases({ db, actor: v.actor, ...v.filter });
      v.times.push(performance.now() - t);
      v.total = p.total;
      v.capped = p.isTotalCapped;
    }
  }
}

/** The parts of a search measured apart: the two queries, the key openings. */
async function searchParts(db: Db, actor: StaffActor): Promise<{ queryMs: number; keysMs: number; keys: number }> {
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    await Promise.all([
      sql`select c.id, c.content, k.sealed_key, tk.sealed_key from case_key k join report_case c on c.id = k.case_id left join case_key tk on tk.case_id = k.case_id and tk.user_id = ${actor.id}::int and tk.purpose = 'team' where k.user_id = ${actor.id}::int and k.purpose = 'content'`.execute(
        db,
      ),
      sql`select m.case_id, m.id, m.thread, m.body from case_key k join case_message m on m.case_id = k.case_id where k.user_id = ${actor.id}::int and k.purpose = 'content' and m.thread in ('reporter', 'internal') order by m.number`.execute(
        db,
      ),
    ]);
    times.push(performance.now() - t);
  }
  // the keys a search opens: every content key, and the team key of cases with internal notes
  const sealed = (
    await sql<{
      s: Buffer;
    }>`select k.sealed_key as s from case_key k where k.user_id = ${actor.id}::int and (k.purpose = 'content' or exists (select 1 from case_message m where m.case_id = k.case_id and m.thread = 'internal'))`.execute(
      db,
    )
  ).rows;
  const t = performance.now();
  for (const r of sealed) openSealed(actor.keys, r.s).fill(0);
  return { queryMs: median(times), keysMs: performance.now() - t, keys: sealed.length };
}

/**
 * BENCH_CASES_SEARCH_COMPARE names another checkout's src/cases/search.ts (its node_modules beside
 * it): its searchCases and ours run in turn on the same data, pairs in alternating order, so that
 * a busy machine slows both alike. Prints both and the ratio of their p50 and p95.
 */
async function compareSearch(db: Db, actor: StaffActor, say: (line: string) => void, rows: Row[]): Promise<void> {
  const other = (await import(path.resolve(process.env.BENCH_CASES_SEARCH_COMPARE as string))) as {
    searchCases: typeof searchCases;
  };
  const ours: number[] = [];
  const theirs: number[] = [];
  const timed = async (fn: typeof searchCases, q: string, into: number[]) => {
    const t = performance.now();
    await fn({ db, actor, query: q, limit: 50 });
    into.push(performance.now() - t);
  };
  await other.searchCases({ db, actor, query: QUERIES[0], limit: 50 }); // its workers started
  for (let i = 0; i < SEARCH_N; i++) {
    const q = QUERIES[i % QUERIES.length];
    if (i % 2 === 0) {
      await timed(other.searchCases, q, theirs);
      await timed(searchCases, q, ours);
    } else {
      await timed(searchCases, q, ours);
      await timed(other.searchCases, q, theirs);
    }
  }
  const line = (xs: number[]) => `p50 ${fmt(median(xs))} ms, p95 ${fmt(percentile(xs, 95))} ms`;
  say(
    `  compared in turn with ${process.env.BENCH_CASES_SEARCH_COMPARE} (${SEARCH_N} pairs): ours ${line(ours)}; theirs ${line(theirs)}`,
  );
  rows.push({
    metric: 'Cases: search p50 | p95, ours ÷ the compared checkout, in turn',
    value: `${fmt(median(ours))} | ${fmt(percentile(ours, 95))} ms`,
    limit: `${fmt(median(theirs))} | ${fmt(percentile(theirs, 95))} ms`,
    ratio: `${fmt(median(ours) / median(theirs), 2)} | ${fmt(percentile(ours, 95) / percentile(theirs, 95), 2)}`,
    verdict: 'info',
  });
}

/** Opening from the ring (src/cases/key-ring.ts) every key the first search wrote there, one core. */
async function ringOpenings(db: Db, actor: StaffActor): Promise<{ ms: number; keys: number }> {
  const rows = await db
    .selectFrom('case_key')
    .select(['case_id', 'purpose', 'sealed_key', 'ring_key'])
    .where('user_id', '=', actor.id)
    .where('ring_key', 'is not', null)
    .execute();
  const t = performance.now();
  const ringKey = ringKeyOf(actor.keys.privateKey);
  for (const r of rows) {
    const slot = { caseId: r.case_id, userId: actor.id, purpose: r.purpose, sealedKey: r.sealed_key };
    const key = openFromRing(ringKey, slot, r.ring_key as Buffer);
    if (!key) throw new Error('a ring entry the search wrote does not open');
    key.fill(0);
  }
  ringKey.fill(0);
  return { ms: performance.now() - t, keys: rows.length };
}

/** Section 6: prints as it goes and adds its rows to the summary table. */
export async function casesSection(ctx: CasesBenchContext, rows: Row[]): Promise<void> {
  const { say } = ctx;
  say(
    `\n== 6. case handling: ${TOTAL.toLocaleString('en')} cases, ${AGENCIES} agencies; inbox and due views (${LIST_N} samples each), search over ${SEARCHED.toLocaleString('en')} sealed cases (${SEARCH_N} searches); in process`,
  );
  await sql.raw(`drop database if exists ${DB_NAME}`).execute(ctx.db);
  await sql.raw(`create database ${DB_NAME}`).execute(ctx.db);
  const url = new URL(ctx.clusterUrl);
  url.pathname = `/${DB_NAME}`;
  const db = connect(url.toString(), 4);
  try {
    await migrate(db);
    const s = await seed(db, say);
    if (process.env.BENCH_CASES_EXTRA_SQL) {
      say(`BENCH_CASES_EXTRA_SQL: ${process.env.BENCH_CASES_EXTRA_SQL}`);
      await sql.raw(process.env.BENCH_CASES_EXTRA_SQL).execute(db);
    }

    // a, b. list views
    const L = `${s.largest.code} (${s.largest.cases.toLocaleString('en')})`;
    const T = `${s.typical.code} (${s.typical.cases.toLocaleString('en')})`;
    const view = (name: string, group: View['group'], actor: StaffActor, filter: CaseFilter): View => ({
      name,
      group,
      actor,
      filter,
      times: [],
      total: 0,
      capped: false,
    });
    const views = [
      view(`inbox, supervisor, agency, ${L}`, 'inbox', s.people.supLarge, { scope: 'agency' }),
      view(`inbox, intake officer, mine, ${L}`, 'inbox', s.people.intakeLarge, { scope: 'mine' }),
      view(`inbox, supervisor, agency, ${T}`, 'inbox', s.people.supTypical, { scope: 'agency' }),
      view(`inbox, intake officer, mine, ${T}`, 'inbox', s.people.intakeTypical, { scope: 'mine' }),
      view(`due soon, supervisor, agency, ${L}`, 'due', s.people.supLarge, { scope: 'agency', due: 'due_soon' }),
      view(`overdue, supervisor, agency, ${L}`, 'due', s.people.supLarge, { scope: 'agency', due: 'overdue' }),
      view(`due soon, intake officer, mine, ${L}`, 'due', s.people.intakeLarge, { scope: 'mine', due: 'due_soon' }),
      view(`overdue, intake officer, mine, ${L}`, 'due', s.people.intakeLarge, { scope: 'mine', due: 'overdue' }),
      view(`overdue, supervisor, agency, ${T}`, 'due', s.people.supTypical, { scope: 'agency', due: 'overdue' }),
    ];
    const t0 = performance.now();
    await measureViews(db, views);
    say(
      `listCases, first page (25) and capped count, ${LIST_N} samples per view in ${fmt((performance.now() - t0) / 1000)} s:`,
    );
    for (const v of views) {
      const p95 = percentile(v.times, 95);
      say(
        `  ${v.name.padEnd(52)} total ${`${v.capped ? '>' : ''}${v.total.toLocaleString('en')}`.padStart(7)}  p50 ${fmt(median(v.times)).padStart(5)} ms  p95 ${fmt(p95).padStart(5)} ms  max ${fmt(Math.max(...v.times)).padStart(5)} ms`,
      );
      rows.push({
        metric: `Cases: ${v.name} p95 (median ${fmt(median(v.times))})`,
        value: `${fmt(p95)} ms`,
        limit: `< ${LIST_GOAL_MS} ms`,
        ratio: fmt(p95 / LIST_GOAL_MS, 2),
        verdict: p95 < LIST_GOAL_MS ? 'PASS' : 'BELOW',
      });
    }

    // c. search
    const parts = await searchParts(db, s.investigator);
    // The first search opens every key from its sealed box and writes the ring; the next ones open the ring.
    const cold = performance.now();
    await searchCases({ db, actor: s.investigator, query: QUERIES[0] });
    const coldMs = performance.now() - cold;
    await searchCases({ db, actor: s.investigator, query: QUERIES[1] }); // warm-up
    const ring = await ringOpenings(db, s.investigator);
    const times: number[] = [];
    const byQuery = new Map<string, { times: number[]; found: number; scanned: number }>(
      QUERIES.map((q) => [q, { times: [], found: 0, scanned: 0 }]),
    );
    const pgPids = ctx.postmasterPid ? postgresPids(ctx.postmasterPid) : [];
    const cpu0 = cpuSnapshot(process.pid, pgPids);
    for (let i = 0; i < SEARCH_N; i++) {
      const q = QUERIES[i % QUERIES.length];
      const t = performance.now();
      const r = await searchCases({ db, actor: s.investigator, query: q, limit: 50 });
      const ms = performance.now() - t;
      times.push(ms);
      const b = byQuery.get(q)!;
      b.times.push(ms);
      b.found = r.total;
      b.scanned = r.scanned;
    }
    const cpu1 = cpuSnapshot(process.pid, pgPids);
    const wallS = (cpu1.at - cpu0.at) / 1000;
    const cores = os.availableParallelism();
    // CPU a search: this process (its main thread and the search workers) and PostgreSQL; the
    // machine's share the other processes took meanwhile (on a busy machine the wall time grows with it).
    const cpu = {
      node: (1000 * (cpu1.server - cpu0.server)) / SEARCH_N,
      pg: (1000 * (cpu1.postgres - cpu0.postgres)) / SEARCH_N,
      otherPct:
        (100 *
          (cpu1.machine.busy - cpu0.machine.busy - (cpu1.server - cpu0.server) - (cpu1.postgres - cpu0.postgres))) /
        (cores * wallS),
    };
    const audited = (
      await sql<{ n: number }>`select count(*)::int as n from audit_event where action = 'cases_searched'`.execute(db)
    ).rows[0].n;
    say(
      `searchCases (${SEARCH_N} searches, ${QUERIES.length} queries in turn, limit 50; each audited: ${audited} audit rows):`,
    );
    for (const [q, b] of byQuery)
      say(
        `  ${JSON.stringify(q).padEnd(30)} ${String(b.found).padStart(4)} found of ${b.scanned}  p50 ${fmt(median(b.times)).padStart(5)} ms  max ${fmt(Math.max(...b.times)).padStart(5)} ms`,
      );
    const p95 = percentile(times, 95);
    say(`  all: p50 ${fmt(median(times))} ms, p95 ${fmt(p95)} ms, max ${fmt(Math.max(...times))} ms`);
    say(
      `  parts measured apart: the two queries in parallel ${fmt(parts.queryMs)} ms (median of 5); opening ${parts.keys.toLocaleString('en')} sealed keys (libsodium crypto_box_seal_open) ${fmt(parts.keysMs)} ms = ${fmt((1000 * parts.keysMs) / parts.keys)} µs each; the same ${ring.keys.toLocaleString('en')} keys from the ring (ChaCha20-Poly1305) ${fmt(ring.ms)} ms = ${fmt((1000 * ring.ms) / Math.max(1, ring.keys))} µs each`,
    );
    say(
      `  CPU a search: Node (main thread and ${cores} search workers) ${fmt(cpu.node)} ms, PostgreSQL ${pgPids.length > 0 ? `${fmt(cpu.pg)} ms` : 'not measured'}; other processes took ${fmt(cpu.otherPct, 0)}% of the machine meanwhile${cpu.otherPct > 5 ? ': the wall times above are pessimistic' : ''}`,
    );
    say(
      `  the first search (every key opened from its sealed box, the ring written): ${fmt(coldMs)} ms; the others open the ring`,
    );
    rows.push({
      metric: `Cases: search over ${SEARCHED.toLocaleString('en')} sealed cases p95 (median ${fmt(median(times))})`,
      value: `${fmt(p95)} ms`,
      limit: `< ${SEARCH_GOAL_MS} ms`,
      ratio: fmt(p95 / SEARCH_GOAL_MS, 2),
      verdict: p95 < SEARCH_GOAL_MS ? 'PASS' : 'BELOW',
    });
    if (process.env.BENCH_CASES_SEARCH_COMPARE) await compareSearch(db, s.investigator, say, rows);
    rows.push({
      metric: 'Cases: search CPU, Node | PostgreSQL (other processes meanwhile)',
      value: `${fmt(cpu.node)} | ${fmt(cpu.pg)} ms (${fmt(cpu.otherPct, 0)}%)`,
      limit: '-',
      ratio: '-',
      verdict: 'info',
    });
    rows.push({
      metric: 'Cases: first search, keys from their sealed boxes, ring written',
      value: `${fmt(coldMs)} ms`,
      limit: '-',
      ratio: '-',
      verdict: 'info',
    });
    rows.push({
      metric: 'Cases: search parts, queries | keys from boxes | from the ring',
      value: `${fmt(parts.queryMs)} | ${fmt(parts.keysMs)} | ${fmt(ring.ms)} ms`,
      limit: '-',
      ratio: '-',
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
