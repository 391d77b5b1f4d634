// LINE's webhook against the real app and PostgreSQL: the signature vectors LINE's SDKs publish,
// forged and altered requests, LINE's verification call, redeliveries, sealing at rest and a burst.
// The processing worker is not started: these tests stop at the durable insert.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { channelKeys, openForChannel, type ChannelKeys } from '../../channels/line/channel-key.ts';
import { eventAad, readWebhook } from '../../channels/line/store-events.ts';
import { isAppError, type ErrorCode } from '../../errors.ts';
import { MAX_WEBHOOK_BYTES } from './line-routes.ts';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import {
  asRedelivery,
  followEvent,
  imageEvent,
  injectWebhook,
  lineUserId,
  locationEvent,
  messageId,
  postbackEvent,
  signBody,
  textEvent,
  webhookBody,
  type WebhookEvent,
} from '../../../test/support/line-api.ts';

const FIXTURES = path.join(import.meta.dirname, '../../../test/fixtures/line');
const fixture = (name: string): Buffer => readFileSync(path.join(FIXTURES, name));

type Vector = { source: string; channelSecret: string; body?: string; bodyFile?: string; signature: string };
const vectorBody = (v: Vector): Buffer => (v.bodyFile ? fixture(v.bodyFile) : Buffer.from(v.body!, 'utf8'));
const PUBLISHED: Vector[] = JSON.parse(fixture('signature-vectors.json').toString('utf8'));
const PUBLISHED_WRONG: Vector[] = JSON.parse(fixture('wrong-signatures.json').toString('utf8'));

// LINE shows a channel secret as 32 hexadecimal digits; none of the SDKs' test secrets has that form.
const SECRET = '8c5f0a3e9b7d41e2a6c0f9d3b8e17a54';
const OTHER_SECRET = 'f00dfeedc0ffee0123456789abcdef01';

function flipBit(signature: string, bit: number): string {
  const mac = Buffer.from(signature, 'base64');
  mac[bit >> 3] ^= 1 << (bit & 7);
  return mac.toString('base64');
}

function codeOf(fn: () => unknown): ErrorCode | 'none' {
  try {
    fn();
    return 'none';
  } catch (e) {
    if (!isAppError(e)) throw e;
    return e.code;
  }
}

