// Messages to a LINE user go through an outbox written in the same transaction as what caused them
// (an event processed, a case changed), so none is lost or sent for something that was rolled back.
// The row id is the push's X-Line-Retry-Key: LINE accepts a retried push once.
import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { openForChannel, sealForChannel, type ChannelKeys } from './channel-key.ts';
import type { Message } from './replies.ts';

/** LINE takes at most five messages per request. */
export const MAX_MESSAGES = 5;

export type Outgoing = { to: string; replyToken: string | null; messages: Message[]; at: number };

export function outboxAad(id: string): string {
  return `line-outbox/${id}`;
}

export async function enqueue(
  trx: Transaction<Database>,
  keys: ChannelKeys,
  out: Omit<Outgoing, 'at'>,
  now = Date.now(),
): Promise<void> {
  if (out.messages.length === 0) return;
  const id = randomUUID();
  const body: Outgoing = { ...out, messages: out.messages.slice(0, MAX_MESSAGES), at: now };
  await trx
    .insertInto('line_outbox')
    .values({ id, body: sealForChannel(keys, outboxAad(id), body) })
    .execute();
}

export function openOutgoing(keys: ChannelKeys, id: string, sealed: Buffer): Outgoing {
  return openForChannel<Outgoing>(keys, outboxAad(id), sealed);
}
