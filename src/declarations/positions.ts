// The agency administrator's side: the agency's declaration policy (deadlines, reminders, public
// summaries), its designated positions and who holds them. The deadlines are the agency's own
// policy, modelled on the NACC's rule for state officials (พ.ร.ป. ประกอบรัฐธรรมนูญว่าด้วยการป้องกัน
// และปราบปรามการทุจริต พ.ศ. 2561 ss. 102–105: a declaration on taking up and on leaving office, within
// 30 days; text of s. 102 at http://livinginthailand.com/law-nacc-11.html, officials' duty under
// ss. 102, 103 and 105 at http://www.bb.go.th/anticrt/topic-detail.php?id=8505). The 30 days are the
// brief's reading of s. 105, not confirmed word for word from the Royal Gazette text here. An
// agency's internal declaration is not a declaration to the NACC.
import { recordAudit } from '../audit/record-audit.ts';
import type { Db } from '../db/connection.ts';
import { AppError } from '../errors.ts';
import { parseFormDate } from '../i18n/form-date.ts';
import { hasRole, type StaffActor } from '../staff/session.ts';

export const CATEGORIES = ['procurement', 'finance', 'permits', 'executive', 'other'] as const;
export type Category = (typeof CATEGORIES)[number];

export type Policy = {
  entryDays: number;
  leavingDays: number;
  /** MM-DD: the day each year's declaration is due. */
  yearlyDue: string;
  remindDays: number;
  publicSummary: boolean;
};
/** Without a policy of its own: 30 days (the NACC's model), the yearly one 30 days into the fiscal year. */
export const DEFAULT_POLICY: Policy = {
  entryDays: 30,
  leavingDays: 30,
  yearlyDue: '10-30',
  remindDays: 7,
  publicSummary: false,
};

type Reader = Pick<Db, 'selectFrom'>;

export async function policyOf(db: Reader, agencyId: number): Promise<Policy> {
  const row = await db
    .selectFrom('declaration_policy')
    .selectAll()
    .where('agency_id', '=', agencyId)
    .executeTakeFirst();
  if (!row) return DEFAULT_POLICY;
  return {
    entryDays: row.entry_days,
    leavingDays: row.leaving_days,
    yearlyDue: row.yearly_due,
    remindDays: row.remind_days,
    publicSummary: row.public_summary,
  };
}

/** The administrator's own agency, or forbidden. */
export function adminAgency(actor: Pick<StaffActor, 'roles' | 'agencyId'>): number {
  if (!hasRole(actor, 'agency_admin') || actor.agencyId === null)
    throw new AppError('forbidden', 'only an agency administrator designates positions', 'error.forbidden');
  return actor.agencyId;
}

function days(typed: string, field: string, bad: Record<string, string>, max: number): number {
  const n = /^\d{1,3}$/.test(typed.trim()) ? Number(typed.trim()) : Number.NaN;
  if (!(n >= 1 && n <= max)) bad[field] = 'declarations.error.days';
  return n;
}

/** Reads a policy form (days as digits, the yearly day as a date of any year). */
export function readPolicy(str: (name: string, max: number) => string): Policy {
  const bad: Record<string, string> = {};
  const entryDays = days(str('entryDays', 10), 'entryDays', bad, 365);
  const leavingDays = days(str('leavingDays', 10), 'leavingDays', bad, 365);
  const remindDays = days(str('remindDays', 10), 'remindDays', bad, 60);
  const due = /^(\d{1,2})\/(\d{1,2})$/.exec(str('yearlyDue', 10).trim());
  const yearlyDue = due && parseFormDate(`${due[1]}/${due[2]}/2024`)?.slice(5);
  if (!yearlyDue) bad.yearlyDue = 'declarations.error.yearlyDue';
  if (Object.keys(bad).length > 0) throw new AppError('invalid_input', 'policy faults', 'error.form', bad);
  return {
    entryDays,
    leavingDays,
    remindDays,
    yearlyDue: yearlyDue ?? DEFAULT_POLICY.yearlyDue,
    publicSummary: str('publicSummary', 5) === 'on',
  };
}

export async function savePolicy({ db, actor, policy }: { db: Db; actor: StaffActor; policy: Policy }) {
  const agencyId = adminAgency(actor);
  const row = {
    entry_days: policy.entryDays,
    leaving_days: policy.leavingDays,
    yearly_due: policy.yearlyDue,
    remind_days: policy.remindDays,
    public_summary: policy.publicSummary,
    updated_by: actor.id,
    updated_at: new Date(),
  };
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('declaration_policy')
      .values({ agency_id: agencyId, ...row })
      .onConflict((oc) => oc.column('agency_id').doUpdateSet(row))
      .execute();
    await recordAudit(trx, { actorUserId: actor.id, action: 'declaration_policy_changed', detail: { ...policy } });
  });
}

export type Holder = { userId: number; name: string; startedOn: string; leftOn: string | null };
export type Position = { id: number; category: Category; name: string; holders: Holder[] };

