// ITA: results with charts and CSV, past years' scores, the measures plan, progress and the monitoring
// report PDF. Adapters only: parse → one domain call (which authorizes: agency administrators and ITA
// assessors of the cycle's agency, not_found for anyone else's cycle) → render.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { formatDay } from '../../cases/permit-dates.ts';
import { isLang, translator, type Lang } from '../../i18n/messages.ts';
import { loadCycle } from '../../ita/cycles.ts';
import { chartTexts, indicatorChart, yearChart } from '../../ita/charts.ts';
import {
  listMeasures,
  loadMeasure,
  MEASURE_LIMITS,
  ROUNDS,
  saveMeasure,
  saveProgress,
  type Measure,
} from '../../ita/measures.ts';
import { buildMonitoringReport, parseReportOptions, reportFileName } from '../../ita/monitoring-report.ts';
import { cycleResults, recordHistory, resultsCsv, type CycleResults } from '../../ita/results.ts';
import { formatScore, gradeOf } from '../../ita/score.ts';
import type { Framework } from '../../ita/types.ts';
import { hasRole } from '../../staff/session.ts';
import { adminNav } from '../admin/routes.ts';
import { checkCsrf, csrfToken } from '../csrf.ts';
import type { WebDeps } from '../deps.ts';
import { statusOf, toAppError } from '../errors.ts';
import { pathId } from '../input.ts';
import { LANG_COOKIE, pageContext, sendPage, type PageContext } from '../render.ts';
import { requireStaff } from '../staff-auth.ts';

type Params = { Params: { id: string } };
type MeasureParams = { Params: { id: string; mid: string } };
type Extra = Record<string, unknown>;

/** How many of the weakest questions the results page lists (the CSV has them all). */
const WEAKEST_QUESTIONS = 10;
const DONE = ['history', 'measure', 'progress'] as const;

/** A path id; anything but a plain positive integer becomes NaN, which the domain answers not_found. */
/** What was typed, to show a refused form again (text only, cut to the longest field). */
const typed = (b: Record<string, unknown>) =>
  Object.fromEntries(
    Object.entries(b)
      .filter(([k, v]) => k !== '_csrf' && typeof v === 'string')
      .map(([k, v]) => [k, (v as string).slice(0, MEASURE_LIMITS.steps)]),
  );

/** Helpers the views share: names in the page language, dates in the Buddhist Era, money with separators. */
function viewHelpers(c: PageContext, f: Framework) {
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
    instrumentName: (code: string) => f.instruments.find((i) => i.code === code)?.name[c.lang as Lang] ?? code,
    indicatorName: (n: number) => f.indicators.find((i) => i.number === n)?.name[c.lang as Lang] ?? String(n),
    indicators: f.indicators,
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
        bars: [
          { label: 'IIT', score: y.iit },
          { label: 'EIT', score: y.eit },
          { label: 'OIT', score: y.oit },
          { label: 'ITA', score: y.ita },
        ],
      })),
    }),
  };
}

