// The platform administrator grants a risk reviewer the agencies they oversee (and takes a grant
// back): the reviewer then reads and scores those agencies' risk registers, never their cases.
import type { FastifyInstance } from 'fastify';
import { listOversight, setOversight } from '../../risk/review.ts';
import type { StaffActor } from '../../staff/session.ts';
import type { WebDeps } from '../deps.ts';
import type { Form } from '../form.ts';
import { doneNotice, formRoute, pageRoute, sendStaffPage, type Shown, withRole } from './page.ts';

const PATH = '/staff/admin/risk-oversight';

async function oversightPage(f: Form, deps: WebDeps, actor: StaffActor, shown: Shown = {}) {
  const grants = await listOversight({ db: deps.db, actor });
  return sendStaffPage(
    f,
    deps,
    actor,
    'admin-risk-oversight',
    {
      title: f.t('risk.oversight'),
      grants,
      values: shown.error
        ? { reviewerEmail: f.str('reviewerEmail', 320), agencyCode: f.str('agencyCode', 40) }
        : { reviewerEmail: '', agencyCode: '' },
    },
    { notice: doneNotice(f, 'risk.', ['saved']), ...shown },
  );
}

export function riskOversightRoutes(scope: FastifyInstance, deps: WebDeps): void {
  const admin = withRole('platform_admin');
  pageRoute(scope, deps, PATH, admin, (f, actor) => oversightPage(f, deps, actor));
  formRoute(
    scope,
    deps,
    PATH,
    admin,
    async (f, actor) => {
      await setOversight({
        db: deps.db,
        actor,
        reviewerEmail: f.str('reviewerEmail', 320),
        agencyCode: f.str('agencyCode', 40),
        revoke: f.str('revoke', 3) === 'yes',
      });
      return f.reply.redirect(`${PATH}?done=saved`, 303);
    },
    (f, actor, shown) => oversightPage(f, deps, actor, shown),
  );
}
