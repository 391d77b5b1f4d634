// Ethics courses in the domain: the attempt rules and grading methods (table-driven), marking,
// tests drawn disjoint from the blueprint, publication, taking a course (pre-test, post-test, answers
// kept, one submission), the pass mark, the certificate's digest in the ledger and its verification.
// Hostile: another agency's course, a non-ethics-officer writing, forged answers, forged and wrong
// certificate codes (rate-limited), oversized Markdown, HTML in Markdown not rendered.
import assert from 'node:assert/strict';
import { execFile as execFileCb } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { signedInActor } from '../../test/support/app.ts';
import { createTestDatabase, type TestDatabase } from '../../test/support/db.ts';
import { itaActors } from '../../test/support/ita.ts';
import { createTestLedger, type TestLedger } from '../../test/support/ledger.ts';
import { seedStaff } from '../../test/support/app.ts';
import type { AppError } from '../errors.ts';
import { createLoginThrottle } from '../intake/login-throttle.ts';
import { runSequencer } from '../ledger/sequencer.ts';
import type { StaffActor } from '../staff/session.ts';
import {
  certificateDigest,
  issueCertificate,
  normaliseCode,
  ownCertificate,
  verifyCertificate,
} from './certificate.ts';
import { renderEthicsCertificatePdf } from './certificate-pdf.ts';
import { addBank, addItem, addLesson, optionsOf, publishCourse, saveCourse, setBlueprintRow } from './courses.ts';
import { drawTests } from './draw.ts';
import { renderLesson } from './markdown.ts';
import { courseResults, resultsCsv } from './results.ts';
import { attemptPercent, courseGrade, isPass, markItem, mayStartAttempt, type GradingMethod } from './rules.ts';
import { learnerCourse, ownAttempt, saveAnswer, startAttempt, submitAttempt } from './taking.ts';

const code = (want: string) => (e: unknown) => (e as AppError).code === want;
const T0 = new Date('2026-12-01T03:00:00Z');
const min = (m: number) => new Date(T0.getTime() + m * 60_000);

describe('attempt rules (Moodle quiz: attempts allowed, delay, grading method)', () => {
  const cases: [string, { attemptsAllowed: number; delayMinutes: number }, Date[], Date, string][] = [
    ['unlimited, none yet', { attemptsAllowed: 0, delayMinutes: 0 }, [], T0, 'ok'],
    ['unlimited, many done', { attemptsAllowed: 0, delayMinutes: 0 }, [T0, T0, T0, T0, T0], min(1), 'ok'],
    ['2 allowed, 1 done', { attemptsAllowed: 2, delayMinutes: 0 }, [T0], min(1), 'ok'],
    ['2 allowed, 2 done', { attemptsAllowed: 2, delayMinutes: 0 }, [T0, T0], min(1), 'no_attempts_left'],
    ['delay 60, 59 min later', { attemptsAllowed: 0, delayMinutes: 60 }, [T0], min(59), 'wait'],
    ['delay 60, 60 min later', { attemptsAllowed: 0, delayMinutes: 60 }, [T0], min(60), 'ok'],
    ['delay counts from the last', { attemptsAllowed: 0, delayMinutes: 60 }, [min(-300), T0], min(30), 'wait'],
    ['no attempt left wins over the delay', { attemptsAllowed: 1, delayMinutes: 60 }, [T0], min(1), 'no_attempts_left'],
    ['delay with no attempt yet', { attemptsAllowed: 3, delayMinutes: 60 }, [], T0, 'ok'],
  ];
  for (const [name, rules, done, now, want] of cases)
    it(name, () => {
      const r = mayStartAttempt(rules, done, now);
      assert.equal(r.ok ? 'ok' : r.reason, want);
      if (!r.ok && r.reason === 'wait')
        assert.deepEqual(r.until, new Date(done[done.length - 1].getTime() + 3_600_000));
    });

  const grades: [GradingMethod, number[], number | null][] = [
    ['highest', [40, 90, 70], 90],
    ['average', [40, 90, 70], 200 / 3],
    ['first', [40, 90, 70], 40],
    ['last', [40, 90, 70], 70],
    ['highest', [], null],
    ['average', [55], 55],
  ];
  for (const [method, percents, want] of grades)
    it(`grading ${method} of [${percents}] is ${want}`, () => assert.equal(courseGrade(method, percents), want));

  it('passes at the pass mark, not below', () => {
    assert.equal(isPass(60, 60), true);
    assert.equal(isPass(59.99, 60), false);
    assert.equal(isPass(null, 0), false);
    // grading by average can fail someone whose best attempt passed
    assert.equal(isPass(courseGrade('average', [40, 70]), 60), false);
    assert.equal(isPass(courseGrade('highest', [40, 70]), 60), true);
  });

  it('marks single, true/false and multiple-choice items, forged indexes ignored', () => {
    assert.equal(markItem('single', [false, true, false], [1]), 1);
    assert.equal(markItem('single', [false, true, false], [0]), 0);
    assert.equal(markItem('single', [false, true, false], [1, 0]), 0);
    assert.equal(markItem('truefalse', [true, false], [0]), 1);
    assert.equal(markItem('multiple', [true, false, true, false], [0, 2]), 1);
    assert.equal(markItem('multiple', [true, false, true, false], [0]), 0.5);
    assert.equal(markItem('multiple', [true, false, true, false], [0, 1]), 0);
    assert.equal(markItem('multiple', [true, false, true, false], [0, 1, 2, 3]), 0);
    assert.equal(markItem('multiple', [true, false, true, false], [0, 2, 99, -1]), 1);
    assert.equal(attemptPercent([1, 0.5, 0, 1]), 62.5);
  });
});

