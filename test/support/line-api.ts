// A local stand-in for LINE's Messaging API (api.line.me and api-data.line.me), and builders for
// the webhooks LINE sends. The real @line/bot-sdk clients talk to it when LINE_API_BASE is its URL.
// Statuses and bodies follow LINE's reference (test/fixtures/line/README.md lists the sources):
// reply and push answer {"sentMessages":[{id, quoteToken}]}; a push whose X-Line-Retry-Key was
// already accepted answers 409 with x-line-accepted-request-id and is not delivered again.
import { createHmac, randomBytes, randomInt, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';

export type Endpoint = 'reply' | 'push' | 'profile' | 'content';
export type SentMessage = { id: string; quoteToken: string };
/** One message request LINE accepted (a delivery to the user). */
export type Delivery = {
  kind: 'reply' | 'push';
  to: string | null;
  replyToken: string | null;
  messages: Record<string, unknown>[];
  retryKey: string | null;
  requestId: string;
  sentMessages: SentMessage[];
};
/** Every request that reached the stand-in, answered or refused. */
export type ApiCall = {
  endpoint: Endpoint | null;
  method: string;
  path: string;
  status: number;
  retryKey: string | null;
};
export type Profile = {
  displayName: string;
  userId: string;
  pictureUrl?: string;
  statusMessage?: string;
  language?: string;
};
/** `delivered`: the message is delivered and its retry key accepted, yet the answer is the failure (a lost 200). */
export type FailOptions = { delivered?: boolean };

export type LineApi = {
  /** Base URL for LINE_API_BASE, without a trailing slash. */
  url: string;
  accessToken: string;
  deliveries: readonly Delivery[];
  calls: readonly ApiCall[];
  /** The next `count` calls to `endpoint` answer `status` with LINE's error body for it. */
  failNext: (endpoint: Endpoint, status: number, count?: number, opts?: FailOptions) => void;
  setProfile: (profile: Profile) => void;
  /** Bytes served by GET /v2/bot/message/{messageId}/content. */
  setContent: (messageId: string, bytes: Buffer, contentType?: string) => void;
  /** Resolves with the deliveries once `predicate` holds; rejects after `timeoutMs`. */
  waitFor: (
    predicate: (deliveries: readonly Delivery[]) => boolean,
    timeoutMs?: number,
  ) => Promise<readonly Delivery[]>;
  close: () => Promise<void>;
};

const MAX_BODY_BYTES = 2 * 1024 * 1024; // LINE: "Request exceeds the max size of 2MB"
const MAX_MESSAGES = 5;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// The `message` LINE documents for each status; the stand-in's own wording where LINE gives none.
const ERROR_MESSAGES: Record<number, string> = {
  400: 'The request body has 1 error(s)',
  401: 'Authentication failed due to the following reason: invalid token. Confirm that the access token in the authorization header is valid.',
  403: 'Access to this API is not available for your account',
  404: 'Not found',
  409: 'The retry key is already accepted',
  413: 'Request exceeds the max size of 2MB',
  429: 'The API rate limit has been exceeded. Try again later.',
  500: 'Internal server error',
};

/** LINE's error body for a programmed failure of `endpoint`. */
function failureBody(endpoint: Endpoint, status: number): Record<string, unknown> {
  if (endpoint === 'reply' && status === 400) return { message: 'Invalid reply token' };
  if (endpoint === 'push' && status === 400) return { message: 'Failed to send messages' };
  return { message: ERROR_MESSAGES[status] ?? `status ${status}` };
}

/** Starts the stand-in on 127.0.0.1 at a random port. MUST be closed by the test. */
export async function startLineApi(opts: { accessToken?: string } = {}): Promise<LineApi> {
  const accessToken = opts.accessToken ?? `test-line-token-${randomBytes(8).toString('hex')}`;
  const deliveries: Delivery[] = [];
  const calls: ApiCall[] = [];
  const failures = new Map<Endpoint, { status: number; delivered: boolean }[]>();
  const profiles = new Map<string, Profile>();
  const contents = new Map<string, { bytes: Buffer; contentType: string }>();
  const usedReplyTokens = new Set<string>();
  const acceptedPushes = new Map<string, { requestId: string; sentMessages: SentMessage[] }>();
  const waiters = new Set<() => void>();

  const record = (d: Delivery) => {
    deliveries.push(d);
    for (const w of [...waiters]) w();
  };
  const sent = (messages: unknown[]): SentMessage[] =>
    messages.map(() => ({ id: messageId(), quoteToken: randomBytes(24).toString('base64url') }));

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const requestId = randomUUID();
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const retryKey = typeof req.headers['x-line-retry-key'] === 'string' ? req.headers['x-line-retry-key'] : null;
    let endpoint: Endpoint | null = null;
    const answer = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      calls.push({ endpoint, method: req.method ?? '', path, status, retryKey });
      const payload = Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
      res.writeHead(status, {
        'x-line-request-id': requestId,
        'content-type': 'application/json',
        'content-length': String(payload.length),
        ...headers,
      });
      res.end(payload);
    };
    const fail = (status: number) => answer(status, { message: ERROR_MESSAGES[status] ?? `status ${status}` });

    const m = /^\/v2\/bot\/(?:message\/(reply|push)|profile\/([^/]+)|message\/([^/]+)\/content)$/.exec(path);
    if (m?.[1] && req.method === 'POST') endpoint = m[1] as Endpoint;
    else if (m?.[2] && req.method === 'GET') endpoint = 'profile';
    else if (m?.[3] && req.method === 'GET') endpoint = 'content';
    const body = await readBody(req);
    if (!endpoint) return fail(404);
    if (req.headers.authorization !== `Bearer ${accessToken}`) return fail(401);
    if (body === null) return fail(413);

    const queue = failures.get(endpoint);
    const failure = queue?.shift();
    if (failure?.delivered && (endpoint === 'push' || endpoint === 'reply')) {
      // Accepted and delivered, but the answer is lost: a retry with the same key must get 409.
      const parsed = parseJson(body) as {
        to?: string;
        replyToken?: string;
        messages?: Record<string, unknown>[];
      } | null;
      const messages = Array.isArray(parsed?.messages) ? parsed.messages : [];
      const sentMessages = sent(messages);
      record({
        kind: endpoint,
        to: parsed?.to ?? null,
        replyToken: parsed?.replyToken ?? null,
        messages,
        retryKey,
        requestId,
        sentMessages,
      });
      if (endpoint === 'push' && retryKey) acceptedPushes.set(retryKey.toLowerCase(), { requestId, sentMessages });
      if (endpoint === 'reply' && parsed?.replyToken) usedReplyTokens.add(parsed.replyToken);
      return answer(failure.status, failureBody(endpoint, failure.status));
    }
    if (failure) return answer(failure.status, failureBody(endpoint, failure.status));

    if (endpoint === 'profile') {
      const profile = profiles.get(decodeURIComponent(m![2]));
      return profile ? answer(200, profile) : fail(404);
    }
    if (endpoint === 'content') {
      const content = contents.get(decodeURIComponent(m![3]));
      return content ? answer(200, content.bytes, { 'content-type': content.contentType }) : fail(404);
    }

    const parsed = parseJson(body);
    if (parsed === undefined)
      return answer(400, { message: 'The request body could not be parsed as JSON (line: 1, column: 1)' });
    const { to, replyToken, messages } = (parsed ?? {}) as { to?: unknown; replyToken?: unknown; messages?: unknown };
    if (
      !Array.isArray(messages) ||
      messages.length < 1 ||
      messages.length > MAX_MESSAGES ||
      !messages.every((x) => typeof x === 'object' && x !== null && typeof (x as { type?: unknown }).type === 'string')
    ) {
      return answer(400, {
        message: 'The request body has 1 error(s)',
        details: [{ message: `Size must be between 1 and ${MAX_MESSAGES}`, property: 'messages' }],
      });
    }
    if (endpoint === 'reply') {
      // LINE refuses a retry key on an endpoint that does not support one.
      if (retryKey !== null) return answer(400, { message: 'X-Line-Retry-Key is not supported by this API' });
      if (typeof replyToken !== 'string' || replyToken.length === 0)
        return answer(400, {
          message: 'The request body has 1 error(s)',
          details: [{ message: 'May not be empty', property: 'replyToken' }],
        });
      if (usedReplyTokens.has(replyToken)) return answer(400, { message: 'Invalid reply token' });
      usedReplyTokens.add(replyToken);
      const sentMessages = sent(messages);
      record({ kind: 'reply', to: null, replyToken, messages, retryKey: null, requestId, sentMessages });
      return answer(200, { sentMessages });
    }
    if (typeof to !== 'string' || to.length === 0)
      return answer(400, {
        message: 'The request body has 1 error(s)',
        details: [{ message: 'May not be empty', property: 'to' }],
      });
    if (retryKey !== null && !UUID.test(retryKey)) return answer(400, { message: 'The retry key must be a UUID' });
    const accepted = retryKey ? acceptedPushes.get(retryKey.toLowerCase()) : undefined;
    if (accepted) {
      return answer(
        409,
        { message: ERROR_MESSAGES[409], sentMessages: accepted.sentMessages },
        { 'x-line-accepted-request-id': accepted.requestId },
      );
    }
    const sentMessages = sent(messages);
    if (retryKey) acceptedPushes.set(retryKey.toLowerCase(), { requestId, sentMessages });
    record({ kind: 'push', to, replyToken: null, messages, retryKey, requestId, sentMessages });
    return answer(200, { sentMessages });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: `stand-in error: ${(e as Error).message}` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    accessToken,
    deliveries,
    calls,
    failNext: (endpoint, status, count = 1, fo = {}) => {
      const queue = failures.get(endpoint) ?? [];
      for (let i = 0; i < count; i++) queue.push({ status, delivered: fo.delivered === true });
      failures.set(endpoint, queue);
    },
    setProfile: (profile) => {
      profiles.set(profile.userId, profile);
    },
    setContent: (id, bytes, contentType = 'image/jpeg') => {
      contents.set(id, { bytes, contentType });
    },
    waitFor: (predicate, timeoutMs = 5000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (!predicate(deliveries)) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(deliveries);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(
              `LINE stand-in: condition not met within ${timeoutMs} ms; ${deliveries.length} deliveries, calls: ${calls.map((c) => `${c.method} ${c.path} ${c.status}`).join(', ') || 'none'}`,
            ),
          );
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
    close: async () => {
      // The SDK's fetch keeps connections alive; close them so the test process can end.
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
    },
  };
}