describe('readWebhook with the signature vectors of LINE’s SDKs', () => {
  // Every published vector uses a secret that is not 32 hex digits, so it is checked here rather than
  // through the configured route; the route tests sign with signBody, which reproduces all of them.
  for (const v of PUBLISHED) {
    it(`verifies the signature of ${v.source}, then judges the body`, () => {
      const body = vectorBody(v);
      assert.equal(signBody(body, v.channelSecret), v.signature);
      // The signature passes; none of these bodies is a storable webhook (no webhookEventId, no events, not JSON).
      assert.equal(
        codeOf(() => readWebhook(body, v.signature, v.channelSecret)),
        'invalid_input',
      );
      assert.equal(
        codeOf(() => readWebhook(body, flipBit(v.signature, 0), v.channelSecret)),
        'unauthorized',
      );
      assert.equal(
        codeOf(() => readWebhook(body, flipBit(v.signature, 255), v.channelSecret)),
        'unauthorized',
      );
      assert.equal(
        codeOf(() => readWebhook(body, v.signature, `${v.channelSecret}x`)),
        'unauthorized',
      );
    });
  }

  for (const v of PUBLISHED_WRONG) {
    it(`refuses the wrong signature of ${v.source}`, () => {
      assert.equal(
        codeOf(() => readWebhook(vectorBody(v), v.signature, v.channelSecret)),
        'unauthorized',
      );
    });
  }

  it('reads LINE’s reference sample into its three events', () => {
    const body = fixture('reference-webhook-example.json');
    const { events } = readWebhook(body, signBody(body, SECRET), SECRET);
    assert.deepEqual(
      events.map((e) => [e.type, e.webhookEventId]),
      [
        ['message', '01FZ74A0TDDPYRVKNK77XKC3ZR'],
        ['follow', '01FZ74ASS536FW97EX38NKCZQK'],
        ['unfollow', '01FZ74B5Y0F4TNKA5SCAVKPEDM'],
      ],
    );
  });

  // The SDK decodes the header leniently (Buffer.from(…, 'base64')): padding, URL-safe letters, spaces
  // and trailing junk still decode to the right MAC. No forgery follows (the MAC must still match),
  // but the header is not canonical; readWebhook could require /^[A-Za-z0-9+/]{43}=$/ first.
  it('refuses non-canonical encodings of the right MAC', () => {
    const body = fixture('reference-webhook-example.json');
    const sig = signBody(body, SECRET);
    for (const variant of [
      sig.replace(/=$/, ''),
      sig.replace(/\+/g, '-').replace(/\//g, '_'),
      `${sig}!!!`,
      `${sig.slice(0, 20)} ${sig.slice(20)}`,
    ]) {
      if (variant === sig) continue;
      assert.equal(
        codeOf(() => readWebhook(body, variant, SECRET)),
        'unauthorized',
        variant,
      );
    }
  });
});

describe('POST /channels/line/webhook', () => {
  let t: TestApp;
  let keys: ChannelKeys;
  let wakes = 0;

  const post = (
    body: string | Buffer,
    opts: { secret?: string; signature?: string | null; headers?: Record<string, string> } = {},
  ) => injectWebhook(t.app, body, { secret: SECRET, ...opts });
  const countRows = async (): Promise<number> =>
    (await sql<{ n: number }>`select count(*)::int as n from line_event`.execute(t.db)).rows[0].n;
  const rowsOf = (ids: string[]) =>
    t.db.selectFrom('line_event').selectAll().where('webhook_event_id', 'in', ids).orderBy('seq').execute();
  const open = (id: string, body: Buffer | null) => openForChannel<Record<string, unknown>>(keys, eventAad(id), body!);
  const idsOf = (events: readonly Record<string, unknown>[]) => events.map((e) => e.webhookEventId as string);

  /** Asserts that a refused request stored nothing and woke nothing. */
  const refusedWithNothingStored = async (
    send: () => Promise<{ statusCode: number; body: string }>,
    status: number,
    label: string,
  ) => {
    const [rowsBefore, wakesBefore] = [await countRows(), wakes];
    const res = await send();
    assert.equal(res.statusCode, status, `${label}: ${res.body}`);
    assert.equal(await countRows(), rowsBefore, `${label}: stored a row`);
    assert.equal(wakes, wakesBefore, `${label}: woke processing`);
  };

  before(async () => {
    t = await createTestApp({
      LINE_CHANNEL_SECRET: SECRET,
      LINE_CHANNEL_ACCESS_TOKEN: 'test-access-token',
      LINE_API_BASE: 'http://127.0.0.1:9',
    });
    keys = channelKeys(t.deps.secrets.channelKey);
    t.deps.onLineEvents = () => {
      wakes++;
    };
  });
  after(() => t.close());

  it('accepts LINE’s reference sample signed over its exact bytes and stores each event, sealed', async () => {
    const body = fixture('reference-webhook-example.json');
    const sample = JSON.parse(body.toString('utf8')) as { events: Record<string, unknown>[] };
    const wakesBefore = wakes;
    // LINE may change the header name's case; Node hands it over lower-cased either way.
    const res = await post(body, { signature: null, headers: { 'X-Line-Signature': signBody(body, SECRET) } });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), { received: 3 });
    assert.equal(wakes, wakesBefore + 1);
    const rows = await rowsOf(idsOf(sample.events));
    assert.deepEqual(
      rows.map((r) => [r.webhook_event_id, r.state, r.redeliveries]),
      sample.events.map((e) => [e.webhookEventId, 'pending', 0]),
    );
    for (const [i, r] of rows.entries()) assert.deepEqual(open(r.webhook_event_id, r.body), sample.events[i]);
  });

  it('answers LINE’s verification call (no events) 200 and stores nothing', async () => {
    const body = fixture('verification-example.json');
    const was = [await countRows(), wakes];
    const res = await post(body);
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), { received: 0 });
    assert.deepEqual([await countRows(), wakes], was);
    const compact = await post('{"destination":"U0123456789abcdef0123456789abcdef","events":[]}');
    assert.equal(compact.statusCode, 200, compact.body);
  });

  describe('refuses a forged signature with 401 and stores nothing', () => {
    const event = () => textEvent(lineUserId(), 'ร้องเรียนเจ้าหน้าที่เรียกรับเงิน');
    const body = () => webhookBody([event()]);
    const cases: [string, (b: string) => string | null][] = [
      ['one bit of the MAC flipped (first byte)', (b) => flipBit(signBody(b, SECRET), 0)],
      ['one bit of the MAC flipped (last byte)', (b) => flipBit(signBody(b, SECRET), 255)],
      ['the signature of another body', () => signBody(body(), SECRET)],
      ['a signature under another channel secret', (b) => signBody(b, OTHER_SECRET)],
      ['the right MAC in hex instead of base64', (b) => Buffer.from(signBody(b, SECRET), 'base64').toString('hex')],
      ['the MAC cut short', (b) => Buffer.from(signBody(b, SECRET), 'base64').subarray(0, 16).toString('base64')],
      ['base64 garbage', () => '!!!!$$$$****####'],
      ['a published vector’s signature', () => PUBLISHED[0].signature],
      ['an empty header', () => ''],
      ['no header', () => null],
      ['a header far too long', () => 'A'.repeat(8192)],
      // Spaces are skipped by the base64 decoder: this one decodes to the right MAC, and only the length limit refuses it.
      [
        'a header far too long that decodes to the right MAC',
        (b) => {
          const s = signBody(b, SECRET);
          return `${s.slice(0, 20)}${' '.repeat(400)}${s.slice(20)}`;
        },
      ],
    ];
    for (const [label, forge] of cases) {
      it(label, async () => {
        const b = body();
        await refusedWithNothingStored(
          async () => {
            const res = await post(b, { signature: forge(b) });
            if (res.statusCode === 401)
              assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
            return res;
          },
          401,
          label,
        );
      });
    }
  });

  describe('refuses a body altered after signing with 401', () => {
    it('LINE’s reference sample re-serialised as compact JSON', async () => {
      const original = fixture('reference-webhook-example.json');
      const signature = signBody(original, SECRET);
      const compact = JSON.stringify(JSON.parse(original.toString('utf8')));
      await refusedWithNothingStored(() => post(compact, { signature }), 401, 'compact');
      await refusedWithNothingStored(
        () => post(original.toString('utf8').trimEnd(), { signature }),
        401,
        'trailing newline dropped',
      );
      await refusedWithNothingStored(() => post(`${original.toString('utf8')}\n`, { signature }), 401, 'newline added');
    });

    it('a generated body re-serialised with other whitespace, key order or escapes', async () => {
      const events = [textEvent(lineUserId(), 'ถนนชำรุด ซอย ๑๒')];
      const signed = webhookBody(events);
      const signature = signBody(signed, SECRET);
      const parsed = JSON.parse(signed) as { destination: string; events: WebhookEvent[] };
      const variants: [string, string][] = [
        ['indented', JSON.stringify(parsed, null, 2)],
        ['keys reordered', JSON.stringify({ events: parsed.events, destination: parsed.destination })],
        [
          'Thai escaped as \\u sequences',
          signed.replace(/[\u0e00-\u0e7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
        ],
        ['one character of the text changed', signed.replace('ชำรุด', 'ชํารุด')],
      ];
      for (const [label, body] of variants) {
        assert.notEqual(body, signed);
        await refusedWithNothingStored(() => post(body, { signature }), 401, label);
      }
      assert.deepEqual(await rowsOf(idsOf(events)), []);
    });
  });

  it('refuses malformed JSON with a valid signature with 400', async () => {
    for (const body of [
      'i am not jason',
      '',
      '{"events":[',
      'null',
      '[]',
      '"events"',
      '{"events":{}}',
      '{"destination":"U0"}',
      '{"events":[null]}',
      '{"events":["x"]}',
    ]) {
      await refusedWithNothingStored(() => post(body), 400, JSON.stringify(body));
    }
  });

  it('refuses with 400 a body whose events lack a usable webhookEventId, storing none of its events', async () => {
    const good = textEvent(lineUserId(), 'เหตุการณ์ที่ถูกต้อง');
    const { webhookEventId: _, ...missing } = followEvent(lineUserId());
    const variants: [string, unknown][] = [
      ['missing', missing],
      ['a number', { ...followEvent(lineUserId()), webhookEventId: 12345 }],
      ['empty', { ...followEvent(lineUserId()), webhookEventId: '' }],
      ['too long', { ...followEvent(lineUserId()), webhookEventId: 'A'.repeat(65) }],
      ['with other characters', { ...followEvent(lineUserId()), webhookEventId: '01FZ74A0TD/../x' }],
      ['no type', (({ type: _t, ...rest }) => rest)(followEvent(lineUserId()))],
    ];
    for (const [label, bad] of variants) {
      const body = JSON.stringify({ destination: 'U0123456789abcdef0123456789abcdef', events: [good, bad] });
      await refusedWithNothingStored(() => post(body), 400, label);
    }
    assert.deepEqual(await rowsOf([good.webhookEventId]), []);
  });

  it(`refuses a body over ${MAX_WEBHOOK_BYTES} bytes with 413 and accepts one of exactly that size`, async () => {
    const fit = (events: WebhookEvent[], size: number): string => {
      const body = webhookBody(events);
      // Insignificant whitespace before the closing brace pads the body to the size wanted.
      return `${body.slice(0, -1)}${' '.repeat(size - Buffer.byteLength(body))}}`;
    };
    const over = [textEvent(lineUserId(), 'ใหญ่เกิน')];
    const overBody = fit(over, MAX_WEBHOOK_BYTES + 1);
    assert.equal(Buffer.byteLength(overBody), MAX_WEBHOOK_BYTES + 1);
    await refusedWithNothingStored(() => post(overBody), 413, 'one byte over');
    await refusedWithNothingStored(() => post(fit(over, 8 * MAX_WEBHOOK_BYTES)), 413, 'eight times over');
    assert.deepEqual(await rowsOf(idsOf(over)), []);

    const exact = [textEvent(lineUserId(), 'พอดี')];
    const exactBody = fit(exact, MAX_WEBHOOK_BYTES);
    assert.equal(Buffer.byteLength(exactBody), MAX_WEBHOOK_BYTES);
    const res = await post(exactBody);
    assert.equal(res.statusCode, 200, res.body);
    assert.equal((await rowsOf(idsOf(exact))).length, 1);
  });

  it('counts a redelivered event once: 200, one row, redeliveries = 1, the first delivery kept', async () => {
    const first = textEvent(lineUserId(), 'ส่งซ้ำ');
    assert.equal((await post(webhookBody([first]))).statusCode, 200);
    const wakesBefore = wakes;
    const again = asRedelivery(first);
    const res = await post(webhookBody([again]));
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), { received: 1 });
    assert.equal(wakes, wakesBefore, 'a redelivery alone wakes nothing');
    const rows = await rowsOf([first.webhookEventId]);
    assert.equal(rows.length, 1);
    assert.equal(rows[0].redeliveries, 1);
    assert.deepEqual(open(rows[0].webhook_event_id, rows[0].body), first);
    // A third copy, mixed with a new event, stores the new one and counts the copy.
    const fresh = followEvent(lineUserId());
    assert.equal((await post(webhookBody([again, fresh]))).statusCode, 200);
    assert.deepEqual(
      (await rowsOf([first.webhookEventId, fresh.webhookEventId])).map((r) => r.redeliveries),
      [2, 0],
    );
    assert.equal(wakes, wakesBefore + 1);
  });

  it('stores the same event twice inside one body once', async () => {
    const e = postbackEvent(lineUserId(), 'action=track&case=1');
    const res = await post(webhookBody([e, e, asRedelivery(e)]));
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), { received: 3 });
    const rows = await rowsOf([e.webhookEventId]);
    assert.equal(rows.length, 1);
    assert.equal(rows[0].redeliveries, 0);
  });

  it('stores no plaintext: the user id, text, reply token and address are sealed, and open only in their own row', async () => {
    const userId = lineUserId();
    const photo = messageId();
    const events = [
      textEvent(userId, 'นายสมชาย ใจดี เรียกเงินใต้โต๊ะ 5,000 บาท'),
      imageEvent(userId, photo),
      locationEvent(userId, 13.7563, 100.5018, '123 ถนนราชดำเนินกลาง แขวงบวรนิเวศ เขตพระนคร กรุงเทพมหานคร 10200'),
    ];
    assert.equal((await post(webhookBody(events))).statusCode, 200);
    const secrets = [
      userId,
      (events[0].message as { text: string }).text,
      events[0].replyToken as string,
      events[1].replyToken as string,
      (events[2].message as { address: string }).address,
      'สมชาย',
      photo,
    ];
    const { rows } = await sql<{
      row: string;
      body: Buffer;
    }>`select t::text as row, t.body from line_event t where webhook_event_id = any(${idsOf(events)})`.execute(t.db);
    assert.equal(rows.length, 3);
    for (const r of rows) {
      for (const s of secrets) {
        assert.ok(!r.row.includes(s), `row text holds ${s}`);
        assert.ok(!r.row.includes(Buffer.from(s, 'utf8').toString('hex')), `row holds the bytes of ${s}`);
        assert.equal(r.body.indexOf(Buffer.from(s, 'utf8')), -1, `sealed body holds ${s}`);
      }
    }
    const stored = await rowsOf(idsOf(events));
    for (const r of stored)
      assert.deepEqual(
        open(r.webhook_event_id, r.body),
        events.find((e) => e.webhookEventId === r.webhook_event_id),
      );
    // Bound to its row: a sealed body moved to another row does not open.
    assert.throws(() => open(stored[1].webhook_event_id, stored[0].body));
    assert.throws(() =>
      openForChannel(channelKeys(Buffer.alloc(32, 7)), eventAad(stored[0].webhook_event_id), stored[0].body!),
    );
  });

  it('stores a burst of 1,000 events from 100 concurrent calls, with redeliveries mixed in, each exactly once', async () => {
    const users = Array.from({ length: 37 }, () => lineUserId());
    const events = Array.from({ length: 1000 }, (_, i) => textEvent(users[i % users.length], `เรื่องที่ ${i}`));
    const batches = Array.from({ length: 100 }, (_, i) => events.slice(i * 10, i * 10 + 10));
    // LINE redelivers a webhook whose answer was late: the same events again, marked as redelivered.
    const redelivered = batches.filter((_, i) => i % 5 === 0).map((b) => b.map(asRedelivery));
    const bodies = [...batches, ...redelivered].map((b) => webhookBody(b));
    bodies.sort(() => Math.random() - 0.5);
    const rowsBefore = await countRows();
    const results = await Promise.all(bodies.map((b) => post(b)));
    const statuses = results.map((r) => r.statusCode);
    assert.deepEqual(
      statuses.filter((s) => s !== 200),
      [],
      results.find((r) => r.statusCode !== 200)?.body,
    );
    assert.equal(
      results.reduce((n, r) => n + (r.json() as { received: number }).received, 0),
      1000 + redelivered.length * 10,
    );
    assert.equal((await countRows()) - rowsBefore, 1000);
    const rows = await rowsOf(idsOf(events));
    assert.equal(rows.length, 1000);
    assert.equal(new Set(rows.map((r) => r.webhook_event_id)).size, 1000);
    assert.equal(
      rows.reduce((n, r) => n + r.redeliveries, 0),
      redelivered.length * 10,
    );
    // Whichever copy arrived first is stored: they differ only in deliveryContext.
    const byId = new Map(events.map((e) => [e.webhookEventId, e]));
    for (const r of rows) {
      const { deliveryContext, ...stored } = open(r.webhook_event_id, r.body) as WebhookEvent;
      const { deliveryContext: _, ...sent } = byId.get(r.webhook_event_id)!;
      assert.deepEqual(stored, sent);
      assert.equal(typeof deliveryContext.isRedelivery, 'boolean');
    }
  });

  // Each call inserts its events in body order: two calls holding the same ids in other orders wait
  // on each other's uncommitted rows and PostgreSQL aborts one (deadlock, answered 500; LINE then
  // redelivers, so nothing is lost, but the call fails). Inserting in sorted id order avoids it.
  it('answers 200 to concurrent redeliveries that carry the same events in other orders', async () => {
    const events = Array.from({ length: 10 }, (_, i) =>
      followEvent(lineUserId(), { timestamp: 1_700_000_000_000 + i }),
    );
    const shuffled = Array.from({ length: 16 }, (_, i) => {
      const copy = events.map((e) => (i === 0 ? e : asRedelivery(e)));
      return i % 2 === 0 ? copy : copy.reverse();
    });
    const results = await Promise.all(shuffled.map((b) => post(webhookBody(b))));
    assert.deepEqual(
      results.map((r) => r.statusCode).filter((s) => s !== 200),
      [],
      results.find((r) => r.statusCode !== 200)?.body,
    );
    const rows = await rowsOf(idsOf(events));
    assert.equal(rows.length, 10);
    assert.equal(
      rows.reduce((n, r) => n + r.redeliveries, 0),
      15 * 10,
    );
  });
});

describe('POST /channels/line/webhook with the LINE channel off', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  it('does not exist (404), whatever the signature, and stores nothing', async () => {
    assert.equal(t.config.line, null);
    const body = fixture('reference-webhook-example.json');
    for (const signature of [signBody(body, SECRET), null]) {
      const res = await injectWebhook(t.app, body, { signature });
      assert.equal(res.statusCode, 404, res.body);
    }
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from line_event`.execute(t.db);
    assert.equal(rows[0].n, 0);
  });
});
