// An agency administrator's staff pages: the list and the invitation form, one user's page (roles,
// a new setup link, deactivation). Another agency's user is not found, exactly like no user.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { STAFF_ROLES } from '../../db/schema.ts';
import { TEXT_LIMITS } from '../../intake/limits.ts';
import { staffMailer } from '../../mail/staff-mail.ts';
import {
  deactivateUser,
  getAgencyUser,
  inviteAgencyStaff,
  listAgencyStaff,
  reissueSetupLink,
  setUserRoles,
} from '../../staff/admin.ts';
import type { StaffActor } from '../../staff/session.ts';
import { setStaffUnit, unitsOf } from '../../staff/units.ts';
import type { WebDeps } from '../deps.ts';
import { type Form, formOf } from '../form.ts';
import { pathId } from '../input.ts';
import { MAX_NAME } from './agency-routes.ts';
import { redirectToInvitation } from './invitation.ts';
import { doneNotice, formRoute, sendStaffPage, type Shown, pageRoute, withRole } from './page.ts';

/** The roles an agency administrator may grant: every one but platform_admin. */
// The overseer role comes with the agencies a platform administrator grants (oversight-admin-routes.ts).
export const AGENCY_ROLES = STAFF_ROLES.filter((r) => r !== 'platform_admin' && r !== 'overseer');
const PATH = '/staff/admin/users';
const DONE = ['roles', 'deactivated', 'unit'];

/** The ticked roles of a form (a repeated field), at most twice as many as exist. */
function rolesOf(f: Form): string[] {
  const v = f.body.roles;
  return (Array.isArray(v) ? v : v === undefined ? [] : [v])
    .filter((x): x is string => typeof x === 'string')
    .slice(0, STAFF_ROLES.length * 2);
}

async function usersPage(f: Form, deps: WebDeps, actor: StaffActor, shown: Shown = {}) {
  return sendStaffPage(
    f,
    deps,
    actor,
    'admin-users',
    {
      title: f.t('admin.users.title'),
      users: await listAgencyStaff({ db: deps.db, actor }),
      units: await agencyUnits(deps, actor),
      roles: AGENCY_ROLES,
      chosen: rolesOf(f),
      values: { email: f.str('email', TEXT_LIMITS.email), displayName: f.str('displayName', MAX_NAME) },
      limits: { email: TEXT_LIMITS.email, name: MAX_NAME },
    },
    { notice: doneNotice(f, 'admin.done.', DONE), ...shown },
  );
}

async function userPage(f: Form, deps: WebDeps, actor: StaffActor, id: number, shown: Shown = {}) {
  const user = await getAgencyUser({ db: deps.db, actor, userId: id });
  const units = await agencyUnits(deps, actor);
  return sendStaffPage(
    f,
    deps,
    actor,
    'admin-user',
    {
      title: user.email,
      user,
      isSelf: user.id === actor.id,
      roles: AGENCY_ROLES,
      units,
      choices: units.filter((u) => u.isActive || u.id === user.unitId),
      chosenUnit: shown.error ? f.str('unit', 12) : user.unitId === null ? '' : String(user.unitId),
    },
    { notice: doneNotice(f, 'admin.done.', DONE), ...shown },
  );
}

/** The units of the administrator's agency (every one: a deactivated unit still names its staff). */
const agencyUnits = (deps: WebDeps, actor: StaffActor) =>
  actor.agencyId === null ? Promise.resolve([]) : unitsOf(deps.db, actor.agencyId);

export function staffRoutes(scope: FastifyInstance, deps: WebDeps): void {
  const { config, db } = deps;
  const delivery = { mailer: staffMailer(config), publicUrl: config.publicUrl };
  const agencyAdmin = withRole('agency_admin');
  const form = (req: FastifyRequest, reply: FastifyReply) => formOf(req, reply, config.isSecureCookies);

  pageRoute(scope, deps, PATH, agencyAdmin, (f, actor) => usersPage(f, deps, actor));
  formRoute(
    scope,
    deps,
    PATH,
    agencyAdmin,
    async (f, actor) => {
      const made = await inviteAgencyStaff({
        db,
        actor,
        email: f.str('email', TEXT_LIMITS.email),
        displayName: f.str('displayName', MAX_NAME),
        roles: rolesOf(f),
        delivery,
      });
      return redirectToInvitation(deps, f.reply, actor.id, { ...made, back: PATH });
    },
    (f, actor, shown) => usersPage(f, deps, actor, shown),
  );

  scope.get<{ Params: { id: string } }>(`${PATH}/:id`, async (req, reply) =>
    userPage(form(req, reply), deps, agencyAdmin(req), pathId(req.params.id)),
  );
  /** A form of one user's page: refused, the user's page again with the error (not found: the error page). */
  const userAction = (action: string, act: (f: Form, actor: StaffActor, id: number) => Promise<FastifyReply>) =>
    formRoute<{ id: string }>(
      scope,
      deps,
      `${PATH}/:id/${action}`,
      agencyAdmin,
      (f, actor, p) => act(f, actor, pathId(p.id)),
      (f, actor, shown, p) => userPage(f, deps, actor, pathId(p.id), shown),
    );
  userAction('roles', async (f, actor, id) => {
    await setUserRoles({ db, actor, userId: id, roles: rolesOf(f) });
    return f.reply.redirect(`${PATH}/${id}?done=roles`, 303);
  });
  userAction('unit', async (f, actor, id) => {
    await setStaffUnit({ db, actor, userId: id, unit: f.str('unit', 12) });
    return f.reply.redirect(`${PATH}/${id}?done=unit`, 303);
  });
  userAction('deactivate', async (f, actor, id) => {
    await deactivateUser({ db, actor, userId: id, confirmed: f.str('confirm', 3) === 'yes' });
    return f.reply.redirect(`${PATH}?done=deactivated`, 303);
  });
  userAction('link', async (f, actor, id) => {
    const made = await reissueSetupLink({ db, actor, userId: id, delivery });
    return redirectToInvitation(deps, f.reply, actor.id, { ...made, back: `${PATH}/${id}` });
  });
}