/** The raw body, or null past LINE's 2 MB limit. */
async function readBody(req: IncomingMessage): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) tooLarge = true;
    else chunks.push(chunk);
  }
  return tooLarge ? null : Buffer.concat(chunks);
}

/** The parsed JSON, or undefined when it is not JSON. */
function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

// ---- Webhooks, as the LINE Platform sends them ----

/** The bot's own user id, sent as `destination` (LINE: U followed by 32 hex digits). */
export const BOT_USER_ID = 'U0123456789abcdef0123456789abcdef';

/** `x-line-signature`: base64 HMAC-SHA256 of the exact body bytes under the channel secret. */
export function signBody(body: string | Buffer, secret: string): string {
  return createHmac('sha256', secret).update(body).digest('base64');
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A fresh ULID (48-bit millisecond time, 80 random bits, Crockford base32), as LINE's webhookEventId. */
export function webhookEventId(time = Date.now()): string {
  let t = '';
  for (let i = 0, n = time; i < 10; i++, n = Math.floor(n / 32)) t = CROCKFORD[n % 32] + t;
  const r = randomBytes(16);
  let s = '';
  for (let i = 0; i < 16; i++) s += CROCKFORD[r[i] & 31];
  return t + s;
}

/** A LINE user id: U followed by 32 hex digits. */
export function lineUserId(): string {
  return `U${randomBytes(16).toString('hex')}`;
}

/** A LINE message id (a decimal string). */
export function messageId(): string {
  return `${randomInt(100_000_000, 999_999_999)}${randomInt(100_000_000, 999_999_999)}`;
}

export type WebhookEvent = Record<string, unknown> & {
  type: string;
  webhookEventId: string;
  timestamp: number;
  deliveryContext: { isRedelivery: boolean };
};
/** `redelivery` marks the event as LINE marks a redelivered one; the other fields override the fresh ones. */
export type EventOptions = {
  redelivery?: boolean;
  webhookEventId?: string;
  replyToken?: string;
  timestamp?: number;
  mode?: 'active' | 'standby';
};

function baseEvent(type: string, userId: string, o: EventOptions, withReplyToken = true): WebhookEvent {
  return {
    type,
    mode: o.mode ?? 'active',
    timestamp: o.timestamp ?? Date.now(),
    source: { type: 'user', userId },
    webhookEventId: o.webhookEventId ?? webhookEventId(),
    deliveryContext: { isRedelivery: o.redelivery === true },
    ...(withReplyToken && o.mode !== 'standby' ? { replyToken: o.replyToken ?? randomBytes(16).toString('hex') } : {}),
  };
}

export function followEvent(userId: string, o: EventOptions = {}): WebhookEvent {
  return { ...baseEvent('follow', userId, o), follow: { isUnblocked: false } };
}

export function unfollowEvent(userId: string, o: EventOptions = {}): WebhookEvent {
  return baseEvent('unfollow', userId, o, false);
}

export function textEvent(userId: string, text: string, o: EventOptions = {}): WebhookEvent {
  return {
    ...baseEvent('message', userId, o),
    message: { id: messageId(), type: 'text', quoteToken: randomBytes(24).toString('base64url'), text },
  };
}

export function postbackEvent(userId: string, data: string, o: EventOptions = {}): WebhookEvent {
  return { ...baseEvent('postback', userId, o), postback: { data } };
}

/** An image sent from LINE: its bytes are fetched with GET /v2/bot/message/{messageId}/content. */
export function imageEvent(userId: string, id: string, o: EventOptions = {}): WebhookEvent {
  return {
    ...baseEvent('message', userId, o),
    message: {
      id,
      type: 'image',
      quoteToken: randomBytes(24).toString('base64url'),
      contentProvider: { type: 'line' },
    },
  };
}

export function locationEvent(
  userId: string,
  latitude: number,
  longitude: number,
  address: string,
  o: EventOptions = {},
): WebhookEvent {
  return {
    ...baseEvent('message', userId, o),
    message: { id: messageId(), type: 'location', title: 'Location', address, latitude, longitude },
  };
}

/** The same event as LINE redelivers it: same webhookEventId, `isRedelivery: true`. */
export function asRedelivery(event: WebhookEvent): WebhookEvent {
  return { ...structuredClone(event), deliveryContext: { isRedelivery: true } };
}

/** A webhook body as LINE sends it (compact JSON). Sign these exact bytes. */
export function webhookBody(events: readonly WebhookEvent[], destination = BOT_USER_ID): string {
  return JSON.stringify({ destination, events });
}

/** POSTs a body to the webhook as LINE does; `signature: null` leaves the header out. */
export async function injectWebhook(
  app: FastifyInstance,
  body: string | Buffer,
  opts: { secret?: string; signature?: string | null; headers?: Record<string, string> } = {},
): Promise<LightMyRequestResponse> {
  const signature = opts.signature !== undefined ? opts.signature : signBody(body, opts.secret ?? '');
  return app.inject({
    method: 'POST',
    url: '/channels/line/webhook',
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'user-agent': 'LineBotWebhook/2.0',
      ...(signature === null ? {} : { 'x-line-signature': signature }),
      ...opts.headers,
    },
    payload: body,
  });
}
