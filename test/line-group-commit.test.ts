// The LINE webhook's group commit against the real app and PostgreSQL: concurrent calls share
// commits and each event is stored exactly once; a commit that fails answers 500 to every call of
// its group and stores none of their events (LINE redelivers them); a forged call among many is
// refused alone, before anything of it is stored.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { channelKeys, openForChannel, type ChannelKeys } from '../src/channels/line/channel-key.ts';
import { eventAad, type EventStore } from '../src/channels/line/store-events.ts';
import { createTestApp, type TestApp } from './support/app.ts';
import {
  asRedelivery,
  followEvent,
  injectWebhook,
  lineUserId,
  signBody,
  textEvent,
  webhookBody,
  webhookEventId,
  type WebhookEvent,
} from './support/line-api.ts';

const SECRET = '0a1b2c3d4e5f60718293a4b5c6d7e8f9';
const FAIL_MARK = 'FAILCOMMIT';

async function until(cond: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 30_000;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('LINE webhook: concurrent calls share commits', () => {
  let t: TestApp;
  let keys: ChannelKeys;
  let store: EventStore;
  const post = (events: WebhookEvent[], secret = SECRET) => injectWebhook(t.app, webhookBody(events), { secret });
  const stored = async (ids: string[]) =>
    ids.length === 0
      ? []
      : t.db
          .selectFrom('line_event')
          .select(['webhook_event_id', 'body', 'redeliveries'])
          .where('webhook_event_id', 'in', ids)
          .execute();

  before(async () => {
    t = await createTestApp({
      LINE_CHANNEL_SECRET: SECRET,
      LINE_CHANNEL_ACCESS_TOKEN: 'group-commit-token',
      LINE_API_BASE: 'http://127.0.0.1:9',
    });
    keys = channelKeys(t.deps.secrets.channelKey);
    store = t.deps.lineEvents as EventStore;
    assert.ok(store, 'the route puts its store in the deps');
    // A commit carrying a marked event fails, as a full disk or a lost connection would fail it.
    await sql`
      create function line_event_refuse_marked() returns trigger language plpgsql as $$
      begin
        if new.webhook_event_id like ${sql.lit(`${FAIL_MARK}%`)} then raise exception 'commit refused for the test'; end if;
        return new;
      end $$`.execute(t.db);
    await sql`create trigger line_event_refuse_marked before insert on line_event
      for each row execute function line_event_refuse_marked()`.execute(t.db);
  });
  after(() => t.close());

  it('stores each event of 300 concurrent calls exactly once, in fewer commits than calls', async () => {
    const calls = Array.from({ length: 300 }, (_, i) => {
      const user = lineUserId();
      const events: WebhookEvent[] = [followEvent(user)];
      for (let k = 0; k < i % 3; k++) events.push(textEvent(user, `ข้อความ ${i}.${k}`));
      return events;
    });
    // LINE redelivering twenty events while their first delivery is still in flight, and five bodies
    // repeating an event of their own.
    const redelivered = calls.slice(0, 20).map((events) => [asRedelivery(events[0])]);
    for (const events of calls.slice(20, 25)) events.push(events[0]);
    const all = [...calls, ...redelivered];
    const commitsBefore = store.stats().commits;
    const answers = await Promise.all(all.map((events) => post(events)));
    for (const [i, a] of answers.entries()) {
      assert.equal(a.statusCode, 200, a.body);
      assert.deepEqual(a.json(), { received: all[i].length });
    }
    const commits = store.stats().commits - commitsBefore;
    assert.ok(commits < all.length / 4, `${commits} commits for ${all.length} calls`);
    const unique = new Map(calls.flat().map((e) => [e.webhookEventId, e]));
    const rows = await stored([...unique.keys()]);
    assert.equal(rows.length, unique.size, 'each event once');
    const repeats = new Set(redelivered.map(([e]) => e.webhookEventId));
    for (const r of rows) {
      assert.equal(r.redeliveries, repeats.has(r.webhook_event_id) ? 1 : 0, r.webhook_event_id);
      assert.deepEqual(
        openForChannel(keys, eventAad(r.webhook_event_id), r.body as Buffer),
        unique.get(r.webhook_event_id),
        'each event sealed in its own row',
      );
    }
  });

  it('answers 500 to every call of a failed commit and stores none of them; their redelivery is stored', async () => {
    // Hold the first commit on a table lock, so that the next calls gather into one group behind it.
    let release = () => {};
    const released = new Promise<void>((r) => {
      release = r;
    });
    let locked = () => {};
    const isLocked = new Promise<void>((r) => {
      locked = r;
    });
    const holder = t.db.transaction().execute(async (trx) => {
      await sql`lock table line_event in share mode`.execute(trx);
      locked();
      await released;
    });
    await isLocked;
    const first = [followEvent(lineUserId())];
    const a = post(first);
    await until(() => store.stats().inFlight === 1, 'the first commit to wait on the lock');
    const group = [
      [followEvent(lineUserId())],
      [followEvent(lineUserId(), { webhookEventId: `${FAIL_MARK}${webhookEventId()}` })],
      [followEvent(lineUserId()), textEvent(lineUserId(), 'ร้องเรียน')],
    ];
    const answers = group.map((events) => post(events));
    await until(() => store.stats().waiting === group.length, 'the group to gather');
    const failedBefore = store.stats().failed;
    release();
    await holder;
    assert.equal((await a).statusCode, 200);
    for (const res of await Promise.all(answers)) {
      assert.equal(res.statusCode, 500, res.body);
      assert.equal(res.json().title, 'internal');
      assert.doesNotMatch(res.body, /commit refused/, 'the database error is not shown');
    }
    assert.equal(store.stats().failed, failedBefore + 1, 'one failed commit');
    assert.equal((await stored(first.map((e) => e.webhookEventId))).length, 1);
    const groupIds = group.flat().map((e) => e.webhookEventId);
    assert.deepEqual(await stored(groupIds), [], 'nothing of the failed group is stored');
    // LINE redelivers, one call at a time here: the two good calls are stored (once, not counted as
    // redelivered); the marked one fails again (sent together, a good call would share its commit).
    const again = [];
    for (const events of group) again.push(await post(events.map(asRedelivery)));
    assert.deepEqual(
      again.map((r) => r.statusCode),
      [200, 500, 200],
    );
    const rows = await stored(groupIds);
    assert.deepEqual(
      rows.map((r) => r.webhook_event_id).sort(),
      [...group[0], ...group[2]].map((e) => e.webhookEventId).sort(),
    );
    assert.ok(rows.every((r) => r.redeliveries === 0));
  });

  it('refuses forged calls among concurrent ones with 401, alone, storing nothing of them', async () => {
    const calls = Array.from({ length: 60 }, () => [followEvent(lineUserId())]);
    const forged = (i: number) => i % 6 === 0;
    const answers = await Promise.all(
      calls.map((events, i) => {
        if (!forged(i)) return post(events);
        const body = webhookBody(events);
        // Three kinds: signed with another secret, a signature of another body, a signature from a good call.
        const signature =
          i % 18 === 0
            ? signBody(body, 'ffffffffffffffffffffffffffffffff')
            : i % 18 === 6
              ? signBody(webhookBody(calls[i + 1]), SECRET)
              : signBody(`${body} `, SECRET);
        return injectWebhook(t.app, body, { signature });
      }),
    );
    answers.forEach((a, i) => {
      assert.equal(a.statusCode, forged(i) ? 401 : 200, `call ${i}: ${a.body}`);
    });
    const ids = (keep: (i: number) => boolean) =>
      calls.flatMap((events, i) => (keep(i) ? events.map((e) => e.webhookEventId) : []));
    assert.deepEqual(await stored(ids(forged)), [], 'nothing of a forged call');
    assert.equal((await stored(ids((i) => !forged(i)))).length, 50, 'every genuine call');
  });
});
