// The agency escrow, two people: the administrator's page (enable, ask to restore a member) and the
// custodian's (complete or refuse; the restore link is mailed to the member, never shown). Each
// action redirects to its page with a notice; staff/escrow.ts decides who may.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { staffMailer } from '../../mail/staff-mail.ts';
import { decideRestore, enableEscrow, escrowOverview, pendingRestores, requestRestore } from '../../staff/escrow.ts';
import type { StaffActor } from '../../staff/session.ts';
import type { WebDeps } from '../deps.ts';
import type { Form } from '../form.ts';
import { formId } from '../input.ts';
import { requireStaff } from '../staff-auth.ts';
import { doneNotice, formRoute, sendStaffPage, type Shown, unlessMissing, pageRoute, withRole } from './page.ts';

type Page = (f: Form, actor: StaffActor, shown?: Shown) => Promise<FastifyReply>;
type Role = 'agency_admin' | 'identity_custodian';

function escrowPages(deps: WebDeps): { admin: Page; custodian: Page } {
  return {
    admin: async (f, actor, shown = {}) =>
      sendStaffPage(
        f,
        deps,
        actor,
        'admin-escrow',
        { title: f.t('escrow.title'), ...(await escrowOverview({ db: deps.db, actor })), me: actor.id },
        { notice: doneNotice(f, 'escrow.', ['enabled', 'requested']), ...shown },
      ),
    custodian: async (f, actor, shown = {}) =>
      sendStaffPage(
        f,
        deps,
        actor,
        'escrow-restores',
        { title: f.t('escrow.restores'), requests: await pendingRestores(deps.db, actor) },
        { notice: doneNotice(f, 'escrow.', ['mailed', 'refused']), ...shown },
      ),
  };
}

/**
 * One action: `act` returns the notice to show; done, back to the page at `back` with it (a GET: a
 * reload repeats nothing); refused, the page with the error. A member or request of another agency
 * is not found, exactly like none (the error page).
 */
function action(
  scope: FastifyInstance,
  deps: WebDeps,
  at: { path: string; back: string; role: Role; page: Page },
  act: (f: Form, actor: StaffActor, params: { id?: string }) => Promise<string>,
) {
  formRoute<{ id?: string }>(
    scope,
    deps,
    at.path,
    withRole(at.role),
    async (f, actor, params) => f.reply.redirect(`${at.back}?done=${await act(f, actor, params)}`, 303),
    (f, actor, shown) => at.page(f, actor, unlessMissing(shown)),
  );
}

export function escrowRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { config, db } = deps;
  const mailer = staffMailer(config); // restore links and notices reach the member only, by mail
  const pages = escrowPages(deps);
  const admin = {
    path: '/staff/admin/escrow',
    back: '/staff/admin/escrow',
    role: 'agency_admin',
    page: pages.admin,
  } as const;
  const custodian = {
    path: '/staff/escrow/:id',
    back: '/staff/escrow',
    role: 'identity_custodian',
    page: pages.custodian,
  } as const;

  app.register(async (scope) => {
    scope.addHook('preHandler', requireStaff(db));
    for (const at of [admin, custodian]) pageRoute(scope, deps, at.back, withRole(at.role), at.page);
    action(scope, deps, admin, async (_f, actor) => {
      await enableEscrow({ db, actor });
      return 'enabled';
    });
    action(scope, deps, { ...admin, path: `${admin.path}/restore` }, async (f, actor) => {
      await requestRestore({ db, actor, userId: formId(f.body.userId, 'userId'), mailer });
      return 'requested';
    });
    action(scope, deps, custodian, async (f, actor, params) => {
      const approve = f.body.decision === 'approve';
      const requestId = (params.id ?? '').slice(0, 36);
      await decideRestore({ db, actor, requestId, approve, mailer, publicUrl: config.publicUrl });
      return approve ? 'mailed' : 'refused';
    });
  });
}
