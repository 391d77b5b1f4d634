// The national oversight console: every agency the overseer was granted at a glance (filters by
// ministry, province and type), one agency's metadata, the CSV, and the cross-agency six-month
// monitoring report as a PDF (seed 003). Counts and plans only, never a case.
import type { FastifyInstance } from 'fastify';
import { currentFiscalYear } from '../../cases/figures.ts';
import { AppError } from '../../errors.ts';
import {
  crossAgencyReportPdf,
  filterOf,
  overseenAgencies,
  overseenAgency,
  oversightCsv,
  riskKey,
} from '../../opendata/oversight.ts';
import { pageRoute, sendStaffPage, withRole } from '../admin/page.ts';
import type { WebDeps } from '../deps.ts';
import type { Form } from '../form.ts';
import { requireStaff } from '../staff-auth.ts';

const PATH = '/staff/oversight';
/** Agencies a page of the glance shows (its figures read every case of 12 months of each). */
const PER_PAGE = 50;

/** `fy` of the query: a Buddhist Era year near today's, else the current one. */
function fiscalYearOf(f: Form): number {
  const fy = Number(f.query('fy', 4));
  const now = currentFiscalYear();
  return Number.isInteger(fy) && fy >= now - 10 && fy <= now + 1 ? fy : now;
}

const pct = (n: number, d: number) => (d === 0 ? null : Math.round((n * 1000) / d) / 10);

export function oversightRoutes(app: FastifyInstance, deps: WebDeps): void {
  app.register(async (scope) => {
    scope.addHook('preHandler', requireStaff(deps.db));
    scopedRoutes(scope, deps);
  });
}

function scopedRoutes(app: FastifyInstance, deps: WebDeps): void {
  const overseer = withRole('overseer');
  pageRoute(app, deps, PATH, overseer, async (f, actor) => {
    const filter = filterOf(f.req.query as Record<string, unknown>);
    const fiscalYear = fiscalYearOf(f);
    const asked = Math.max(1, Math.min(10_000, Number.parseInt(f.query('page', 6), 10) || 1));
    const { agencies, choices, total, offset } = await overseenAgencies({
      db: deps.db,
      actor,
      filter,
      fiscalYear,
      page: { offset: (asked - 1) * PER_PAGE, limit: PER_PAGE },
    });
    const page = offset / PER_PAGE + 1;
    const pages = Math.max(1, Math.ceil(total / PER_PAGE));
    const query = new URLSearchParams({
      fy: String(fiscalYear),
      ...(filter.ministry ? { ministry: filter.ministry } : {}),
      ...(filter.province ? { province: filter.province } : {}),
      ...(filter.agencyType ? { type: filter.agencyType } : {}),
    }).toString();
    return sendStaffPage(f, deps, actor, 'staff-oversight', {
      title: f.t('oversight.title'),
      agencies,
      choices,
      filter,
      fiscalYear,
      years: [fiscalYear - 1, fiscalYear, fiscalYear + 1].filter((y) => y <= currentFiscalYear() + 1),
      query,
      pct,
      riskKey,
      total,
      page,
      pages,
      prev: page > 1 ? `${PATH}?${query}&page=${page - 1}` : null,
      next: page < pages ? `${PATH}?${query}&page=${page + 1}` : null,
    });
  });

  app.get(`${PATH}.csv`, async (req, reply) => {
    const actor = overseer(req);
    const q = req.query as Record<string, unknown>;
    const fy = Number(q.fy);
    const fiscalYear = Number.isInteger(fy) && Math.abs(fy - currentFiscalYear()) <= 10 ? fy : currentFiscalYear();
    const { agencies } = await overseenAgencies({ db: deps.db, actor, filter: filterOf(q), fiscalYear });
    const lang = q.lang === 'en' ? 'en' : 'th';
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="oversight-${fiscalYear}.csv"`)
      .send(await oversightCsv({ db: deps.db, actor, agencies, lang }));
  });

  app.get(`${PATH}/report.pdf`, async (req, reply) => {
    const actor = overseer(req);
    const q = req.query as Record<string, unknown>;
    const round = q.round === '12' ? 12 : q.round === '6' || q.round === undefined ? 6 : null;
    const fy = Number(q.fy);
    if (round === null || !Number.isInteger(fy) || Math.abs(fy - currentFiscalYear()) > 10)
      throw new AppError('invalid_input', 'fy and round (6 or 12) are required', 'error.bad_request');
    const lang = q.lang === 'en' ? 'en' : 'th';
    const body = typeof q.body === 'string' ? q.body.slice(0, 200) : '';
    const pdf = await crossAgencyReportPdf({
      db: deps.db,
      actor,
      filter: filterOf(q),
      fiscalYear: fy,
      round,
      lang,
      body,
    });
    return reply
      .type('application/pdf')
      .header('content-disposition', `attachment; filename="oversight-monitoring-${fy}-${round}m.pdf"`)
      .send(pdf);
  });

  pageRoute(app, deps, `${PATH}/agencies/:code`, overseer, async (f, actor) => {
    const code = (f.req.params as { code: string }).code.slice(0, 40);
    const fiscalYear = fiscalYearOf(f);
    const view = await overseenAgency({ db: deps.db, actor, code, fiscalYear });
    return sendStaffPage(f, deps, actor, 'staff-oversight-agency', {
      title: view.glance.name[f.lang],
      ...view,
      fiscalYear,
      pct,
      riskKey,
    });
  });
}
