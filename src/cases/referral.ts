// Referral between agencies (the single channel): a supervisor of the owning agency refers a case
// to another agency, in whole (transfer: the receiver owns it from now) or as a copy (both work
// it). The keys are granted to the receiving agency's intake officers (content) and identity
// custodians (identity); the sender keeps access or loses it once the grants are sealed. The
// reporter keeps one receipt and sees one history.
import { createHash, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../db/connection.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { AppError } from '../errors.ts';
import { appendCaseEvent } from '../ledger/append.ts';
import type { StaffActor } from '../staff/session.ts';
import { isOwningSupervisor, loadCaseMeta } from './case-meta.ts';
import { dueDates, policyFor } from '../agencies/deadlines.ts';
import { type AgencyChoice, listReportableAgencies } from '../agencies/list-agencies.ts';
import { openCaseKeys } from './open-case.ts';
import { fulfilGrants, type HandoverMail, tellKeyHolders } from './handover.ts';
import { checkReason, recordCaseEvent } from './workflow.ts';

export type Destination = AgencyChoice;

/**
 * The agencies a case of `fromAgencyId` may be referred to: every other agency with an active
 * intake officer (a referral needs someone there to receive the content key).
 */
export async function referralDestinations(db: Db, fromAgencyId: number): Promise<Destination[]> {
  return (await listReportableAgencies({ db })).filter((a) => a.id !== fromAgencyId);
}

export async function referCase({
  db,
  actor,
  reference,
  toAgencyCode,
  mode,
  keepAccess,
  reason,
  mail,
  now = new Date(),
}: {
  db: Db;
  actor: StaffActor;
  reference: string;
  toAgencyCode: string;
  mode: string;
  keepAccess: boolean;
  reason: unknown;
  /** How the key holders are told of the grants their next visit hands over. */
  mail?: HandoverMail;
  now?: Date;
}): Promise<{ referralId: string; pendingGrants: number }> {
  const meta = await loadCaseMeta(db, actor, reference, 'case_referred');
  if (!isOwningSupervisor(actor, meta))
    throw new AppError('forbidden', 'only a supervisor of the owning agency refers a case', 'error.forbidden');
  if (mode !== 'transfer' && mode !== 'copy')
    throw new AppError('invalid_input', 'mode is transfer or copy', 'error.form', { mode: 'error.field.invalid' });
  if (meta.status === 'closed') throw new AppError('conflict', 'a closed case is not referred', 'error.transition');
  const text = checkReason(reason);
  const to = await db
    .selectFrom('agency')
    .select(['id', 'code', 'settings'])
    .where('code', '=', toAgencyCode.trim().toUpperCase().slice(0, 16))
    .executeTakeFirst();
  if (!to || to.id === meta.agencyId)
    throw new AppError('invalid_input', 'choose another agency', 'error.form', { toAgency: 'error.field.invalid' });
  const receivers = await db
    .selectFrom('staff_user as u')
    .innerJoin('staff_role as r', 'r.user_id', 'u.id')
    .select(['u.id', 'r.role'])
    .where('u.agency_id', '=', to.id)
    .where('u.is_active', '=', true)
    .where('r.role', 'in', ['intake_officer', 'identity_custodian'])
    .execute();
  const intake = receivers.filter((r) => r.role === 'intake_officer');
  if (intake.length === 0)
    throw new AppError('invalid_input', `${to.code} has no intake officer`, 'error.form', {
      toAgency: 'error.agency_unknown',
    });
  const custodians = meta.hasIdentity ? receivers.filter((r) => r.role === 'identity_custodian') : [];
  const opened = meta.holdsKey ? await openCaseKeys({ db, actor, reference, purpose: 'case_referred' }) : null;
  const referralId = randomUUID();
  await db.transaction().execute(async (trx) => {
    const current = await trx
      .selectFrom('report_case')
      .select(['status', 'team_public_key'])
      .where('id', '=', meta.id)
      .forUpdate()
      .executeTakeFirstOrThrow();
    if (current.status !== meta.status) throw new AppError('conflict', 'the case changed meanwhile', 'error.conflict');
    await trx
      .insertInto('case_referral')
      .values({
        id: referralId,
        case_id: meta.id,
        from_agency_id: meta.agencyId,
        to_agency_id: to.id,
        mode,
        sender_keeps_access: mode === 'copy' || keepAccess,
        referred_by: actor.id,
      })
      .execute();
    const grants = [
      ...intake.map((u) => ({ user: u.id, purpose: 'content' as const })),
      ...custodians.map((u) => ({ user: u.id, purpose: 'identity' as const })),
    ];
    await sql`
      insert into case_grant (id, case_id, user_id, purpose, requested_by, referral_id)
      select gen_random_uuid(), ${meta.id}::uuid, t.u, t.p, ${actor.id}::int, ${referralId}::uuid from unnest(${grants.map((g) => g.user)}::int[], ${grants.map((g) => g.purpose)}::text[]) t(u, p)
      where not exists (select 1 from case_key k where k.case_id = ${meta.id}::uuid and k.user_id = t.u and k.purpose = t.p)
      on conflict do nothing`.execute(trx);
    await trx
      .insertInto('case_agency')
      .values({ case_id: meta.id, agency_id: to.id, is_owner: mode === 'transfer' })
      .onConflict((oc) => oc.columns(['case_id', 'agency_id']).doUpdateSet({ is_owner: mode === 'transfer' }))
      .execute();
    if (mode === 'transfer') {
      // The sender keeps a metadata view only if it keeps access; its keys go once the grants are sealed.
      if (keepAccess)
        await trx
          .updateTable('case_agency')
          .set({ is_owner: false })
          .where('case_id', '=', meta.id)
          .where('agency_id', '=', meta.agencyId)
          .execute();
      else
        await trx
          .deleteFrom('case_agency')
          .where('case_id', '=', meta.id)
          .where('agency_id', '=', meta.agencyId)
          .execute();
      // The receiving agency's clocks start now, by its own policy.
      await trx
        .updateTable('report_case')
        .set({
          agency_id: to.id,
          // the unit concerned was one of the agency that hands the case over
          unit_id: null,
          status: 'referred',
          outcome: null,
          paused_at: null,
          updated_at: sql<Date>`date_trunc('minute', ${now}::timestamptz)`,
          ...dueDates(policyFor(to.settings, meta.category), now),
        })
        .where('id', '=', meta.id)
        .execute();
    }
    await recordCaseEvent(trx, {
      caseId: meta.id,
      teamPublicKey: current.team_public_key,
      actor,
      kind: mode === 'transfer' ? 'referred' : 'copied',
      fromStatus: meta.status,
      toStatus: mode === 'transfer' ? 'referred' : meta.status,
      agencyId: to.id,
      reason: text,
      forReporter: true,
      at: now,
    });
    await recordAudit(trx, {
      actorUserId: actor.id,
      action: 'case_referred',
      caseId: meta.id,
      caseReference: meta.reference,
      detail: { to: to.code, mode, keepAccess: mode === 'copy' || keepAccess },
    });
    const detail = createHash('sha256').update(`referral:${referralId}:${to.code}:${mode}`).digest();
    if (opened)
      await appendCaseEvent(trx, { caseId: meta.id, caseKey: opened.keys.content, event: 'referral', detail, at: now });
    else if (current.team_public_key)
      await appendCaseEvent(trx, {
        caseId: meta.id,
        teamPublicKey: current.team_public_key,
        event: 'referral',
        detail,
        at: now,
      });
  });
  await fulfilGrants({ db, actor, caseId: meta.id });
  const left = await db
    .selectFrom('case_grant')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('referral_id', '=', referralId)
    .where('state', '=', 'pending')
    .executeTakeFirstOrThrow();
  if (Number(left.n) > 0 && mail) await tellKeyHolders(db, mail, meta);
  return { referralId, pendingGrants: Number(left.n) };
}
