// The auditor's pages: the agency's audit trail, filtered by kind of event, person and days
// (Buddhist Era dates in Thai), each event's detail as labelled fields; and the check that the
// chain was not altered. Reading the trail is audited too (staff/audit-trail.ts).
import type { FastifyInstance } from 'fastify';
import { AUDIT_GROUPS, type AuditValue } from '../../audit/describe-audit.ts';
import { AppError } from '../../errors.ts';
import {
  type AuditFilterInput,
  type AuditPage,
  auditPeople,
  checkAuditChain,
  checkAuditFilter,
  listAgencyAudit,
} from '../../staff/audit-trail.ts';
import type { StaffActor } from '../../staff/session.ts';
import type { WebDeps } from '../deps.ts';
import type { Form } from '../form.ts';
import { formRoute, pageRoute, sendStaffPage, withRole } from './page.ts';

const PATH = '/staff/audit';
const FILTERS = ['action', 'person', 'from', 'to'] as const;

/** A detail's label: the field's own text, else a category's, else the key as written. */
function labelOf(t: Form['t'], key: string): string {
  for (const k of [`audit.field.${key}`, `category.${key}`]) if (t(k) !== k) return t(k);
  return key;
}

/** Where the names of a detail's coded values are (a status, an outcome), besides `audit.value.<key>.<value>`. */
const TERMS: Record<string, string> = { from: 'status.', to: 'status.', outcome: 'outcome.', kind: 'kind.' };

/** A coded value by its name in the page's language; a value with no name (a reference, a date) as it is. */
function termOf(t: Form['t'], key: string | undefined, value: string): string {
  if (key === undefined) return value;
  for (const k of [`audit.value.${key}.${value}`, `${TERMS[key] ?? 'audit.value.none.'}${value}`])
    if (t(k) !== k) return t(k);
  return value;
}

/** A detail's value as text: people by email, roles and kinds of event by name, yes/no, numbers in the page's language. */
function textOf(f: Form, people: Record<number, string>, v: AuditValue): string {
  switch (v.kind) {
    case 'person':
      return people[v.id] ?? f.t('audit.person.other', { id: v.id });
    case 'roles':
      return v.roles.map((r) => f.t(`admin.role.${r}`)).join(', ');
    case 'action':
      return f.t(`audit.action.${v.action}`);
    case 'bool':
      return f.t(v.value ? 'staff.yes' : 'staff.no');
    case 'number':
      return new Intl.NumberFormat(f.lang === 'th' ? 'th-TH' : 'en-GB').format(v.value);
    default:
      return termOf(f.t, v.key, v.value);
  }
}

/** The page of events the filter asks for, or the filter's error (the form shows it, and no events). */
async function readTrail(
  deps: WebDeps,
  actor: StaffActor,
  typed: AuditFilterInput,
): Promise<{ trail: AuditPage | null; error: AppError | null }> {
  try {
    return { trail: await listAgencyAudit({ db: deps.db, actor, filter: checkAuditFilter(typed) }), error: null };
  } catch (e) {
    if (e instanceof AppError && e.code === 'invalid_input') return { trail: null, error: e };
    throw e;
  }
}

async function auditPage(f: Form, deps: WebDeps, actor: StaffActor) {
  const typed: AuditFilterInput = Object.fromEntries(FILTERS.map((k) => [k, f.query(k, 40)]));
  const { trail, error } = await readTrail(deps, actor, { ...typed, page: f.query('page', 7) });
  const query = (page: number) =>
    `?${new URLSearchParams({ ...Object.fromEntries(Object.entries(typed).filter(([, v]) => v)), page: String(page) })}`;
  return sendStaffPage(
    f,
    deps,
    actor,
    'admin-audit',
    {
      title: f.t('audit.title'),
      p: trail,
      typed,
      groups: AUDIT_GROUPS,
      people: await auditPeople({ db: deps.db, actor }),
      isFiltered: FILTERS.some((k) => typed[k]),
      pageHref: (page: number) => `${PATH}${query(page)}`,
      label: (path: string[]) => path.map((k) => labelOf(f.t, k)).join(' › '),
      text: (v: AuditValue | AuditValue[]) =>
        (Array.isArray(v) ? v : [v]).map((x) => textOf(f, trail?.people ?? {}, x)).join(', '),
    },
    { error, status: error ? 400 : 200 },
  );
}

export function auditRoutes(scope: FastifyInstance, deps: WebDeps): void {
  const auditor = withRole('auditor');
  pageRoute(scope, deps, PATH, auditor, (f, actor) => auditPage(f, deps, actor));
  formRoute(
    scope,
    deps,
    `${PATH}/verify`,
    auditor,
    async (f, actor) =>
      sendStaffPage(f, deps, actor, 'admin-chain', {
        title: f.t('audit.chain.title'),
        check: await checkAuditChain({ db: deps.db, actor }),
      }),
    (_f, _actor, shown) => {
      throw shown.error;
    },
  );
}
