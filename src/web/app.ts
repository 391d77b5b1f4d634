// The HTTP application: the shared plugins and hooks (cookies, bodies, security headers, no-store),
// the answers made before routing, and the two sides, each an encapsulated plugin with its own
// logging, error and not-found pages, CSRF cookie and layout (reporter-side.ts, staff-side.ts).
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import helmet from '@fastify/helmet';
import multipart from '@fastify/multipart';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import { MAX_FIELDS_BYTES, MAX_FILES, TEXT_LIMITS } from '../intake/limits.ts';
import { recordRequest, startHttpMetrics } from '../metrics/http.ts';
import type { WebDeps } from './deps.ts';
import { errorHandler } from './errors.ts';
import { refuseNul } from './input.ts';
import { pageContext, sendPage } from './render.ts';
import { reporterSide } from './reporter-side.ts';
import { clientErrorHandler, helmetOptions, securityHeaders } from './security-headers.ts';
import { staffSide } from './staff-side.ts';

/** Log times to the minute only: a finer time next to a reporter-side event could help identify them. */
function minuteTimestamp(): string {
  const now = new Date();
  now.setSeconds(0, 0);
  return `,"time":"${now.toISOString()}"`;
}

/** `logStream` replaces standard output as the log's destination (tests read the log from it). */
export async function buildApp(
  deps: WebDeps,
  opts: { logStream?: { write: (line: string) => void } } = {},
): Promise<FastifyInstance> {
  const helmetConfig = helmetOptions(deps.config);
  const headers = securityHeaders(helmetConfig);
  // Before routing a request belongs to no side: it gets the reporter's page (render.ts), which
  // shows nothing of the staff console.
  const beforeRouting = errorHandler((req, reply, messageKey, status) => {
    const c = pageContext(req, reply);
    return sendPage(reply, c, 'error', { title: c.t('error.title'), message: c.t(messageKey) }, status, {
      relative: true,
    });
  });

  const app = Fastify({
    logger: {
      level: deps.config.logLevel,
      timestamp: minuteTimestamp,
      // No address, port, host, agent or path is ever serialized; the staff side writes its own lines.
      serializers: { req: (req) => ({ method: req.method }), res: (res) => ({ status: res.statusCode }) },
      ...(opts.logStream ? { stream: opts.logStream } : {}),
    },
    // Fastify's own per-request lines are off everywhere; the staff side logs its own (staff-side.ts).
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: false,
    bodyLimit: MAX_FIELDS_BYTES,
    return503OnClosing: true,
    // HEAD would run a GET handler, and staff pages audit and hand keys over when they are read:
    // HEAD is offered only where a route says so (the public log, static files, /healthz).
    exposeHeadRoutes: false,
    // Errors found before routing (bad percent-encoding, an over-long parameter): no hook has run,
    // so the security headers are set here, then the answer is the usual problem or page.
    frameworkErrors: (error, req, reply) => beforeRouting(error, req, reply.headers(headers)),
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
  // Counted by route pattern (never the URL: it can carry a tracking code), for /metrics.
  startHttpMetrics();
  app.addHook('onResponse', async (req, reply) => {
    recordRequest(req.routeOptions.url, req.method, reply.statusCode, reply.elapsedTime);
  });

  // Pages may hold case content or a receipt: never stored by the browser or a proxy.
  app.addHook('onSend', async (_req, reply) => {
    // The public log sets its own caching (immutable tiles, a checkpoint for a few seconds).
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    if (reply.statusCode === 503 && !reply.hasHeader('retry-after')) reply.header('retry-after', '30');
  });

  // A NUL in any text is refused before a handler could send it to PostgreSQL.
  app.addHook('preValidation', refuseNul);
  // A safety net: every routed request has its side's handler; this one catches what has none.
  app.setErrorHandler(beforeRouting);
  // Each side is encapsulated: neither's routes, hooks, error pages nor logging reach the other.
  await app.register(reporterSide, deps);
  await app.register(staffSide, deps);
  return app;
}
