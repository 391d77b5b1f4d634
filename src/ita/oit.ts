// The open-data self-check (OIT, indicators 9 and 10): per checklist item of the cycle's framework,
// where the agency discloses it (an address, a file, a note) and the assessor's verdict. Every access
// goes through loadCycle, so a cycle of another agency does not exist for the caller.
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { recordAudit } from '../audit/record-audit.ts';
import { complaintFigures, fiscalYearRange, type Received } from '../cases/figures.ts';
import type { Db } from '../db/connection.ts';
import { AppError } from '../errors.ts';
import { cleanFileName } from '../intake/attachments.ts';
import type { StaffActor } from '../staff/session.ts';
import { loadCycle, requireOpen, type Cycle } from './cycles.ts';
import type { ChecklistItem, Framework } from './types.ts';

/** Longest accepted evidence address, note and assessor comment (characters): the forms' maxlength too. */
export const OIT_LIMITS = { url: 2000, note: 2000, comment: 2000 } as const;

const startsWith = (sig: string | number[]) => {
  const head = typeof sig === 'string' ? Buffer.from(sig, 'latin1') : Buffer.from(sig);
  return (b: Buffer) => b.subarray(0, head.length).equals(head);
};
const ZIP = startsWith([0x50, 0x4b, 0x03, 0x04]); // OOXML and OpenDocument are zip files
const OLE = startsWith([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]); // legacy Office
const OFFICE = 'application/vnd.openxmlformats-officedocument';
/**
 * Evidence files accepted, by extension: the type stored (never the one the browser claims) and
 * the signature the content must start with, so a page or script renamed `.pdf` is refused.
 */
const EVIDENCE_TYPES: Record<string, { type: string; isValid: (b: Buffer) => boolean }> = {
  pdf: { type: 'application/pdf', isValid: startsWith('%PDF-') },
  jpg: { type: 'image/jpeg', isValid: startsWith([0xff, 0xd8, 0xff]) },
  jpeg: { type: 'image/jpeg', isValid: startsWith([0xff, 0xd8, 0xff]) },
  png: { type: 'image/png', isValid: startsWith([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]) },
  gif: { type: 'image/gif', isValid: startsWith('GIF8') },
  webp: {
    type: 'image/webp',
    isValid: (b) => startsWith('RIFF')(b) && b.subarray(8, 12).toString('latin1') === 'WEBP',
  },
  docx: { type: `${OFFICE}.wordprocessingml.document`, isValid: ZIP },
  xlsx: { type: `${OFFICE}.spreadsheetml.sheet`, isValid: ZIP },
  pptx: { type: `${OFFICE}.presentationml.presentation`, isValid: ZIP },
  odt: { type: 'application/vnd.oasis.opendocument.text', isValid: ZIP },
  ods: { type: 'application/vnd.oasis.opendocument.spreadsheet', isValid: ZIP },
  odp: { type: 'application/vnd.oasis.opendocument.presentation', isValid: ZIP },
  doc: { type: 'application/msword', isValid: OLE },
  xls: { type: 'application/vnd.ms-excel', isValid: OLE },
  ppt: { type: 'application/vnd.ms-powerpoint', isValid: OLE },
};
const SERVED_TYPES = new Set(Object.values(EVIDENCE_TYPES).map((t) => t.type));

/** The file input's `accept` list: the extensions EVIDENCE_TYPES takes. */
export const EVIDENCE_ACCEPT = Object.keys(EVIDENCE_TYPES)
  .map((e) => `.${e}`)
  .join(',');

/** The Content-Type to serve a stored file with: its type when on the allow-list, else application/octet-stream. */
export function servedFileType(stored: string | null): string {
  return stored !== null && SERVED_TYPES.has(stored) ? stored : 'application/octet-stream';
}

/** A checklist item with what the agency and the assessor recorded. Names are display names (or emails). */
export type OitItem = ChecklistItem & {
  evidenceUrl: string | null;
  evidenceNote: string | null;
  file: { name: string; type: string; size: number } | null;
  updatedBy: string | null;
  updatedAt: Date | null;
  verdict: 'yes' | 'no' | null;
  assessorComment: string | null;
  assessedBy: string | null;
  assessedAt: Date | null;
  hasEvidence: boolean;
  /** The evidence changed after the verdict: the assessor should look again. */
  isChangedSinceVerdict: boolean;
  /** No evidence, or judged not disclosed. */
  isMissing: boolean;
};

