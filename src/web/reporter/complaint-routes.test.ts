// Citizen complaints on the web through HTTP, like a browser without JavaScript: the complaint and
// late-permit forms, the tracking code, the one page a complainant reads and answers on (opened at
// /status, never the name or contact), ratings after closure there, and staff filing for a caller.
// Real PostgreSQL, real migrations.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import type { LightMyRequestResponse } from 'fastify';
import {
  CHEAP_KDF,
  TEST_LIMITS,
  createTestApp,
  loginCode,
  PASSWORD,
  seedAgency,
  seedStaff,
  type TestApp,
} from '../../../test/support/app.ts';
import { jpegWithGps } from '../../../test/support/images.ts';
import { scanner } from '../../../test/support/leak-scan.ts';
import {
  cookieHeader,
  caseFormOf,
  csrfOf,
  get,
  multipart,
  newJar,
  postForm,
  postMultipart,
  receiptOf,
  type Jar,
} from '../../../test/support/web.ts';
import { openCaseKeys } from '../../cases/open-case.ts';
import { postCaseMessage } from '../../cases/post-case-message.ts';
import { giveStatement, inviteWitness, openInvitation } from '../../cases/witnesses.ts';
import { transitionCase } from '../../cases/workflow.ts';
import { connect, type Db } from '../../db/connection.ts';
import { translator } from '../../i18n/messages.ts';
import { bangkokToday } from '../../intake/validate-complaint.ts';
import { newDraft, submitReport } from '../../intake/submit-report.ts';
import { validateReport } from '../../intake/validate-report.ts';
import { resolveStaffSession, staffLogin, type StaffActor } from '../../staff/session.ts';
import { buildApp } from '../app.ts';

const t = translator('th');
const NAME = 'นางสาวใจดี ร้องเรียนจริง';
const CONTACT = '089-765-4321';
const WHAT = 'รอคิวที่สำนักงานเขตนานกว่าสี่ชั่วโมงโดยไม่มีเจ้าหน้าที่ให้บริการ';
const REPLY = 'ขออภัยในความล่าช้า หน่วยงานเพิ่มเจ้าหน้าที่ช่วงเช้าแล้ว';
const COMPLAINT = {
  agency: 'OPDC',
  category: 'service_delay',
  what: WHAT,
  when: 'เช้าวันจันทร์',
  where: 'สำนักงานเขตบางรัก',
  identityName: NAME,
  identityContact: CONTACT,
};
const escapeHtml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&#34;');
const daysFromToday = (n: number) =>
  new Date(Date.parse(`${bangkokToday()}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
const referenceOf = (html: string) => /\b(OPDC-\d{4}-\d{6})\b/.exec(html)![1];
const inputValue = (html: string, name: string) => new RegExp(`name="${name}"[^>]*value="([^"]*)"`).exec(html)?.[1];
const textareaValue = (html: string, name: string) =>
  new RegExp(`name="${name}"[^>]*>([^<]*)</textarea>`).exec(html)?.[1];

