// An agency's procurement data and flags in the database: an import computes the red flags over a
// file (two streamed readings: the flags, then the releases of the flagged processes, so memory
// holds no more than the flags), stores them with the file's report, and is audited in the same
// transaction. Staff read their own agency's flags only; `mayReadProcurement` is the one rule of
// who may (the merger extends it with `risk_officer`).
import { type Insertable, type Kysely, sql } from 'kysely';
import type { Readable } from 'node:stream';
import { recordAudit } from '../audit/record-audit.ts';
import type { Database } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { hasRole, type StaffActor } from '../staff/session.ts';
import { readEgpCsv } from './egp-csv.ts';
import { fileChunks, type LineReport, readJsonLines } from './json-lines.ts';
import { field, str } from './json-access.ts';
import { createRun, finishRun, foldRun } from './redflags.ts';
import type { Group } from './results.ts';
import { type CardinalSettings, parseSettings } from './settings.ts';

export type Source = 'ocds' | 'egp';

/**
 * Every indicator, with Cardinal's defaults, and the Thai flags: what an import computes unless
 * given another settings file.
 */
export const DEFAULT_SETTINGS = `; Cardinal's indicators (cardinal.readthedocs.io), each with its defaults
[R003]
[R018]
[R024]
[R025]
[R028]
[R030]
[R035]
[R036]
[R038]
[R048]
[R058]
; The Thai flags (docs/procurement.md)
[TH_REFERENCE_PRICE]
[TH_FEW_BIDDERS]
[TH_FISCAL_YEAR_END]
[TH_SPLITTING]
[TH_CONCENTRATION]
`;

/** Who may read an agency's procurement flags: its supervisors, auditors and administrators. */
export function mayReadProcurement(actor: Pick<StaffActor, 'roles'>): boolean {
  return hasRole(actor, 'supervisor', 'auditor', 'agency_admin') || (actor.roles as string[]).includes('risk_officer');
}

function checkMayRead(actor: Pick<StaffActor, 'roles' | 'agencyId'>): number {
  if (!mayReadProcurement(actor) || actor.agencyId === null) {
    throw new AppError('forbidden', 'may not read procurement flags', 'error.forbidden');
  }
  return actor.agencyId;
}

/** Reads the releases of a file of either source, in order. */
export function readReleases(
  input: () => Readable,
  source: Source,
  onRelease: (release: unknown) => void,
): Promise<LineReport> {
  return source === 'egp' ? readEgpCsv(input(), onRelease) : readJsonLines(input(), onRelease);
}

export type ImportResult = { importId: string; report: LineReport; flagged: number; otherCurrency: number };

const BATCH = 500;

/**
 * Imports `file` for `agencyId`: computes the flags, keeps the flagged processes' releases, all in
 * one transaction with its audit event. `actorUserId` is null from the command line.
 */
