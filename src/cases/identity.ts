// Identity escrow. The reporter's identity is sealed under its own key, held by the agency's
// identity custodians only. An investigator on the case asks, with a reason; a custodian approves
// (sealing the identity key to the requester) or refuses. The reporter is told of a disclosure
// unless the agency has turned that off.
import { createHash, randomUUID } from 'node:crypto';
import type { Db } from '../db/connection.ts';
import { openSealed, sealTo } from '../crypto/sealed-box.ts';
import { openReason, sealReason } from './sealed-reason.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { AppError } from '../errors.ts';
import { appendCaseEvent } from '../ledger/append.ts';
import { hasRole, type StaffActor } from '../staff/session.ts';
import { openCaseKeys } from './open-case.ts';
import { checkReason, recordCaseEvent } from './workflow.ts';

export async function requestIdentity({
  db,
  actor,
  reference,
  reason,
}: {
  db: Db;
  actor: StaffActor;
  reference: string;
  reason: unknown;
}): Promise<{ requestId: string }> {
  const opened = await openCaseKeys({ db, actor, reference, purpose: 'identity_requested' }); // first: a refusal is audited
  if (!hasRole(actor, 'investigator', 'supervisor'))
    throw new AppError('forbidden', 'only investigators and supervisors ask for an identity', 'error.forbidden');
  const text = checkReason(reason);
  const c = await db
    .selectFrom('report_case')
    .select(['has_identity'])
    .where('id', '=', opened.caseId)
    .executeTakeFirstOrThrow();
  if (!c.has_identity) throw new AppError('conflict', 'the reporter gave no identity', 'error.no_identity');
  const already = await db
    .selectFrom('case_key')
    .select('user_id')
    .where('case_id', '=', opened.caseId)
    .where('user_id', '=', actor.id)
    .where('purpose', '=', 'identity')
    .executeTakeFirst();
  if (already) throw new AppError('conflict', 'the identity is already disclosed to you', 'error.conflict');
  const custodians = await db
    .selectFrom('case_key as k')
    .innerJoin('staff_user as u', 'u.id', 'k.user_id')
    .select(['u.id', 'u.public_key'])
    .where('k.case_id', '=', opened.caseId)
    .where('k.purpose', '=', 'identity')
    .execute();
  const requestId = randomUUID();
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('identity_request')
      .values({
        id: requestId,
        case_id: opened.caseId,
        requester_id: actor.id,
        reason: sealReason(
          [
            ...custodians.map((u) => ({ id: u.id, publicKey: u.public_key! })),
            { id: actor.id, publicKey: actor.keys.publicKey },
          ],
          text,
        ),
      })
      .execute();
    await recordCaseEvent(trx, {
      caseId: opened.caseId,
      teamPublicKey: null,
      actor,
      kind: 'identity_requested',
      forReporter: false,
    });
    await recordAudit(trx, {
      actorUserId: actor.id,
      action: 'identity_requested',
      caseId: opened.caseId,
      caseReference: opened.reference,
      detail: { request: requestId },
    });
    await appendCaseEvent(trx, {
      caseId: opened.caseId,
      caseKey: opened.keys.content,
      event: 'identity_request',
      detail: createHash('sha256').update(`identity-request:${requestId}`).digest(),
    });
  });
  return { requestId };
}

export type IdentityRequestState = { state: string; requestedAt: Date };

/** The latest identity request of `requesterId` on a case, if any: the case page says whether it waits or was refused. */
export async function myIdentityRequest(
  db: Db,
  caseId: string,
  requesterId: number,
): Promise<IdentityRequestState | null> {
  const row = await db
    .selectFrom('identity_request')
    .select(['state', 'requested_at'])
    .where('case_id', '=', caseId)
    .where('requester_id', '=', requesterId)
    .orderBy('requested_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? { state: row.state, requestedAt: row.requested_at } : null;
}

export type IdentityRequestView = {
  id: string;
  reference: string;
  requester: string;
  reason: string | null;
  requestedAt: Date;
  state: string;
};

/** The pending requests a custodian can decide (of cases whose identity key they hold). */
export async function pendingIdentityRequests(db: Db, actor: StaffActor): Promise<IdentityRequestView[]> {
  if (!hasRole(actor, 'identity_custodian')) return [];
  const rows = await db
    .selectFrom('identity_request as r')
    .innerJoin('case_key as k', (j) =>
      j.onRef('k.case_id', '=', 'r.case_id').on('k.purpose', '=', 'identity').on('k.user_id', '=', actor.id),
    )
    .innerJoin('report_case as c', 'c.id', 'r.case_id')
    .innerJoin('staff_user as u', 'u.id', 'r.requester_id')
    .select(['r.id', 'c.reference', 'u.email', 'u.display_name', 'r.reason', 'r.requested_at', 'r.state'])
    .where('r.state', '=', 'pending')
    .orderBy('r.requested_at')
    .limit(200)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    reference: r.reference,
    requester: r.display_name || r.email,
    reason: openReason(actor, r.reason),
    requestedAt: r.requested_at,
    state: r.state,
  }));
}

