// LINE webhook events are stored, sealed, before the webhook answers 200: once committed nothing is
// lost, whatever happens to processing. The webhookEventId is unique, so a redelivery (LINE retries
// when an answer is late or not 2xx) is recognised and counted, never stored twice.
import { validateSignature } from '@line/bot-sdk';
import { sql } from 'kysely';
import type { Db } from '../../db/connection.ts';
import { groupCommit, type GroupCommit } from '../../db/group-commit.ts';
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

/** One event ready to store: sealed, its user id already an HMAC. */
type SealedEvent = { id: string; body: Buffer; user: Buffer | null };

/** Seals one call's events (each once: a body repeating an event stores it once). */
function sealEvents(keys: ChannelKeys, events: Record<string, unknown>[]): SealedEvent[] {
  const unique = new Map<string, Record<string, unknown>>();
  for (const e of events) unique.set(e.webhookEventId as string, e);
  return [...unique].map(([id, e]) => {
    const userId = (e.source as { userId?: unknown } | undefined)?.userId;
    return {
      id,
      body: sealForChannel(keys, eventAad(id), e),
      user: typeof userId === 'string' ? keys.userHash(userId) : null,
    };
  });
}

/**
 * Stores the sealed events of several webhook calls in one statement (one synchronous commit) and
 * returns how many of each call's events were new. An event already stored, or carried by an
 * earlier call of the same group (LINE redelivering while the first delivery waits), counts as
 * redelivered: stored once, its `redeliveries` raised by one per repeat.
 */
async function insertGroups(db: Db, calls: SealedEvent[][]): Promise<number[]> {
  const first = new Map<string, { event: SealedEvent; call: number; repeats: number }>();
  calls.forEach((events, call) => {
    for (const event of events) {
      const seen = first.get(event.id);
      if (seen) seen.repeats++;
      else first.set(event.id, { event, call, repeats: 0 });
    }
  });
  const stored = calls.map(() => 0);
  if (first.size === 0) return stored;
  // Sorted, so that concurrent statements carrying the same events lock their rows in one order (no deadlock).
  const ids = [...first.keys()].sort();
  const rows = ids.map((id) => first.get(id) as { event: SealedEvent; call: number; repeats: number });
  const { rows: inserted } = await sql<{ id: string; inserted: boolean }>`
    insert into line_event (webhook_event_id, body, user_hash, redeliveries)
    select * from unnest(${ids}::text[], ${rows.map((r) => r.event.body)}::bytea[],
      ${rows.map((r) => r.event.user)}::bytea[], ${rows.map((r) => r.repeats)}::int[])
    on conflict (webhook_event_id) do update set redeliveries = line_event.redeliveries + 1 + excluded.redeliveries
    returning webhook_event_id as id, (xmax = 0) as inserted`.execute(db);
  for (const r of inserted) if (r.inserted) stored[(first.get(r.id) as { call: number }).call]++;
  return stored;
}

const accepted = (events: Record<string, unknown>[], stored: number): AcceptedEvents => ({
  received: events.length,
  stored,
  redelivered: events.length - stored,
});

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
  const [stored] = await insertGroups(db, [sealEvents(keys, events)]);
  return accepted(events, stored);
}

/** How the webhook stores: concurrent calls share commits (see createEventStore). */
export type EventStore = {
  store: (events: Record<string, unknown>[]) => Promise<AcceptedEvents>;
  stats: GroupCommit<SealedEvent, number>['stats'];
};

/** Events in one commit at most (a single call may bring up to MAX_EVENTS). */
export const EVENTS_PER_COMMIT = 2000;

/**
 * The webhook's store with group commit (src/db/group-commit.ts): each call seals its own events
 * (its signature was checked before), then waits for a commit; the calls that arrive while one
 * commit is in flight share the next, one INSERT statement. A call's promise resolves only after
 * the commit holding its events; if that commit fails, every call of its group rejects (the
 * webhook answers 500 and LINE redelivers) and none of its events is stored.
 */
export function createEventStore({
  db,
  keys,
  maxEvents = EVENTS_PER_COMMIT,
  maxInFlight = 1,
}: {
  db: Db;
  keys: ChannelKeys;
  maxEvents?: number;
  maxInFlight?: number;
}): EventStore {
  const group = groupCommit<SealedEvent, number>((calls) => insertGroups(db, calls), {
    maxItems: maxEvents,
    maxInFlight,
  });
  return {
    store: async (events) => {
      const sealed = sealEvents(keys, events);
      if (sealed.length === 0) return accepted(events, 0);
      try {
        return accepted(events, await group.submit(sealed));
      } catch (e) {
        // Whatever failed the group's commit (even a refused value) fails every call in it alike: 500,
        // so that LINE redelivers. The error's name and code only: a message may quote a value.
        const code = (e as { code?: unknown }).code;
        throw new AppError(
          'internal',
          `storing LINE events failed (${(e as Error).name}${typeof code === 'string' ? ` ${code}` : ''})`,
          'error.internal',
        );
      }
    },
    stats: group.stats,
  };
}
