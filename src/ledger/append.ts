// Appending a case event to the ledger's outbox, in the caller's transaction: the event and its
// entry commit together or not at all.
import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { aeadKey, openJson, sealJson } from '../crypto/aead.ts';
import type { Database } from '../db/schema.ts';
import { sealToTeam } from '../crypto/team-key.ts';
import { makeEntry, type LedgerEvent, type Opening } from './events.ts';

export function openingAad(caseId: string, eventId: string): string {
  return `ledger-opening/${caseId}/${eventId}`;
}

/** Seals an opening under the case key, bound to its case and its event row. */
export function sealOpening(caseKey: Buffer, caseId: string, eventId: string, opening: Opening): Buffer {
  return sealJson(aeadKey(caseKey), opening, openingAad(caseId, eventId));
}

export function openOpening(caseKey: Buffer, caseId: string, eventId: string, sealed: Buffer): Opening {
  return openJson<Opening>(aeadKey(caseKey), sealed, openingAad(caseId, eventId));
}

/**
 * Appends the entry of one case event to the outbox and keeps its opening sealed with the case
 * key or, when the actor does not hold it, to the case team's public key. MUST be called with the
 * transaction that records the event itself.
 */
export async function appendCaseEvent(
  trx: Transaction<Database> | Kysely<Database>,
  {
    caseId,
    caseKey,
    teamPublicKey,
    event,
    detail,
    at = new Date(),
  }: { caseId: string; caseKey?: Buffer; teamPublicKey?: Buffer; event: LedgerEvent; detail: Buffer; at?: Date },
): Promise<{ outboxId: number }> {
  const { entry, opening } = makeEntry(event, caseId, detail, at);
  const eventId = randomUUID();
  const { id } = await trx.insertInto('ledger_outbox').values({ entry }).returning('id').executeTakeFirstOrThrow();
  const sealed = caseKey
    ? sealOpening(caseKey, caseId, eventId, opening)
    : sealToTeam(teamPublicKey!, openingAad(caseId, eventId), opening);
  await trx
    .insertInto('case_ledger_event')
    .values({
      id: eventId,
      outbox_id: id,
      case_id: caseId,
      event,
      opening: sealed,
      sealing: caseKey ? 'content' : 'team',
    })
    .execute();
  return { outboxId: id };
}
