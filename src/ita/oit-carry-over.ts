// An agency that ran an earlier year opens the next one: what changed in the OIT checklist, and the
// earlier evidence brought into the items that continue, so the assessor starts from it.
import { recordAudit } from '../audit/record-audit.ts';
import type { Db } from '../db/connection.ts';
import { AppError } from '../errors.ts';
import type { StaffActor } from '../staff/session.ts';
import { type Cycle, cycleOf, itaAgencyOf, loadCycle, requireOpen } from './cycles.ts';
import { compareChecklists, continuedFrom, type ItemChange, loadMapping } from './transition.ts';

/** The agency's latest cycle of an earlier fiscal year than `cycle`, or null. */
export async function previousCycle({ db, cycle }: { db: Db; cycle: Cycle }): Promise<Cycle | null> {
  const row = await db
    .selectFrom('ita_cycle')
    .selectAll()
    .where('agency_id', '=', cycle.agencyId)
    .where('fiscal_year', '<', cycle.fiscalYear)
    .orderBy('fiscal_year', 'desc')
    .executeTakeFirst();
  return row ? cycleOf(row) : null;
}

/** What became of `earlier`'s checklist in `later`'s (with the mapping file between their frameworks, if any). */
export function checklistChanges(earlier: Cycle, later: Cycle): ItemChange[] {
  return compareChecklists(earlier.framework, later.framework, loadMapping(earlier.frameworkName, later.frameworkName));
}

/**
 * Copies the evidence (address, note, file) of cycle `fromCycleId` into the open cycle `cycleId`
 * of the same agency, for every item that continues an earlier one (checklistChanges) and has no
 * evidence yet; of a merged item, from the first earlier item that has some. Verdicts are NOT
 * copied: the assessor judges the new year. Agency administrators and ITA assessors; audited
 * ('ita_oit_evidence_carried', ids only) in the same transaction. Returns the items filled.
 */
export async function carryOverEvidence({
  db,
  actor,
  cycleId,
  fromCycleId,
}: {
  db: Db;
  actor: StaffActor;
  cycleId: number;
  fromCycleId: number;
}): Promise<string[]> {
  itaAgencyOf(actor);
  const later = await loadCycle({ db, actor, cycleId });
  requireOpen(later);
  const earlier = await loadCycle({ db, actor, cycleId: fromCycleId });
  if (earlier.fiscalYear >= later.fiscalYear)
    throw new AppError('invalid_input', 'evidence is carried from an earlier year', 'error.form');
  const sources = continuedFrom(checklistChanges(earlier, later));
  return db.transaction().execute(async (trx) => {
    const rows = await trx
      .selectFrom('ita_oit_item')
      .selectAll()
      .where('cycle_id', 'in', [earlier.id, later.id])
      .execute();
    const has = (r: (typeof rows)[number] | undefined) => Boolean(r?.evidence_url || r?.file_name);
    const row = (cycle: number, item: string) => rows.find((r) => r.cycle_id === cycle && r.item_id === item);
    const filled: string[] = [];
    const now = new Date();
    for (const [to, from] of sources) {
      if (has(row(later.id, to))) continue;
      const source = from.map((id) => row(earlier.id, id)).find(has);
      if (!source) continue;
      const values = {
        evidence_url: source.evidence_url,
        evidence_note: source.evidence_note,
        file_name: source.file_name,
        file_type: source.file_type,
        file_bytes: source.file_bytes,
        updated_by: actor.id,
        updated_at: now,
      };
      await trx
        .insertInto('ita_oit_item')
        .values({ cycle_id: later.id, item_id: to, ...values })
        .onConflict((oc) => oc.columns(['cycle_id', 'item_id']).doUpdateSet(values))
        .execute();
      filled.push(to);
    }
    await recordAudit(trx, {
      actorUserId: actor.id,
      action: 'ita_oit_evidence_carried',
      detail: { cycleId: later.id, fromCycleId: earlier.id, items: filled },
    });
    return filled;
  });
}
