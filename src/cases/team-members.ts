// The case team: who the case's keys are sealed to. The server never holds a case key, so adding
// someone is a grant that waits for the session of a team member who holds the key (usually at
// once: the supervisor or intake officer doing it). That session also checks, on the decrypted
// report, that the person added is not named in it.
import { randomUUID } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { Db } from '../db/connection.ts';
import { openSealed, sealTo } from '../crypto/sealed-box.ts';
import { aeadKey, openJson } from '../crypto/aead.ts';
import { contentAad } from '../intake/case-keys.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { AppError } from '../errors.ts';
import type { StaffActor } from '../staff/session.ts';
import { isOwningSupervisor, loadCaseMeta } from './case-meta.ts';
import { checkReason, recordCaseEvent } from './workflow.ts';

/** Letters and digits only, lower case, Thai included: "นาย สมชาย  ใจดี" ~ "นายสมชายใจดี". */
export function nameKey(text: string): string {
  return text
    .normalize('NFC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\p{M}]+/gu, '');
}

/** True when the person's name (at least 4 letters) appears in any field of the report. */
export function isNamedIn(displayName: string, content: Record<string, string>): boolean {
  const name = nameKey(displayName);
  if (name.length < 4) return false;
  return Object.values(content).some((v) => nameKey(v).includes(name));
}

/**
 * A supervisor of the owning agency assigns an investigator of that agency: the assignment is
 * recorded and the keys are granted (sealed at once if the supervisor holds them).
 */
export async function assignInvestigator({
  db,
  actor,
  reference,
  userId,
}: {
  db: Db;
  actor: StaffActor;
  reference: string;
  userId: number;
}): Promise<{ sealedNow: boolean; refused: boolean }> {
  const meta = await loadCaseMeta(db, actor, reference, 'case_assigned');
  if (!isOwningSupervisor(actor, meta))
    throw new AppError('forbidden', 'only a supervisor of the owning agency assigns', 'error.forbidden');
  if ((await assignableInvestigators(db, meta.agencyId, userId)).length === 0)
    throw new AppError('invalid_input', 'not an investigator of the agency', 'error.form', {
      assignee: 'error.field.invalid',
    });
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('case_assignment')
      .values({ case_id: meta.id, user_id: userId, assigned_by: actor.id })
      .onConflict((oc) => oc.doNothing())
      .execute();
    const holds = await trx
      .selectFrom('case_key')
      .select('user_id')
      .where('case_id', '=', meta.id)
      .where('user_id', '=', userId)
      .where('purpose', '=', 'content')
      .executeTakeFirst();
    if (!holds)
      await trx
        .insertInto('case_grant')
        .values({ id: randomUUID(), case_id: meta.id, user_id: userId, purpose: 'content', requested_by: actor.id })
        .onConflict((oc) => oc.doNothing())
        .execute();
    await recordCaseEvent(trx, {
      caseId: meta.id,
      teamPublicKey: meta.teamPublicKey,
      actor,
      kind: 'assigned',
      forReporter: false,
    });
    await recordAudit(trx, {
      actorUserId: actor.id,
      action: 'case_assigned',
      caseId: meta.id,
      caseReference: meta.reference,
      detail: { user: userId },
    });
  });
  const done = await fulfilGrants({ db, actor, caseId: meta.id });
  return { sealedNow: done.sealed > 0, refused: done.refused > 0 };
}

export type Investigator = { id: number; name: string };

/** The active investigators of an agency (or the one of them with id `only`), by name: whom its supervisors may assign. */
export async function assignableInvestigators(db: Db, agencyId: number, only?: number): Promise<Investigator[]> {
  const rows = await db
    .selectFrom('staff_user as u')
    .innerJoin('staff_role as r', (j) => j.onRef('r.user_id', '=', 'u.id').on('r.role', '=', 'investigator'))
    .select(['u.id', 'u.email', 'u.display_name'])
    .where('u.agency_id', '=', agencyId)
    .where('u.is_active', '=', true)
    .$if(only !== undefined, (q) => q.where('u.id', '=', only!))
    .orderBy('u.display_name')
    .orderBy('u.email')
    .execute();
  return rows.map((u) => ({ id: u.id, name: u.display_name || u.email }));
}

/**
 * Seals the pending grants of the cases whose keys the actor holds (all of them, or one case).
 * A content grant to someone named in the report is refused. Returns the counts.
 */
