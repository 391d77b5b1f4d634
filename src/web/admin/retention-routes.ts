// An agency administrator's retention rules (/staff/admin/retention): months after closure before
// a case is shredded, by kind and outcome, and before a sealed identity is erased, by kind. A blank
// field is the platform's default, shown beside it. Works without JavaScript.
import type { FastifyInstance } from 'fastify';
import { OUTCOMES_OF } from '../../agencies/retention-rules.ts';
import { CASE_KINDS } from '../../db/schema.ts';
import { readRetention, saveRetention } from '../../staff/retention-settings.ts';
import type { StaffActor } from '../../staff/session.ts';
import type { WebDeps } from '../deps.ts';
import type { Form } from '../form.ts';
import { doneNotice, formRoute, pageRoute, sendStaffPage, type Shown, withRole } from './page.ts';

export const RETENTION_PATH = '/staff/admin/retention';

/** Every field of the form: `case.<kind>.<outcome>` and `identity.<kind>`. */
const FIELDS = CASE_KINDS.flatMap((kind) => [
  ...OUTCOMES_OF[kind].map((outcome) => `case.${kind}.${outcome}`),
  `identity.${kind}`,
]);

/** The fields as typed (the domain checks them); a repeated field stays a list, which the domain refuses. */
function posted(f: Form): Record<string, unknown> {
  return Object.fromEntries(FIELDS.map((name) => [name, Array.isArray(f.body[name]) ? ['', ''] : f.str(name, 12)]));
}

/** What was typed, to show again (a repeated field as blank). */
function shownValues(f: Form): Record<string, string> {
  return Object.fromEntries(FIELDS.map((name) => [name, f.str(name, 12)]));
}

async function retentionPage(f: Form, deps: WebDeps, actor: StaffActor, shown: Shown = {}) {
  const view = await readRetention({ db: deps.db, actor });
  const saved: Record<string, string> = {};
  for (const [key, months] of Object.entries(view.own.caseMonths ?? {})) saved[`case.${key}`] = String(months);
  for (const [kind, months] of Object.entries(view.own.identityMonths ?? {}))
    saved[`identity.${kind}`] = String(months);
  return sendStaffPage(
    f,
    deps,
    actor,
    'admin-retention',
    { title: f.t('retention.title'), view, values: shown.error ? shownValues(f) : saved },
    { notice: doneNotice(f, 'retention.done.', ['saved']), ...shown },
  );
}

export function retentionRoutes(scope: FastifyInstance, deps: WebDeps): void {
  const agencyAdmin = withRole('agency_admin');
  pageRoute(scope, deps, RETENTION_PATH, agencyAdmin, (f, actor) => retentionPage(f, deps, actor));
  formRoute(
    scope,
    deps,
    RETENTION_PATH,
    agencyAdmin,
    async (f, actor) => {
      await saveRetention({ db: deps.db, actor, input: posted(f) });
      return f.reply.redirect(`${RETENTION_PATH}?done=saved`, 303);
    },
    (f, actor, shown) => retentionPage(f, deps, actor, shown),
  );
}
