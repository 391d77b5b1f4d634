// The monitoring report of a cycle's measures (seed 003's structure): the scores year over year and,
// per measure, the plan and its progress in the round asked for, in the language asked for.
import { bangkokToday } from '../cases/permit-dates.ts';
import type { Db } from '../db/connection.ts';
import { AppError } from '../errors.ts';
import type { StaffActor } from '../staff/session.ts';
import { listMeasures, type Round } from './measures.ts';
import { cycleResults } from './results.ts';
import type { MonitoringReport } from './types.ts';

export type ReportOptions = { round: Round; lang: 'th' | 'en'; thaiDigits: boolean };

/**
 * The report's options from a query string (`round=6|12`, `lang=th|en`, `digits=thai|arabic`);
 * invalid_input with field errors for anything else. Thai digits are the default for Thai (official
 * printed documents use them), never for English.
 */
export function parseReportOptions(q: Record<string, unknown>): ReportOptions {
  const fields: Record<string, string> = {};
  const round = q.round === '6' ? 6 : q.round === '12' ? 12 : null;
  if (round === null) fields.round = 'ita.measure.error.round';
  const lang = q.lang === 'en' ? 'en' : q.lang === 'th' || q.lang === undefined ? 'th' : null;
  if (lang === null) fields.lang = 'ita.report.error.lang';
  const digits = q.digits === undefined ? (lang === 'th' ? 'thai' : 'arabic') : q.digits;
  if (digits !== 'thai' && digits !== 'arabic') fields.digits = 'ita.report.error.digits';
  if (Object.keys(fields).length > 0)
    throw new AppError('invalid_input', 'invalid report options', 'error.form', fields);
  return { round: round!, lang: lang!, thaiDigits: digits === 'thai' && lang === 'th' };
}

/**
 * Everything the monitoring report prints for a cycle of the actor's agency (agency
 * administrators and ITA assessors; not_found across agencies): the agency's name, the scores by
 * year (oldest first, the disclosure rule applied as on the results page) and every measure with
 * its progress of `round` (null when not recorded yet). Reads only.
 */
export async function buildMonitoringReport({
  db,
  actor,
  cycleId,
  round,
  lang,
  thaiDigits,
}: { db: Db; actor: StaffActor; cycleId: number } & ReportOptions): Promise<MonitoringReport> {
  const results = await cycleResults({ db, actor, cycleId });
  const { cycle, measures } = await listMeasures({ db, actor, cycleId });
  const agency = await db
    .selectFrom('agency')
    .select(['name_th', 'name_en'])
    .where('id', '=', cycle.agencyId)
    .executeTakeFirstOrThrow();
  const indicatorName = (n: number) => cycle.framework.indicators.find((i) => i.number === n)?.name[lang] ?? String(n);
  return {
    lang,
    thaiDigits,
    agencyName: lang === 'th' ? agency.name_th : agency.name_en,
    fiscalYear: cycle.fiscalYear,
    round,
    generatedOn: bangkokToday(),
    scores: results.years.map((y) => ({
      fiscalYear: y.fiscalYear,
      iit: y.iit,
      eit: y.eit,
      oit: y.oit,
      ita: y.ita,
      grade: y.grade,
    })),
    projects: measures.map((m) => {
      const p = m.progress.find((x) => x.round === round);
      return {
        indicator: m.indicator,
        indicatorName: indicatorName(m.indicator),
        title: m.title,
        objective: m.objective,
        steps: m.steps,
        responsibleUnit: m.responsibleUnit,
        startsOn: m.startsOn,
        endsOn: m.endsOn,
        budget: m.budget,
        progress: p
          ? {
              text: p.progress,
              percent: p.percent,
              budgetUsed: p.budgetUsed,
              problems: p.problems,
              suggestions: p.suggestions,
            }
          : null,
      };
    }),
  };
}

/** The download's file name: ita-monitoring-2569-6m.pdf. */
export function reportFileName(fiscalYear: number, round: Round): string {
  return `ita-monitoring-${fiscalYear}-${round}m.pdf`;
}

/**
 * The monitoring report as a PDF file, its options read from a query string (parseReportOptions:
 * invalid_input with field errors, before anything is read), then built and rendered as
 * buildMonitoringReport allows.
 */
export async function monitoringReportPdf({
  db,
  actor,
  cycleId,
  query,
}: {
  db: Db;
  actor: StaffActor;
  cycleId: number;
  query: Record<string, unknown>;
}): Promise<{ fileName: string; pdf: Buffer }> {
  const options = parseReportOptions(query);
  const report = await buildMonitoringReport({ db, actor, cycleId, ...options });
  // Loaded on the first report, not at start-up: pdfkit and its font engine take ~80 ms to import.
  const { renderMonitoringPdf } = await import('./report-pdf.ts');
  return { fileName: reportFileName(report.fiscalYear, report.round), pdf: await renderMonitoringPdf(report) };
}
