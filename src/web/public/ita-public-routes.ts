// ITA: the public results pages, published cycles only: every agency's latest results (/ita), one
// agency's years with charts (/ita/:agencyCode) and the CSV (/ita.csv). For anyone, like /figures
// and the reporter side: nothing is logged, no address or agent is read, no script; the results
// are computed at most once a minute per server (publishedResults).
import type { FastifyInstance } from 'fastify';
import { chartTexts, indicatorChart, yearChart } from '../../ita/charts.ts';
import {
  publicYearOf,
  publishedAgency,
  publishedCsv,
  publishedList,
  publishedResults,
  type PublishedAgency,
} from '../../ita/publish.ts';
import { formatScore } from '../../ita/score.ts';
import type { WebDeps } from '../deps.ts';
import { pageContext, sendPage, type PageContext } from '../render.ts';

type CodeParams = { Params: { agencyCode: string } };

/** The public address of an agency's results. */
export const itaAgencyPath = (code: string): string => `/ita/${encodeURIComponent(code)}`;

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
    const { rows, years } = publishedList(await publishedResults({ db }), fy, c.lang);
    const shown = rows.map((r) => ({ name: nameOf(r.agency, c), href: itaAgencyPath(r.agency.code), year: r.year }));
    return sendPage(
      reply,
      c,
      'ita-public',
      { title: c.t('ita.public.title'), rows: shown, years, fy, score },
      200,
      true,
    );
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
    const a = await publishedAgency({ db, code: req.params.agencyCode });
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
