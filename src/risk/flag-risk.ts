// A candidate risk from a procurement red flag (issue 16, items 1 and 3): one action on a flagged
// process's page puts a candidate risk in the procurement area of this year's register, with the
// process's flags, title, buyer and import linked as evidence. The process is found again on the
// server from its ocid among the officer's own agency's imports: what the form posts names it,
// never its flags. Procurement data is public; nothing of a case is read.
import type { Db } from '../db/connection.ts';
import { AppError } from '../errors.ts';
import { translator } from '../i18n/messages.ts';
import { flagEvidence } from '../procurement/store.ts';
import type { StaffActor } from '../staff/session.ts';
import { editableAgency } from './access.ts';
import { candidateRiskFrom, RISK_LIMITS } from './register.ts';

/** The longest ocid looked up (the drill-down page's own limit). */
export const MAX_OCID = 400;
const SOURCE_CODES = 80;

const clip = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

/** `redflag:` and the indicator codes, joined by dots, as many whole codes as fit the source's 80 characters. */
export function flagSource(codes: readonly string[]): string {
  let joined = '';
  for (const code of codes) {
    const next = joined === '' ? code : `${joined}.${code}`;
    if (next.length > SOURCE_CODES) break;
    joined = next;
  }
  return `redflag:${joined || 'procurement'}`;
}

/** A candidate risk from the flagged process `ocid` of the risk officer's agency; not_found for any other. */
export async function candidateFromFlag({
  db,
  actor,
  ocid,
  now = new Date(),
}: {
  db: Db;
  actor: StaffActor;
  ocid: unknown;
  now?: Date;
}): Promise<{ registerId: number; riskId: number }> {
  const agencyId = editableAgency(actor);
  const id = typeof ocid === 'string' ? ocid.trim() : '';
  const found = id !== '' && id.length <= MAX_OCID ? await flagEvidence(db, agencyId, id) : null;
  if (!found || found.flags.length === 0) throw new AppError('not_found', 'no such flagged process', 'error.not_found');
  const t = translator('th');
  const short = RISK_LIMITS.short;
  const title = clip(found.title ?? '', short);
  return candidateRiskFrom(db, actor, {
    source: flagSource(found.flags.map((f) => f.code)),
    area: 'procurement',
    event: t('procurement.risk.event', {
      title: title || found.ocid,
      flags: found.flags.map((f) => t(`procurement.flag.${f.code}`)).join(', '),
    }),
    evidence: {
      ocid: found.ocid,
      importId: found.importId,
      importedAt: found.importedAt.toISOString(),
      data: found.source,
      title,
      buyer: clip(found.buyer ?? '', short),
      flags: found.flags,
    },
    now,
  });
}
