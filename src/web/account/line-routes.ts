// Linking one's staff account to LINE (issue 18: the lesson of the day and ethics questions on
// LINE): whether it is linked, a one-time code to send to the Official Account (shown once, on the
// answer to the POST), and unlinking. Plain forms, no JavaScript.
import type { FastifyInstance } from 'fastify';
import { channelKeys } from '../../channels/line/channel-key.ts';
import { issueLinkCode, linkOf, unlinkStaff } from '../../channels/line/staff-link.ts';
import type { StaffActor } from '../../staff/session.ts';
import { doneNotice, formRoute, pageRoute, sendStaffPage, type Shown } from '../admin/page.ts';
import type { WebDeps } from '../deps.ts';
import type { Form } from '../form.ts';
import { requireStaff, staffOf } from '../staff-auth.ts';

export const LINE_ACCOUNT_PATH = '/staff/account/line';

export function lineAccountRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { config, db } = deps;
  const keys = channelKeys(deps.secrets.channelKey);
  const page = async (
    f: Form,
    actor: StaffActor,
    shown: Shown = {},
    code: { code: string; until: Date } | null = null,
  ) =>
    sendStaffPage(
      f,
      deps,
      actor,
      'account-line',
      { title: f.t('account.line.title'), isOn: config.line !== null, link: await linkOf(db, actor.id), code },
      { notice: doneNotice(f, 'account.line.', ['unlinked']), ...shown },
    );

  app.register(async (scope) => {
    scope.addHook('preHandler', requireStaff(db));
    pageRoute(scope, deps, LINE_ACCOUNT_PATH, staffOf, (f, actor) => page(f, actor));
    formRoute(
      scope,
      deps,
      `${LINE_ACCOUNT_PATH}/code`,
      staffOf,
      async (f, actor) => {
        if (!config.line) return page(f, actor);
        const { code, expiresAt } = await issueLinkCode(db, keys, actor);
        return page(f, actor, {}, { code, until: expiresAt });
      },
      (f, actor, shown) => page(f, actor, shown),
    );
    formRoute(
      scope,
      deps,
      `${LINE_ACCOUNT_PATH}/unlink`,
      staffOf,
      async (f, actor) => {
        await unlinkStaff(db, actor);
        return f.reply.redirect(`${LINE_ACCOUNT_PATH}?done=unlinked`, 303);
      },
      (f, actor, shown) => page(f, actor, shown),
    );
  });
}