export async function importProcurement(opts: {
  db: Kysely<Database>;
  actorUserId: number | null;
  agencyId: number;
  file: string;
  fileName?: string;
  source: Source;
  settingsText?: string;
}): Promise<ImportResult> {
  const settingsText = opts.settingsText ?? DEFAULT_SETTINGS;
  const settings: CardinalSettings = parseSettings(settingsText);
  const run = createRun(settings);
  const report = await readReleases(
    () => fileChunks(opts.file),
    opts.source,
    (r) => foldRun(run, r),
  );
  const results = finishRun(run);
  const flaggedOcids = results.groups.get('OCID') ?? new Map<string, Record<string, number>>();
  return opts.db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('procurement_import')
      .values({
        agency_id: opts.agencyId,
        source: opts.source,
        file_name: (opts.fileName ?? opts.file).slice(-200),
        settings: settingsText,
        lines: report.lines,
        releases: report.releases,
        skipped: report.skipped,
        other_currency: run.cardinal.otherCurrency + run.thai.otherCurrency,
        faults: JSON.stringify(report.faults),
        imported_by: opts.actorUserId,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const flags: Insertable<Database['procurement_flag']>[] = [];
    for (const [grp, entries] of results.groups) {
      for (const [key, codes] of entries) {
        for (const [code, value] of Object.entries(codes)) {
          flags.push({ import_id: row.id, grp: grp as Group, key, code, value: Number.isFinite(value) ? value : null });
        }
      }
    }
    for (let i = 0; i < flags.length; i += BATCH) {
      await trx
        .insertInto('procurement_flag')
        .values(flags.slice(i, i + BATCH))
        .execute();
    }
    let pending: Insertable<Database['procurement_release']>[] = [];
    const kept = new Set<string>();
    await readReleases(
      () => fileChunks(opts.file),
      opts.source,
      (r) => {
        const ocid = str(field(r, 'ocid'));
        if (ocid === undefined || !flaggedOcids.has(ocid) || kept.has(ocid)) return;
        kept.add(ocid);
        pending.push({
          import_id: row.id,
          ocid,
          title: str(field(field(r, 'tender'), 'title')) ?? null,
          buyer: str(field(field(r, 'buyer'), 'name')) ?? str(field(field(r, 'buyer'), 'id')) ?? null,
          release: JSON.stringify(r),
        });
      },
    ).then(async () => {
      for (let i = 0; i < pending.length; i += BATCH) {
        await trx
          .insertInto('procurement_release')
          .values(pending.slice(i, i + BATCH))
          .execute();
      }
      pending = [];
    });
    await recordAudit(trx, {
      actorUserId: opts.actorUserId,
      action: 'procurement_imported',
      detail: { agency: opts.agencyId, import: Number(row.id), releases: report.releases, flagged: flaggedOcids.size },
    });
    return {
      importId: row.id,
      report,
      flagged: flaggedOcids.size,
      otherCurrency: run.cardinal.otherCurrency + run.thai.otherCurrency,
    };
  });
}

export type FlaggedProcess = {
  importId: string;
  ocid: string;
  title: string | null;
  buyer: string | null;
  flags: { code: string; value: number | null }[];
};

/** At most this many flagged processes are listed (the export has them all). */
export const MAX_LISTED = 500;

/** The flagged processes of the actor's agency, newest import first. */
export async function listFlagged(
  db: Kysely<Database>,
  actor: Pick<StaffActor, 'roles' | 'agencyId'>,
  limit = MAX_LISTED,
): Promise<FlaggedProcess[]> {
  const agencyId = checkMayRead(actor);
  const rows = await db
    .selectFrom('procurement_flag as f')
    .innerJoin('procurement_import as i', 'i.id', 'f.import_id')
    .leftJoin('procurement_release as r', (j) =>
      j.onRef('r.import_id', '=', 'f.import_id').onRef('r.ocid', '=', 'f.key'),
    )
    .where('i.agency_id', '=', agencyId)
    .where('f.grp', '=', 'OCID')
    .select([
      'f.import_id as importId',
      'f.key as ocid',
      'r.title as title',
      'r.buyer as buyer',
      sql<
        { code: string; value: number | null }[]
      >`json_agg(json_build_object('code', f.code, 'value', f.value) order by f.code)`.as('flags'),
    ])
    .groupBy(['f.import_id', 'f.key', 'r.title', 'r.buyer', 'i.imported_at'])
    .orderBy('i.imported_at', 'desc')
    .orderBy('f.key')
    .limit(limit)
    .execute();
  return rows;
}

/** The organizations flagged (Buyer, ProcuringEntity, Tenderer) of the actor's agency's latest import. */
export async function flaggedOrganizations(db: Kysely<Database>, actor: Pick<StaffActor, 'roles' | 'agencyId'>) {
  const agencyId = checkMayRead(actor);
  return db
    .selectFrom('procurement_flag as f')
    .innerJoin('procurement_import as i', 'i.id', 'f.import_id')
    .where('i.agency_id', '=', agencyId)
    .where('f.grp', '!=', 'OCID')
    .select(['f.grp', 'f.key', 'f.code', 'f.value', 'f.import_id'])
    .orderBy('i.imported_at', 'desc')
    .orderBy('f.grp')
    .orderBy('f.key')
    .limit(MAX_LISTED)
    .execute();
}

