// What a complainant (or anyone holding the tracking code) sees of a case: where it is, its status
// history and the agency's replies. Nothing personal: not the report, not the name or contact, not
// a staff member's name, not an attachment.
import type { Db } from '../db/connection.ts';
import { aeadKey } from '../crypto/aead.ts';
import type { CaseKind, CaseOutcome, CaseStatus } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import type { CaseKeys } from './case-keys.ts';
import { loadHistory, messageView } from './case-view.ts';
import { openReporterSession } from './reporter-session.ts';
import type { LoginThrottle } from './login-throttle.ts';
import type { KdfParams } from '../crypto/kdf.ts';

export type TrackedStep = {
  at: Date;
  kind: string;
  toStatus: string | null;
  actorRole: string | null;
  agency: { code: string; nameTh: string; nameEn: string } | null;
};
export type TrackedReply = { id: string; at: Date; role: string | null; text: string };
export type TrackedCase = {
  caseId: string;
  reference: string;
  kind: CaseKind;
  category: string;
  agency: { code: string; nameTh: string; nameEn: string };
  status: CaseStatus;
  /**
   * How a complaint or a late permit ended (resolved, partly resolved, ...), once it is closed: the
   * complainant is told. Null for a tip (its outcome is the team's, never the reporter's) and
   * before closure (a concluded case can still be sent back).
   */
  outcome: CaseOutcome | null;
  createdAt: Date;
  history: TrackedStep[];
  replies: TrackedReply[];
  /** The rating given, if any; `canRate` once the case is closed and not yet rated. */
  rating: number | null;
  canRate: boolean;
};

/** Loads the status view of a case whose content key the caller holds (tracking code, or the LINE channel). */
export async function loadTrackedCase({
  db,
  caseId,
  keys,
}: {
  db: Db;
  caseId: string;
  keys: Pick<CaseKeys, 'content'>;
}): Promise<TrackedCase | null> {
  const row = await db
    .selectFrom('report_case as c')
    .innerJoin('agency as a', 'a.id', 'c.agency_id')
    .leftJoin('case_rating as r', 'r.case_id', 'c.id')
    .select([
      'c.id',
      'c.reference',
      'c.kind',
      'c.category',
      'c.status',
      'c.outcome',
      'c.created_at',
      'a.code',
      'a.name_th',
      'a.name_en',
      'r.score',
    ])
    .where('c.id', '=', caseId)
    .executeTakeFirst();
  if (!row) return null;
  const [history, messages] = await Promise.all([
    loadHistory(db, caseId, null, true),
    db
      .selectFrom('case_message')
      .selectAll()
      .where('case_id', '=', caseId)
      .where('thread', '=', 'reporter')
      .where('author_kind', '=', 'staff')
      .orderBy('number')
      .execute(),
  ]);
  const key = aeadKey(keys.content);
  return {
    caseId,
    reference: row.reference,
    kind: row.kind,
    category: row.category,
    agency: { code: row.code, nameTh: row.name_th, nameEn: row.name_en },
    status: row.status,
    outcome: row.kind !== 'tip' && row.status === 'closed' ? row.outcome : null,
    createdAt: row.created_at,
    history: history.items.map((h) => ({
      at: h.at,
      kind: h.kind,
      toStatus: h.toStatus,
      actorRole: h.actorRole,
      agency: h.agency,
    })),
    replies: messages.map((m) => {
      const v = messageView(key, caseId, m, []);
      return { id: v.id, at: v.createdAt, role: v.authorRole, text: v.text };
    }),
    rating: row.score ?? null,
    canRate: row.status === 'closed' && row.score === null,
  };
}

/**
 * Opens the status view with a tracking code (the case's receipt). A wrong code, or a witness's
 * receipt, costs the same derivation and gives the same error as a wrong receipt login.
 */
export async function trackCase({
  db,
  kdf,
  receiptSalt,
  throttle,
  code,
}: {
  db: Db;
  kdf: KdfParams;
  receiptSalt: Buffer;
  throttle: LoginThrottle;
  code: string;
}): Promise<{ tracked: TrackedCase; keys: CaseKeys }> {
  const session = await openReporterSession({ db, kdf, receiptSalt, throttle, receipt: code });
  const tracked = session.witnessId ? null : await loadTrackedCase({ db, caseId: session.caseId, keys: session.keys });
  if (!tracked) throw new AppError('unauthorized', 'not a tracking code', 'error.receipt_wrong');
  return { tracked, keys: session.keys };
}
