// ITA: the IIT and EIT surveys (public side) and the staff page that issues IIT links and shows the
// EIT link and QR code. The survey pages follow the reporter side's rules: no request is logged,
// no client address or agent is read, no session; a plain form that works without JavaScript.
// Nothing a respondent sends reaches a log line or an error message: a failure logs a constant
// text and the database error code only.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import QRCode from 'qrcode';
import { AppError } from '../../errors.ts';
import { ITA_ROLES, loadCycle } from '../../ita/cycles.ts';
import { surveyProgress } from '../../ita/sample.ts';
import { answerOptions, fieldOf, issueLinks, keptAnswers, LINKS_PER_STAFF, loadEitSurvey, loadIitSurvey, MAX_LINKS_PER_CALL, MAX_SURVEY_BODY, submitEit, submitIit, type Survey } from '../../ita/surveys.ts';
import { hasRole } from '../../staff/session.ts';
import { adminNav } from '../admin/routes.ts';
import { checkCsrf, csrfToken } from '../csrf.ts';
import type { WebDeps } from '../deps.ts';
import { statusOf, toAppError } from '../errors.ts';
import { pathId } from '../input.ts';
import { pageContext, sendPage, type PageContext } from '../render.ts';
import { requireStaff } from '../staff-auth.ts';

type TokenParams = { Params: { token: string } };
type CodeParams = { Params: { code: string } };
type CycleParams = { Params: { id: string } };

/** The survey paths: `/ita/s/<token>` (IIT one-time link) and `/ita/e/<code>` (EIT public link). */
export const iitPath = (token: string): string => `/ita/s/${token}`;
export const eitPath = (code: string): string => `/ita/e/${encodeURIComponent(code)}`;

