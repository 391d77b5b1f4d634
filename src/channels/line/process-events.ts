// Processes stored webhook events one at a time, oldest first, each in one transaction with
// everything it causes (conversation state, a filed case, the answers in the outbox) and the mark
// that it is done: an event is processed exactly once, and a crash anywhere before the commit
// leaves it pending, to be processed again after a restart. A user's events keep their order: an
// event waits while an earlier one of the same user is pending.
import { sql } from 'kysely';
import type { webhook } from '@line/bot-sdk';
import { openForChannel } from './channel-key.ts';
import { handleEvent } from './conversation.ts';
import type { LineDeps } from './deps.ts';
import { enqueue } from './outbox.ts';
import { eventAad } from './store-events.ts';

/** After this many failed attempts an event is set aside as failed (an operator can look at it). */
export const MAX_EVENT_ATTEMPTS = 8;

/** Seconds before attempt `n + 1`: 5 s, 10 s, 20 s, … at most an hour (tests pass a smaller base). */
export function retryDelaySeconds(attempts: number, base = 5): number {
  return Math.min(3600, base * 2 ** Math.max(0, attempts - 1));
}

/** What a failure is recorded as: its class and code, never a message (it could quote content). */
export function errorLabel(e: unknown): string {
  const err = e as { name?: string; code?: string; status?: number };
  return [err.name ?? 'Error', err.code ?? err.status ?? ''].join(' ').trim().slice(0, 100);
}

export type ProcessHooks = { beforeEvent?: (event: webhook.Event) => void | Promise<void> };

/** Processes the next event that is due. Returns false when none is. Throws nothing for a failed event. */
export async function processNextEvent(
  deps: LineDeps,
  hooks: ProcessHooks = {},
  onError: (e: unknown) => void = () => {},
): Promise<boolean> {
  let claimed: { seq: number; attempts: number } | null = null;
  try {
    return await deps.db.transaction().execute(async (trx) => {
      const { rows } = await sql<{ seq: number; webhook_event_id: string; body: Buffer; attempts: number }>`
        select seq, webhook_event_id, body, attempts from line_event e
        where state = 'pending' and next_attempt_at <= now()
          and not exists (select 1 from line_event p where p.state = 'pending' and p.user_hash = e.user_hash and p.seq < e.seq)
        order by seq limit 1 for update skip locked`.execute(trx);
      const row = rows[0];
      if (!row) return false;
      claimed = { seq: Number(row.seq), attempts: row.attempts };
      const event = openForChannel<webhook.Event>(deps.keys, eventAad(row.webhook_event_id), row.body);
      await hooks.beforeEvent?.(event);
      const out = await handleEvent(trx, deps, event, Date.now());
      const replyToken = (event as { replyToken?: string }).replyToken ?? null;
      if (out) await enqueue(trx, deps.keys, { to: out.userId, replyToken, messages: out.messages });
      // The event's content is dropped once it is processed; its id stays to recognise redeliveries.
      // A staff command's event drops its sender's hash too: the reporters' hash of a LINE user
      // must not sit beside the moment a staff account was linked or a question sent.
      await trx
        .updateTable('line_event')
        .set({
          state: 'done',
          body: null,
          processed_at: sql<Date>`now()`,
          ...(out?.isStaff ? { user_hash: null } : {}),
        })
        .where('seq', '=', claimed.seq)
        .execute();
      return true;
    });
  } catch (e) {
    onError(e);
    const failed = claimed as { seq: number; attempts: number } | null;
    if (!failed) throw e; // the database itself failed: the caller waits and tries again
    const attempts = failed.attempts + 1;
    await deps.db
      .updateTable('line_event')
      .set({
        attempts,
        last_error: errorLabel(e),
        next_attempt_at: sql<Date>`now() + ${`${retryDelaySeconds(attempts, deps.retryBaseSeconds)} seconds`}::interval`,
        state: attempts >= MAX_EVENT_ATTEMPTS ? 'failed' : 'pending',
      })
      .where('seq', '=', failed.seq)
      .execute();
    return true;
  }
}
