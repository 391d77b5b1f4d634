// The privacy notice, contact and about page (/privacy) and the favicon's old address. Public and on
// the reporter side: like the other reporter pages, nothing about the visitor is read or logged.
import type { FastifyInstance } from 'fastify';
import { retentionRulesOf } from '../../agencies/case-retention.ts';
import { listReportableAgencies } from '../../agencies/list-agencies.ts';
import { TICKET_HOURS } from '../../intake/filing-cost.ts';
import { REVEAL_MINUTES } from '../../intake/receipt-reveal.ts';
import { REPORTER_SESSION_MINUTES } from '../../intake/reporter-session.ts';
import type { WebDeps } from '../deps.ts';
import { pageContext, sendPage } from '../render.ts';

/** The favicon, served by @fastify/static from src/web/static. */
export const FAVICON_PATH = '/static/favicon.svg';

export function privacyRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { db, config } = deps;

  // The durations the notice states come from the code that enforces them, never from the text.
  app.get('/privacy', async (req, reply) => {
    const c = pageContext(req, reply);
    const agencies = await listReportableAgencies({ db });
    return sendPage(
      reply,
      c,
      'privacy',
      {
        title: c.t('privacy.title'),
        operator: config.operator,
        agencies,
        retention: await retentionRulesOf(
          db,
          agencies.map((a) => a.id),
        ),
        durations: { minutes: REVEAL_MINUTES, session: REPORTER_SESSION_MINUTES, hours: TICKET_HOURS },
      },
      200,
      true,
    );
  });

  // Browsers and tools still ask for /favicon.ico: send them to the SVG rather than to a 404 page.
  app.get('/favicon.ico', { exposeHeadRoute: true }, async (_req, reply) =>
    reply.header('cache-control', 'public, max-age=86400').redirect(FAVICON_PATH, 301),
  );
}