/** Counts of a cycle's checklist for the overview: items with evidence, assessed, judged disclosed, still to do. */
export type OitProgress = { total: number; withEvidence: number; assessed: number; disclosed: number; missing: number };

/** The agency's complaint figures of the cycle's fiscal year (Bangkok days, both included). */
export type OitFigures = { fiscalYear: number; from: string; to: string; complaints: Received; tips: Received };

/** Returns the error key of an evidence address, or null when it is acceptable (http(s), no credentials, bounded). Empty is acceptable: no address. */
export function checkEvidenceUrl(url: string): string | null {
  if (url === '') return null;
  if (url.length > OIT_LIMITS.url) return 'ita.error.url_too_long';
  // eslint-disable-next-line no-control-regex
  if (/[\s\u0000-\u001f\u007f]/.test(url) || !URL.canParse(url)) return 'ita.error.url';
  const u = new URL(url);
  if ((u.protocol !== 'https:' && u.protocol !== 'http:') || u.hostname === '') return 'ita.error.url';
  // a password in an address shown to every assessor and kept in the audit would leak it
  if (u.username !== '' || u.password !== '') return 'ita.error.url_credentials';
  return null;
}

/** A stored ita_oit_item row as oitItemsOf reads it: names resolved, the file's size instead of its bytes. */
export type OitRow = {
  item_id: string;
  evidence_url: string | null;
  evidence_note: string | null;
  file_name: string | null;
  file_type: string | null;
  file_size: number | null;
  updated_at: Date | null;
  updated_by: string | null;
  verdict: 'yes' | 'no' | null;
  assessor_comment: string | null;
  assessed_at: Date | null;
  assessed_by: string | null;
};

/** The framework's checklist, in its order, merged with the stored rows (an item without a row has nothing recorded). */
export function mergeOitItems(framework: Framework, rows: readonly OitRow[]): OitItem[] {
  const byId = new Map(rows.map((r) => [r.item_id, r]));
  return framework.checklist.map((item) => {
    const r = byId.get(item.id);
    const hasEvidence = Boolean(r?.evidence_url || r?.file_name);
    const verdict = r?.verdict ?? null;
    return {
      ...item,
      evidenceUrl: r?.evidence_url ?? null,
      evidenceNote: r?.evidence_note ?? null,
      file: r?.file_name ? { name: cleanFileName(r.file_name), type: r.file_type ?? '', size: r.file_size ?? 0 } : null,
      updatedBy: r?.updated_by ?? null,
      updatedAt: r?.updated_at ?? null,
      verdict,
      assessorComment: r?.assessor_comment ?? null,
      assessedBy: r?.assessed_by ?? null,
      assessedAt: r?.assessed_at ?? null,
      hasEvidence,
      isChangedSinceVerdict: Boolean(r?.assessed_at && r.updated_at && r.updated_at > r.assessed_at),
      isMissing: !hasEvidence || verdict === 'no',
    };
  });
}

/**
 * The OIT items of a cycle the caller already holds (the reminder runner, or after loadCycle).
 * MUST NOT be given a cycle the caller was not allowed to load. File contents are not read.
 */
export async function oitItemsOf({ db, cycle }: { db: Db; cycle: Cycle }): Promise<OitItem[]> {
  const rows = await db
    .selectFrom('ita_oit_item as o')
    .leftJoin('staff_user as u', 'u.id', 'o.updated_by')
    .leftJoin('staff_user as a', 'a.id', 'o.assessed_by')
    .select([
      'o.item_id',
      'o.evidence_url',
      'o.evidence_note',
      'o.file_name',
      'o.file_type',
      'o.updated_at',
      'o.verdict',
      'o.assessor_comment',
      'o.assessed_at',
      sql<number | null>`octet_length(o.file_bytes)`.as('file_size'),
      sql<string | null>`coalesce(nullif(u.display_name, ''), u.email)`.as('updated_by'),
      sql<string | null>`coalesce(nullif(a.display_name, ''), a.email)`.as('assessed_by'),
    ])
    .where('o.cycle_id', '=', cycle.id)
    .execute();
  return mergeOitItems(cycle.framework, rows);
}

