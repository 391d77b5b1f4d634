// ITA: a cycle's results with charts and CSV, and past years' scores recorded from NACC's reports.
// Adapters only: parse → one domain call (which authorizes: agency administrators and ITA assessors
// of the cycle's agency, not_found for anyone else's cycle) → render. The measures plan and the
// monitoring report are ita-measures-routes.ts.
import type { FastifyInstance } from 'fastify';
import { formatDay } from '../../cases/permit-dates.ts';
import { chartTexts, indicatorChart, yearChart } from '../../ita/charts.ts';
import { MEASURE_LIMITS } from '../../ita/measures.ts';
import { cycleResults, recordHistory, resultsCsv, type CycleResults } from '../../ita/results.ts';
import { formatScore, gradeOf } from '../../ita/score.ts';
import type { Framework } from '../../ita/types.ts';
import { hasRole } from '../../staff/session.ts';
import type { WebDeps } from '../deps.ts';
import { formOf, postForm, type Form } from '../form.ts';
import { pathId } from '../input.ts';
import { sendPage, type PageContext } from '../render.ts';
import { requireStaff, staffOf } from '../staff-auth.ts';
import { cycleHref } from './ita-routes.ts';
import { noticeOf, refusedForm, staffFrame } from './staff-page.ts';

type Params = { Params: { id: string } };

/** How many of the weakest questions the results page lists (the CSV has them all). */
const WEAKEST_QUESTIONS = 10;
/** One-time notices after a redirect (`?done=`). */
const DONE: Readonly<Record<string, string>> = {
  history: 'ita.results.done.history',
  measure: 'ita.results.done.measure',
  progress: 'ita.results.done.progress',
};

/** Helpers the views share: names in the page language, dates in the Buddhist Era, money with separators. */
export function viewHelpers(c: PageContext, f: Framework) {
  const money = new Intl.NumberFormat(c.lang === 'th' ? 'th-TH' : 'en-GB', {
    minimumFractionDigits: 2,
    maximumFractionDigits: 2,
  });
  const num = new Intl.NumberFormat(c.lang === 'th' ? 'th-TH' : 'en-GB');
  return {
    score: (h: number | null) => (h === null ? '–' : formatScore(h)),
    day: (d: string) => formatDay(c.lang, d),
    money: (s: string) => money.format(Number(s)),
    num: (n: number) => num.format(n),
    instrumentName: (code: string) => f.instruments.find((i) => i.code === code)?.name[c.lang] ?? code,
    indicatorName: (n: number) => f.indicators.find((i) => i.number === n)?.name[c.lang] ?? String(n),
    indicators: f.indicators,
  };
}

/** What every results or measures page shows besides its own data: the notice, no refusal yet, the limits, the frame. */
export function resultsPageCommon(deps: WebDeps, f: Form) {
  return {
    notice: noticeOf(f, 'done', DONE),
    alert: null,
    errors: {},
    form: null,
    limits: MEASURE_LIMITS,
    ...staffFrame(deps, f),
  };
}

/** The results page's data beyond the domain's: charts, answer labels and notices. */
function resultsView(c: PageContext, r: CycleResults) {
  const f = r.cycle.framework;
  const h = viewHelpers(c, f);
  const texts = chartTexts(c.t);
  const answerLabel = (questionId: string, answer: number) => {
    const q = f.questions.find((x) => x.id === questionId);
    const s = q ? f.scales[q.scale] : undefined;
    if (s?.kind === 'levels') return s.labels[answer - 1]?.[c.lang] ?? String(answer);
    if (s?.kind === 'yesno') return (answer === 1 ? s.labels.yes : s.labels.no)[c.lang];
    return String(answer);
  };
  return {
    ...h,
    r,
    passMark: f.passMark,
    grade: (score: number | null) => (score === null ? null : gradeOf(f, score)),
    // Lowest first; indicators without a score (none yet, or withheld) after them, in framework order.
    indicatorRows: [...r.weakestIndicators, ...r.score.indicators.filter((i) => i.score === null)],
    hiddenInstruments: new Set(r.disclosure.filter((d) => !d.isDisclosed).map((d) => d.instrument as string)),
    weakestQuestions: r.weakestQuestions.slice(0, WEAKEST_QUESTIONS),
    questionText: (id: string) => f.questions.find((q) => q.id === id)?.text[c.lang] ?? id,
    answerLabel,
    withheld: r.disclosure.filter((d) => !d.isDisclosed),
    indicatorChart: indicatorChart({
      id: 'chart-indicators',
      title: c.t('ita.chart.indicators', { year: r.cycle.fiscalYear }),
      grades: f.grades,
      passMark: f.passMark,
      texts,
      bars: f.indicators.map((i) => ({
        label: `${i.number} ${h.indicatorName(i.number)}`,
        score: r.score.indicators.find((s) => s.number === i.number)?.score ?? null,
      })),
    }),
    yearChart: yearChart({
      id: 'chart-years',
      title: c.t('ita.chart.years'),
      texts,
      groups: r.years.map((y) => ({
        label: c.t('ita.results.year', { year: y.fiscalYear }),
        bars: (['iit', 'eit', 'oit', 'ita'] as const).map((k) => ({ label: k.toUpperCase(), score: y[k] })),
      })),
    }),
  };
}

async function showResults(
  deps: WebDeps,
  f: Form,
  cycleId: number,
  refused: Record<string, unknown> = {},
  status = 200,
) {
  const { db } = deps;
  const actor = staffOf(f.req);
  const r = await cycleResults({ db, actor, cycleId });
  return sendPage(
    f.reply,
    f,
    'staff-ita-results',
    {
      title: f.t('ita.results.title', { year: r.cycle.fiscalYear }),
      ...resultsView(f, r),
      href: cycleHref(r.cycle.id),
      canRecordHistory: hasRole(actor, 'agency_admin'),
      ...resultsPageCommon(deps, f),
      ...refused,
    },
    status,
    status === 200,
  );
}

export function itaResultsRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { config, db } = deps;

  app.register(async (scope) => {
    scope.addHook('preHandler', requireStaff(db));

    scope.get<Params>('/staff/ita/:id/results', (req, reply) =>
      showResults(deps, formOf(req, reply, config.isSecureCookies), pathId(req.params.id)),
    );

    scope.get<Params>('/staff/ita/:id/results.csv', async (req, reply) => {
      const f = formOf(req, reply, config.isSecureCookies);
      const r = await cycleResults({ db, actor: staffOf(req), cycleId: pathId(req.params.id) });
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="ita-results-${r.cycle.fiscalYear}.csv"`)
        .send(resultsCsv(r, f.lang, f.t));
    });

    scope.post<Params>('/staff/ita/:id/history', (req, reply) => {
      const f = formOf(req, reply, config.isSecureCookies);
      const cycleId = pathId(req.params.id);
      return postForm(
        f,
        async () => {
          const { fiscalYear, iit, eit, oit, ita } = f.body;
          await recordHistory({ db, actor: staffOf(req), cycleId, input: { fiscalYear, iit, eit, oit, ita } });
          return reply.redirect(`${cycleHref(cycleId)}/results?done=history`, 303);
        },
        (error, status) => showResults(deps, f, cycleId, refusedForm(f, error, 'history', 100), status),
      );
    });
  });
}
