// ITA: the public results pages, published cycles only: every agency's latest results (/ita), one
// agency's years with charts (/ita/:agencyCode) and the CSV (/ita.csv). For anyone, like /figures
// and the reporter side: nothing is logged, no address or agent is read, no script; the results
// are computed at most once a minute per server (publishedResults).
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../errors.ts';
import { chartTexts, indicatorChart, yearChart } from '../../ita/charts.ts';
import { publishedCsv, publishedResults, type PublishedAgency, type PublicYear } from '../../ita/publish.ts';
import { formatScore } from '../../ita/score.ts';
import type { WebDeps } from '../deps.ts';
import { pageContext, sendPage, type PageContext } from '../render.ts';

type CodeParams = { Params: { agencyCode: string } };

/** The public address of an agency's results. */
export const itaAgencyPath = (code: string): string => `/ita/${encodeURIComponent(code)}`;

/**
 * The fiscal year asked for by `?fy=`: a Buddhist Era year, or null (each agency's latest) when
 * absent or empty; anything else is invalid_input. Only years in the published results are
 * looked up, so no value reaches the database.
 */
export function publicYearOf(query: Record<string, unknown>): number | null {
  const fy = typeof query.fy === 'string' ? query.fy.trim() : '';
  if (fy === '') return null;
  if (!/^\d{4}$/.test(fy) || Number(fy) < 2500 || Number(fy) > 2800)
    throw new AppError('invalid_input', 'fy must be a Buddhist Era fiscal year', 'ita.public.error.fy');
  return Number(fy);
}

const nameOf = (a: PublishedAgency, c: PageContext) => a.name[c.lang];

/**
 * Registers GET /ita, /ita.csv and /ita/:agencyCode. MUST show published cycles only, and of them
 * only instrument and indicator scores with the disclosure rule applied; MUST NOT log or read the
 * client's address or agent. An unknown agency and one with nothing published are the same 404.
 */
export function itaPublicRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { db } = deps;
  const score = (h: number | null) => (h === null ? '–' : formatScore(h));

  app.get('/ita', async (req, reply) => {
    const c = pageContext(req, reply);
    const fy = publicYearOf((req.query ?? {}) as Record<string, unknown>);
    const agencies = await publishedResults({ db });
    // Each agency's newest published cycle, or its published cycle of the year asked for.
    const rowOf = (a: PublishedAgency): PublicYear | undefined =>
      a.years.filter((y) => y.source === 'cycle' && (fy === null || y.fiscalYear === fy)).at(-1);
    const rows = agencies
      .flatMap((a) => {
        const year = rowOf(a);
        return year ? [{ name: nameOf(a, c), href: itaAgencyPath(a.code), year }] : [];
      })
      .sort((x, y) => x.name.localeCompare(y.name, c.lang));
    const years = [
      ...new Set(agencies.flatMap((a) => a.years.filter((y) => y.source === 'cycle').map((y) => y.fiscalYear))),
    ].sort((a, b) => b - a);
    return sendPage(reply, c, 'ita-public', { title: c.t('ita.public.title'), rows, years, fy, score }, 200, true);
  });

  app.get('/ita.csv', async (req, reply) => {
    const c = pageContext(req, reply);
    const csv = publishedCsv(await publishedResults({ db }), c.lang, c.t);
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', 'attachment; filename="sujarit-ita.csv"')
      .send(csv);
  });

  app.get<CodeParams>('/ita/:agencyCode', async (req, reply) => {
    const c = pageContext(req, reply);
    const a = (await publishedResults({ db })).find((x) => x.code === req.params.agencyCode);
    // An unknown agency and one with nothing published get the same answer.
    if (!a) throw new AppError('not_found', 'no published ITA results for this agency', 'error.not_found');
    const f = a.latest.framework;
    const texts = chartTexts(c.t);
    const instrumentName = (code: string) => f.instruments.find((i) => i.code === code)?.name[c.lang] ?? code;
    const indicatorName = (n: number) => f.indicators.find((i) => i.number === n)?.name[c.lang] ?? String(n);
    const name = nameOf(a, c);
    return sendPage(
      reply,
      c,
      'ita-public-agency',
      {
        title: c.t('ita.public.agency_title', { name }),
        name,
        a,
        latest: a.latest,
        score,
        instrumentName,
        indicatorName,
        passMark: f.passMark,
        yearChart: yearChart({
          id: 'chart-years',
          title: c.t('ita.chart.years'),
          texts,
          groups: a.years.map((y) => ({
            label: c.t('ita.results.year', { year: y.fiscalYear }),
            bars: (['iit', 'eit', 'oit', 'ita'] as const).map((k) => ({ label: k.toUpperCase(), score: y[k] })),
          })),
        }),
        indicatorChart: indicatorChart({
          id: 'chart-indicators',
          title: c.t('ita.chart.indicators', { year: a.latest.fiscalYear }),
          grades: f.grades,
          passMark: f.passMark,
          texts,
          bars: a.latest.indicators.map((i) => ({ label: `${i.number} ${indicatorName(i.number)}`, score: i.score })),
        }),
      },
      200,
      true,
    );
  });
}
