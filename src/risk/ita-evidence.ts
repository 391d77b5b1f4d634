// The register's PDFs offered as evidence of the matching ITA open-data items (issue 16, item 5):
// an item of the cycle's OIT checklist whose Thai text names the annual corruption-risk assessment
// is answered by the assessment report, the one naming the management of corruption risks by the
// plan. Only a register the agency has published for the cycle's fiscal year, unchanged since and
// intact, is offered: the PDF is then exactly what the ledger holds the digest of. Attaching it is
// the ITA editors' act (agency administrators and assessors of the agency, open cycles), stored and
// audited as any evidence file (ita/oit.ts saveEvidence).
import type { Db } from '../db/connection.ts';
import { AppError } from '../errors.ts';
import type { Cycle } from '../ita/cycles.ts';
import { loadCycle, requireOpen } from '../ita/cycles.ts';
import { oitItemsOf, saveEvidence } from '../ita/oit.ts';
import type { StaffActor } from '../staff/session.ts';
import { checkPublications, currentForm } from './publish.ts';
import { registerOf, registerRow } from './register.ts';
import { renderRiskPdf, riskPdfName, type RiskDocument } from './report-pdf.ts';

/**
 * Which document answers which item, by the item's Thai text as the frameworks give it (ITA 2565
 * O36 and O37, as quoted from agency pages; Sujarit's draft O27 of 2569). Data, not code.
 */
export const RISK_EVIDENCE_ITEMS: Readonly<Record<string, RiskDocument>> = {
  การประเมินความเสี่ยงการทุจริตประจำปี: 'assessment',
  การดำเนินการเพื่อจัดการความเสี่ยงการทุจริต: 'plan',
};

export type RiskEvidenceOffer = { itemId: string; document: RiskDocument; registerId: number; publishedAt: Date };

/** The checklist items of `cycle` a published register of its agency and fiscal year answers; none when there is none. */
export async function riskEvidenceOffers(db: Db, cycle: Cycle): Promise<RiskEvidenceOffer[]> {
  const items = cycle.framework.checklist.flatMap((i) => {
    const document = RISK_EVIDENCE_ITEMS[i.text.th.trim()];
    return document ? [{ itemId: i.id, document }] : [];
  });
  if (items.length === 0) return [];
  const reg = await db
    .selectFrom('risk_register as r')
    .innerJoin('risk_publication as p', 'p.register_id', 'r.id')
    .select('r.id')
    .select((eb) => eb.fn.max('p.published_at').as('published_at'))
    .where('r.agency_id', '=', cycle.agencyId)
    .where('r.fiscal_year', '=', cycle.fiscalYear)
    .groupBy('r.id')
    .executeTakeFirst();
  if (!reg) return [];
  return items.map((i) => ({ ...i, registerId: reg.id, publishedAt: reg.published_at }));
}

/**
 * Attaches the register's PDF to the item `itemId` of the cycle, keeping the item's address and
 * note. not_found for an item no register answers; invalid_input when the register changed since it
 * was published (publish it again first) or its publications do not check.
 */
export async function attachRiskEvidence({
  db,
  actor,
  cycleId,
  itemId,
  maxFileBytes,
  today,
}: {
  db: Db;
  actor: StaffActor;
  cycleId: number;
  itemId: string;
  maxFileBytes: number;
  today: string;
}): Promise<void> {
  const cycle = await loadCycle({ db, actor, cycleId });
  requireOpen(cycle);
  const offer = (await riskEvidenceOffers(db, cycle)).find((o) => o.itemId === itemId);
  if (!offer) throw new AppError('not_found', 'no register answers this item', 'error.not_found');
  const { digest } = await currentForm(db, offer.registerId);
  const check = await checkPublications(db, offer.registerId, digest);
  if (!check.unchangedSince || !check.publicationsIntact)
    throw new AppError('invalid_input', 'register changed since published', 'error.form', {
      risk: 'risk.ita.error.changed',
    });
  const reg = await registerOf(db, await registerRow(db, offer.registerId), 'read');
  const item = (await oitItemsOf({ db, cycle })).find((i) => i.id === itemId);
  await saveEvidence({
    db,
    actor,
    cycleId: cycle.id,
    itemId,
    url: item?.evidenceUrl ?? '',
    note: item?.evidenceNote ?? '',
    file: { name: riskPdfName(reg, offer.document), bytes: await renderRiskPdf(reg, offer.document, today) },
    maxFileBytes,
  });
}
