// LINE webhook events are stored, sealed, before the webhook answers 200: once committed nothing is
// lost, whatever happens to processing. The webhookEventId is unique, so a redelivery (LINE retries
// when an answer is late or not 2xx) is recognised and counted, never stored twice.
import { validateSignature } from '@line/bot-sdk';
import { sql } from 'kysely';
import type { Db } from '../../db/connection.ts';
import { AppError } from '../../errors.ts';
import { sealForChannel, type ChannelKeys } from './channel-key.ts';

/** At most this many events in one webhook body (LINE sends far fewer). */
export const MAX_EVENTS = 1000;
const EVENT_ID = /^[0-9A-Za-z_-]{1,64}$/;
const SIGNATURE = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/;

export type AcceptedEvents = { received: number; stored: number; redelivered: number };

/** The aad of a stored event: it opens only in its own row. */
export function eventAad(webhookEventId: string): string {
  return `line-event/${webhookEventId}`;
}

/**
 * Verifies `x-line-signature` (base64 HMAC-SHA256 of the raw body under the channel secret, compared
 * in constant time by the SDK) and parses the body. Throws AppError 'unauthorized' for a missing or
 * wrong signature (checked before the body is parsed), 'invalid_input' for a body that is not a
 * LINE webhook.
 */
export function readWebhook(
  rawBody: Buffer,
  signature: unknown,
  channelSecret: string,
): { events: Record<string, unknown>[] } {
  if (typeof signature !== 'string' || signature.length === 0)
    throw new AppError('unauthorized', 'missing x-line-signature', 'error.unauthorized');
  // Exactly one canonical base64 SHA-256: Buffer's lenient decoding would accept variants.
  if (!SIGNATURE.test(signature))
    throw new AppError('unauthorized', 'x-line-signature is not a base64 SHA-256', 'error.unauthorized');
  if (!validateSignature(rawBody, channelSecret, signature))
    throw new AppError('unauthorized', 'x-line-signature does not match the body', 'error.unauthorized');
  let body: unknown;
  try {
    body = JSON.parse(rawBody.toString('utf8'));
  } catch {
    throw new AppError('invalid_input', 'body is not JSON', 'error.form');
  }
  const events = (body as { events?: unknown } | null)?.events;
  if (typeof body !== 'object' || body === null || !Array.isArray(events))
    throw new AppError('invalid_input', 'body has no events array', 'error.form');
  if (events.length > MAX_EVENTS) throw new AppError('invalid_input', `more than ${MAX_EVENTS} events`, 'error.form');
  for (const e of events) {
    const ok =
      typeof e === 'object' &&
      e !== null &&
      typeof (e as { type?: unknown }).type === 'string' &&
      typeof (e as { webhookEventId?: unknown }).webhookEventId === 'string' &&
      EVENT_ID.test((e as { webhookEventId: string }).webhookEventId);
    if (!ok) throw new AppError('invalid_input', 'an event without a type or a webhookEventId', 'error.form');
  }
  return { events: events as Record<string, unknown>[] };
}

/**
 * Stores the events of one webhook call in one statement (one synchronous commit). Events already
 * stored are counted as redelivered. MUST complete before the webhook answers 200.
 */
export async function storeEvents({
  db,
  keys,
  events,
}: {
  db: Db;
  keys: ChannelKeys;
  events: Record<string, unknown>[];
}): Promise<AcceptedEvents> {
  const unique = new Map<string, Record<string, unknown>>();
  for (const e of events) unique.set(e.webhookEventId as string, e);
  if (unique.size === 0) return { received: 0, stored: 0, redelivered: 0 };
  // Sorted, so that concurrent calls carrying the same events lock their rows in one order (no deadlock).
  const ids = [...unique.keys()].sort();
  const bodies = ids.map((id) => sealForChannel(keys, eventAad(id), unique.get(id)));
  const users = ids.map((id) => {
    const userId = (unique.get(id)!.source as { userId?: unknown } | undefined)?.userId;
    return typeof userId === 'string' ? keys.userHash(userId) : null;
  });
  const { rows } = await sql<{ inserted: boolean }>`
    insert into line_event (webhook_event_id, body, user_hash)
    select * from unnest(${ids}::text[], ${bodies}::bytea[], ${users}::bytea[])
    on conflict (webhook_event_id) do update set redeliveries = line_event.redeliveries + 1
    returning (xmax = 0) as inserted`.execute(db);
  const stored = rows.filter((r) => r.inserted).length;
  return { received: events.length, stored, redelivered: events.length - stored };
}
