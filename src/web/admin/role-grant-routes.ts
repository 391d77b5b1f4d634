// Confirming roles that read cases: the page of the agency's key holders (and of the platform
// administrator for an agency that has none yet). Adapters only: role-grants.ts decides who may.
import type { FastifyInstance } from 'fastify';
import { decideRoleGrant, pendingRoleGrants } from '../../staff/role-grants.ts';
import type { StaffActor } from '../../staff/session.ts';
import type { WebDeps } from '../deps.ts';
import type { Form } from '../form.ts';
import { requireStaff, staffOf } from '../staff-auth.ts';
import { formRoute, sendStaffPage, type Shown, unlessMissing, pageRoute } from './page.ts';

const PATH = '/staff/role-grants';

export function roleGrantRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { db } = deps;
  const page = async (f: Form, actor: StaffActor, shown: Shown = {}) =>
    sendStaffPage(
      f,
      deps,
      actor,
      'role-grants',
      { title: f.t('grants.title'), grants: await pendingRoleGrants({ db, actor }) },
      { notice: f.query('done', 1) === '1' ? 'grants.done' : null, ...shown },
    );

  app.register(async (scope) => {
    scope.addHook('preHandler', requireStaff(db));
    pageRoute(scope, deps, PATH, staffOf, page);
    formRoute<{ id: string }>(
      scope,
      deps,
      `${PATH}/:id`,
      staffOf,
      async (f, actor, params) => {
        const approve = f.body.decision === 'confirm';
        await decideRoleGrant({ db, actor, grantId: params.id.slice(0, 36), approve });
        return f.reply.redirect(`${PATH}?done=1`, 303);
      },
      // A request this person may not decide is not found, exactly like none.
      (f, actor, shown) => page(f, actor, unlessMissing(shown)),
    );
  });
}
