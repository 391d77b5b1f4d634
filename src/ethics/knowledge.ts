// An agency's knowledge base for the ethics question service: documents (a code of ethics, a
// regulation, guidance, FAQ entries) with their source, split into passages by paragraph and
// clause. Written by the agency's ethics officers; every change is audited in its transaction and
// moves the agency's version, against which the search index is rebuilt (qa-search.ts).
import type { Transaction } from 'kysely';
import { recordAudit } from '../audit/record-audit.ts';
import type { Db } from '../db/connection.ts';
import type { Database } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import type { StaffActor } from '../staff/session.ts';
import { notFound, officerAgency } from './qa-access.ts';
import { QA_LIMITS } from './qa-limits.ts';
import { KNOWLEDGE_KINDS, type KnowledgeKind, sampleDocuments } from './sample-knowledge.ts';

export type PassageDraft = { label: string; body: string; foundAt?: string; isConfirmed?: boolean; sampleKey?: string };
export type DocumentDraft = { kind: string; title: string; source: string; url: string; text: string };

/** A clause starts a passage of its own: "มาตรา 5", "ข้อ 3", "Section 2", "Article 4", in Thai or ASCII digits. */
const CLAUSE = /^(มาตรา|ข้อ|section|article)\s*[0-9๐-๙]+/i;

/**
 * The passages of a text: paragraphs (split at blank lines) and, inside them, lines that start a
 * clause. A passage's label is its clause number when it has one. Empty pieces are dropped.
 */
export function splitPassages(text: string): PassageDraft[] {
  const pieces: string[] = [];
  for (const para of text.replace(/\r\n?/g, '\n').split(/\n\s*\n/)) {
    let current: string[] = [];
    for (const line of para.split('\n')) {
      if (CLAUSE.test(line.trim()) && current.length > 0) {
        pieces.push(current.join('\n'));
        current = [];
      }
      current.push(line);
    }
    pieces.push(current.join('\n'));
  }
  return pieces
    .map((p) => p.trim())
    .filter((p) => p.length > 0)
    .map((body) => ({ label: CLAUSE.exec(body)?.[0] ?? '', body }));
}

/** Checks a document as typed; returns its passages. Oversized or empty fields name their field. */
export function checkDocument(d: DocumentDraft): PassageDraft[] {
  const faults: Record<string, string> = {};
  if (!(KNOWLEDGE_KINDS as readonly string[]).includes(d.kind)) faults.kind = 'ethics.qa.fault.kind';
  if (d.title.trim() === '' || d.title.length > QA_LIMITS.title) faults.title = 'ethics.qa.fault.title';
  if (d.source.trim() === '' || d.source.length > QA_LIMITS.source) faults.source = 'ethics.qa.fault.source';
  if (d.url !== '' && (!/^https?:\/\/\S+$/i.test(d.url) || d.url.length > QA_LIMITS.url))
    faults.url = 'ethics.qa.fault.url';
  const passages = d.text.length > QA_LIMITS.text ? [] : splitPassages(d.text);
  if (
    passages.length === 0 ||
    passages.length > QA_LIMITS.passages ||
    passages.some((p) => p.body.length > QA_LIMITS.passage)
  )
    faults.text = 'ethics.qa.fault.text';
  if (Object.keys(faults).length > 0)
    throw new AppError('invalid_input', 'invalid knowledge document', 'error.form', faults);
  return passages;
}

async function bumpVersion(trx: Transaction<Database>, agencyId: number): Promise<void> {
  await trx
    .insertInto('ethics_kb_version')
    .values({ agency_id: agencyId, version: 1 })
    .onConflict((oc) =>
      oc.column('agency_id').doUpdateSet((eb) => ({ version: eb('ethics_kb_version.version', '+', 1) })),
    )
    .execute();
}

type Insert = {
  agencyId: number;
  actorId: number;
  kind: KnowledgeKind;
  title: string;
  source: string;
  url: string;
  sampleKey?: string;
};

