// Marking a flood as spam: an intake officer or a supervisor closes many cases at once as
// unfounded. Each case moves on its own through transitionCase with SPAM_RULE (its own transaction,
// history event, audit row and ledger closure), so a refusal of one case leaves the others alone.
import type { Db } from '../db/connection.ts';
import { AppError, isAppError } from '../errors.ts';
import { hasRole, type StaffActor } from '../staff/session.ts';
import { checkReason, SPAM_RULE, transitionCase } from './workflow.ts';

/** The most cases one action marks. */
export const MAX_SPAM_SELECTION = 200;

/** Why a case was not marked: not visible to the actor, not theirs to move, or past screening. */
export type SpamSkip = { reference: string; why: 'not_found' | 'forbidden' | 'state' };
export type SpamResult = { marked: string[]; skipped: SpamSkip[] };

/** The selection as given: trimmed, each reference once, refused past MAX_SPAM_SELECTION. */
export function spamSelection(references: unknown): string[] {
  const list = (Array.isArray(references) ? references : [references])
    .filter((r): r is string => typeof r === 'string')
    .map((r) => r.trim().slice(0, 64))
    .filter((r) => r !== '');
  const unique = [...new Set(list)];
  if (unique.length === 0) throw new AppError('invalid_input', 'select at least one case', 'spam.none');
  if (unique.length > MAX_SPAM_SELECTION)
    throw new AppError('invalid_input', `at most ${MAX_SPAM_SELECTION} cases per action`, 'spam.too_many');
  return unique;
}

/** MUST be called by an intake officer or a supervisor; every other role is refused (403) before any case is read. */
export function checkMaySpam(actor: StaffActor): void {
  if (!hasRole(actor, ...SPAM_RULE.roles))
    throw new AppError('forbidden', 'only intake officers and supervisors mark spam', 'error.forbidden');
}

/**
 * Closes each selected case as unfounded (SPAM_RULE) with the reason as typed (checked: required,
 * at most MAX_REASON, field `reason`); the others are reported as skipped.
 */
export async function markSpam({
  db,
  actor,
  references,
  reason: typed,
}: {
  db: Db;
  actor: StaffActor;
  references: unknown;
  reason: unknown;
}): Promise<SpamResult> {
  checkMaySpam(actor);
  const reason = checkReason(typed);
  const selection = spamSelection(references);
  const result: SpamResult = { marked: [], skipped: [] };
  for (const reference of selection) {
    try {
      await transitionCase({
        db,
        actor,
        reference,
        to: SPAM_RULE.to,
        reason,
        outcome: 'unfounded_or_malicious',
        rules: [SPAM_RULE],
      });
      result.marked.push(reference);
    } catch (e) {
      if (!isAppError(e) || e.code === 'invalid_input') throw e;
      result.skipped.push({
        reference,
        why: e.code === 'not_found' ? 'not_found' : e.code === 'forbidden' ? 'forbidden' : 'state',
      });
    }
  }
  return result;
}
