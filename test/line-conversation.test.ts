// The LINE conversation end to end: webhook → stored event → conversation → case → outbox → the
// official SDK client → a local stand-in for LINE's API; then staff act and the complainant is
// pushed the news, through LINE answering 429 and 500.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  createTestApp,
  loginCode,
  PASSWORD,
  CHEAP_KDF,
  TEST_LIMITS,
  seedAgency,
  seedStaff,
  type TestApp,
} from './support/app.ts';
import {
  followEvent,
  imageEvent,
  injectWebhook,
  lineUserId,
  locationEvent,
  messageId,
  postbackEvent,
  startLineApi,
  textEvent,
  webhookBody,
  type Delivery,
  type LineApi,
  type WebhookEvent,
} from './support/line-api.ts';
import { jpegWithGps } from './support/images.ts';
import { startLineWorker, type LineWorker } from '../src/channels/line/worker.ts';
import { createLoginThrottle } from '../src/intake/login-throttle.ts';
import { resolveStaffSession, staffLogin, type StaffActor } from '../src/staff/session.ts';
import { transitionCase } from '../src/cases/workflow.ts';
import { openCaseKeys } from '../src/cases/open-case.ts';
import { postCaseMessage } from '../src/cases/post-case-message.ts';
import { loadCaseView } from '../src/intake/case-view.ts';
import { openFromTeam } from '../src/crypto/team-key.ts';

const SECRET = '0123456789abcdef0123456789abcdef';
const textsOf = (d: Delivery) => d.messages.map((m) => String(m.text ?? m.altText ?? ''));