/** The cycle (agency-scoped through loadCycle: not_found across agencies) and its OIT items in checklist order. */
export async function listOitItems({
  db,
  actor,
  cycleId,
}: {
  db: Db;
  actor: StaffActor;
  cycleId: number;
}): Promise<{ cycle: Cycle; items: OitItem[] }> {
  const cycle = await loadCycle({ db, actor, cycleId });
  return { cycle, items: await oitItemsOf({ db, cycle }) };
}

/** The items still to do (no evidence, or judged not disclosed), in checklist order. */
export function missingItems(items: readonly OitItem[]): OitItem[] {
  return items.filter((i) => i.isMissing);
}

/** Counts for the overview. */
export function oitProgress(items: readonly OitItem[]): OitProgress {
  return {
    total: items.length,
    withEvidence: items.filter((i) => i.hasEvidence).length,
    assessed: items.filter((i) => i.verdict !== null).length,
    disclosed: items.filter((i) => i.verdict === 'yes').length,
    missing: items.filter((i) => i.isMissing).length,
  };
}

function checklistItem(cycle: Cycle, itemId: string): ChecklistItem {
  const item = cycle.framework.checklist.find((i) => i.id === itemId);
  if (!item) throw new AppError('not_found', 'no such checklist item in this cycle', 'error.not_found');
  return item;
}

/**
 * Records the evidence of one item (agency administrators and ITA assessors, open cycles only): the
 * address and note replace the stored ones; `file` replaces the stored file, `isFileRemoved` drops
 * it, neither keeps it. invalid_input (fields url, note, file) or too_large (file) with nothing
 * stored; audited ('ita_oit_evidence_saved', never the file's content) in the same transaction.
 */
export async function saveEvidence({
  db,
  actor,
  cycleId,
  itemId,
  url,
  note,
  file = null,
  isFileRemoved = false,
  maxFileBytes,
}: {
  db: Db;
  actor: StaffActor;
  cycleId: number;
  itemId: string;
  url: string;
  note: string;
  file?: { name: string; bytes: Buffer } | null;
  isFileRemoved?: boolean;
  maxFileBytes: number;
}): Promise<void> {
  const cycle = await loadCycle({ db, actor, cycleId });
  requireOpen(cycle);
  checklistItem(cycle, itemId);
  const cleanUrl = url.trim();
  const cleanNote = note.trim();
  const fields: Record<string, string> = {};
  const urlError = checkEvidenceUrl(cleanUrl);
  if (urlError) fields.url = urlError;
  if (cleanNote.length > OIT_LIMITS.note) fields.note = 'error.field.too_long';
  let stored: { name: string; type: string; bytes: Buffer } | null = null;
  if (file) {
    if (file.bytes.length > maxFileBytes)
      throw new AppError('too_large', 'evidence file too large', 'error.form', {
        ...fields,
        file: 'ita.error.file_too_large',
      });
    const name = cleanFileName(file.name);
    const kind = EVIDENCE_TYPES[/\.([a-z0-9]+)$/i.exec(name)?.[1].toLowerCase() ?? ''];
    if (!kind?.isValid(file.bytes)) fields.file = 'ita.error.file_type';
    else stored = { name, type: kind.type, bytes: file.bytes };
  }
  if (Object.keys(fields).length > 0) throw new AppError('invalid_input', 'invalid evidence', 'error.form', fields);
  const now = new Date();
  const fileSet = stored
    ? { file_name: stored.name, file_type: stored.type, file_bytes: stored.bytes }
    : isFileRemoved
      ? { file_name: null, file_type: null, file_bytes: null }
      : {};
  const values = {
    evidence_url: cleanUrl || null,
    evidence_note: cleanNote || null,
    updated_by: actor.id,
    updated_at: now,
    ...fileSet,
  };
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('ita_oit_item')
      .values({ cycle_id: cycle.id, item_id: itemId, ...values })
      .onConflict((oc) => oc.columns(['cycle_id', 'item_id']).doUpdateSet(values))
      .execute();
    await recordAudit(trx, {
      actorUserId: actor.id,
      action: 'ita_oit_evidence_saved',
      detail: {
        cycleId: cycle.id,
        itemId,
        hasUrl: cleanUrl !== '',
        file: stored
          ? { sha256: createHash('sha256').update(stored.bytes).digest('hex'), size: stored.bytes.length }
          : isFileRemoved
            ? 'removed'
            : 'kept',
      },
    });
  });
}

