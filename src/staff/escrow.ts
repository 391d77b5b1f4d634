// The agency escrow key: optional, two-person. An agency administrator enables it; its private key
// is never stored whole, only as two XOR shares: share 1 sealed to each agency administrator, share
// 2 to each identity custodian. Each staff member's private key is sealed to the escrow public key
// at their next login. To restore a locked-out member, an administrator opens share 1 and seals it
// to the custodians; a custodian (another person) opens both, rebuilds the escrow key only in memory,
// opens the member's private key and wraps it in a one-time restore link, shown once.
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../db/connection.ts';
import { generateKeyPair, openSealed, publicKeyOf, sealTo, type KeyPair } from '../crypto/sealed-box.ts';
import { seal } from '../crypto/aead.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { AppError } from '../errors.ts';
import { hashToken, restoreKey, SETUP_LINK_DAYS } from './add-user.ts';
import { hasRole, type StaffActor } from './session.ts';
import { staffMail, type StaffMailer } from '../mail/staff-mail.ts';

function xor(a: Buffer, b: Buffer): Buffer {
  return Buffer.from(a.map((x, i) => x ^ b[i]));
}

async function agencyPeople(db: Db, agencyId: number, role: 'agency_admin' | 'identity_custodian') {
  return db
    .selectFrom('staff_user as u')
    .innerJoin('staff_role as r', 'r.user_id', 'u.id')
    .select(['u.id', 'u.public_key'])
    .where('u.agency_id', '=', agencyId)
    .where('u.is_active', '=', true)
    .where('r.role', '=', role)
    .execute();
}

/**
 * Enables (or rotates) the agency's escrow key. Needs at least one identity custodian. Earlier
 * escrowed keys are dropped; every member is escrowed again at their next login.
 */
export async function enableEscrow({ db, actor }: { db: Db; actor: StaffActor }): Promise<void> {
  if (!hasRole(actor, 'agency_admin') || actor.agencyId === null)
    throw new AppError('forbidden', 'agency administrators only', 'error.forbidden');
  const [admins, custodians] = await Promise.all([
    agencyPeople(db, actor.agencyId, 'agency_admin'),
    agencyPeople(db, actor.agencyId, 'identity_custodian'),
  ]);
  if (custodians.length === 0)
    throw new AppError('conflict', 'an identity custodian is needed for the second share', 'escrow.error.no_custodian');
  const escrow = generateKeyPair();
  const share1 = randomBytes(32);
  const share2 = xor(escrow.privateKey, share1);
  const agencyId = actor.agencyId;
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('escrow_share').where('agency_id', '=', agencyId).execute();
    await trx.deleteFrom('escrow_restore').where('agency_id', '=', agencyId).where('state', '=', 'pending').execute();
    await trx
      .insertInto('escrow_share')
      .values([
        ...admins.map((u) => ({
          agency_id: agencyId,
          user_id: u.id,
          share: 1 as const,
          sealed: sealTo(u.public_key!, share1),
        })),
        ...custodians.map((u) => ({
          agency_id: agencyId,
          user_id: u.id,
          share: 2 as const,
          sealed: sealTo(u.public_key!, share2),
        })),
      ])
      .execute();
    await trx.updateTable('agency').set({ escrow_public_key: escrow.publicKey }).where('id', '=', agencyId).execute();
    await trx
      .updateTable('staff_user')
      .set({ escrowed_private_key: null, escrowed_for: null })
      .where('agency_id', '=', agencyId)
      .execute();
    await recordAudit(trx, {
      actorUserId: actor.id,
      action: 'escrow_enabled',
      detail: { admins: admins.length, custodians: custodians.length },
    });
  });
  escrow.privateKey.fill(0);
  share1.fill(0);
  share2.fill(0);
}

export type EscrowOverview = {
  enabled: boolean;
  members: { id: number; email: string; displayName: string; isEscrowed: boolean }[];
};

/** The administrator's view of the escrow: whether it is on, and whose key is in it (agency administrator). */
export async function escrowOverview({ db, actor }: { db: Db; actor: StaffActor }): Promise<EscrowOverview> {
  if (!hasRole(actor, 'agency_admin') || actor.agencyId === null)
    throw new AppError('forbidden', 'agency administrators only', 'error.forbidden');
  const [agency, members] = await Promise.all([
    db
      .selectFrom('agency')
      .select(sql<boolean>`escrow_public_key is not null`.as('enabled'))
      .where('id', '=', actor.agencyId)
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('staff_user')
      .select(['id', 'email', 'display_name', sql<boolean>`escrowed_private_key is not null`.as('escrowed')])
      .where('agency_id', '=', actor.agencyId)
      .orderBy('email')
      .execute(),
  ]);
  return {
    enabled: agency.enabled,
    members: members.map((m) => ({ id: m.id, email: m.email, displayName: m.display_name, isEscrowed: m.escrowed })),
  };
}

