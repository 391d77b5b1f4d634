// The complainant's rating of how a closed case was handled: a figure of the agency, never of staff.
import { sql, type Transaction } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { Db } from '../db/connection.ts';
import { AppError } from '../errors.ts';
import { sealToTeam } from '../crypto/team-key.ts';
import { TEXT_LIMITS } from './limits.ts';

/** Checks a score (1–5, from a form or a LINE postback) and a comment; throws AppError naming the field. */
export function validateRating(rawScore: unknown, rawComment: unknown): { score: number; comment: string } {
  const score = Number(typeof rawScore === 'string' ? rawScore.trim() : rawScore);
  if (!Number.isInteger(score) || score < 1 || score > 5)
    throw new AppError('invalid_input', 'score must be 1 to 5', 'error.form', { score: 'error.field.required' });
  if (rawComment !== undefined && rawComment !== null && typeof rawComment !== 'string')
    throw new AppError('invalid_input', 'comment must be text', 'error.form', { comment: 'error.field.invalid' });
  const comment = (rawComment ?? '').normalize('NFC').trim();
  if (comment.length > TEXT_LIMITS.ratingComment)
    throw new AppError('invalid_input', 'comment too long', 'error.form', { comment: 'error.field.too_long' });
  return { score, comment };
}

/**
 * Records the one rating of a closed case, for the agency that owns it, from the score and comment
 * as given (checked by validateRating). The comment is sealed to the case's team. MUST be called
 * only by someone who proved to hold the case (tracking code or the LINE user who filed it).
 * Throws AppError('conflict') before closure or when already rated.
 */
export async function rateCase({
  db,
  caseId,
  score,
  comment,
  channel,
}: {
  db: Db;
  caseId: string;
  score: unknown;
  comment: unknown;
  channel: 'web' | 'line';
}): Promise<{ score: number }> {
  const rating = validateRating(score, comment);
  await db.transaction().execute((trx) => recordRating(trx, { caseId, ...rating, channel }));
  return { score: rating.score };
}

/** `rateCase` inside the caller's transaction (the LINE channel rates while processing an event). */
export async function recordRating(
  trx: Transaction<Database>,
  { caseId, score, comment, channel }: { caseId: string; score: number; comment: string; channel: 'web' | 'line' },
): Promise<void> {
  const c = await trx
    .selectFrom('report_case')
    .select(['status', 'agency_id', 'team_public_key'])
    .where('id', '=', caseId)
    .forUpdate()
    .executeTakeFirst();
  if (!c) throw new AppError('not_found', 'no such case', 'error.not_found');
  if (c.status !== 'closed')
    throw new AppError('conflict', 'a case is rated after it is closed', 'error.rating_not_closed');
  const sealed = comment && c.team_public_key ? sealToTeam(c.team_public_key, `case-rating/${caseId}`, comment) : null;
  const res = await trx
    .insertInto('case_rating')
    .values({
      case_id: caseId,
      agency_id: c.agency_id,
      score,
      comment: sealed,
      channel,
      rated_on: sql<string>`(now() at time zone 'Asia/Bangkok')::date`,
    })
    .onConflict((oc) => oc.column('case_id').doNothing())
    .returning('case_id')
    .executeTakeFirst();
  if (!res) throw new AppError('conflict', 'this case was already rated', 'error.rating_done');
}

/** Adds the comment to a rating given without one (LINE asks for it after the score). */
export async function addRatingComment(trx: Transaction<Database>, caseId: string, comment: string): Promise<void> {
  const c = await trx.selectFrom('report_case').select('team_public_key').where('id', '=', caseId).executeTakeFirst();
  if (!c?.team_public_key || comment === '') return;
  await trx
    .updateTable('case_rating')
    .set({ comment: sealToTeam(c.team_public_key, `case-rating/${caseId}`, comment) })
    .where('case_id', '=', caseId)
    .where('comment', 'is', null)
    .execute();
}