export function itaResultsRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { config, db } = deps;
  const base = (id: number | string) => `/staff/ita/${encodeURIComponent(String(id))}`;

  app.register(async (scope) => {
    scope.addHook('preHandler', requireStaff(db));

    const common = (req: FastifyRequest, reply: FastifyReply) => {
      const done = (req.query as Record<string, unknown>).done;
      return {
        csrf: csrfToken(req, reply, config.isSecureCookies),
        staffEmail: req.staff!.email,
        nav: (deps.staffNav ?? adminNav)(req.staff!),
        notice: DONE.includes(done as (typeof DONE)[number])
          ? pageContext(req, reply).t(`ita.results.done.${done as string}`)
          : null,
        alert: null,
        errors: null,
        form: null,
        limits: MEASURE_LIMITS,
      };
    };

    /** A form post: redirect on success; a refusal shows `page` again with the error, the fields at fault and what was typed. */
    const refusedOr = async (
      req: FastifyRequest,
      reply: FastifyReply,
      run: () => Promise<string>,
      page: (extra: Extra, status: number) => Promise<FastifyReply>,
      formName = '',
    ) => {
      const b = (req.body ?? {}) as Record<string, unknown>;
      checkCsrf(req, b._csrf);
      try {
        return reply.redirect(await run(), 303);
      } catch (e) {
        const err = toAppError(e);
        if (!err || err.code === 'not_found') throw e;
        const c = pageContext(req, reply);
        return page(
          { notice: null, alert: c.t(err.userMessage), errors: err.fields, form: { name: formName, ...typed(b) } },
          statusOf(err),
        );
      }
    };

    const showResults = async (req: FastifyRequest<Params>, reply: FastifyReply, extra: Extra = {}, status = 200) => {
      const c = pageContext(req, reply);
      const r = await cycleResults({ db, actor: req.staff!, cycleId: pathId(req.params.id) });
      return sendPage(
        reply,
        c,
        'staff-ita-results',
        {
          title: c.t('ita.results.title', { year: r.cycle.fiscalYear }),
          ...resultsView(c, r),
          href: base(r.cycle.id),
          canRecordHistory: hasRole(req.staff!, 'agency_admin'),
          ...common(req, reply),
          ...extra,
        },
        status,
        status === 200,
      );
    };

    scope.get<Params>('/staff/ita/:id/results', (req, reply) => showResults(req, reply));

    scope.get<Params>('/staff/ita/:id/results.csv', async (req, reply) => {
      const c = pageContext(req, reply);
      const r = await cycleResults({ db, actor: req.staff!, cycleId: pathId(req.params.id) });
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="ita-results-${r.cycle.fiscalYear}.csv"`)
        .send(resultsCsv(r, c.lang, c.t));
    });

    scope.post<Params>('/staff/ita/:id/history', (req, reply) =>
      refusedOr(
        req,
        reply,
        async () => {
          const b = (req.body ?? {}) as Record<string, unknown>;
          // The cycle is loaded first so that an id of another agency is not_found, like every route here.
          const cycle = await loadCycle({ db, actor: req.staff!, cycleId: pathId(req.params.id) });
          await recordHistory({
            db,
            actor: req.staff!,
            input: { fiscalYear: b.fiscalYear, iit: b.iit, eit: b.eit, oit: b.oit, ita: b.ita },
          });
          return `${base(cycle.id)}/results?done=history`;
        },
        (extra, status) => showResults(req, reply, extra, status),
        'history',
      ),
    );

    const showMeasures = async (req: FastifyRequest<Params>, reply: FastifyReply, extra: Extra = {}, status = 200) => {
      const c = pageContext(req, reply);
      const { cycle, measures } = await listMeasures({ db, actor: req.staff!, cycleId: pathId(req.params.id) });
      return sendPage(
        reply,
        c,
        'staff-ita-measures',
        {
          title: c.t('ita.measures.title', { year: cycle.fiscalYear }),
          ...viewHelpers(c, cycle.framework),
          cycle,
          byIndicator: cycle.framework.indicators
            .map((i) => ({ number: i.number, measures: measures.filter((m) => m.indicator === i.number) }))
            .filter((g) => g.measures.length > 0),
          href: base(cycle.id),
          ...common(req, reply),
          ...extra,
        },
        status,
        status === 200,
      );
    };

    scope.get<Params>('/staff/ita/:id/measures', (req, reply) => showMeasures(req, reply));
    scope.post<Params>('/staff/ita/:id/measures', (req, reply) =>
      refusedOr(
        req,
        reply,
        async () => {
          const b = (req.body ?? {}) as Record<string, unknown>;
          const id = await saveMeasure({
            db,
            actor: req.staff!,
            cycleId: pathId(req.params.id),
            input: measureInput(b),
          });
          return `${base(req.params.id)}/measures/${id}?done=measure`;
        },
        (extra, status) => showMeasures(req, reply, extra, status),
        'measure',
      ),
    );

    const showMeasure = async (
      req: FastifyRequest<MeasureParams>,
      reply: FastifyReply,
      extra: Extra = {},
      status = 200,
    ) => {
      const c = pageContext(req, reply);
      const { cycle, measure } = await loadMeasure({
        db,
        actor: req.staff!,
        cycleId: pathId(req.params.id),
        measureId: pathId(req.params.mid),
      });
      return sendPage(
        reply,
        c,
        'staff-ita-measure',
        {
          title: measure.title,
          ...viewHelpers(c, cycle.framework),
          cycle,
          measure,
          rounds: ROUNDS,
          progressOf: (round: number) => measure.progress.find((p) => p.round === round) ?? null,
          saved: measureForm(measure),
          href: base(cycle.id),
          measureHref: `${base(cycle.id)}/measures/${measure.id}`,
          ...common(req, reply),
          ...extra,
        },
        status,
        status === 200,
      );
    };

    scope.get<MeasureParams>('/staff/ita/:id/measures/:mid', (req, reply) => showMeasure(req, reply));
    scope.post<MeasureParams>('/staff/ita/:id/measures/:mid', (req, reply) =>
      refusedOr(
        req,
        reply,
        async () => {
          const b = (req.body ?? {}) as Record<string, unknown>;
          const id = await saveMeasure({
            db,
            actor: req.staff!,
            cycleId: pathId(req.params.id),
            measureId: pathId(req.params.mid),
            input: measureInput(b),
          });
          return `${base(req.params.id)}/measures/${id}?done=measure`;
        },
        (extra, status) => showMeasure(req, reply, extra, status),
        'measure',
      ),
    );
    scope.post<MeasureParams>('/staff/ita/:id/measures/:mid/progress', (req, reply) => {
      const b = (req.body ?? {}) as Record<string, unknown>;
      return refusedOr(
        req,
        reply,
        async () => {
          await saveProgress({
            db,
            actor: req.staff!,
            cycleId: pathId(req.params.id),
            measureId: pathId(req.params.mid),
            round: b.round,
            input: {
              progress: b.progress,
              percent: b.percent,
              budgetUsed: b.budgetUsed,
              problems: b.problems,
              suggestions: b.suggestions,
            },
          });
          return `${base(req.params.id)}/measures/${pathId(req.params.mid)}?done=progress`;
        },
        (extra, status) => showMeasure(req, reply, extra, status),
        `progress-${typeof b.round === 'string' ? b.round.slice(0, 3) : ''}`,
      );
    });

    const showReport = async (
      req: FastifyRequest<Params>,
      reply: FastifyReply,
      extra: Extra = {},
      status = 200,
      c = pageContext(req, reply),
    ) => {
      const { cycle, measures } = await listMeasures({ db, actor: req.staff!, cycleId: pathId(req.params.id) });
      return sendPage(
        reply,
        c,
        'staff-ita-report',
        {
          title: c.t('ita.report.title', { year: cycle.fiscalYear }),
          cycle,
          measureCount: measures.length,
          rounds: ROUNDS,
          href: base(cycle.id),
          ...common(req, reply),
          ...extra,
        },
        status,
        status === 200,
      );
    };

    scope.get<Params>('/staff/ita/:id/report', (req, reply) => showReport(req, reply));
    scope.get<Params>('/staff/ita/:id/report.pdf', async (req, reply) => {
      const q = req.query as Record<string, unknown>;
      let options: ReturnType<typeof parseReportOptions>;
      try {
        options = parseReportOptions(q);
      } catch (e) {
        const err = toAppError(e);
        if (!err) throw e;
        // The query's `lang` is the report's language here, not the page's: the page keeps the cookie's.
        const cookieLang = req.cookies[LANG_COOKIE];
        const lang: Lang = isLang(cookieLang) ? cookieLang : 'th';
        const c: PageContext = { lang, t: translator(lang), side: 'staff' };
        return showReport(
          req,
          reply,
          { alert: c.t(err.userMessage), errors: err.fields, form: typed(q) },
          statusOf(err),
          c,
        );
      }
      const report = await buildMonitoringReport({ db, actor: req.staff!, cycleId: pathId(req.params.id), ...options });
      // Loaded on the first report, not at start-up: pdfkit and its font engine take ~80 ms to import.
      const { renderMonitoringPdf } = await import('../../ita/report-pdf.ts');
      const pdf = await renderMonitoringPdf(report);
      return reply
        .type('application/pdf')
        .header('content-disposition', `attachment; filename="${reportFileName(report.fiscalYear, report.round)}"`)
        .send(pdf);
    });
  });
}

function measureInput(b: Record<string, unknown>) {
  return {
    indicator: b.indicator,
    title: b.title,
    objective: b.objective,
    steps: b.steps,
    responsibleUnit: b.responsibleUnit,
    startsOn: b.startsOn,
    endsOn: b.endsOn,
    budget: b.budget,
  };
}

/** A saved measure as the edit form's values. */
function measureForm(m: Measure): Record<string, string> {
  return {
    name: 'measure',
    indicator: String(m.indicator),
    title: m.title,
    objective: m.objective,
    steps: m.steps,
    responsibleUnit: m.responsibleUnit,
    startsOn: m.startsOn,
    endsOn: m.endsOn,
    budget: m.budget,
  };
}