describe('drawing the tests from the blueprint', () => {
  const items = Array.from({ length: 30 }, (_, i) => ({
    id: i + 1,
    bankId: i < 20 ? 1 : 2,
    category: i % 2 ? 'gift' : 'conflict',
  }));
  let seed = 7;
  const random = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  it('draws pre and post with the counts asked and no item in common', () => {
    for (let round = 0; round < 50; round++) {
      const { pre, post } = drawTests(
        [
          { bankId: 1, category: 'gift', count: 3 },
          { bankId: 1, category: '', count: 4 },
          { bankId: 2, category: '', count: 5 },
        ],
        items,
        random,
      );
      assert.equal(pre.length, 12);
      assert.equal(post.length, 12);
      const all = new Set([...pre, ...post]);
      assert.equal(all.size, 24, 'disjoint and no repeats');
      for (const id of pre.slice(0, 3)) assert.equal(items[id - 1].category, 'gift');
      for (const id of [...pre.slice(7), ...post.slice(7)]) assert.equal(items[id - 1].bankId, 2);
    }
  });
  it('refuses a bank too small for both tests, and an empty blueprint', () => {
    assert.throws(() => drawTests([{ bankId: 2, category: '', count: 6 }], items, random), code('invalid_input'));
    assert.throws(() => drawTests([], items, random), code('invalid_input'));
  });
});

describe('lessons in Markdown', () => {
  it('renders Markdown, shows typed HTML as text, drops foreign images and script links', () => {
    const html = renderLesson(
      '# หัวข้อ\n\n**ผลประโยชน์ทับซ้อน** <script>alert(1)</script> <img src=x onerror=alert(1)>\n\n![a](https://evil.example/t.png) ![b](/staff/ethics/images/3) [x](javascript:alert(1)) [y](https://www.nacc.go.th/)',
    );
    assert.match(html, /<h1>หัวข้อ<\/h1>/);
    assert.match(html, /<strong>ผลประโยชน์ทับซ้อน<\/strong>/);
    assert.ok(!html.includes('<script'), html);
    assert.ok(!html.includes('<img src="x"'), html);
    assert.match(html, /&lt;script&gt;/);
    assert.ok(!html.includes('evil.example/t.png"'), html);
    assert.match(html, /<img src="\/staff\/ethics\/images\/3" alt="b" loading="lazy">/);
    assert.ok(!html.includes('href="javascript'), html);
    assert.match(html, /href="https:\/\/www\.nacc\.go\.th\/"/);
  });
});

