// ITA: the IIT and EIT surveys and the QR code of the public link (the reporter side; the staff
// page that issues the links is console/ita-links-routes.ts). The survey pages follow the reporter
// side's rules: no request is logged, no client address or agent is read, no session; a plain form
// that works without JavaScript, paged on a phone by the stylesheet alone (ita-survey.eta), and
// posted once. Nothing a respondent sends reaches a log line or an error message: a failure logs a
// constant text and the database error code only.
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
import type { WebDeps } from '../deps.ts';
import { statusOf, toAppError } from '../errors.ts';
import { formOf, postForm, type Form } from '../form.ts';
import { sendPage } from '../render.ts';

type CodeParams = { Params: { code: string } };

/** The survey paths: `/ita/s/<token>` (IIT one-time link) and `/ita/e/<code>` (EIT public link). */
export const iitPath = (token: string): string => `/ita/s/${token}`;
export const eitPath = (code: string): string => `/ita/e/${encodeURIComponent(code)}`;
const FORM_ID = 'survey-form';
const INSTRUMENTS = ['IIT', 'EIT'];

/** One kind of survey link: how its survey loads, its form's address, and how it is answered. */
type Kind = {
  path: string;
  load: (req: FastifyRequest) => Promise<Survey>;
  action: (req: FastifyRequest) => string;
  submit: (req: FastifyRequest, survey: Survey, fields: Record<string, unknown>) => Promise<void>;
};

/** The questionnaire, fresh (`back` absent) or given back with the answers chosen and the error. */
function showSurvey(
  f: Form,
  survey: Survey,
  action: string,
  back?: { error: AppError | null; status: number; fields: Record<string, unknown> },
): FastifyReply {
  const err = back?.error ?? null;
  const data = {
    title: f.t(`ita.survey.title.${survey.instrument}`),
    survey,
    action,
    formId: FORM_ID,
    csrf: f.csrf(),
    fieldOf,
    options: answerOptions,
    alert: err && f.t(err.code === 'unavailable' ? 'ita.survey.error.unavailable' : err.userMessage),
    errors: err?.fields ?? {},
    values: back ? keptAnswers(survey, back.fields) : {},
  };
  return sendPage(f.reply, f, 'ita-survey', data, back?.status ?? 200, back ? { form: FORM_ID } : undefined);
}

/** The one page for a survey that cannot be answered: a used, unknown or closed-cycle link, or a closed EIT survey. */
function gone(f: Form, kind: 'invalid' | 'closed'): FastifyReply {
  const data = { title: f.t(`ita.survey.${kind}.title`), message: f.t(`ita.survey.${kind}.body`) };
  // No address in the page: a used, an unknown and a malformed link read byte for byte alike.
  return sendPage(f.reply, f, 'ita-survey-gone', data, kind === 'invalid' ? 404 : 410, { relative: true });
}

/** Any error of a survey request as an AppError; what is not one is logged by its database code only. */
function classify(req: FastifyRequest, e: unknown): AppError {
  const err = toAppError(e);
  if (err) return err;
  req.log.error({ code: (e as { code?: unknown }).code ?? null }, 'ita survey request failed');
  return new AppError('internal', 'ita survey request failed', 'error.internal');
}

/** A survey that cannot be loaded: the "not valid" or "closed" page, else the error page. */
function failLoad(f: Form, e: unknown): FastifyReply {
  const err = classify(f.req, e);
  if (err.userMessage === 'ita.survey.invalid') return gone(f, 'invalid');
  if (err.userMessage === 'ita.error.closed') return gone(f, 'closed');
  const message = err.code === 'unavailable' ? 'ita.survey.error.unavailable' : err.userMessage;
  const data = { title: f.t('error.title'), message: f.t(message) };
  return sendPage(f.reply, f, 'error', data, statusOf(err), { relative: true });
}

/** The survey of the link, or the page that says why it cannot be answered. */
async function surveyOf(f: Form, kind: Kind): Promise<{ survey: Survey } | { page: FastifyReply }> {
  try {
    return { survey: await kind.load(f.req) };
  } catch (e) {
    return { page: failLoad(f, e) };
  }
}

