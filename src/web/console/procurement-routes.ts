// Procurement red flags of the signed-in user's agency (src/procurement/store.ts): the flagged
// processes and organizations, the drill-down to a process's release, and the CSV export. Who may
// read is `mayReadProcurement`; another agency's process reads like no process at all. A risk
// officer turns a flagged process into a candidate risk in one action (src/risk/flag-risk.ts).
import type { FastifyInstance } from 'fastify';
import {
  exportFlagsCsv,
  flaggedOrganizations,
  flaggedRelease,
  listFlagged,
  MAX_LISTED,
} from '../../procurement/store.ts';
import { candidateFromFlag, MAX_OCID } from '../../risk/flag-risk.ts';
import { hasRole } from '../../staff/session.ts';
import type { WebDeps } from '../deps.ts';
import { formOf, postForm, type Form } from '../form.ts';
import { sendPage } from '../render.ts';
import { requireStaff, staffOf } from '../staff-auth.ts';
import { registerHref } from './risk-routes.ts';
import { refusedForm, staffFrame } from './staff-page.ts';

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
      return releasePage(deps, f, f.query('ocid', MAX_OCID));
    });

    scope.post(`${PROCUREMENT_PATH}/process`, async (req, reply) => {
      const f = formOf(req, reply, config.isSecureCookies);
      const ocid = f.str('ocid', MAX_OCID + 1);
      return postForm(
        f,
        async () => {
          const made = await candidateFromFlag({ db, actor: staffOf(req), ocid });
          return reply.redirect(`${registerHref(made.registerId)}/risks/${made.riskId}?sent=flag`, 303);
        },
        (error, status) => releasePage(deps, f, ocid, refusedForm(f, error, 'risk', MAX_OCID + 1), status),
      );
    });
  });
}

/** One flagged process: its flags, its release, and for a risk officer the one action making a risk of it. */
async function releasePage(deps: WebDeps, f: Form, ocid: string, refused: Record<string, unknown> = {}, status = 200) {
  const actor = staffOf(f.req);
  const found = await flaggedRelease(deps.db, actor, ocid);
  return sendPage(
    f.reply,
    f,
    'staff-procurement-release',
    {
      title: f.t('procurement.release.title', { ocid: found.ocid }),
      found,
      releaseJson: JSON.stringify(found.release, null, 2),
      canMakeRisk: hasRole(actor, 'risk_officer'),
      errors: {},
      ...staffFrame(deps, f),
      ...refused,
    },
    status,
    { href: `${PROCUREMENT_PATH}/process?ocid=${encodeURIComponent(found.ocid)}` },
  );
}
