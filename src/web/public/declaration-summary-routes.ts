// The public summary of an agency's interest and asset declarations (/declarations/:agency), only
// where the agency's policy publishes it: names, positions, totals. Works without JavaScript.
import type { FastifyInstance } from 'fastify';
import { publicSummary } from '../../declarations/public-summary.ts';
import type { WebDeps } from '../deps.ts';
import { pageContext, sendPage } from '../render.ts';

export function declarationSummaryRoutes(app: FastifyInstance, deps: WebDeps): void {
  app.get<{ Params: { agency: string } }>('/declarations/:agency', async (req, reply) => {
    const c = pageContext(req, reply);
    const summary = await publicSummary(deps.db, req.params.agency);
    const nf = new Intl.NumberFormat(c.lang === 'th' ? 'th-TH' : 'en-GB', { maximumFractionDigits: 2 });
    return sendPage(
      reply,
      c,
      'declarations-public',
      {
        title: c.t('declarations.public.title', {
          agency: c.lang === 'th' ? summary.agency.nameTh : summary.agency.nameEn,
        }),
        ...summary,
        baht: (n: number) => nf.format(n),
      },
      200,
      true,
    );
  });
}