/** Load, CSRF, one domain call, then the thank-you page (a GET: a reload never answers twice). */
async function answer(deps: WebDeps, kind: Kind, req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const f = formOf(req, reply, deps.config.isSecureCookies);
  const loaded = await surveyOf(f, kind);
  if ('page' in loaded) return loaded.page;
  const { survey } = loaded;
  const fields = f.body;
  return postForm(
    f,
    async () => {
      try {
        await kind.submit(req, survey, fields);
      } catch (e) {
        throw classify(req, e);
      }
      return reply.redirect(`/ita/done/${survey.instrument}`, 303);
    },
    (error, status) => {
      if (error?.userMessage === 'ita.survey.invalid') return gone(f, 'invalid');
      if (error?.userMessage === 'ita.error.closed') return gone(f, 'closed');
      return showSurvey(f, survey, kind.action(req), { error, status, fields });
    },
  );
}

/**
 * A body the parser refused (too large, not a form): the form back, empty, 400, nothing stored.
 * Other errors of the route take the same path as the handler's.
 */
function bodyErrors(deps: WebDeps, kind: Kind) {
  return async (error: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
    const f = formOf(req, reply, deps.config.isSecureCookies);
    const loaded = await surveyOf(f, kind);
    if ('page' in loaded) return loaded.page;
    const isClientError = typeof error.statusCode === 'number' && error.statusCode < 500;
    const refused = isClientError
      ? new AppError(
          'invalid_input',
          'refused body',
          error.statusCode === 413 ? 'ita.survey.error.too_large' : 'error.bad_request',
        )
      : classify(req, error);
    return showSurvey(f, loaded.survey, kind.action(req), { error: refused, status: statusOf(refused), fields: {} });
  };
}

export function itaSurveyRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { config, db } = deps;
  const token = (req: FastifyRequest) => (req.params as { token: string }).token;
  const code = (req: FastifyRequest) => (req.params as { code: string }).code;
  const kinds: Kind[] = [
    {
      path: '/ita/s/:token',
      load: (req) => loadIitSurvey(db, token(req)),
      action: (req) => iitPath(token(req)),
      submit: (req, survey, fields) => submitIit({ db, survey, token: token(req), fields }),
    },
    {
      path: '/ita/e/:code',
      load: (req) => loadEitSurvey(db, code(req)),
      action: (req) => eitPath(code(req)),
      submit: (_req, survey, fields) => submitEit({ db, survey, fields }),
    },
  ];
  for (const kind of kinds) {
    app.get(kind.path, async (req, reply) => {
      const f = formOf(req, reply, config.isSecureCookies);
      const loaded = await surveyOf(f, kind);
      return 'page' in loaded ? loaded.page : showSurvey(f, loaded.survey, kind.action(req));
    });
    app.post(kind.path, { bodyLimit: MAX_SURVEY_BODY, errorHandler: bodyErrors(deps, kind) }, (req, reply) =>
      answer(deps, kind, req, reply),
    );
  }

  app.get<{ Params: { instrument: string } }>('/ita/done/:instrument', async (req, reply) => {
    const { instrument } = req.params;
    if (!INSTRUMENTS.includes(instrument)) throw new AppError('not_found', 'no such survey', 'error.not_found');
    const f = formOf(req, reply, config.isSecureCookies);
    return sendPage(reply, f, 'ita-survey-done', { title: f.t('ita.survey.done.title'), instrument });
  });

  // The QR code of the public link, for posters: shown for a closed cycle too (its page says so).
  app.get<CodeParams>('/ita/e/:code/qr.svg', async (req, reply) => {
    try {
      await loadEitSurvey(db, code(req));
    } catch (e) {
      if (toAppError(e)?.userMessage !== 'ita.error.closed')
        return failLoad(formOf(req, reply, config.isSecureCookies), e);
    }
    const svg = await QRCode.toString(`${config.publicUrl}${eitPath(code(req))}`, {
      type: 'svg',
      errorCorrectionLevel: 'M',
      margin: 2,
    });
    return reply.type('image/svg+xml; charset=utf-8').send(svg);
  });
}
