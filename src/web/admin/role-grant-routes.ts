// Confirming roles that read cases: the page of the agency's key holders (and of the platform
// administrator for an agency that has none yet). Adapters only: role-grants.ts decides who may.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { decideRoleGrant, pendingRoleGrants } from '../../staff/role-grants.ts';
import { checkCsrf, csrfToken } from '../csrf.ts';
import type { WebDeps } from '../deps.ts';
import { statusOf, toAppError } from '../errors.ts';
import { pageContext, sendPage } from '../render.ts';
import { requireStaff } from '../staff-auth.ts';
import { adminNav } from './routes.ts';

export function roleGrantRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { config, db } = deps;
  app.register(async (scope) => {
    scope.addHook('preHandler', requireStaff(db));
    const page = async (
      req: FastifyRequest,
      reply: FastifyReply,
      extra: { notice?: string | null; alert?: string | null } = {},
      status = 200,
    ) => {
      const c = pageContext(req, reply);
      const grants = await pendingRoleGrants({ db, actor: req.staff! });
      const common = {
        csrf: csrfToken(req, reply, config.isSecureCookies),
        staffEmail: req.staff!.email,
        nav: (deps.staffNav ?? adminNav)(req.staff!),
      };
      return sendPage(
        reply,
        c,
        'role-grants',
        { title: c.t('grants.title'), grants, notice: extra.notice ?? null, alert: extra.alert ?? null, ...common },
        status,
        status === 200,
      );
    };
    scope.get('/staff/role-grants', async (req, reply) => {
      const done = (req.query as Record<string, unknown>).done === '1';
      return page(req, reply, { notice: done ? pageContext(req, reply).t('grants.done') : null });
    });
    scope.post<{ Params: { id: string } }>('/staff/role-grants/:id', async (req, reply) => {
      const b = (req.body ?? {}) as Record<string, unknown>;
      checkCsrf(req, b._csrf);
      try {
        await decideRoleGrant({
          db,
          actor: req.staff!,
          grantId: req.params.id.slice(0, 36),
          approve: b.decision === 'confirm',
        });
        return reply.redirect('/staff/role-grants?done=1', 303);
      } catch (e) {
        const err = toAppError(e);
        if (!err || err.code === 'not_found') throw e;
        return page(req, reply, { alert: pageContext(req, reply).t(err.userMessage) }, statusOf(err));
      }
    });
  });
}
