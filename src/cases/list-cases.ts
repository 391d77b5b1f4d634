import { sql } from 'kysely';
import type { Db } from '../db/connection.ts';
import type { CaseStatus } from '../db/schema.ts';
import type { StaffActor } from '../staff/session.ts';

export type CaseSummary = { reference: string; category: string; channel: string; status: CaseStatus; hasIdentity: boolean; createdAt: Date; updatedAt: Date };
/** `isTotalCapped`: there are more than `total` (= TOTAL_CAP) cases; counting them all would cost more than the page. */
export type CasePage = { items: CaseSummary[]; page: number; pageSize: number; total: number; isTotalCapped: boolean };

export const PAGE_SIZE = 25;
export const TOTAL_CAP = 10_000;

/**
 * The cases of the actor's agency that are sealed to the actor, newest first. Metadata only:
 * nothing is decrypted, so listing is not an opening of content and is not audited.
 */
export async function listCases({ db, actor, page = 1, pageSize = PAGE_SIZE, status }: { db: Db; actor: StaffActor; page?: number; pageSize?: number; status?: CaseStatus }): Promise<CasePage> {
  const base = db
    .selectFrom('report_case as c')
    .where('c.agency_id', '=', actor.agencyId)
    .where(({ exists, selectFrom }) =>
      exists(selectFrom('case_key as k').select(sql`1`.as('one')).whereRef('k.case_id', '=', 'c.id').where('k.user_id', '=', actor.id).where('k.purpose', '=', 'content')),
    )
    .$if(status !== undefined, (q) => q.where('c.status', '=', status!));
  const [items, count] = await Promise.all([
    base
      .select(['c.reference', 'c.category', 'c.channel', 'c.status', 'c.has_identity', 'c.created_at', 'c.updated_at'])
      .orderBy('c.number', 'desc')
      .limit(pageSize)
      .offset((page - 1) * pageSize)
      .execute(),
    // A count of every case grows with the agency (~90 ms at 100,000): count up to the cap only.
    db
      .selectFrom(base.select(sql`1`.as('one')).limit(TOTAL_CAP + 1).as('capped'))
      .select((eb) => eb.fn.countAll<number>().as('total'))
      .executeTakeFirstOrThrow(),
  ]);
  const total = Number(count.total);
  return {
    items: items.map((r) => ({ reference: r.reference, category: r.category, channel: r.channel, status: r.status, hasIdentity: r.has_identity, createdAt: r.created_at, updatedAt: r.updated_at })),
    page,
    pageSize,
    total: Math.min(total, TOTAL_CAP),
    isTotalCapped: total > TOTAL_CAP,
  };
}
