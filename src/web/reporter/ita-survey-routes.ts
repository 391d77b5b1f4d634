// ITA: the IIT and EIT surveys and the QR code of the public link (the reporter side; the staff
// page that issues the links is console/ita-links-routes.ts). The survey pages follow the reporter side's rules: no request is logged,
// no client address or agent is read, no session; a plain form that works without JavaScript.
// Nothing a respondent sends reaches a log line or an error message: a failure logs a constant
// text and the database error code only.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import QRCode from 'qrcode';
import { AppError } from '../../errors.ts';
import {
  answerOptions,
  fieldOf,
  keptAnswers,
  loadEitSurvey,
  loadIitSurvey,
  MAX_SURVEY_BODY,
  submitEit,
  submitIit,
  type Survey,
} from '../../ita/surveys.ts';
import { checkCsrf, csrfToken } from '../csrf.ts';
import type { WebDeps } from '../deps.ts';
import { statusOf, toAppError } from '../errors.ts';
import { pageContext, sendPage, type PageContext } from '../render.ts';

type TokenParams = { Params: { token: string } };
type CodeParams = { Params: { code: string } };

/** The survey paths: `/ita/s/<token>` (IIT one-time link) and `/ita/e/<code>` (EIT public link). */
export const iitPath = (token: string): string => `/ita/s/${token}`;
export const eitPath = (code: string): string => `/ita/e/${encodeURIComponent(code)}`;

export function itaSurveyRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { config, db } = deps;
  const ctx = (req: FastifyRequest, reply: FastifyReply) => pageContext(req, reply);
  const csrf = (req: FastifyRequest, reply: FastifyReply) => csrfToken(req, reply, config.isSecureCookies);
  const fieldsOf = (req: FastifyRequest) =>
    req.body && typeof req.body === 'object' ? (req.body as Record<string, unknown>) : {};

  const showForm = (
    req: FastifyRequest,
    reply: FastifyReply,
    c: PageContext,
    survey: Survey,
    action: string,
    extra: { alert?: string; errors?: Record<string, string>; values?: Record<string, string> } = {},
    status = 200,
  ) =>
    sendPage(
      reply,
      c,
      'ita-survey',
      {
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
      },
      status,
      status === 200,
    );

  const gone = (reply: FastifyReply, c: PageContext, kind: 'invalid' | 'closed') =>
    sendPage(
      reply,
      c,
      'ita-survey-gone',
      { title: c.t(`ita.survey.${kind}.title`), message: c.t(`ita.survey.${kind}.body`) },
      kind === 'invalid' ? 404 : 410,
    );

  /** Any refusal or failure of a survey request, mapped to a page; `survey` and `fields` give the form back with the answers chosen. */
  const fail = (
    req: FastifyRequest,
    reply: FastifyReply,
    e: unknown,
    form: { survey: Survey; action: string; fields: Record<string, unknown> } | null,
  ) => {
    const c = ctx(req, reply);
    const err = toAppError(e);
    if (err?.userMessage === 'ita.survey.invalid') return gone(reply, c, 'invalid');
    if (err?.userMessage === 'ita.error.closed') return gone(reply, c, 'closed');
    if (!err) req.log.error({ code: (e as { code?: unknown }).code ?? null }, 'ita survey request failed');
    const message =
      err?.code === 'unavailable' ? 'ita.survey.error.unavailable' : (err?.userMessage ?? 'error.internal');
    if (!form || err?.code === 'not_found')
      return sendPage(reply, c, 'error', { title: c.t('error.title'), message: c.t(message) }, statusOf(err));
    const values = keptAnswers(form.survey, form.fields);
    return showForm(
      req,
      reply,
      c,
      form.survey,
      form.action,
      { alert: c.t(message), errors: err?.fields ?? {}, values },
      statusOf(err),
    );
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
      return fail(req, reply, new AppError('invalid_input', 'refused body', message), {
        survey,
        action: actionOf(req),
        fields: {},
      });
    };

  const routeOpts = (load: (req: FastifyRequest) => Promise<Survey>, actionOf: (req: FastifyRequest) => string) => ({
    bodyLimit: MAX_SURVEY_BODY,
    errorHandler: bodyErrors(load, actionOf),
  });
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
  const answer =
    (
      load: (req: FastifyRequest) => Promise<Survey>,
      actionOf: (req: FastifyRequest) => string,
      submit: (req: FastifyRequest, survey: Survey, fields: Record<string, unknown>) => Promise<void>,
    ) =>
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
      return sendPage(reply, c, 'ita-survey-done', {
        title: c.t('ita.survey.done.title'),
        instrument: survey.instrument,
      });
    };

  app.post<TokenParams>(
    '/ita/s/:token',
    routeOpts(loadIit, iitAction),
    answer(loadIit, iitAction, (req, survey, fields) =>
      submitIit({ db, survey, token: (req.params as { token: string }).token, fields }),
    ),
  );
  app.post<CodeParams>(
    '/ita/e/:code',
    routeOpts(loadEit, eitAction),
    answer(loadEit, eitAction, (_req, survey, fields) => submitEit({ db, survey, fields })),
  );

  // The QR code of the public link, for posters: shown for a closed cycle too (its page says so).
  app.get<CodeParams>('/ita/e/:code/qr.svg', async (req, reply) => {
    try {
      await loadEit(req);
    } catch (e) {
      if (toAppError(e)?.userMessage !== 'ita.error.closed') return fail(req, reply, e, null);
    }
    const svg = await QRCode.toString(`${config.publicUrl}${eitAction(req)}`, {
      type: 'svg',
      errorCorrectionLevel: 'M',
      margin: 2,
    });
    return reply.type('image/svg+xml; charset=utf-8').send(svg);
  });
}