export function itaSurveyRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { config, db } = deps;
  const ctx = (req: FastifyRequest, reply: FastifyReply) => pageContext(req, reply, 'reporter');
  const csrf = (req: FastifyRequest, reply: FastifyReply) => csrfToken(req, reply, config.isSecureCookies);
  const fieldsOf = (req: FastifyRequest) => (req.body && typeof req.body === 'object' ? (req.body as Record<string, unknown>) : {});

  const showForm = (req: FastifyRequest, reply: FastifyReply, c: PageContext, survey: Survey, action: string, extra: { alert?: string; errors?: Record<string, string>; values?: Record<string, string> } = {}, status = 200) =>
    sendPage(reply, c, 'ita-survey', {
      title: c.t(`ita.survey.title.${survey.instrument}`),
      survey,
      action,
      csrf: csrf(req, reply),
      fieldOf,
      options: answerOptions,
      alert: null,
      errors: {},
      values: {},
      ...extra,
    }, status, status === 200);

  const gone = (reply: FastifyReply, c: PageContext, kind: 'invalid' | 'closed') =>
    sendPage(reply, c, 'ita-survey-gone', { title: c.t(`ita.survey.${kind}.title`), message: c.t(`ita.survey.${kind}.body`) }, kind === 'invalid' ? 404 : 410);

  /** Any refusal or failure of a survey request, mapped to a page; `survey` and `fields` give the form back with the answers chosen. */
  const fail = (req: FastifyRequest, reply: FastifyReply, e: unknown, form: { survey: Survey; action: string; fields: Record<string, unknown> } | null) => {
    const c = ctx(req, reply);
    const err = toAppError(e);
    if (err?.userMessage === 'ita.survey.invalid') return gone(reply, c, 'invalid');
    if (err?.userMessage === 'ita.error.closed') return gone(reply, c, 'closed');
    if (!err) req.log.error({ code: (e as { code?: unknown }).code ?? null }, 'ita survey request failed');
    const message = err?.code === 'unavailable' ? 'ita.survey.error.unavailable' : err?.userMessage ?? 'error.internal';
    if (!form || err?.code === 'not_found') return sendPage(reply, c, 'error', { title: c.t('error.title'), message: c.t(message) }, statusOf(err));
    const values = keptAnswers(form.survey, form.fields);
    return showForm(req, reply, c, form.survey, form.action, { alert: c.t(message), errors: err?.fields ?? {}, values }, statusOf(err));
  };

  /**
   * A body the parser refused (too large, not a form): the form back, empty, 400, nothing stored.
   * Other errors of the route take the same path as the handler's.
   */
  const bodyErrors = (load: (req: FastifyRequest) => Promise<Survey>, actionOf: (req: FastifyRequest) => string) =>
    async function (this: FastifyInstance, error: FastifyError, req: FastifyRequest, reply: FastifyReply) {
      let survey: Survey;
      try {
        survey = await load(req);
      } catch (e) {
        return fail(req, reply, e, null);
      }
      const isClientError = typeof error.statusCode === 'number' && error.statusCode < 500;
      if (!isClientError) return fail(req, reply, error, { survey, action: actionOf(req), fields: {} });
      const message = error.statusCode === 413 ? 'ita.survey.error.too_large' : 'error.bad_request';
      return fail(req, reply, new AppError('invalid_input', 'refused body', message), { survey, action: actionOf(req), fields: {} });
    };

  const routeOpts = (load: (req: FastifyRequest) => Promise<Survey>, actionOf: (req: FastifyRequest) => string) => ({ bodyLimit: MAX_SURVEY_BODY, errorHandler: bodyErrors(load, actionOf) });
  const loadIit = (req: FastifyRequest) => loadIitSurvey(db, (req.params as { token: string }).token);
  const loadEit = (req: FastifyRequest) => loadEitSurvey(db, (req.params as { code: string }).code);
  const iitAction = (req: FastifyRequest) => iitPath((req.params as { token: string }).token);
  const eitAction = (req: FastifyRequest) => eitPath((req.params as { code: string }).code);

  app.get<TokenParams>('/ita/s/:token', async (req, reply) => {
    try {
      return showForm(req, reply, ctx(req, reply), await loadIit(req), iitAction(req));
    } catch (e) {
      return fail(req, reply, e, null);
    }
  });

  app.get<CodeParams>('/ita/e/:code', async (req, reply) => {
    try {
      return showForm(req, reply, ctx(req, reply), await loadEit(req), eitAction(req));
    } catch (e) {
      return fail(req, reply, e, null);
    }
  });

  /** Load, CSRF, one domain call; the thank-you page only after the commit. */
  const answer = (load: (req: FastifyRequest) => Promise<Survey>, actionOf: (req: FastifyRequest) => string, submit: (req: FastifyRequest, survey: Survey, fields: Record<string, unknown>) => Promise<void>) =>
    async (req: FastifyRequest, reply: FastifyReply) => {
      let survey: Survey;
      try {
        survey = await load(req);
      } catch (e) {
        return fail(req, reply, e, null);
      }
      const fields = fieldsOf(req);
      try {
        checkCsrf(req, fields._csrf);
        await submit(req, survey, fields);
      } catch (e) {
        return fail(req, reply, e, { survey, action: actionOf(req), fields });
      }
      const c = ctx(req, reply);
      return sendPage(reply, c, 'ita-survey-done', { title: c.t('ita.survey.done.title'), instrument: survey.instrument });
    };

  app.post<TokenParams>('/ita/s/:token', routeOpts(loadIit, iitAction), answer(loadIit, iitAction, (req, survey, fields) => submitIit({ db, survey, token: (req.params as { token: string }).token, fields })));
  app.post<CodeParams>('/ita/e/:code', routeOpts(loadEit, eitAction), answer(loadEit, eitAction, (_req, survey, fields) => submitEit({ db, survey, fields })));

  // The QR code of the public link, for posters: shown for a closed cycle too (its page says so).
  app.get<CodeParams>('/ita/e/:code/qr.svg', async (req, reply) => {
    try {
      await loadEit(req);
    } catch (e) {
      if (toAppError(e)?.userMessage !== 'ita.error.closed') return fail(req, reply, e, null);
    }
    const svg = await QRCode.toString(`${config.publicUrl}${eitAction(req)}`, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
    return reply.type('image/svg+xml; charset=utf-8').send(svg);
  });

  app.register(async (scope) => {
    scope.addHook('preHandler', requireStaff(db));

    /** The links page; `extra` carries the new links once, or a refusal with its field errors. */
    const show = async (req: FastifyRequest<CycleParams>, reply: FastifyReply, extra: Record<string, unknown> = {}, status = 200) => {
      const c = pageContext(req, reply, 'staff');
      const cycle = await loadCycle({ db, actor: req.staff!, cycleId: pathId(req.params.id), roles: ITA_ROLES });
      const nf = new Intl.NumberFormat(c.lang === 'th' ? 'th-TH' : 'en-GB');
      const limit = cycle.staffCount * LINKS_PER_STAFF;
      return sendPage(reply, c, 'staff-ita-links', {
        title: c.t('ita.links.title', { year: cycle.fiscalYear }),
        cycle,
        progress: surveyProgress(cycle),
        num: (n: number) => nf.format(n),
        limit,
        left: Math.max(0, limit - cycle.linksIssued),
        perStaff: LINKS_PER_STAFF,
        maxPerCall: MAX_LINKS_PER_CALL,
        canIssue: hasRole(req.staff!, 'agency_admin'),
        eitUrl: `${config.publicUrl}${eitPath(cycle.publicCode)}`,
        qrHref: `${eitPath(cycle.publicCode)}/qr.svg`,
        urls: null,
        alert: null,
        errors: null,
        count: '',
        csrf: csrfToken(req, reply, config.isSecureCookies),
        staffEmail: req.staff!.email,
        nav: (deps.staffNav ?? adminNav)(req.staff!),
        ...extra,
      }, status, status === 200 && !extra.urls);
    };

    scope.get<CycleParams>('/staff/ita/:id/links', async (req, reply) => show(req, reply));

    scope.post<CycleParams>('/staff/ita/:id/links', async (req, reply) => {
      const b = (req.body ?? {}) as Record<string, unknown>;
      checkCsrf(req, b._csrf);
      const raw = typeof b.count === 'string' ? b.count.trim().slice(0, 12) : '';
      try {
        const tokens = await issueLinks({ db, actor: req.staff!, cycleId: pathId(req.params.id), count: /^\d+$/.test(raw) ? Number(raw) : NaN });
        // Shown once, in this response only (never stored, never cached: app.ts sends no-store).
        return show(req, reply, { urls: tokens.map((t) => `${config.publicUrl}${iitPath(t)}`) });
      } catch (e) {
        const err = toAppError(e);
        if (!err || err.code === 'not_found' || err.code === 'forbidden' || err.code === 'unavailable') throw e;
        return show(req, reply, { alert: pageContext(req, reply, 'staff').t(err.userMessage), errors: err.fields, count: raw }, statusOf(err));
      }
    });
  });
}
