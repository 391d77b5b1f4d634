// Staff on LINE (issue 18): a staff account linked by a one-time code, the lesson of the day and its
// practice question, ethics questions answered from the knowledge base or sent on to the ethics
// officer (named or anonymous) and the answer pushed back on LINE. Everything goes through signed
// webhooks (the real signature check), the worker, the official SDK client and the LINE stand-in.
// Hostile: forged signature, wrong / expired / reused codes, another agency's code, brute force,
// commands from an unlinked user, forged postbacks naming a test item, oversized text, and a
// database dump that must not show who is who on LINE.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { channelKeys } from '../src/channels/line/channel-key.ts';
import { lineAnswerDeliverer } from '../src/channels/line/ethics-answer.ts';
import { issueLinkCode, LINK_CODE_DIGITS, MAX_CODES_PER_HOUR } from '../src/channels/line/staff-link.ts';
import { lineClients } from '../src/channels/line/clients.ts';
import type { LineDeps } from '../src/channels/line/deps.ts';
import { pushLessons } from '../src/channels/line/lesson-push.ts';
import { startLineWorker, type LineWorker } from '../src/channels/line/worker.ts';
import { addBank, addItem, addLesson, publishCourse, saveCourse, setBlueprintRow } from '../src/ethics/courses.ts';
import { markPractice, practiceItem } from '../src/ethics/daily.ts';
import { loadSample } from '../src/ethics/knowledge.ts';
import { lessonText } from '../src/ethics/markdown.ts';
import { askQuestion } from '../src/ethics/qa-search.ts';
import { answerQuestion, myQuestions, questionInbox, readByCode } from '../src/ethics/questions.ts';
import { learnerCourse } from '../src/ethics/taking.ts';
import type { AppError } from '../src/errors.ts';
import { createLoginThrottle } from '../src/intake/login-throttle.ts';
import type { StaffActor } from '../src/staff/session.ts';
import { createTestApp, seedAgency, seedStaff, signedInActor, type TestApp } from './support/app.ts';
import { scanner } from './support/leak-scan.ts';
import {
  injectWebhook,
  lineUserId,
  postbackEvent,
  startLineApi,
  textEvent,
  webhookBody,
  type Delivery,
  type LineApi,
  type WebhookEvent,
} from './support/line-api.ts';

const SECRET = '0123456789abcdef0123456789abcdef';
const textsOf = (d: Delivery) => d.messages.map((m) => String(m.text ?? m.altText ?? ''));
const quickOf = (m: Record<string, unknown>) =>
  ((m.quickReply as { items: { action: { label: string; data?: string } }[] } | undefined)?.items ?? []).map(
    (i) => i.action,
  );
const code = (want: string) => (e: unknown) => (e as AppError).code === want;

