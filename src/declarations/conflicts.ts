// Conflict-of-interest alerts: a business the declarant declared (by its juristic-person number)
// that won a contract of the agency, or that a case the declarant handles concerns. Contracts come
// from the agency's procurement imports (procurement_release: the releases of flagged processes
// only, as store.ts keeps them), matched on the awards' supplier identifiers and the parties'
// identifiers, with or without the e-GP mapping's "TH-DBD-" prefix. Cases are matched only on what
// their metadata names in the clear (case_business, recorded by the case team): a business named only
// in a case's sealed content is not found, since matching it would unseal the case.
import { type RawBuilder, sql } from 'kysely';
import { recordAudit } from '../audit/record-audit.ts';
import { removeFromCase } from '../cases/team-members.ts';
import type { Db } from '../db/connection.ts';
import { AppError } from '../errors.ts';
import type { StaffActor } from '../staff/session.ts';
import type { Interest } from './content.ts';

export type Conflict = {
  kind: 'contract' | 'case';
  juristicId: string;
  name: string;
  /** the contracting process (contract) */
  ocid?: string;
  title?: string | null;
  /** the case (case) */
  caseId: string | null;
  reference?: string;
};

/** The conflicts of the declared interests; one per business and contract or case. */
export async function findConflicts(
  db: Db,
  { agencyId, userId, interests }: { agencyId: number; userId: number; interests: readonly Interest[] },
): Promise<Conflict[]> {
  const ids = [...new Set(interests.map((i) => i.juristicId))];
  if (ids.length === 0) return [];
  const nameOf = (id: string) => interests.find((i) => i.juristicId === id)?.name ?? '';
  const [contracts, cases] = await Promise.all([
    sql<{ ocid: string; title: string | null; juristic: string }>`
      select distinct r.ocid, r.title, regexp_replace(s.id, '^TH-DBD-', '') as juristic
      from procurement_release r
      join procurement_import i on i.id = r.import_id
      cross join lateral (
        select jsonb_path_query(r.release, '$.awards[*].suppliers[*].id') #>> '{}' as id
        union select jsonb_path_query(r.release, '$.parties[*].identifier.id') #>> '{}'
      ) s
      where i.agency_id = ${agencyId} and regexp_replace(s.id, '^TH-DBD-', '') = any(${ids}::text[])
      order by r.ocid`.execute(db),
    findCaseConflicts(db, { userId, interests }),
  ]);
  const seen = new Set<string>();
  const out: Conflict[] = [];
  for (const c of contracts.rows) {
    if (seen.has(`c:${c.ocid}:${c.juristic}`)) continue;
    seen.add(`c:${c.ocid}:${c.juristic}`);
    out.push({
      kind: 'contract',
      juristicId: c.juristic,
      name: nameOf(c.juristic),
      ocid: c.ocid,
      title: c.title,
      caseId: null,
    });
  }
  out.push(...cases);
  return out;
}

/** SQL: the user (an id, or a column) handles (assigned, or holding a key of) a case that names any business. */
export const handlesBusinessCase = (user: number | RawBuilder<number>) => sql<boolean>`exists (
  select 1 from case_business b
  where exists (select 1 from case_assignment a where a.case_id = b.case_id and a.user_id = ${user})
     or exists (select 1 from case_key k where k.case_id = b.case_id and k.user_id = ${user}))`;

/** Whether the user handles a case that names any business: nothing to match otherwise. */
export async function handlesCaseWithBusiness(db: Db, userId: number): Promise<boolean> {
  const row = await sql<{ yes: boolean }>`select ${handlesBusinessCase(userId)} as yes`.execute(db);
  return row.rows[0]?.yes === true;
}

/**
 * The case conflicts of the declared interests: the cases the user handles (assigned, or holding a
 * key) whose team recorded a declared business (case_business); one per business and case.
 */
export async function findCaseConflicts(
  db: Db,
  { userId, interests }: { userId: number; interests: readonly Interest[] },
): Promise<Conflict[]> {
  const ids = [...new Set(interests.map((i) => i.juristicId))];
  if (ids.length === 0) return [];
  const cases = await sql<{ id: string; reference: string; juristic: string }>`
    select distinct c.id, c.reference, b.juristic_id as juristic
    from case_business b join report_case c on c.id = b.case_id
    where b.juristic_id = any(${ids}::text[])
      and (exists (select 1 from case_assignment a where a.case_id = c.id and a.user_id = ${userId})
        or exists (select 1 from case_key k where k.case_id = c.id and k.user_id = ${userId}))
    order by c.reference`.execute(db);
  const nameOf = (id: string) => interests.find((i) => i.juristicId === id)?.name ?? '';
  return cases.rows.map((c) => ({
    kind: 'case' as const,
    juristicId: c.juristic,
    name: nameOf(c.juristic),
    caseId: c.id,
    reference: c.reference,
  }));
}

/** The reason recorded (sealed to the case team) when a declarant recuses themself. */
export const RECUSAL_REASON = 'Recusal: a declared interest concerns this case (interest and asset declaration).';

/**
 * The declarant recuses themself from the case of one of their alerts: they are taken off the case
 * team as a declared conflict of interest (team-members.ts, audited 'conflict_declared'), and the
 * alert records it ('declaration_recused').
 */
export async function recuse({ db, actor, alertId }: { db: Db; actor: StaffActor; alertId: string }): Promise<void> {
  if (!/^\d{1,18}$/.test(alertId)) throw new AppError('not_found', 'no such alert', 'error.notFound');
  const alert = await db
    .selectFrom('declaration_alert as a')
    .innerJoin('declaration as d', 'd.id', 'a.declaration_id')
    .leftJoin('report_case as c', 'c.id', 'a.case_id')
    .select(['a.id', 'a.kind', 'a.recused_at', 'd.user_id', 'c.reference'])
    .where('a.id', '=', alertId)
    .executeTakeFirst();
  if (!alert || alert.user_id !== actor.id || alert.kind !== 'case' || !alert.reference)
    throw new AppError('not_found', 'no such alert', 'error.notFound');
  if (alert.recused_at) return;
  await removeFromCase({
    db,
    actor,
    reference: alert.reference,
    userId: actor.id,
    reason: RECUSAL_REASON,
    isConflict: true,
  });
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('declaration_alert').set({ recused_at: new Date() }).where('id', '=', alertId).execute();
    await recordAudit(trx, { actorUserId: actor.id, action: 'declaration_recused', detail: { alert: alertId } });
  });
}
