// The reporter side: every page and API operation a reporter, a witness, a survey respondent or the
// public reaches, as one encapsulated plugin (SecureDrop's source_app). It writes no request log:
// no line per request, no address, no path, no time. Errors are logged by their code only
// (errors.ts). Its pages use the reporter layout and the reporter's CSRF cookie (csrf.ts).
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sql } from 'kysely';
import { apiRoutes } from './api/routes.ts';
import { lineRoutes } from './channels/line-routes.ts';
import type { WebDeps } from './deps.ts';
import { errorHandler, notFoundHandler } from './errors.ts';
import { isOnionRequest } from './onion.ts';
import { figuresRoutes } from './public/figures-routes.ts';
import { declarationSummaryRoutes } from './public/declaration-summary-routes.ts';
import { dataRoutes } from './public/data-routes.ts';
import { scorecardRoutes } from './public/scorecard-routes.ts';
import { itaPublicRoutes } from './public/ita-public-routes.ts';
import { logRoutes } from './public/log-routes.ts';
import { pageContext, sendPage } from './render.ts';
import { certificateRoutes } from './reporter/certificate-routes.ts';
import { complaintRoutes } from './reporter/complaint-routes.ts';
import { followupRoutes } from './reporter/followup-routes.ts';
import { itaSurveyRoutes } from './reporter/ita-survey-routes.ts';
import { reporterRoutes } from './reporter/routes.ts';
import { receiptRoutes } from './reporter/receipt-routes.ts';
import { witnessRoutes } from './reporter/witness-routes.ts';
import { privacyRoutes } from './public/privacy-routes.ts';
import { certificateVerifyRoutes } from './public/certificate-verify-routes.ts';

/** The reporter's error page: the public layout, a link to the home page. */
export function reporterErrorPage(
  req: FastifyRequest,
  reply: FastifyReply,
  messageKey: string,
  status: number,
): FastifyReply {
  const c = pageContext(req, reply);
  return sendPage(reply, c, 'error', { title: c.t('error.title'), message: c.t(messageKey) }, status, {
    relative: true,
  });
}

/** What /readyz checks: the database answers with a ledger in it, and this process loaded the ledger's key. */
async function readiness(deps: WebDeps): Promise<{ database: boolean; ledger: boolean }> {
  try {
    const state = await deps.db.selectFrom('ledger_state').select('tree_size').executeTakeFirst();
    return { database: true, ledger: state !== undefined && deps.ledgerVkey() !== null };
  } catch {
    return { database: false, ledger: false };
  }
}

/**
 * The reporter side's plugin. MUST be registered encapsulated (not through fastify-plugin) so its
 * handlers and decoration stay its own; its not-found handler answers every unknown URL the staff
 * side does not claim (unknown /api/ URLs as problem+json).
 */
export async function reporterSide(app: FastifyInstance, deps: WebDeps): Promise<void> {
  app.decorateRequest('side', 'reporter');
  app.setErrorHandler(errorHandler(reporterErrorPage));
  app.setNotFoundHandler(notFoundHandler(reporterErrorPage));
  // Tor Browser offers the onion address of a page served over HTTPS that names it.
  const onionUrl = deps.config.onionUrl;
  if (onionUrl)
    app.addHook('onSend', async (req, reply) => {
      if (!isOnionRequest(req) && String(reply.getHeader('content-type') ?? '').startsWith('text/html'))
        reply.header('onion-location', `${onionUrl}${req.url}`);
    });

  await app.register(fastifyStatic, {
    root: path.join(import.meta.dirname, 'static'),
    prefix: '/static/',
    cacheControl: true,
    maxAge: 3600_000,
    index: false,
  });
  app.get('/healthz', { exposeHeadRoute: true }, async (_req, reply) => {
    await sql`select 1`.execute(deps.db);
    return reply.send({ status: 'ok' });
  });
  // Readiness: the database answers, its schema is this version's and the ledger's key is loaded.
  app.get('/readyz', { exposeHeadRoute: true }, async (_req, reply) => {
    const checks = await readiness(deps);
    return reply.code(checks.database && checks.ledger ? 200 : 503).send({
      status: checks.database && checks.ledger ? 'ready' : 'not ready',
      ...checks,
    });
  });

  reporterRoutes(app, deps);
  certificateVerifyRoutes(app, deps);
  receiptRoutes(app, deps);
  followupRoutes(app, deps);
  certificateRoutes(app, deps);
  witnessRoutes(app, deps);
  privacyRoutes(app, deps);
  complaintRoutes(app, deps);
  itaSurveyRoutes(app, deps);
  apiRoutes(app, deps, 'reporter');
  // Public pages that belong to no one: read by anyone, logged for no one.
  logRoutes(app, deps);
  figuresRoutes(app, deps);
  declarationSummaryRoutes(app, deps);
  dataRoutes(app, deps);
  scorecardRoutes(app, deps);
  itaPublicRoutes(app, deps);
  // LINE's webhook has no session, and its senders are reporters: a line per delivery, timed,
  // would pair a LINE user's messages with the log. It keeps its own problem+json error handler.
  lineRoutes(app, deps);
}
