// An agency administrator's declaration settings (/staff/admin/declarations): the agency's policy
// (deadlines, reminders, public summaries), its designated positions, and who holds them (from a
// day, until a day). The administrator never sees a declaration. Works without JavaScript.
import type { FastifyInstance } from 'fastify';
import {
  addPosition,
  CATEGORIES,
  policyOf,
  positionsOf,
  readPolicy,
  savePolicy,
  setHolding,
} from '../../declarations/positions.ts';
import type { StaffActor } from '../../staff/session.ts';
import type { WebDeps } from '../deps.ts';
import type { Form } from '../form.ts';
import { formId } from '../input.ts';
import { typedOf } from '../console/staff-page.ts';
import { doneNotice, formRoute, pageRoute, sendStaffPage, type Shown, withRole } from './page.ts';

export const DECLARATION_ADMIN_PATH = '/staff/admin/declarations';

async function adminPage(f: Form, deps: WebDeps, actor: StaffActor, shown: Shown = {}, formName = '') {
  const [view, policy] = await Promise.all([positionsOf(deps.db, actor), policyOf(deps.db, actor.agencyId ?? -1)]);
  return sendStaffPage(
    f,
    deps,
    actor,
    'admin-declarations',
    {
      title: f.t('declarations.admin.title'),
      ...view,
      policy,
      categories: CATEGORIES,
      form: shown.error ? { ...typedOf(f.body, 300), _form: formName } : null,
    },
    { notice: doneNotice(f, 'declarations.admin.done.', ['policy', 'position', 'holder']), ...shown },
  );
}

export function declarationAdminRoutes(scope: FastifyInstance, deps: WebDeps): void {
  const agencyAdmin = withRole('agency_admin');
  const { db } = deps;
  pageRoute(scope, deps, DECLARATION_ADMIN_PATH, agencyAdmin, (f, actor) => adminPage(f, deps, actor));
  const form = (path: string, name: string, act: (f: Form, actor: StaffActor) => Promise<unknown>) =>
    formRoute(
      scope,
      deps,
      `${DECLARATION_ADMIN_PATH}/${path}`,
      agencyAdmin,
      async (f, actor) => {
        await act(f, actor);
        return f.reply.redirect(`${DECLARATION_ADMIN_PATH}?done=${name}`, 303);
      },
      (f, actor, shown) => adminPage(f, deps, actor, shown, name),
    );
  form('policy', 'policy', (f, actor) => savePolicy({ db, actor, policy: readPolicy(f.str) }));
  form('positions', 'position', (f, actor) =>
    addPosition({ db, actor, category: f.str('category', 20), name: f.str('name', 201) }),
  );
  form('holders', 'holder', (f, actor) =>
    setHolding({
      db,
      actor,
      positionId: formId(f.str('positionId', 12), 'positionId'),
      userId: formId(f.str('userId', 12), 'userId'),
      day: f.str('day', 20),
      leaving: f.str('leaving', 5) === 'on',
    }),
  );
}
