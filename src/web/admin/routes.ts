// Administration pages: agencies (platform administrator), the staff and settings of one agency
// (agency administrator) and the agency's audit trail (auditor). Adapters only: parse, check the
// role, one call to src/staff/admin.ts, render or redirect.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DEFAULT_POLICY } from '../../agencies/deadlines.ts';
import { STAFF_ROLES } from '../../db/schema.ts';
import { AppError } from '../../errors.ts';
import { CATEGORIES, TEXT_LIMITS } from '../../intake/limits.ts';
import {
  checkAuditChain,
  createAgency,
  deactivateUser,
  getAgencyUser,
  inviteAgencyAdmin,
  inviteAgencyStaff,
  listAgencyAudit,
  listAgencyStaff,
  listAllAgencies,
  readAgencySettings,
  reissueSetupLink,
  saveAgencySettings,
  setUserRoles,
} from '../../staff/admin.ts';
import { SETUP_LINK_DAYS } from '../../staff/add-user.ts';
import { staffMailer } from '../../mail/staff-mail.ts';
import { isKeyRole } from '../../staff/role-grants.ts';
import { checkCsrf, csrfToken } from '../csrf.ts';
import type { WebDeps } from '../deps.ts';
import { statusOf, toAppError } from '../errors.ts';
import { pageContext, sendPage } from '../render.ts';
import { pathId } from '../input.ts';
import { adminNav } from './nav.ts';
import { requireRole, requireStaff } from '../staff-auth.ts';

export { adminNav, homeOf, type NavLink } from './nav.ts';

/** The roles an agency administrator may grant: every one but platform_admin. */
export const AGENCY_ROLES = STAFF_ROLES.filter((r) => r !== 'platform_admin');

/** One-time notices after a redirect (`?done=`). */
const DONE = ['agency', 'roles', 'deactivated', 'settings'] as const;
const MAX_NAME = 200;

