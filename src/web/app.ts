// The HTTP application: plugins, security headers, error mapping and the three route trees.
import path from 'node:path';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import helmet from '@fastify/helmet';
import multipart from '@fastify/multipart';
import fastifyStatic from '@fastify/static';
import { logPath } from './staff-auth.ts';
import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { sql } from 'kysely';
import { AppError } from '../errors.ts';
import { MAX_FIELDS_BYTES, MAX_FILES, TEXT_LIMITS } from '../intake/limits.ts';
import { accountRoutes } from './account/routes.ts';
import { adminRoutes } from './admin/routes.ts';
import { escrowRoutes } from './admin/escrow-routes.ts';
import { roleGrantRoutes } from './admin/role-grant-routes.ts';
import { apiRoutes } from './api/routes.ts';
import { consoleRoutes } from './console/routes.ts';
import type { WebDeps } from './deps.ts';
import { isApiRequest, isDatabaseInputError, replyStatus, sendProblem, toAppError } from './errors.ts';
import { refuseNul } from './input.ts';
import { clientErrorHandler, helmetOptions, securityHeaders } from './security-headers.ts';
import { pageContext, sendPage } from './render.ts';
import { reporterRoutes } from './reporter/routes.ts';
import { receiptRoutes } from './reporter/receipt-routes.ts';
import { logRoutes } from './public/log-routes.ts';
import { complaintRoutes } from './reporter/complaint-routes.ts';
import { callerComplaintRoutes } from './console/complaint-routes.ts';
import { permitRoutes } from './console/permit-routes.ts';
import { spamRoutes } from './console/spam-routes.ts';
import { figuresRoutes } from './public/figures-routes.ts';
import { lineRoutes } from './channels/line-routes.ts';
import { itaSurveyRoutes } from './reporter/ita-survey-routes.ts';
import { itaCycleRoutes } from './console/ita-routes.ts';
import { itaResultsRoutes } from './console/ita-results-routes.ts';
import { itaPublicRoutes } from './public/ita-public-routes.ts';
import { privacyRoutes } from './public/privacy-routes.ts';

/** Log times to the minute only: a finer time next to a reporter-side event could help identify them. */
function minuteTimestamp(): string {
  const now = new Date();
  now.setSeconds(0, 0);
  return `,"time":"${now.toISOString()}"`;
}

export async function buildApp(deps: WebDeps): Promise<FastifyInstance> {
  const helmetConfig = helmetOptions(deps.config);
  const headers = securityHeaders(helmetConfig);

  /** The one error answer: problem+json for the API, a page for people. */
  const sendError = (error: unknown, req: FastifyRequest, reply: FastifyReply) => {
    const e = toAppError(error);
    if (!e) req.log.error({ err: { message: (error as Error).message, code: (error as { code?: string }).code } }, 'unhandled error');
    else if (e.code === 'unavailable') req.log.warn('database unavailable');
    else if (isDatabaseInputError(error)) req.log.warn({ err: { code: (error as { code?: string }).code } }, 'invalid input reached the database');
    if (isApiRequest(req)) return sendProblem(reply, e);
    const c = pageContext(req, reply, req.url.startsWith('/staff') ? 'staff' : 'reporter');
    return sendPage(reply, c, 'error', { title: c.t('error.title'), message: c.t(e?.userMessage ?? 'error.internal') }, replyStatus(reply, e));
  };

  const app = Fastify({
    logger: {
      level: deps.config.logLevel,
      timestamp: minuteTimestamp,
      // No address, port, host or agent is ever serialized.
      serializers: { req: (req) => ({ method: req.method, path: String(req.url).split('?')[0].startsWith('/staff') ? logPath(String(req.url)) : '-' }), res: (res) => ({ status: res.statusCode }) },
    },
    // Fastify's own per-request lines are off everywhere; the staff tree logs its own (console/routes.ts).
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: false,
    bodyLimit: MAX_FIELDS_BYTES,
    return503OnClosing: true,
    // HEAD would run a GET handler, and staff pages audit and hand keys over when they are read:
    // HEAD is offered only where a route says so (the public log, static files, /healthz).
    exposeHeadRoutes: false,
    // Errors found before routing (bad percent-encoding, an over-long parameter): no hook has run,
    // so the security headers are set here, then the answer is the usual problem or page.
    frameworkErrors: (error, req, reply) => sendError(error, req, reply.headers(headers)),
    // Requests Node cannot parse (a header block over its limit, an unknown method) never reach Fastify.
    clientErrorHandler: clientErrorHandler(headers),
  });

  await app.register(cookie);
  await app.register(formbody, { bodyLimit: MAX_FIELDS_BYTES });
  await app.register(multipart, {
    limits: {
      fieldNameSize: 100,
      fieldSize: TEXT_LIMITS.what * 4 + 1024, // UTF-8 Thai is 3 bytes a character
      fields: 30,
      fileSize: deps.config.maxFileBytes + 1, // one byte more lets our own count see the overflow
      files: MAX_FILES + 5, // a few more, so the count of files is ours to refuse with a message
      parts: 60,
    },
    throwFileSizeLimit: false,
  });
  await app.register(helmet, helmetConfig);
  await app.register(fastifyStatic, { root: path.join(import.meta.dirname, 'static'), prefix: '/static/', cacheControl: true, maxAge: 3600_000, index: false });

  // Pages may hold case content or a receipt: never stored by the browser or a proxy.
  app.addHook('onSend', async (req, reply) => {
    // The public log sets its own caching (immutable tiles, a checkpoint for a few seconds).
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    if (reply.statusCode === 503 && !reply.hasHeader('retry-after')) reply.header('retry-after', '30');
  });

  // A NUL in any text is refused before a handler could send it to PostgreSQL.
  app.addHook('preValidation', refuseNul);
  app.setErrorHandler(sendError);
  app.setNotFoundHandler((req, reply) => {
    const e = new AppError('not_found', 'not found', 'error.not_found');
    if (isApiRequest(req)) return sendProblem(reply, e);
    const c = pageContext(req, reply, req.url.startsWith('/staff') ? 'staff' : 'reporter');
    return sendPage(reply, c, 'error', { title: c.t('error.title'), message: c.t(e.userMessage) }, 404);
  });

  app.get('/healthz', { exposeHeadRoute: true }, async (_req, reply) => {
    await sql`select 1`.execute(deps.db);
    return reply.send({ status: 'ok' });
  });

  reporterRoutes(app, deps);
  receiptRoutes(app, deps);
  consoleRoutes(app, deps);
  accountRoutes(app, deps);
  adminRoutes(app, deps);
  escrowRoutes(app, deps);
  roleGrantRoutes(app, deps);
  apiRoutes(app, deps);
  logRoutes(app, deps);
  complaintRoutes(app, deps);
  privacyRoutes(app, deps);
  callerComplaintRoutes(app, deps);
  permitRoutes(app, deps);
  spamRoutes(app, deps);
  figuresRoutes(app, deps);
  lineRoutes(app, deps);
  itaSurveyRoutes(app, deps);
  itaCycleRoutes(app, deps);
  itaResultsRoutes(app, deps);
  itaPublicRoutes(app, deps);
  return app;
}
