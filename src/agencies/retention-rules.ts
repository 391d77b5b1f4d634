// How long a closed case is kept before it is crypto-shredded, by kind of case and how it ended,
// and how long the sealed identity (a reporter's or complainant's name and contact, sealed apart
// from the content) is kept. An agency's administrator sets its own in agency.settings
// (`retention`); what it does not set falls back to the platform's defaults below.
//
// The defaults are the PLATFORM'S CHOICE, not an official period. The agency must set its own under
// its records rules (ระเบียบสำนักนายกรัฐมนตรีว่าด้วยงานสารบรรณ and whatever law governs its cases);
// no Thai rule found fixes a period for complaint or whistleblowing records. The reasoning:
// - PDPA B.E. 2562 s.22 limits collection to what is necessary for the purpose, s.33 gives the data
//   subject the right to erasure, and the PDPC notification on deletion, destruction and
//   de-identification (Government Gazette, 13 August 2024; in force 11 November 2024) asks that
//   deleted data, backups included, cannot be recovered by any reasonably expected means
//   (https://library.siam-legal.com/thai-law/personal-data-protection-act-rights-of-the-data-subject-sections-30-42,
//   https://mondaq.com/data-protection/1510148/). Crypto-shredding meets it for backups too: a
//   backup's ciphertext opens with no key left anywhere.
// - Whistleblowing practice: EU Directive 2019/1937 art. 18 keeps reports "no longer than necessary";
//   GlobaLeaks deletes every report after 90 days by default and its maintainers describe 1 or 2
//   years as the usual setting of European anti-corruption bodies
//   (https://github.com/orgs/globaleaks/discussions/3882, /discussions/3930).
// So: tips and complaints that led nowhere (out of scope, too little to act on, a duplicate,
// unfounded or malicious) 6 months after closure, long enough for a complaint about the handling;
// unsubstantiated tips and settled complaints 2 years; substantiated tips 10 years, as they may
// feed disciplinary or criminal proceedings (10 years is the general keeping period of official
// records under the Regulation on Correspondence B.E. 2526 as we understand it: NOT CONFIRMED here,
// the agency must check). A named complainant's identity 2 years after closure (the issue's
// example); a tip's identity is kept with its case, since the whistleblower may be needed as a witness.
import {
  CASE_KINDS,
  COMPLAINT_OUTCOMES,
  CONCLUSIONS,
  SCREENING_OUTCOMES,
  type AgencySettings,
  type CaseKind,
  type CaseOutcome,
  type RetentionSettings,
} from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { addMonths } from './deadlines.ts';

/** The longest period an agency may set: 50 years, in months. */
export const MAX_RETENTION_MONTHS = 600;

/** The outcomes a case of each kind can end with (workflow.ts). */
export const OUTCOMES_OF: Record<CaseKind, readonly CaseOutcome[]> = {
  tip: [...SCREENING_OUTCOMES, ...CONCLUSIONS],
  complaint: [...SCREENING_OUTCOMES, ...COMPLAINT_OUTCOMES],
  permit: [...SCREENING_OUTCOMES, ...COMPLAINT_OUTCOMES],
};

const LED_NOWHERE = new Set<CaseOutcome>(SCREENING_OUTCOMES);

/** The platform's default months after closure before a case is shredded (see above: our choice). */
export function defaultCaseMonths(kind: CaseKind, outcome: CaseOutcome | null): number {
  if (outcome === null || LED_NOWHERE.has(outcome)) return 6;
  if (kind === 'tip' && (outcome === 'substantiated' || outcome === 'partly_substantiated')) return 120;
  return 24;
}

/** The platform's default months after closure before the sealed identity alone is erased (null: kept with the case). */
export const DEFAULT_IDENTITY_MONTHS: Record<CaseKind, number | null> = { tip: null, complaint: 24, permit: 24 };

export function ruleKey(kind: CaseKind, outcome: CaseOutcome): string {
  return `${kind}.${outcome}`;
}

