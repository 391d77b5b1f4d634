// Status on LINE: "ติดตาม <code>" for any case (a tracking code), "ติดตาม" or the rich-menu button
// for the cases this LINE account filed, and the pushes when staff move a case or reply.
import type { Transaction } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { formatDate, translator, type Lang, type T } from '../../i18n/messages.ts';
import { loadTrackedCase, trackCase, type TrackedCase } from '../../intake/track-case.ts';
import { isAppError } from '../../errors.ts';
import { casesOfLineUser } from './line-contact.ts';
import { clip, menuButtons, postback, text, type Message } from './replies.ts';
import type { LineDeps } from './deps.ts';

/** How many of a user's cases "ติดตาม" lists. */
export const MY_CASES = 5;

function statusLabel(t: T, tracked: Pick<TrackedCase, 'status'>): string {
  return t(`status.${tracked.status}`);
}

/** One case in a few lines: reference, agency, status and date, a closed complaint's outcome, and the latest reply. */
export function describeCase(lang: Lang, tracked: TrackedCase): string {
  const t = translator(lang);
  const last = tracked.history.at(-1);
  const lines = [
    t('line.case_line', {
      reference: tracked.reference,
      agency: lang === 'th' ? tracked.agency.nameTh : tracked.agency.nameEn,
      status: statusLabel(t, tracked),
      date: formatDate(lang, last?.at ?? tracked.createdAt),
    }),
  ];
  if (tracked.outcome) lines.push(t('line.outcome', { outcome: t(`outcome.${tracked.outcome}`) }));
  const reply = tracked.replies.at(-1);
  if (reply) lines.push(t('line.last_reply', { date: formatDate(lang, reply.at), text: clip(reply.text, 1000) }));
  return lines.join('\n');
}

export function rateButtons(reference: string): ReturnType<typeof postback>[] {
  return [1, 2, 3, 4, 5].map((n) => postback(String(n), { a: 'rate', r: reference, v: String(n) }, '★'.repeat(n)));
}

/** The cases this LINE user filed, with their status; closed ones not yet rated offer the rating. */
export async function myCases(
  trx: Transaction<Database>,
  deps: LineDeps,
  userId: string,
  lang: Lang,
): Promise<Message[]> {
  const t = translator(lang);
  const contacts = await casesOfLineUser(trx, deps.keys, userId, MY_CASES);
  if (contacts.length === 0) return [text(t('line.my_none'), menuButtons(t))];
  const tracked = (
    await Promise.all(
      contacts.map((c) => loadTrackedCase({ db: trx, caseId: c.caseId, keys: { content: c.contentKey } })),
    )
  ).filter((x) => x !== null);
  const body = [t('line.my_title', { count: tracked.length }), ...tracked.map((c) => describeCase(lang, c))].join(
    '\n\n',
  );
  const toRate = tracked.find((c) => c.canRate);
  const messages = [text(body, toRate ? [] : menuButtons(t))];
  if (toRate) messages.push(text(t('line.push.rate', { reference: toRate.reference }), rateButtons(toRate.reference)));
  return messages;
}

/** A case by its tracking code (which LINE account filed it does not matter). */
export async function trackByCode(deps: LineDeps, code: string, lang: Lang): Promise<Message[]> {
  const t = translator(lang);
  try {
    const { tracked } = await trackCase({
      db: deps.db,
      kdf: deps.config.kdf,
      receiptSalt: deps.secrets.receiptSalt,
      throttle: deps.throttle,
      code,
    });
    return [
      text(
        `${describeCase(lang, tracked)}\n\n${t('line.track_link', { url: `${deps.config.publicUrl}/status` })}`,
        menuButtons(t),
      ),
    ];
  } catch (e) {
    if (isAppError(e) && e.code === 'unauthorized') return [text(t('line.track_wrong'), menuButtons(t))];
    // Too many wrong codes platform-wide just now: said at once, not retried as a failed event.
    if (isAppError(e) && e.code === 'too_many_requests') return [text(t('error.rate_limited'), menuButtons(t))];
    throw e;
  }
}
