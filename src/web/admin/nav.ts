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
/** The ethics question service, open to every staff member of an agency: in the menu, never a home. */
export const ETHICS_ASK_PATH = '/staff/ethics/ask';
/** Every staff member's own declarations (any of them may hold a designated position), and the reviewers' list. */
export const DECLARATIONS_PATH = '/staff/declarations';
export const DECLARATIONS_REVIEW_PATH = '/staff/declarations/review';
/** The recovery codes page; `?used=1` after a sign-in with a recovery code. */
export const RECOVERY_PATH = '/staff/account/recovery';

/** The administration and account pages the actor may open (the inbox is the layout's own link). */
export function adminNav(actor: Pick<StaffActor, 'roles'> & { agencyId?: number | null }): NavLink[] {
  const nav: NavLink[] = [];
  if (hasRole(actor, 'overseer')) nav.push({ href: '/staff/oversight', key: 'oversight.nav' });
  if (hasRole(actor, 'platform_admin'))
    nav.push(
      { href: '/staff/admin/agencies', key: 'admin.nav.agencies' },
      { href: '/staff/admin/oversight', key: 'oversight.admin.nav' },
      { href: '/staff/admin/risk-oversight', key: 'risk.oversight' },
    );
  if (hasRole(actor, 'agency_admin'))
    nav.push(
      { href: '/staff/admin/users', key: 'admin.nav.users' },
      { href: '/staff/admin/units', key: 'units.nav' },
      { href: '/staff/admin/settings', key: 'admin.nav.settings' },
      { href: '/staff/admin/retention', key: 'retention.nav' },
      { href: '/staff/admin/escrow', key: 'escrow.title' },
      { href: '/staff/admin/declarations', key: 'declarations.admin.nav' },
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
  // every staff member of an agency takes its ethics courses (its ethics officers write them there)
  // and keeps their own declarations; the platform's administrators and overseers belong to none
  const ofAgency = actor.roles.length > 0 && !hasRole(actor, 'platform_admin', 'overseer');
  if (hasRole(actor, 'declaration_reviewer')) nav.push({ href: DECLARATIONS_REVIEW_PATH, key: 'declarations.review' });
  if (ofAgency) nav.push({ href: '/staff/ethics', key: 'ethics.nav' });
  if (hasRole(actor, 'ethics_officer'))
    nav.push(
      { href: '/staff/ethics/knowledge', key: 'ethics.qa.nav.knowledge' },
      { href: '/staff/ethics/questions', key: 'ethics.qa.nav.inbox' },
    );
  if (actor.agencyId != null) nav.push({ href: ETHICS_ASK_PATH, key: 'ethics.qa.nav.ask' });
  if (ofAgency) nav.push({ href: DECLARATIONS_PATH, key: 'declarations.nav' });
  nav.push(
    { href: '/staff/account/password', key: 'admin.nav.password' },
    { href: '/staff/account/totp', key: 'admin.nav.totp' },
  );
  // the lesson of the day and ethics questions on LINE: for staff of an agency
  if (actor.agencyId != null) nav.push({ href: '/staff/account/line', key: 'admin.nav.line' });
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
  return (
    adminNav(actor).find(
      (n) => !n.href.startsWith('/staff/account/') && n.href !== ETHICS_ASK_PATH && n.href !== DECLARATIONS_PATH,
    )?.href ?? INBOX_PATH
  );
}

/**
 * Where a sign-in leads: enrolment of the second factor first; after a recovery code, the page
 * that says how many are left and makes new ones; otherwise the user's home.
 */
export function landingOf(login: Pick<StaffLogin, 'isEnrolled' | 'roles' | 'factor'>): string {
  if (!login.isEnrolled) return ENROL_PATH;
  return login.factor === 'recovery' ? `${RECOVERY_PATH}?used=1` : homeOf(login);
}

/**
 * What the staff layout shows around a page: who is signed in, their menu, where the brand link
 * leads (their home) and whether the menu starts with the inbox (only for those whose home it is:
 * an administrator or assessor has no cases to see there).
 */
export function staffMenu(
  actor: (Pick<StaffActor, 'roles' | 'email'> & { isEnrolled: boolean }) | null,
  navOf: (actor: StaffActor) => NavLink[] = adminNav,
): { staffEmail: string | null; nav: NavLink[]; home: string; inbox: boolean } {
  if (!actor?.isEnrolled) return { staffEmail: actor?.email ?? null, nav: [], home: INBOX_PATH, inbox: false };
  const home = homeOf(actor);
  return { staffEmail: actor.email, nav: navOf(actor as StaffActor), home, inbox: home === INBOX_PATH };
}
