// The auditor's reading of the agency's audit trail: events on cases the agency holds (owner or
// copy, via case_agency) and events whose actor is one of its staff, newest first, metadata only;
// filtered by kind of event, person (who acted, or whose account was acted on) and a range of
// days in Bangkok. Every reading is itself audited ('audit_viewed', with its filter), in the same
// transaction. And the check that the whole chain is intact against its ledger anchors.
import { sql } from 'kysely';
import { auditFields, type AuditField, isAuditAction, peopleIn } from '../audit/describe-audit.ts';
import { recordAudit, type AuditAction } from '../audit/record-audit.ts';
import type { Db } from '../db/connection.ts';
import { AppError } from '../errors.ts';
import { parseFormDate } from '../i18n/form-date.ts';
import { verifyAuditChain } from '../ledger/anchor-audit.ts';
import { type AdminActor, ownAgency } from './admin.ts';

/** Rows per page of the audit trail. */
export const AUDIT_PAGE_SIZE = 50;
/** Above this many audit rows the web page sends the auditor to the command line to check the chain. */
export const MAX_WEB_CHAIN_CHECK = 50_000;

/** The filter as typed (query-string text): every part optional. */
export type AuditFilterInput = { action?: string; person?: string; from?: string; to?: string; page?: string };
/** The filter checked: days as YYYY-MM-DD (Bangkok calendar), the person's id. */
export type AuditFilter = { action?: AuditAction; personId?: number; from?: string; to?: string; page: number };

/** Checks a filter typed by an auditor, naming every field at fault. Dates: Thai B.E. or A.D. (form-date.ts). */
export function checkAuditFilter(raw: AuditFilterInput): AuditFilter {
  const errors: Record<string, string> = {};
  const out: AuditFilter = { page: Math.max(1, Math.min(100_000, Number.parseInt(raw.page ?? '', 10) || 1)) };
  if (raw.action) {
    if (isAuditAction(raw.action)) out.action = raw.action;
    else errors.action = 'error.field.invalid';
  }
  if (raw.person) {
    if (/^\d{1,9}$/.test(raw.person)) out.personId = Number(raw.person);
    else errors.person = 'error.field.invalid';
  }
  for (const k of ['from', 'to'] as const) {
    if (!raw[k]?.trim()) continue;
    const day = parseFormDate(raw[k]);
    if (day) out[k] = day;
    else errors[k] = 'audit.filter.error.date';
  }
  if (out.from && out.to && out.to < out.from) errors.to = 'audit.filter.error.range';
  if (Object.keys(errors).length > 0)
    throw new AppError('invalid_input', 'the audit filter is not valid', 'error.form', errors);
  return out;
}

// Thailand keeps UTC+7 all year: a Bangkok day starts at 17:00 UTC the day before.
const bangkokDayStart = (day: string) => new Date(Date.parse(`${day}T00:00:00+07:00`));
const nextDay = (day: string) => new Date(bangkokDayStart(day).getTime() + 86_400_000);

export type AuditItem = {
  id: number;
  at: Date;
  actorEmail: string | null;
  action: string;
  caseReference: string | null;
  fields: AuditField[];
};
/** `people`: the email of each staff id the page's details mention, when of the auditor's agency. */
export type AuditPage = { items: AuditItem[]; page: number; hasNext: boolean; people: Record<number, string> };

