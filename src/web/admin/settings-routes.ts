// An agency administrator's settings: the deadline policy (the default, and per category of tips,
// complaints and late-permit complaints) and whether reporters are told of a disclosure.
import type { FastifyInstance } from 'fastify';
import { DEFAULT_POLICY } from '../../agencies/deadlines.ts';
import type { AgencySettings } from '../../db/schema.ts';
import { CATEGORIES, COMPLAINT_CATEGORIES, PERMIT_CATEGORY } from '../../intake/limits.ts';
import { readAgencySettings, saveAgencySettings, type SettingsInput } from '../../staff/agency-settings.ts';
import type { StaffActor } from '../../staff/session.ts';
import type { WebDeps } from '../deps.ts';
import type { Form } from '../form.ts';
import { doneNotice, formRoute, sendStaffPage, type Shown, pageRoute, withRole } from './page.ts';

const PATH = '/staff/admin/settings';
const POLICY_FIELDS = ['ackDays', 'replyDays', 'feedbackMonths'] as const;
/** The categories with deadlines of their own, by kind: each kind is a table of the form. */
const CATEGORY_GROUPS = [
  { key: 'tip', categories: CATEGORIES },
  { key: 'complaint', categories: COMPLAINT_CATEGORIES },
  { key: 'permit', categories: [PERMIT_CATEGORY] },
] as const;
const ALL = CATEGORY_GROUPS.flatMap((g) => [...g.categories]);

/** The form's fields as saved (the platform's defaults where the agency set none). */
function savedValues(s: AgencySettings): Record<string, unknown> {
  const values: Record<string, unknown> = {
    ackDays: s.deadlines?.ackDays ?? DEFAULT_POLICY.ackDays,
    replyDays: s.deadlines?.replyDays ?? DEFAULT_POLICY.replyDays,
    feedbackMonths: s.deadlines?.feedbackMonths ?? DEFAULT_POLICY.feedbackMonths,
    pauseWhileWaiting: s.deadlines?.pauseWhileWaiting ?? DEFAULT_POLICY.pauseWhileWaiting,
    notifyReporterOfDisclosure: s.notifyReporterOfDisclosure ?? true,
  };
  for (const cat of ALL) for (const k of POLICY_FIELDS) values[`${cat}.${k}`] = s.categoryDeadlines?.[cat]?.[k] ?? '';
  return values;
}

/** The form as posted: numbers as typed (the domain checks them), an unticked box as false. */
function postedInput(f: Form): SettingsInput & { values: Record<string, unknown> } {
  const num = (k: string) => f.str(k, 10).trim();
  const deadlines: Record<string, unknown> = { pauseWhileWaiting: f.body.pauseWhileWaiting === 'on' };
  for (const k of POLICY_FIELDS) deadlines[k] = num(k);
  const categoryDeadlines: Record<string, Record<string, unknown>> = {};
  for (const cat of ALL) categoryDeadlines[cat] = Object.fromEntries(POLICY_FIELDS.map((k) => [k, num(`${cat}.${k}`)]));
  const notifyReporterOfDisclosure = f.body.notifyReporterOfDisclosure === 'on';
  const values: Record<string, unknown> = { ...deadlines, notifyReporterOfDisclosure };
  for (const cat of ALL) for (const k of POLICY_FIELDS) values[`${cat}.${k}`] = categoryDeadlines[cat][k];
  return { deadlines, categoryDeadlines, notifyReporterOfDisclosure, values };
}

async function settingsPage(f: Form, deps: WebDeps, actor: StaffActor, shown: Shown = {}) {
  const agency = await readAgencySettings({ db: deps.db, actor });
  return sendStaffPage(
    f,
    deps,
    actor,
    'admin-settings',
    {
      title: f.t('admin.settings.title'),
      agency,
      groups: CATEGORY_GROUPS,
      defaults: DEFAULT_POLICY,
      // What is saved, or what was typed when the form comes back with an error.
      values: shown.error ? postedInput(f).values : savedValues(agency.settings),
    },
    { notice: doneNotice(f, 'admin.done.', ['settings']), ...shown },
  );
}

export function settingsRoutes(scope: FastifyInstance, deps: WebDeps): void {
  const agencyAdmin = withRole('agency_admin');
  pageRoute(scope, deps, PATH, agencyAdmin, (f, actor) => settingsPage(f, deps, actor));
  formRoute(
    scope,
    deps,
    PATH,
    agencyAdmin,
    async (f, actor) => {
      const { values: _, ...input } = postedInput(f);
      await saveAgencySettings({ db: deps.db, actor, input });
      return f.reply.redirect(`${PATH}?done=settings`, 303);
    },
    (f, actor, shown) => settingsPage(f, deps, actor, shown),
  );
}
