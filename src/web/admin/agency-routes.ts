// The platform administrator's page: the agencies (staff counts, never a case), adding one, and
// inviting an agency's administrator. Handlers: parse → authorize → one call to staff/admin.ts.
import type { FastifyInstance } from 'fastify';
import { TEXT_LIMITS } from '../../intake/limits.ts';
import { createAgency, inviteAgencyAdmin, listAllAgencies } from '../../staff/admin.ts';
import type { StaffActor } from '../../staff/session.ts';
import { staffMailer } from '../../mail/staff-mail.ts';
import type { WebDeps } from '../deps.ts';
import type { Form } from '../form.ts';
import { redirectToInvitation } from './invitation.ts';
import { doneNotice, formRoute, sendStaffPage, type Shown, pageRoute, withRole } from './page.ts';

const PATH = '/staff/admin/agencies';
export const MAX_NAME = 200;

/** The agencies page; `form` names the form an error belongs to (the page has two). */
async function agenciesPage(
  f: Form,
  deps: WebDeps,
  actor: StaffActor,
  shown: Shown & { form?: 'agency' | 'invite' } = {},
) {
  return sendStaffPage(
    f,
    deps,
    actor,
    'admin-agencies',
    {
      title: f.t('admin.agencies.title'),
      agencies: await listAllAgencies({ db: deps.db, actor }),
      form: shown.form ?? null,
      values: Object.fromEntries(
        ['code', 'nameTh', 'nameEn', 'agency', 'email', 'displayName'].map((k) => [k, f.str(k, 400)]),
      ),
      limits: { email: TEXT_LIMITS.email, name: MAX_NAME },
    },
    { notice: doneNotice(f, 'admin.done.', ['agency']), ...shown },
  );
}

export function agencyRoutes(scope: FastifyInstance, deps: WebDeps): void {
  const { config, db } = deps;
  // Invitation links go to their owner by mail when a mail server is configured (staff-mail.ts).
  const delivery = { mailer: staffMailer(config), publicUrl: config.publicUrl };
  const platformAdmin = withRole('platform_admin');

  pageRoute(scope, deps, PATH, platformAdmin, (f, actor) => agenciesPage(f, deps, actor));

  formRoute(
    scope,
    deps,
    PATH,
    platformAdmin,
    async (f, actor) => {
      await createAgency({
        db,
        actor,
        code: f.str('code', 16),
        nameTh: f.str('nameTh', MAX_NAME),
        nameEn: f.str('nameEn', MAX_NAME),
      });
      return f.reply.redirect(`${PATH}?done=agency`, 303);
    },
    (f, actor, shown) => agenciesPage(f, deps, actor, { ...shown, form: 'agency' }),
  );

  formRoute(
    scope,
    deps,
    `${PATH}/invite`,
    platformAdmin,
    async (f, actor) => {
      const made = await inviteAgencyAdmin({
        db,
        actor,
        agencyCode: f.str('agency', 16),
        email: f.str('email', TEXT_LIMITS.email),
        displayName: f.str('displayName', MAX_NAME),
        delivery,
      });
      return redirectToInvitation(deps, f.reply, actor.id, { ...made, back: PATH });
    },
    (f, actor, shown) => agenciesPage(f, deps, actor, { ...shown, form: 'invite' }),
  );
}
