// Reporter side. No request is logged here, no client address or agent is read, and every time
// stored is to the minute. Every step is a plain form post; nothing needs JavaScript.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { agenciesForForm } from '../../agencies/list-agencies.ts';
import { AppError } from '../../errors.ts';
import { loadOwnThread, replyAsReporter } from '../../intake/reply-as-reporter.ts';
import { loadCaseView, type MessageView } from '../../intake/case-view.ts';
import { CATEGORIES, TEXT_LIMITS } from '../../intake/limits.ts';
import {
  issueReporterToken,
  openReporterSession,
  readReporterToken,
  REPORTER_SESSION_MINUTES,
  revokeReporterToken,
  type ReporterSession,
} from '../../intake/reporter-session.ts';
import { newDraft, submitReport } from '../../intake/submit-report.ts';
import { validateMessage, validateReport } from '../../intake/validate-report.ts';
import type { T } from '../../i18n/messages.ts';
import { checkCsrf, csrfToken } from '../csrf.ts';
import type { WebDeps } from '../deps.ts';
import { replyStatus, toAppError, statusOf } from '../errors.ts';
import { fileParamsOf, formShown, readMultipartForm } from '../multipart-form.ts';
import { filingPost, freshFiling, type FilingShown } from '../filing-form.ts';
import { pageContext, sendPage, type PageContext } from '../render.ts';
import { sendDownload } from '../download.ts';
import { buildCertificateFiles, CERTIFICATE_JSON_NAME, CERTIFICATE_PDF_NAME } from '../../ledger/certificate-pdf.ts';
import { giveStatement, openInvitation } from '../../cases/witnesses.ts';
import { redirectToReceipt, revealOf } from './receipt-routes.ts';

export const REPORTER_COOKIE = 'sj_reporter';
const REPORT_FIELDS = [
  'agency',
  'category',
  'what',
  'when',
  'where',
  'who',
  'identityName',
  'identityContact',
] as const;

