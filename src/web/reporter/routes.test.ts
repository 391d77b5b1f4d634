// The reporter's pages through HTTP, like a browser without JavaScript: filing, the receipt, the one
// follow-up page, and what the language switch of a form page may and may not do.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  createTestApp,
  loginCode,
  PASSWORD,
  seedAgency,
  seedRecipient,
  signedInActor,
  type TestApp,
} from '../../../test/support/app.ts';
import { jpegWithGps } from '../../../test/support/images.ts';
import {
  cookieHeader,
  csrfOf,
  followPost,
  get,
  keepCookies,
  newJar,
  postForm,
  postMultipart,
  receiptOf,
  type Jar,
} from '../../../test/support/web.ts';
import { inviteWitness } from '../../cases/witnesses.ts';
import { translator } from '../../i18n/messages.ts';

describe('reporter pages', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
    await seedAgency(t.db, 'OPDC');
    await seedRecipient(t.db, 'OPDC', 'officer@opdc.example');
  });
  after(() => t.close());

  it('files a report with a photo, shows the receipt once, and follows up with it', async () => {
    const jar = newJar();
    const form = await get(t.app, jar, '/report');
    assert.equal(form.statusCode, 200);
    assert.match(form.body, /OPDC/);
    const res = await postMultipart(
      t.app,
      jar,
      '/report',
      {
        _csrf: csrfOf(form.body),
        agency: 'OPDC',
        category: 'bribery',
        what: 'เจ้าหน้าที่เรียกเงินสองพันบาท',
        when: 'เมื่อวาน',
        where: 'สำนักงานเขต',
        who: 'หัวหน้าฝ่าย',
      },
      [{ name: 'photo.jpg', type: 'image/jpeg', data: await jpegWithGps() }],
    );
    assert.equal(res.statusCode, 200, res.body);
    const receipt = receiptOf(res.body);
    assert.match(receipt, /^\d{16}$/);
    assert.match(res.body, /พิกัดตำแหน่ง GPS/);
    assert.equal(res.headers['cache-control'], 'no-store');

    const login = await get(t.app, jar, '/followup');
    const opened = await postForm(t.app, jar, '/followup', { _csrf: csrfOf(login.body), receipt });
    assert.equal(opened.statusCode, 303);
    const view = await get(t.app, jar, '/followup/case');
    assert.equal(view.statusCode, 200);
    assert.match(view.body, /เจ้าหน้าที่เรียกเงินสองพันบาท/);
    assert.match(view.body, /photo\.jpg/);
  });

  it('answers an empty tracking code with its own message on the field, at both doors, the browser not stopping it first', async () => {
    for (const [door, field] of [
      ['/followup', 'receipt'],
      ['/status', 'code'],
    ] as const) {
      const jar = newJar();
      const login = await get(t.app, jar, door);
      assert.match(login.body, new RegExp(`<form method="post" action="${door}" novalidate>`), 'the server says it');
      for (const typed of ['', '   ']) {
        const res = await postForm(t.app, jar, door, { _csrf: csrfOf(login.body), [field]: typed });
        assert.equal(res.statusCode, 400, res.body);
        assert.match(res.body, new RegExp(`href="#${field}">[^<]*กรุณากรอกรหัสติดตามเรื่อง 16 หลักที่ได้รับเมื่อส่งเรื่อง`));
        assert.match(res.body, new RegExp(`id="${field}"[^>]*aria-invalid="true"`));
        assert.doesNotMatch(res.body, /ไม่พบเรื่องสำหรับรหัสติดตามเรื่องนี้/, 'not "no case for this code"');
      }
    }
  });

  it('staff sees and answers', async () => {
    const jar = newJar();
    const page = await get(t.app, jar, '/staff/login');
    const res = await postForm(t.app, jar, '/staff/login', {
      _csrf: csrfOf(page.body),
      email: 'officer@opdc.example',
      password: PASSWORD,
      code: loginCode('officer@opdc.example'),
    });
    assert.equal(res.statusCode, 303, res.body);
    const list = await get(t.app, jar, '/staff/cases');
    assert.equal(list.statusCode, 200);
    const ref = /href="\/staff\/cases\/([^"]+)"/.exec(list.body)![1];
    const c = await get(t.app, jar, `/staff/cases/${ref}`);
    assert.match(c.body, /เจ้าหน้าที่เรียกเงินสองพันบาท/);
  });

  it('refuses a reply or rating from a page of another case after a link swapped the session, and stores nothing', async () => {
    // A whistleblower's case page is open; a link with someone else's code (/status?code=, sent by
    // anyone) opens that case in the same browser. The reply typed on the first page must not go
    // into the other case, whose code holder would read it.
    const file = async (what: string) => {
      const jar = newJar();
      const form = await get(t.app, jar, '/report');
      const filed = await postMultipart(t.app, jar, '/report', {
        _csrf: csrfOf(form.body),
        agency: 'OPDC',
        category: 'bribery',
        what,
      });
      return receiptOf(filed.body);
    };
    const mine = await file('เรื่องของผู้แจ้ง');
    const theirs = await file('เรื่องของผู้ส่งลิงก์');
    const jar = newJar();
    const login = await get(t.app, jar, '/followup');
    await postForm(t.app, jar, '/followup', { _csrf: csrfOf(login.body), receipt: mine });
    const page = (await get(t.app, jar, '/followup/case')).body;
    assert.match(page, /เรื่องของผู้แจ้ง/);
    const tag = /name="_case" value="([^"]+)"/.exec(page)![1];
    const swapped = await get(t.app, jar, `/status?code=${theirs}`);
    assert.match(swapped.body, /เรื่องของผู้ส่งลิงก์/);
    const messages = async () =>
      Number(
        (
          await t.db
            .selectFrom('case_message')
            .select((eb) => eb.fn.countAll<string>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const before = await messages();
    const sent = await postMultipart(t.app, jar, '/followup/case/messages', {
      _csrf: csrfOf(page),
      _case: tag,
      message: 'ชื่อจริงของข้าพเจ้าคือ',
    });
    assert.equal(sent.statusCode, 409, sent.body);
    assert.match(sent.body, /ระบบจึงยังไม่ได้ส่ง/);
    assert.match(sent.body, /ชื่อจริงของข้าพเจ้าคือ/, 'what was typed is given back, not lost');
    for (const forged of [{}, { _case: '' }, { _case: 'x'.repeat(5000) }] as Record<string, string>[]) {
      const res = await postMultipart(t.app, jar, '/followup/case/messages', {
        _csrf: csrfOf(page),
        ...forged,
        message: 'ข้อความ',
      });
      assert.equal(res.statusCode, 409, res.body);
    }
    const rated = await postForm(t.app, jar, '/followup/case/rating', { _csrf: csrfOf(page), _case: tag, score: '5' });
    assert.equal(rated.statusCode, 409, rated.body);
    assert.equal(await messages(), before, 'nothing stored in either case');
    // The page of the case now open carries its own tag, and its reply goes through.
    const now = (await get(t.app, jar, '/followup/case')).body;
    const ok = await postMultipart(t.app, jar, '/followup/case/messages', {
      _csrf: csrfOf(now),
      _case: /name="_case" value="([^"]+)"/.exec(now)![1],
      message: 'ข้อความถึงเรื่องที่เปิดอยู่',
    });
    assert.equal(ok.statusCode, 303, ok.body);
    assert.equal(await messages(), before + 1);
  });

  describe('the language switch of a form shown again', () => {
    const en = translator('en');
    const count = async (table: 'report_case' | 'case_message' | 'case_rating') =>
      Number(
        (
          await t.db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<string>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    /** Posts a form's language switch as a browser does, following a filing form's redirect to its own page. */
    const switchTo = async (jar: Jar, url: string, fields: Record<string, string>) => {
      const res = await t.app.inject({
        method: 'POST',
        url,
        headers: { cookie: cookieHeader(jar), 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ _lang: 'en', ...fields }).toString(),
      });
      keepCookies(jar, res);
      return followPost(t.app, jar, res);
    };
    /** A reporter signed in on the follow-up page of a new report. */
    const reporter = async (): Promise<{ jar: Jar; page: string }> => {
      const jar = newJar();
      const form = await get(t.app, jar, '/report');
      const filed = await postMultipart(t.app, jar, '/report', {
        _csrf: csrfOf(form.body),
        agency: 'OPDC',
        category: 'bribery',
        what: 'เรียกรับเงินใต้โต๊ะ',
      });
      const code = receiptOf(filed.body);
      const login = await get(t.app, jar, '/followup');
      assert.equal(
        (await postForm(t.app, jar, '/followup', { _csrf: csrfOf(login.body), receipt: code })).statusCode,
        303,
      );
      return { jar, page: (await get(t.app, jar, '/followup/case')).body };
    };

    it('shows the report form again in English with what was typed and its faults, and files nothing', async () => {
      const jar = newJar();
      const form = await get(t.app, jar, '/report');
      const before = await count('report_case');
      const res = await switchTo(jar, '/report', {
        _csrf: csrfOf(form.body),
        agency: 'OPDC',
        when: 'ตอนเช้า <script>',
        ticket: 'x',
      });
      assert.equal(res.statusCode, 400, res.body.slice(0, 300));
      assert.match(res.body, /<html lang="en">/);
      assert.match(res.body, /value="ตอนเช้า &lt;script&gt;"/, 'what was typed, escaped');
      assert.match(res.body, new RegExp(`<a href="#what">${en('report.what')}: ${en('error.field.required')}</a>`));
      assert.match(res.body, /<button type="submit" class="link" form="report-form" name="_lang" value="th"/);
      assert.equal(await count('report_case'), before, 'a switch never files');
      // The same fields, complete, are still not filed by a switch.
      const complete = await switchTo(jar, '/report', {
        _csrf: csrfOf(form.body),
        agency: 'OPDC',
        category: 'bribery',
        what: 'ครบทุกช่อง',
      });
      assert.equal(complete.statusCode, 200);
      assert.throws(() => receiptOf(complete.body));
      assert.equal(await count('report_case'), before);
    });

    it('refuses a switch without its CSRF token, or with a forged one, and stores nothing', async () => {
      const { jar } = await reporter();
      const before = await Promise.all([count('report_case'), count('case_message')]);
      for (const url of ['/report', '/complaint', '/followup/case/messages', '/followup/case/rating']) {
        const res = await switchTo(jar, url, { _csrf: 'forged', what: 'ข้อความปลอม', message: 'ข้อความปลอม' });
        assert.equal(res.statusCode, 403, url);
      }
      const stranger = await switchTo(newJar(), '/report', { what: 'ข้อความปลอม' });
      assert.equal(stranger.statusCode, 403);
      assert.deepEqual(await Promise.all([count('report_case'), count('case_message')]), before);
    });

    it('gives the reply back in English with the draft and never posts it; refuses an oversized switch', async () => {
      const { jar, page } = await reporter();
      const before = await count('case_message');
      const res = await switchTo(jar, '/followup/case/messages', { _csrf: csrfOf(page), message: 'ร่างข้อความ' });
      assert.equal(res.statusCode, 200, res.body.slice(0, 300));
      assert.match(res.body, /<html lang="en">/);
      assert.match(res.body, /<textarea id="message" name="message"[^>]*>ร่างข้อความ<\/textarea>/);
      assert.equal(await count('case_message'), before, 'the draft is not sent');
      const empty = await switchTo(jar, '/followup/case/messages', { _csrf: csrfOf(page), message: '' });
      assert.equal(empty.statusCode, 400);
      assert.match(
        empty.body,
        new RegExp(`<a href="#message">${en('followup.message')}: ${en('error.field.required')}</a>`),
      );
      const huge = await switchTo(jar, '/followup/case/messages', {
        _csrf: csrfOf(page),
        message: 'ก'.repeat(300_000),
      });
      assert.equal(huge.statusCode, 413);
      assert.equal(await count('case_message'), before);
    });

    it('gives a witness statement back in English with the draft, and the invitation still works', async () => {
      const { jar } = await reporter();
      const reference = /\b(OPDC-\d{4}-\d{6})\b/.exec((await get(t.app, jar, '/followup/case')).body)![1];
      const { token } = await inviteWitness({
        db: t.db,
        actor: await signedInActor(t.db, 'officer@opdc.example'),
        reference,
        label: 'พยาน',
      });
      const witness = newJar();
      const form = await get(t.app, witness, `/witness/${token}`);
      const res = await switchTo(witness, `/witness/${token}`, { _csrf: csrfOf(form.body), statement: 'เห็นเหตุการณ์' });
      assert.equal(res.statusCode, 200, res.body.slice(0, 300));
      assert.match(res.body, />เห็นเหตุการณ์<\/textarea>/);
      assert.equal((await get(t.app, newJar(), `/witness/${token}`)).statusCode, 200, 'the invitation is not used');
    });

    it('answers an unknown survey’s thank-you page with 404', async () => {
      assert.equal((await get(t.app, newJar(), '/ita/done/XYZ')).statusCode, 404);
      assert.equal((await get(t.app, newJar(), '/ita/done/IIT')).statusCode, 200);
    });
  });
});
