// ITA: a cycle's measures plan (per indicator: the steps, the responsible unit, the period and the
// budget), each measure's six- and twelve-month progress, and the monitoring report as a PDF.
// Adapters only: parse → one domain call (which authorizes: agency administrators and ITA assessors
// of the cycle's agency, not_found for anyone else's cycle) → render.
import type { FastifyInstance } from 'fastify';
import { isLang, translator, type Lang } from '../../i18n/messages.ts';
import {
  listMeasures,
  loadMeasure,
  MEASURE_LIMITS,
  ROUNDS,
  saveMeasure,
  saveProgress,
  type Measure,
  type MeasureInput,
  type ProgressInput,
} from '../../ita/measures.ts';
import { monitoringReportPdf } from '../../ita/monitoring-report.ts';
import type { WebDeps } from '../deps.ts';
import { actOnForm, formOf, postForm, type Form } from '../form.ts';
import { pathId } from '../input.ts';
import { LANG_COOKIE, sendPage } from '../render.ts';
import { requireStaff, staffOf } from '../staff-auth.ts';
import { resultsPageCommon, viewHelpers } from './ita-results-routes.ts';
import { cycleHref } from './ita-routes.ts';
import { refusedForm } from './staff-page.ts';

type Params = { Params: { id: string } };
type MeasureParams = { Params: { id: string; mid: string } };
type Refused = Record<string, unknown>;

/** The longest text a refused measure or progress form gives back (the longest field's limit). */
const MAX_TYPED = Math.max(MEASURE_LIMITS.steps, MEASURE_LIMITS.progress) + 1;

/** The measure form's fields as the domain reads them (unknown: it checks each). */
function measureInput({ body: b }: Form): MeasureInput {
  const { indicator, title, objective, steps, responsibleUnit, startsOn, endsOn, budget } = b;
  return { indicator, title, objective, steps, responsibleUnit, startsOn, endsOn, budget };
}

