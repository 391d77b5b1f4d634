// The staff console: inbox per role, the case page and its actions. Registered on the staff side
// (staff-side.ts), which logs its requests; the reporter side's are not. Every action is a
// plain form POST that redirects (or shows the page again with what was typed and the error).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { recordAudit } from '../../audit/record-audit.ts';
import { isOwningSupervisor, loadCaseMeta } from '../../cases/case-meta.ts';
import { dueState } from '../../agencies/deadlines.ts';
import { viewOpenedCase } from '../../cases/get-case.ts';
import { decideIdentity, pendingIdentityRequests, requestIdentity } from '../../cases/identity.ts';
import { DUE_FILTERS, INBOX_SCOPES, listCases, PAGE_SIZE, scopesFor, type CaseFilter } from '../../cases/list-cases.ts';
import { openCaseKeys } from '../../cases/open-case.ts';
import { postCaseMessage } from '../../cases/post-case-message.ts';
import { referCase } from '../../cases/referral.ts';
import { accessList, assignInvestigator, fulfilGrants, removeFromCase } from '../../cases/team-members.ts';
import { MAX_REASON, SPAM_RULE, transitionCase, transitionsFor } from '../../cases/workflow.ts';
import { MAX_SPAM_SELECTION } from '../../cases/mark-spam.ts';
import { inviteWitness, messageWitness } from '../../cases/witnesses.ts';
import { MAX_QUERY_CHARS, searchCases } from '../../cases/search.ts';
import { exportCasesCsv } from '../../cases/export.ts';
import { openFromTeam } from '../../crypto/team-key.ts';
import { loadHistory } from '../../intake/case-view.ts';
import {
  CASE_KINDS,
  CASE_STATUSES,
  COMPLAINT_OUTCOMES,
  CONCLUSIONS,
  SCREENING_OUTCOMES,
  type CaseKind,
} from '../../db/schema.ts';
import { AppError } from '../../errors.ts';
import type { MessageView } from '../../intake/case-view.ts';
import { ALL_CATEGORIES, isComplaintCategory, PERMIT_CATEGORY, TEXT_LIMITS } from '../../intake/limits.ts';
import { validateMessage } from '../../intake/validate-report.ts';
import { hasRole, STAFF_SESSION_HOURS, staffLogin, staffLogout, type StaffActor } from '../../staff/session.ts';
import { checkCsrf, csrfToken } from '../csrf.ts';
import type { WebDeps } from '../deps.ts';
import { sendDownload } from '../download.ts';
import { replyStatus, statusOf, toAppError } from '../errors.ts';
import { formId } from '../input.ts';
import { fileParamsOf, readMultipartForm } from '../multipart-form.ts';
import { pageContext, sendPage } from '../render.ts';
import { adminNav } from '../admin/routes.ts';
import { ENROL_PATH, requireStaff, STAFF_COOKIE } from '../staff-auth.ts';

const pick = <T extends string>(v: unknown, allowed: readonly T[]): T | undefined =>
  allowed.includes(v as T) ? (v as T) : undefined;
/** A case's kind from its category, for the metadata view (categories are fixed per kind). */
const kindOfCategory = (category: string): CaseKind =>
  category === PERMIT_CATEGORY ? 'permit' : isComplaintCategory(category) ? 'complaint' : 'tip';