export async function fulfilGrants({
  db,
  actor,
  caseId,
  limit = 50,
}: {
  db: Db;
  actor: StaffActor;
  caseId?: string;
  limit?: number;
}): Promise<{ sealed: number; refused: number }> {
  if (!actor.isEnrolled) return { sealed: 0, refused: 0 };
  const pending = await db
    .selectFrom('case_grant as g')
    .innerJoin('case_key as k', (j) =>
      j.onRef('k.case_id', '=', 'g.case_id').onRef('k.purpose', '=', 'g.purpose').on('k.user_id', '=', actor.id),
    )
    .innerJoin('staff_user as u', 'u.id', 'g.user_id')
    .innerJoin('report_case as c', 'c.id', 'g.case_id')
    .leftJoin('case_key as tk', (j) =>
      j.onRef('tk.case_id', '=', 'g.case_id').on('tk.purpose', '=', 'team').on('tk.user_id', '=', actor.id),
    )
    .select([
      'g.id',
      'g.case_id',
      'g.user_id',
      'g.purpose',
      'g.referral_id',
      'u.public_key',
      'u.display_name',
      'u.is_active',
      'k.sealed_key',
      'tk.sealed_key as team_key',
      'c.content',
      'c.reference',
      'c.team_public_key',
    ])
    .where('g.state', '=', 'pending')
    .$if(caseId !== undefined, (q) => q.where('g.case_id', '=', caseId!))
    .orderBy('g.requested_at')
    .limit(limit)
    .execute();
  let sealed = 0;
  let refused = 0;
  for (const g of pending) {
    const key = openSealed(actor.keys, g.sealed_key);
    let state: 'sealed' | 'refused_named' | 'cancelled' = 'sealed';
    if (!g.is_active || !g.public_key) state = 'cancelled';
    else if (
      g.purpose === 'content' &&
      isNamedIn(g.display_name, openJson<Record<string, string>>(aeadKey(key), g.content, contentAad(g.case_id)))
    )
      state = 'refused_named';
    await db.transaction().execute(async (trx) => {
      const claimed = await trx
        .updateTable('case_grant')
        .set({ state, settled_by: actor.id, settled_at: new Date() })
        .where('id', '=', g.id)
        .where('state', '=', 'pending')
        .executeTakeFirst();
      if (claimed.numUpdatedRows !== 1n) return; // settled by someone else meanwhile
      if (state === 'sealed') {
        const rows: {
          case_id: string;
          user_id: number;
          purpose: 'content' | 'identity' | 'team';
          sealed_key: Buffer;
        }[] = [{ case_id: g.case_id, user_id: g.user_id, purpose: g.purpose, sealed_key: sealTo(g.public_key!, key) }];
        if (g.purpose === 'content' && g.team_key)
          rows.push({
            case_id: g.case_id,
            user_id: g.user_id,
            purpose: 'team',
            sealed_key: sealTo(g.public_key!, openSealed(actor.keys, g.team_key)),
          });
        await trx
          .insertInto('case_key')
          .values(rows)
          .onConflict((oc) => oc.doNothing())
          .execute();
        await recordAudit(trx, {
          actorUserId: actor.id,
          action: 'key_granted',
          caseId: g.case_id,
          caseReference: g.reference,
          detail: { user: g.user_id, purpose: g.purpose },
        });
      } else if (state === 'refused_named') {
        await trx
          .deleteFrom('case_assignment')
          .where('case_id', '=', g.case_id)
          .where('user_id', '=', g.user_id)
          .execute();
        await recordCaseEvent(trx, {
          caseId: g.case_id,
          teamPublicKey: g.team_public_key,
          actor: null,
          kind: 'assignment_refused_named',
          forReporter: false,
        });
        await recordAudit(trx, {
          actorUserId: actor.id,
          action: 'key_grant_refused',
          caseId: g.case_id,
          caseReference: g.reference,
          detail: { user: g.user_id, why: 'named_in_report' },
        });
      }
      if (g.referral_id) await finishReferral(trx, g.referral_id);
    });
    key.fill(0);
    if (state === 'sealed') sealed++;
    else if (state === 'refused_named') refused++;
  }
  return { sealed, refused };
}

/** When every grant of a referral is settled and the sender gives up access, the sender's keys go. */
async function finishReferral(trx: Transaction<Database>, referralId: string): Promise<void> {
  const ref = await trx.selectFrom('case_referral').selectAll().where('id', '=', referralId).executeTakeFirst();
  if (!ref || ref.sender_keeps_access) return;
  const open = await trx
    .selectFrom('case_grant')
    .select('id')
    .where('referral_id', '=', referralId)
    .where('state', '=', 'pending')
    .executeTakeFirst();
  if (open) return;
  const gone = await sql<{
    user_id: number;
  }>`delete from case_key k using staff_user u where u.id = k.user_id and k.case_id = ${ref.case_id} and u.agency_id = ${ref.from_agency_id} returning k.user_id`.execute(
    trx,
  );
  await recordAudit(trx, {
    actorUserId: null,
    action: 'case_member_removed',
    caseId: ref.case_id,
    detail: { referral: referralId, users: [...new Set(gone.rows.map((r) => r.user_id))] },
  });
  await sql`delete from case_assignment a using staff_user u where u.id = a.user_id and a.case_id = ${ref.case_id} and u.agency_id = ${ref.from_agency_id}`.execute(
    trx,
  );
}

