// A data subject's rights under the PDPA B.E. 2562 (s.30 access and a copy, s.33 erasure) over the
// personal data the platform holds apart from a case's content: the reporter's or complainant's
// identity (name and contact), sealed under its own key. Done by an identity custodian of the
// owning agency who holds that key: the custodian is the one role entrusted with identities (a
// supervisor never reads them), so the request is checked against the sealed identity itself,
// and nobody reads it who did not already hold it. Every export and erasure is audited. Erasure
// crypto-shreds the identity (the sealed identity and every identity key deleted); a legal hold
// refuses it (PDPA s.33 allows keeping data needed for legal claims). A complaint's complainant
// details are sealed inside its content (its team, not the custodian, holds that key): they go
// with the case, by its retention rule.
import { aeadKey, openJson } from '../crypto/aead.ts';
import { openSealed } from '../crypto/sealed-box.ts';
import type { Db } from '../db/connection.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { AppError } from '../errors.ts';
import { identityAad } from '../intake/case-keys.ts';
import { hasRole, type StaffActor } from '../staff/session.ts';
import { denyAccess, lockCase } from './open-case.ts';
import { eraseIdentityRows } from './retention.ts';
import { checkReason, recordCaseEvent } from './workflow.ts';

/** What a data subject receives: a machine-readable copy (PDPA s.31), content-free apart from their own identity. */
export type PersonalDataExport = {
  reference: string;
  agency: string;
  filedAt: string;
  identity: { name: string; contact: string };
  exportedAt: string;
};

type Held = { caseId: string; reference: string; agency: string; createdAt: Date; identity: Buffer; sealedKey: Buffer };

/** The case of `reference` whose sealed identity the actor, a custodian of its owning agency, holds the key to. */
async function heldIdentity(db: Db, actor: StaffActor, reference: string, purpose: string): Promise<Held> {
  const row = await db
    .selectFrom('report_case as c')
    .innerJoin('agency as a', 'a.id', 'c.agency_id')
    .leftJoin('case_key as k', (j) =>
      j.onRef('k.case_id', '=', 'c.id').on('k.user_id', '=', actor.id).on('k.purpose', '=', 'identity'),
    )
    .select(['c.id', 'c.reference', 'c.agency_id', 'a.code', 'c.created_at', 'c.identity', 'k.sealed_key'])
    .where('c.reference', '=', reference.trim().slice(0, 64))
    .executeTakeFirst();
  const allowed =
    row?.identity && row.sealed_key && hasRole(actor, 'identity_custodian') && actor.agencyId === row.agency_id;
  if (!row || !allowed || !row.identity || !row.sealed_key)
    return denyAccess(db, actor, reference.slice(0, 64), row?.id ?? null, purpose);
  return {
    caseId: row.id,
    reference: row.reference,
    agency: row.code,
    createdAt: row.created_at,
    identity: row.identity,
    sealedKey: row.sealed_key,
  };
}

/** A copy of the data subject's identity held with case `reference`, audited 'personal_data_exported'. */
export async function exportPersonalData({
  db,
  actor,
  reference,
  now = new Date(),
}: {
  db: Db;
  actor: StaffActor;
  reference: string;
  now?: Date;
}): Promise<PersonalDataExport> {
  const held = await heldIdentity(db, actor, reference, 'personal_data_exported');
  const key = openSealed(actor.keys, held.sealedKey);
  try {
    const identity = openJson<{ name: string; contact: string }>(aeadKey(key), held.identity, identityAad(held.caseId));
    await recordAudit(db, {
      actorUserId: actor.id,
      action: 'personal_data_exported',
      caseId: held.caseId,
      caseReference: held.reference,
    });
    return {
      reference: held.reference,
      agency: held.agency,
      filedAt: held.createdAt.toISOString(),
      identity: { name: identity.name, contact: identity.contact },
      exportedAt: now.toISOString(),
    };
  } finally {
    key.fill(0);
  }
}

/** Erases the data subject's identity held with case `reference` on their request; the reason is required (field `reason`). */
export async function erasePersonalData({
  db,
  actor,
  reference,
  reason: typed,
  now = new Date(),
}: {
  db: Db;
  actor: StaffActor;
  reference: string;
  reason: unknown;
  now?: Date;
}): Promise<void> {
  const held = await heldIdentity(db, actor, reference, 'identity_erased');
  const reason = checkReason(typed);
  await db.transaction().execute(async (trx) => {
    const row = await lockCase(trx, held.caseId);
    const hold = await trx
      .selectFrom('case_hold')
      .select('case_id')
      .where('case_id', '=', held.caseId)
      .executeTakeFirst();
    if (hold) throw new AppError('conflict', 'the case is under a legal hold', 'personal.error.held');
    await eraseIdentityRows(trx, held.caseId, now);
    // The request's reason is sealed to the team in the history; the audit says who erased what.
    await recordCaseEvent(trx, {
      caseId: held.caseId,
      teamPublicKey: row.team_public_key,
      actor,
      kind: 'identity_erased',
      reason,
      forReporter: false,
      at: now,
    });
    await recordAudit(trx, {
      actorUserId: actor.id,
      action: 'identity_erased',
      caseId: held.caseId,
      caseReference: held.reference,
      detail: { why: 'request' },
    });
  });
}