/** The events of the auditor's agency that match `filter`, a page of them, newest first. Audited. */
export async function listAgencyAudit({
  db,
  actor,
  filter,
}: {
  db: Db;
  actor: AdminActor;
  filter: AuditFilter;
}): Promise<AuditPage> {
  const agencyId = ownAgency(actor, 'auditor');
  const { page: p, action, personId, from, to } = filter;
  return db.transaction().execute(async (trx) => {
    await recordAudit(trx, {
      actorUserId: actor.id,
      action: 'audit_viewed',
      detail: {
        agency: agencyId,
        page: p,
        ...(action ? { action } : {}),
        ...(personId ? { person: personId } : {}),
        ...(from ? { from } : {}),
        ...(to ? { to } : {}),
      },
    });
    const rows = await trx
      .selectFrom('audit_event as e')
      .leftJoin('staff_user as u', 'u.id', 'e.actor_user_id')
      .select(['e.id', 'e.at', 'u.email', 'e.action', 'e.case_reference', 'e.detail'])
      .where((eb) =>
        eb.or([
          eb('e.case_id', 'in', eb.selectFrom('case_agency').select('case_id').where('agency_id', '=', agencyId)),
          eb('e.actor_user_id', 'in', eb.selectFrom('staff_user').select('id').where('agency_id', '=', agencyId)),
        ]),
      )
      .$if(action !== undefined, (q) => q.where('e.action', '=', action!))
      .$if(personId !== undefined, (q) =>
        q.where((eb) =>
          eb.or([eb('e.actor_user_id', '=', personId!), eb(sql`e.detail->>'user'`, '=', String(personId))]),
        ),
      )
      .$if(from !== undefined, (q) => q.where('e.at', '>=', bangkokDayStart(from!)))
      .$if(to !== undefined, (q) => q.where('e.at', '<', nextDay(to!)))
      .orderBy('e.id', 'desc')
      .limit(AUDIT_PAGE_SIZE + 1)
      .offset((p - 1) * AUDIT_PAGE_SIZE)
      .execute();
    const items = rows.slice(0, AUDIT_PAGE_SIZE).map((r) => ({
      id: Number(r.id),
      at: r.at,
      actorEmail: r.email,
      action: r.action,
      caseReference: r.case_reference,
      fields: auditFields(r.detail),
    }));
    return { page: p, hasNext: rows.length > AUDIT_PAGE_SIZE, items, people: await emailsOf(trx, agencyId, items) };
  });
}

/** The emails of the staff the details mention, the auditor's agency only (another agency's staff stay ids). */
async function emailsOf(db: Db, agencyId: number, items: AuditItem[]): Promise<Record<number, string>> {
  const ids = [...new Set(items.flatMap((i) => peopleIn(i.fields)))].filter((id) => Number.isSafeInteger(id));
  if (ids.length === 0) return {};
  const rows = await db
    .selectFrom('staff_user')
    .select(['id', 'email'])
    .where('id', 'in', ids)
    .where('agency_id', '=', agencyId)
    .execute();
  return Object.fromEntries(rows.map((r) => [r.id, r.email]));
}

/** The agency's staff, for the person filter: who acted or was acted on. */
export async function auditPeople({
  db,
  actor,
}: {
  db: Db;
  actor: AdminActor;
}): Promise<{ id: number; email: string; displayName: string }[]> {
  const agencyId = ownAgency(actor, 'auditor');
  const rows = await db
    .selectFrom('staff_user')
    .select(['id', 'email', 'display_name'])
    .where('agency_id', '=', agencyId)
    .orderBy('email')
    .execute();
  return rows.map((r) => ({ id: r.id, email: r.email, displayName: r.display_name }));
}

export type ChainCheck =
  | { state: 'intact'; rows: number; anchors: number; anchorsInLog: number }
  | { state: 'broken'; problem: string }
  | { state: 'too_large'; rows: number };

/**
 * Recomputes the whole audit chain against its ledger anchors (auditor). Past MAX_WEB_CHAIN_CHECK
 * rows it does not run (the request would hold the chain in memory): use `ledger verify-audit`.
 */
export async function checkAuditChain({ db, actor }: { db: Db; actor: AdminActor }): Promise<ChainCheck> {
  const agencyId = ownAgency(actor, 'auditor');
  await recordAudit(db, {
    actorUserId: actor.id,
    action: 'audit_viewed',
    detail: { agency: agencyId, chainCheck: true },
  });
  const { n } = await db.selectFrom('audit_event').select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow();
  if (n > MAX_WEB_CHAIN_CHECK) return { state: 'too_large', rows: n };
  try {
    return { state: 'intact', ...(await verifyAuditChain({ db })) };
  } catch (e) {
    return { state: 'broken', problem: (e as Error).message };
  }
}
