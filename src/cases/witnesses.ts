// Witnesses. A team member invites a witness with a one-time link; the witness gives a statement
// (and files), gets a receipt of their own, and converses with the team. Everything of a witness is
// sealed under a witness key that the team opens through the team key and the witness through
// their receipt. The reporter never holds it, and the witness never holds the case's content key.
// The witness's own login and thread, as a receipt holder, are intake/witness-thread.ts.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { KdfParams } from '../crypto/kdf.ts';
import type { Db } from '../db/connection.ts';
import { aeadKey, open, seal } from '../crypto/aead.ts';
import { subkey } from '../crypto/kdf.ts';
import { deriveReceiptKeys, generateReceipt } from '../crypto/receipt.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { AppError } from '../errors.ts';
import type { AttachmentMeta, StoredFile } from '../intake/attachments.ts';
import { addMessage } from '../intake/add-message.ts';
import { insertReveal, type PreparedReveal } from '../intake/receipt-reveal.ts';
import { openOr, type MessageView, type UnreadableItem } from '../intake/case-view.ts';
import { TEXT_LIMITS } from '../intake/limits.ts';
import { validateMessage } from '../intake/validate-report.ts';
import { loadWitnessThread } from '../intake/witness-thread.ts';
import { caseRoleOf, hasRole, type StaffActor } from '../staff/session.ts';
import { openCaseKeys, type OpenedCase } from './open-case.ts';
import { openFromTeam, sealToTeam } from '../crypto/team-key.ts';
import { recordCaseEvent } from './workflow.ts';

export const INVITATION_DAYS = 14;

const invitationHash = (token: string) =>
  createHash('sha256').update(`sujarit/v1/witness-invitation\n${token}`).digest();
const invitationKey = (token: string) => aeadKey(subkey(Buffer.from(token, 'utf8'), 'witness-invitation-key'));

/** An investigator (or intake officer) on the case invites a witness. Returns the link's token, shown once. */
export async function inviteWitness({
  db,
  actor,
  reference,
  label,
}: {
  db: Db;
  actor: StaffActor;
  reference: string;
  label: string;
}): Promise<{ witnessId: string; token: string }> {
  const opened = await openCaseKeys({ db, actor, reference, purpose: 'witness_invited' }); // first: a refusal is audited
  if (!hasRole(actor, 'investigator', 'intake_officer', 'supervisor'))
    throw new AppError('forbidden', 'not a case-handling role', 'error.forbidden');
  const name = label.trim().slice(0, TEXT_LIMITS.identityName);
  if (!name)
    throw new AppError('invalid_input', 'a label is required', 'error.form', { label: 'error.field.required' });
  const c = await db
    .selectFrom('report_case')
    .select('team_public_key')
    .where('id', '=', opened.caseId)
    .executeTakeFirstOrThrow();
  const witnessId = randomUUID();
  const token = randomBytes(24).toString('base64url');
  const witnessKey = randomBytes(32);
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('case_witness')
      .values({
        id: witnessId,
        case_id: opened.caseId,
        invited_by: actor.id,
        label: sealToTeam(c.team_public_key!, `witness-label/${witnessId}`, name),
        invitation_hash: invitationHash(token),
        invitation_expires_at: new Date(Date.now() + INVITATION_DAYS * 86_400_000),
        wrapped_for_invitation: seal(invitationKey(token), witnessKey, `witness-key/${witnessId}`),
        key_for_team: sealToTeam(c.team_public_key!, `witness-key/${witnessId}`, witnessKey.toString('base64')),
      })
      .execute();
    await recordCaseEvent(trx, {
      caseId: opened.caseId,
      teamPublicKey: c.team_public_key,
      actor,
      kind: 'witness_invited',
      forReporter: false,
    });
    await recordAudit(trx, {
      actorUserId: actor.id,
      action: 'witness_invited',
      caseId: opened.caseId,
      caseReference: opened.reference,
      detail: { witness: witnessId },
    });
  });
  return { witnessId, token };
}

export type Invitation = { witnessId: string; caseId: string; key: Buffer; teamPublicKey: Buffer };

/** The invitation of a token that is unused and unexpired, with the witness key, or not_found. */
export async function openInvitation(db: Db, token: string): Promise<Invitation> {
  const t = token.slice(0, 64);
  const row = /^[A-Za-z0-9_-]{32}$/.test(t)
    ? await db
        .selectFrom('case_witness as w')
        .innerJoin('report_case as c', 'c.id', 'w.case_id')
        .select(['w.id', 'w.case_id', 'w.wrapped_for_invitation', 'c.team_public_key'])
        .where('w.invitation_hash', '=', invitationHash(t))
        .where('w.invitation_expires_at', '>', new Date())
        .executeTakeFirst()
    : undefined;
  if (!row?.wrapped_for_invitation || !row.team_public_key)
    throw new AppError('not_found', 'invitation unknown, used or expired', 'error.invitation');
  return {
    witnessId: row.id,
    caseId: row.case_id,
    key: open(invitationKey(t), row.wrapped_for_invitation, `witness-key/${row.id}`),
    teamPublicKey: row.team_public_key,
  };
}

/**
 * The witness's statement: consumes the invitation, gives the witness a receipt (shown once, after
 * the commit) and files the statement, all in one transaction.
 */
