// The console's case page and actions through HTTP, like a browser without JavaScript: the team
// sees content, others metadata or nothing; refused actions keep what was typed; witnesses.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
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
    assert.equal(res.headers.location, '/staff/cases');
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
    assert.match(meta.body, /name="userId"/, 'the supervisor can assign and remove');
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
    const empty = await postForm(h.app, io, `/staff/cases/${reference}/transition`, {
      _csrf: csrfOf(page.body),
      to: 'acknowledged',
      reason: '',
    });
    assert.equal(empty.statusCode, 400);
    const ok = await postForm(h.app, io, `/staff/cases/${reference}/transition`, {
      _csrf: csrfOf(page.body),
      to: 'acknowledged',
      reason: 'รับเรื่องไว้พิจารณา',
    });
    assert.equal(ok.statusCode, 303);
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
});
