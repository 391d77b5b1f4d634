// Seeding case metadata for the open-data tests: cases with their status, outcome and the events
// the deadline columns read (content is a placeholder: the datasets never read it), ratings and
// permits, and a hand-countable fixture across several agencies.
import { randomUUID } from 'node:crypto';
import type { Db } from '../../src/db/connection.ts';
import type { AgencyType, CaseChannel, CaseKind, CaseStatus } from '../../src/db/schema.ts';

const DAY = 86_400_000;
let n = 0;

export type CaseSpec = {
  kind?: CaseKind;
  category?: string;
  channel?: CaseChannel;
  status?: CaseStatus;
  outcome?: string | null;
  at: Date;
  /** days after filing the case left 'new' (acknowledged) */
  ackAfter?: number;
  /** days after filing of the first reply */
  replyAfter?: number;
  /** days after filing it was concluded or closed */
  doneAfter?: number;
  /** the open acknowledgement clock's due time (for waiting / overdue) */
  ackDue?: Date | null;
};

export async function seedCase(db: Db, agencyId: number, s: CaseSpec): Promise<string> {
  const id = randomUUID();
  const kind = s.kind ?? 'complaint';
  const after = (d: number | undefined) => (d === undefined ? null : new Date(s.at.getTime() + d * DAY));
  await db
    .insertInto('report_case')
    .values({
      id,
      reference: `OD-${++n}-${id.slice(0, 6)}`,
      agency_id: agencyId,
      category: s.category ?? { tip: 'bribery', complaint: 'service_delay', permit: 'late_permit' }[kind],
      channel: s.channel ?? 'web',
      status: s.status ?? 'new',
      outcome: (s.outcome ?? null) as never,
      kind,
      has_identity: false,
      content: Buffer.from('sealed placeholder'),
      created_at: s.at,
      first_reply_at: after(s.replyAfter),
      ack_due_at: s.ackDue ?? null,
    })
    .execute();
  const events: { at: Date; from: string; to: string }[] = [];
  const ack = after(s.ackAfter);
  if (ack) events.push({ at: ack, from: 'new', to: 'acknowledged' });
  const done = after(s.doneAfter);
  if (done) events.push({ at: done, from: 'investigating', to: s.status === 'closed' ? 'closed' : 'concluded' });
  for (const e of events)
    await db
      .insertInto('case_event')
      .values({ case_id: id, at: e.at, kind: 'status', from_status: e.from, to_status: e.to, for_reporter: true })
      .execute();
  return id;
}

export async function seedCases(db: Db, agencyId: number, count: number, s: CaseSpec): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push(await seedCase(db, agencyId, s));
  return ids;
}

export async function setAgency(
  db: Db,
  code: string,
  a: { ministry?: string; province?: string; agencyType?: AgencyType },
): Promise<number> {
  const row = await db
    .updateTable('agency')
    .set({ ministry: a.ministry, province: a.province, agency_type: a.agencyType })
    .where('code', '=', code)
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** A day in October 2026 (Bangkok noon), the month the fixture's cases are filed in. */
export const OCT = (day: number) => new Date(Date.UTC(2026, 9, day, 5));
/** The fixture's "now": mid-November 2026, so October is the last complete month. */
export const NOW = new Date(Date.UTC(2026, 10, 15, 5));

/**
 * The hand-counted fixture (see the expectations in src/opendata/datasets.test.ts), filed in
 * October 2026 (agency codes given: LOCAL1, LOCAL2 are 'local' in Chiang Mai; CENT1 'central'):
 * - LOCAL1: 12 service complaints on the web (10 acknowledged in 1 day, replied in 3, closed resolved
 *   in 20; 2 new, due in future) and 8 tips on LINE (acknowledged in 10 days: late; investigating);
 *   ratings 5 × 5 and 1 × 4.
 * - LOCAL2: 3 complaints, new.
 * - CENT1: 5 complaints and 4 late permits (permits approved on time), all new.
 */
export async function seedFixture(db: Db): Promise<Record<string, number>> {
  const ids = {
    LOCAL1: await setAgency(db, 'LOCAL1', { ministry: 'กระทรวงมหาดไทย', province: 'เชียงใหม่', agencyType: 'local' }),
    LOCAL2: await setAgency(db, 'LOCAL2', { ministry: 'กระทรวงมหาดไทย', province: 'เชียงใหม่', agencyType: 'local' }),
    CENT1: await setAgency(db, 'CENT1', {
      ministry: 'สำนักนายกรัฐมนตรี',
      province: 'กรุงเทพมหานคร',
      agencyType: 'central',
    }),
  };
  const closed = await seedCases(db, ids.LOCAL1, 10, {
    at: OCT(2),
    status: 'closed',
    outcome: 'resolved',
    ackAfter: 1,
    replyAfter: 3,
    doneAfter: 20,
  });
  await seedCases(db, ids.LOCAL1, 2, { at: OCT(28), ackDue: new Date(Date.UTC(2027, 0, 1)) });
  await seedCases(db, ids.LOCAL1, 8, {
    at: OCT(5),
    kind: 'tip',
    channel: 'line',
    status: 'investigating',
    ackAfter: 10,
  });
  for (const [i, caseId] of closed.slice(0, 6).entries())
    await db
      .insertInto('case_rating')
      .values({ case_id: caseId, agency_id: ids.LOCAL1, score: i < 5 ? 5 : 4, channel: 'web', rated_on: '2026-10-25' })
      .execute();
  await seedCases(db, ids.LOCAL2, 3, { at: OCT(9) });
  await seedCases(db, ids.CENT1, 5, { at: OCT(9) });
  for (const caseId of await seedCases(db, ids.CENT1, 4, { at: OCT(12), kind: 'permit' }))
    await db
      .insertInto('permit_request')
      .values({
        case_id: caseId,
        agency_id: ids.CENT1,
        filed_on: '2026-10-01',
        manual_due_on: '2026-10-30',
        decision: 'approved',
        decided_on: '2026-10-20',
        next_notice_at: null,
      })
      .execute();
  return ids;
}
