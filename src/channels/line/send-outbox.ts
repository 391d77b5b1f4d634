// Sends the outbox to LINE. A row is leased (its next attempt moved 30 s ahead) before it is sent,
// so two senders never send it at once and a crashed sender's rows come back. An answer to a
// user's message uses its reply token while fresh (free, and LINE's intended path); otherwise, or
// when LINE refuses the token, a push with the row id as X-Line-Retry-Key, so that a push retried
// after a timeout, a 429 or a 500 is delivered once (LINE answers 409 to a key it already accepted).
import { sql } from 'kysely';
import { HTTPFetchError } from '@line/bot-sdk';
import type { LineDeps } from './deps.ts';
import { openOutgoing } from './outbox.ts';
import { errorLabel, retryDelaySeconds } from './process-events.ts';

/** Reply tokens are short-lived; past this age a push is sent instead. */
export const REPLY_TOKEN_MS = 50_000;
export const MAX_SEND_ATTEMPTS = 10;

function statusOf(e: unknown): number | null {
  return e instanceof HTTPFetchError ? e.status : null;
}

/** Sends up to `limit` due messages. Returns how many were taken. */
export async function sendOutbox(deps: LineDeps, limit = 20): Promise<number> {
  const { rows } = await sql<{ id: string; seq: number; body: Buffer; attempts: number }>`
    update line_outbox set next_attempt_at = now() + interval '30 seconds', attempts = attempts + 1
    where id in (select id from line_outbox where state = 'pending' and next_attempt_at <= now() order by seq limit ${limit} for update skip locked)
    returning id, seq, body, attempts`.execute(deps.db);
  rows.sort((a, b) => Number(a.seq) - Number(b.seq));
  for (const row of rows) {
    const out = openOutgoing(deps.keys, row.id, row.body);
    try {
      let isSent = false;
      if (out.replyToken && row.attempts === 1 && Date.now() - out.at < REPLY_TOKEN_MS) {
        try {
          await deps.clients.api.replyMessage({ replyToken: out.replyToken, messages: out.messages });
          isSent = true;
        } catch (e) {
          if (statusOf(e) !== 400) throw e; // an expired or used reply token: push instead
        }
      }
      if (!isSent) {
        try {
          await deps.clients.api.pushMessage({ to: out.to, messages: out.messages }, row.id);
        } catch (e) {
          if (statusOf(e) !== 409) throw e; // 409: this retry key was already accepted
        }
      }
      await deps.db
        .updateTable('line_outbox')
        .set({ state: 'sent', body: null, sent_at: sql<Date>`now()`, last_error: null })
        .where('id', '=', row.id)
        .execute();
    } catch (e) {
      const status = statusOf(e);
      // 429 and 5xx are LINE asking to try later; other 4xx will not get better by retrying.
      const isRetriable = status === null || status === 429 || status >= 500;
      await deps.db
        .updateTable('line_outbox')
        .set({
          last_error: errorLabel(e),
          next_attempt_at: sql<Date>`now() + ${`${retryDelaySeconds(row.attempts, deps.retryBaseSeconds)} seconds`}::interval`,
          state: isRetriable && row.attempts < MAX_SEND_ATTEMPTS ? 'pending' : 'failed',
          ...(isRetriable && row.attempts < MAX_SEND_ATTEMPTS ? {} : { body: null }),
        })
        .where('id', '=', row.id)
        .execute();
    }
  }
  return rows.length;
}