describe('staff on LINE: link, lesson of the day, ethics questions', () => {
  let t: TestApp;
  let line: LineApi;
  let worker: LineWorker;
  let officer: StaffActor;
  let learner: StaffActor;
  let other: StaffActor;
  let courseId = 0;
  const keys = () => channelKeys(t.deps.secrets.channelKey);
  const staffLine = lineUserId();
  const stranger = lineUserId();

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
  const say = async (user: string, words: string) => textsOf(await replyTo(textEvent(user, words)));
  const newCode = async (actor: StaffActor) => (await issueLinkCode(t.db, keys(), actor)).code;

  before(async () => {
    line = await startLineApi({ accessToken: 'test-access-token' });
    t = await createTestApp({
      LINE_CHANNEL_SECRET: SECRET,
      LINE_CHANNEL_ACCESS_TOKEN: 'test-access-token',
      LINE_API_BASE: line.url,
    });
    await seedAgency(t.db, 'BKK');
    await seedAgency(t.db, 'LAND');
    await seedStaff(t.db, 'BKK', 'ethics@bkk.example', ['ethics_officer']);
    await seedStaff(t.db, 'BKK', 'inv@bkk.example', ['investigator']);
    await seedStaff(t.db, 'LAND', 'inv@land.example', ['investigator']);
    officer = await signedInActor(t.db, 'ethics@bkk.example');
    learner = await signedInActor(t.db, 'inv@bkk.example');
    other = await signedInActor(t.db, 'inv@land.example');
    courseId = await saveCourse(t.db, officer, {
      titleTh: 'ผลประโยชน์ทับซ้อน',
      titleEn: 'Conflicts of interest',
      passMark: '60',
      attemptsAllowed: '2',
      delayMinutes: '0',
      grading: 'highest',
    });
    await addLesson(t.db, officer, courseId, {
      titleTh: 'บทที่ 1 ของขวัญ',
      titleEn: 'Lesson 1 gifts',
      bodyTh:
        'ห้าม**รับ**ของขวัญเกิน 3,000 บาท\n\n- ข้อหนึ่ง\n- ข้อสอง\n\n![แผนภาพ](/staff/ethics/images/1) ดู [ประกาศ](https://www.nacc.go.th/)',
      bodyEn: 'No gifts over 3,000 baht.',
    });
    await addLesson(t.db, officer, courseId, {
      titleTh: 'บทที่ 2 การรายงาน',
      titleEn: 'Lesson 2 reporting',
      bodyTh: 'รายงานผู้บังคับบัญชา',
      bodyEn: 'Tell your superior.',
    });
    const bank = await addBank(t.db, officer, { bankName: 'คลัง' });
    for (let i = 1; i <= 6; i++)
      await addItem(t.db, officer, bank, {
        kind: 'single',
        stemTh: `ข้อ ${i}`,
        stemEn: `Item ${i}`,
        optionsTh: 'ถูก\nผิด',
        optionsEn: 'Right\nWrong',
        feedbackTh: 'ใช่แล้ว\nไม่ใช่',
        feedbackEn: 'Yes\nNo',
        correct: '1',
      });
    await setBlueprintRow(t.db, officer, courseId, { bank: String(bank), category: '', count: '2' });
    await publishCourse(t.db, officer, courseId, () => 0);
    await loadSample({ db: t.db, actor: officer });
    worker = startLineWorker({
      db: t.db,
      config: t.config,
      secrets: t.deps.secrets,
      throttle: createLoginThrottle(),
      log: () => {},
      pollMs: 100,
      retryBaseSeconds: 0.05,
    }) as LineWorker;
    t.deps.onLineEvents = () => worker.kick();
  });
  after(async () => {
    await worker?.stop();
    await t?.close();
    await line?.close();
  });

  it('issues 10-digit codes stored only as an HMAC, at most 5 an hour', async () => {
    const fresh = await seedStaff(t.db, 'BKK', 'codes@bkk.example', ['investigator']);
    const actor = await signedInActor(t.db, 'codes@bkk.example');
    const codes: string[] = [];
    for (let i = 0; i < MAX_CODES_PER_HOUR; i++) codes.push(await newCode(actor));
    assert.ok(codes.every((c) => new RegExp(`^\\d{${LINK_CODE_DIGITS}}$`).test(c)));
    await assert.rejects(newCode(actor), code('too_many_requests'));
    const rows = await t.db
      .selectFrom('line_link_code')
      .selectAll()
      .where('user_id', '=', fresh.id)
      .where('expires_at', '>', new Date())
      .execute();
    assert.equal(rows.length, 1, 'a new code replaces the unused ones');
    const all = await t.db.selectFrom('line_link_code').select('code_hash').where('user_id', '=', fresh.id).execute();
    assert.ok(all.every((r) => !codes.some((c) => r.code_hash.toString('latin1').includes(c))));
    assert.ok(!rows[0].code_hash.toString('hex').includes(codes[4]));
    assert.ok(rows[0].code_hash.equals(keys().codeHash(codes[4])));
  });

  it('refuses a forged signature before anything is stored', async () => {
    const c = await newCode(learner);
    const body = webhookBody([textEvent(staffLine, `เชื่อมบัญชี ${c}`)]);
    const res = await injectWebhook(t.app, body, { secret: 'f'.repeat(32) });
    assert.equal(res.statusCode, 401);
    assert.equal((await t.db.selectFrom('line_staff_link').select('user_id').execute()).length, 0);
  });

  it('an unlinked user sending staff commands gets the reporters’ conversation, nothing of a course', async () => {
    for (const words of ['บทเรียนวันนี้', 'lesson', 'ถามจริยธรรม รับของขวัญได้ไหม', 'ยกเลิกเชื่อมบัญชี']) {
      const texts = await say(stranger, words);
      assert.ok(!texts.join(' ').includes('บทที่'), words);
      assert.ok(!texts.join(' ').includes('คำถามฝึกหัด'), words);
    }
    const forged = await replyTo(postbackEvent(stranger, 's=ans&i=1&o=0'));
    assert.ok(
      !textsOf(forged)
        .join(' ')
        .match(/ถูกต้อง|ยังไม่ถูก/),
    );
  });

  it('refuses wrong, expired and malformed codes', async () => {
    assert.match((await say(staffLine, 'เชื่อมบัญชี 0000000000')).join(' '), /ไม่ถูกต้อง/);
    assert.match((await say(staffLine, 'link 12345'))[0], /wrong, expired or used/);
    const expired = await issueLinkCode(t.db, keys(), learner, new Date(Date.now() - 11 * 60_000));
    assert.match((await say(staffLine, `เชื่อมบัญชี ${expired.code}`))[0], /ไม่ถูกต้อง/);
    const failures = await t.db.selectFrom('line_link_failure').select('staff_hash').execute();
    assert.equal(failures.length, 3);
    assert.ok(failures.every((f) => f.staff_hash.equals(keys().staffHash(staffLine))));
  });

  it('links with a right code (Thai digits and spaces too), once; audited; hashed apart from reporters', async () => {
    const c = await newCode(learner);
    const thai = c.replace(/\d/g, (d) => String.fromCharCode(0x0e50 + Number(d))).replace(/(.{5})/, '$1 ');
    assert.match((await say(staffLine, `เชื่อมบัญชี ${thai}`))[0], /เชื่อมบัญชีเจ้าหน้าที่กับ LINE นี้แล้ว/);
    const link = await t.db.selectFrom('line_staff_link').selectAll().executeTakeFirstOrThrow();
    assert.equal(link.user_id, learner.id);
    assert.ok(link.staff_hash.equals(keys().staffHash(staffLine)));
    assert.ok(!link.staff_hash.equals(keys().userHash(staffLine)), 'not the reporters’ hash');
    const audit = await t.db.selectFrom('audit_event').select(['action', 'actor_user_id']).execute();
    assert.ok(audit.some((a) => a.action === 'line_linked' && a.actor_user_id === learner.id));
    // the staff command's event keeps no sender hash
    const withHash = await t.db
      .selectFrom('line_event')
      .select('seq')
      .where('user_hash', '=', keys().userHash(staffLine))
      .execute();
    assert.equal(withHash.length, 0);
    // the code is used: another LINE user cannot take it
    const thief = lineUserId();
    assert.match((await say(thief, `เชื่อมบัญชี ${c}`))[0], /ไม่ถูกต้อง/);
  });

  it('refuses another staff account’s code on a linked LINE user; that account stays unlinked', async () => {
    const landCode = await newCode(other);
    assert.match((await say(staffLine, `link ${landCode}`))[0], /another staff account/);
    const links = await t.db.selectFrom('line_staff_link').select('user_id').execute();
    assert.deepEqual(
      links.map((l) => l.user_id),
      [learner.id],
    );
  });

  it('a linked staff member of another agency gets nothing of this agency’s courses; refusals are answers', async () => {
    const landLine = lineUserId();
    assert.match((await say(landLine, `เชื่อมบัญชี ${await newCode(other)}`))[0], /เชื่อมบัญชีเจ้าหน้าที่/);
    assert.match((await say(landLine, 'บทเรียนวันนี้'))[0], /ยังไม่มีหลักสูตร/);
    assert.equal(await practiceItem(t.db, other, courseId), null);
    // LAND has no knowledge base and no ethics officer: the offer, then the refusal as a reply
    assert.match((await say(landLine, 'ถามจริยธรรม รับของขวัญได้ไหม'))[0], /ไม่พบคำตอบที่มั่นใจ/);
    const refused = await replyTo(postbackEvent(landLine, 's=send&anon=0'));
    assert.match(textsOf(refused)[0], /เจ้าหน้าที่ส่งเสริมจริยธรรม/);
    const failed = await t.db.selectFrom('line_event').select('seq').where('state', '!=', 'done').execute();
    assert.equal(failed.length, 0, 'no event left to retry');
    assert.match((await say(landLine, 'unlink'))[0], /no longer linked/);
  });

  it('stops a brute force: past 5 wrong codes even the right one is not looked at', async () => {
    const guesser = lineUserId();
    for (let i = 0; i < 5; i++) await say(guesser, `เชื่อมบัญชี ${String(1000000000 + i)}`);
    const right = await newCode(other);
    assert.match((await say(guesser, `เชื่อมบัญชี ${right}`))[0], /มากเกินไป|หลายครั้ง/);
    assert.equal(
      (await t.db.selectFrom('line_staff_link').select('user_id').where('user_id', '=', other.id).execute()).length,
      0,
    );
  });

  it('sends the lesson of the day as text with its link, marks it read, and a practice question', async () => {
    const d = await replyTo(textEvent(staffLine, 'บทเรียนวันนี้'));
    const texts = textsOf(d);
    assert.match(texts[0], /บทที่ 1 ของขวัญ/);
    assert.match(texts[0], /ห้ามรับของขวัญเกิน 3,000 บาท/);
    assert.match(texts[0], /• ข้อหนึ่ง/);
    assert.match(texts[0], /\(https:\/\/www\.nacc\.go\.th\/\)/);
    assert.ok(!texts[0].includes('**'));
    assert.match(texts[1], new RegExp(`/staff/ethics/learn/${courseId}/lessons/1`));
    assert.match(texts[1], /รูปภาพ/);
    assert.match(texts[2], /คำถามฝึกหัด/);
    const buttons = quickOf(d.messages[2]);
    assert.equal(buttons.length, 2);
    const read = await learnerCourse(t.db, learner, courseId);
    assert.deepEqual(
      read.lessons.map((l) => l.readOn),
      ['line', null],
    );
    // the practice item is none of the tests' items
    const itemId = Number(new URLSearchParams(buttons[0].data).get('i'));
    const tests = await t.db.selectFrom('ethics_test_item').select('item_id').execute();
    assert.ok(!tests.some((x) => x.item_id === itemId));
    // a forged answer naming a test item (its answer would leak) is not marked
    const forged = await replyTo(postbackEvent(staffLine, `s=ans&i=${tests[0].item_id}&o=0`));
    assert.ok(!textsOf(forged)[0].match(/^ถูกต้อง|^ยังไม่ถูก/));
    const answered = await replyTo(postbackEvent(staffLine, buttons[0].data ?? ''));
    assert.match(textsOf(answered)[0], /^ถูกต้อง\nใช่แล้ว/);
    const again = await replyTo(postbackEvent(staffLine, buttons[0].data ?? ''));
    assert.match(textsOf(again)[0], /ตอบไปแล้ว/);
    const next = await say(staffLine, 'lesson');
    assert.match(next[0], /Lesson 2 reporting/);
    assert.match(next[0], /Tell your superior/);
  });

  it('takes a multiple-choice practice question: options chosen and unchosen, then sent and marked together', async () => {
    const bank = await t.db.selectFrom('ethics_bank').select('id').executeTakeFirstOrThrow();
    const itemId = await addItem(t.db, officer, bank.id, {
      kind: 'multiple',
      stemTh: 'ข้อใดเป็นผลประโยชน์ทับซ้อน',
      stemEn: 'Which are conflicts of interest?',
      optionsTh: 'จ้างบริษัทของญาติ\nรับเงินเดือน\nอนุมัติงานให้ตนเอง',
      optionsEn: "Hiring a relative's company\nDrawing a salary\nApproving one's own work",
      feedbackTh: 'ใช่ ญาติได้ประโยชน์\nไม่ใช่\nใช่',
      feedbackEn: 'Yes\nNo\nYes',
      correct: '1,3',
    });
    /** Asks for the lesson until the practice question drawn is the multiple-choice item (3 items in the pool). */
    const offer = async () => {
      for (let i = 0; i < 40; i++) {
        const d = await replyTo(textEvent(staffLine, 'บทเรียนวันนี้'));
        const last = d.messages[d.messages.length - 1];
        if (quickOf(last).some((a) => a.data === `s=pick&i=${itemId}&o=0`)) return last;
      }
      throw new Error('the multiple-choice item was never drawn');
    };
    const pick = async (o: string, id = itemId) => {
      const d = await replyTo(postbackEvent(staffLine, `s=pick&i=${id}&o=${o}`));
      return { text: textsOf(d)[0], buttons: quickOf(d.messages[0]) };
    };
    const first = await offer();
    assert.match(String(first.text), /ข้อใดเป็นผลประโยชน์ทับซ้อน/);
    assert.match(String(first.text), /มากกว่าหนึ่งข้อ/);
    assert.deepEqual(
      quickOf(first).map((a) => a.label.slice(0, 4)),
      ['☐ 1.', '☐ 2.', '☐ 3.'],
      'no "send" before an option is chosen',
    );
    // forged picks: an option that does not exist, another item (a test item's id), no option
    const testItem = await t.db.selectFrom('ethics_test_item').select('item_id').executeTakeFirstOrThrow();
    for (const [o, id] of [
      ['9', itemId],
      ['0', testItem.item_id],
      ['x', itemId],
    ] as const)
      assert.match((await pick(o, id)).text, /ตอบไปแล้ว|ไม่ใช่คำถามล่าสุด/);
    assert.match((await pick('0')).text, /เลือกไว้: ข้อ 1 /);
    assert.match((await pick('1')).text, /เลือกไว้: ข้อ 1, 2 /);
    const undone = await pick('1');
    assert.match(undone.text, /เลือกไว้: ข้อ 1 /);
    assert.deepEqual(
      undone.buttons.map((a) => a.label.slice(0, 4)),
      ['☑ 1.', '☐ 2.', '☐ 3.', 'ส่งค'],
    );
    // one of the two right options: part marks, and the right answer shown
    const partly = textsOf(await replyTo(postbackEvent(staffLine, `s=ans&i=${itemId}&m=1`)))[0];
    assert.match(partly, /^ถูกบางส่วน\nใช่ ญาติได้ประโยชน์\nคำตอบที่ถูก: จ้างบริษัทของญาติ, อนุมัติงานให้ตนเอง/);
    assert.match(textsOf(await replyTo(postbackEvent(staffLine, `s=ans&i=${itemId}&m=1`)))[0], /ตอบไปแล้ว/);

    await offer();
    await pick('0');
    await pick('2');
    const right = textsOf(await replyTo(postbackEvent(staffLine, `s=ans&i=${itemId}&m=1`)))[0];
    assert.match(right, /^ถูกต้อง\nใช่ ญาติได้ประโยชน์\nใช่$/);

    await offer();
    await pick('1');
    await pick('0');
    assert.match(textsOf(await replyTo(postbackEvent(staffLine, `s=ans&i=${itemId}&m=1`)))[0], /^ยังไม่ถูก/);
    // sent with nothing chosen (a forged postback): not marked
    await offer();
    assert.match(textsOf(await replyTo(postbackEvent(staffLine, `s=ans&i=${itemId}&m=1`)))[0], /ตอบไปแล้ว/);

    // marked as a test marks it; several options for a one-answer item are refused
    const pool = await t.db
      .selectFrom('ethics_item')
      .select('id')
      .where('kind', '=', 'single')
      .where('id', 'not in', (eb) => eb.selectFrom('ethics_test_item').select('item_id'))
      .executeTakeFirstOrThrow();
    await assert.rejects(markPractice(t.db, learner, pool.id, [0, 1]), code('not_found'));
    await assert.rejects(markPractice(t.db, learner, itemId, []), code('not_found'));
    await assert.rejects(markPractice(t.db, other, itemId, [0]), code('not_found'), 'not of another agency');
    assert.equal((await markPractice(t.db, learner, itemId, [0, 2, 2])).isCorrect, true);
  });

  it('never draws a test item as a practice question', async () => {
    const tests = new Set(
      (await t.db.selectFrom('ethics_test_item').select('item_id').execute()).map((x) => x.item_id),
    );
    for (let pick = 0; pick < 2; pick++) {
      const item = await practiceItem(t.db, learner, courseId, () => pick);
      assert.ok(item && !tests.has(item.id));
    }
    assert.equal(await practiceItem(t.db, other, courseId), null, 'not of another agency');
  });

  it('plain text of a lesson: no raw HTML, images named', () => {
    const out = lessonText('<script>x</script>\n\n# หัวข้อ\n\n![ผัง](/staff/ethics/images/3)');
    assert.equal(out.hasImages, true);
    assert.match(out.text, /&lt;|<script>x<\/script>/);
    assert.match(out.text, /\[ผัง\]/);
  });

  it('answers an ethics question from the knowledge base with its source', async () => {
    const q = 'พระราชบัญญัติมาตรฐานทางจริยธรรม พ.ศ. 2562 มาตรา 1 ว่าอย่างไร';
    assert.ok((await askQuestion({ db: t.db, actor: learner, question: q })).isKnown);
    const texts = await say(staffLine, `ถามจริยธรรม ${q}`);
    assert.match(texts[0], /ฐานความรู้/);
    assert.match(texts[1], /^“/);
    assert.match(texts[1], /มาตรฐานทางจริยธรรม/);
  });

  it('refuses an oversized question and survives a 5,000-character message', async () => {
    assert.match((await say(staffLine, `ถามจริยธรรม ${'ก'.repeat(600)}`))[0], /ยาวเกิน 500/);
    const long = await say(staffLine, 'ข'.repeat(5000));
    assert.ok(long.length > 0);
  });

  it('sends an unknown question on anonymously; the officer’s answer comes back on LINE', async () => {
    const offer = await replyTo(textEvent(staffLine, 'ถามจริยธรรม ลาพักร้อนได้ปีละกี่วัน'));
    assert.match(textsOf(offer)[0], /ไม่พบคำตอบที่มั่นใจ/);
    const data = quickOf(offer.messages[0]).map((a) => a.data);
    assert.deepEqual(data, ['s=send&anon=0', 's=send&anon=1', 's=drop']);
    const sent = textsOf(await replyTo(postbackEvent(staffLine, 's=send&anon=1')));
    const codeShown = /(\d{4}-\d{4}-\d{4}-\d{4}|\d{16})/.exec(sent[0])?.[1];
    assert.ok(codeShown, sent[0]);
    const row = await t.db.selectFrom('ethics_question').selectAll().executeTakeFirstOrThrow();
    assert.equal(row.channel, 'line');
    assert.equal(row.asker_user_id, null);
    assert.ok(row.line_route);
    assert.ok(!row.line_route.toString('latin1').includes(staffLine));
    // nothing of the sender in the audit trail for the sending
    const audits = await t.db
      .selectFrom('audit_event')
      .select('action')
      .where('action', 'like', 'ethics_question%')
      .execute();
    assert.equal(audits.length, 0);
    // a second send has nothing pending
    assert.match(textsOf(await replyTo(postbackEvent(staffLine, 's=send&anon=1')))[0], /ไม่มีคำถามรอส่ง/);
    // the officer answers on the web; the answer is pushed to the asker
    const inbox = await questionInbox({ db: t.db, actor: officer });
    assert.equal(inbox.questions.length, 1);
    await answerQuestion({
      db: t.db,
      actor: officer,
      questionId: inbox.questions[0].id,
      answer: 'ลาพักผ่อนได้ปีละ 10 วันทำการ',
      deliver: lineAnswerDeliverer(keys()),
    });
    await worker.idle();
    const push = line.deliveries.find((d) => d.kind === 'push' && textsOf(d).join(' ').includes('10 วันทำการ'));
    assert.ok(push);
    assert.equal(push.to, staffLine);
    const byCode = await readByCode(
      { db: t.db, code: codeShown },
      { kdf: t.config.kdf, receiptSalt: t.deps.secrets.receiptSalt },
    );
    assert.equal(byCode.answer, 'ลาพักผ่อนได้ปีละ 10 วันทำการ');
  });

  it('sends a question on with the asker’s name; it shows on their web page and the answer comes on LINE', async () => {
    await say(staffLine, 'ถามจริยธรรม เบิกค่ารักษาพยาบาลของบิดามารดาได้ไหม');
    assert.match(textsOf(await replyTo(postbackEvent(staffLine, 's=send&anon=0')))[0], /ส่งคำถามถึงเจ้าหน้าที่จริยธรรมแล้ว/);
    const mine = await myQuestions({ db: t.db, actor: learner });
    assert.equal(mine.length, 1);
    assert.equal(mine[0].question, 'เบิกค่ารักษาพยาบาลของบิดามารดาได้ไหม');
    await answerQuestion({
      db: t.db,
      actor: officer,
      questionId: mine[0].id,
      answer: 'เบิกได้ตามระเบียบ',
      deliver: lineAnswerDeliverer(keys()),
    });
    worker.kick();
    const all = await line.waitFor((ds) =>
      ds.some((d) => d.kind === 'push' && textsOf(d).join(' ').includes('เบิกได้ตามระเบียบ')),
    );
    assert.equal(all.find((d) => textsOf(d).join(' ').includes('เบิกได้ตามระเบียบ'))?.to, staffLine);
  });

  it('a linked staff member still files a complaint as a reporter, apart from the staff state', async () => {
    const texts = await say(staffLine, 'ร้องเรียน');
    assert.match(texts[0], /ต้องการทำเรื่องใด/);
  });

  it('a stolen database shows no LINE user id, no question, no code, and no reporters’ hash in the link', async () => {
    // Every table of this test's database as JSON (bytea as PostgreSQL's hex); logicalDump reads
    // every database of the cluster, which other test files create and drop meanwhile.
    const tables = await sql<{ name: string }>`
      select quote_ident(table_name) as name from information_schema.tables
      where table_schema = 'public' and table_type = 'BASE TABLE'`.execute(t.db);
    const parts: string[] = [];
    for (const { name } of tables.rows) {
      const { rows } = await sql<{ j: string }>`select row_to_json(x)::text as j from ${sql.raw(name)} x`.execute(t.db);
      parts.push(name, ...rows.map((r) => r.j));
    }
    const dump = { data: Buffer.from(parts.join('\n')) };
    assert.ok(tables.rows.length > 50);
    const s = scanner([
      { label: 'staff LINE id', value: staffLine },
      { label: 'the anonymous question', value: 'ลาพักร้อนได้ปีละกี่วัน' },
      { label: 'the answer', value: 'ลาพักผ่อนได้ปีละ 10 วันทำการ' },
    ]);
    assert.deepEqual(s.scan(dump.data, 'dump'), []);
    const link = await t.db.selectFrom('line_staff_link').select('staff_hash').executeTakeFirstOrThrow();
    const reporterRows = await t.db
      .selectFrom('line_conversation')
      .select('user_hash')
      .where('user_hash', '=', link.staff_hash)
      .execute();
    assert.equal(reporterRows.length, 0, 'the link’s hash matches no reporter row');
  });

  it('pushes the lesson of the day once a day from the configured hour, and not at all by default', async () => {
    const line0 = t.config.line as NonNullable<typeof t.config.line>;
    const depsAt = (lessonHour: number | null): LineDeps => ({
      db: t.db,
      config: { ...t.config, line: { ...line0, lessonHour } },
      secrets: t.deps.secrets,
      keys: keys(),
      clients: lineClients(line0),
      throttle: createLoginThrottle(),
    });
    assert.equal(t.config.line?.lessonHour, null, 'off by default');
    const morning = new Date('2026-12-08T01:00:00Z'); // 08:00 in Thailand
    assert.equal(await pushLessons(depsAt(null), morning), 0);
    assert.equal(await pushLessons(depsAt(8), new Date('2026-12-08T00:59:00Z')), 0, 'before the hour');
    const pushesBefore = line.deliveries.filter((d) => d.kind === 'push' && d.to === staffLine).length;
    assert.equal(await pushLessons(depsAt(8), morning), 1);
    assert.equal(await pushLessons(depsAt(8), new Date('2026-12-08T10:00:00Z')), 0, 'once a day');
    worker.kick();
    const all = await line.waitFor(
      (ds) => ds.filter((d) => d.kind === 'push' && d.to === staffLine).length > pushesBefore,
      10_000,
    );
    const pushed = all.filter((d) => d.kind === 'push' && d.to === staffLine).at(-1) as Delivery;
    assert.match(textsOf(pushed).join('\n'), /คำถามฝึกหัด|Practice question/);
    assert.equal(await pushLessons(depsAt(8), new Date('2026-12-09T01:30:00Z')), 1, 'the next day');
  });

  it('unlinks on LINE (audited); commands then go to the reporters’ conversation', async () => {
    assert.match((await say(staffLine, 'ยกเลิกเชื่อมบัญชี'))[0], /ยกเลิกการเชื่อมบัญชี/);
    assert.equal((await t.db.selectFrom('line_staff_link').select('user_id').execute()).length, 0);
    const audit = await t.db
      .selectFrom('audit_event')
      .select(['action', 'detail'])
      .where('action', '=', 'line_unlinked')
      .where('actor_user_id', '=', learner.id)
      .execute();
    assert.equal(audit.length, 1);
    const after = await say(staffLine, 'บทเรียนวันนี้');
    assert.ok(!after.join(' ').includes('บทที่'));
  });
});