export async function giveStatement({
  db,
  kdf,
  receiptSalt,
  invitation,
  text,
  files,
  reveal = null,
}: {
  db: Db;
  kdf: KdfParams;
  receiptSalt: Buffer;
  invitation: Invitation;
  /** The statement as posted: checked like a message (empty only with files), in the `statement` field. */
  text: unknown;
  files: { file: StoredFile; meta: AttachmentMeta }[];
  reveal?: ((receipt: string) => PreparedReveal) | null;
}): Promise<{ receipt: string; revealCookie: string | null }> {
  const statement = validateMessage(text, files.length > 0, 'statement');
  const receipt = generateReceipt();
  const shown = reveal?.(receipt) ?? null;
  const derived = await deriveReceiptKeys(receipt, receiptSalt, kdf);
  const wrapped = seal(aeadKey(derived.key), invitation.key, `witness-receipt/${invitation.witnessId}`);
  const claim = async (trx: Transaction<Database>) => {
    const claimed = await trx
      .updateTable('case_witness')
      .set({
        invitation_hash: null,
        invitation_expires_at: null,
        wrapped_for_invitation: null,
        lookup: derived.lookup,
        wrapped_for_witness: wrapped,
        redeemed_at: sql<Date>`date_trunc('minute', now())`,
      })
      .where('id', '=', invitation.witnessId)
      .where('wrapped_for_invitation', 'is not', null)
      .executeTakeFirst();
    if (claimed.numUpdatedRows !== 1n) throw new AppError('not_found', 'invitation already used', 'error.invitation');
    if (shown) await insertReveal(trx, shown);
  };
  await addMessage({
    db,
    caseId: invitation.caseId,
    key: invitation.key,
    teamPublicKey: invitation.teamPublicKey,
    thread: 'witness',
    witnessId: invitation.witnessId,
    author: { kind: 'witness', witnessId: invitation.witnessId },
    text: statement,
    files,
    before: claim,
  });
  return { receipt, revealCookie: shown?.cookie ?? null };
}

export type WitnessView = {
  id: string;
  label: string;
  isRedeemed: boolean;
  isUnreadable: boolean;
  createdAt: Date;
  messages: MessageView[];
};

/** The witnesses of a case for its team (opened with the team key); what does not open is listed in `unreadable`. */
export async function listWitnesses(
  db: Db,
  opened: OpenedCase,
  unreadable: UnreadableItem[] = [],
): Promise<WitnessView[]> {
  const rows = await db
    .selectFrom('case_witness')
    .select(['id', 'label', 'key_for_team', 'redeemed_at', 'created_at'])
    .where('case_id', '=', opened.caseId)
    .orderBy('created_at')
    .execute();
  return Promise.all(
    rows.map(async (w) => {
      const item = { kind: 'witness', id: w.id } as const;
      const key = openOr(unreadable, item, null, () =>
        Buffer.from(openFromTeam<string>(opened.keys.team, `witness-key/${w.id}`, w.key_for_team), 'base64'),
      );
      const label = openOr(key ? unreadable : null, item, '', () =>
        openFromTeam<string>(opened.keys.team, `witness-label/${w.id}`, w.label),
      );
      const messages = key ? await loadWitnessThread(db, opened.caseId, w.id, key, unreadable) : [];
      return {
        id: w.id,
        label,
        isRedeemed: w.redeemed_at !== null,
        isUnreadable: key === null,
        createdAt: w.created_at,
        messages,
      };
    }),
  );
}

/** The key of a witness of the opened case, through the team key; not_found for another case's witness or a malformed id. */
export async function witnessKey(db: Db, opened: OpenedCase, witnessId: string): Promise<Buffer> {
  const w = /^[0-9a-f-]{36}$/.test(witnessId)
    ? await db
        .selectFrom('case_witness')
        .select(['key_for_team'])
        .where('id', '=', witnessId)
        .where('case_id', '=', opened.caseId)
        .executeTakeFirst()
    : undefined;
  if (!w) throw new AppError('not_found', 'no such witness on this case', 'error.not_found');
  return Buffer.from(openFromTeam<string>(opened.keys.team, `witness-key/${witnessId}`, w.key_for_team), 'base64');
}

/** A team member writes to a witness (in that witness's thread only). */
export async function messageWitness({
  db,
  actor,
  reference,
  witnessId,
  text,
}: {
  db: Db;
  actor: StaffActor;
  reference: string;
  witnessId: string;
  /** As posted: checked like any message (invalid_input on the `message` field). */
  text: unknown;
}): Promise<void> {
  const opened = await openCaseKeys({ db, actor, reference, purpose: 'message_posted' });
  const checked = validateMessage(text, false);
  const key = await witnessKey(db, opened, witnessId);
  await addMessage({
    db,
    caseId: opened.caseId,
    key,
    ledgerKey: opened.keys.content,
    thread: 'witness',
    witnessId,
    author: { kind: 'staff', userId: actor.id, role: caseRoleOf(actor) },
    text: checked,
    files: [],
    audit: {
      actorUserId: actor.id,
      action: 'message_posted',
      caseId: opened.caseId,
      caseReference: opened.reference,
      detail: { witness: witnessId },
    },
  });
}
