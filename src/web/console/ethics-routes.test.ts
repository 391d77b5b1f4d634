// The ethics-course pages through HTTP: an ethics officer writes a course (a lesson with typed HTML
// shown as text), a bank and its items, the blueprint, and publishes; a staff member takes the
// pre-test, a lesson and the post-test question by question (answers kept, a reload and a second
// submit safe), gets the certificate and its PDF; the public page verifies the code; the officer
// reads the results and the CSV. Hostile: forged CSRF, forged answers, another agency, other roles,
// wrong and malformed codes, a spent lookup budget.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { itaJars } from '../../../test/support/ita.ts';
import { cookieHeader, csrfOf, get, multipart, newJar, submitPage, type Jar } from '../../../test/support/web.ts';

const PEOPLE = [
  ['ethics@opdc.example', 'OPDC', ['ethics_officer']],
  ['inv@opdc.example', 'OPDC', ['investigator']],
  ['ethics@nacc.example', 'NACC', ['ethics_officer']],
  ['inv@nacc.example', 'NACC', ['investigator']],
] as const;

describe('ethics-course pages', () => {
  let h: TestApp;
  const jars: Record<string, Jar> = {};
  const page = (who: string, url: string) => get(h.app, jars[who], url);
  const submit = (who: string, pageUrl: string, action: string, fields: Record<string, string | string[]>) =>
    submitPage(h.app, jars[who], pageUrl, action, fields);
  let course = '';
  let bank = '';
  let code = '';

  before(async () => {
    h = await createTestApp();
    Object.assign(jars, (await itaJars(h.app, h.db, PEOPLE)).jars);
  });
  after(async () => h.close());

  it('lets the ethics officer write and publish a course; others are refused', async () => {
    assert.equal((await page('inv@opdc.example', '/staff/ethics/manage')).statusCode, 403);
    const manage = await page('ethics@opdc.example', '/staff/ethics/manage');
    assert.equal(manage.statusCode, 200, manage.body);
    const bad = await submit('ethics@opdc.example', '/staff/ethics/manage', '/staff/ethics/courses', {
      titleTh: '',
      titleEn: 'x',
      passMark: '200',
      attemptsAllowed: '0',
      delayMinutes: '0',
      grading: 'best',
    });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /id="error-summary"/);
    assert.match(bad.body, /id="passMark"[^>]*aria-invalid="true"/);
    const made = await submit('ethics@opdc.example', '/staff/ethics/manage', '/staff/ethics/courses', {
      titleTh: 'การป้องกันผลประโยชน์ทับซ้อน',
      titleEn: 'Preventing conflicts of interest',
      passMark: '60',
      attemptsAllowed: '3',
      delayMinutes: '0',
      grading: 'highest',
    });
    assert.equal(made.statusCode, 303, made.body);
    course = String(made.headers.location).replace(/\?.*/, '');
    const cp = await page('ethics@opdc.example', course);
    assert.equal(cp.statusCode, 200, cp.body.slice(-3000));
    const lesson = await submit('ethics@opdc.example', course, `${course}/lessons`, {
      titleTh: 'ของขวัญ',
      titleEn: 'Gifts',
      bodyTh: '# ของขวัญ\n\nรับได้ไม่เกิน **3,000 บาท** <script>alert(1)</script>',
      bodyEn: '# Gifts\n\nUp to **3,000 baht**',
    });
    assert.equal(lesson.statusCode, 303, lesson.body);
    const shown = await page('ethics@opdc.example', course);
    assert.match(shown.body, /<strong>3,000 บาท<\/strong> &lt;script&gt;/);
    const b = await submit('ethics@opdc.example', '/staff/ethics/manage', '/staff/ethics/banks', {
      bankName: 'คลังหลัก',
    });
    assert.equal(b.statusCode, 303, b.body);
    bank = String(b.headers.location).replace(/\?.*/, '');
    for (let i = 1; i <= 4; i++) {
      const item = await submit('ethics@opdc.example', bank, `${bank}/items`, {
        kind: 'single',
        stemTh: `ข้อ ${i}: รับของขวัญเกิน 3,000 บาทได้หรือไม่`,
        stemEn: `Item ${i}: may a gift over 3,000 baht be kept?`,
        optionsTh: 'ได้\nไม่ได้',
        optionsEn: 'Yes\nNo',
        feedbackTh: 'ผิด: เกินเกณฑ์\nถูก',
        feedbackEn: 'No: over the limit\nRight',
        correct: '2',
      });
      assert.equal(item.statusCode, 303, item.body);
    }
    const forged = await submit('ethics@opdc.example', bank, `${bank}/items`, {
      kind: 'single',
      stemTh: 'x',
      stemEn: 'x',
      optionsTh: 'a\nb',
      optionsEn: 'a\nb',
      correct: '9',
    });
    assert.equal(forged.statusCode, 400);
    assert.match(forged.body, /href="#correct"/);
    const bankId = bank.split('/').pop() ?? '';
    const short = await submit('ethics@opdc.example', course, `${course}/blueprint`, {
      bank: bankId,
      category: '',
      count: '3',
    });
    assert.equal(short.statusCode, 303);
    const refused = await submit('ethics@opdc.example', course, `${course}/publish`, {});
    assert.equal(refused.statusCode, 400);
    assert.match(refused.body, /ไม่พอ|too few/);
    await submit('ethics@opdc.example', course, `${course}/blueprint`, { bank: bankId, category: '', count: '2' });
    // another agency's officer: the course and bank do not exist for them
    assert.equal((await page('ethics@nacc.example', course)).statusCode, 404);
    assert.equal(
      (await submit('ethics@nacc.example', '/staff/ethics/manage', `${course}/publish`, {})).statusCode,
      404,
    );
    assert.equal(
      (
        await submit('ethics@nacc.example', '/staff/ethics/manage', `${bank}/items`, {
          kind: 'truefalse',
          stemTh: 'x',
          stemEn: 'x',
          correct: '1',
        })
      ).statusCode,
      404,
    );
    const forgedCsrf = await h.app.inject({
      method: 'POST',
      url: `${course}/publish`,
      headers: {
        cookie: [...jars['ethics@opdc.example']].map(([k, v]) => `${k}=${v}`).join('; '),
        'content-type': 'application/x-www-form-urlencoded',
      },
      payload: '_csrf=forged',
    });
    assert.equal(forgedCsrf.statusCode, 403);
    const published = await submit('ethics@opdc.example', course, `${course}/publish`, {});
    assert.equal(published.statusCode, 303, published.body);
  });

  it('keeps a lesson image (PNG by its bytes) for the agency’s staff only; refuses anything else', async () => {
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 1)]);
    const upload = async (who: string, data: Buffer, csrf?: string) => {
      const token = csrf ?? csrfOf((await page(who, course)).body);
      const { body, contentType } = await multipart(
        { _csrf: token },
        [{ name: 'x.png', type: 'image/png', data }],
        'file',
      );
      return h.app.inject({
        method: 'POST',
        url: `${course}/images`,
        headers: { cookie: cookieHeader(jars[who]), 'content-type': contentType },
        payload: body,
      });
    };
    const ok = await upload('ethics@opdc.example', png);
    assert.equal(ok.statusCode, 303, ok.body);
    const shown = await page('ethics@opdc.example', course);
    const src = /<img src="(\/staff\/ethics\/images\/\d+)"/.exec(shown.body)?.[1] ?? '';
    assert.ok(src, 'the image is listed');
    const served = await page('inv@opdc.example', src);
    assert.equal(served.statusCode, 200);
    assert.equal(served.headers['content-type'], 'image/png');
    assert.equal(served.headers['x-content-type-options'], 'nosniff');
    assert.equal((await page('inv@nacc.example', src)).statusCode, 404, 'another agency');
    const html = await upload('ethics@opdc.example', Buffer.from('<svg onload="alert(1)"></svg>'));
    assert.equal(html.statusCode, 400);
    assert.match(html.body, /href="#file"/);
    const big = await upload('ethics@opdc.example', Buffer.concat([png, Buffer.alloc(1024 * 1024)]));
    assert.ok([400, 413].includes(big.statusCode), String(big.statusCode));
    assert.equal((await upload('ethics@opdc.example', png, 'forged')).statusCode, 403);
    assert.equal(
      (await upload('inv@opdc.example', png, csrfOf((await page('inv@opdc.example', '/staff/ethics')).body)))
        .statusCode,
      403,
    );
  });

  it('lets a staff member take the course question by question and get a verifiable certificate', async () => {
    const id = course.split('/').pop();
    const learn = `/staff/ethics/learn/${id}`;
    const home = await page('inv@opdc.example', '/staff/ethics');
    assert.match(home.body, new RegExp(`href="${learn}"`), home.body);
    assert.equal((await page('inv@nacc.example', learn)).statusCode, 404);
    assert.equal((await submit('inv@opdc.example', learn, `${learn}/start`, { test: 'final' })).statusCode, 400);
    const start = await submit('inv@opdc.example', learn, `${learn}/start`, { test: 'pre' });
    assert.equal(start.statusCode, 303, start.body);
    const q1 = String(start.headers.location);
    const attempt = q1.replace(/\/q\/1$/, '');
    assert.equal((await page('inv@nacc.example', q1)).statusCode, 404);
    assert.equal((await page('ethics@opdc.example', q1)).statusCode, 404, 'another person’s attempt');
    const forged = await submit('inv@opdc.example', q1, q1, { answer: '5', go: 'next' });
    assert.equal(forged.statusCode, 400);
    assert.match(forged.body, /id="error-summary"/);
    const a1 = await submit('inv@opdc.example', q1, q1, { answer: '0', go: 'next' });
    assert.equal(a1.headers.location, `${attempt}/q/2`);
    assert.match(
      (await page('inv@opdc.example', q1)).body,
      /id="answer-0" name="answer" value="0" checked/,
      'answer kept',
    );
    await submit('inv@opdc.example', `${attempt}/q/2`, `${attempt}/q/2`, { answer: '0', go: 'review' });
    const sub = await submit('inv@opdc.example', attempt, `${attempt}/submit`, {});
    assert.equal(sub.statusCode, 303);
    const again = await submit('inv@opdc.example', `${attempt}`, `${attempt}/submit`, {});
    assert.equal(again.statusCode, 303, 'a second submit is harmless');
    const late = await submit('inv@opdc.example', attempt, q1, { answer: '1', go: 'next' });
    assert.equal(late.headers.location, attempt, 'an answer after submission goes to the result');
    assert.match((await page('inv@opdc.example', attempt)).body, /0\.00/);
    assert.equal((await page('inv@opdc.example', `${learn}/lessons/1`)).statusCode, 200);
    const post = await submit('inv@opdc.example', learn, `${learn}/start`, { test: 'post' });
    const p1 = String(post.headers.location);
    const pAttempt = p1.replace(/\/q\/1$/, '');
    await submit('inv@opdc.example', p1, p1, { answer: '1', go: 'next' });
    await submit('inv@opdc.example', `${pAttempt}/q/2`, `${pAttempt}/q/2`, { answer: '1', go: 'review' });
    await submit('inv@opdc.example', pAttempt, `${pAttempt}/submit`, {});
    const cert = await submit('inv@opdc.example', learn, `${learn}/certificate`, { shownName: 'นายสมชาย ใจดี' });
    assert.equal(cert.statusCode, 303, cert.body);
    const after = await page('inv@opdc.example', learn);
    code = /(ETH-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})/.exec(after.body)?.[1] ?? '';
    assert.ok(code, after.body);
    const pdf = await page('inv@opdc.example', `${learn}/certificate.pdf`);
    assert.equal(pdf.headers['content-type'], 'application/pdf');
    assert.equal(pdf.rawPayload.subarray(0, 5).toString(), '%PDF-');
    await h.sequence();
    const v = await get(h.app, newJar(), `/verify-certificate?code=${encodeURIComponent(code)}`);
    assert.equal(v.statusCode, 200);
    assert.match(v.body, /นายสมชาย ใจดี/);
    assert.match(v.body, /การป้องกันผลประโยชน์ทับซ้อน/);
    const unknown = await get(h.app, newJar(), '/verify-certificate?code=ETH-0000-0000-0000');
    assert.equal(unknown.statusCode, 404);
    assert.match(unknown.body, /ไม่พบเกียรติบัตร/);
    const malformed = await get(
      h.app,
      newJar(),
      `/verify-certificate?code=${encodeURIComponent('<script>x</script>')}`,
    );
    assert.equal(malformed.statusCode, 400);
    assert.ok(!malformed.body.includes('<script>x'));
    assert.equal((await get(h.app, newJar(), '/verify-certificate')).statusCode, 200);
    const en = await get(h.app, newJar(), `/verify-certificate?code=${encodeURIComponent(code)}&lang=en`);
    assert.match(en.body, /It certifies that นายสมชาย ใจดี passed the course “Preventing conflicts of interest”/);
    assert.match((await page('inv@opdc.example', `${learn}?lang=en`)).body, /Course grade: 100\.00 %/);
  });

  it('shows the officer the results and the CSV; others are refused', async () => {
    const r = await page('ethics@opdc.example', '/staff/ethics/results');
    assert.equal(r.statusCode, 200, r.body);
    assert.match(r.body, /100\.00/);
    const csv = await page('ethics@opdc.example', '/staff/ethics/results.csv');
    assert.match(csv.body, /inv@opdc\.example,0\.00,100\.00,1,yes,100\.00,1\.0000/);
    assert.equal((await page('inv@opdc.example', '/staff/ethics/results')).statusCode, 403);
    assert.ok(!(await page('ethics@nacc.example', '/staff/ethics/results')).body.includes('inv@opdc.example'));
  });
});

describe('the certificate lookup budget', () => {
  let h: TestApp;
  before(async () => {
    h = await createTestApp({ SUJARIT_LIMIT_TRACKING_PER_MIN: '1', SUJARIT_LIMIT_TRACKING_BURST: '2' });
  });
  after(async () => h.close());
  it('refuses wrong codes with 429 once the budget is spent', async () => {
    const url = '/verify-certificate?code=ETH-0000-0000-0000';
    assert.equal((await get(h.app, newJar(), url)).statusCode, 404);
    assert.equal((await get(h.app, newJar(), url)).statusCode, 404);
    const spent = await get(h.app, newJar(), url);
    assert.equal(spent.statusCode, 429);
  });
});