describe('courses, tests and certificates in the database', () => {
  let t: TestDatabase;
  let ledger: TestLedger;
  let who: Record<string, StaffActor>;
  let courseId = 0;
  let bankId = 0;
  const officer = () => who['ethics@opdc.example'];
  const learner = () => who['inv@opdc.example'];
  const COURSE = {
    titleTh: 'ผลประโยชน์ทับซ้อน',
    titleEn: 'Conflicts of interest',
    passMark: '60',
    attemptsAllowed: '2',
    delayMinutes: '0',
    grading: 'highest',
  };

  before(async () => {
    t = await createTestDatabase();
    ledger = await createTestLedger(t.db);
    who = await itaActors(t.db, [
      ['ethics@opdc.example', 'OPDC', ['ethics_officer']],
      ['inv@opdc.example', 'OPDC', ['investigator']],
      ['admin@opdc.example', 'OPDC', ['agency_admin']],
      ['ethics@nacc.example', 'NACC', ['ethics_officer']],
      ['inv@nacc.example', 'NACC', ['investigator']],
    ]);
  });
  after(async () => {
    await ledger.cleanup();
    await t.drop();
  });

  it('lets only ethics officers write, refuses bad fields and oversized Markdown', async () => {
    await assert.rejects(saveCourse(t.db, who['admin@opdc.example'], COURSE), code('forbidden'));
    await assert.rejects(saveCourse(t.db, learner(), COURSE), code('forbidden'));
    await assert.rejects(saveCourse(t.db, officer(), { ...COURSE, grading: 'best' }), code('invalid_input'));
    await assert.rejects(saveCourse(t.db, officer(), { ...COURSE, passMark: '101' }), code('invalid_input'));
    await assert.rejects(saveCourse(t.db, officer(), { ...COURSE, titleTh: 'ก'.repeat(201) }), code('invalid_input'));
    courseId = await saveCourse(t.db, officer(), COURSE);
    const lesson = { titleTh: 'บทที่ 1', titleEn: 'Lesson 1', bodyTh: 'เนื้อหา', bodyEn: 'Text' };
    await assert.rejects(
      addLesson(t.db, officer(), courseId, { ...lesson, bodyTh: 'x'.repeat(12_001) }),
      code('invalid_input'),
    );
    await assert.rejects(addLesson(t.db, who['ethics@nacc.example'], courseId, lesson), code('not_found'));
    await addLesson(t.db, officer(), courseId, lesson);
    const audit = await t.db.selectFrom('audit_event').select('action').where('action', 'like', 'ethics_%').execute();
    assert.deepEqual(
      audit.map((a) => a.action),
      ['ethics_course_saved', 'ethics_lesson_saved'],
    );
  });

  it('keeps items with their options and feedback; refuses forged options', async () => {
    bankId = await addBank(t.db, officer(), { bankName: 'คลังข้อสอบหลัก' });
    await assert.rejects(addBank(t.db, officer(), { bankName: 'คลังข้อสอบหลัก' }), code('conflict'));
    const single = (i: number) => ({
      kind: 'single',
      category: 'gift',
      stemTh: `ข้อ ${i}`,
      stemEn: `Item ${i}`,
      optionsTh: 'ถูก\nผิด\nไม่แน่ใจ',
      optionsEn: 'Right\nWrong\nUnsure',
      feedbackTh: 'ใช่\nไม่ใช่',
      feedbackEn: 'Yes\nNo',
      correct: '1',
    });
    for (let i = 1; i <= 4; i++) await addItem(t.db, officer(), bankId, single(i));
    await addItem(t.db, officer(), bankId, { kind: 'truefalse', stemTh: 'จริงหรือไม่', stemEn: 'True?', correct: '1' });
    await addItem(t.db, officer(), bankId, {
      kind: 'multiple',
      stemTh: 'เลือกทุกข้อที่ถูก',
      stemEn: 'Choose all',
      optionsTh: 'ก\nข\nค',
      optionsEn: 'A\nB\nC',
      correct: '1,3',
    });
    assert.throws(
      () => optionsOf('single', { optionsTh: 'ก\nข', optionsEn: 'A', correct: '1' }),
      code('invalid_input'),
    );
    assert.throws(
      () => optionsOf('single', { optionsTh: 'ก\nข', optionsEn: 'A\nB', correct: '1,2' }),
      code('invalid_input'),
    );
    assert.throws(
      () => optionsOf('multiple', { optionsTh: 'ก\nข', optionsEn: 'A\nB', correct: '3' }),
      code('invalid_input'),
    );
    await assert.rejects(addItem(t.db, officer(), bankId, { ...single(9), kind: 'essay' }), code('invalid_input'));
    await assert.rejects(addItem(t.db, who['ethics@nacc.example'], bankId, single(9)), code('not_found'));
  });

  it('publishes: the pre-test and post-test share no item; a bank too small is refused', async () => {
    await setBlueprintRow(t.db, officer(), courseId, { bank: String(bankId), category: '', count: '4' });
    await assert.rejects(publishCourse(t.db, officer(), courseId), code('invalid_input'));
    await setBlueprintRow(t.db, officer(), courseId, { bank: String(bankId), category: '', count: '3' });
    await assert.rejects(
      setBlueprintRow(t.db, who['ethics@nacc.example'], courseId, { bank: String(bankId), count: '1' }),
      code('not_found'),
    );
    await assert.rejects(learnerCourse(t.db, learner(), courseId), code('not_found'), 'a draft is not offered');
    await publishCourse(t.db, officer(), courseId, () => 0);
    const drawn = await t.db.selectFrom('ethics_test_item').selectAll().where('course_id', '=', courseId).execute();
    const pre = drawn.filter((d) => d.test === 'pre').map((d) => d.item_id);
    const post = drawn.filter((d) => d.test === 'post').map((d) => d.item_id);
    assert.equal(pre.length, 3);
    assert.equal(post.length, 3);
    assert.equal(new Set([...pre, ...post]).size, 6);
    await assert.rejects(publishCourse(t.db, officer(), courseId), code('conflict'));
  });

  it('takes the pre-test and the post-test under the rules; answers kept, submitted once, forged answers refused', async () => {
    await assert.rejects(learnerCourse(t.db, who['inv@nacc.example'], courseId), code('not_found'));
    await assert.rejects(startAttempt(t.db, learner(), courseId, 'post'), code('conflict'), 'pre-test first');
    const pre = await startAttempt(t.db, learner(), courseId, 'pre');
    assert.equal(await startAttempt(t.db, learner(), courseId, 'pre'), pre, 'starting twice gives the open attempt');
    await assert.rejects(ownAttempt(t.db, who['inv@nacc.example'], pre), code('not_found'));
    await assert.rejects(ownAttempt(t.db, officer(), pre), code('not_found'), 'another person’s attempt');
    await assert.rejects(saveAnswer(t.db, learner(), pre, 1, '7'), code('invalid_input'));
    await assert.rejects(saveAnswer(t.db, learner(), pre, 1, ['0', '1']), code('invalid_input'));
    await assert.rejects(saveAnswer(t.db, learner(), pre, 1, 'x'), code('invalid_input'));
    await assert.rejects(saveAnswer(t.db, learner(), pre, 99, '0'), code('not_found'));
    await saveAnswer(t.db, learner(), pre, 1, '1'); // wrong
    await submitAttempt(t.db, learner(), pre);
    await submitAttempt(t.db, learner(), pre); // a second submit changes nothing
    await assert.rejects(saveAnswer(t.db, learner(), pre, 2, '0'), code('conflict'));
    const submitted = await t.db
      .selectFrom('audit_event')
      .select('action')
      .where('action', '=', 'ethics_attempt_submitted')
      .execute();
    assert.equal(submitted.length, 1);
    await assert.rejects(startAttempt(t.db, learner(), courseId, 'pre'), code('conflict'));
    // post-test, attempt 1: everything right
    const post = await startAttempt(t.db, learner(), courseId, 'post');
    const { items } = await ownAttempt(t.db, learner(), post);
    for (const i of items) {
      const right = i.options.flatMap((o, k) => (o.correct ? [String(k)] : []));
      await saveAnswer(t.db, learner(), post, i.position, i.kind === 'multiple' ? right : right[0]);
    }
    await assert.rejects(issueCertificate(t.db, learner(), courseId, 'สมชาย'), code('conflict'), 'not passed yet');
    await submitAttempt(t.db, learner(), post);
    const view = await learnerCourse(t.db, learner(), courseId);
    assert.equal(view.standing.pre?.percent, 0);
    assert.equal(view.standing.grade, 100);
    assert.equal(view.standing.passed, true);
    // attempt 2 of 2, then none left
    const [post2, same] = await Promise.all([
      startAttempt(t.db, learner(), courseId, 'post'),
      startAttempt(t.db, learner(), courseId, 'post'),
    ]);
    assert.equal(post2, same, 'two starts at once open one attempt');
    await Promise.all([submitAttempt(t.db, learner(), post2), submitAttempt(t.db, learner(), post2)]);
    const audited = await t.db
      .selectFrom('audit_event')
      .select('action')
      .where('action', '=', 'ethics_attempt_submitted')
      .execute();
    assert.equal(audited.length, 3, 'two submissions at once are one');
    await assert.rejects(startAttempt(t.db, learner(), courseId, 'post'), code('conflict'));
    assert.equal((await learnerCourse(t.db, learner(), courseId)).standing.grade, 100, 'highest of 100 and 0');
  });

  it('issues one certificate, commits its digest to the ledger and verifies its code', async () => {
    await assert.rejects(issueCertificate(t.db, learner(), courseId, ''), code('invalid_input'));
    await assert.rejects(issueCertificate(t.db, learner(), courseId, 'ก'.repeat(201)), code('invalid_input'));
    const c = await issueCertificate(t.db, learner(), courseId, 'นายสมชาย ใจดี');
    assert.equal(await issueCertificate(t.db, learner(), courseId, 'another'), c, 'the same certificate again');
    assert.match(c, /^ETH-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    await runSequencer({ db: t.db, key: ledger.key });
    const throttle = createLoginThrottle({ perMinute: 1, burst: 3 });
    const ok = await verifyCertificate(t.db, throttle, c.toLowerCase().replace(/-/g, ' '));
    assert.equal(ok.result, 'found');
    if (ok.result !== 'found') return;
    assert.equal(ok.certificate.name, 'นายสมชาย ใจดี');
    assert.equal(ok.certificate.courseTh, 'ผลประโยชน์ทับซ้อน');
    assert.equal(ok.certificate.intact, true);
    assert.equal(ok.certificate.inLog, true);
    const row = await t.db.selectFrom('ethics_certificate').selectAll().where('code', '=', c).executeTakeFirstOrThrow();
    const { code: c2, agency, courseTh, courseEn, name, issuedOn, percent } = ok.certificate;
    assert.ok(certificateDigest({ code: c2, agency, courseTh, courseEn, name, issuedOn, percent }).equals(row.digest));
    const entry = await t.db
      .selectFrom('ledger_entry')
      .select('entry')
      .where('outbox_id', '=', row.outbox_id)
      .executeTakeFirstOrThrow();
    assert.equal(entry.entry[1], 11, 'event code 11');
    // a rewritten name no longer matches what the ledger committed
    await t.db.updateTable('ethics_certificate').set({ shown_name: 'คนอื่น' }).where('code', '=', c).execute();
    const forged = await verifyCertificate(t.db, throttle, c);
    assert.equal(forged.result === 'found' && forged.certificate.intact, false);
    await t.db.updateTable('ethics_certificate').set({ shown_name: 'นายสมชาย ใจดี' }).where('code', '=', c).execute();
    // forged codes: malformed ones never reach the database, wrong ones spend the budget
    assert.equal((await verifyCertificate(t.db, throttle, '<script>')).result, 'malformed');
    assert.equal((await verifyCertificate(t.db, throttle, 'x'.repeat(5000))).result, 'malformed');
    assert.equal((await verifyCertificate(t.db, throttle, 'ETH-AAAA-AAAA-AAAU')).result, 'malformed');
    for (let i = 0; i < 3; i++)
      assert.equal((await verifyCertificate(t.db, throttle, 'ETH-0000-0000-0000')).result, 'unknown');
    await assert.rejects(verifyCertificate(t.db, throttle, 'ETH-0000-0000-0001'), code('too_many_requests'));
    assert.equal(normaliseCode('eth-o0il-0000-0000'), 'ETH-0011-0000-0000');
    const pdf = await renderEthicsCertificatePdf(
      await ownCertificate(t.db, learner(), courseId),
      'https://sujarit.example',
    );
    assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
    const dir = await mkdtemp(path.join(tmpdir(), 'ethics-pdf-'));
    try {
      await writeFile(path.join(dir, 'c.pdf'), pdf);
      const { stdout } = await promisify(execFileCb)('pdftotext', ['-enc', 'UTF-8', path.join(dir, 'c.pdf'), '-']);
      const text = stdout.replace(/\s+/g, ' ');
      for (const want of [
        c,
        'เกียรติบัตรฉบับนี้ให้ไว้เพื่อแสดงว่า',
        'Conflicts of interest',
        'https://sujarit.example/verify-certificate',
      ])
        assert.ok(text.includes(want), `${want} in ${text}`);
      assert.match(text, /ให้ไว้ ณ วันที่ \d{1,2} \S+ 25\d\d/, 'a Buddhist Era date');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    await assert.rejects(ownCertificate(t.db, who['admin@opdc.example'], courseId), code('not_found'));
  });

  it('shows results: rates per agency, gains, item analysis, CSV; only to ethics officers', async () => {
    const [r] = await courseResults(t.db, officer());
    assert.equal(r.started, 1);
    assert.equal(r.completed, 1);
    assert.equal(r.passed, 1);
    assert.equal(r.staff, 3, 'the agency’s active staff');
    assert.equal(r.people[0].gain, 100);
    assert.equal(r.people[0].normalised, 1);
    assert.equal(r.items.filter((i) => i.test === 'post').length, 3);
    assert.equal(
      r.items.find((i) => i.test === 'post')?.facility,
      1,
      'graded by the highest: the attempt all right counts, the blank one not',
    );
    assert.deepEqual(await courseResults(t.db, who['ethics@nacc.example']), []);
    await assert.rejects(courseResults(t.db, learner()), code('forbidden'));
    const csv = await resultsCsv(t.db, officer());
    assert.ok(csv.startsWith('\uFEFFcourse,name,email'));
    assert.match(csv, /inv@opdc\.example,0\.00,100\.00,2,yes,100\.00,1\.0000/);
    // a staff member of another agency added later changes nothing here
    await seedStaff(t.db, 'NACC', 'late@nacc.example', ['investigator']);
    assert.equal((await courseResults(t.db, officer()))[0].staff, 3);
    assert.ok(await signedInActor(t.db, 'late@nacc.example'));
  });
});
