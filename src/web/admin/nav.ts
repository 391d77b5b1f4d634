// Where a staff member goes: the administration and account pages of their menu, the page they
// land on (the case inbox for those who handle cases, their first administration page for those
// who only manage), and where a sign-in leads.
import { METADATA_ROLES } from '../../cases/case-meta.ts';
import { KEY_ROLES } from '../../db/schema.ts';
import { mayReadProcurement } from '../../procurement/store.ts';
import { hasRole, type StaffActor, type StaffLogin } from '../../staff/session.ts';
import { ENROL_PATH } from '../staff-auth.ts';

export type NavLink = { href: string; key: string };

export const INBOX_PATH = '/staff/cases';
/** The recovery codes page; `?used=1` after a sign-in with a recovery code. */
export const RECOVERY_PATH = '/staff/account/recovery';

/** The administration and account pages the actor may open (the inbox is the layout's own link). */
export function adminNav(actor: Pick<StaffActor, 'roles'>): NavLink[] {
  const nav: NavLink[] = [];
  if (hasRole(actor, 'overseer')) nav.push({ href: '/staff/oversight', key: 'oversight.nav' });
  if (hasRole(actor, 'platform_admin'))
    nav.push(
      { href: '/staff/admin/agencies', key: 'admin.nav.agencies' },
      { href: '/staff/admin/oversight', key: 'oversight.admin.nav' },
    );
  if (hasRole(actor, 'agency_admin'))
    nav.push(
      { href: '/staff/admin/users', key: 'admin.nav.users' },
      { href: '/staff/admin/settings', key: 'admin.nav.settings' },
      { href: '/staff/admin/retention', key: 'retention.nav' },
      { href: '/staff/admin/escrow', key: 'escrow.title' },
    );
  if (hasRole(actor, 'identity_custodian'))
    nav.push(
      { href: '/staff/identity-requests', key: 'identity.requests' },
      { href: '/staff/escrow', key: 'escrow.restores' },
      { href: '/staff/personal-data', key: 'personal.nav' },
    );
  if (hasRole(actor, 'platform_admin', ...KEY_ROLES)) nav.push({ href: '/staff/role-grants', key: 'grants.nav' });
  if (hasRole(actor, 'auditor')) nav.push({ href: '/staff/audit', key: 'admin.nav.audit' });
  if (hasRole(actor, 'agency_admin', 'ita_assessor')) nav.push({ href: '/staff/ita', key: 'ita.nav' });
  // The register before the red flags: a risk officer lands on the registers (homeOf).
  if (hasRole(actor, 'risk_officer', 'risk_reviewer', 'supervisor', 'auditor'))
    nav.push({ href: '/staff/risk', key: 'risk.nav' });
  if (mayReadProcurement(actor)) nav.push({ href: '/staff/procurement', key: 'procurement.nav' });
  if (hasRole(actor, 'platform_admin')) nav.push({ href: '/staff/admin/risk-oversight', key: 'risk.oversight' });
  nav.push(
    { href: '/staff/account/password', key: 'admin.nav.password' },
    { href: '/staff/account/totp', key: 'admin.nav.totp' },
  );
  return nav;
}

/**
 * Where the user lands (after sign-in, on /staff, after keeping the recovery codes): the case inbox
 * for whoever holds a role that handles or oversees cases; otherwise their first page of
 * administration (agencies for the platform administrator, staff for an agency administrator, ITA
 * for an assessor), never an inbox that is empty by design.
 */
export function homeOf(actor: Pick<StaffActor, 'roles'>): string {
  if (hasRole(actor, ...KEY_ROLES, ...METADATA_ROLES)) return INBOX_PATH;
  return adminNav(actor).find((n) => !n.href.startsWith('/staff/account/'))?.href ?? INBOX_PATH;
}

/**
 * Where a sign-in leads: enrolment of the second factor first; after a recovery code, the page
 * that says how many are left and makes new ones; otherwise the user's home.
 */
export function landingOf(login: Pick<StaffLogin, 'isEnrolled' | 'roles' | 'factor'>): string {
  if (!login.isEnrolled) return ENROL_PATH;
  return login.factor === 'recovery' ? `${RECOVERY_PATH}?used=1` : homeOf(login);
}