export function adminRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { config, db } = deps;
  const csrf = (req: FastifyRequest, reply: FastifyReply) => csrfToken(req, reply, config.isSecureCookies);
  const ctx = (req: FastifyRequest, reply: FastifyReply) => pageContext(req, reply);
  const body = (req: FastifyRequest) => (req.body ?? {}) as Record<string, unknown>;
  const str = (v: unknown, max: number) => (typeof v === 'string' ? v.slice(0, max) : '');
  const list = (v: unknown) =>
    (Array.isArray(v) ? v : v === undefined ? [] : [v])
      .filter((x): x is string => typeof x === 'string')
      .slice(0, STAFF_ROLES.length * 2);
  const common = (req: FastifyRequest, reply: FastifyReply) => ({
    csrf: csrf(req, reply),
    staffEmail: req.staff!.email,
    nav: (deps.staffNav ?? adminNav)(req.staff!),
  });
  const done = (req: FastifyRequest) => {
    const d = (req.query as Record<string, unknown>).done;
    return (DONE as readonly unknown[]).includes(d) ? `admin.done.${String(d)}` : null;
  };
  const setupUrl = (token: string) => `${config.publicUrl}/staff/setup/${token}`;
  /**
   * An AppError the form can show again; anything else goes to the error page. A refusal that names
   * a field (no account gives itself a role) is the form's answer too, with its 403.
   */
  const formError = (e: unknown): AppError => {
    const err = toAppError(e);
    if (
      !err ||
      err.code === 'not_found' ||
      (err.code === 'forbidden' && Object.keys(err.fields).length === 0) ||
      err.code === 'unavailable'
    )
      throw e;
    return err;
  };
  /** The one-time setup link, shown once on the answer to the POST that made it. */
  const linkPage = (
    req: FastifyRequest,
    reply: FastifyReply,
    email: string,
    token: string | null,
    back: string,
    pending: readonly string[] = [],
  ) => {
    const c = ctx(req, reply);
    return sendPage(reply, c, 'admin-link', {
      title: c.t(token ? 'admin.link.title' : 'admin.link.mailed_title'),
      email,
      url: token ? setupUrl(token) : null,
      days: SETUP_LINK_DAYS,
      back,
      pending,
      ...common(req, reply),
    });
  };
  // Invitation links go to their owner by mail when a mail server is configured (staff-mail.ts).
  const delivery = { mailer: staffMailer(config), publicUrl: config.publicUrl };

  app.register(async (scope) => {
    scope.addHook('preHandler', requireStaff(db));

    // --- Platform administrator: agencies and their administrators ---------------------------------

    const agenciesPage = async (
      req: FastifyRequest,
      reply: FastifyReply,
      extra: {
        alert?: string | null;
        errors?: Record<string, string>;
        values?: Record<string, string>;
        form?: string;
      } = {},
      status = 200,
    ) => {
      const c = ctx(req, reply);
      const agencies = await listAllAgencies({ db, actor: req.staff! });
      return sendPage(
        reply,
        c,
        'admin-agencies',
        {
          title: c.t('admin.agencies.title'),
          agencies,
          notice: status === 200 ? done(req) : null,
          alert: extra.alert ?? null,
          errors: extra.errors ?? {},
          values: extra.values ?? {},
          form: extra.form ?? null,
          limits: { email: TEXT_LIMITS.email, name: MAX_NAME },
          ...common(req, reply),
        },
        status,
        status === 200,
      );
    };

    scope.get('/staff/admin/agencies', async (req, reply) => {
      requireRole(req, 'platform_admin');
      return agenciesPage(req, reply);
    });

    scope.post('/staff/admin/agencies', async (req, reply) => {
      const b = body(req);
      checkCsrf(req, b._csrf);
      const actor = requireRole(req, 'platform_admin');
      const values = { code: str(b.code, 16), nameTh: str(b.nameTh, MAX_NAME), nameEn: str(b.nameEn, MAX_NAME) };
      try {
        await createAgency({ db, actor, ...values });
        return reply.redirect('/staff/admin/agencies?done=agency', 303);
      } catch (e) {
        const err = formError(e);
        return agenciesPage(
          req,
          reply,
          { alert: ctx(req, reply).t(err.userMessage), errors: { ...err.fields }, values, form: 'agency' },
          statusOf(err),
        );
      }
    });

    scope.post('/staff/admin/agencies/invite', async (req, reply) => {
      const b = body(req);
      checkCsrf(req, b._csrf);
      const actor = requireRole(req, 'platform_admin');
      const values = {
        agency: str(b.agency, 16),
        email: str(b.email, TEXT_LIMITS.email),
        displayName: str(b.displayName, MAX_NAME),
      };
      try {
        const { token } = await inviteAgencyAdmin({
          db,
          actor,
          agencyCode: values.agency,
          email: values.email,
          displayName: values.displayName,
          delivery,
        });
        return linkPage(req, reply, values.email.trim().toLowerCase(), token, '/staff/admin/agencies');
      } catch (e) {
        const err = toAppError(e);
        // An unknown agency code is the form's fault here, not a missing page.
        if (err?.code === 'not_found')
          return agenciesPage(
            req,
            reply,
            {
              alert: ctx(req, reply).t('error.form'),
              errors: { agency: 'error.field.invalid' },
              values,
              form: 'invite',
            },
            400,
          );
        const fe = formError(e);
        return agenciesPage(
          req,
          reply,
          { alert: ctx(req, reply).t(fe.userMessage), errors: { ...fe.fields }, values, form: 'invite' },
          statusOf(fe),
        );
      }
    });

    // --- Agency administrator: staff --------------------------------------------------------------

    const usersPage = async (
      req: FastifyRequest,
      reply: FastifyReply,
      extra: {
        alert?: string | null;
        errors?: Record<string, string>;
        values?: Record<string, string>;
        roles?: string[];
      } = {},
      status = 200,
    ) => {
      const c = ctx(req, reply);
      const users = await listAgencyStaff({ db, actor: req.staff! });
      return sendPage(
        reply,
        c,
        'admin-users',
        {
          title: c.t('admin.users.title'),
          users,
          roles: AGENCY_ROLES,
          chosen: extra.roles ?? [],
          notice: status === 200 ? done(req) : null,
          alert: extra.alert ?? null,
          errors: extra.errors ?? {},
          values: extra.values ?? {},
          limits: { email: TEXT_LIMITS.email, name: MAX_NAME },
          ...common(req, reply),
        },
        status,
        status === 200,
      );
    };

    scope.get('/staff/admin/users', async (req, reply) => {
      requireRole(req, 'agency_admin');
      return usersPage(req, reply);
    });

    scope.post('/staff/admin/users', async (req, reply) => {
      const b = body(req);
      checkCsrf(req, b._csrf);
      const actor = requireRole(req, 'agency_admin');
      const values = { email: str(b.email, TEXT_LIMITS.email), displayName: str(b.displayName, MAX_NAME) };
      const roles = list(b.roles);
      try {
        const { token } = await inviteAgencyStaff({
          db,
          actor,
          email: values.email,
          displayName: values.displayName,
          roles,
          delivery,
        });
        return linkPage(
          req,
          reply,
          values.email.trim().toLowerCase(),
          token,
          '/staff/admin/users',
          roles.filter(isKeyRole),
        );
      } catch (e) {
        const err = formError(e);
        return usersPage(
          req,
          reply,
          { alert: ctx(req, reply).t(err.userMessage), errors: { ...err.fields }, values, roles },
          statusOf(err),
        );
      }
    });

    const userPage = async (
      req: FastifyRequest,
      reply: FastifyReply,
      id: number,
      extra: { alert?: string | null; errors?: Record<string, string> } = {},
      status = 200,
    ) => {
      const c = ctx(req, reply);
      const user = await getAgencyUser({ db, actor: req.staff!, userId: id });
      return sendPage(
        reply,
        c,
        'admin-user',
        {
          title: user.email,
          user,
          isSelf: user.id === req.staff!.id,
          roles: AGENCY_ROLES,
          notice: status === 200 ? done(req) : null,
          alert: extra.alert ?? null,
          errors: extra.errors ?? {},
          ...common(req, reply),
        },
        status,
        status === 200,
      );
    };

    scope.get<{ Params: { id: string } }>('/staff/admin/users/:id', async (req, reply) => {
      requireRole(req, 'agency_admin');
      return userPage(req, reply, pathId(req.params.id));
    });

    scope.post<{ Params: { id: string } }>('/staff/admin/users/:id/roles', async (req, reply) => {
      const b = body(req);
      checkCsrf(req, b._csrf);
      const actor = requireRole(req, 'agency_admin');
      const id = pathId(req.params.id);
      try {
        await setUserRoles({ db, actor, userId: id, roles: list(b.roles) });
        return reply.redirect(`/staff/admin/users/${id}?done=roles`, 303);
      } catch (e) {
        const err = formError(e);
        return userPage(
          req,
          reply,
          id,
          { alert: ctx(req, reply).t(err.userMessage), errors: { ...err.fields } },
          statusOf(err),
        );
      }
    });

    scope.post<{ Params: { id: string } }>('/staff/admin/users/:id/deactivate', async (req, reply) => {
      const b = body(req);
      checkCsrf(req, b._csrf);
      const actor = requireRole(req, 'agency_admin');
      const id = pathId(req.params.id);
      try {
        if (b.confirm !== 'yes')
          throw new AppError('invalid_input', 'deactivation not confirmed', 'admin.user.confirm_required', {
            confirm: 'admin.user.confirm_required',
          });
        await deactivateUser({ db, actor, userId: id });
        return reply.redirect('/staff/admin/users?done=deactivated', 303);
      } catch (e) {
        const err = formError(e);
        return userPage(
          req,
          reply,
          id,
          { alert: ctx(req, reply).t(err.userMessage), errors: { ...err.fields } },
          statusOf(err),
        );
      }
    });

    scope.post<{ Params: { id: string } }>('/staff/admin/users/:id/link', async (req, reply) => {
      checkCsrf(req, body(req)._csrf);
      const actor = requireRole(req, 'agency_admin');
      const id = pathId(req.params.id);
      try {
        const user = await getAgencyUser({ db, actor, userId: id });
        const { token } = await reissueSetupLink({ db, actor, userId: id, delivery });
        return linkPage(req, reply, user.email, token, `/staff/admin/users/${id}`);
      } catch (e) {
        const err = formError(e);
        return userPage(req, reply, id, { alert: ctx(req, reply).t(err.userMessage) }, statusOf(err));
      }
    });

    // --- Agency administrator: settings -----------------------------------------------------------

    const settingsPage = async (
      req: FastifyRequest,
      reply: FastifyReply,
      extra: { alert?: string | null; errors?: Record<string, string>; values?: Record<string, unknown> } = {},
      status = 200,
    ) => {
      const c = ctx(req, reply);
      const agency = await readAgencySettings({ db, actor: req.staff! });
      const s = agency.settings;
      // The form shows what is saved, or what was typed when it comes back with an error.
      const saved: Record<string, unknown> = {
        ackDays: s.deadlines?.ackDays ?? DEFAULT_POLICY.ackDays,
        replyDays: s.deadlines?.replyDays ?? DEFAULT_POLICY.replyDays,
        feedbackMonths: s.deadlines?.feedbackMonths ?? DEFAULT_POLICY.feedbackMonths,
        pauseWhileWaiting: s.deadlines?.pauseWhileWaiting ?? DEFAULT_POLICY.pauseWhileWaiting,
        notifyReporterOfDisclosure: s.notifyReporterOfDisclosure ?? true,
      };
      for (const cat of CATEGORIES)
        for (const k of ['ackDays', 'replyDays', 'feedbackMonths'] as const)
          saved[`${cat}.${k}`] = s.categoryDeadlines?.[cat]?.[k] ?? '';
      return sendPage(
        reply,
        c,
        'admin-settings',
        {
          title: c.t('admin.settings.title'),
          agency,
          categories: CATEGORIES,
          defaults: DEFAULT_POLICY,
          values: extra.values ?? saved,
          notice: status === 200 ? done(req) : null,
          alert: extra.alert ?? null,
          errors: extra.errors ?? {},
          ...common(req, reply),
        },
        status,
        status === 200,
      );
    };

    scope.get('/staff/admin/settings', async (req, reply) => {
      requireRole(req, 'agency_admin');
      return settingsPage(req, reply);
    });

    scope.post('/staff/admin/settings', async (req, reply) => {
      const b = body(req);
      checkCsrf(req, b._csrf);
      const actor = requireRole(req, 'agency_admin');
      const num = (k: string) => str(b[k], 10).trim();
      const values: Record<string, unknown> = {
        ackDays: num('ackDays'),
        replyDays: num('replyDays'),
        feedbackMonths: num('feedbackMonths'),
        pauseWhileWaiting: b.pauseWhileWaiting === 'on',
        notifyReporterOfDisclosure: b.notifyReporterOfDisclosure === 'on',
      };
      const categoryDeadlines: Record<string, Record<string, unknown>> = {};
      for (const cat of CATEGORIES) {
        categoryDeadlines[cat] = {};
        for (const k of ['ackDays', 'replyDays', 'feedbackMonths']) {
          values[`${cat}.${k}`] = num(`${cat}.${k}`);
          categoryDeadlines[cat][k] = values[`${cat}.${k}`];
        }
      }
      try {
        // An unchecked box sends nothing: the default policy's pause is always given explicitly.
        await saveAgencySettings({
          db,
          actor,
          input: {
            deadlines: {
              ackDays: values.ackDays,
              replyDays: values.replyDays,
              feedbackMonths: values.feedbackMonths,
              pauseWhileWaiting: values.pauseWhileWaiting,
            },
            categoryDeadlines,
            notifyReporterOfDisclosure: values.notifyReporterOfDisclosure as boolean,
          },
        });
        return reply.redirect('/staff/admin/settings?done=settings', 303);
      } catch (e) {
        const err = formError(e);
        return settingsPage(
          req,
          reply,
          { alert: ctx(req, reply).t(err.userMessage), errors: { ...err.fields }, values },
          statusOf(err),
        );
      }
    });

    // --- Auditor: the agency's audit trail --------------------------------------------------------

    scope.get('/staff/audit', async (req, reply) => {
      const actor = requireRole(req, 'auditor');
      const c = ctx(req, reply);
      const page = Number.parseInt(String((req.query as Record<string, unknown>).page ?? '1'), 10) || 1;
      const p = await listAgencyAudit({ db, actor, page });
      return sendPage(
        reply,
        c,
        'admin-audit',
        { title: c.t('audit.title'), p, json: (d: unknown) => JSON.stringify(d), ...common(req, reply) },
        200,
        true,
      );
    });

    scope.post('/staff/audit/verify', async (req, reply) => {
      checkCsrf(req, body(req)._csrf);
      const actor = requireRole(req, 'auditor');
      const c = ctx(req, reply);
      const check = await checkAuditChain({ db, actor });
      return sendPage(reply, c, 'admin-chain', { title: c.t('audit.chain.title'), check, ...common(req, reply) });
    });
  });
}
