// The platform administrator's side of national oversight: which agencies each overseer sees, and
// the agency attributes (ministry, province, type) the oversight console filters by.
import type { FastifyInstance } from 'fastify';
import { AGENCY_TYPES } from '../../db/schema.ts';
import { listOverseers, setAgencyAttributes, setOversight } from '../../opendata/oversight.ts';
import type { StaffActor } from '../../staff/session.ts';
import type { WebDeps } from '../deps.ts';
import type { Form } from '../form.ts';
import { doneNotice, formRoute, pageRoute, sendStaffPage, type Shown, withRole } from './page.ts';

const PATH = '/staff/admin/oversight';

type AgencyRow = { code: string; ministry: string; province: string; agency_type: string };

/**
 * The agency-details form filled with one agency's current ministry, province and type (`?agency=`
 * of the page: chosen without JavaScript), so saving it changes only what was edited.
 */
function currentOf(agencies: AgencyRow[], code: string): Record<string, string> {
  const a = agencies.find((x) => x.code === code);
  return a ? { code: a.code, ministry: a.ministry, province: a.province, agencyType: a.agency_type } : {};
}

async function oversightAdminPage(f: Form, deps: WebDeps, actor: StaffActor, shown: Shown = {}) {
  const [overseers, agencies] = await Promise.all([
    listOverseers({ db: deps.db, actor }),
    deps.db
      .selectFrom('agency')
      .select(['code', 'name_th', 'name_en', 'ministry', 'province', 'agency_type'])
      .orderBy('code')
      .execute(),
  ]);
  return sendStaffPage(
    f,
    deps,
    actor,
    'admin-oversight',
    {
      title: f.t('oversight.admin.title'),
      overseers,
      agencies,
      types: AGENCY_TYPES,
      values: f.req.method === 'POST' ? f.body : currentOf(agencies, f.query('agency', 40)),
    },
    { notice: shown.notice ?? doneNotice(f, 'oversight.admin.done.', ['grant', 'agency']), ...shown },
  );
}

export function oversightAdminRoutes(scope: FastifyInstance, deps: WebDeps): void {
  const admin = withRole('platform_admin');
  pageRoute(scope, deps, PATH, admin, (f, actor) => oversightAdminPage(f, deps, actor));
  formRoute(
    scope,
    deps,
    `${PATH}/grant`,
    admin,
    async (f, actor) => {
      const codes = f
        .str('agencies', 100_000)
        .split(/[\s,]+/)
        .filter(Boolean);
      await setOversight({ db: deps.db, actor, email: f.str('email', 320), agencyCodes: codes });
      return f.reply.redirect(`${PATH}?done=grant`, 303);
    },
    (f, actor, shown) => oversightAdminPage(f, deps, actor, shown),
  );
  formRoute(
    scope,
    deps,
    `${PATH}/agency`,
    admin,
    async (f, actor) => {
      await setAgencyAttributes({
        db: deps.db,
        actor,
        code: f.str('code', 40),
        input: {
          ministry: f.str('ministry', 300),
          province: f.str('province', 200),
          agencyType: f.str('agencyType', 40),
        },
      });
      return f.reply.redirect(`${PATH}?done=agency`, 303);
    },
    (f, actor, shown) => oversightAdminPage(f, deps, actor, shown),
  );
}
