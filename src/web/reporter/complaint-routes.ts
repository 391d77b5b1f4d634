// Citizen complaints on the web, reporter side: the named complaint and late-permit forms, the
// tracking code, the public status page and the rating. Same rules as the report form: no request
// is logged, no client address or agent is read, every step is a plain form (JavaScript off), and
// a refused or failed submission gives the form back with everything typed.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { agenciesForForm } from '../../agencies/list-agencies.ts';
import { redirectToReceipt, revealOf } from './receipt-routes.ts';
import { AppError } from '../../errors.ts';
import { COMPLAINT_CATEGORIES, TEXT_LIMITS } from '../../intake/limits.ts';
import { rateCase, validateRating } from '../../intake/rate-case.ts';
import { newDraft, submitReport } from '../../intake/submit-report.ts';
import { trackCase, type TrackedCase } from '../../intake/track-case.ts';
import { validateComplaint } from '../../intake/validate-complaint.ts';
import { checkCsrf, csrfToken } from '../csrf.ts';
import type { WebDeps } from '../deps.ts';
import { replyStatus, statusOf, toAppError } from '../errors.ts';
import { fileParamsOf, formShown, readMultipartForm } from '../multipart-form.ts';
import { filingPost, freshFiling, type FilingShown } from '../filing-form.ts';
import { pageContext, sendPage, type PageContext } from '../render.ts';

/** Every field of the complaint forms, given back as typed when the form comes back. */
export const COMPLAINT_FIELDS = [
  'agency',
  'category',
  'what',
  'when',
  'where',
  'identityName',
  'identityContact',
  'permitReference',
  'filedOn',
  'manualDueOn',
] as const;

export type ComplaintKind = 'complaint' | 'permit';

/** The form asked for by `?type=`: the late-permit form, or the service complaint form. */
export function complaintKindOf(query: unknown): ComplaintKind {
  return (query as Record<string, unknown> | undefined)?.type === 'permit' ? 'permit' : 'complaint';
}

/** What was typed, each field cut to its longest accepted length (never stored cut: only shown back). */
export function typedValues(
  fields: Record<string, string>,
  names: readonly string[] = COMPLAINT_FIELDS,
): Record<string, string> {
  return Object.fromEntries(names.map((k) => [k, (fields[k] ?? '').slice(0, TEXT_LIMITS.what)]));
}

