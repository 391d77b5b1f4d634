// Editing ethics content through HTTP, like a browser without JavaScript: the ethics officer edits a
// lesson (script and a javascript: link in its Markdown shown as text, never run), an item not yet
// given in any attempt (all of it), an item given in a started attempt (its question, options and
// correct answers refused, its feedback changed) and a bank's name; each edit audited. Hostile:
// another agency's officer, a learner, forged and foreign ids, a forged CSRF token, oversized
// Markdown and names, a bank name already taken.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestApp, signedInActor, type TestApp } from '../../../test/support/app.ts';
import { itaJars } from '../../../test/support/ita.ts';
import { csrfOf, get, postForm, type Jar } from '../../../test/support/web.ts';
import { addBank, addItem, addLesson, publishCourse, saveCourse, setBlueprintRow } from '../../ethics/courses.ts';
import { startAttempt } from '../../ethics/taking.ts';

const PEOPLE = [
  ['ethics@opdc.example', 'OPDC', ['ethics_officer']],
  ['inv@opdc.example', 'OPDC', ['investigator']],
  ['ethics@nacc.example', 'NACC', ['ethics_officer']],
] as const;

const item = (n: number) => ({
  kind: 'single',
  category: 'gift',
  stemTh: `ข้อ ${n}`,
  stemEn: `Item ${n}`,
  optionsTh: 'รับได้\nรับไม่ได้',
  optionsEn: 'May accept\nMay not',
  feedbackTh: 'ผิด\nถูก',
  feedbackEn: 'Wrong\nRight',
  correct: '2',
});

