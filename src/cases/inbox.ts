// The inbox in one call. A key holder's visit first hands over the keys waiting for them (and says
// what it handed over); then the page of cases for the filter, each case whose key the user holds
// with a one-line summary of what it is about; the cases assigned to the user that wait for a key
// holder; and how many identity requests wait for the user's decision.
import { recordAudits } from '../audit/record-audit.ts';
import { aeadKey, openJson } from '../crypto/aead.ts';
import { openSealed } from '../crypto/sealed-box.ts';
import type { Db } from '../db/connection.ts';
import { contentAad } from '../intake/case-keys.ts';
import type { StaffActor } from '../staff/session.ts';
import { type HandedOver, handOver, type WaitingCase, waitingForAccess } from './handover.ts';
import { pendingIdentityRequests } from './identity.ts';
import { type CaseFilter, type CasePage, listCases } from './list-cases.ts';
import { snippetAt } from './search-text.ts';

export type Inbox = {
  cases: CasePage;
  /** Reference → the start of what the report says, for the cases of the page sealed to the user. */
  summaries: Record<string, string>;
  handedOver: HandedOver[];
  waiting: WaitingCase[];
  pendingRequests: number;
};

export async function loadInbox({
  db,
  actor,
  filter,
  page,
  pageSize,
}: {
  db: Db;
  actor: StaffActor;
  filter: CaseFilter;
  page: number;
  pageSize: number;
}): Promise<Inbox> {
  // Keys waiting for this user's hand-over are sealed on every visit to the inbox.
  const handedOver = await handOver({ db, actor });
  const [cases, requests, waiting] = await Promise.all([
    listCases({ db, actor, page, pageSize, ...filter }),
    pendingIdentityRequests(db, actor),
    waitingForAccess(db, actor),
  ]);
  const summaries = await summariesOf(
    db,
    actor,
    cases.items.map((c) => c.reference),
  );
  return { cases, summaries, handedOver, waiting, pendingRequests: requests.length };
}

/**
 * The start of the report (what happened, whitespace collapsed, cut between graphemes) of each of
 * `references` whose content key is sealed to the actor: need-to-know, as the case page. Content
 * is shown, so each case summarised gets a `cases_listed` audit row (its id and reference, nothing
 * of the text). A case whose key or content does not open gets no summary (its page says why).
 */
async function summariesOf(db: Db, actor: StaffActor, references: string[]): Promise<Record<string, string>> {
  if (references.length === 0 || !actor.isEnrolled) return {};
  const rows = await db
    .selectFrom('report_case as c')
    .innerJoin('case_key as k', (j) =>
      j.onRef('k.case_id', '=', 'c.id').on('k.user_id', '=', actor.id).on('k.purpose', '=', 'content'),
    )
    .select(['c.id', 'c.reference', 'c.content', 'k.sealed_key'])
    .where('c.reference', 'in', references)
    .execute();
  const shown: { id: string; reference: string; summary: string }[] = [];
  for (const r of rows) {
    let key: Buffer | null = null;
    try {
      key = openSealed(actor.keys, r.sealed_key);
      const { what } = openJson<{ what?: string }>(aeadKey(key), r.content, contentAad(r.id));
      if (what)
        shown.push({ id: r.id, reference: r.reference, summary: snippetAt([what], { text: 0, at: 0, length: 0 }) });
    } catch {
      // unreadable: the case page shows it as such and records it
    } finally {
      key?.fill(0);
    }
  }
  await recordAudits(
    db,
    shown.map((s) => ({ actorUserId: actor.id, action: 'cases_listed', caseId: s.id, caseReference: s.reference })),
  );
  return Object.fromEntries(shown.map((s) => [s.reference, s.summary]));
}
