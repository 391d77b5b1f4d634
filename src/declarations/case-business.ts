// The businesses a case concerns (case_business): the case team records them on the case page by
// juristic-person number (13 digits with the Thai check digit; Thai digits, spaces and dashes
// accepted) with an optional short name. They are metadata in the clear, not sealed: the number is
// public registry data (the Department of Business Development's register), and matching it against
// declared interests (conflicts.ts) must not unseal the case. The name is the registered name only,
// one line of 200 characters at most, so that no text of the report is copied into the clear.
// Adding or removing is audited and written in the case's history (the number and name sealed to
// the team there). Alerts for declarants on the team are raised in the declarant's own session
// (store.ts, refreshCaseAlerts): their declaration is sealed to them and their reviewers only.
import { recordAudit } from '../audit/record-audit.ts';
import { loadCaseMeta } from '../cases/case-meta.ts';
import { denyAccess, lockCase } from '../cases/open-case.ts';
import { recordCaseEvent } from '../cases/workflow.ts';
import type { Transaction } from 'kysely';
import type { Db } from '../db/connection.ts';
import type { Database } from '../db/schema.ts';
import { AppError, parseAll } from '../errors.ts';
import type { StaffActor } from '../staff/session.ts';
import { isThaiId13, normaliseId } from './juristic.ts';

/** The longest business name kept (the registered name; never text of the report). */
export const MAX_BUSINESS_NAME = 200;
/** The most businesses one case names. */
export const MAX_CASE_BUSINESSES = 50;

const invalid = (field: string, key: string) =>
  new AppError('invalid_input', `${field} is invalid`, 'error.form', { [field]: key });

/** A typed juristic-person number, normalised (ASCII digits, no spaces or dashes) and checked. */
export function parseJuristicId(typed: unknown): string {
  const id = normaliseId(typeof typed === 'string' ? typed.slice(0, 40) : '');
  if (id === '') throw invalid('juristicId', 'error.field.required');
  if (!isThaiId13(id)) throw invalid('juristicId', 'declarations.error.juristic');
  return id;
}

/** A typed business name: one line, trimmed, at most MAX_BUSINESS_NAME characters ('' when none). */
export function parseBusinessName(typed: unknown): string {
  const name = (typeof typed === 'string' ? typed : '').replace(/[\p{Cc}\p{Cf}\s]+/gu, ' ').trim();
  if (name.length > MAX_BUSINESS_NAME) throw invalid('businessName', 'error.field.too_long');
  return name;
}

/** The case for a member of its team (holding its key); anyone else: not found, audited. */
async function teamCase(db: Db, actor: StaffActor, reference: string, purpose: string) {
  const meta = await loadCaseMeta(db, actor, reference, purpose);
  if (!meta.holdsKey) return denyAccess(db, actor, reference, meta.id, purpose);
  return meta;
}

export type BusinessChange = { changed: boolean };

type Business = { juristicId: string; name: string };

/**
 * One change to the case's businesses, in one transaction with the case row locked: `change` makes
 * it and returns the business added or removed (null: nothing changed, nothing recorded); then the
 * history event (the number and name sealed to the team) and the audit row.
 */
async function changeBusinesses(
  db: Db,
  actor: StaffActor,
  meta: { id: string; reference: string },
  what: 'added' | 'removed',
  change: (trx: Transaction<Database>) => Promise<Business | null>,
): Promise<BusinessChange> {
  return db.transaction().execute(async (trx) => {
    const current = await lockCase(trx, meta.id);
    const changed = await change(trx);
    if (!changed) return { changed: false };
    await recordCaseEvent(trx, {
      caseId: meta.id,
      teamPublicKey: current.team_public_key,
      actor,
      kind: `business_${what}`,
      reason: changed.name ? `${changed.juristicId} ${changed.name}` : changed.juristicId,
      forReporter: false,
    });
    await recordAudit(trx, {
      actorUserId: actor.id,
      action: `case_business_${what}`,
      caseId: meta.id,
      caseReference: meta.reference,
      detail: { juristic: changed.juristicId },
    });
    return { changed: true };
  });
}

/**
 * Records that the case of `reference` concerns the business `juristicId` (typed), named `name`.
 * Only a member of the case team; adding a business already recorded changes nothing
 * (`changed: false`, nothing audited). Audited and in the case history, in one transaction.
 */
export async function addCaseBusiness({
  db,
  actor,
  reference,
  juristicId: typedId,
  name: typedName,
}: {
  db: Db;
  actor: StaffActor;
  reference: string;
  juristicId: unknown;
  name: unknown;
}): Promise<BusinessChange> {
  const meta = await teamCase(db, actor, reference, 'case_business_added');
  const business = parseAll({ juristicId: () => parseJuristicId(typedId), name: () => parseBusinessName(typedName) });
  return changeBusinesses(db, actor, meta, 'added', async (trx) => {
    const recorded = await trx
      .selectFrom('case_business')
      .select('juristic_id')
      .where('case_id', '=', meta.id)
      .execute();
    if (recorded.some((r) => r.juristic_id === business.juristicId)) return null;
    if (recorded.length >= MAX_CASE_BUSINESSES) throw invalid('juristicId', 'case.business.error.too_many');
    await trx
      .insertInto('case_business')
      .values({ case_id: meta.id, juristic_id: business.juristicId, name: business.name, added_by: actor.id })
      .execute();
    return business;
  });
}

/** Removes a business from the case (team only); removing one not recorded changes nothing. Audited, in the history. */
export async function removeCaseBusiness({
  db,
  actor,
  reference,
  juristicId: typedId,
}: {
  db: Db;
  actor: StaffActor;
  reference: string;
  juristicId: unknown;
}): Promise<BusinessChange> {
  const meta = await teamCase(db, actor, reference, 'case_business_removed');
  const juristicId = parseJuristicId(typedId);
  return changeBusinesses(db, actor, meta, 'removed', async (trx) => {
    const gone = await trx
      .deleteFrom('case_business')
      .where('case_id', '=', meta.id)
      .where('juristic_id', '=', juristicId)
      .returning('name')
      .executeTakeFirst();
    return gone ? { juristicId, name: gone.name ?? '' } : null;
  });
}