/** A progress form's fields as the domain reads them. */
function progressInput({ body: b }: Form): ProgressInput {
  const { progress, percent, budgetUsed, problems, suggestions } = b;
  return { progress, percent, budgetUsed, problems, suggestions };
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

async function showMeasures(deps: WebDeps, f: Form, cycleId: number, refused: Refused = {}, status = 200) {
  const { db } = deps;
  const { cycle, measures } = await listMeasures({ db, actor: staffOf(f.req), cycleId });
  return sendPage(
    f.reply,
    f,
    'staff-ita-measures',
    {
      title: f.t('ita.measures.title', { year: cycle.fiscalYear }),
      ...viewHelpers(f, cycle.framework),
      cycle,
      byIndicator: cycle.framework.indicators
        .map((i) => ({ number: i.number, measures: measures.filter((m) => m.indicator === i.number) }))
        .filter((g) => g.measures.length > 0),
      href: cycleHref(cycle.id),
      ...resultsPageCommon(deps, f),
      ...refused,
    },
    status,
    status === 200,
  );
}

async function showMeasure(
  deps: WebDeps,
  f: Form,
  cycleId: number,
  measureId: number,
  refused: Refused = {},
  status = 200,
) {
  const { db } = deps;
  const { cycle, measure } = await loadMeasure({ db, actor: staffOf(f.req), cycleId, measureId });
  return sendPage(
    f.reply,
    f,
    'staff-ita-measure',
    {
      title: measure.title,
      ...viewHelpers(f, cycle.framework),
      cycle,
      measure,
      rounds: ROUNDS,
      progressOf: (round: number) => measure.progress.find((p) => p.round === round) ?? null,
      saved: measureForm(measure),
      href: cycleHref(cycle.id),
      measureHref: `${cycleHref(cycle.id)}/measures/${measure.id}`,
      ...resultsPageCommon(deps, f),
      ...refused,
    },
    status,
    status === 200,
  );
}

/** The report form; `lang` is the page's (a refused report's query names the report's language, not the page's). */
async function showReport(deps: WebDeps, f: Form, cycleId: number, refused: Refused = {}, status = 200) {
  const { db } = deps;
  const { cycle, measures } = await listMeasures({ db, actor: staffOf(f.req), cycleId });
  return sendPage(
    f.reply,
    f,
    'staff-ita-report',
    {
      title: f.t('ita.report.title', { year: cycle.fiscalYear }),
      cycle,
      measureCount: measures.length,
      rounds: ROUNDS,
      href: cycleHref(cycle.id),
      ...resultsPageCommon(deps, f),
      ...refused,
    },
    status,
    status === 200,
  );
}

export function itaMeasuresRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { config, db } = deps;
  const form = (req: Parameters<typeof formOf>[0], reply: Parameters<typeof formOf>[1]) =>
    formOf(req, reply, config.isSecureCookies);

  app.register(async (scope) => {
    scope.addHook('preHandler', requireStaff(db));

    scope.get<Params>('/staff/ita/:id/measures', (req, reply) =>
      showMeasures(deps, form(req, reply), pathId(req.params.id)),
    );
    scope.post<Params>('/staff/ita/:id/measures', (req, reply) => {
      const f = form(req, reply);
      const cycleId = pathId(req.params.id);
      return postForm(
        f,
        async () => {
          const id = await saveMeasure({ db, actor: staffOf(req), cycleId, input: measureInput(f) });
          return reply.redirect(`${cycleHref(cycleId)}/measures/${id}?done=measure`, 303);
        },
        (error, status) => showMeasures(deps, f, cycleId, refusedForm(f, error, 'measure', MAX_TYPED), status),
      );
    });

    scope.get<MeasureParams>('/staff/ita/:id/measures/:mid', (req, reply) =>
      showMeasure(deps, form(req, reply), pathId(req.params.id), pathId(req.params.mid)),
    );
    scope.post<MeasureParams>('/staff/ita/:id/measures/:mid', (req, reply) => {
      const f = form(req, reply);
      const [cycleId, measureId] = [pathId(req.params.id), pathId(req.params.mid)];
      return postForm(
        f,
        async () => {
          const input = measureInput(f);
          const id = await saveMeasure({ db, actor: staffOf(req), cycleId, measureId, input });
          return reply.redirect(`${cycleHref(cycleId)}/measures/${id}?done=measure`, 303);
        },
        (error, status) =>
          showMeasure(deps, f, cycleId, measureId, refusedForm(f, error, 'measure', MAX_TYPED), status),
      );
    });
    scope.post<MeasureParams>('/staff/ita/:id/measures/:mid/progress', (req, reply) => {
      const f = form(req, reply);
      const [cycleId, measureId] = [pathId(req.params.id), pathId(req.params.mid)];
      const round = f.body.round;
      return postForm(
        f,
        async () => {
          await saveProgress({ db, actor: staffOf(req), cycleId, measureId, round, input: progressInput(f) });
          return reply.redirect(`${cycleHref(cycleId)}/measures/${measureId}?done=progress`, 303);
        },
        (error, status) => {
          const name = `progress-${f.str('round', 3)}`;
          return showMeasure(deps, f, cycleId, measureId, refusedForm(f, error, name, MAX_TYPED), status);
        },
      );
    });

    scope.get<Params>('/staff/ita/:id/report', (req, reply) =>
      showReport(deps, form(req, reply), pathId(req.params.id)),
    );
    scope.get<Params>('/staff/ita/:id/report.pdf', async (req, reply) => {
      const cycleId = pathId(req.params.id);
      const query = (req.query ?? {}) as Record<string, unknown>;
      // The query's `lang` is the report's language, not the page's: a refused report's page keeps the cookie's.
      const cookie = req.cookies[LANG_COOKIE];
      const lang: Lang = isLang(cookie) ? cookie : 'th';
      const f = {
        ...formOf(req, reply, config.isSecureCookies, { lang, t: translator(lang), side: 'staff' }),
        body: query,
      };
      return actOnForm(
        f,
        async () => {
          const { fileName, pdf } = await monitoringReportPdf({ db, actor: staffOf(req), cycleId, query });
          return reply
            .type('application/pdf')
            .header('content-disposition', `attachment; filename="${fileName}"`)
            .send(pdf);
        },
        (error, status) => showReport(deps, f, cycleId, refusedForm(f, error, 'report', 20), status),
      );
    });
  });
}
