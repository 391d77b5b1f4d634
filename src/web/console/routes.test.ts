// The console's case page and actions through HTTP, like a browser without JavaScript: the team
// sees content, others metadata or nothing; refused actions keep what was typed and say why beside
// the field; witnesses; an assignee waiting for access; removal confirmed on a page of its own.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MAX_REASON } from '../../cases/workflow.ts';
import { TEXT_LIMITS } from '../../intake/limits.ts';
import { createTestApp, loginCode, PASSWORD, seedAgency, seedStaff, type TestApp } from '../../../test/support/app.ts';
import { csrfOf, get, newJar, postForm, postMultipart, receiptOf, type Jar } from '../../../test/support/web.ts';

describe('staff console', () => {
  let h: TestApp;
  let reference = '';
  let receipt = '';
  const SECRET = 'เนื้อหาลับของผู้แจ้ง-ห้ามรั่ว';

  before(async () => {
    h = await createTestApp();
    await seedAgency(h.db, 'OPDC');
    await seedStaff(h.db, 'OPDC', 'io@opdc.example', ['intake_officer']);
    await seedStaff(h.db, 'OPDC', 'sup@opdc.example', ['supervisor']);
    await seedStaff(h.db, 'OPDC', 'keeper@opdc.example', ['identity_custodian']);
    await seedStaff(h.db, 'OPDC', 'inv@opdc.example', ['investigator'], { displayName: 'วิชัย ตรวจตรา' });
    // Another agency's supervisor; it has no intake officer, so no case can be referred there.
    await seedAgency(h.db, 'NACC');
    await seedStaff(h.db, 'NACC', 'sup@nacc.example', ['supervisor']);
    const jar = newJar();
    const form = await get(h.app, jar, '/report');
    const res = await postMultipart(h.app, jar, '/report', {
      _csrf: csrfOf(form.body),
      agency: 'OPDC',
      category: 'bribery',
      what: SECRET,
    });
    assert.equal(res.statusCode, 200, res.body);
    receipt = receiptOf(res.body);
    reference = /\b(OPDC-\d{4}-\d{6})\b/.exec(res.body)![1];
  });
  after(() => h.close());

  const login = async (email: string): Promise<Jar> => {
    const jar = newJar();
    const page = await get(h.app, jar, '/staff/login');
    const res = await postForm(h.app, jar, '/staff/login', {
      _csrf: csrfOf(page.body),
      email,
      password: PASSWORD,
      code: loginCode(email),
    });
    assert.equal(res.statusCode, 303, res.body);
    // loginCode is a recovery code: the sign-in leads to how many are left (then the inbox).
    assert.equal(res.headers.location, '/staff/account/recovery?used=1');
    return jar;
  };

  it('asks for the second factor and refuses a login without it', async () => {
    const jar = newJar();
    const page = await get(h.app, jar, '/staff/login');
    assert.match(page.body, /autocomplete="one-time-code"/);
    const res = await postForm(h.app, jar, '/staff/login', {
      _csrf: csrfOf(page.body),
      email: 'io@opdc.example',
      password: PASSWORD,
    });
    assert.equal(res.statusCode, 401);
    assert.match(res.body, /value="io@opdc.example"/, 'the email typed is kept');
  });

  it('shows the team the content and a supervisor the metadata only, each audited', async () => {
    const io = await login('io@opdc.example');
    const page = await get(h.app, io, `/staff/cases/${reference}`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, new RegExp(SECRET));
    const sup = await login('sup@opdc.example');
    const inbox = await get(h.app, sup, '/staff/cases');
    assert.match(inbox.body, new RegExp(reference), 'the agency view lists it');
    const meta = await get(h.app, sup, `/staff/cases/${reference}`);
    assert.equal(meta.statusCode, 200);
    assert.doesNotMatch(meta.body, new RegExp(SECRET));
    assert.match(meta.body, /href="\/staff\/cases\/[^"]+\/team\/\d+\/remove"/, 'the supervisor can remove');
    const keeper = await login('keeper@opdc.example');
    const none = await get(h.app, keeper, `/staff/cases/${reference}`);
    assert.equal(none.statusCode, 404);
    const actions = await h.db
      .selectFrom('audit_event')
      .select('action')
      .where('case_reference', '=', reference)
      .orderBy('id')
      .execute();
    assert.deepEqual(
      actions.map((a) => a.action).filter((a) => a.startsWith('case_')),
      ['case_opened', 'case_metadata_viewed', 'case_access_denied'],
    );
  });

  it('searches only the cases sealed to the user and exports metadata only', async () => {
    const io = await login('io@opdc.example');
    const found = await get(h.app, io, `/staff/search?q=${encodeURIComponent('เนื้อหาลับ')}`);
    assert.equal(found.statusCode, 200);
    assert.match(found.body, new RegExp(reference));
    const sup = await login('sup@opdc.example');
    const none = await get(h.app, sup, `/staff/search?q=${encodeURIComponent('เนื้อหาลับ')}`);
    assert.doesNotMatch(none.body, new RegExp(reference), 'metadata access does not search content');
    assert.equal((await get(h.app, sup, `/staff/search?q=${'x'.repeat(300)}`)).statusCode, 400);
    const csv = await get(h.app, sup, '/staff/cases.csv?scope=agency');
    assert.equal(csv.statusCode, 200);
    assert.match(String(csv.headers['content-type']), /^text\/csv/);
    assert.match(csv.body, new RegExp(reference));
    assert.doesNotMatch(csv.body, new RegExp(SECRET));
    assert.match(csv.body, /^\uFEFFเลขที่เรื่อง,หน่วยงาน,ประเภทการแจ้ง,/, 'the header in the staff member’s language');
    assert.match(csv.body, /,เบาะแสการทุจริต,/, 'labels, not codes');
    assert.doesNotMatch(csv.body, /\d:\d\d:\d\d|\.\d{3}Z/, 'times to the minute');
    const searched = await h.db
      .selectFrom('audit_event')
      .select(['action', 'detail'])
      .where('action', 'in', ['cases_searched', 'cases_exported'])
      .execute();
    assert.ok(searched.length >= 3);
    assert.ok(
      searched.every((a) => !JSON.stringify(a.detail).includes('เนื้อหาลับ')),
      'the query is never stored',
    );
  });

  it('keeps the reason typed when a move is refused, and moves with a reason', async () => {
    const io = await login('io@opdc.example');
    const page = await get(h.app, io, `/staff/cases/${reference}`);
    const refused = await postForm(h.app, io, `/staff/cases/${reference}/transition`, {
      _csrf: csrfOf(page.body),
      to: 'closed',
      reason: 'เหตุผลที่พิมพ์ไว้',
    });
    assert.equal(refused.statusCode, 409);
    assert.match(refused.body, /role="alert"/);
    assert.match(refused.body, /เหตุผลที่พิมพ์ไว้/);
    const ok = await postForm(h.app, io, `/staff/cases/${reference}/transition`, {
      _csrf: csrfOf(page.body),
      to: 'acknowledged',
      reason: 'รับเรื่องไว้พิจารณา',
    });
    assert.equal(ok.statusCode, 303);
    const empty = await postForm(h.app, io, `/staff/cases/${reference}/transition`, {
      _csrf: csrfOf(page.body),
      to: 'screening',
      reason: '',
    });
    assert.equal(empty.statusCode, 400);
    const after = await get(h.app, io, `/staff/cases/${reference}`);
    assert.match(after.body, /รับเรื่องไว้พิจารณา/, 'the reason is in the team’s history');
    const forged = await postForm(h.app, io, `/staff/cases/${reference}/transition`, {
      _csrf: 'forged',
      to: 'screening',
      reason: 'x',
    });
    assert.equal(forged.statusCode, 403);
  });

  it('takes a witness statement that only the team reads, and gives the witness a receipt of their own', async () => {
    const io = await login('io@opdc.example');
    const page = await get(h.app, io, `/staff/cases/${reference}`);
    const invited = await postForm(h.app, io, `/staff/cases/${reference}/witnesses`, {
      _csrf: csrfOf(page.body),
      label: 'พยานคนที่ 1',
    });
    assert.equal(invited.statusCode, 200, invited.body);
    const link = /https?:\/\/[^<\s]+\/witness\/([A-Za-z0-9_-]{32})/.exec(invited.body);
    assert.ok(link, 'the invitation link is shown once');
    const witness = newJar();
    const form = await get(h.app, witness, `/witness/${link[1]}`);
    assert.equal(form.statusCode, 200);
    assert.doesNotMatch(form.body, new RegExp(SECRET), 'the witness never sees the report');
    const WITNESS_TEXT = 'ข้าพเจ้าเห็นการส่งมอบเงิน';
    const given = await postMultipart(
      h.app,
      witness,
      `/witness/${link[1]}`,
      { _csrf: csrfOf(form.body), statement: WITNESS_TEXT },
      [{ name: 'note.txt', type: 'text/plain', data: Buffer.from('หลักฐาน') }],
    );
    assert.equal(given.statusCode, 200, given.body);
    const witnessReceipt = receiptOf(given.body);
    assert.equal((await get(h.app, newJar(), `/witness/${link[1]}`)).statusCode, 404, 'the link works once');

    const team = await get(h.app, io, `/staff/cases/${reference}`);
    assert.match(team.body, new RegExp(WITNESS_TEXT));
    assert.match(team.body, /พยานคนที่ 1/);
    const fileHref = new RegExp(`/staff/cases/${reference}/witnesses/[0-9a-f-]{36}/attachments/[0-9a-f-]{36}`).exec(
      team.body,
    )![0];
    const file = await get(h.app, io, fileHref);
    assert.equal(file.statusCode, 200);
    assert.equal(file.body, 'หลักฐาน');

    // The reporter sees nothing of the witness; the witness sees nothing of the report.
    const reporter = newJar();
    const rl = await get(h.app, reporter, '/followup');
    await postForm(h.app, reporter, '/followup', { _csrf: csrfOf(rl.body), receipt });
    const mine = await get(h.app, reporter, '/followup/case');
    assert.match(mine.body, new RegExp(SECRET));
    assert.doesNotMatch(mine.body, new RegExp(WITNESS_TEXT));
    const wl = await get(h.app, witness, '/followup');
    assert.equal(
      (await postForm(h.app, witness, '/followup', { _csrf: csrfOf(wl.body), receipt: witnessReceipt })).statusCode,
      303,
    );
    const theirs = await get(h.app, witness, '/followup/case');
    assert.match(theirs.body, new RegExp(WITNESS_TEXT));
    assert.doesNotMatch(theirs.body, new RegExp(SECRET));
    assert.equal((await get(h.app, witness, '/followup/case/certificate')).statusCode, 404);
    const reporterFiles = await h.db
      .selectFrom('attachment')
      .select('id')
      .where('uploaded_by', '=', 'witness')
      .execute();
    assert.equal(
      (await get(h.app, reporter, `/followup/case/attachments/${reporterFiles[0].id}`)).statusCode,
      404,
      'the reporter cannot open a witness file',
    );
  });
  it('says at the top and beside each field what a sign-in lacks', async () => {
    const jar = newJar();
    const page = await get(h.app, jar, '/staff/login');
    assert.match(page.body, /<form method="post" action="\/staff\/login" novalidate>/);
    const res = await postForm(h.app, jar, '/staff/login', { _csrf: csrfOf(page.body), email: '', password: '' });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /<a href="#email">[^<]*: กรอกอีเมลที่ใช้เข้าสู่ระบบ<\/a>/);
    assert.match(res.body, /<a href="#password">[^<]*: กรอกรหัสผ่าน<\/a>/);
    assert.match(res.body, /<p class="field-error" id="email-error">/);
    assert.match(res.body, /id="password"[^>]*aria-invalid="true" aria-describedby="password-error"/);
    const failed = await h.db
      .selectFrom('audit_event')
      .select('id')
      .where('action', '=', 'staff_login_failed')
      .execute();
    assert.equal(failed.length, 1, 'an empty form is no guess: only the earlier test’s wrong code was counted');
  });

  it('finds a case by its category’s name, in Thai and in English', async () => {
    const io = await login('io@opdc.example');
    for (const q of ['สินบน', 'bribery']) {
      const found = await get(h.app, io, `/staff/search?q=${encodeURIComponent(q)}`);
      assert.equal(found.statusCode, 200);
      assert.match(found.body, new RegExp(reference), `${q} finds the case`);
    }
  });

  it('summarises each case in the inbox for its team only', async () => {
    const io = await login('io@opdc.example');
    assert.match((await get(h.app, io, '/staff/cases')).body, new RegExp(`<span class="summary">${SECRET}</span>`));
    const sup = await login('sup@opdc.example');
    assert.doesNotMatch((await get(h.app, sup, '/staff/cases')).body, new RegExp(SECRET));
  });

  it('says there is no agency to refer to instead of offering an empty form', async () => {
    const sup = await login('sup@opdc.example');
    const page = await get(h.app, sup, `/staff/cases/${reference}`);
    assert.match(page.body, /ยังไม่มีหน่วยงานอื่นที่รับเรื่องได้/);
    assert.doesNotMatch(page.body, /action="[^"]*\/refer"/);
  });

  it('refuses an oversized note beside its field, keeping nothing', async () => {
    const io = await login('io@opdc.example');
    const page = await get(h.app, io, `/staff/cases/${reference}`);
    const notes = () => h.db.selectFrom('case_message').select('id').where('thread', '=', 'internal').execute();
    const before = (await notes()).length;
    const res = await postForm(h.app, io, `/staff/cases/${reference}/notes`, {
      _csrf: csrfOf(page.body),
      note: 'ก'.repeat(TEXT_LIMITS.message + 1),
    });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /<a href="#note">/);
    assert.match(res.body, /id="note"[^>]*aria-invalid="true" aria-describedby="message-error"/);
    assert.equal((await notes()).length, before);
  });

  describe('an assignee waiting for access, and taking them off', () => {
    const userIdOf = async (email: string) =>
      (await h.db.selectFrom('staff_user').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id;
    let sup: Jar;
    let invId = 0;
    const confirmPath = () => `/staff/cases/${reference}/team/${invId}/remove`;
    const onCase = async () =>
      (await h.db.selectFrom('case_assignment').select('user_id').where('user_id', '=', invId).execute()).length > 0;

    before(async () => {
      invId = await userIdOf('inv@opdc.example');
      sup = await login('sup@opdc.example');
      const page = await get(h.app, sup, `/staff/cases/${reference}`);
      const assigned = await postForm(h.app, sup, `/staff/cases/${reference}/assign`, {
        _csrf: csrfOf(page.body),
        userId: String(invId),
      });
      assert.equal(assigned.statusCode, 303);
      assert.equal(
        assigned.headers.location,
        `/staff/cases/${reference}?sent=assign_waiting`,
        'no mail server: nobody mailed',
      );
    });

    it('shows the assignee the case, metadata only, waiting for a key holder, and lets them do nothing else', async () => {
      const inv = await login('inv@opdc.example');
      const inbox = await get(h.app, inv, '/staff/cases');
      assert.match(inbox.body, /ได้รับมอบหมาย รอสิทธิ์เข้าถึง[\s\S]*?OPDC-\d{4}-\d{6}/);
      const page = await get(h.app, inv, `/staff/cases/${reference}`);
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /เรื่องนี้มอบหมายให้คุณแล้ว รอสิทธิ์เข้าถึง/);
      assert.doesNotMatch(page.body, new RegExp(SECRET));
      const note = await postForm(h.app, inv, `/staff/cases/${reference}/notes`, {
        _csrf: csrfOf(page.body),
        note: 'x',
      });
      assert.equal(note.statusCode, 404, 'no key, no note');
      assert.equal((await get(h.app, inv, `/staff/cases/${reference}/team/${invId}/remove`)).statusCode, 403);
    });

    it('refuses an assignment forged, from another agency, from another role, or of someone who is no investigator', async () => {
      const assign = (jar: Jar, csrf: string, userId: string) =>
        postForm(h.app, jar, `/staff/cases/${reference}/assign`, { _csrf: csrf, userId });
      const page = await get(h.app, sup, `/staff/cases/${reference}`);
      const grants = async () => (await h.db.selectFrom('case_grant').select('id').execute()).length;
      const before = await grants();
      assert.equal((await assign(sup, 'forged', String(invId))).statusCode, 403);
      // The intake officer holds the key: the case page showing their refusal hands it over (after the test above).
      const io = await login('io@opdc.example');
      const ioPage = await get(h.app, io, '/staff/search');
      assert.equal((await assign(io, csrfOf(ioPage.body), String(invId))).statusCode, 403);
      const other = await login('sup@nacc.example');
      assert.equal(
        (await assign(other, csrfOf((await get(h.app, other, '/staff/cases')).body), String(invId))).statusCode,
        404,
      );
      const keeperId = await userIdOf('keeper@opdc.example');
      const notInvestigator = await assign(sup, csrfOf(page.body), String(keeperId));
      assert.equal(notInvestigator.statusCode, 400);
      assert.match(notInvestigator.body, /<a href="#assignee">/);
      assert.match(
        notInvestigator.body,
        /id="assignee"[^>]*aria-describedby="assign-hint assignee-error" aria-invalid="true"/,
      );
      assert.equal((await assign(sup, csrfOf(page.body), '9'.repeat(40))).statusCode, 400, 'an oversized id');
      assert.equal(await grants(), before);
    });

    it('asks the supervisor to confirm, and refuses a forged post, another agency, another role and an oversized reason', async () => {
      const page = await get(h.app, sup, confirmPath());
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /<h1>นำ วิชัย ตรวจตรา ออกจากเรื่อง OPDC-/);
      assert.ok(await onCase(), 'asking removes nothing');
      const post = (jar: Jar, fields: Record<string, string>) =>
        postForm(h.app, jar, `/staff/cases/${reference}/remove`, { userId: String(invId), ...fields });
      assert.equal((await post(sup, { _csrf: 'forged', reason: 'x' })).statusCode, 403);
      const io = await login('io@opdc.example');
      const ioPage = await get(h.app, io, `/staff/cases/${reference}`);
      assert.equal((await get(h.app, io, confirmPath())).statusCode, 403);
      assert.equal((await post(io, { _csrf: csrfOf(ioPage.body), reason: 'x' })).statusCode, 403);
      const other = await login('sup@nacc.example');
      const otherPage = await get(h.app, other, '/staff/cases');
      assert.equal((await get(h.app, other, confirmPath())).statusCode, 404);
      assert.equal((await post(other, { _csrf: csrfOf(otherPage.body), reason: 'x' })).statusCode, 404);
      const long = await post(sup, { _csrf: csrfOf(page.body), reason: 'ก'.repeat(MAX_REASON + 1) });
      assert.equal(long.statusCode, 400);
      assert.match(long.body, /<a href="#remove-reason">/);
      assert.match(
        long.body,
        /id="remove-reason"[^>]*aria-describedby="remove-reason-hint reason-error" aria-invalid="true"/,
      );
      const empty = await post(sup, { _csrf: csrfOf(page.body), reason: '' });
      assert.equal(empty.statusCode, 400);
      assert.ok(await onCase(), 'still on the case after every refusal');
      const done = await post(sup, { _csrf: csrfOf(page.body), reason: 'มอบหมายผิดคน' });
      assert.equal(done.statusCode, 303);
      assert.equal(done.headers.location, `/staff/cases/${reference}?sent=remove`);
      assert.equal(await onCase(), false);
      const after = await get(h.app, sup, `/staff/cases/${reference}?sent=remove`);
      assert.match(after.body, /role="status">นำเจ้าหน้าที่ออกจากเรื่องแล้ว/);
      assert.match(after.body, /นำเจ้าหน้าที่ออกจากเรื่อง · [^<#\s]/, 'the history names who removed');
      assert.doesNotMatch(after.body, /· #\d/, 'never by a number');
    });
  });
});
