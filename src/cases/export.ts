// The case list as a spreadsheet: metadata only, exactly the cases the inbox shows for a filter.
import { sql } from 'kysely';
import { recordAudit } from '../audit/record-audit.ts';
import type { Db } from '../db/connection.ts';
import { AppError } from '../errors.ts';
import { formatDate, translator, type Lang } from '../i18n/messages.ts';
import type { StaffActor } from '../staff/session.ts';
import { listCases, scopesFor, type CaseFilter } from './list-cases.ts';

export const EXPORT_CAP = 50_000;

/** The columns in order, as i18n keys (`export.column.*`): the header row in the staff member's language. */
export const EXPORT_COLUMNS = [
  'export.column.reference',
  'export.column.agency',
  'export.column.kind',
  'export.column.category',
  'export.column.channel',
  'export.column.status',
  'export.column.outcome',
  'export.column.created',
  'export.column.updated',
  'export.column.due',
  'export.column.paused',
] as const;

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break, quotes doubled.
 * A value a spreadsheet would run as a formula (= + - @ tab CR first) is prefixed with `'` (OWASP
 * CSV injection); no value the platform writes starts so, this guards the future ones.
 */
export function csvField(value: string): string {
  const v = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/**
 * The cases `listCases` shows the actor for `filter` (same scope rules, same order), every page,
 * at most EXPORT_CAP rows, as CSV: UTF-8 with a byte order mark (so Excel reads Thai), CRLF line
 * ends, a header row of EXPORT_COLUMNS in `lang`, times as the pages show them (Buddhist Era,
 * Bangkok time, to the minute: formatDate) and the kind, category, channel, status and outcome as
 * their labels in `lang`, never codes. MUST NOT include content. Audited `cases_exported` with the
 * scope and row count. A scope the actor may not list is forbidden (not an empty file).
 */
export async function exportCasesCsv({
  db,
  actor,
  filter = {},
  lang,
}: {
  db: Db;
  actor: StaffActor;
  filter?: CaseFilter;
  lang: Lang;
}): Promise<string> {
  const scope = filter.scope ?? 'mine';
  if (!actor.isEnrolled || !scopesFor(actor).includes(scope))
    throw new AppError('forbidden', `scope ${scope} is not open to this user`, 'export.error.scope');
  // One more than the cap tells whether the file is cut. listCases is reused so that the export
  // cannot drift from what the inbox shows; the columns it does not return are read by reference.
  const page = await listCases({ db, actor, ...filter, scope, page: 1, pageSize: EXPORT_CAP + 1 });
  const isCapped = page.items.length > EXPORT_CAP;
  const items = page.items.slice(0, EXPORT_CAP);
  const extra = new Map<string, { code: string; outcome: string | null; paused_at: Date | null }>();
  if (items.length > 0) {
    const rows = await db
      .selectFrom('report_case as c')
      .innerJoin('agency as a', 'a.id', 'c.agency_id')
      .select(['c.reference', 'a.code', 'c.outcome', 'c.paused_at'])
      .where(sql<boolean>`c.reference = any(${items.map((i) => i.reference)}::text[])`)
      .execute();
    for (const r of rows) extra.set(r.reference, r);
  }
  const t = translator(lang);
  const time = (d: Date | null) => (d ? formatDate(lang, d) : '');
  const lines = [EXPORT_COLUMNS.map((k) => csvField(t(k))).join(',')];
  for (const i of items) {
    const x = extra.get(i.reference);
    const outcome = x?.outcome ? t(`outcome.${x.outcome}`) : '';
    lines.push(
      [
        i.reference,
        x?.code ?? '',
        t(`kind.${i.kind}`),
        t(`category.${i.category}`),
        t(`console.channel.${i.channel}`),
        t(`status.${i.status}`),
        outcome,
        time(i.createdAt),
        time(i.updatedAt),
        time(i.dueAt),
        time(x?.paused_at ?? null),
      ]
        .map(csvField)
        .join(','),
    );
  }
  await recordAudit(db, {
    actorUserId: actor.id,
    action: 'cases_exported',
    detail: { scope, rows: items.length, ...(isCapped ? { isCapped } : {}) },
  });
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