/** What a candidate risk links for one flagged process: its flags, the release's summary, the import. */
export type FlagEvidence = {
  agencyId: number;
  ocid: string;
  importId: string;
  importedAt: Date;
  source: Source;
  title: string | null;
  buyer: string | null;
  flags: { code: string; value: number | null }[];
  release: unknown;
};

/**
 * The evidence of a flagged process of `agencyId`, from the latest import that flagged it, or null.
 * The caller has checked who asks: this is the agency's own data.
 */
export async function flagEvidence(db: Kysely<Database>, agencyId: number, ocid: string): Promise<FlagEvidence | null> {
  const head = await db
    .selectFrom('procurement_release as r')
    .innerJoin('procurement_import as i', 'i.id', 'r.import_id')
    .where('i.agency_id', '=', agencyId)
    .where('r.ocid', '=', ocid)
    .select(['r.import_id', 'i.imported_at', 'i.source', 'r.title', 'r.buyer', 'r.release'])
    .orderBy('i.imported_at', 'desc')
    .orderBy('r.import_id', 'desc')
    .executeTakeFirst();
  if (!head) return null;
  const flags = await db
    .selectFrom('procurement_flag')
    .where('import_id', '=', head.import_id)
    .where('grp', '=', 'OCID')
    .where('key', '=', ocid)
    .select(['code', 'value'])
    .orderBy('code')
    .execute();
  return {
    agencyId,
    ocid,
    importId: head.import_id,
    importedAt: head.imported_at,
    source: head.source,
    title: head.title,
    buyer: head.buyer,
    flags,
    release: head.release,
  };
}

/** One flagged process for the drill-down page: the actor's agency only, else not found. */
export async function flaggedRelease(
  db: Kysely<Database>,
  actor: Pick<StaffActor, 'roles' | 'agencyId'>,
  ocid: string,
): Promise<FlagEvidence> {
  const found = await flagEvidence(db, checkMayRead(actor), ocid);
  if (!found) throw new AppError('not_found', 'no such flagged process', 'error.not_found');
  return found;
}

/** Every flag of the actor's agency as CSV (RFC 4180, UTF-8 with a BOM for spreadsheets), audited. */
export async function exportFlagsCsv(db: Kysely<Database>, actor: Pick<StaffActor, 'roles' | 'agencyId' | 'id'>) {
  const agencyId = checkMayRead(actor);
  return db.transaction().execute(async (trx) => {
    const rows = await trx
      .selectFrom('procurement_flag as f')
      .innerJoin('procurement_import as i', 'i.id', 'f.import_id')
      .leftJoin('procurement_release as r', (j) =>
        j.onRef('r.import_id', '=', 'f.import_id').onRef('r.ocid', '=', 'f.key').on('f.grp', '=', 'OCID'),
      )
      .where('i.agency_id', '=', agencyId)
      .select(['f.import_id', 'i.imported_at', 'f.grp', 'f.key', 'f.code', 'f.value', 'r.title', 'r.buyer'])
      .orderBy('i.imported_at', 'desc')
      .orderBy('f.grp')
      .orderBy('f.key')
      .orderBy('f.code')
      .execute();
    await recordAudit(trx, {
      actorUserId: actor.id,
      action: 'procurement_exported',
      detail: { agency: agencyId, rows: rows.length },
    });
    const cell = (v: unknown) => {
      const s = v === null || v === undefined ? '' : v instanceof Date ? v.toISOString() : String(v);
      // A leading = + - @ would run as a formula in a spreadsheet: quote it away.
      const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
      return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
    };
    const head = ['import', 'imported_at', 'group', 'id', 'indicator', 'value', 'title', 'buyer'];
    const lines = rows.map((r) =>
      [r.import_id, r.imported_at, r.grp, r.key, r.code, r.value, r.title, r.buyer].map(cell).join(','),
    );
    return `\uFEFF${[head.join(','), ...lines].join('\r\n')}\r\n`;
  });
}