export function complaintRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { config, db, secrets } = deps;
  const fileParams = fileParamsOf(config);
  const ctx = (req: FastifyRequest, reply: FastifyReply) => pageContext(req, reply);
  const csrf = (req: FastifyRequest, reply: FastifyReply) => csrfToken(req, reply, config.isSecureCookies);
  const body = (req: FastifyRequest) => (req.body ?? {}) as Record<string, unknown>;
  const str = (v: unknown, max: number) => (typeof v === 'string' ? v.slice(0, max) : '');

  const showForm = async (
    req: FastifyRequest,
    reply: FastifyReply,
    c: PageContext,
    kind: ComplaintKind,
    values: Record<string, string>,
    error: AppError | null,
    status: number,
    reselect = false,
    filing?: { filing: FilingShown; alertParams: { seconds: number } },
  ) => {
    const agencies = await agenciesForForm(db, values.agency);
    return sendPage(
      reply,
      c,
      'complaint',
      {
        title: c.t(kind === 'permit' ? 'complaint.permit.title' : 'complaint.title'),
        kind,
        action: kind === 'permit' ? '/complaint?type=permit' : '/complaint',
        csrf: csrf(req, reply),
        agencies,
        categories: COMPLAINT_CATEGORIES,
        ...formShown(c.t, fileParams, values, error, reselect, filing?.alertParams),
        filing: filing?.filing ?? (await freshFiling(deps.filingGate, reply)),
        isStaff: false,
      },
      status,
      status === 200,
    );
  };

  app.get('/complaint', async (req, reply) =>
    showForm(req, reply, ctx(req, reply), complaintKindOf(req.query), {}, null, 200),
  );

  app.post('/complaint', async (req, reply) => {
    const c = ctx(req, reply);
    const kind = complaintKindOf(req.query);
    const draft = newDraft();
    const gate = await filingPost(deps.filingGate);
    const form = await readMultipartForm(req, {
      db,
      caseKey: draft.caseKey,
      maxFileBytes: config.maxFileBytes,
      maxReportBytes: config.maxReportBytes,
      beforeFiles: gate.beforeFiles,
    });
    const values = typedValues(form.fields);
    if (form.error)
      return showForm(
        req,
        reply,
        c,
        kind,
        values,
        form.error,
        statusOf(form.error),
        form.sawFiles,
        gate.shown(reply, form.fields, form.error),
      );
    try {
      const { report, complaint } = validateComplaint(form.fields, kind, { isNamed: true });
      const done = await submitReport({
        db,
        kdf: config.kdf,
        receiptSalt: secrets.receiptSalt,
        draft,
        input: report,
        files: form.files,
        channel: 'web',
        complaint,
        ticket: gate.use(),
        reveal: revealOf('complaint', draft.caseId, form.files, kind),
      });
      // Committed, with the code page's record: only now may the tracking code be shown.
      return redirectToReceipt(reply, done.revealCookie, config.isSecureCookies);
    } catch (e) {
      const err = toAppError(e);
      if (!err) req.log.error({ err: { message: (e as Error).message } }, 'complaint submission failed');
      return showForm(
        req,
        reply,
        c,
        kind,
        values,
        err ?? new AppError('invalid_input', 'internal', 'error.internal'),
        statusOf(err),
        form.sawFiles,
        gate.shown(reply, form.fields, err),
      );
    }
  });

  const lookupForm = (req: FastifyRequest, reply: FastifyReply, c: PageContext, alert: string | null, status: number) =>
    sendPage(
      reply,
      c,
      'status',
      { title: c.t('tracking.title'), csrf: csrf(req, reply), maxCode: TEXT_LIMITS.receipt, alert },
      status,
      status === 200,
    );

  const showTracked = (
    req: FastifyRequest,
    reply: FastifyReply,
    c: PageContext,
    tracked: TrackedCase,
    code: string,
    extra: { alert?: string; ratingErrors?: Record<string, string>; ratingValues?: Record<string, string> } = {},
    status = 200,
    isGetPage = false,
  ) =>
    sendPage(
      reply,
      c,
      'status-case',
      {
        title: `${c.t('tracking.case.title')} ${tracked.reference}`,
        tracked,
        code,
        csrf: csrf(req, reply),
        maxComment: TEXT_LIMITS.ratingComment,
        alert: null,
        ratingErrors: {},
        ratingValues: {},
        ...extra,
      },
      status,
      isGetPage,
    );

  /** Opens the status with a code; a wrong code (or a witness's receipt) gives the form back, 401. */
  const lookup = async (req: FastifyRequest, reply: FastifyReply, code: string, isGet: boolean) => {
    const c = ctx(req, reply);
    try {
      if (!isGet) checkCsrf(req, body(req)._csrf);
      const { tracked } = await trackCase({
        db,
        kdf: config.kdf,
        receiptSalt: secrets.receiptSalt,
        throttle: deps.limits.tracking,
        code,
      });
      return showTracked(req, reply, c, tracked, code, {}, 200, isGet);
    } catch (e) {
      const err = toAppError(e);
      if (!err) throw e;
      return lookupForm(req, reply, c, c.t(err.userMessage), replyStatus(reply, err));
    }
  };

  // `?code=` opens the status at once: the links sent on LINE. The page is never cached (app.ts).
  app.get('/status', async (req, reply) => {
    const code = str((req.query as Record<string, unknown>).code, TEXT_LIMITS.receipt);
    return code === '' ? lookupForm(req, reply, ctx(req, reply), null, 200) : lookup(req, reply, code, true);
  });

  app.post('/status', async (req, reply) => lookup(req, reply, str(body(req).code, TEXT_LIMITS.receipt), false));

  app.post('/status/rate', async (req, reply) => {
    const c = ctx(req, reply);
    const b = body(req);
    const code = str(b.code, TEXT_LIMITS.receipt);
    let tracked: TrackedCase;
    try {
      checkCsrf(req, b._csrf);
      tracked = (
        await trackCase({ db, kdf: config.kdf, receiptSalt: secrets.receiptSalt, throttle: deps.limits.tracking, code })
      ).tracked;
    } catch (e) {
      const err = toAppError(e);
      if (!err) throw e;
      return lookupForm(req, reply, c, c.t(err.userMessage), replyStatus(reply, err));
    }
    try {
      const { score, comment } = validateRating(b.score, b.comment);
      await rateCase({ db, caseId: tracked.caseId, score, comment, channel: 'web' });
      return sendPage(reply, c, 'status-rated', {
        title: c.t('tracking.rating.thanks'),
        score,
        reference: tracked.reference,
        code,
        csrf: csrf(req, reply),
      });
    } catch (e) {
      const err = toAppError(e);
      if (!err) throw e;
      const ratingValues = { score: str(b.score, 2), comment: str(b.comment, TEXT_LIMITS.ratingComment) };
      return showTracked(
        req,
        reply,
        c,
        tracked,
        code,
        { alert: c.t(err.userMessage), ratingErrors: err.fields, ratingValues },
        statusOf(err),
      );
    }
  });
}
