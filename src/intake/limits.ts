// Limits and fixed lists shared by the HTML attributes, the JSON schema and the validation.

export const CATEGORIES = ['bribery', 'procurement_fraud', 'abuse_of_authority', 'misuse_of_state_property', 'conflict_of_interest', 'other'] as const;
export type Category = (typeof CATEGORIES)[number];

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