/** The agency's positions with their holders, and the staff who may be designated. */
export async function positionsOf(db: Db, actor: StaffActor) {
  const agencyId = adminAgency(actor);
  const [positions, holders, staff] = await Promise.all([
    db.selectFrom('declaration_position').selectAll().where('agency_id', '=', agencyId).orderBy('id').execute(),
    db
      .selectFrom('declaration_holder as h')
      .innerJoin('declaration_position as p', 'p.id', 'h.position_id')
      .innerJoin('staff_user as u', 'u.id', 'h.user_id')
      .select(['h.position_id', 'h.user_id', 'h.started_on', 'h.left_on', 'u.display_name', 'u.email'])
      .where('p.agency_id', '=', agencyId)
      .orderBy('h.started_on')
      .execute(),
    db
      .selectFrom('staff_user')
      .select(['id', 'display_name', 'email'])
      .where('agency_id', '=', agencyId)
      .where('is_active', '=', true)
      .orderBy('email')
      .execute(),
  ]);
  return {
    positions: positions.map(
      (p): Position => ({
        id: p.id,
        category: p.category,
        name: p.name,
        holders: holders
          .filter((h) => h.position_id === p.id)
          .map((h) => ({
            userId: h.user_id,
            name: h.display_name || h.email,
            startedOn: h.started_on,
            leftOn: h.left_on,
          })),
      }),
    ),
    staff: staff.map((s) => ({ id: s.id, name: s.display_name || s.email })),
  };
}

export async function addPosition({
  db,
  actor,
  category,
  name,
}: {
  db: Db;
  actor: StaffActor;
  category: string;
  name: string;
}) {
  const agencyId = adminAgency(actor);
  const bad: Record<string, string> = {};
  if (!(CATEGORIES as readonly string[]).includes(category)) bad.category = 'error.field.invalid';
  const trimmed = name.trim();
  if (!trimmed) bad.name = 'error.field.required';
  else if (trimmed.length > 200) bad.name = 'error.field.too_long';
  if (Object.keys(bad).length > 0) throw new AppError('invalid_input', 'position faults', 'error.form', bad);
  await db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('declaration_position')
      .values({ agency_id: agencyId, category: category as Category, name: trimmed, created_by: actor.id })
      .onConflict((oc) => oc.doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!row)
      throw new AppError('invalid_input', 'position exists', 'error.form', { name: 'declarations.error.exists' });
    await recordAudit(trx, {
      actorUserId: actor.id,
      action: 'declaration_position_saved',
      detail: { position: row.id, category, name: trimmed },
    });
  });
}

async function positionOfAgency(trx: Reader, positionId: number, agencyId: number) {
  const p = await trx
    .selectFrom('declaration_position')
    .select('id')
    .where('id', '=', positionId)
    .where('agency_id', '=', agencyId)
    .executeTakeFirst();
  if (!p) throw new AppError('not_found', 'no such position', 'error.notFound');
}

/**
 * Designates `userId` (of the agency) as holding the position from `day` (`leaving`: false), or
 * records that they left it on `day` (`leaving`: true).
 */
export async function setHolding({
  db,
  actor,
  positionId,
  userId,
  day,
  leaving,
}: {
  db: Db;
  actor: StaffActor;
  positionId: number;
  userId: number;
  day: string;
  leaving: boolean;
}) {
  const agencyId = adminAgency(actor);
  const on = parseFormDate(day);
  if (!on) throw new AppError('invalid_input', 'bad day', 'error.form', { day: 'declarations.error.date' });
  await db.transaction().execute(async (trx) => {
    await positionOfAgency(trx, positionId, agencyId);
    const user = await trx
      .selectFrom('staff_user')
      .select('id')
      .where('id', '=', userId)
      .where('agency_id', '=', agencyId)
      .executeTakeFirst();
    if (!user)
      throw new AppError('invalid_input', 'not of the agency', 'error.form', { userId: 'error.field.invalid' });
    const done = leaving
      ? await trx
          .updateTable('declaration_holder')
          .set({ left_on: on })
          .where('position_id', '=', positionId)
          .where('user_id', '=', userId)
          .executeTakeFirst()
      : await trx
          .insertInto('declaration_holder')
          .values({ position_id: positionId, user_id: userId, started_on: on })
          .onConflict((oc) => oc.columns(['position_id', 'user_id']).doUpdateSet({ started_on: on, left_on: null }))
          .executeTakeFirst();
    if (leaving && 'numUpdatedRows' in done && Number(done.numUpdatedRows) === 0)
      throw new AppError('invalid_input', 'not a holder', 'error.form', { userId: 'error.field.invalid' });
    await recordAudit(trx, {
      actorUserId: actor.id,
      action: 'declaration_holder_changed',
      detail: { position: positionId, user: userId, [leaving ? 'leftOn' : 'startedOn']: on },
    });
  });
}

/** Whether the user holds, or has held, a designated position (who may declare). */
export async function isDesignated(db: Reader, userId: number): Promise<boolean> {
  const row = await db
    .selectFrom('declaration_holder')
    .select('user_id')
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return Boolean(row);
}