/** A custodian decides: approving seals the identity key to the requester. */
export async function decideIdentity({
  db,
  actor,
  requestId,
  approve,
  reason,
}: {
  db: Db;
  actor: StaffActor;
  requestId: string;
  approve: boolean;
  reason: unknown;
}): Promise<void> {
  const text = checkReason(reason);
  const row = /^[0-9a-f-]{36}$/.test(requestId)
    ? await db
        .selectFrom('identity_request as r')
        .innerJoin('report_case as c', 'c.id', 'r.case_id')
        .innerJoin('agency as a', 'a.id', 'c.agency_id')
        .innerJoin('staff_user as u', 'u.id', 'r.requester_id')
        .leftJoin('case_key as k', (j) =>
          j.onRef('k.case_id', '=', 'r.case_id').on('k.purpose', '=', 'identity').on('k.user_id', '=', actor.id),
        )
        .select([
          'r.id',
          'r.case_id',
          'r.requester_id',
          'r.state',
          'c.reference',
          'c.team_public_key',
          'a.settings',
          'u.public_key',
          'u.is_active',
          'k.sealed_key',
        ])
        .where('r.id', '=', requestId)
        .executeTakeFirst()
    : undefined;
  if (!row?.sealed_key || !hasRole(actor, 'identity_custodian') || !actor.isEnrolled) {
    await recordAudit(db, {
      actorUserId: actor.id,
      action: 'case_access_denied',
      caseId: row?.case_id ?? null,
      detail: { purpose: 'identity_request_decided' },
    });
    throw new AppError('not_found', 'no such request for this custodian', 'error.not_found');
  }
  if (row.requester_id === actor.id)
    throw new AppError('forbidden', 'a custodian does not decide their own request', 'error.forbidden');
  if (approve && (!row.is_active || !row.public_key))
    throw new AppError('conflict', 'the requester’s account is no longer active', 'error.conflict');
  const tell = row.settings?.notifyReporterOfDisclosure !== false;
  await db.transaction().execute(async (trx) => {
    const claimed = await trx
      .updateTable('identity_request')
      .set({
        state: approve ? 'approved' : 'refused',
        decided_by: actor.id,
        decided_at: new Date(),
        decision_reason: sealReason(
          [
            { id: row.requester_id, publicKey: row.public_key! },
            { id: actor.id, publicKey: actor.keys.publicKey },
          ],
          text,
        ),
      })
      .where('id', '=', row.id)
      .where('state', '=', 'pending')
      .executeTakeFirst();
    if (claimed.numUpdatedRows !== 1n) throw new AppError('conflict', 'already decided', 'error.conflict');
    if (approve) {
      const identityKey = openSealed(actor.keys, row.sealed_key!);
      await trx
        .insertInto('case_key')
        .values({
          case_id: row.case_id,
          user_id: row.requester_id,
          purpose: 'identity',
          sealed_key: sealTo(row.public_key!, identityKey),
        })
        .onConflict((oc) => oc.doNothing())
        .execute();
      identityKey.fill(0);
    }
    await recordCaseEvent(trx, {
      caseId: row.case_id,
      teamPublicKey: row.team_public_key,
      actor,
      kind: approve ? 'identity_disclosed' : 'identity_refused',
      reason: text,
      forReporter: approve && tell,
    });
    await recordAudit(trx, {
      actorUserId: actor.id,
      action: 'identity_request_decided',
      caseId: row.case_id,
      caseReference: row.reference,
      detail: { request: row.id, approved: approve, requester: row.requester_id },
    });
    if (row.team_public_key)
      await appendCaseEvent(trx, {
        caseId: row.case_id,
        teamPublicKey: row.team_public_key,
        event: 'identity_request',
        detail: createHash('sha256').update(`identity-decision:${row.id}:${approve}`).digest(),
      });
  });
}