async function insertDocument(trx: Transaction<Database>, d: Insert, passages: PassageDraft[]): Promise<number> {
  const { id } = await trx
    .insertInto('ethics_kb_document')
    .values({
      agency_id: d.agencyId,
      kind: d.kind,
      title: d.title,
      source: d.source,
      url: d.url,
      sample_key: d.sampleKey ?? null,
      created_by: d.actorId,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await trx
    .insertInto('ethics_kb_passage')
    .values(
      passages.map((p, i) => ({
        document_id: id,
        position: i + 1,
        label: p.label.slice(0, QA_LIMITS.title),
        body: p.body,
        found_at: p.foundAt ?? '',
        is_confirmed: p.isConfirmed ?? true,
        sample_key: p.sampleKey ?? null,
      })),
    )
    .execute();
  return id;
}

/** Adds a document written by an ethics officer to their agency's knowledge base; returns its id. */
export async function addDocument({
  db,
  actor,
  draft,
}: {
  db: Db;
  actor: StaffActor;
  draft: DocumentDraft;
}): Promise<number> {
  const agencyId = officerAgency(actor);
  const passages = checkDocument(draft);
  return db.transaction().execute(async (trx) => {
    const id = await insertDocument(
      trx,
      {
        agencyId,
        actorId: actor.id,
        kind: draft.kind as KnowledgeKind,
        title: draft.title.trim(),
        source: draft.source.trim(),
        url: draft.url,
      },
      passages,
    );
    await bumpVersion(trx, agencyId);
    await recordAudit(trx, {
      actorUserId: actor.id,
      action: 'ethics_kb_added',
      detail: { document: id, passages: passages.length },
    });
    return id;
  });
}

/** Removes a document of the officer's agency (not found for another agency's). */
export async function removeDocument({
  db,
  actor,
  documentId,
}: {
  db: Db;
  actor: StaffActor;
  documentId: number;
}): Promise<void> {
  const agencyId = officerAgency(actor);
  await db.transaction().execute(async (trx) => {
    const gone = await trx
      .deleteFrom('ethics_kb_document')
      .where('id', '=', documentId)
      .where('agency_id', '=', agencyId)
      .returning('title')
      .executeTakeFirst();
    if (!gone) throw notFound();
    await bumpVersion(trx, agencyId);
    await recordAudit(trx, { actorUserId: actor.id, action: 'ethics_kb_removed', detail: { document: documentId } });
  });
}

/** Loads the shipped sample into the officer's agency; documents already loaded are kept as they are. Returns how many were added. */
export async function loadSample({ db, actor }: { db: Db; actor: StaffActor }): Promise<number> {
  const agencyId = officerAgency(actor);
  return db.transaction().execute(async (trx) => {
    const have = new Set(
      (await trx.selectFrom('ethics_kb_document').select('sample_key').where('agency_id', '=', agencyId).execute()).map(
        (r) => r.sample_key,
      ),
    );
    let added = 0;
    for (const d of sampleDocuments()) {
      if (have.has(d.key)) continue;
      const passages = d.passages.map((p) => ({
        label: p.label,
        body: p.text,
        foundAt: p.foundAt,
        isConfirmed: p.confirmed,
        sampleKey: p.key,
      }));
      await insertDocument(
        trx,
        { agencyId, actorId: actor.id, kind: d.kind, title: d.title, source: d.citation, url: d.url, sampleKey: d.key },
        passages,
      );
      added++;
    }
    if (added > 0) await bumpVersion(trx, agencyId);
    await recordAudit(trx, { actorUserId: actor.id, action: 'ethics_kb_sample_loaded', detail: { documents: added } });
    return added;
  });
}

export type DocumentRow = {
  id: number;
  kind: KnowledgeKind;
  title: string;
  source: string;
  url: string;
  passages: number;
};

/** The documents of the officer's agency, newest first, with their number of passages. */
export async function listDocuments({ db, actor }: { db: Db; actor: StaffActor }): Promise<DocumentRow[]> {
  const agencyId = officerAgency(actor);
  const rows = await db
    .selectFrom('ethics_kb_document as d')
    .leftJoin('ethics_kb_passage as p', 'p.document_id', 'd.id')
    .select((eb) => ['d.id', 'd.kind', 'd.title', 'd.source', 'd.url', eb.fn.count<string>('p.id').as('passages')])
    .where('d.agency_id', '=', agencyId)
    .groupBy('d.id')
    .orderBy('d.id', 'desc')
    .execute();
  return rows.map((r) => ({ ...r, passages: Number(r.passages) }));
}

export type PassageRow = {
  id: number;
  position: number;
  label: string;
  body: string;
  found_at: string;
  is_confirmed: boolean;
};

/** One document of the officer's agency with its passages in order; not found for another agency's. */
export async function loadDocument({ db, actor, documentId }: { db: Db; actor: StaffActor; documentId: number }) {
  const agencyId = officerAgency(actor);
  const doc = await db
    .selectFrom('ethics_kb_document')
    .select(['id', 'kind', 'title', 'source', 'url'])
    .where('id', '=', documentId)
    .where('agency_id', '=', agencyId)
    .executeTakeFirst();
  if (!doc) throw notFound();
  const passages: PassageRow[] = await db
    .selectFrom('ethics_kb_passage')
    .select(['id', 'position', 'label', 'body', 'found_at', 'is_confirmed'])
    .where('document_id', '=', documentId)
    .orderBy('position')
    .execute();
  return { ...doc, passages };
}
