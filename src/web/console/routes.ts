// Staff side (minimal recipient console). Requests here are logged (method, path, status, time to
// the minute); the reporter side's are not.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { recordAudit } from '../../audit/record-audit.ts';
import { getCase } from '../../cases/get-case.ts';
import { listCases, PAGE_SIZE } from '../../cases/list-cases.ts';
import { openCaseKeys } from '../../cases/open-case.ts';
import { postCaseMessage } from '../../cases/post-case-message.ts';
import { setCaseStatus } from '../../cases/set-case-status.ts';
import { CASE_STATUSES } from '../../db/schema.ts';
import { AppError } from '../../errors.ts';
import type { MessageView } from '../../intake/case-view.ts';
import { MAX_FILES, TEXT_LIMITS } from '../../intake/limits.ts';
import { validateMessage } from '../../intake/validate-report.ts';
import { resolveStaffSession, STAFF_SESSION_HOURS, staffLogin, staffLogout, type StaffActor } from '../../staff/session.ts';
import { checkCsrf, csrfToken } from '../csrf.ts';
import type { WebDeps } from '../deps.ts';
import { sendDownload } from '../download.ts';
import { statusOf, toAppError } from '../errors.ts';
import { readMultipartForm } from '../multipart-form.ts';
import { pageContext, sendPage } from '../render.ts';

export const STAFF_COOKIE = 'sj_staff';

declare module 'fastify' {
  interface FastifyRequest {
    staff?: StaffActor;
  }
}

