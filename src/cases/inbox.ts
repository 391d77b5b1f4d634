// The inbox in one call: a key holder's visit first hands over the keys waiting for them, then the
// page of cases for the filter, and how many identity requests wait for the user's decision.
import type { Db } from '../db/connection.ts';
import type { StaffActor } from '../staff/session.ts';
import { pendingIdentityRequests } from './identity.ts';
import { type CaseFilter, type CasePage, listCases } from './list-cases.ts';
import { fulfilGrants } from './team-members.ts';

export type Inbox = { cases: CasePage; pendingRequests: number };

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
  await fulfilGrants({ db, actor });
  const [cases, requests] = await Promise.all([
    listCases({ db, actor, page, pageSize, ...filter }),
    pendingIdentityRequests(db, actor),
  ]);
  return { cases, pendingRequests: requests.length };
}
