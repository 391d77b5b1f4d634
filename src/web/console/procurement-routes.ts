// Procurement red flags of the signed-in user's agency (src/procurement/store.ts): the flagged
// processes and organizations, the drill-down to a process's release, and the CSV export. Who may
// read is `mayReadProcurement`; another agency's process reads like no process at all.
import type { FastifyInstance } from 'fastify';
import {
  exportFlagsCsv,
  flaggedOrganizations,
  flaggedRelease,
  listFlagged,
  MAX_LISTED,
} from '../../procurement/store.ts';
import type { WebDeps } from '../deps.ts';
import { formOf } from '../form.ts';
import { sendPage } from '../render.ts';
import { requireStaff, staffOf } from '../staff-auth.ts';
import { staffFrame } from './staff-page.ts';

export const PROCUREMENT_PATH = '/staff/procurement';

export function procurementRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { config, db } = deps;
  app.register(async (scope) => {
    scope.addHook('preHandler', requireStaff(db));

    scope.get(PROCUREMENT_PATH, async (req, reply) => {
      const f = formOf(req, reply, config.isSecureCookies);
      const actor = staffOf(req);
      const processes = await listFlagged(db, actor);
      const organizations = await flaggedOrganizations(db, actor);
      return sendPage(reply, f, 'staff-procurement', {
        title: f.t('procurement.title'),
        processes,
        organizations,
        maxListed: MAX_LISTED,
        ...staffFrame(deps, f),
      });
    });

    scope.get('/staff/procurement.csv', async (req, reply) => {
      const csv = await exportFlagsCsv(db, staffOf(req));
      const day = new Date().toISOString().slice(0, 10);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="sujarit-procurement-flags-${day}.csv"`)
        .send(csv);
    });

    scope.get<{ Querystring: { ocid?: string } }>(`${PROCUREMENT_PATH}/process`, async (req, reply) => {
      const f = formOf(req, reply, config.isSecureCookies);
      const found = await flaggedRelease(db, staffOf(req), f.query('ocid', 400));
      return sendPage(reply, f, 'staff-procurement-release', {
        title: f.t('procurement.release.title', { ocid: found.ocid }),
        found,
        releaseJson: JSON.stringify(found.release, null, 2),
        ...staffFrame(deps, f),
      });
    });
  });
}
