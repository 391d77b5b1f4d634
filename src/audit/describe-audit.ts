// How an audit event reads to a person: the kinds of event in groups (for a filter), and an
// event's detail as labelled fields instead of JSON. Pure: the names of the people an event
// mentions are looked up by the caller (staff/audit-trail.ts) and the texts by the page.
import { AUDIT_ACTIONS, type AuditAction } from './record-audit.ts';

/** The event kinds in the groups a reader looks for them in; every action is in exactly one. */
export const AUDIT_GROUPS: readonly { key: string; actions: readonly AuditAction[] }[] = [
  {
    key: 'cases',
    actions: [
      'case_opened',
      'case_metadata_viewed',
      'case_access_denied',
      'content_unreadable',
      'attachment_downloaded',
      'message_posted',
      'note_posted',
      'status_changed',
      'case_assigned',
      'case_member_removed',
      'conflict_declared',
      'case_business_added',
      'case_business_removed',
      'key_granted',
      'key_grant_refused',
      'case_referred',
      'case_unit_set',
      'witness_invited',
      'witness_statement',
      'complaint_filed_for_caller',
      'cases_listed',
      'cases_exported',
      'cases_searched',
    ],
  },
  { key: 'identity', actions: ['identity_requested', 'identity_request_decided', 'identity_opened'] },
  {
    key: 'accounts',
    actions: [
      'user_created',
      'account_set_up',
      'setup_link_reissued',
      'roles_changed',
      'role_grant_decided',
      'user_deactivated',
      'staff_unit_set',
      'escrow_enabled',
      'escrow_restore_requested',
      'escrow_restore_decided',
      'access_restored',
      'line_link_code_issued',
      'line_linked',
      'line_unlinked',
    ],
  },
  {
    key: 'signin',
    actions: [
      'staff_login',
      'staff_login_failed',
      'password_check_failed',
      'password_changed',
      'second_factor_enrolled',
      'recovery_code_used',
      'recovery_codes_renewed',
    ],
  },
  {
    key: 'agency',
    actions: [
      'agency_created',
      'deadlines_changed',
      'agency_settings_changed',
      'unit_added',
      'unit_changed',
      'unit_deactivated',
      'unit_reactivated',
      'audit_viewed',
    ],
  },
  {
    key: 'retention',
    actions: [
      'retention_changed',
      'case_shredded',
      'identity_erased',
      'case_hold_set',
      'case_hold_lifted',
      'personal_data_exported',
    ],
  },
  {
    key: 'oversight',
    actions: ['oversight_granted', 'agency_attributes_changed', 'oversight_viewed', 'oversight_exported'],
  },
  {
    key: 'ita',
    actions: AUDIT_ACTIONS.filter((a) => a.startsWith('ita_')),
  },
  { key: 'backup', actions: ['backup_made', 'backup_restored'] },
  { key: 'procurement', actions: ['procurement_imported', 'procurement_exported'] },
  { key: 'risk', actions: AUDIT_ACTIONS.filter((a) => a.startsWith('risk_')) },
  { key: 'ethics', actions: AUDIT_ACTIONS.filter((a) => a.startsWith('ethics_')) },
  { key: 'declarations', actions: AUDIT_ACTIONS.filter((a) => a.startsWith('declaration')) },
];

export function isAuditAction(v: unknown): v is AuditAction {
  return typeof v === 'string' && (AUDIT_ACTIONS as readonly string[]).includes(v);
}

/** Detail keys whose values are staff user ids (one, or a list). */
export const PERSON_KEYS = ['user', 'requester', 'users', 'person'] as const;
/** Detail keys whose values are staff roles (one, or a list). */
const ROLE_KEYS = new Set(['role', 'roles', 'requested']);

/** One value of a detail as it is shown: a person, roles, an event kind, yes/no, a number, or text. */
export type AuditValue =
  | { kind: 'person'; id: number }
  | { kind: 'roles'; roles: string[] }
  | { kind: 'action'; action: AuditAction }
  | { kind: 'bool'; value: boolean }
  | { kind: 'number'; value: number }
  | { kind: 'text'; value: string; key?: string };

/** A labelled field: the path of keys to it (nested objects are flattened: before › deadlines › ackDays). */
export type AuditField = { path: string[]; value: AuditValue | AuditValue[] };

const isRoleList = (v: unknown[]) => v.length > 0 && v.every((x) => typeof x === 'string' && /^[a-z_]+$/.test(x));

function fieldValue(key: string, v: unknown): AuditValue | AuditValue[] {
  if (typeof v === 'boolean') return { kind: 'bool', value: v };
  if ((PERSON_KEYS as readonly string[]).includes(key) && typeof v === 'number') return { kind: 'person', id: v };
  // A year (fiscalYear, year) is a name, not a quantity: 2570, never "2,570".
  if (typeof v === 'number' && /year$/i.test(key)) return { kind: 'text', value: String(v) };
  if (typeof v === 'number') return { kind: 'number', value: v };
  if (typeof v === 'string' && ROLE_KEYS.has(key)) return { kind: 'roles', roles: [v] };
  if (typeof v === 'string' && key === 'purpose' && isAuditAction(v)) return { kind: 'action', action: v };
  if (typeof v === 'string') return { kind: 'text', value: v, key };
  if (Array.isArray(v)) {
    if ((PERSON_KEYS as readonly string[]).includes(key) && v.every((x) => typeof x === 'number'))
      return v.map((id) => ({ kind: 'person', id }));
    if (isRoleList(v) && (ROLE_KEYS.has(key) || key === 'before' || key === 'after'))
      return { kind: 'roles', roles: v as string[] };
    return { kind: 'text', value: v.map((x) => (typeof x === 'object' ? JSON.stringify(x) : String(x))).join(', ') };
  }
  return { kind: 'text', value: v === null || v === undefined ? '—' : JSON.stringify(v) };
}

const NONE: AuditValue = { kind: 'text', value: '—' };

/**
 * An event's detail as labelled fields, in the order written; nested objects become paths (at
 * most 4 deep); an empty object or list reads as a dash. Ids of people are kept as ids.
 */
export function auditFields(detail: Record<string, unknown>, path: string[] = []): AuditField[] {
  const out: AuditField[] = [];
  for (const [key, v] of Object.entries(detail)) {
    const at = [...path, key];
    const isObject = v !== null && typeof v === 'object' && !Array.isArray(v);
    if (isObject && Object.keys(v).length > 0 && at.length < 4)
      out.push(...auditFields(v as Record<string, unknown>, at));
    else if ((isObject && Object.keys(v).length === 0) || (Array.isArray(v) && v.length === 0))
      out.push({ path: at, value: NONE });
    else out.push({ path: at, value: fieldValue(key, v) });
  }
  return out;
}

/** The staff ids a detail mentions (to look their names up once for a page). */
export function peopleIn(fields: readonly AuditField[]): number[] {
  const ids = fields.flatMap((f) => (Array.isArray(f.value) ? f.value : [f.value]));
  return [...new Set(ids.flatMap((v) => (v.kind === 'person' ? [v.id] : [])))];
}