/** The rule in force for a case: months after closure and whether the agency set it. */
export type AppliedRule = {
  kind: CaseKind;
  outcome: CaseOutcome | null;
  months: number;
  source: 'agency' | 'platform';
};

export function caseRule(
  settings: AgencySettings | null | undefined,
  kind: CaseKind,
  outcome: CaseOutcome | null,
): AppliedRule {
  const own = outcome ? settings?.retention?.caseMonths?.[ruleKey(kind, outcome)] : undefined;
  return own !== undefined
    ? { kind, outcome, months: own, source: 'agency' }
    : { kind, outcome, months: defaultCaseMonths(kind, outcome), source: 'platform' };
}

export function identityMonths(settings: AgencySettings | null | undefined, kind: CaseKind): number | null {
  const own = settings?.retention?.identityMonths?.[kind];
  return own !== undefined ? own : DEFAULT_IDENTITY_MONTHS[kind];
}

/** When a case closed at `closedAt` is shredded under `rule`. */
export function deletionDate(closedAt: Date, months: number): Date {
  return addMonths(closedAt, months);
}

/** Every rule in force for an agency, for its settings page and the privacy notice. */
export type RuleTable = {
  kinds: { kind: CaseKind; outcomes: { outcome: CaseOutcome; months: number; isOwn: boolean }[] }[];
  identity: { kind: CaseKind; months: number | null; isOwn: boolean }[];
};

export function ruleTable(settings: AgencySettings | null | undefined): RuleTable {
  return {
    kinds: CASE_KINDS.map((kind) => ({
      kind,
      outcomes: OUTCOMES_OF[kind].map((outcome) => {
        const r = caseRule(settings, kind, outcome);
        return { outcome, months: r.months, isOwn: r.source === 'agency' };
      }),
    })),
    identity: CASE_KINDS.map((kind) => ({
      kind,
      months: identityMonths(settings, kind),
      isOwn: settings?.retention?.identityMonths?.[kind] !== undefined,
    })),
  };
}

/** Reads one period as typed: blank is "the platform's default" (undefined); else a whole number of months. */
function monthsOf(raw: unknown, field: string): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  // A repeated field arrives as an array: refused, not read as its only element.
  const text = typeof raw === 'string' ? raw.trim() : typeof raw === 'number' ? String(raw) : null;
  if (text === '') return undefined;
  const n = text !== null && /^\d{1,4}$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isInteger(n) || n < 1 || n > MAX_RETENTION_MONTHS)
    throw new AppError(
      'invalid_input',
      `${field} must be a whole number of months from 1 to ${MAX_RETENTION_MONTHS}`,
      'error.form',
      { [field]: 'retention.error.months' },
    );
  return n;
}

/**
 * Validates the rules typed on the settings page: field `case.<kind>.<outcome>` and
 * `identity.<kind>`, each blank (the platform's default) or 1 to MAX_RETENTION_MONTHS months.
 * Every faulty field is reported at once. Unknown fields are ignored.
 */
export function checkRetention(input: Record<string, unknown>): RetentionSettings {
  const caseMonths: Record<string, number> = {};
  const identity: Partial<Record<CaseKind, number>> = {};
  const fields: Record<string, string> = {};
  const read = (field: string, put: (n: number) => void) => {
    try {
      const n = monthsOf(input[field], field);
      if (n !== undefined) put(n);
    } catch (e) {
      if (!(e instanceof AppError)) throw e;
      Object.assign(fields, e.fields);
    }
  };
  for (const kind of CASE_KINDS) {
    for (const outcome of OUTCOMES_OF[kind])
      read(`case.${ruleKey(kind, outcome)}`, (n) => {
        caseMonths[ruleKey(kind, outcome)] = n;
      });
    read(`identity.${kind}`, (n) => {
      identity[kind] = n;
    });
  }
  if (Object.keys(fields).length > 0)
    throw new AppError(
      'invalid_input',
      `retention periods refused: ${Object.keys(fields).join(', ')}`,
      'error.form',
      fields,
    );
  return { caseMonths, identityMonths: identity };
}