export function reporterRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { config, db, secrets } = deps;
  const fileParams = fileParamsOf(config);
  const ctx = (req: FastifyRequest, reply: FastifyReply) => pageContext(req, reply);
  const csrf = (req: FastifyRequest, reply: FastifyReply) => csrfToken(req, reply, config.isSecureCookies);

  const showForm = async (
    req: FastifyRequest,
    reply: FastifyReply,
    c: PageContext,
    values: Record<string, string>,
    error: AppError | null,
    status: number,
    reselect = false,
    filing?: { filing: FilingShown; alertParams: { seconds: number } },
  ) => {
    // With the database down, a returned form still offers the agency the reporter chose, so that
    // nothing typed is lost; a fresh form needs the list and answers 503.
    const agencies = await agenciesForForm(db, values.agency);
    return sendPage(
      reply,
      c,
      'report',
      {
        title: c.t('report.title'),
        csrf: csrf(req, reply),
        agencies,
        categories: CATEGORIES,
        ...formShown(c.t, fileParams, values, error, reselect, filing?.alertParams),
        filing: filing?.filing ?? (await freshFiling(deps.filingGate, reply)),
      },
      status,
      status === 200,
    );
  };

  app.get('/', async (req, reply) => {
    const c = ctx(req, reply);
    return sendPage(reply, c, 'home', { title: c.t('home.title') }, 200, true);
  });

  app.get('/report', async (req, reply) => showForm(req, reply, ctx(req, reply), {}, null, 200));

  app.post('/report', async (req, reply) => {
    const c = ctx(req, reply);
    const draft = newDraft();
    const gate = await filingPost(deps.filingGate);
    const form = await readMultipartForm(req, {
      db,
      caseKey: draft.caseKey,
      maxFileBytes: config.maxFileBytes,
      maxReportBytes: config.maxReportBytes,
      beforeFiles: gate.beforeFiles,
    });
    const values = Object.fromEntries(REPORT_FIELDS.map((k) => [k, (form.fields[k] ?? '').slice(0, TEXT_LIMITS.what)]));
    const hadFiles = form.sawFiles;
    if (form.error)
      return showForm(
        req,
        reply,
        c,
        values,
        form.error,
        statusOf(form.error),
        hadFiles,
        gate.shown(reply, form.fields, form.error),
      );
    try {
      const input = validateReport(form.fields);
      const done = await submitReport({
        db,
        kdf: config.kdf,
        receiptSalt: secrets.receiptSalt,
        draft,
        input,
        files: form.files,
        channel: 'web',
        ticket: gate.use(),
        reveal: revealOf('report', draft.caseId, form.files),
      });
      // Committed, with the receipt page's record: only now may the receipt be shown, and a reload
      // of that page shows it again instead of filing again.
      return redirectToReceipt(reply, done.revealCookie, config.isSecureCookies);
    } catch (e) {
      const app = toAppError(e);
      if (!app) req.log.error({ err: { message: (e as Error).message } }, 'report submission failed');
      return showForm(
        req,
        reply,
        c,
        values,
        app ?? new AppError('invalid_input', 'internal', 'error.internal'),
        statusOf(app),
        hadFiles,
        gate.shown(reply, form.fields, app),
      );
    }
  });

  app.get('/followup', async (req, reply) => {
    const c = ctx(req, reply);
    return sendPage(
      reply,
      c,
      'followup-login',
      { title: c.t('followup.title'), csrf: csrf(req, reply), maxReceipt: TEXT_LIMITS.receipt, alert: null },
      200,
      true,
    );
  });

  app.post('/followup', async (req, reply) => {
    const c = ctx(req, reply);
    const body = (req.body ?? {}) as Record<string, unknown>;
    try {
      checkCsrf(req, body._csrf);
      const session = await openReporterSession({
        db,
        kdf: config.kdf,
        receiptSalt: secrets.receiptSalt,
        throttle: deps.limits.receipt,
        receipt: String(body.receipt ?? ''),
      });
      reply.setCookie(REPORTER_COOKIE, issueReporterToken(secrets.cookieKey, session), {
        path: '/followup',
        httpOnly: true,
        sameSite: 'strict',
        secure: config.isSecureCookies,
        maxAge: REPORTER_SESSION_MINUTES * 60,
      });
      return reply.redirect('/followup/case', 303);
    } catch (e) {
      const app = toAppError(e);
      if (!app) throw e;
      return sendPage(
        reply,
        c,
        'followup-login',
        {
          title: c.t('followup.title'),
          csrf: csrf(req, reply),
          maxReceipt: TEXT_LIMITS.receipt,
          alert: c.t(app.userMessage),
        },
        replyStatus(reply, app),
      );
    }
  });

  const session = (req: FastifyRequest): Promise<ReporterSession | null> =>
    readReporterToken(db, secrets.cookieKey, req.cookies[REPORTER_COOKIE]);

  const showCase = async (
    req: FastifyRequest,
    reply: FastifyReply,
    s: ReporterSession,
    extra: { notice?: string | null; alert?: string | null; draft?: string },
    status = 200,
  ) => {
    const c = ctx(req, reply);
    const common = {
      csrf: csrf(req, reply),
      fileHref: (f: { id: string }) => `/followup/case/attachments/${f.id}`,
      maxMessage: TEXT_LIMITS.message,
      fileParams,
      notice: null,
      alert: null,
      ...extra,
    };
    if (s.witnessId) {
      // A witness sees their own thread only: statement, files and the team's questions.
      const messages = await loadOwnThread({ db, session: s });
      const author = (m: MessageView) =>
        m.authorKind === 'witness' ? c.t('followup.you') : c.t(`role.${m.authorRole ?? 'investigator'}`);
      return sendPage(
        reply,
        c,
        'witness-case',
        { title: c.t('witness.title'), messages, author, ...common },
        status,
        status === 200,
      );
    }
    const view = await loadCaseView({ db, caseId: s.caseId, keys: s.keys, withIdentity: false });
    if (!view) throw new AppError('not_found', 'case gone', 'error.not_found');
    return sendPage(
      reply,
      c,
      'followup-case',
      { title: c.t('followup.title'), c: view, author: (m: MessageView) => reporterAuthor(c.t, m), ...common },
      status,
      status === 200,
    );
  };

  app.get('/followup/case', async (req, reply) => {
    const s = await session(req);
    if (!s) return reply.redirect('/followup', 303);
    const sent = (req.query as Record<string, unknown>).sent === '1';
    return showCase(req, reply, s, { notice: sent ? ctx(req, reply).t('followup.sent') : null });
  });

  app.post('/followup/case/messages', async (req, reply) => {
    const s = await session(req);
    if (!s) {
      // drain nothing: an expired session gets the login page, the text is not stored anywhere
      return reply.redirect('/followup', 303);
    }
    const c = ctx(req, reply);
    const form = await readMultipartForm(req, {
      db,
      caseKey: s.keys.content,
      maxFileBytes: config.maxFileBytes,
      maxReportBytes: config.maxReportBytes,
    });
    const draftText = (form.fields.message ?? '').slice(0, TEXT_LIMITS.message);
    try {
      if (form.error) throw form.error;
      const text = validateMessage(form.fields.message, form.files.length > 0);
      await replyAsReporter({ db, session: s, text, files: form.files });
      return reply.redirect('/followup/case?sent=1', 303);
    } catch (e) {
      const app = toAppError(e);
      if (!app) throw e;
      const reselect = form.sawFiles ? ` ${c.t('error.reselect_files')}` : '';
      return showCase(
        req,
        reply,
        s,
        { alert: c.t(app.userMessage, fileParams) + reselect, draft: draftText },
        statusOf(app),
      );
    }
  });

  app.get<{ Params: { id: string } }>('/followup/case/attachments/:id', async (req, reply) => {
    const s = await session(req);
    if (!s) return reply.redirect('/followup', 303);
    return sendDownload(reply, { db, caseId: s.caseId, caseKey: s.keys.content, attachmentId: req.params.id });
  });

  // The PDF by default, the JSON for tools; both under a neutral name (no agency, reference or
  // date on the reporter's device) and never cached.
  const sendCertificate = async (
    req: FastifyRequest,
    reply: FastifyReply,
    s: ReporterSession,
    receipt: string | null,
    format: 'pdf' | 'json',
  ) => {
    if (s.witnessId) throw new AppError('not_found', 'a witness has no filing certificate', 'error.not_found');
    const vkey = deps.ledgerVkey();
    const files = vkey
      ? await buildCertificateFiles({
          db,
          caseId: s.caseId,
          caseKey: s.keys.content,
          vkey,
          publicUrl: config.publicUrl,
        })
      : null;
    if (!files) {
      const c = ctx(req, reply);
      return sendPage(
        reply,
        c,
        'certificate-pending',
        { title: c.t('certificate.title'), csrf: csrf(req, reply), receipt, format },
        409,
      );
    }
    reply.header('cache-control', 'no-store');
    if (format === 'json')
      return reply
        .type('application/json; charset=utf-8')
        .header('content-disposition', `attachment; filename="${CERTIFICATE_JSON_NAME}"`)
        .send(files.json);
    return reply
      .type('application/pdf')
      .header('content-disposition', `attachment; filename="${CERTIFICATE_PDF_NAME}"`)
      .send(await files.pdf());
  };

  for (const [path, format] of [
    ['/followup/case/certificate', 'pdf'],
    ['/followup/case/certificate.json', 'json'],
  ] as const) {
    app.get(path, async (req, reply) => {
      const s = await session(req);
      if (!s) return reply.redirect('/followup', 303);
      return sendCertificate(req, reply, s, null, format);
    });
  }

  // From the receipt page, before any login: the receipt itself opens the case's keys.
  app.post('/report/certificate', async (req, reply) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    checkCsrf(req, body._csrf);
    const receipt = String(body.receipt ?? '');
    const s = await openReporterSession({
      db,
      kdf: config.kdf,
      receiptSalt: secrets.receiptSalt,
      throttle: deps.limits.receipt,
      receipt,
    });
    return sendCertificate(req, reply, s, receipt, body.format === 'json' ? 'json' : 'pdf');
  });

  // A witness's one-time invitation: the statement form, then a receipt of their own.
  const witnessForm = (
    req: FastifyRequest,
    reply: FastifyReply,
    token: string,
    extra: Record<string, unknown>,
    status: number,
  ) => {
    const c = ctx(req, reply);
    return sendPage(
      reply,
      c,
      'witness-statement',
      {
        title: c.t('witness.statement.title'),
        csrf: csrf(req, reply),
        action: `/witness/${encodeURIComponent(token)}`,
        maxMessage: TEXT_LIMITS.message,
        fileParams,
        alert: null,
        draft: '',
        ...extra,
      },
      status,
    );
  };
  app.get<{ Params: { token: string } }>('/witness/:token', async (req, reply) => {
    await openInvitation(db, req.params.token);
    return witnessForm(req, reply, req.params.token, {}, 200);
  });
  app.post<{ Params: { token: string } }>('/witness/:token', async (req, reply) => {
    const invitation = await openInvitation(db, req.params.token);
    const form = await readMultipartForm(req, {
      db,
      caseKey: invitation.key,
      maxFileBytes: config.maxFileBytes,
      maxReportBytes: config.maxReportBytes,
    });
    const c = ctx(req, reply);
    try {
      if (form.error) throw form.error;
      const text = validateMessage(form.fields.statement, form.files.length > 0);
      const { revealCookie } = await giveStatement({
        db,
        kdf: config.kdf,
        receiptSalt: secrets.receiptSalt,
        invitation,
        text,
        files: form.files,
        reveal: revealOf('witness', invitation.caseId, form.files),
      });
      return redirectToReceipt(reply, revealCookie, config.isSecureCookies);
    } catch (e) {
      const app = toAppError(e);
      if (!app || app.code === 'not_found') throw e;
      const reselect = form.sawFiles ? ` ${c.t('error.reselect_files')}` : '';
      return witnessForm(
        req,
        reply,
        req.params.token,
        {
          alert: c.t(app.userMessage, fileParams) + reselect,
          draft: (form.fields.statement ?? '').slice(0, TEXT_LIMITS.message),
        },
        statusOf(app),
      );
    }
  });

  app.post('/followup/logout', async (req, reply) => {
    checkCsrf(req, ((req.body ?? {}) as Record<string, unknown>)._csrf);
    // The cookie may have been copied: the token itself is refused from now on, not just forgotten.
    await revokeReporterToken(db, secrets.cookieKey, req.cookies[REPORTER_COOKIE]);
    reply.clearCookie(REPORTER_COOKIE, { path: '/followup' });
    return reply.redirect('/', 303);
  });
}

/** Staff appear to the reporter by role only. */
export function reporterAuthor(t: T, m: MessageView): string {
  return m.authorKind === 'reporter' ? t('followup.you') : t(`role.${m.authorRole ?? 'intake_officer'}`);
}