/** At login (the private key open): seals it to the agency's escrow key if not done for this key. */
export async function escrowAtLogin(
  db: Db,
  user: { id: number; agency_id: number | null; escrowed_for: Buffer | null },
  privateKey: Buffer,
): Promise<void> {
  if (user.agency_id === null) return;
  const agency = await db
    .selectFrom('agency')
    .select('escrow_public_key')
    .where('id', '=', user.agency_id)
    .executeTakeFirst();
  const escrowKey = agency?.escrow_public_key;
  if (!escrowKey || (user.escrowed_for && timingSafeEqual(user.escrowed_for, escrowKey))) return;
  await db
    .updateTable('staff_user')
    .set({ escrowed_private_key: sealTo(escrowKey, privateKey), escrowed_for: escrowKey })
    .where('id', '=', user.id)
    .execute();
}

async function shareOf(db: Db, actor: StaffActor, share: 1 | 2): Promise<Buffer | null> {
  const row = await db
    .selectFrom('escrow_share')
    .select('sealed')
    .where('agency_id', '=', actor.agencyId!)
    .where('user_id', '=', actor.id)
    .where('share', '=', share)
    .executeTakeFirst();
  return row ? openSealed(actor.keys, row.sealed) : null;
}

/**
 * An administrator asks to restore a member's access; a custodian must complete it. The member is
 * told by mail at once (in the same transaction), so a restore they did not ask for is noticed; the
 * restore link itself will also go only to them, so without a mail server there is no restore.
 */
export async function requestRestore({
  db,
  actor,
  userId,
  mailer,
}: {
  db: Db;
  actor: StaffActor;
  userId: number;
  mailer: StaffMailer | null;
}): Promise<{ requestId: string }> {
  if (!hasRole(actor, 'agency_admin') || actor.agencyId === null)
    throw new AppError('forbidden', 'agency administrators only', 'error.forbidden');
  if (!mailer)
    throw new AppError(
      'conflict',
      'a restore link goes only to the member, by mail: configure SUJARIT_SMTP_URL',
      'escrow.error.no_mail',
    );
  const user = await db
    .selectFrom('staff_user')
    .select(['id', 'email', 'escrowed_private_key'])
    .where('id', '=', userId)
    .where('agency_id', '=', actor.agencyId)
    .executeTakeFirst();
  if (!user) throw new AppError('not_found', 'no such member of the agency', 'error.not_found');
  if (userId === actor.id) throw new AppError('forbidden', 'not one’s own access', 'error.forbidden');
  if (!user.escrowed_private_key)
    throw new AppError(
      'conflict',
      'this member’s key is not in escrow (not logged in since escrow was enabled)',
      'escrow.error.not_escrowed',
    );
  const share1 = await shareOf(db, actor, 1);
  if (!share1) throw new AppError('conflict', 'this administrator holds no escrow share', 'escrow.error.no_share');
  const custodians = await db
    .selectFrom('escrow_share as s')
    .innerJoin('staff_user as u', 'u.id', 's.user_id')
    .select(['u.id', 'u.public_key'])
    .where('s.agency_id', '=', actor.agencyId)
    .where('s.share', '=', 2)
    .where('u.is_active', '=', true)
    .where('u.id', '<>', actor.id)
    .execute();
  if (custodians.length === 0)
    throw new AppError('conflict', 'no other person holds the second share', 'escrow.error.no_custodian');
  const requestId = randomUUID();
  const sealed = Object.fromEntries(
    custodians.map((c) => [String(c.id), sealTo(c.public_key!, share1).toString('base64')]),
  );
  share1.fill(0);
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('escrow_restore')
      .values({
        id: requestId,
        agency_id: actor.agencyId!,
        user_id: userId,
        requested_by: actor.id,
        shares_for_custodians: JSON.stringify(sealed),
      })
      .execute();
    await recordAudit(trx, {
      actorUserId: actor.id,
      action: 'escrow_restore_requested',
      detail: { user: userId, request: requestId },
    });
    await mailer(user.email, staffMail('restore_requested', { by: actor.email }));
  });
  return { requestId };
}

export type RestoreRequestView = { id: string; email: string; requestedBy: string; requestedAt: Date };

export async function pendingRestores(db: Db, actor: StaffActor): Promise<RestoreRequestView[]> {
  if (!hasRole(actor, 'identity_custodian') || actor.agencyId === null) return [];
  const rows = await db
    .selectFrom('escrow_restore as r')
    .innerJoin('staff_user as u', 'u.id', 'r.user_id')
    .innerJoin('staff_user as b', 'b.id', 'r.requested_by')
    .select(['r.id', 'u.email', 'b.email as by', 'r.requested_at', 'r.shares_for_custodians'])
    .where('r.agency_id', '=', actor.agencyId)
    .where('r.state', '=', 'pending')
    .orderBy('r.requested_at')
    .execute();
  return rows
    .filter((r) => String(actor.id) in r.shares_for_custodians)
    .map((r) => ({ id: r.id, email: r.email, requestedBy: r.by, requestedAt: r.requested_at }));
}