export function consoleRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { config, db } = deps;
  const fileParams = { count: MAX_FILES, fileMb: config.maxFileBytes / 1048576, totalMb: config.maxReportBytes / 1048576 };
  const csrf = (req: FastifyRequest, reply: FastifyReply) => csrfToken(req, reply, config.isSecureCookies);
  const ctx = (req: FastifyRequest, reply: FastifyReply) => pageContext(req, reply, 'staff');
  const body = (req: FastifyRequest) => (req.body ?? {}) as Record<string, unknown>;

  app.addHook('onResponse', async (req, reply) => {
    if (req.url.startsWith('/staff')) req.log.info({ method: req.method, path: req.url.split('?')[0], status: reply.statusCode, user: req.staff?.id }, 'staff request');
  });

  const requireStaff = async (req: FastifyRequest, reply: FastifyReply) => {
    const actor = await resolveStaffSession({ db, token: req.cookies[STAFF_COOKIE] });
    if (!actor) return reply.redirect('/staff/login', 303);
    req.staff = actor;
  };

  const loginPage = (req: FastifyRequest, reply: FastifyReply, alert: string | null, status: number, email = '') => {
    const c = ctx(req, reply);
    return sendPage(reply, c, 'staff-login', { title: c.t('staff.login'), csrf: csrf(req, reply), alert, email }, status, status === 200);
  };

  app.get('/staff', async (_req, reply) => reply.redirect('/staff/cases', 303));
  app.get('/staff/login', async (req, reply) => loginPage(req, reply, null, 200));

  app.post('/staff/login', async (req, reply) => {
    const b = body(req);
    const email = typeof b.email === 'string' ? b.email.slice(0, TEXT_LIMITS.email) : '';
    try {
      checkCsrf(req, b._csrf);
      await deps.staffThrottle.wait();
      const { token } = await staffLogin({ db, kdf: config.kdf, email, password: typeof b.password === 'string' ? b.password.slice(0, TEXT_LIMITS.password) : '' });
      reply.setCookie(STAFF_COOKIE, token, { path: '/staff', httpOnly: true, sameSite: 'strict', secure: config.isSecureCookies, maxAge: STAFF_SESSION_HOURS * 3600 });
      return reply.redirect('/staff/cases', 303);
    } catch (e) {
      const app = toAppError(e);
      if (!app) throw e;
      if (app.code === 'unauthorized') deps.staffThrottle.fail();
      return loginPage(req, reply, ctx(req, reply).t(app.userMessage), statusOf(app), email);
    }
  });

  app.post('/staff/logout', async (req, reply) => {
    checkCsrf(req, body(req)._csrf);
    await staffLogout({ db, token: req.cookies[STAFF_COOKIE] });
    reply.clearCookie(STAFF_COOKIE, { path: '/staff' });
    return reply.redirect('/staff/login', 303);
  });

  app.register(async (scope) => {
    scope.addHook('preHandler', requireStaff);
    const common = (req: FastifyRequest, reply: FastifyReply) => ({ csrf: csrf(req, reply), staffEmail: req.staff!.email });

    scope.get('/staff/cases', async (req, reply) => {
      const c = ctx(req, reply);
      const page = Math.max(1, Math.min(1_000_000, Number.parseInt(String((req.query as Record<string, unknown>).page ?? '1'), 10) || 1));
      const p = await listCases({ db, actor: req.staff!, page });
      const pages = Math.max(1, Math.ceil(p.total / PAGE_SIZE), p.page);
      const num = (n: number) => new Intl.NumberFormat(c.lang === 'th' ? 'th-TH' : 'en-GB').format(n);
      return sendPage(reply, c, 'staff-cases', { title: c.t('staff.cases'), p, pages, num, vkey: deps.ledgerVkey(), ...common(req, reply) }, 200, true);
    });

    const showCase = async (req: FastifyRequest, reply: FastifyReply, reference: string, withIdentity: boolean, extra: Record<string, unknown> = {}, status = 200) => {
      const c = ctx(req, reply);
      const view = await getCase({ db, actor: req.staff!, reference, withIdentity });
      return sendPage(reply, c, 'staff-case', {
        title: view.reference,
        c: view,
        statuses: CASE_STATUSES,
        author: (m: MessageView) => (m.authorKind === 'reporter' ? c.t('staff.reporter') : c.t(`role.${m.authorRole ?? 'recipient'}`)),
        fileHref: (f: { id: string }) => `/staff/cases/${encodeURIComponent(view.reference)}/attachments/${f.id}`,
        maxMessage: TEXT_LIMITS.message,
        alert: null,
        ...common(req, reply),
        ...extra,
      }, status, status === 200 && !withIdentity);
    };

    scope.get<{ Params: { ref: string } }>('/staff/cases/:ref', async (req, reply) => showCase(req, reply, req.params.ref, false));

    scope.post<{ Params: { ref: string } }>('/staff/cases/:ref/identity', async (req, reply) => {
      checkCsrf(req, body(req)._csrf);
      return showCase(req, reply, req.params.ref, true);
    });

    scope.post<{ Params: { ref: string } }>('/staff/cases/:ref/status', async (req, reply) => {
      const b = body(req);
      checkCsrf(req, b._csrf);
      await setCaseStatus({ db, actor: req.staff!, reference: req.params.ref, status: String(b.status ?? '') });
      return reply.redirect(`/staff/cases/${encodeURIComponent(req.params.ref)}`, 303);
    });

    scope.post<{ Params: { ref: string } }>('/staff/cases/:ref/messages', async (req, reply) => {
      const opened = await openCaseKeys({ db, actor: req.staff!, reference: req.params.ref, purpose: 'message_posted' });
      const form = await readMultipartForm(req, { db, caseKey: opened.keys.content, maxFileBytes: config.maxFileBytes, maxReportBytes: config.maxReportBytes });
      try {
        if (form.error) throw form.error;
        const text = validateMessage(form.fields.message, form.files.length > 0);
        await postCaseMessage({ db, actor: req.staff!, opened, text, files: form.files });
        return reply.redirect(`/staff/cases/${encodeURIComponent(opened.reference)}`, 303);
      } catch (e) {
        const app = toAppError(e);
        if (!app) throw e;
        const c = ctx(req, reply);
        const reselect = form.sawFiles ? ` ${c.t('error.reselect_files')}` : '';
        return showCase(req, reply, opened.reference, false, { alert: c.t(app.userMessage, fileParams) + reselect, draft: (form.fields.message ?? '').slice(0, TEXT_LIMITS.message) }, statusOf(app));
      }
    });

    scope.get<{ Params: { ref: string; id: string } }>('/staff/cases/:ref/attachments/:id', async (req, reply) => {
      const opened = await openCaseKeys({ db, actor: req.staff!, reference: req.params.ref, purpose: 'attachment_downloaded' });
      return sendDownload(reply, {
        db,
        caseId: opened.caseId,
        caseKey: opened.keys.content,
        attachmentId: req.params.id,
        onFound: () => recordAudit(db, { actorUserId: req.staff!.id, action: 'attachment_downloaded', caseId: opened.caseId, caseReference: opened.reference, detail: { attachment: req.params.id } }),
      });
    });
  });
}
