// The agency escrow, two people: the administrator's page (enable, ask to restore a member) and the
// custodian's (complete or refuse; the restore link is mailed to the member, never shown).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sql } from 'kysely';
import { staffMailer } from '../../mail/staff-mail.ts';
import { decideRestore, enableEscrow, pendingRestores, requestRestore } from '../../staff/escrow.ts';
import { checkCsrf, csrfToken } from '../csrf.ts';
import type { WebDeps } from '../deps.ts';
import { statusOf, toAppError } from '../errors.ts';
import { formId } from '../input.ts';
import { pageContext, sendPage } from '../render.ts';
import { requireRole, requireStaff } from '../staff-auth.ts';
import { adminNav } from './routes.ts';

export function escrowRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { config, db } = deps;
  const ctx = (req: FastifyRequest, reply: FastifyReply) => pageContext(req, reply);
  const common = (req: FastifyRequest, reply: FastifyReply) => ({
    csrf: csrfToken(req, reply, config.isSecureCookies),
    staffEmail: req.staff!.email,
    nav: (deps.staffNav ?? adminNav)(req.staff!),
  });
  const body = (req: FastifyRequest) => (req.body ?? {}) as Record<string, unknown>;
  // Restore links and notices reach the member only, by mail (staff-mail.ts).
  const mailer = staffMailer(config);

  app.register(async (scope) => {
    scope.addHook('preHandler', requireStaff(db));

    const adminPage = async (
      req: FastifyRequest,
      reply: FastifyReply,
      extra: Record<string, unknown> = {},
      status = 200,
    ) => {
      const actor = requireRole(req, 'agency_admin');
      const c = ctx(req, reply);
      const [agency, members] = await Promise.all([
        db
          .selectFrom('agency')
          .select(sql<boolean>`escrow_public_key is not null`.as('enabled'))
          .where('id', '=', actor.agencyId!)
          .executeTakeFirstOrThrow(),
        db
          .selectFrom('staff_user')
          .select(['id', 'email', 'display_name', sql<boolean>`escrowed_private_key is not null`.as('escrowed')])
          .where('agency_id', '=', actor.agencyId!)
          .orderBy('email')
          .execute(),
      ]);
      return sendPage(
        reply,
        c,
        'admin-escrow',
        {
          title: c.t('escrow.title'),
          enabled: agency.enabled,
          members,
          me: actor.id,
          alert: null,
          notice: null,
          ...common(req, reply),
          ...extra,
        },
        status,
        status === 200,
      );
    };
    const run = (path: string, action: (req: FastifyRequest) => Promise<string>) =>
      scope.post(path, async (req, reply) => {
        checkCsrf(req, body(req)._csrf);
        try {
          const notice = await action(req);
          return adminPage(req, reply, { notice: ctx(req, reply).t(notice) });
        } catch (e) {
          const err = toAppError(e);
          if (!err || err.code === 'not_found') throw e;
          return adminPage(req, reply, { alert: ctx(req, reply).t(err.userMessage) }, statusOf(err));
        }
      });
    scope.get('/staff/admin/escrow', async (req, reply) => adminPage(req, reply));
    run('/staff/admin/escrow', async (req) => {
      await enableEscrow({ db, actor: requireRole(req, 'agency_admin') });
      return 'escrow.enabled';
    });
    run('/staff/admin/escrow/restore', async (req) => {
      await requestRestore({
        db,
        actor: requireRole(req, 'agency_admin'),
        userId: formId(body(req).userId, 'userId'),
        mailer,
      });
      return 'escrow.requested';
    });

    const custodianPage = async (
      req: FastifyRequest,
      reply: FastifyReply,
      extra: Record<string, unknown> = {},
      status = 200,
    ) => {
      const actor = requireRole(req, 'identity_custodian');
      const c = ctx(req, reply);
      return sendPage(
        reply,
        c,
        'escrow-restores',
        {
          title: c.t('escrow.restores'),
          requests: await pendingRestores(db, actor),
          notice: null,
          alert: null,
          ...common(req, reply),
          ...extra,
        },
        status,
      );
    };
    scope.get('/staff/escrow', async (req, reply) => custodianPage(req, reply));
    scope.post<{ Params: { id: string } }>('/staff/escrow/:id', async (req, reply) => {
      checkCsrf(req, body(req)._csrf);
      try {
        const approve = body(req).decision === 'approve';
        await decideRestore({
          db,
          actor: requireRole(req, 'identity_custodian'),
          requestId: req.params.id.slice(0, 36),
          approve,
          mailer,
          publicUrl: config.publicUrl,
        });
        return custodianPage(req, reply, { notice: ctx(req, reply).t(approve ? 'escrow.mailed' : 'escrow.refused') });
      } catch (e) {
        const err = toAppError(e);
        if (!err || err.code === 'not_found') throw e;
        return custodianPage(req, reply, { alert: ctx(req, reply).t(err.userMessage) }, statusOf(err));
      }
    });
  });
}