/**
 * A custodian completes (or refuses) a restore: the escrow key is rebuilt in memory only, the
 * member's private key is wrapped in a one-time restore link that is mailed to the member alone,
 * inside the transaction (neither the custodian nor the administrator ever sees it). The member is
 * told of a refusal too.
 */
export async function decideRestore({
  db,
  actor,
  requestId,
  approve,
  mailer,
  publicUrl,
}: {
  db: Db;
  actor: StaffActor;
  requestId: string;
  approve: boolean;
  mailer: StaffMailer | null;
  publicUrl: string;
}): Promise<{ isMailed: boolean }> {
  if (!hasRole(actor, 'identity_custodian') || actor.agencyId === null)
    throw new AppError('forbidden', 'identity custodians only', 'error.forbidden');
  if (!mailer)
    throw new AppError(
      'conflict',
      'a restore link goes only to the member, by mail: configure SUJARIT_SMTP_URL',
      'escrow.error.no_mail',
    );
  const r = /^[0-9a-f-]{36}$/.test(requestId)
    ? await db
        .selectFrom('escrow_restore as r')
        .innerJoin('staff_user as u', 'u.id', 'r.user_id')
        .innerJoin('agency as a', 'a.id', 'r.agency_id')
        .select([
          'r.id',
          'r.user_id',
          'r.requested_by',
          'r.shares_for_custodians',
          'u.email',
          'u.escrowed_private_key',
          'a.escrow_public_key',
        ])
        .where('r.id', '=', requestId)
        .where('r.agency_id', '=', actor.agencyId)
        .where('r.state', '=', 'pending')
        .executeTakeFirst()
    : undefined;
  const box = r?.shares_for_custodians[String(actor.id)];
  if (!r || !box) throw new AppError('not_found', 'no such pending request for this custodian', 'error.not_found');
  if (r.requested_by === actor.id || r.user_id === actor.id)
    throw new AppError('forbidden', 'two different people, neither of them the member', 'error.forbidden');
  let token: string | null = null;
  let wrapped: Buffer | null = null;
  if (approve) {
    const share1 = openSealed(actor.keys, Buffer.from(box, 'base64'));
    const share2 = await shareOf(db, actor, 2);
    if (!share2) throw new AppError('conflict', 'this custodian holds no escrow share', 'escrow.error.no_share');
    const escrowPrivate = xor(share1, share2);
    const escrow: KeyPair = { publicKey: publicKeyOf(escrowPrivate), privateKey: escrowPrivate };
    if (!r.escrow_public_key || !timingSafeEqual(escrow.publicKey, r.escrow_public_key))
      throw new AppError('conflict', 'the shares do not rebuild the escrow key (rotated?)', 'escrow.error.no_share');
    const privateKey = openSealed(escrow, r.escrowed_private_key!);
    token = randomBytes(24).toString('base64url');
    wrapped = seal(restoreKey(token), privateKey, `restore/${r.user_id}`);
    for (const b of [share1, share2, escrowPrivate, privateKey]) b.fill(0);
  }
  await db.transaction().execute(async (trx) => {
    const claimed = await trx
      .updateTable('escrow_restore')
      .set({ state: approve ? 'approved' : 'refused', decided_by: actor.id, decided_at: new Date() })
      .where('id', '=', r.id)
      .where('state', '=', 'pending')
      .executeTakeFirst();
    if (claimed.numUpdatedRows !== 1n) throw new AppError('conflict', 'already decided', 'error.conflict');
    if (token) {
      await trx.deleteFrom('setup_token').where('user_id', '=', r.user_id).execute();
      await trx
        .insertInto('setup_token')
        .values({
          token_hash: hashToken(token),
          purpose: 'restore',
          user_id: r.user_id,
          wrapped_private_key: wrapped,
          expires_at: new Date(Date.now() + SETUP_LINK_DAYS * 86_400_000),
        })
        .execute();
    }
    await recordAudit(trx, {
      actorUserId: actor.id,
      action: 'escrow_restore_decided',
      detail: { request: r.id, user: r.user_id, approved: approve },
    });
    await mailer(
      r.email,
      token
        ? staffMail('restore_link', { url: `${publicUrl}/staff/setup/${token}`, days: SETUP_LINK_DAYS })
        : staffMail('restore_refused', {}),
    );
  });
  return { isMailed: true };
}
