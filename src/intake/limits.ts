// Limits and fixed lists shared by the HTML attributes, the JSON schema and the validation.

export const CATEGORIES = [
  'bribery',
  'procurement_fraud',
  'abuse_of_authority',
  'misuse_of_state_property',
  'conflict_of_interest',
  'other',
] as const;
export type Category = (typeof CATEGORIES)[number];

/** What a citizen complains about (a service complaint, not a corruption tip). */
export const COMPLAINT_CATEGORIES = [
  'service_delay',
  'staff_conduct',
  'service_quality',
  'infrastructure',
  'public_nuisance',
  'fees',
  'other_service',
] as const;
export type ComplaintCategory = (typeof COMPLAINT_CATEGORIES)[number];
/** The one category of a late-permit complaint (Licensing Facilitation Act B.E. 2558). */
export const PERMIT_CATEGORY = 'late_permit';
/** Every category a case may have, for filters and lists. */
export const ALL_CATEGORIES = [...CATEGORIES, ...COMPLAINT_CATEGORIES, PERMIT_CATEGORY] as const;
export type AnyCategory = (typeof ALL_CATEGORIES)[number];

/** Longest accepted text of each field, in characters. */
export const TEXT_LIMITS = {
  what: 20_000,
  when: 300,
  where: 1_000,
  who: 3_000,
  identityName: 300,
  identityContact: 1_000,
  message: 10_000,
  receipt: 40,
  permitReference: 200,
  ratingComment: 2_000,
  email: 320,
  password: 1_000,
} as const;

/** At most this many files in one submission or message. */
export const MAX_FILES = 10;
/** Largest form or JSON body without files. */
export const MAX_FIELDS_BYTES = 256 * 1024;

export function isCategory(value: unknown): value is Category {
  return typeof value === 'string' && (CATEGORIES as readonly string[]).includes(value);
}

export function isComplaintCategory(value: unknown): value is ComplaintCategory {
  return typeof value === 'string' && (COMPLAINT_CATEGORIES as readonly string[]).includes(value);
}