/** The verdicts an assessor may give. */
export const VERDICTS = ['yes', 'no'] as const;

/**
 * Records the assessor's verdict on one item (ITA assessors only: forbidden for anyone else of the
 * agency, even its administrators; open cycles only). invalid_input (fields verdict, comment);
 * audited ('ita_oit_verdict_saved') in the same transaction.
 */
export async function saveVerdict({
  db,
  actor,
  cycleId,
  itemId,
  verdict,
  comment,
}: {
  db: Db;
  actor: StaffActor;
  cycleId: number;
  itemId: string;
  verdict: string;
  comment: string;
}): Promise<void> {
  const cycle = await loadCycle({ db, actor, cycleId, roles: ['ita_assessor'] });
  requireOpen(cycle);
  checklistItem(cycle, itemId);
  const cleanComment = comment.trim();
  const fields: Record<string, string> = {};
  if (verdict !== 'yes' && verdict !== 'no') fields.verdict = 'ita.error.verdict';
  if (cleanComment.length > OIT_LIMITS.comment) fields.comment = 'error.field.too_long';
  if (Object.keys(fields).length > 0) throw new AppError('invalid_input', 'invalid verdict', 'error.form', fields);
  const values = {
    verdict: verdict as 'yes' | 'no',
    assessor_comment: cleanComment || null,
    assessed_by: actor.id,
    assessed_at: new Date(),
  };
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('ita_oit_item')
      .values({ cycle_id: cycle.id, item_id: itemId, ...values })
      .onConflict((oc) => oc.columns(['cycle_id', 'item_id']).doUpdateSet(values))
      .execute();
    await recordAudit(trx, {
      actorUserId: actor.id,
      action: 'ita_oit_verdict_saved',
      detail: { cycleId: cycle.id, itemId, verdict },
    });
  });
}

/** The stored evidence file of an item; not_found when there is none (or the cycle is not the actor's). `type` is safe to serve (servedFileType). */
export async function loadEvidenceFile({
  db,
  actor,
  cycleId,
  itemId,
}: {
  db: Db;
  actor: StaffActor;
  cycleId: number;
  itemId: string;
}): Promise<{ name: string; type: string; bytes: Buffer }> {
  const cycle = await loadCycle({ db, actor, cycleId });
  const row = await db
    .selectFrom('ita_oit_item')
    .select(['file_name', 'file_type', 'file_bytes'])
    .where('cycle_id', '=', cycle.id)
    .where('item_id', '=', itemId)
    .executeTakeFirst();
  if (!row?.file_name || !row.file_bytes) throw new AppError('not_found', 'no evidence file', 'error.not_found');
  return { name: row.file_name, type: servedFileType(row.file_type), bytes: row.file_bytes };
}

/**
 * The complaint figures of the cycle's agency for its fiscal year, for the checklist items filled
 * from Sujarit (`source: 'complaint-figures'`): the same counts the public /figures?fy= page shows.
 */
export async function oitComplaintFigures({
  db,
  cycle,
  now = new Date(),
}: {
  db: Db;
  cycle: Cycle;
  now?: Date;
}): Promise<OitFigures> {
  const { from, to } = fiscalYearRange(cycle.fiscalYear);
  const [agency, figures] = await Promise.all([
    db.selectFrom('agency').select('code').where('id', '=', cycle.agencyId).executeTakeFirstOrThrow(),
    complaintFigures({ db, from, to, now }),
  ]);
  const mine = figures.agencies.find((a) => a.code === agency.code);
  if (!mine) throw new AppError('not_found', 'agency missing from the figures', 'error.not_found');
  return { fiscalYear: cycle.fiscalYear, from, to, complaints: mine.complaints, tips: mine.tips };
}