describe('editing ethics content', () => {
  let h: TestApp;
  const jars: Record<string, Jar> = {};
  let courseId = 0;
  let lessonId = 0;
  let bankId = 0;
  let otherBank = 0;
  let given = 0;
  let notGiven = 0;
  const page = (who: string, url: string) => get(h.app, jars[who], url);
  const post = async (who: string, url: string, fields: Record<string, string>) =>
    postForm(h.app, jars[who], url, { _csrf: csrfOf((await page(who, '/staff/ethics')).body), ...fields });
  const lessonUrl = () => `/staff/ethics/courses/${courseId}/lessons/${lessonId}/edit`;
  const itemUrl = (id: number) => `/staff/ethics/banks/${bankId}/items/${id}/edit`;
  const audits = async (action: string) =>
    (await h.db.selectFrom('audit_event').select('detail').where('action', '=', action).execute()).map((a) => a.detail);

  before(async () => {
    h = await createTestApp();
    Object.assign(jars, (await itaJars(h.app, h.db, PEOPLE)).jars);
    const officer = await signedInActor(h.db, 'ethics@opdc.example');
    courseId = await saveCourse(h.db, officer, {
      titleTh: 'จริยธรรม',
      titleEn: 'Ethics',
      passMark: '60',
      attemptsAllowed: '0',
      delayMinutes: '0',
      grading: 'highest',
    });
    lessonId = await addLesson(h.db, officer, courseId, {
      titleTh: 'บทที่ 1',
      titleEn: 'Lesson 1',
      bodyTh: 'เนื้อหาเดิม',
      bodyEn: 'Old text',
    });
    bankId = await addBank(h.db, officer, { bankName: 'คลังหลัก' });
    otherBank = await addBank(h.db, officer, { bankName: 'คลังสำรอง' });
    const ids = [await addItem(h.db, officer, bankId, item(1)), await addItem(h.db, officer, bankId, item(2))];
    await setBlueprintRow(h.db, officer, courseId, { bank: String(bankId), category: '', count: '1' });
    await publishCourse(h.db, officer, courseId, () => 0);
    const drawn = await h.db
      .selectFrom('ethics_test_item')
      .select(['test', 'item_id'])
      .where('course_id', '=', courseId)
      .execute();
    given = drawn.find((d) => d.test === 'pre')?.item_id ?? 0;
    notGiven = ids.find((id) => id !== given) ?? 0;
    // a learner starts the pre-test: its item is now given in an attempt
    await startAttempt(h.db, await signedInActor(h.db, 'inv@opdc.example'), courseId, 'pre');
  });
  after(async () => h.close());

  it('edits a lesson; script and a javascript: link in the Markdown are shown as text', async () => {
    const form = await page('ethics@opdc.example', lessonUrl());
    assert.equal(form.statusCode, 200);
    assert.match(form.body, />เนื้อหาเดิม<\/textarea>/, 'prefilled with what is stored');
    const res = await post('ethics@opdc.example', lessonUrl(), {
      titleTh: 'บทที่ 1 ฉบับแก้',
      titleEn: 'Lesson 1 revised',
      bodyTh: '# หัวข้อ\n\n<script>alert(1)</script> [ลิงก์](javascript:alert(1)) <img src=x onerror=alert(1)>',
      bodyEn: 'New text',
    });
    assert.equal(res.statusCode, 303, res.body);
    assert.equal(res.headers.location, `/staff/ethics/courses/${courseId}?sent=saved#lesson-${lessonId}`);
    const course = await page('ethics@opdc.example', `/staff/ethics/courses/${courseId}`);
    assert.match(course.body, /บทที่ 1 ฉบับแก้/);
    assert.match(course.body, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
    assert.doesNotMatch(course.body, /<script>alert|href="javascript:|<img src="?x/);
    assert.deepEqual(await audits('ethics_lesson_edited'), [{ course: courseId, lesson: lessonId }]);
  });

  it('refuses oversized Markdown and an empty title beside their fields, keeping what was typed', async () => {
    const res = await post('ethics@opdc.example', lessonUrl(), {
      titleTh: '',
      titleEn: 'Kept title',
      bodyTh: 'ก'.repeat(12_001),
      bodyEn: 'x',
    });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /id="titleTh-error"/);
    assert.match(res.body, /id="bodyTh-error"/);
    assert.match(res.body, /value="Kept title"/);
    const stored = await h.db.selectFrom('ethics_lesson').select('title_en').executeTakeFirstOrThrow();
    assert.equal(stored.title_en, 'Lesson 1 revised');
  });

  it('refuses another agency, a learner, forged and foreign ids and a forged token', async () => {
    const fields = { titleTh: 'ก', titleEn: 'A', bodyTh: 'ก', bodyEn: 'A' };
    assert.equal((await page('ethics@nacc.example', lessonUrl())).statusCode, 404);
    assert.equal((await post('ethics@nacc.example', lessonUrl(), fields)).statusCode, 404);
    assert.equal((await page('inv@opdc.example', lessonUrl())).statusCode, 403);
    assert.equal((await post('inv@opdc.example', lessonUrl(), fields)).statusCode, 403);
    for (const url of [
      `/staff/ethics/courses/abc/lessons/${lessonId}/edit`,
      `/staff/ethics/courses/${courseId}/lessons/99999999999999999999/edit`,
      `/staff/ethics/courses/${courseId}/lessons/${lessonId + 1000}/edit`,
      `/staff/ethics/banks/${otherBank}/items/${given}/edit`,
      `/staff/ethics/banks/${bankId}/items/-1/edit`,
    ])
      assert.equal((await page('ethics@opdc.example', url)).statusCode, 404, url);
    assert.equal((await post('ethics@nacc.example', itemUrl(notGiven), item(3))).statusCode, 404);
    assert.equal(
      (await post('ethics@nacc.example', `/staff/ethics/banks/${bankId}/name`, { bankName: 'x' })).statusCode,
      404,
    );
    const forged = await postForm(h.app, jars['ethics@opdc.example'], lessonUrl(), { _csrf: 'forged', ...fields });
    assert.equal(forged.statusCode, 403);
    assert.equal((await audits('ethics_lesson_edited')).length, 1, 'nothing more was edited');
  });

  it('edits all of an item no attempt was given', async () => {
    const form = await page('ethics@opdc.example', itemUrl(notGiven));
    assert.match(form.body, /name="correct"[^>]*value="2"/);
    assert.doesNotMatch(form.body, /ออกในแบบทดสอบไปแล้ว/);
    const res = await post('ethics@opdc.example', itemUrl(notGiven), {
      ...item(2),
      stemTh: 'ข้อ 2 ฉบับแก้',
      optionsTh: 'รับได้\nรับไม่ได้\nแล้วแต่มูลค่า',
      optionsEn: 'May accept\nMay not\nDepends on value',
      correct: '3',
    });
    assert.equal(res.statusCode, 303, res.body);
    const row = await h.db
      .selectFrom('ethics_item')
      .select(['stem_th', 'options'])
      .where('id', '=', notGiven)
      .executeTakeFirstOrThrow();
    assert.equal(row.stem_th, 'ข้อ 2 ฉบับแก้');
    assert.deepEqual(
      (row.options as { correct: boolean }[]).map((o) => o.correct),
      [false, false, true],
    );
  });

  it('keeps the question of an item given in an attempt, and lets its feedback change', async () => {
    const form = await page('ethics@opdc.example', itemUrl(given));
    assert.match(form.body, /ข้อนี้ออกในแบบทดสอบไปแล้ว 1 ครั้ง/);
    const refused = await post('ethics@opdc.example', itemUrl(given), { ...item(1), correct: '1', stemEn: 'Changed' });
    assert.equal(refused.statusCode, 409);
    assert.match(refused.body, /id="correct-error"/);
    assert.match(refused.body, /id="stemEn-error"/);
    assert.doesNotMatch(refused.body, /id="feedbackTh-error"/);
    const feedback = await post('ethics@opdc.example', itemUrl(given), {
      ...item(1),
      feedbackTh: 'ผิด: ของขวัญเกินสามพันบาทรับไม่ได้\nถูก',
    });
    assert.equal(feedback.statusCode, 303, feedback.body);
    const row = await h.db
      .selectFrom('ethics_item')
      .select(['stem_en', 'options'])
      .where('id', '=', given)
      .executeTakeFirstOrThrow();
    assert.equal(row.stem_en, 'Item 1');
    const options = row.options as { correct: boolean; feedbackTh: string }[];
    assert.deepEqual(
      options.map((o) => o.correct),
      [false, true],
    );
    assert.equal(options[0]?.feedbackTh, 'ผิด: ของขวัญเกินสามพันบาทรับไม่ได้');
    assert.deepEqual(
      (await audits('ethics_item_edited')).map((d) => [d.item, d.answered]),
      [
        [notGiven, false],
        [given, true],
      ],
    );
  });

  it('renames a bank; a name taken by another bank and an oversized one are refused', async () => {
    const url = `/staff/ethics/banks/${bankId}/name`;
    const taken = await post('ethics@opdc.example', url, { bankName: 'คลังสำรอง' });
    assert.equal(taken.statusCode, 409);
    assert.match(taken.body, /id="bankName-error"/);
    const big = await post('ethics@opdc.example', url, { bankName: 'ก'.repeat(201) });
    assert.equal(big.statusCode, 400);
    const same = await post('ethics@opdc.example', url, { bankName: 'คลังหลัก' });
    assert.equal(same.statusCode, 303, 'its own name again is no clash');
    const res = await post('ethics@opdc.example', url, { bankName: 'คลังข้อสอบของขวัญ' });
    assert.equal(res.statusCode, 303);
    assert.match((await page('ethics@opdc.example', `/staff/ethics/banks/${bankId}`)).body, /<h1>คลังข้อสอบของขวัญ<\/h1>/);
    assert.equal((await audits('ethics_bank_renamed')).length, 2);
  });
});
