// A photo sent on LINE: its content is fetched from LINE, cleaned of identifying metadata and
// sealed under the draft's key like any attachment. The blob is held while the conversation may
// still be confirmed; an abandoned one is swept.
import { sql } from 'kysely';
import type { webhook } from '@line/bot-sdk';
import { HTTPFetchError } from '@line/bot-sdk';
import { isAppError } from '../../errors.ts';
import { translator } from '../../i18n/messages.ts';
import { storeUpload } from '../../intake/attachments.ts';
import { MAX_FILES } from '../../intake/limits.ts';
import { CONVERSATION_TTL_MS, type Conversation } from './conversation-state.ts';
import type { LineDeps } from './deps.ts';
import { draftOf } from './file-on-line.ts';
import { mediaButtons, text, type Message } from './replies.ts';

export async function acceptPhoto(deps: LineDeps, c: Conversation, m: webhook.ImageMessageContent): Promise<Message[]> {
  const t = translator(c.lang);
  const buttons = mediaButtons(t);
  if (c.photos.length >= MAX_FILES) return [text(t('line.photo_limit', { max: MAX_FILES }), buttons)];
  if (m.contentProvider?.type !== 'line')
    return [text(t('line.photo_failed', { reason: t('line.unsupported') }), buttons)];
  const { caseKey } = draftOf(c);
  try {
    const stream = await deps.clients.blob.getMessageContent(m.id);
    const stored = await storeUpload({
      db: deps.db,
      caseKey,
      stream,
      fileName: `line-${m.id}.jpg`,
      maxBytes: deps.config.maxFileBytes,
    });
    await deps.db
      .updateTable('blob')
      .set({ held_until: sql<Date>`now() + ${`${CONVERSATION_TTL_MS / 1000 + 3600} seconds`}::interval` })
      .where('id', '=', stored.file.blobId)
      .execute();
    c.photos.push(stored);
  } catch (e) {
    // Content LINE no longer has (404) or a file we refuse: the user is told and may send another.
    if (isAppError(e))
      return [
        text(
          t('line.photo_failed', { reason: t(e.userMessage, { fileMb: deps.config.maxFileBytes / 1048576 }) }),
          buttons,
        ),
      ];
    if (e instanceof HTTPFetchError && e.status >= 400 && e.status < 500 && e.status !== 429)
      return [text(t('line.photo_failed', { reason: String(e.status) }), buttons)];
    throw e;
  }
  return [text(t('line.photo_saved', { count: c.photos.length }), buttons)];
}
