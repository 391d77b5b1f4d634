// Committing the audit chain's head to the ledger, and checking the chain against those anchors.
// Part of the ledger: the sequencer anchors at every run, and the check opens ledger entries; the
// chain itself (audit/record-audit.ts) knows nothing of the ledger.
import type { Db } from '../db/connection.ts';
import { auditHash, lockAuditHead, type AuditRow } from '../audit/record-audit.ts';
import { makeEntry, opens, type Opening } from './events.ts';

/**
 * Appends an `audit_anchor` entry to the ledger outbox when the audit chain's head moved since the
 * last anchor. Runs under the audit lock, so two servers anchor a head once. Returns whether it did.
 */
export async function anchorAuditHead({ db }: { db: Db }): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const head = await lockAuditHead(trx);
    if (!head) return false;
    const last = await trx
      .selectFrom('audit_anchor')
      .select('audit_id')
      .orderBy('outbox_id', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (last && Number(last.audit_id) === Number(head.id)) return false;
    const { entry, opening } = makeEntry('audit_anchor', `audit/${head.id}`, head.hash, new Date());
    const { id } = await trx.insertInto('ledger_outbox').values({ entry }).returning('id').executeTakeFirstOrThrow();
    await trx
      .insertInto('audit_anchor')
      .values({ outbox_id: id, audit_id: head.id, head: head.hash, opening: JSON.stringify(opening) })
      .execute();
    return true;
  });
}

export type AuditCheck = { rows: number; anchors: number; anchorsInLog: number };

/**
 * Recomputes the whole audit chain and checks every anchor: the anchored row still has the anchored
 * hash, and the anchor's ledger entry (once integrated) opens to it. Throws naming the first row or
 * anchor that does not match: a rewritten, inserted or deleted audit row shows up here.
 */
export async function verifyAuditChain({ db }: { db: Db }): Promise<AuditCheck> {
  const rows = await db
    .selectFrom('audit_event')
    .select(['id', 'at', 'actor_user_id', 'action', 'case_id', 'case_reference', 'detail', 'prev_hash', 'hash'])
    .where('hash', 'is not', null)
    .orderBy('id')
    .execute();
  const hashes = new Map<number, Buffer>();
  let prev: Buffer | null = null;
  for (const r of rows) {
    if (!(r.prev_hash === null ? prev === null : prev !== null && r.prev_hash.equals(prev)))
      throw new Error(`audit row ${r.id}: chain broken (a row before it was removed or inserted)`);
    const want = auditHash(prev, r as unknown as AuditRow);
    if (!r.hash || !want.equals(r.hash))
      throw new Error(`audit row ${r.id}: content does not match its hash (rewritten)`);
    hashes.set(Number(r.id), r.hash);
    prev = r.hash;
  }
  const anchors = await db
    .selectFrom('audit_anchor as a')
    .leftJoin('ledger_entry as l', 'l.outbox_id', 'a.outbox_id')
    .select(['a.audit_id', 'a.head', 'a.opening', 'l.entry'])
    .orderBy('a.outbox_id')
    .execute();
  let inLog = 0;
  for (const a of anchors) {
    const h = hashes.get(Number(a.audit_id));
    if (!h?.equals(a.head))
      throw new Error(`audit anchor of row ${a.audit_id}: the row is gone or its hash changed since it was anchored`);
    if (a.entry) {
      if (
        !opens(a.entry, a.opening as unknown as Opening) ||
        Buffer.from((a.opening as unknown as Opening).detailValue, 'base64').compare(a.head) !== 0
      ) {
        throw new Error(`audit anchor of row ${a.audit_id}: the ledger entry does not commit to this head`);
      }
      inLog++;
    }
  }
  return { rows: rows.length, anchors: anchors.length, anchorsInLog: inLog };
}
