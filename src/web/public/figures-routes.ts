// Public figures per agency, for anyone: complaints and tips received by channel and handled,
// satisfaction ratings, late permits. Counts only; like the reporter side, nothing is logged.
import type { FastifyInstance } from 'fastify';
import { figuresCsv, offeredYears, publicFigures } from '../../cases/figures.ts';
import { formatDay } from '../../cases/permit-dates.ts';
import { CASE_CHANNELS, COMPLAINT_OUTCOMES } from '../../db/schema.ts';
import type { WebDeps } from '../deps.ts';
import { pageContext, sendPage } from '../render.ts';

export function figuresRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { db } = deps;
  app.get('/figures', async (req, reply) => {
    const c = pageContext(req, reply);
    const { range, figures } = await publicFigures({ db, query: (req.query ?? {}) as Record<string, unknown> });
    const nf = new Intl.NumberFormat(c.lang === 'th' ? 'th-TH' : 'en-GB');
    const mean = new Intl.NumberFormat(c.lang === 'th' ? 'th-TH' : 'en-GB', {
      minimumFractionDigits: 2,
      maximumFractionDigits: 2,
    });
    // Only the channels anything came through, so the tables stay readable on a phone.
    const channels = CASE_CHANNELS.filter(
      (ch) => figures.total.complaints.byChannel[ch] + figures.total.tips.byChannel[ch] > 0,
    );
    return sendPage(
      reply,
      c,
      'figures',
      {
        title: c.t('figures.title'),
        figures,
        range,
        years: offeredYears(range),
        channels,
        outcomes: COMPLAINT_OUTCOMES,
        num: (n: number) => nf.format(n),
        mean: (n: number | null) => (n === null ? '–' : mean.format(n)),
        day: (d: string) => formatDay(c.lang, d),
        csvHref: `/figures.csv?fy=${range.fy}`,
      },
      200,
      true,
    );
  });

  app.get('/figures.csv', async (req, reply) => {
    const { range, figures } = await publicFigures({ db, query: (req.query ?? {}) as Record<string, unknown> });
    const label = range.fy === 'all' ? 'all' : `fy${range.fy}`;
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="sujarit-figures-${label}.csv"`)
      .send(figuresCsv(figures));
  });
}
