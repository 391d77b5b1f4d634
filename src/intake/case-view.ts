// Decrypts a case for someone who holds its keys: the reporter (receipt) or a recipient (sealed key).
import type { KeyObject } from 'node:crypto';
import type { Db } from '../db/connection.ts';
import { openFromTeam } from '../crypto/team-key.ts';
import { aeadKey, openJson } from '../crypto/aead.ts';
import type { CaseKind, CaseStatus } from '../db/schema.ts';
import { openAttachmentMeta } from './attachments.ts';
import { contentAad, identityAad, messageAad, type CaseKeys } from './case-keys.ts';
import type { Complainant, Location, PermitDetails } from './validate-complaint.ts';

/** `isUnreadable`: the item would not open with the key that should open it (shown as such, never thrown). */
export type AttachmentView = {
  id: string;
  messageId: string | null;
  uploadedBy: 'reporter' | 'staff' | 'witness';
  name: string;
  type: string;
  size: number;
  removed: string[];
  isCleaned: boolean;
  isUnreadable: boolean;
  createdAt: Date;
};
export type MessageView = {
  id: string;
  authorKind: 'reporter' | 'staff' | 'witness';
  authorRole: string | null;
  authorUserId: number | null;
  text: string;
  isUnreadable: boolean;
  createdAt: Date;
  attachments: AttachmentView[];
};
/** An item of a case that did not open: what it is and its id (never its content). */
export type UnreadableItem = {
  kind: 'content' | 'identity' | 'message' | 'attachment' | 'reason' | 'witness';
  id: string;
};

/**
 * Opens one sealed item, or returns `fallback` and notes the item in `unreadable` when it does not
 * open (a wrong key, a damaged or planted ciphertext). One bad item MUST NOT take a whole case
 * view down: the view shows it as unreadable and the staff side records it (get-case.ts).
 */
export function openOr<T>(unreadable: UnreadableItem[] | null, item: UnreadableItem, fallback: T, opener: () => T): T {
  try {
    return opener();
  } catch {
    unreadable?.push(item);
    return fallback;
  }
}
/** One step of the case's history; `reason` only for the team (sealed to it). */
export type HistoryView = {
  at: Date;
  kind: string;
  fromStatus: string | null;
  toStatus: string | null;
  outcome: string | null;
  actorRole: string | null;
  actorUserId: number | null;
  agency: { code: string; nameTh: string; nameEn: string } | null;
  /** The unit a `unit_set` event named (staff only; null when it cleared the unit). */
  unit: { code: string; nameTh: string; nameEn: string } | null;
  reason: string | null;
};
export type CaseView = {
  id: string;
  reference: string;
  agency: { code: string; nameTh: string; nameEn: string };
  category: string;
  channel: string;
  kind: CaseKind;
  status: CaseStatus;
  outcome: string | null;
  createdAt: Date;
  updatedAt: Date;
  /** The report; a complaint adds who filed it, a late permit's request and a place shared on LINE. */
  content: {
    what: string;
    when: string;
    where: string;
    who: string;
    complainant?: Complainant;
    permit?: PermitDetails;
    location?: Location;
  };
  hasIdentity: boolean;
  identity: { name: string; contact: string } | null;
  attachments: AttachmentView[]; // filed with the report
  messages: MessageView[];
  /** Internal notes (staff only, opened with the team key). */
  notes: MessageView[];
  history: HistoryView[];
  /** Items that did not open (empty when all is well). */
  unreadable: UnreadableItem[];
};

/**
 * Loads and opens a case. `withIdentity` opens the sealed identity too (only when asked for);
 * `teamKey` (staff only) opens the internal notes and the reasons in the history. Without it, the
 * view is the reporter's: their thread only, and the history steps meant for them.
 */
export async function loadCaseView({
  db,
  caseId,
  keys,
  withIdentity,
  teamKey = null,
}: {
  db: Db;
  caseId: string;
  keys: CaseKeys;
  withIdentity: boolean;
  teamKey?: Buffer | null;
}): Promise<CaseView | null> {
  const row = await db
    .selectFrom('report_case as c')
    .innerJoin('agency as a', 'a.id', 'c.agency_id')
    .select([
      'c.id',
      'c.reference',
      'c.category',
      'c.channel',
      'c.kind',
      'c.status',
      'c.outcome',
      'c.created_at',
      'c.updated_at',
      'c.content',
      'c.identity',
      'c.has_identity',
      'a.code',
      'a.name_th',
      'a.name_en',
    ])
    .where('c.id', '=', caseId)
    .executeTakeFirst();
  if (!row) return null;
  const key = aeadKey(keys.content);
  const threads: ('reporter' | 'internal')[] = teamKey ? ['reporter', 'internal'] : ['reporter'];
  const [messages, attachments, events] = await Promise.all([
    db
      .selectFrom('case_message')
      .selectAll()
      .where('case_id', '=', caseId)
      .where('thread', 'in', threads)
      .orderBy('number')
      .execute(),
    db
      .selectFrom('attachment as a')
      .leftJoin('case_message as m', 'm.id', 'a.message_id')
      .select(['a.id', 'a.message_id', 'a.uploaded_by', 'a.meta', 'a.created_at'])
      .where('a.case_id', '=', caseId)
      .where((eb) => eb.or([eb('a.message_id', 'is', null), eb('m.thread', '=', 'reporter')]))
      .orderBy('a.created_at')
      .orderBy('a.id')
      .execute(),
    loadHistory(db, caseId, teamKey, !teamKey),
  ]);
  const unreadable: UnreadableItem[] = [...events.unreadable];
  const files = attachmentViews(keys.content, caseId, attachments, unreadable);
  const noContent = { what: '', when: '', where: '', who: '' };
  return {
    id: row.id,
    reference: row.reference,
    agency: { code: row.code, nameTh: row.name_th, nameEn: row.name_en },
    category: row.category,
    channel: row.channel,
    kind: row.kind,
    status: row.status,
    outcome: teamKey ? row.outcome : null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    content: openOr(unreadable, { kind: 'content', id: caseId }, noContent, () =>
      openJson(key, row.content, contentAad(caseId)),
    ),
    hasIdentity: row.has_identity,
    identity:
      withIdentity && row.identity && keys.identity
        ? openOr(unreadable, { kind: 'identity', id: caseId }, null, () =>
            openJson(aeadKey(keys.identity!), row.identity!, identityAad(caseId)),
          )
        : null,
    attachments: files.filter((f) => f.messageId === null),
    messages: messages
      .filter((m) => m.thread === 'reporter')
      .map((m) => messageView(key, caseId, m, files, unreadable)),
    notes: teamKey
      ? messages
          .filter((m) => m.thread === 'internal')
          .map((m) => messageView(aeadKey(teamKey), caseId, m, [], unreadable))
      : [],
    history: events.items,
    unreadable,
  };
}

