// The staff side: the console, administration, accounts, ITA management and the staff API
// operations, as one encapsulated plugin (SecureDrop's journalist_app). One log line per request,
// pages and API alike: method, path (one-time tokens cut out), status, user id, time to the
// minute. Its pages use the staff layout (the menu when signed in) and the staff CSRF cookie.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { accountRoutes } from './account/routes.ts';
import { escrowRoutes } from './admin/escrow-routes.ts';
import { roleGrantRoutes } from './admin/role-grant-routes.ts';
import { oversightRoutes } from './console/oversight-routes.ts';
import { adminRoutes } from './admin/routes.ts';
import { staffMenu } from './admin/nav.ts';
import { apiRoutes } from './api/routes.ts';
import { callerComplaintRoutes } from './console/complaint-routes.ts';
import { itaLinksRoutes } from './console/ita-links-routes.ts';
import { ethicsKbRoutes } from './console/ethics-kb-routes.ts';
import { ethicsQaRoutes } from './console/ethics-qa-routes.ts';
import { riskItemRoutes } from './console/risk-item-routes.ts';
import { riskRoutes } from './console/risk-routes.ts';
import { ethicsLearnRoutes } from './console/ethics-learn-routes.ts';
import { ethicsResultsRoutes } from './console/ethics-results-routes.ts';
import { ethicsRoutes } from './console/ethics-routes.ts';
import { declarationRoutes } from './console/declaration-routes.ts';
import { riskSignalRoutes } from './console/risk-signal-routes.ts';
import { itaMeasuresRoutes } from './console/ita-measures-routes.ts';
import { itaOitRoutes } from './console/ita-oit-routes.ts';
import { itaResultsRoutes } from './console/ita-results-routes.ts';
import { itaCycleRoutes } from './console/ita-routes.ts';
import { permitRoutes } from './console/permit-routes.ts';
import { consoleRoutes } from './console/routes.ts';
import { procurementRoutes } from './console/procurement-routes.ts';
import { spamRoutes } from './console/spam-routes.ts';
import type { WebDeps } from './deps.ts';
import { errorHandler, notFoundHandler } from './errors.ts';
import { pageContext, sendPage } from './render.ts';
import { isOnionRequest } from './onion.ts';
import { reporterErrorPage } from './reporter-side.ts';
import { logPath, STAFF_COOKIE } from './staff-auth.ts';
import { resolveStaffSession, type StaffActor } from '../staff/session.ts';

/**
 * The staff error page: the staff layout, with the menu for a signed-in user, and a link to the
 * inbox. On a page without the session hook (a not-found URL) the session is read here, read only;
 * not when the database is what failed. It carries no CSRF token (so no logout button): two
 * refusals MUST read byte for byte alike, a case of another agency exactly like a missing one.
 */
function staffErrorPage(deps: WebDeps) {
  return async (
    req: FastifyRequest,
    reply: FastifyReply,
    messageKey: string,
    status: number,
  ): Promise<FastifyReply> => {
    let actor: StaffActor | null = req.staff ?? null;
    if (!actor && status !== 503)
      actor = await resolveStaffSession({ db: deps.db, token: req.cookies[STAFF_COOKIE] }).catch(() => null);
    const c = pageContext(req, reply);
    const menu = actor?.isEnrolled ? staffMenu(actor, deps.staffNav) : {};
    const data = { title: c.t('error.title'), message: c.t(messageKey), ...menu };
    return sendPage(reply, c, 'error', data, status, { relative: true });
  };
}

/**
 * The staff side's plugin. MUST be registered encapsulated (not through fastify-plugin): its log
 * hook, error handler and decoration apply to its own routes only. Unknown URLs under /staff get
 * its not-found page (the one place a path names the side: Fastify routes not-found by prefix).
 */
export async function staffSide(app: FastifyInstance, deps: WebDeps): Promise<void> {
  app.decorateRequest('side', 'staff');
  // The onion address serves reporters only: there a staff URL is an unknown reporter URL.
  const unknownToReporters = notFoundHandler(reporterErrorPage);
  app.addHook('onRequest', async (req, reply) => {
    if (!isOnionRequest(req)) return;
    req.side = 'reporter';
    return unknownToReporters(req, reply);
  });
  app.addHook('onResponse', async (req, reply) => {
    if (isOnionRequest(req)) return; // refused as a reporter's unknown URL, and unlogged like one
    req.log.info(
      { method: req.method, path: logPath(req.url), status: reply.statusCode, user: req.staff?.id },
      'staff request',
    );
  });
  const page = staffErrorPage(deps);
  app.setErrorHandler(errorHandler(page));
  await app.register(async (staffPaths) => staffPaths.setNotFoundHandler(notFoundHandler(page)), { prefix: '/staff' });

  consoleRoutes(app, deps);
  accountRoutes(app, deps);
  adminRoutes(app, deps);
  escrowRoutes(app, deps);
  roleGrantRoutes(app, deps);
  oversightRoutes(app, deps);
  callerComplaintRoutes(app, deps);
  permitRoutes(app, deps);
  spamRoutes(app, deps);
  itaCycleRoutes(app, deps);
  itaOitRoutes(app, deps);
  itaResultsRoutes(app, deps);
  itaMeasuresRoutes(app, deps);
  itaLinksRoutes(app, deps);
  procurementRoutes(app, deps);
  riskRoutes(app, deps);
  riskItemRoutes(app, deps);
  ethicsQaRoutes(app, deps);
  ethicsKbRoutes(app, deps);
  riskSignalRoutes(app, deps);
  ethicsRoutes(app, deps);
  ethicsLearnRoutes(app, deps);
  ethicsResultsRoutes(app, deps);
  declarationRoutes(app, deps);
  apiRoutes(app, deps, 'staff');
}