/**
 * Takes someone off a case: their sealed keys are deleted (a supervisor of the owning agency, or
 * the person themselves declaring a conflict of interest). Either gives a reason, sealed to the team.
 */
export async function removeFromCase({
  db,
  actor,
  reference,
  userId,
  reason,
  isConflict = false,
}: {
  db: Db;
  actor: StaffActor;
  reference: string;
  userId: number;
  reason: unknown;
  isConflict?: boolean;
}): Promise<void> {
  const meta = await loadCaseMeta(db, actor, reference, isConflict ? 'conflict_declared' : 'case_member_removed');
  if (isConflict ? userId !== actor.id : !isOwningSupervisor(actor, meta)) {
    throw new AppError(
      'forbidden',
      'only a supervisor removes others; anyone may declare their own conflict',
      'error.forbidden',
    );
  }
  const text = checkReason(reason);
  const onCase = await sql<{ one: number }>`
    select 1 as one where exists (select 1 from case_key where case_id = ${meta.id} and user_id = ${userId})
      or exists (select 1 from case_assignment where case_id = ${meta.id} and user_id = ${userId})
      or exists (select 1 from case_grant where case_id = ${meta.id} and user_id = ${userId} and state = 'pending')`.execute(
    db,
  );
  if (onCase.rows.length === 0)
    throw new AppError('invalid_input', 'this person is not on the case', 'error.form', {
      userId: 'error.field.invalid',
    });
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('case_key').where('case_id', '=', meta.id).where('user_id', '=', userId).execute();
    await trx.deleteFrom('case_assignment').where('case_id', '=', meta.id).where('user_id', '=', userId).execute();
    await trx
      .updateTable('case_grant')
      .set({ state: 'cancelled', settled_by: actor.id, settled_at: new Date() })
      .where('case_id', '=', meta.id)
      .where('user_id', '=', userId)
      .where('state', '=', 'pending')
      .execute();
    await recordCaseEvent(trx, {
      caseId: meta.id,
      teamPublicKey: meta.teamPublicKey,
      actor,
      kind: isConflict ? 'conflict_declared' : 'member_removed',
      reason: text,
      forReporter: false,
    });
    await recordAudit(trx, {
      actorUserId: actor.id,
      action: isConflict ? 'conflict_declared' : 'case_member_removed',
      caseId: meta.id,
      caseReference: meta.reference,
      detail: { user: userId },
    });
  });
}

export type AccessEntry = {
  userId: number;
  email: string;
  displayName: string;
  agencyCode: string | null;
  purposes: string[];
  pending: string[];
  isAssigned: boolean;
};

/** Who holds which key of a case, and who waits for one (the case page's access list). */
export async function accessList(db: Db, caseId: string): Promise<AccessEntry[]> {
  const rows = await sql<{
    user_id: number;
    email: string;
    display_name: string;
    code: string | null;
    purposes: string[] | null;
    pending: string[] | null;
    assigned: boolean;
  }>`
    with people as (
      select user_id from case_key where case_id = ${caseId}
      union select user_id from case_grant where case_id = ${caseId} and state = 'pending'
      union select user_id from case_assignment where case_id = ${caseId}
    )
    select u.id as user_id, u.email, u.display_name, a.code,
      (select array_agg(k.purpose order by k.purpose) from case_key k where k.case_id = ${caseId} and k.user_id = u.id) as purposes,
      (select array_agg(g.purpose order by g.purpose) from case_grant g where g.case_id = ${caseId} and g.user_id = u.id and g.state = 'pending') as pending,
      exists (select 1 from case_assignment s where s.case_id = ${caseId} and s.user_id = u.id) as assigned
    from people p join staff_user u on u.id = p.user_id left join agency a on a.id = u.agency_id
    order by a.code, u.email`.execute(db);
  return rows.rows.map((r) => ({
    userId: r.user_id,
    email: r.email,
    displayName: r.display_name,
    agencyCode: r.code,
    purposes: r.purposes ?? [],
    pending: r.pending ?? [],
    isAssigned: r.assigned,
  }));
}
