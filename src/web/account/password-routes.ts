// Changing one's password: the same key pair wrapped under the new one (session.ts), so every case
// sealed to the user stays readable; the user's other sessions end.
import type { FastifyInstance } from 'fastify';
import { TEXT_LIMITS } from '../../intake/limits.ts';
import { MIN_PASSWORD_LENGTH } from '../../staff/add-user.ts';
import { changePassword, type StaffActor } from '../../staff/session.ts';
import type { WebDeps } from '../deps.ts';
import type { Form } from '../form.ts';
import { requireStaff, STAFF_COOKIE, staffOf } from '../staff-auth.ts';
import { formRoute, sendStaffPage, type Shown, pageRoute } from '../admin/page.ts';

const PATH = '/staff/account/password';

export function passwordRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { config, db } = deps;
  const page = (f: Form, actor: StaffActor, shown: Shown = {}) =>
    sendStaffPage(
      f,
      deps,
      actor,
      'account-password',
      { title: f.t('admin.password.title'), minPassword: MIN_PASSWORD_LENGTH, maxPassword: TEXT_LIMITS.password },
      {
        notice: f.query('done', 1) === '1' ? 'admin.password.done' : null,
        params: { min: MIN_PASSWORD_LENGTH },
        ...shown,
      },
    );

  app.register(async (scope) => {
    scope.addHook('preHandler', requireStaff(db));

    pageRoute(scope, deps, PATH, staffOf, page);

    formRoute(
      scope,
      deps,
      PATH,
      staffOf,
      async (f, actor) => {
        await changePassword({
          db,
          kdf: config.kdf,
          limits: deps.limits,
          actor,
          current: f.str('current', TEXT_LIMITS.password),
          next: f.str('password', TEXT_LIMITS.password),
          nextAgain: f.str('password2', TEXT_LIMITS.password),
          token: f.req.cookies[STAFF_COOKIE],
        });
        return f.reply.redirect(`${PATH}?done=1`, 303);
      },
      (f, actor, shown) => page(f, actor, shown),
    );
  });
}
