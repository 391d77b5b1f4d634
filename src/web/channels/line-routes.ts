// LINE's webhook. The body is read raw (the signature covers the exact bytes, never re-serialised
// JSON), verified, stored durably, and only then answered 200; processing runs afterwards, apart.
// Requests that arrive together are stored in one commit; a failed commit answers 500 to each.
// Without LINE_CHANNEL_SECRET / LINE_CHANNEL_ACCESS_TOKEN the route does not exist (404).
import type { FastifyInstance } from 'fastify';
import { channelKeys } from '../../channels/line/channel-key.ts';
import { createEventStore, readWebhook } from '../../channels/line/store-events.ts';
import type { WebDeps } from '../deps.ts';
import { sendProblem, toAppError } from '../errors.ts';

/** Largest webhook body accepted. */
export const MAX_WEBHOOK_BYTES = 1024 * 1024;

export function lineRoutes(app: FastifyInstance, deps: WebDeps): void {
  const line = deps.config.line;
  if (!line) return;
  // Concurrent calls share commits (group commit); each is answered 200 after its own has ended.
  deps.lineEvents ??= createEventStore({ db: deps.db, keys: channelKeys(deps.secrets.channelKey) });
  const store = deps.lineEvents;
  app.register(async (scope) => {
    scope.setErrorHandler((e, _req, reply) => sendProblem(reply, toAppError(e)));
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: MAX_WEBHOOK_BYTES }, (_req, body, done) =>
      done(null, body),
    );
    scope.post('/channels/line/webhook', async (req, reply) => {
      try {
        const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        const { events } = readWebhook(raw, req.headers['x-line-signature'], line.channelSecret);
        const accepted = await store.store(events);
        if (accepted.stored > 0) deps.onLineEvents?.();
        return reply.code(200).send({ received: accepted.received });
      } catch (e) {
        // Nothing stored means no 200: LINE redelivers what it could not hand over.
        return sendProblem(reply, toAppError(e));
      }
    });
  });
}