describe('LINE conversation', () => {
  let t: TestApp;
  let line: LineApi;
  let worker: LineWorker;
  const staff: Record<string, StaffActor> = {};
  const user = lineUserId();
  let code = '';
  let reference = '';

  /** Sends events as LINE would and waits until the worker has handled them (and sent the answers). */
  const send = async (...events: WebhookEvent[]) => {
    const res = await injectWebhook(t.app, webhookBody(events), { secret: SECRET });
    assert.equal(res.statusCode, 200, res.body);
    await worker.idle();
  };
  /** The answer to one event: a reply with its reply token. */
  const replyTo = async (event: WebhookEvent): Promise<Delivery> => {
    await send(event);
    const d = line.deliveries.find((x) => x.replyToken === event.replyToken);
    assert.ok(d, `no answer to ${event.type}`);
    return d;
  };
  const login = async (email: string) => {
    const { token } = await staffLogin({
      db: t.db,
      kdf: CHEAP_KDF,
      limits: TEST_LIMITS,
      email,
      password: PASSWORD,
      code: loginCode(email),
    });
    return (await resolveStaffSession({ db: t.db, token }))!;
  };

  before(async () => {
    line = await startLineApi({ accessToken: 'test-access-token' });
    t = await createTestApp({
      LINE_CHANNEL_SECRET: SECRET,
      LINE_CHANNEL_ACCESS_TOKEN: 'test-access-token',
      LINE_API_BASE: line.url,
    });
    await seedAgency(t.db, 'BKK');
    await seedAgency(t.db, 'LAND');
    await seedStaff(t.db, 'BKK', 'io@bkk.example', ['intake_officer', 'identity_custodian']);
    await seedStaff(t.db, 'BKK', 'sup@bkk.example', ['supervisor']);
    await seedStaff(t.db, 'LAND', 'io@land.example', ['intake_officer']);
    staff.io = await login('io@bkk.example');
    staff.sup = await login('sup@bkk.example');
    line.setProfile({ userId: user, displayName: 'สมชาย ใจดี' });
    worker = startLineWorker({
      db: t.db,
      config: t.config,
      secrets: t.deps.secrets,
      throttle: createLoginThrottle(),
      log: () => {},
      pollMs: 100,
      retryBaseSeconds: 0.05,
    })!;
    t.deps.onLineEvents = () => worker.kick();
  });
  after(async () => {
    await worker?.stop();
    await t?.close();
    await line?.close();
  });

  it('welcomes a new friend in Thai and offers complaint, tip and status', async () => {
    const d = await replyTo(followEvent(user));
    assert.equal(d.kind, 'reply');
    assert.match(textsOf(d)[0], /สวัสดี/);
    const items = (d.messages[1].quickReply as { items: { action: { label: string; data: string } }[] }).items;
    assert.deepEqual(
      items.map((i) => i.action.data),
      ['a=kind&v=complaint', 'a=kind&v=tip', 'a=status'],
    );
    assert.ok(items.every((i) => [...i.action.label].length <= 20));
  });

  it('takes a complaint: agency by name, category, description, a photo and a location, then a summary', async () => {
    assert.match(textsOf(await replyTo(postbackEvent(user, 'a=kind&v=complaint')))[0], /ชื่อหน่วยงาน/);
    const found = await replyTo(textEvent(user, 'BKK'));
    const picks = (found.messages[0].quickReply as { items: { action: { data: string } }[] }).items.map(
      (i) => i.action.data,
    );
    assert.ok(picks.includes('a=agency&v=BKK'), picks.join());
    assert.ok(!picks.includes('a=agency&v=LAND'));
    assert.match(textsOf(await replyTo(textEvent(user, 'ไม่มีหน่วยงานนี้แน่นอน')))[0], /ไม่พบ/);
    const cats = await replyTo(postbackEvent(user, 'a=agency&v=BKK'));
    assert.ok(JSON.stringify(cats.messages).includes('a=category&v=infrastructure'));
    await replyTo(postbackEvent(user, 'a=category&v=infrastructure'));
    assert.match(textsOf(await replyTo(textEvent(user, 'ถนนหน้าซอย 5 เป็นหลุมลึก รถจักรยานยนต์ล้มทุกวัน')))[0], /รูปภาพ/);
    const photo = messageId();
    line.setContent(photo, await jpegWithGps('LINEPHOTO'), 'image/jpeg');
    assert.match(textsOf(await replyTo(imageEvent(user, photo)))[0], /1 รูป/);
    assert.match(textsOf(await replyTo(locationEvent(user, 13.7246, 100.5296, 'ซอยสีลม 5 บางรัก')))[0], /ตำแหน่ง/);
    const summary = await replyTo(postbackEvent(user, 'a=done'));
    assert.equal(summary.messages[0].type, 'flex');
    const flex = JSON.stringify(summary.messages[0]);
    assert.ok(flex.includes('ถนนหน้าซอย 5') && flex.includes('ซอยสีลม 5'));
    assert.ok(flex.includes('a=confirm') && flex.includes('a=cancel'));
  });

  it('files it on "send it" and answers with a tracking code and a link to the status page', async () => {
    const d = await replyTo(postbackEvent(user, 'a=confirm'));
    const body = textsOf(d)[0];
    const m = /(\d{4} \d{4} \d{4} \d{4})/.exec(body);
    assert.ok(m, body);
    code = m[1].replace(/ /g, '');
    reference = /(BKK-\d{4}-\d{6})/.exec(body)![1];
    assert.ok(body.includes(`/status?code=${code}`));
    const c = await t.db
      .selectFrom('report_case')
      .select(['id', 'kind', 'channel', 'category', 'reply_due_at', 'created_at'])
      .where('reference', '=', reference)
      .executeTakeFirstOrThrow();
    assert.deepEqual([c.kind, c.channel, c.category], ['complaint', 'line', 'infrastructure']);
    assert.equal(Math.round((c.reply_due_at!.getTime() - c.created_at.getTime()) / 86_400_000), 15);
    assert.equal((await t.db.selectFrom('attachment').select('id').where('case_id', '=', c.id).execute()).length, 1);
    // Staff read the complaint with its complainant, the LINE user id sealed in it.
    const opened = await openCaseKeys({ db: t.db, actor: staff.io, reference, purpose: 'message_posted' });
    const view = (await loadCaseView({ db: t.db, caseId: c.id, keys: opened.keys, withIdentity: false }))!;
    assert.equal(view.content.complainant?.lineUserId, user);
    assert.equal(view.content.complainant?.name, 'สมชาย ใจดี');
    assert.equal(view.content.location?.address, 'ซอยสีลม 5 บางรัก');
    assert.equal(view.attachments[0].removed.includes('removed.gps'), true);
  });

  it('keeps nothing a LINE user said in the clear in the database', async () => {
    const { rows } = await (await import('kysely')).sql<{ dump: string }>`
      select string_agg(encode(convert_to(t::text, 'UTF8'), 'escape'), '') as dump from (
        select e::text as t from line_event e union all select c::text from line_conversation c union all select l::text from line_contact l
        union all select o::text from line_outbox o union all select r::text from report_case r) x`.execute(t.db);
    const dump = rows[0].dump;
    for (const secret of [user, 'ถนนหน้าซอย', 'สมชาย', 'ซอยสีลม', code]) {
      assert.ok(!dump.includes(secret), `found ${secret}`);
      assert.ok(!dump.includes(Buffer.from(secret).toString('hex')), `found ${secret} as hex`);
    }
    const events = await t.db.selectFrom('line_event').select(['state', 'body']).execute();
    assert.ok(events.every((e) => e.state === 'done' && e.body === null));
  });

  it('pushes the new status when staff acknowledge, through LINE answering 429 and then 500', async () => {
    line.failNext('push', 429, 1);
    line.failNext('push', 500, 1);
    await transitionCase({ db: t.db, actor: staff.io, reference, to: 'acknowledged', reason: 'รับเรื่อง' });
    worker.kick();
    const ds = await line.waitFor(
      (all) => all.some((d) => d.kind === 'push' && d.to === user && textsOf(d)[0].includes('รับเรื่องแล้ว')),
      10_000,
    );
    await worker.idle();
    const pushes = ds.filter((d) => d.kind === 'push' && d.to === user);
    assert.equal(pushes.length, 1, 'delivered once');
    const attempts = line.calls
      .filter((c) => c.endpoint === 'push' && c.retryKey === pushes[0].retryKey)
      .map((c) => c.status);
    assert.deepEqual(attempts, [429, 500, 200]);
    const row = await t.db
      .selectFrom('line_outbox')
      .select(['state', 'attempts', 'body'])
      .where('id', '=', pushes[0].retryKey!)
      .executeTakeFirstOrThrow();
    assert.deepEqual([row.state, row.attempts, row.body], ['sent', 3, null]);
  });

  it('sends a push once when LINE accepted it but the answer was lost (same retry key → 409)', async () => {
    line.failNext('push', 500, 1, { delivered: true });
    const opened = await openCaseKeys({ db: t.db, actor: staff.io, reference, purpose: 'message_posted' });
    await postCaseMessage({ db: t.db, actor: staff.io, opened, text: 'เขตจะซ่อมถนนภายในวันศุกร์นี้', files: [] });
    worker.kick();
    await line.waitFor((all) => all.some((d) => d.kind === 'push' && textsOf(d)[0].includes('ซ่อมถนน')), 10_000);
    const latest = () =>
      t.db.selectFrom('line_outbox').select(['id', 'state']).orderBy('seq', 'desc').limit(1).executeTakeFirstOrThrow();
    // The lost answer is retried after the back-off; the row is sent once LINE answers 409.
    for (let i = 0; i < 100 && (await latest()).state !== 'sent'; i++) await new Promise((r) => setTimeout(r, 50));
    const row = await latest();
    assert.equal(row.state, 'sent');
    assert.deepEqual(
      line.calls.filter((c) => c.retryKey === row.id).map((c) => c.status),
      [500, 409],
    );
    assert.equal(line.deliveries.filter((d) => d.kind === 'push' && textsOf(d)[0].includes('ซ่อมถนน')).length, 1);
  });

  it('shows the status on "ติดตาม <code>" and lists the user\'s cases on "ติดตาม" and the rich-menu postback', async () => {
    const byCode = textsOf(await replyTo(textEvent(user, `ติดตาม ${code.replace(/(\d{4})(?=\d)/g, '$1 ')}`)))[0];
    assert.ok(byCode.includes(reference) && byCode.includes('รับเรื่องแล้ว') && byCode.includes('ซ่อมถนน'), byCode);
    assert.ok(!byCode.includes('สมชาย'));
    const mine = textsOf(await replyTo(postbackEvent(user, 'a=status')))[0];
    assert.ok(mine.includes(reference), mine);
    assert.match(textsOf(await replyTo(textEvent(user, 'ติดตาม 0000 0000 0000 0000')))[0], /ไม่พบเรื่อง/);
    // Another LINE user sees none of it.
    const other = lineUserId();
    assert.match(textsOf(await replyTo(postbackEvent(other, 'a=status')))[0], /ยังไม่มีเรื่อง/);
  });

  it('tells the outcome and asks for a rating at closure, and records it from the quick reply, with a comment sealed to the team', async () => {
    for (const to of ['screening', 'concluded']) {
      await transitionCase({
        db: t.db,
        actor: to === 'concluded' ? staff.sup : staff.io,
        reference,
        to,
        reason: 'ดำเนินการ',
        ...(to === 'concluded' ? { outcome: 'resolved' } : {}),
      });
    }
    await transitionCase({ db: t.db, actor: staff.sup, reference, to: 'closed', reason: 'ซ่อมแล้ว' });
    worker.kick();
    const ds = await line.waitFor((all) => all.some((d) => JSON.stringify(d.messages).includes('a=rate')), 10_000);
    const ask = ds.find((d) => JSON.stringify(d.messages).includes('a=rate'))!;
    assert.ok(JSON.stringify(ask.messages).includes(`r=${reference}`));
    const closure = textsOf(ask).find((m) => m.includes('ยุติเรื่อง'));
    assert.ok(closure?.includes('ผลการดำเนินการ: แก้ไขแล้ว'), `the closure push tells the outcome: ${closure}`);
    const tracked = textsOf(await replyTo(textEvent(user, `ติดตาม ${code}`)))[0];
    assert.ok(tracked.includes('ผลการดำเนินการ: แก้ไขแล้ว'), tracked);
    // Another user cannot rate this case.
    const stranger = lineUserId();
    assert.match(textsOf(await replyTo(postbackEvent(stranger, `a=rate&r=${reference}&v=1`)))[0], /ไม่พบเรื่องนี้/);
    assert.match(textsOf(await replyTo(postbackEvent(user, `a=rate&r=${reference}&v=4`)))[0], /4/);
    await replyTo(textEvent(user, 'ช่างมาเร็ว ขอบคุณครับ'));
    const r = await t.db
      .selectFrom('case_rating as r')
      .innerJoin('report_case as c', 'c.id', 'r.case_id')
      .select(['r.score', 'r.channel', 'r.comment', 'c.id'])
      .where('c.reference', '=', reference)
      .executeTakeFirstOrThrow();
    assert.deepEqual([r.score, r.channel], [4, 'line']);
    const opened = await openCaseKeys({ db: t.db, actor: staff.io, reference, purpose: 'message_posted' });
    assert.equal(openFromTeam<string>(opened.keys.team, `case-rating/${r.id}`, r.comment!), 'ช่างมาเร็ว ขอบคุณครับ');
    // A second rating is refused.
    assert.match(textsOf(await replyTo(postbackEvent(user, `a=rate&r=${reference}&v=1`)))[0], /ขออภัย/);
    assert.equal((await t.db.selectFrom('case_rating').select('score').execute()).length, 1);
  });

  it('answers in English to a user who writes English, and warns a tip that LINE is not anonymous', async () => {
    const en = lineUserId();
    assert.match(textsOf(await replyTo(textEvent(en, 'hello')))[0], /What would you like/);
    const warn = textsOf(await replyTo(postbackEvent(en, 'a=kind&v=tip')))[0];
    assert.match(warn, /not anonymous/);
    assert.ok(warn.includes('/report'));
    assert.match(textsOf(await replyTo(postbackEvent(en, 'a=tip_go')))[0], /agency/);
    // A step out of order changes nothing: confirming now files no case.
    const before = (await t.db.selectFrom('report_case').select('id').execute()).length;
    await replyTo(postbackEvent(en, 'a=confirm'));
    assert.equal((await t.db.selectFrom('report_case').select('id').execute()).length, before);
  });

  it('files a tip with the LINE user in the sealed identity, which only custodians open', async () => {
    const tipper = lineUserId();
    await replyTo(followEvent(tipper));
    await replyTo(postbackEvent(tipper, 'a=kind&v=tip'));
    await replyTo(postbackEvent(tipper, 'a=tip_go'));
    await replyTo(postbackEvent(tipper, 'a=agency&v=BKK'));
    await replyTo(postbackEvent(tipper, 'a=category&v=bribery'));
    await replyTo(textEvent(tipper, 'เจ้าหน้าที่เรียกเงินใต้โต๊ะ 5,000 บาท'));
    await replyTo(postbackEvent(tipper, 'a=done'));
    const ref = /(BKK-\d{4}-\d{6})/.exec(textsOf(await replyTo(postbackEvent(tipper, 'a=confirm')))[0])![1];
    const c = await t.db
      .selectFrom('report_case')
      .select(['id', 'kind', 'has_identity'])
      .where('reference', '=', ref)
      .executeTakeFirstOrThrow();
    assert.deepEqual([c.kind, c.has_identity], ['tip', true]);
    const opened = await openCaseKeys({
      db: t.db,
      actor: staff.io,
      reference: ref,
      purpose: 'message_posted',
      withIdentity: true,
    });
    const view = (await loadCaseView({ db: t.db, caseId: c.id, keys: opened.keys, withIdentity: true }))!;
    assert.equal(view.content.complainant, undefined);
    assert.equal(view.identity?.contact, `LINE ${tipper}`);
  });

  it('forgets the conversation when the user blocks the account', async () => {
    const u = lineUserId();
    await send(followEvent(u));
    assert.equal((await t.db.selectFrom('line_conversation').select('user_hash').execute()).length > 0, true);
    const before = (await t.db.selectFrom('line_conversation').select('user_hash').execute()).length;
    await send({ ...followEvent(u), type: 'unfollow' } as WebhookEvent);
    assert.equal((await t.db.selectFrom('line_conversation').select('user_hash').execute()).length, before - 1);
  });
});
