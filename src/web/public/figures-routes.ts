// Public figures per agency, for anyone: complaints and tips received by channel and handled,
// satisfaction ratings, late permits. Counts only; like the reporter side, nothing is logged.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { complaintFigures, currentFiscalYear, figuresCsv, fiscalYearRange, type Figures } from '../../cases/figures.ts';
import { formatDay } from '../../cases/permit-dates.ts';
import { CASE_CHANNELS, COMPLAINT_OUTCOMES } from '../../db/schema.ts';
import { AppError } from '../../errors.ts';
import type { WebDeps } from '../deps.ts';
import { pageContext, sendPage } from '../render.ts';

/** Fiscal years offered in the filter: the current one and this many before it. */
export const FISCAL_YEARS_BACK = 4;
/** Fiscal years asked for by address: the current one and this many before it (a bounded set, so the cache below holds). */
export const FISCAL_YEARS_KEPT = 20;
/** The figures of a period are computed at most once a minute per server: the page is public. */
export const FIGURES_CACHE_MS = 60_000;

type Range = { fy: number | 'all'; from: string | null; to: string | null };

/**
 * The period asked for: `fy`, a Buddhist Era fiscal year among the last FISCAL_YEARS_KEPT, or
 * `all`; the current fiscal year without it. Anything else is invalid_input. Free date ranges are
 * not offered publicly: each would be a fresh scan of every case (complaintFigures takes them).
 */
export function rangeOf(query: Record<string, unknown>, now = new Date()): Range {
  const fy = typeof query.fy === 'string' ? query.fy.trim() : '';
  const current = currentFiscalYear(now);
  if (fy === 'all') return { fy: 'all', from: null, to: null };
  if (fy === '') return { fy: current, ...fiscalYearRange(current) };
  const year = /^\d{4}$/.test(fy) ? Number(fy) : NaN;
  if (!(year >= current - FISCAL_YEARS_KEPT && year <= current))
    throw new AppError('invalid_input', 'fy must be a recent Buddhist Era fiscal year or all', 'error.figures_year');
  return { fy: year, ...fiscalYearRange(year) };
}

export function figuresRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { db } = deps;
  // One computation per period and minute, shared by concurrent requests; a failure is not kept.
  const cache = new Map<string, { at: number; figures: Promise<Figures> }>();
  const load = async (req: FastifyRequest) => {
    const range = rangeOf((req.query ?? {}) as Record<string, unknown>);
    const key = String(range.fy);
    let hit = cache.get(key);
    if (!hit || Date.now() - hit.at >= FIGURES_CACHE_MS) {
      const entry = { at: Date.now(), figures: complaintFigures({ db, from: range.from, to: range.to }) };
      entry.figures.catch(() => cache.get(key) === entry && cache.delete(key));
      cache.set(key, entry);
      hit = entry;
    }
    return { range, figures: await hit.figures };
  };

  app.get('/figures', async (req, reply) => {
    const c = pageContext(req, reply);
    const { range, figures } = await load(req);
    const offered = Array.from({ length: FISCAL_YEARS_BACK + 1 }, (_, i) => currentFiscalYear() - i);
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
        years: typeof range.fy === 'number' && !offered.includes(range.fy) ? [...offered, range.fy] : offered,
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
    const { range, figures } = await load(req);
    const label = range.fy === 'all' ? 'all' : `fy${range.fy}`;
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="sujarit-figures-${label}.csv"`)
      .send(figuresCsv(figures));
  });
}