export function consoleRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { config, db } = deps;
  const fileParams = fileParamsOf(config);
  const csrf = (req: FastifyRequest, reply: FastifyReply) => csrfToken(req, reply, config.isSecureCookies);
  const ctx = (req: FastifyRequest, reply: FastifyReply) => pageContext(req, reply);
  const body = (req: FastifyRequest) => (req.body ?? {}) as Record<string, unknown>;
  const str = (v: unknown, max: number) => (typeof v === 'string' ? v.slice(0, max) : '');

  const loginPage = (req: FastifyRequest, reply: FastifyReply, alert: string | null, status: number, email = '') => {
    const c = ctx(req, reply);
    const notice = (req.query as Record<string, unknown>).done === 'setup' ? c.t('setup.done') : null;
    return sendPage(
      reply,
      c,
      'staff-login',
      { title: c.t('staff.login'), csrf: csrf(req, reply), alert, email, notice },
      status,
      status === 200,
    );
  };

  app.get('/staff', async (_req, reply) => reply.redirect('/staff/cases', 303));
  app.get('/staff/login', async (req, reply) => loginPage(req, reply, null, 200));
  app.post('/staff/login', async (req, reply) => {
    const b = body(req);
    const email = str(b.email, TEXT_LIMITS.email);
    try {
      checkCsrf(req, b._csrf);
      const { token, isEnrolled } = await staffLogin({
        db,
        kdf: config.kdf,
        limits: deps.limits,
        email,
        password: str(b.password, TEXT_LIMITS.password),
        code: str(b.code, 40),
      });
      reply.setCookie(STAFF_COOKIE, token, {
        path: '/staff',
        httpOnly: true,
        sameSite: 'strict',
        secure: config.isSecureCookies,
        maxAge: STAFF_SESSION_HOURS * 3600,
      });
      return reply.redirect(isEnrolled ? '/staff/cases' : ENROL_PATH, 303);
    } catch (e) {
      const app = toAppError(e);
      if (!app) throw e;
      return loginPage(req, reply, ctx(req, reply).t(app.userMessage), replyStatus(reply, app), email);
    }
  });
  app.post('/staff/logout', async (req, reply) => {
    checkCsrf(req, body(req)._csrf);
    await staffLogout({ db, token: req.cookies[STAFF_COOKIE] });
    reply.clearCookie(STAFF_COOKIE, { path: '/staff' });
    return reply.redirect('/staff/login', 303);
  });

  app.register(async (scope) => {
    scope.addHook('preHandler', requireStaff(db));
    const common = (req: FastifyRequest, reply: FastifyReply) => ({
      csrf: csrf(req, reply),
      staffEmail: req.staff!.email,
      nav: (deps.staffNav ?? adminNav)(req.staff!),
    });
    const num = (lang: string) => (n: number) => new Intl.NumberFormat(lang === 'th' ? 'th-TH' : 'en-GB').format(n);
    const caseHref = (ref: string) => `/staff/cases/${encodeURIComponent(ref)}`;

    scope.get('/staff/cases', async (req, reply) => {
      const c = ctx(req, reply);
      const actor = req.staff!;
      const q = req.query as Record<string, unknown>;
      // Keys waiting for this user's hand-over are sealed on every visit to the inbox.
      await fulfilGrants({ db, actor });
      const scopes = scopesFor(actor);
      const filter = filterOf(actor, q);
      const page = Math.max(1, Math.min(1_000_000, Number.parseInt(String(q.page ?? '1'), 10) || 1));
      // A flood is marked as spam a page at a time: a page as large as one action may take.
      const per = q.per === String(MAX_SPAM_SELECTION) ? MAX_SPAM_SELECTION : PAGE_SIZE;
      const [p, requests] = await Promise.all([
        listCases({ db, actor, page, pageSize: per, ...filter }),
        pendingIdentityRequests(db, actor),
      ]);
      const pages = Math.max(1, Math.ceil(p.total / per), p.page);
      const query = (extra: Record<string, string | number>) => {
        const u = new URLSearchParams();
        for (const [k, v] of Object.entries({ ...filter, ...(per === PAGE_SIZE ? {} : { per }), ...extra }))
          if (v !== undefined && v !== '') u.set(k, String(v));
        return `?${u.toString()}`;
      };
      return sendPage(
        reply,
        c,
        'staff-cases',
        {
          title: c.t('staff.cases'),
          p,
          pages,
          num: num(c.lang),
          filter,
          scopes,
          statuses: CASE_STATUSES,
          categories: ALL_CATEGORIES,
          kinds: CASE_KINDS,
          dues: DUE_FILTERS,
          canFileForCaller: hasRole(actor, 'intake_officer', 'supervisor'),
          canMarkSpam: hasRole(actor, ...SPAM_RULE.roles),
          spamFrom: SPAM_RULE.from,
          maxSpam: MAX_SPAM_SELECTION,
          query,
          now: new Date(),
          dueState,
          pendingRequests: requests.length,
          vkey: deps.ledgerVkey(),
          ...common(req, reply),
        },
        200,
        true,
      );
    });

    /** The inbox filter of a query string (the export takes the inbox's). */
    const filterOf = (actor: StaffActor, q: Record<string, unknown>): CaseFilter => {
      const scopes = scopesFor(actor);
      return {
        scope:
          pick(q.scope, INBOX_SCOPES) && scopes.includes(q.scope as never)
            ? (q.scope as CaseFilter['scope'])
            : scopes.includes('agency') && !hasRole(actor, 'intake_officer', 'investigator')
              ? 'agency'
              : 'mine',
        status: pick(q.status, CASE_STATUSES),
        category: pick(q.category, ALL_CATEGORIES),
        kind: pick(q.kind, CASE_KINDS),
        due: pick(q.due, DUE_FILTERS),
      };
    };

    // Search decrypts in memory only the cases sealed to the user; the query is not logged or stored.
    scope.get('/staff/search', async (req, reply) => {
      const c = ctx(req, reply);
      const q = str((req.query as Record<string, unknown>).q, 400);
      let result = null;
      let fieldError: string | null = null;
      let status = 200;
      if (q !== '') {
        try {
          result = await searchCases({ db, actor: req.staff!, query: q });
        } catch (e) {
          const err = toAppError(e);
          if (err?.code !== 'invalid_input') throw e;
          fieldError = c.t(err.fields.q ?? err.userMessage);
          status = 400;
        }
      }
      return sendPage(
        reply,
        c,
        'staff-search',
        {
          title: c.t('search.title'),
          q: q.slice(0, MAX_QUERY_CHARS),
          maxQuery: MAX_QUERY_CHARS,
          result,
          fieldError,
          num: num(c.lang),
          ...common(req, reply),
        },
        status,
      );
    });

    scope.get('/staff/cases.csv', async (req, reply) => {
      const c = ctx(req, reply);
      const csv = await exportCasesCsv({
        db,
        actor: req.staff!,
        filter: filterOf(req.staff!, req.query as Record<string, unknown>),
        lang: c.lang,
      });
      const day = new Date().toISOString().slice(0, 10);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="sujarit-cases-${day}.csv"`)
        .send(csv);
    });

    scope.get('/staff/identity-requests', async (req, reply) => {
      const c = ctx(req, reply);
      const requests = await pendingIdentityRequests(db, req.staff!);
      return sendPage(
        reply,
        c,
        'staff-identity-requests',
        { title: c.t('identity.requests'), requests, maxReason: MAX_REASON, alert: null, ...common(req, reply) },
        200,
        true,
      );
    });
    scope.post<{ Params: { id: string } }>('/staff/identity-requests/:id', async (req, reply) => {
      const b = body(req);
      checkCsrf(req, b._csrf);
      try {
        await decideIdentity({
          db,
          actor: req.staff!,
          requestId: req.params.id.slice(0, 36),
          approve: b.decision === 'approve',
          reason: str(b.reason, MAX_REASON + 1),
        });
        return reply.redirect('/staff/identity-requests', 303);
      } catch (e) {
        const err = toAppError(e);
        if (!err || err.code === 'not_found') throw e;
        const c = ctx(req, reply);
        const requests = await pendingIdentityRequests(db, req.staff!);
        return sendPage(
          reply,
          c,
          'staff-identity-requests',
          {
            title: c.t('identity.requests'),
            requests,
            maxReason: MAX_REASON,
            alert: c.t(err.userMessage),
            draftFor: req.params.id,
            draft: str(b.reason, MAX_REASON),
            ...common(req, reply),
          },
          statusOf(err),
        );
      }
    });

    /**
     * The case page: the whole case for its team (audited as an opening), or its metadata for a
     * supervisor, auditor or intake officer of an agency taking part. `extra` carries an error and
     * what was typed when an action is refused.
     */
    const showCase = async (
      req: FastifyRequest,
      reply: FastifyReply,
      reference: string,
      opts: { withIdentity?: boolean; extra?: Record<string, unknown>; status?: number } = {},
    ) => {
      const c = ctx(req, reply);
      const actor = req.staff!;
      const meta = await loadCaseMeta(db, actor, reference, 'case_opened');
      if (meta.holdsKey) await fulfilGrants({ db, actor, caseId: meta.id });
      // One opening of the keys serves the case view and its witnesses.
      const opened = meta.holdsKey
        ? await openCaseKeys({ db, actor, reference, purpose: 'case_opened', withIdentity: true })
        : null;
      const view = opened ? await viewOpenedCase({ db, actor, opened, withIdentity: opts.withIdentity }) : null;
      const witnesses = view?.witnesses ?? [];
      if (!view) {
        if (opts.withIdentity)
          await recordAudit(db, {
            actorUserId: actor.id,
            action: 'case_access_denied',
            caseId: meta.id,
            caseReference: meta.reference,
            detail: { purpose: 'identity_opened' },
          });
        await recordAudit(db, {
          actorUserId: actor.id,
          action: 'case_metadata_viewed',
          caseId: meta.id,
          caseReference: meta.reference,
        });
      }
      const isSupervisor = isOwningSupervisor(actor, meta);
      const [access, history, investigators, agencies, myRequest] = await Promise.all([
        accessList(db, meta.id),
        view ? Promise.resolve(view.history) : loadHistory(db, meta.id, null, false).then((h) => h.items),
        isSupervisor
          ? db
              .selectFrom('staff_user as u')
              .innerJoin('staff_role as r', (j) => j.onRef('r.user_id', '=', 'u.id').on('r.role', '=', 'investigator'))
              .select(['u.id', 'u.email', 'u.display_name'])
              .where('u.agency_id', '=', meta.agencyId)
              .where('u.is_active', '=', true)
              .orderBy('u.email')
              .execute()
          : Promise.resolve([]),
        isSupervisor
          ? db
              .selectFrom('agency')
              .select(['code', 'name_th', 'name_en'])
              .where('id', '<>', meta.agencyId)
              .orderBy('name_th')
              .execute()
          : Promise.resolve([]),
        view
          ? db
              .selectFrom('identity_request')
              .select(['state', 'requested_at'])
              .where('case_id', '=', meta.id)
              .where('requester_id', '=', actor.id)
              .orderBy('requested_at', 'desc')
              .limit(1)
              .executeTakeFirst()
          : Promise.resolve(undefined),
      ]);
      return sendPage(
        reply,
        c,
        'staff-case',
        {
          title: meta.reference,
          meta,
          metaKind: view?.kind ?? kindOfCategory(meta.category),
          c: view,
          history,
          access,
          investigators,
          agencies,
          myRequest,
          witnesses,
          invitationLink: null,
          isSupervisor,
          canNote: view !== null,
          canRequestIdentity:
            view !== null &&
            meta.hasIdentity &&
            !view.isIdentityDisclosedToMe &&
            hasRole(actor, 'investigator', 'supervisor'),
          transitions: transitionsFor(actor, meta),
          screeningOutcomes: SCREENING_OUTCOMES,
          conclusions: CONCLUSIONS,
          complaintOutcomes: COMPLAINT_OUTCOMES,
          clocks: [
            { key: 'ack', due: meta.ackDueAt },
            { key: 'reply', due: meta.replyDueAt },
            { key: 'feedback', due: meta.feedbackDueAt },
          ].map((k) => ({ ...k, state: dueState(k.due, meta.pausedAt, new Date()) })),
          author: (m: MessageView) =>
            m.authorKind === 'reporter' ? c.t('staff.reporter') : c.t(`role.${m.authorRole ?? 'intake_officer'}`),
          who: (userId: number | null) =>
            access.find((a) => a.userId === userId)?.email ?? (userId === null ? '' : `#${userId}`),
          fileHref: (f: { id: string }) => `${caseHref(meta.reference)}/attachments/${f.id}`,
          href: caseHref(meta.reference),
          maxMessage: TEXT_LIMITS.message,
          maxReason: MAX_REASON,
          alert: null,
          form: null,
          ...common(req, reply),
          ...opts.extra,
        },
        opts.status ?? 200,
        (opts.status ?? 200) === 200 && !opts.withIdentity,
      );
    };

    /** Runs a case action from a url-encoded form; a refused action shows the case again with the error and the form's text. */
    /** `leaves`: the action may take the user's access away (a referral, a conflict): back to the inbox then. */
    const action = (
      path: string,
      run: (req: FastifyRequest<{ Params: { ref: string } }>, b: Record<string, unknown>) => Promise<unknown>,
      leaves = false,
    ) =>
      scope.post<{ Params: { ref: string } }>(`/staff/cases/:ref/${path}`, async (req, reply) => {
        const b = body(req);
        checkCsrf(req, b._csrf);
        try {
          await run(req, b);
          return reply.redirect(leaves ? '/staff/cases' : caseHref(req.params.ref), 303);
        } catch (e) {
          const err = toAppError(e);
          if (!err || err.code === 'not_found') throw e;
          const form = Object.fromEntries(
            Object.entries(b)
              .filter(([k, v]) => k !== '_csrf' && typeof v === 'string')
              .map(([k, v]) => [k, (v as string).slice(0, MAX_REASON)]),
          );
          return showCase(req, reply, req.params.ref, {
            extra: { alert: ctx(req, reply).t(err.userMessage), form: { name: path, ...form } },
            status: statusOf(err),
          });
        }
      });

    scope.get<{ Params: { ref: string } }>('/staff/cases/:ref', async (req, reply) =>
      showCase(req, reply, req.params.ref),
    );
    scope.post<{ Params: { ref: string } }>('/staff/cases/:ref/identity', async (req, reply) => {
      checkCsrf(req, body(req)._csrf);
      return showCase(req, reply, req.params.ref, { withIdentity: true });
    });
    action('transition', (req, b) =>
      transitionCase({
        db,
        actor: req.staff!,
        reference: req.params.ref,
        to: str(b.to, 32),
        reason: str(b.reason, MAX_REASON + 1),
        outcome: str(b.outcome, 40) || undefined,
        duplicateOf: str(b.duplicateOf, 64) || undefined,
      }),
    );
    action('assign', (req, b) =>
      assignInvestigator({ db, actor: req.staff!, reference: req.params.ref, userId: formId(b.userId, 'userId') }),
    );
    action('remove', (req, b) =>
      removeFromCase({
        db,
        actor: req.staff!,
        reference: req.params.ref,
        userId: formId(b.userId, 'userId'),
        reason: str(b.reason, MAX_REASON),
      }),
    );
    action(
      'conflict',
      async (req, b) => {
        const reason = str(b.reason, MAX_REASON + 1).trim();
        if (!reason)
          throw new AppError('invalid_input', 'a reason is required', 'error.form', { reason: 'error.field.required' });
        await removeFromCase({
          db,
          actor: req.staff!,
          reference: req.params.ref,
          userId: req.staff!.id,
          reason,
          isConflict: true,
        });
      },
      true,
    );
    action(
      'refer',
      (req, b) =>
        referCase({
          db,
          actor: req.staff!,
          reference: req.params.ref,
          toAgencyCode: str(b.toAgency, 16),
          mode: str(b.mode, 10),
          keepAccess: b.keepAccess === 'on',
          reason: str(b.reason, MAX_REASON + 1),
        }),
      true,
    );
    action('identity-request', (req, b) =>
      requestIdentity({ db, actor: req.staff!, reference: req.params.ref, reason: str(b.reason, MAX_REASON + 1) }),
    );
    action('notes', async (req, b) => {
      const text = validateMessage(str(b.note, TEXT_LIMITS.message + 1), false);
      const opened = await openCaseKeys({ db, actor: req.staff!, reference: req.params.ref, purpose: 'note_posted' });
      await postCaseMessage({ db, actor: req.staff!, opened, text, files: [], internal: true });
    });

    // The invitation link is shown once, on the page that answers the invitation (not after a redirect).
    scope.post<{ Params: { ref: string } }>('/staff/cases/:ref/witnesses', async (req, reply) => {
      const b = body(req);
      checkCsrf(req, b._csrf);
      try {
        const { token } = await inviteWitness({
          db,
          actor: req.staff!,
          reference: req.params.ref,
          label: str(b.label, 300),
        });
        return showCase(req, reply, req.params.ref, {
          extra: { invitationLink: `${config.publicUrl}/witness/${token}` },
        });
      } catch (e) {
        const err = toAppError(e);
        if (!err || err.code === 'not_found') throw e;
        return showCase(req, reply, req.params.ref, {
          extra: { alert: ctx(req, reply).t(err.userMessage), form: { name: 'witnesses', label: str(b.label, 300) } },
          status: statusOf(err),
        });
      }
    });
    scope.post<{ Params: { ref: string; wid: string } }>(
      '/staff/cases/:ref/witnesses/:wid/messages',
      async (req, reply) => {
        const b = body(req);
        checkCsrf(req, b._csrf);
        const text = validateMessage(str(b.message, TEXT_LIMITS.message + 1), false);
        await messageWitness({
          db,
          actor: req.staff!,
          reference: req.params.ref,
          witnessId: req.params.wid.slice(0, 36),
          text,
        });
        return reply.redirect(caseHref(req.params.ref), 303);
      },
    );
    scope.get<{ Params: { ref: string; wid: string; id: string } }>(
      '/staff/cases/:ref/witnesses/:wid/attachments/:id',
      async (req, reply) => {
        const opened = await openCaseKeys({
          db,
          actor: req.staff!,
          reference: req.params.ref,
          purpose: 'attachment_downloaded',
        });
        const w = /^[0-9a-f-]{36}$/.test(req.params.wid)
          ? await db
              .selectFrom('case_witness')
              .select('key_for_team')
              .where('id', '=', req.params.wid)
              .where('case_id', '=', opened.caseId)
              .executeTakeFirst()
          : undefined;
        if (!w) throw new AppError('not_found', 'no such witness', 'error.not_found');
        const key = Buffer.from(
          openFromTeam<string>(opened.keys.team, `witness-key/${req.params.wid}`, w.key_for_team),
          'base64',
        );
        return sendDownload(reply, {
          db,
          caseId: opened.caseId,
          caseKey: key,
          attachmentId: req.params.id,
          onFound: () =>
            recordAudit(db, {
              actorUserId: req.staff!.id,
              action: 'attachment_downloaded',
              caseId: opened.caseId,
              caseReference: opened.reference,
              detail: { attachment: req.params.id, witness: req.params.wid },
            }),
        });
      },
    );

    scope.post<{ Params: { ref: string } }>('/staff/cases/:ref/messages', async (req, reply) => {
      const opened = await openCaseKeys({
        db,
        actor: req.staff!,
        reference: req.params.ref,
        purpose: 'message_posted',
      });
      const form = await readMultipartForm(req, {
        db,
        caseKey: opened.keys.content,
        maxFileBytes: config.maxFileBytes,
        maxReportBytes: config.maxReportBytes,
      });
      try {
        if (form.error) throw form.error;
        const text = validateMessage(form.fields.message, form.files.length > 0);
        await postCaseMessage({
          db,
          actor: req.staff!,
          opened,
          text,
          files: form.files,
          awaitReporter: form.fields.awaitReporter === 'on',
        });
        return reply.redirect(caseHref(opened.reference), 303);
      } catch (e) {
        const err = toAppError(e);
        if (!err) throw e;
        const c = ctx(req, reply);
        const reselect = form.sawFiles ? ` ${c.t('error.reselect_files')}` : '';
        return showCase(req, reply, opened.reference, {
          extra: {
            alert: c.t(err.userMessage, fileParams) + reselect,
            draft: (form.fields.message ?? '').slice(0, TEXT_LIMITS.message),
          },
          status: statusOf(err),
        });
      }
    });

    scope.get<{ Params: { ref: string; id: string } }>('/staff/cases/:ref/attachments/:id', async (req, reply) => {
      const opened = await openCaseKeys({
        db,
        actor: req.staff!,
        reference: req.params.ref,
        purpose: 'attachment_downloaded',
      });
      return sendDownload(reply, {
        db,
        caseId: opened.caseId,
        caseKey: opened.keys.content,
        attachmentId: req.params.id,
        onFound: () =>
          recordAudit(db, {
            actorUserId: req.staff!.id,
            action: 'attachment_downloaded',
            caseId: opened.caseId,
            caseReference: opened.reference,
            detail: { attachment: req.params.id },
          }),
      });
    });
  });
}
