// The HTTP application: plugins, security headers, error mapping and the three route trees.
import path from 'node:path';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import helmet from '@fastify/helmet';
import multipart from '@fastify/multipart';
import fastifyStatic from '@fastify/static';
import { logPath } from './staff-auth.ts';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { AppError } from '../errors.ts';
import { MAX_FIELDS_BYTES, MAX_FILES, TEXT_LIMITS } from '../intake/limits.ts';
import { accountRoutes } from './account/routes.ts';
import { adminRoutes } from './admin/routes.ts';
import { escrowRoutes } from './admin/escrow-routes.ts';
import { apiRoutes } from './api/routes.ts';
import { consoleRoutes } from './console/routes.ts';
import type { WebDeps } from './deps.ts';
import { isApiRequest, replyStatus, sendProblem, toAppError } from './errors.ts';
import { pageContext, sendPage } from './render.ts';
import { reporterRoutes } from './reporter/routes.ts';
import { logRoutes } from './public/log-routes.ts';
import { complaintRoutes } from './reporter/complaint-routes.ts';
import { callerComplaintRoutes } from './console/complaint-routes.ts';
import { permitRoutes } from './console/permit-routes.ts';
import { figuresRoutes } from './public/figures-routes.ts';
import { lineRoutes } from './channels/line-routes.ts';
import { itaSurveyRoutes } from './reporter/ita-survey-routes.ts';
import { itaCycleRoutes } from './console/ita-routes.ts';
import { itaResultsRoutes } from './console/ita-results-routes.ts';
import { itaPublicRoutes } from './public/ita-public-routes.ts';

/** Log times to the minute only: a finer time next to a reporter-side event could help identify them. */
function minuteTimestamp(): string {
  const now = new Date();
  now.setSeconds(0, 0);
  return `,"time":"${now.toISOString()}"`;
}

export async function buildApp(deps: WebDeps): Promise<FastifyInstance> {
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
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'"],
        scriptSrc: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
      },
    },
    referrerPolicy: { policy: 'no-referrer' },
    crossOriginEmbedderPolicy: false,
    hsts: deps.config.isSecureCookies ? { maxAge: 31536000 } : false,
  });
  await app.register(fastifyStatic, { root: path.join(import.meta.dirname, 'static'), prefix: '/static/', cacheControl: true, maxAge: 3600_000, index: false });

  // Pages may hold case content or a receipt: never stored by the browser or a proxy.
  app.addHook('onSend', async (req, reply) => {
    // The public log sets its own caching (immutable tiles, a checkpoint for a few seconds).
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    if (reply.statusCode === 503 && !reply.hasHeader('retry-after')) reply.header('retry-after', '30');
  });

  app.setErrorHandler((error, req, reply) => {
    const app = toAppError(error);
    if (!app) req.log.error({ err: { message: (error as Error).message, code: (error as { code?: string }).code } }, 'unhandled error');
    else if (app.code === 'unavailable') req.log.warn('database unavailable');
    if (isApiRequest(req)) return sendProblem(reply, app);
    const side = req.url.startsWith('/staff') ? 'staff' : 'reporter';
    const c = pageContext(req, reply, side);
    return sendPage(reply, c, 'error', { title: c.t('error.title'), message: c.t(app?.userMessage ?? 'error.internal') }, replyStatus(reply, app));
  });
  app.setNotFoundHandler((req, reply) => {
    const e = new AppError('not_found', 'not found', 'error.not_found');
    if (isApiRequest(req)) return sendProblem(reply, e);
    const c = pageContext(req, reply, req.url.startsWith('/staff') ? 'staff' : 'reporter');
    return sendPage(reply, c, 'error', { title: c.t('error.title'), message: c.t(e.userMessage) }, 404);
  });

  app.get('/healthz', async (_req, reply) => {
    await sql`select 1`.execute(deps.db);
    return reply.send({ status: 'ok' });
  });

  reporterRoutes(app, deps);
  consoleRoutes(app, deps);
  accountRoutes(app, deps);
  adminRoutes(app, deps);
  escrowRoutes(app, deps);
  apiRoutes(app, deps);
  logRoutes(app, deps);
  complaintRoutes(app, deps);
  callerComplaintRoutes(app, deps);
  permitRoutes(app, deps);
  figuresRoutes(app, deps);
  lineRoutes(app, deps);
  itaSurveyRoutes(app, deps);
  itaCycleRoutes(app, deps);
  itaResultsRoutes(app, deps);
  itaPublicRoutes(app, deps);
  return app;
}
