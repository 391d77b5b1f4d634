// Rating on LINE: the five quick-reply buttons pushed at closure (or shown with "ติดตาม") carry the
// case's reference; only a case this LINE account filed can be rated from it.
import type { Transaction } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { isAppError } from '../../errors.ts';
import { translator } from '../../i18n/messages.ts';
import { addRatingComment, recordRating, validateRating } from '../../intake/rate-case.ts';
import { TEXT_LIMITS } from '../../intake/limits.ts';
import type { Conversation } from './conversation-state.ts';
import type { LineDeps } from './deps.ts';
import { menuButtons, postback, text, type Message } from './replies.ts';

export async function rateOnLine(
  trx: Transaction<Database>,
  deps: LineDeps,
  userId: string,
  c: Conversation,
  reference: string,
  score: string,
): Promise<Message[]> {
  const t = translator(c.lang);
  const found = await trx
    .selectFrom('report_case as r')
    .innerJoin('line_contact as l', 'l.case_id', 'r.id')
    .select('r.id')
    .where('r.reference', '=', reference.slice(0, 64))
    .where('l.user_hash', '=', deps.keys.userHash(userId))
    .executeTakeFirst();
  if (!found) return [text(t('line.rate_unknown'), menuButtons(t))];
  try {
    const rating = validateRating(score, '');
    // Refusals (not closed, already rated) are thrown before any statement fails, so the event's
    // transaction stays usable.
    await recordRating(trx, { caseId: found.id, score: rating.score, comment: '', channel: 'line' });
    c.step = 'rate_comment';
    c.ratedCaseId = found.id;
    return [text(t('line.rated', { score: rating.score }), [postback(t('line.btn.skip'), { a: 'skip' })])];
  } catch (e) {
    if (isAppError(e) && (e.code === 'conflict' || e.code === 'invalid_input'))
      return [
        text(
          t('line.error', { message: t(e.userMessage === 'error.form' ? 'error.field.invalid' : e.userMessage) }),
          menuButtons(t),
        ),
      ];
    throw e;
  }
}

export async function commentOnLine(trx: Transaction<Database>, c: Conversation, typed: string): Promise<Message[]> {
  const t = translator(c.lang);
  if (c.ratedCaseId) await addRatingComment(trx, c.ratedCaseId, typed.slice(0, TEXT_LIMITS.ratingComment));
  c.step = 'idle';
  c.ratedCaseId = undefined;
  return [text(t('line.rated_comment'), menuButtons(t))];
}