describe('citizen complaints on the web', () => {
  let h: TestApp;
  const actors: Record<string, StaffActor> = {};

  before(async () => {
    h = await createTestApp({ SUJARIT_MAX_FILE_MB: '1', SUJARIT_MAX_REPORT_MB: '2' });
    await seedAgency(h.db, 'OPDC');
    await seedAgency(h.db, 'NACC');
    await seedStaff(h.db, 'OPDC', 'io@opdc.example', ['intake_officer'], { displayName: 'สมหญิง รับเรื่อง' });
    await seedStaff(h.db, 'OPDC', 'sup@opdc.example', ['supervisor'], { displayName: 'สมชาย หัวหน้า' });
    await seedStaff(h.db, 'OPDC', 'inv@opdc.example', ['investigator']);
    await seedStaff(h.db, 'NACC', 'io@nacc.example', ['intake_officer']);
    for (const email of ['io@opdc.example', 'sup@opdc.example']) {
      const { token } = await staffLogin({
        db: h.db,
        kdf: CHEAP_KDF,
        limits: TEST_LIMITS,
        email,
        password: PASSWORD,
        code: loginCode(email),
      });
      actors[email] = (await resolveStaffSession({ db: h.db, token }))!;
    }
  });
  after(() => h.close());

  const caseCount = async () =>
    Number(
      (
        await h.db
          .selectFrom('report_case')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  const file = async (
    fields: Record<string, string>,
    files: Parameters<typeof postMultipart>[4] = [],
    url = '/complaint',
  ): Promise<LightMyRequestResponse> => {
    const jar = newJar();
    const form = await get(h.app, jar, url);
    assert.equal(form.statusCode, 200, form.body);
    return postMultipart(h.app, jar, url, { _csrf: csrfOf(form.body), ...fields }, files);
  };

  const staffJar = async (email: string): Promise<Jar> => {
    const jar = newJar();
    const page = await get(h.app, jar, '/staff/login');
    const res = await postForm(h.app, jar, '/staff/login', {
      _csrf: csrfOf(page.body),
      email,
      password: PASSWORD,
      code: loginCode(email),
    });
    assert.equal(res.statusCode, 303, res.body);
    return jar;
  };

  /** Opens a case with its code at /status, as a browser does: the code form, then the case page it leads to. */
  const status = async (code: string, jar = newJar()): Promise<LightMyRequestResponse> => {
    const page = await get(h.app, jar, '/status');
    const res = await postForm(h.app, jar, '/status', { _csrf: csrfOf(page.body), code });
    if (res.statusCode !== 303) return res;
    assert.equal(res.headers.location, '/followup/case');
    return get(h.app, jar, '/followup/case');
  };

  /** Every table of the test database as text (bytea as PostgreSQL prints it, hex). */
  const databaseText = async (db: Db): Promise<Buffer> => {
    const tables = await sql<{
      table_name: string;
    }>`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`.execute(
      db,
    );
    const parts: string[] = [];
    for (const { table_name } of tables.rows) {
      const rows = await sql<{ row: string }>`select t::text as row from ${sql.table(table_name)} t`.execute(db);
      parts.push(...rows.rows.map((r) => `${table_name}: ${r.row}`));
    }
    return Buffer.from(parts.join('\n'), 'utf8');
  };

  it('links the complaint forms and the status page from the home page', async () => {
    const home = await get(h.app, newJar(), '/');
    for (const href of ['/complaint', '/complaint?type=permit', '/status'])
      assert.match(home.body, new RegExp(`href="${escapeHtml(href).replace(/\?/g, '\\?')}"`));
    const en = await get(h.app, newJar(), '/complaint?type=permit&lang=en');
    assert.match(en.body, /Licensing Facilitation Act B\.E\. 2558/);
    assert.match(en.body, /name="permitReference"/);
    assert.match(
      en.body,
      /id="filedOn" name="filedOn" type="text" inputmode="numeric"/,
      'a typed date (day/month/year, B.E. or A.D.), not the browser’s A.D.-only picker',
    );
    const th = await get(h.app, newJar(), '/complaint');
    assert.match(th.body, /autocomplete="name"/);
    assert.doesNotMatch(th.body, /[">](?:complaint|tracking|kind|category)\.[a-z_.]+[<"]/, 'every text is translated');
  });

  it('files a named complaint with a photo: the tracking code once, stored with kind and channel, the name and contact sealed', async () => {
    const res = await file(COMPLAINT, [{ name: 'queue.jpg', type: 'image/jpeg', data: await jpegWithGps() }]);
    assert.equal(res.statusCode, 200, res.body);
    const code = receiptOf(res.body);
    assert.match(code, /^\d{16}$/);
    assert.match(res.body, /<output aria-hidden="true">\d{4} \d{4} \d{4} \d{4}<\/output>/);
    assert.match(res.body, /href="\/status"/);
    assert.match(res.body, new RegExp(escapeHtml(t('complaint.receipt.warning'))));
    const reference = referenceOf(res.body);
    const row = await h.db
      .selectFrom('report_case')
      .select(['id', 'kind', 'channel', 'category', 'has_identity'])
      .where('reference', '=', reference)
      .executeTakeFirstOrThrow();
    assert.deepEqual(
      { kind: row.kind, channel: row.channel, category: row.category },
      { kind: 'complaint', channel: 'web', category: 'service_delay' },
    );
    assert.equal((await h.db.selectFrom('attachment').select('id').where('case_id', '=', row.id).execute()).length, 1);
    const hits = scanner([
      { label: 'name', value: NAME },
      { label: 'contact', value: CONTACT },
      { label: 'what', value: WHAT },
      { label: 'code', value: code },
    ]).scan(await databaseText(h.db), 'database');
    assert.deepEqual(hits, [], 'nothing the complainant typed, nor the code, is in the database in the clear');
  });

  it('files a late-permit complaint with its dates as metadata', async () => {
    const res = await file(
      {
        agency: 'OPDC',
        what: 'ยื่นขออนุญาตก่อสร้างอาคาร ยังไม่ได้รับผล',
        permitReference: 'กทม-123/2568',
        filedOn: daysFromToday(-40),
        manualDueOn: daysFromToday(-10),
        identityName: NAME,
        identityContact: CONTACT,
      },
      [],
      '/complaint?type=permit',
    );
    assert.equal(res.statusCode, 200, res.body);
    const c = await h.db
      .selectFrom('report_case')
      .select(['id', 'kind', 'category'])
      .where('reference', '=', referenceOf(res.body))
      .executeTakeFirstOrThrow();
    assert.deepEqual({ kind: c.kind, category: c.category }, { kind: 'permit', category: 'late_permit' });
    const p = await h.db
      .selectFrom('permit_request')
      .select([sql<string>`filed_on::text`.as('filed'), sql<string>`manual_due_on::text`.as('due')])
      .where('case_id', '=', c.id)
      .executeTakeFirstOrThrow();
    assert.deepEqual(p, { filed: daysFromToday(-40), due: daysFromToday(-10) });
  });

  it('reads permit dates typed as Thai write them: day/month/B.E. year, Thai digits', async () => {
    const be = (iso: string) => {
      const [y, m, d] = iso.split('-');
      return `${d}/${m}/${Number(y) + 543}`;
    };
    const thai = (s: string) => s.replace(/\d/g, (d) => String.fromCharCode(0x0e50 + Number(d)));
    const res = await file(
      {
        agency: 'OPDC',
        what: 'ขออนุญาตตั้งป้าย ยังไม่ได้รับผล',
        permitReference: 'ป้าย-9',
        filedOn: be(daysFromToday(-30)),
        manualDueOn: thai(be(daysFromToday(-5))),
        identityName: NAME,
        identityContact: CONTACT,
      },
      [],
      '/complaint?type=permit',
    );
    assert.equal(res.statusCode, 200, res.body.slice(0, 500));
    const c = await h.db
      .selectFrom('report_case')
      .select('id')
      .where('reference', '=', referenceOf(res.body))
      .executeTakeFirstOrThrow();
    const p = await h.db
      .selectFrom('permit_request')
      .select([sql<string>`filed_on::text`.as('filed'), sql<string>`manual_due_on::text`.as('due')])
      .where('case_id', '=', c.id)
      .executeTakeFirstOrThrow();
    assert.deepEqual(p, { filed: daysFromToday(-30), due: daysFromToday(-5) });
    const form = await get(h.app, newJar(), '/complaint?type=permit');
    assert.match(
      form.body,
      /id="filedOn" name="filedOn" type="text" inputmode="numeric"[^>]*placeholder="วว\/ดด\/ปปปป"/,
      'a text field for a B.E. date, not the browser’s A.D. date picker',
    );
  });

  for (const [label, dates, field, key] of [
    [
      'not late yet',
      { filedOn: daysFromToday(-3), manualDueOn: daysFromToday(10) },
      'manualDueOn',
      'error.permit_not_late',
    ],
    [
      'due before filed',
      { filedOn: daysFromToday(-10), manualDueOn: daysFromToday(-20) },
      'manualDueOn',
      'error.permit_due_before_filed',
    ],
    ['malformed', { filedOn: '2025-02-31', manualDueOn: daysFromToday(-1) }, 'filedOn', 'error.field.invalid'],
    [
      'filed in the future',
      { filedOn: daysFromToday(5), manualDueOn: daysFromToday(-1) },
      'filedOn',
      'error.date_future',
    ],
  ] as const) {
    it(`gives the permit form back with everything typed when the dates are ${label}`, async () => {
      const before = await caseCount();
      const typed = {
        agency: 'OPDC',
        what: 'คำขอใบอนุญาตตั้งร้านอาหาร',
        permitReference: 'REF-77',
        identityName: NAME,
        identityContact: CONTACT,
        ...dates,
      };
      const res = await file(typed, [], '/complaint?type=permit');
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(await caseCount(), before, 'nothing stored');
      assert.equal(textareaValue(res.body, 'what'), escapeHtml(typed.what));
      for (const n of ['permitReference', 'identityName', 'identityContact', 'filedOn', 'manualDueOn'] as const)
        assert.equal(inputValue(res.body, n), escapeHtml(typed[n]), n);
      assert.match(res.body, new RegExp(`id="${field}-error">${escapeHtml(t(key))}<`));
      assert.match(res.body, new RegExp(`<a href="#${field}">`), 'the error summary links to the field');
      assert.match(res.body, /action="\/complaint\?type=permit"/);
    });
  }

  it('asks for the name and the contact, keeping the rest', async () => {
    const res = await file({ ...COMPLAINT, identityName: '', identityContact: '' });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /<a href="#identityName">/);
    assert.match(res.body, /<a href="#identityContact">/);
    assert.equal(textareaValue(res.body, 'what'), escapeHtml(WHAT));
    assert.match(res.body, /value="service_delay" required checked/);
  });

  it('refuses an oversized upload with 413 and gives the text back', async () => {
    const before = await caseCount();
    const res = await file(COMPLAINT, [
      { name: 'big.txt', type: 'text/plain', data: Buffer.alloc(1.5 * 1024 * 1024, 'a') },
    ]);
    assert.equal(res.statusCode, 413, res.body);
    assert.equal(await caseCount(), before);
    assert.equal(textareaValue(res.body, 'what'), escapeHtml(WHAT));
    assert.equal(inputValue(res.body, 'identityName'), escapeHtml(NAME));
    assert.match(res.body, new RegExp(escapeHtml(t('error.reselect_files'))));
    assert.throws(() => receiptOf(res.body));
  });

  it('refuses the forms without their CSRF token', async () => {
    const before = await caseCount();
    const { body, contentType } = await multipart(COMPLAINT);
    const res = await h.app.inject({
      method: 'POST',
      url: '/complaint',
      headers: { 'content-type': contentType },
      payload: body,
    });
    assert.equal(res.statusCode, 403);
    assert.equal(textareaValue(res.body, 'what'), escapeHtml(WHAT));
    assert.equal(await caseCount(), before);
    assert.equal((await postForm(h.app, newJar(), '/status', { code: '1234567812345678' })).statusCode, 403);
    const reader = newJar();
    const opened = await status(receiptOf((await file(COMPLAINT)).body), reader);
    assert.equal(opened.statusCode, 200);
    assert.equal((await postForm(h.app, reader, '/followup/case/rating', { score: '5' })).statusCode, 403);
    assert.equal((await postForm(h.app, reader, '/followup/case/rating', { _csrf: 'x', score: '5' })).statusCode, 403);
  });

  describe('status page and rating', () => {
    let code = '';
    let reference = '';

    before(async () => {
      const res = await file(COMPLAINT);
      assert.equal(res.statusCode, 200, res.body);
      code = receiptOf(res.body);
      reference = referenceOf(res.body);
    });

    it('answers 401 to a wrong or malformed tracking code, and to a witness receipt', async () => {
      for (const wrong of ['1111 2222 3333 4444', 'not-a-code']) {
        const res = await status(wrong);
        assert.equal(res.statusCode, 401, wrong);
        assert.match(res.body, new RegExp(escapeHtml(t('error.receipt_wrong'))));
      }
      const { token } = await inviteWitness({
        db: h.db,
        actor: actors['io@opdc.example'],
        reference,
        label: 'พยานที่รอคิว',
      });
      const { receipt } = await giveStatement({
        db: h.db,
        kdf: CHEAP_KDF,
        receiptSalt: h.deps.secrets.receiptSalt,
        invitation: await openInvitation(h.db, token),
        text: 'เห็นด้วยตนเอง',
        files: [],
      });
      assert.equal((await status(receipt)).statusCode, 401, 'a witness sees nothing of the case here');
      assert.equal((await get(h.app, newJar(), `/status?code=${receipt}`)).statusCode, 401);
    });

    it('shows the status, the history and a staff reply by role, what was sent, never the name or contact', async () => {
      const io = actors['io@opdc.example'];
      await transitionCase({ db: h.db, actor: io, reference, to: 'acknowledged', reason: 'รับเรื่องไว้พิจารณา' });
      const opened = await openCaseKeys({ db: h.db, actor: io, reference, purpose: 'message_posted' });
      await postCaseMessage({ db: h.db, actor: io, opened, text: REPLY, files: [] });
      for (const res of [
        await status(code.replace(/(\d{4})(?=\d)/g, '$1-')),
        await get(h.app, newJar(), `/status?code=${code}`),
      ]) {
        assert.equal(res.statusCode, 200, res.body);
        assert.match(res.body, new RegExp(reference));
        assert.match(res.body, new RegExp(escapeHtml(REPLY)));
        assert.match(res.body, new RegExp(t('role.intake_officer')));
        assert.match(res.body, new RegExp(t('status.acknowledged')));
        assert.match(res.body, new RegExp(t('kind.complaint')));
        assert.match(res.body, /action="\/followup\/case\/messages"/, 'the reply form on the same page');
        assert.match(res.body, /25\d\d/, 'dates in the Buddhist Era');
        for (const secret of [NAME, CONTACT, 'สมหญิง', 'io@opdc.example'])
          assert.ok(!res.body.includes(secret) && !res.body.includes(escapeHtml(secret)), `"${secret}" is not shown`);
        // One page for the citizen: what they sent is there, as on the follow-up page before.
        assert.ok(res.body.includes(escapeHtml(WHAT)), 'the complaint as sent');
        assert.doesNotMatch(res.body, /action="\/followup\/case\/rating"/, 'no rating before closure');
      }
    });

    it('takes a rating only after closure, and only once', async () => {
      const jar = newJar();
      const page = await status(code, jar);
      const rate = (fields: Record<string, string>) =>
        postForm(h.app, jar, '/followup/case/rating', { ...caseFormOf(page.body), ...fields });
      const early = await rate({ score: '4' });
      assert.equal(early.statusCode, 409);
      assert.match(early.body, new RegExp(escapeHtml(t('error.rating_not_closed'))));

      const io = actors['io@opdc.example'];
      await transitionCase({ db: h.db, actor: io, reference, to: 'screening', reason: 'กลั่นกรอง' });
      await transitionCase({
        db: h.db,
        actor: io,
        reference,
        to: 'concluded',
        reason: 'แก้ไขแล้ว',
        outcome: 'insufficient_information',
      });
      await transitionCase({ db: h.db, actor: actors['sup@opdc.example'], reference, to: 'closed', reason: 'ยุติเรื่อง' });
      const open = await status(code);
      assert.match(open.body, /action="\/followup\/case\/rating"/);
      assert.match(open.body, new RegExp(t('status.closed')));

      const wrong = await rate({ score: '9', comment: 'บริการดีขึ้น' });
      assert.equal(wrong.statusCode, 400);
      assert.equal(textareaValue(wrong.body, 'comment'), 'บริการดีขึ้น', 'the comment typed is kept');
      assert.match(wrong.body, /id="score-error"/);
      assert.match(wrong.body, /<a href="#score-5">/, 'the error summary links to the score');

      const posted = await rate({ score: '4', comment: 'บริการดีขึ้น' });
      assert.equal(posted.statusCode, 303, posted.body);
      assert.equal(
        posted.headers.location,
        '/followup/case?rated=1',
        'back to the case page, not a page a reload would post again',
      );
      const rated = await get(h.app, jar, '/followup/case?rated=1');
      assert.equal(rated.statusCode, 200, rated.body);
      assert.match(rated.body, new RegExp(escapeHtml(t('tracking.rating.thanks'))));
      const { id } = await h.db
        .selectFrom('report_case')
        .select('id')
        .where('reference', '=', reference)
        .executeTakeFirstOrThrow();
      const row = await h.db.selectFrom('case_rating').selectAll().where('case_id', '=', id).executeTakeFirstOrThrow();
      assert.equal(row.score, 4);
      assert.equal(row.channel, 'web');
      assert.ok(row.comment && !row.comment.includes(Buffer.from('บริการดีขึ้น')), 'the comment is sealed');

      const again = await rate({ score: '1' });
      assert.equal(again.statusCode, 409);
      assert.match(again.body, new RegExp(escapeHtml(t('error.rating_done'))));
      assert.equal(
        (await h.db.selectFrom('case_rating').select('score').where('case_id', '=', id).executeTakeFirstOrThrow())
          .score,
        4,
      );
      const after = await status(code);
      assert.match(after.body, new RegExp(escapeHtml(t('tracking.rating.given', { score: 4 }))));
      assert.doesNotMatch(after.body, /action="\/status\/rate"/);
    });

    it('concludes a complaint as resolved, partly resolved, not resolved or referred, told to the citizen at closure; a tip keeps its outcomes', async () => {
      const res = await file(COMPLAINT);
      const [c, ref] = [receiptOf(res.body), referenceOf(res.body)];
      const io = actors['io@opdc.example'];
      const sup = actors['sup@opdc.example'];
      await transitionCase({ db: h.db, actor: io, reference: ref, to: 'acknowledged', reason: 'รับเรื่อง' });
      await transitionCase({ db: h.db, actor: io, reference: ref, to: 'screening', reason: 'กลั่นกรอง' });
      const form = await get(h.app, await staffJar('io@opdc.example'), `/staff/cases/${ref}`);
      assert.match(
        form.body,
        new RegExp(
          `<optgroup label="${t('console.outcome.complaint')}"><option value="resolved"[^>]*>${t('outcome.resolved')}</option><option value="partly_resolved"`,
        ),
        'the case page offers the complaint outcomes',
      );
      assert.doesNotMatch(form.body, /value="substantiated"/, 'not a tip’s conclusions');
      await transitionCase({ db: h.db, actor: io, reference: ref, to: 'investigating', reason: 'ตรวจสอบ' });
      await assert.rejects(
        transitionCase({
          db: h.db,
          actor: sup,
          reference: ref,
          to: 'concluded',
          reason: 'มีมูล',
          outcome: 'substantiated',
        }),
        { code: 'invalid_input' },
      );
      await transitionCase({
        db: h.db,
        actor: sup,
        reference: ref,
        to: 'concluded',
        reason: 'ปรับปรุงได้บางส่วน',
        outcome: 'partly_resolved',
      });
      const concluded = await status(c);
      assert.doesNotMatch(
        concluded.body,
        new RegExp(t('tracking.outcome')),
        'not before closure: it can still be sent back',
      );
      await transitionCase({ db: h.db, actor: sup, reference: ref, to: 'closed', reason: 'ยุติเรื่อง' });
      for (const [page, lang] of [
        [await status(c), 'th'],
        [await get(h.app, newJar(), `/status?code=${c}&lang=en`), 'en'],
      ] as const) {
        assert.match(
          page.body,
          new RegExp(
            `<dt>${translator(lang)('tracking.outcome')}</dt><dd class="outcome">${translator(lang)('outcome.partly_resolved')}</dd>`,
          ),
        );
      }
      assert.equal(
        (await h.db.selectFrom('report_case').select('outcome').where('reference', '=', ref).executeTakeFirstOrThrow())
          .outcome,
        'partly_resolved',
      );

      const tip = await submitReport({
        db: h.db,
        kdf: CHEAP_KDF,
        receiptSalt: h.deps.secrets.receiptSalt,
        draft: newDraft(),
        input: validateReport({ agency: 'OPDC', category: 'bribery', what: 'เรียกรับเงิน' }),
        files: [],
        channel: 'web',
      });
      for (const to of ['acknowledged', 'screening'])
        await transitionCase({ db: h.db, actor: io, reference: tip.reference, to, reason: 'ดำเนินการ' });
      await assert.rejects(
        transitionCase({
          db: h.db,
          actor: io,
          reference: tip.reference,
          to: 'concluded',
          reason: 'แก้ไขแล้ว',
          outcome: 'resolved',
        }),
        { code: 'invalid_input' },
        'a tip is not "resolved"',
      );
      await assert.rejects(
        sql`update report_case set outcome = 'resolved' where reference = ${tip.reference}`.execute(h.db),
        /report_case_tip_outcome_check/,
        'nor in the database',
      );
      await transitionCase({
        db: h.db,
        actor: io,
        reference: tip.reference,
        to: 'concluded',
        reason: 'ไม่อยู่ในอำนาจ',
        outcome: 'out_of_scope',
      });
      await transitionCase({ db: h.db, actor: sup, reference: tip.reference, to: 'closed', reason: 'ยุติ' });
      assert.equal(
        (
          await h.db
            .selectFrom('report_case')
            .select('outcome')
            .where('reference', '=', tip.reference)
            .executeTakeFirstOrThrow()
        ).outcome,
        'out_of_scope',
      );
    });
  });

  describe('staff filing for a caller', () => {
    it('is open to intake officers and supervisors only', async () => {
      const io = await staffJar('io@opdc.example');
      const form = await get(h.app, io, '/staff/complaints/new');
      assert.equal(form.statusCode, 200, form.body);
      assert.match(form.body, /<option value="OPDC" selected>/, 'the staff member’s agency by default');
      assert.match(form.body, /<option value="NACC">/, 'any agency that receives complaints');
      assert.match(form.body, /value="hotline_1111"/);
      assert.match(form.body, /autocomplete="off"/);
      assert.match((await get(h.app, io, '/staff/cases')).body, /href="\/staff\/complaints\/new"/);
      const sup = await staffJar('sup@opdc.example');
      assert.equal((await get(h.app, sup, '/staff/complaints/new?type=permit')).statusCode, 200);
      const inv = await staffJar('inv@opdc.example');
      assert.equal((await get(h.app, inv, '/staff/complaints/new')).statusCode, 403);
      assert.doesNotMatch((await get(h.app, inv, '/staff/cases')).body, /href="\/staff\/complaints\/new"/);
      const denied = await postMultipart(h.app, inv, '/staff/complaints/new', {
        _csrf: csrfOf(form.body),
        ...COMPLAINT,
        channel: 'phone',
      });
      assert.equal(denied.statusCode, 403);
      assert.equal((await get(h.app, newJar(), '/staff/complaints/new')).statusCode, 303, 'signed-out: to the login');
    });

    it('files with the channel, audited with the staff actor in the same transaction, and shows the code once', async () => {
      const io = await staffJar('io@opdc.example');
      const form = await get(h.app, io, '/staff/complaints/new');
      const missing = await postMultipart(h.app, io, '/staff/complaints/new', {
        _csrf: csrfOf(form.body),
        ...COMPLAINT,
        what: '',
      });
      assert.equal(missing.statusCode, 400);
      assert.match(missing.body, /<a href="#channel">/);
      assert.match(missing.body, /<a href="#what">/);
      assert.equal(inputValue(missing.body, 'identityName'), escapeHtml(NAME));

      const res = await postMultipart(h.app, io, '/staff/complaints/new', {
        _csrf: csrfOf(form.body),
        ...COMPLAINT,
        channel: 'hotline_1111',
      });
      assert.equal(res.statusCode, 200, res.body);
      const code = receiptOf(res.body);
      const reference = referenceOf(res.body);
      const c = await h.db
        .selectFrom('report_case')
        .select(['id', 'kind', 'channel'])
        .where('reference', '=', reference)
        .executeTakeFirstOrThrow();
      assert.deepEqual({ kind: c.kind, channel: c.channel }, { kind: 'complaint', channel: 'hotline_1111' });
      const audit = await h.db
        .selectFrom('audit_event')
        .select(['actor_user_id', 'case_reference', 'detail'])
        .where('action', '=', 'complaint_filed_for_caller')
        .where('case_id', '=', c.id)
        .execute();
      assert.equal(audit.length, 1);
      assert.equal(audit[0].actor_user_id, actors['io@opdc.example'].id);
      assert.equal(audit[0].case_reference, reference);
      assert.equal((audit[0].detail as { channel: string }).channel, 'hotline_1111');
      assert.equal((await status(code)).statusCode, 200, 'the caller follows it with the code read out');

      const page = await get(h.app, io, `/staff/cases/${reference}`);
      assert.equal(page.statusCode, 200);
      assert.match(page.body, new RegExp(NAME));
      assert.match(page.body, new RegExp(CONTACT));
      assert.match(page.body, new RegExp(t('kind.complaint')));
      assert.match(page.body, new RegExp(t('console.channel.hotline_1111')));
    });

    it('files a late permit for a caller; the case page shows the request and links to its permit page', async () => {
      const io = await staffJar('io@opdc.example');
      const form = await get(h.app, io, '/staff/complaints/new?type=permit');
      const res = await postMultipart(h.app, io, '/staff/complaints/new?type=permit', {
        _csrf: csrfOf(form.body),
        channel: 'walk_in',
        agency: 'OPDC',
        what: 'ขอใบอนุญาตขายอาหาร',
        permitReference: 'PR-9/2568',
        filedOn: daysFromToday(-30),
        manualDueOn: daysFromToday(-2),
        identityName: NAME,
        identityContact: CONTACT,
      });
      assert.equal(res.statusCode, 200, res.body);
      const reference = referenceOf(res.body);
      const page = await get(h.app, io, `/staff/cases/${reference}`);
      assert.match(page.body, /PR-9\/2568/);
      assert.match(page.body, new RegExp(`href="/staff/cases/${reference}/permit"`));
      assert.match(page.body, /25\d\d/);
      const sup = await staffJar('sup@opdc.example');
      const meta = await get(h.app, sup, `/staff/cases/${reference}`);
      assert.match(meta.body, new RegExp(t('kind.permit')));
      assert.match(meta.body, new RegExp(`href="/staff/cases/${reference}/permit"`));
      assert.ok(!meta.body.includes(NAME), 'metadata only for the supervisor');
    });

    it('filters the inbox by kind and by a complaint category', async () => {
      const sup = await staffJar('sup@opdc.example');
      const permits = await get(h.app, sup, '/staff/cases?scope=agency&kind=permit');
      const complaints = await get(h.app, sup, '/staff/cases?scope=agency&kind=complaint');
      const delays = await get(h.app, sup, '/staff/cases?scope=agency&category=service_delay');
      const tips = await get(h.app, sup, '/staff/cases?scope=agency&kind=tip');
      const counts = [permits, complaints, delays, tips].map((r) => Number(/ทั้งหมด (\d+) เรื่อง/.exec(r.body)?.[1]));
      const db = await h.db.selectFrom('report_case').select(['kind', 'category']).execute();
      assert.deepEqual(counts, [
        db.filter((r) => r.kind === 'permit').length,
        db.filter((r) => r.kind === 'complaint').length,
        db.filter((r) => r.category === 'service_delay').length,
        db.filter((r) => r.kind === 'tip').length,
      ]);
      assert.match(permits.body, /<option value="permit" selected>/);
      assert.match(permits.body, /<option value="late_permit">/);
    });
  });

  describe('database outage', () => {
    it('gives the complaint form back with 503 and everything typed, and the status form 503', async () => {
      const dead = connect('postgresql://sujarit@127.0.0.1:1/sujarit', 2);
      const down = await buildApp({ ...h.deps, db: dead });
      await down.ready();
      try {
        const jar = newJar();
        const token = csrfOf((await get(h.app, jar, '/complaint')).body);
        const { body, contentType } = await multipart({ _csrf: token, ...COMPLAINT });
        const res = await down.inject({
          method: 'POST',
          url: '/complaint',
          headers: { cookie: cookieHeader(jar), 'content-type': contentType },
          payload: body,
        });
        assert.equal(res.statusCode, 503, res.body);
        assert.match(res.body, new RegExp(escapeHtml(t('error.unavailable'))));
        assert.equal(textareaValue(res.body, 'what'), escapeHtml(WHAT));
        assert.equal(inputValue(res.body, 'identityContact'), escapeHtml(CONTACT));
        const s = await down.inject({
          method: 'POST',
          url: '/status',
          headers: { cookie: cookieHeader(jar), 'content-type': 'application/x-www-form-urlencoded' },
          payload: new URLSearchParams({ _csrf: token, code: '1234567812345678' }).toString(),
        });
        assert.equal(s.statusCode, 503);
        assert.ok(!s.body.includes(escapeHtml(t('error.receipt_wrong'))));
      } finally {
        await down.close();
        await dead.destroy();
      }
    });
  });
});
