// The results of the agency's ethics courses (ethics officers): rates, learning gain per course and
// per person, item analysis per item, and the CSV export (audited). Other roles get 403.
import type { FastifyInstance } from 'fastify';
import { courseResults, resultsCsv } from '../../ethics/results.ts';
import type { WebDeps } from '../deps.ts';
import { formOf } from '../form.ts';
import { sendPage } from '../render.ts';
import { requireRole, requireStaff, staffOf } from '../staff-auth.ts';
import { ETHICS_PATH } from './ethics-routes.ts';
import { staffFrame } from './staff-page.ts';

const RESULTS_PATH = `${ETHICS_PATH}/results`;

export function ethicsResultsRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { config, db } = deps;
  app.register(async (scope) => {
    scope.addHook('preHandler', requireStaff(db));
    scope.addHook('preHandler', async (req) => {
      requireRole(req, 'ethics_officer');
    });
    scope.get(RESULTS_PATH, async (req, reply) => {
      const f = formOf(req, reply, config.isSecureCookies);
      const results = await courseResults(db, staffOf(req));
      const pct = (v: number | null, digits = 2) => (v === null ? '–' : v.toFixed(digits));
      return sendPage(reply, f, 'staff-ethics-results', {
        title: f.t('ethics.results'),
        results,
        pct,
        notice: null,
        ...staffFrame(deps, f),
      });
    });
    scope.get(`${RESULTS_PATH}.csv`, async (req, reply) => {
      const csv = await resultsCsv(db, staffOf(req));
      return reply
        .type('text/csv; charset=utf-8')
        .header('cache-control', 'no-store')
        .header('content-disposition', 'attachment; filename="ethics-results.csv"')
        .send(csv);
    });
  });
}