type AttachmentRow = {
  id: string;
  message_id: string | null;
  uploaded_by: 'reporter' | 'staff' | 'witness';
  meta: Buffer;
  created_at: Date;
};

/** The attachments' sealed names and types opened with `key`; one that does not open is listed as unreadable. */
export function attachmentViews(
  key: Buffer,
  caseId: string,
  rows: AttachmentRow[],
  unreadable: UnreadableItem[],
): AttachmentView[] {
  return rows.map((a) => {
    const meta = openOr(unreadable, { kind: 'attachment', id: a.id }, null, () =>
      openAttachmentMeta(key, caseId, a.id, a.meta),
    );
    const base = { id: a.id, messageId: a.message_id, uploadedBy: a.uploaded_by, createdAt: a.created_at };
    if (!meta)
      return {
        ...base,
        name: '',
        type: 'application/octet-stream',
        size: 0,
        removed: [],
        isCleaned: false,
        isUnreadable: true,
      };
    return {
      ...base,
      name: meta.name,
      type: meta.type,
      size: meta.size,
      removed: meta.removed,
      isCleaned: meta.isCleaned,
      isUnreadable: false,
    };
  });
}

/** The history of a case, oldest first; reasons opened only with the team key (one that does not open is listed). */
export async function loadHistory(
  db: Db,
  caseId: string,
  teamKey: Buffer | null,
  forReporterOnly: boolean,
): Promise<{ items: HistoryView[]; unreadable: UnreadableItem[] }> {
  const events = await db
    .selectFrom('case_event as e')
    .leftJoin('agency as g', 'g.id', 'e.agency_id')
    .leftJoin('agency_unit as un', 'un.id', 'e.unit_id')
    .select([
      'un.code as unit_code',
      'un.name_th as unit_th',
      'un.name_en as unit_en',
      'e.id',
      'e.at',
      'e.kind',
      'e.from_status',
      'e.to_status',
      'e.outcome',
      'e.actor_role',
      'e.actor_user_id',
      'e.reason',
      'g.code',
      'g.name_th',
      'g.name_en',
    ])
    .where('e.case_id', '=', caseId)
    .$if(forReporterOnly, (q) => q.where('e.for_reporter', '=', true))
    .orderBy('e.id')
    .execute();
  const unreadable: UnreadableItem[] = [];
  const items = events.map((e) => ({
    at: e.at,
    kind: e.kind,
    fromStatus: e.from_status,
    toStatus: e.to_status,
    outcome: forReporterOnly ? null : e.outcome,
    actorRole: e.actor_role,
    actorUserId: forReporterOnly ? null : e.actor_user_id,
    agency: e.code ? { code: e.code, nameTh: e.name_th!, nameEn: e.name_en! } : null,
    unit:
      e.unit_code && !forReporterOnly ? { code: e.unit_code, nameTh: e.unit_th ?? '', nameEn: e.unit_en ?? '' } : null,
    reason:
      teamKey && e.reason
        ? openOr(unreadable, { kind: 'reason', id: String(e.id) }, null, () =>
            openFromTeam<string>(teamKey, `case-event-reason/${caseId}`, e.reason!),
          )
        : null,
  }));
  return { items, unreadable };
}

type MessageRow = {
  id: string;
  author_kind: 'reporter' | 'staff' | 'witness';
  author_role: string | null;
  author_user_id: number | null;
  body: Buffer;
  created_at: Date;
};

export function messageView(
  key: KeyObject,
  caseId: string,
  m: MessageRow,
  files: AttachmentView[],
  unreadable: UnreadableItem[] | null = null,
): MessageView {
  const text = openOr(
    unreadable,
    { kind: 'message', id: m.id },
    null,
    () => openJson<{ text: string }>(key, m.body, messageAad(caseId, m.id)).text,
  );
  return {
    id: m.id,
    authorKind: m.author_kind,
    authorRole: m.author_role,
    authorUserId: m.author_user_id,
    text: text ?? '',
    isUnreadable: text === null,
    createdAt: m.created_at,
    attachments: files.filter((f) => f.messageId === m.id),
  };
}
