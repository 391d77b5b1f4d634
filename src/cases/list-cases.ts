import { sql } from 'kysely';
import type { Db } from '../db/connection.ts';
import type { CaseKind, CaseStatus } from '../db/schema.ts';
import { hasRole, type StaffActor } from '../staff/session.ts';
import { DUE_SOON_DAYS } from '../agencies/deadlines.ts';
import { METADATA_ROLES } from './case-meta.ts';

export type CaseSummary = {
  reference: string;
  category: string;
  /** Tip, complaint or late permit (optional: search hits carry no kind). */
  kind?: CaseKind;
  channel: string;
  status: CaseStatus;
  hasIdentity: boolean;
  createdAt: Date;
  updatedAt: Date;
  /** The earliest running deadline, null when none runs; `isPaused` while waiting for the reporter. */
  dueAt: Date | null;
  isPaused: boolean;
};
/** `isTotalCapped`: there are more than `total` (= TOTAL_CAP) cases; counting them all would cost more than the page. */
export type CasePage = { items: CaseSummary[]; page: number; pageSize: number; total: number; isTotalCapped: boolean };

export const PAGE_SIZE = 25;
export const TOTAL_CAP = 10_000;
export const INBOX_SCOPES = ['mine', 'assigned', 'agency'] as const;
export type InboxScope = (typeof INBOX_SCOPES)[number];
export const DUE_FILTERS = ['due_soon', 'overdue'] as const;
export type DueFilter = (typeof DUE_FILTERS)[number];

export type CaseFilter = {
  scope?: InboxScope;
  status?: CaseStatus;
  category?: string;
  kind?: CaseKind;
  due?: DueFilter;
  now?: Date;
};

/** The scopes an actor may list: their team's cases always; the agency's metadata for supervisors, auditors and intake officers. */
export function scopesFor(actor: StaffActor): InboxScope[] {
  return [
    'mine',
    ...(hasRole(actor, 'investigator') ? (['assigned'] as const) : []),
    ...(actor.agencyId !== null && hasRole(actor, ...METADATA_ROLES) ? (['agency'] as const) : []),
  ];
}

/**
 * An inbox page, metadata only (nothing is decrypted, so listing is not an opening of content):
 * `mine`, the cases sealed to the actor; `assigned`, those assigned to them; `agency`, every case
 * an agency of the actor takes part in (supervisors, auditors, intake officers). Newest first,
 * or soonest due first with a due filter (open cases whose clocks are not paused).
 */
export async function listCases({
  db,
  actor,
  page = 1,
  pageSize = PAGE_SIZE,
  scope = 'mine',
  status,
  category,
  kind,
  due,
  now = new Date(),
}: { db: Db; actor: StaffActor; page?: number; pageSize?: number } & CaseFilter): Promise<CasePage> {
  const empty = { items: [], page, pageSize, total: 0, isTotalCapped: false };
  if (!actor.isEnrolled || !scopesFor(actor).includes(scope)) return empty;
  const dueAt = sql<Date | null>`least(c.ack_due_at, c.reply_due_at, c.feedback_due_at)`;
  const soon = new Date(now.getTime() + DUE_SOON_DAYS * 86_400_000);
  const base = db
    .selectFrom('report_case as c')
    .$if(scope === 'mine', (q) =>
      q.where(({ exists, selectFrom }) =>
        exists(
          selectFrom('case_key as k')
            .select(sql`1`.as('one'))
            .whereRef('k.case_id', '=', 'c.id')
            .where('k.user_id', '=', actor.id)
            .where('k.purpose', '=', 'content'),
        ),
      ),
    )
    .$if(scope === 'assigned', (q) =>
      q.where(({ exists, selectFrom }) =>
        exists(
          selectFrom('case_assignment as s')
            .select(sql`1`.as('one'))
            .whereRef('s.case_id', '=', 'c.id')
            .where('s.user_id', '=', actor.id),
        ),
      ),
    )
    .$if(scope === 'agency', (q) =>
      // case_agency holds the owner's row and every copy's: one EXISTS an index serves (an OR with
      // c.agency_id could not be, and made the capped count scan every case of the platform)
      q.where(({ exists, selectFrom }) =>
        exists(
          selectFrom('case_agency as g')
            .select(sql`1`.as('one'))
            .whereRef('g.case_id', '=', 'c.id')
            .where('g.agency_id', '=', actor.agencyId!),
        ),
      ),
    )
    .$if(status !== undefined, (q) => q.where('c.status', '=', status!))
    .$if(category !== undefined, (q) => q.where('c.category', '=', category!))
    .$if(kind !== undefined, (q) => q.where('c.kind', '=', kind!))
    .$if(due !== undefined, (q) =>
      q
        .where('c.status', '<>', 'closed')
        .where('c.paused_at', 'is', null)
        .where(dueAt, '<=', due === 'overdue' ? now : soon)
        .$if(due === 'due_soon', (q2) => q2.where(dueAt, '>', now)),
    );
  const [items, count] = await Promise.all([
    base
      .select([
        'c.reference',
        'c.category',
        'c.kind',
        'c.channel',
        'c.status',
        'c.has_identity',
        'c.created_at',
        'c.updated_at',
        'c.paused_at',
        dueAt.as('due_at'),
      ])
      .$if(due !== undefined, (q) => q.orderBy(dueAt, 'asc'))
      .orderBy('c.number', 'desc')
      .limit(pageSize)
      .offset((page - 1) * pageSize)
      .execute(),
    // A count of every case grows with the agency (~90 ms at 100,000): count up to the cap only.
    db
      .selectFrom(
        base
          .select(sql`1`.as('one'))
          .limit(TOTAL_CAP + 1)
          .as('capped'),
      )
      .select((eb) => eb.fn.countAll<number>().as('total'))
      .executeTakeFirstOrThrow(),
  ]);
  const total = Number(count.total);
  return {
    items: items.map((r) => ({
      reference: r.reference,
      category: r.category,
      kind: r.kind,
      channel: r.channel,
      status: r.status,
      hasIdentity: r.has_identity,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
      dueAt: r.status === 'closed' ? null : r.due_at,
      isPaused: r.paused_at !== null,
    })),
    page,
    pageSize,
    total: Math.min(total, TOTAL_CAP),
    isTotalCapped: total > TOTAL_CAP,
  };
}
