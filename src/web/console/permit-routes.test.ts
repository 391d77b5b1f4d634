// The late-permit page through HTTP, like a browser without JavaScript: who sees it, who acts,
// refused and hostile input shown again with the error, and the applicant's view afterwards.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestApp, loginCode, PASSWORD, seedAgency, seedStaff, type TestApp } from '../../../test/support/app.ts';
import { csrfOf, get, newJar, postForm, type Jar } from '../../../test/support/web.ts';
import { bangkokToday, formatDay } from '../../cases/permit-dates.ts';
import { newDraft, submitReport, type Submitted } from '../../intake/submit-report.ts';
import { validateComplaint } from '../../intake/validate-complaint.ts';
import { validateReport } from '../../intake/validate-report.ts';

const DAY = 86_400_000;
const addDays = (day: string, n: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);

describe('permit page', () => {
  let h: TestApp;
  const today = bangkokToday();
  const filedOn = addDays(today, -40);
  const manualDueOn = addDays(today, -10);
  const jars: Record<string, Jar> = {};

  before(async () => {
    h = await createTestApp();
    await seedAgency(h.db, 'OPDC');
    await seedAgency(h.db, 'NACC');
    for (const [email, agency, roles] of [
      ['io@opdc.example', 'OPDC', ['intake_officer']],
      ['sup@opdc.example', 'OPDC', ['supervisor']],
      ['aud@opdc.example', 'OPDC', ['auditor']],
      ['io@nacc.example', 'NACC', ['intake_officer']],
      ['sup@nacc.example', 'NACC', ['supervisor']],
    ] as const) {
      await seedStaff(h.db, agency, email, [...roles]);
      const jar = newJar();
      const page = await get(h.app, jar, '/staff/login');
      const res = await postForm(h.app, jar, '/staff/login', {
        _csrf: csrfOf(page.body),
        email,
        password: PASSWORD,
        code: loginCode(email),
      });
      assert.equal(res.statusCode, 303, res.body);
      jars[email] = jar;
    }
  });
  after(() => h.close());

  const filePermit = async (): Promise<Submitted> => {
    const { report, complaint } = validateComplaint(
      {
        agency: 'OPDC',
        what: 'ขอใบอนุญาตแล้วเงียบ',
        identityName: 'ผู้ยื่น คำขอ',
        identityContact: '0812345678',
        permitReference: 'REQ-9',
        filedOn,
        manualDueOn,
      },
      'permit',
    );
    return submitReport({
      db: h.db,
      kdf: h.config.kdf,
      receiptSalt: h.deps.secrets.receiptSalt,
      draft: newDraft(),
      input: report,
      complaint,
      files: [],
      channel: 'web',
    });
  };
  const page = (who: string, reference: string, query = '') =>
    get(h.app, jars[who], `/staff/cases/${encodeURIComponent(reference)}/permit${query}`);
  /** Posts a form of the permit page with its CSRF token, as the browser would. */
  const post = async (who: string, reference: string, action: 'decision' | 'delay', fields: Record<string, string>) => {
    const csrf = csrfOf((await get(h.app, jars[who], '/staff/cases')).body);
    return postForm(h.app, jars[who], `/staff/cases/${encodeURIComponent(reference)}/permit/${action}`, {
      _csrf: csrf,
      ...fields,
    });
  };

  it('shows the team the dates in the Buddhist Era, the days late and both forms, in Thai and English', async () => {
    const p = await filePermit();
    const th = await page('io@opdc.example', p.reference);
    assert.equal(th.statusCode, 200, th.body);
    assert.match(th.body, /<html lang="th">/);
    assert.ok(th.body.includes(formatDay('th', filedOn)) && th.body.includes(formatDay('th', manualDueOn)));
    assert.match(th.body, new RegExp(String(Number(today.slice(0, 4)) + 543)), 'Buddhist Era');
    assert.match(th.body, /เกินกำหนดมาแล้ว 10 วัน/);
    assert.match(th.body, /action="\/staff\/cases\/[^"]+\/permit\/delay"/);
    assert.match(th.body, /action="\/staff\/cases\/[^"]+\/permit\/decision"/);
    assert.match(
      th.body,
      /id="decidedOn-hint">วัน\/เดือน\/ปี พ\.ศ\. ตั้งแต่ [^<]+ ถึง [^<]+ เช่น/,
      'the hint gives the bounds of the rule, in the Buddhist Era',
    );
    assert.doesNotMatch(th.body, /<script/i);
    const en = await page('io@opdc.example', p.reference, '?lang=en');
    assert.match(en.body, /<html lang="en">/);
    assert.match(en.body, /10 day\(s\) past the deadline/);
    assert.ok(en.body.includes(formatDay('en', manualDueOn)));
  });

  it('refuses other agencies with not found, and lets the auditor look without acting', async () => {
    const p = await filePermit();
    for (const who of ['io@nacc.example', 'sup@nacc.example']) {
      assert.equal((await page(who, p.reference)).statusCode, 404, who);
      assert.equal(
        (await post(who, p.reference, 'decision', { decision: 'approved', decidedOn: today })).statusCode,
        404,
        who,
      );
      assert.equal((await post(who, p.reference, 'delay', { reason: 'x' })).statusCode, 404, who);
    }
    const aud = await page('aud@opdc.example', p.reference);
    assert.equal(aud.statusCode, 200);
    assert.doesNotMatch(aud.body, /permit\/decision|permit\/delay/);
    assert.equal(
      (await post('aud@opdc.example', p.reference, 'decision', { decision: 'approved', decidedOn: today })).statusCode,
      403,
    );
    const sup = await page('sup@opdc.example', p.reference);
    assert.match(sup.body, /permit\/decision/, 'the owning supervisor decides');
    assert.doesNotMatch(sup.body, /permit\/delay/, 'but holds no key to write to the applicant');
    assert.equal((await post('sup@opdc.example', p.reference, 'delay', { reason: 'x' })).statusCode, 403);
    const row = await h.db
      .selectFrom('permit_request')
      .select('decision')
      .where('case_id', '=', p.caseId)
      .executeTakeFirstOrThrow();
    assert.equal(row.decision, null);
  });

  it('shows a refused decision again with the error by the field and what was typed', async () => {
    const p = await filePermit();
    await page('io@opdc.example', p.reference, '?lang=th');
    const bad = await post('io@opdc.example', p.reference, 'decision', {
      decision: 'approved',
      decidedOn: '2026-02-30',
    });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /id="decidedOn-error"/);
    assert.match(bad.body, /id="decidedOn"[^>]*aria-invalid="true"/);
    assert.match(bad.body, /value="approved" required checked/);
    assert.match(bad.body, /id="error-summary"[\s\S]*<a href="#decidedOn">/, 'the summary links to the field');
    const none = await post('io@opdc.example', p.reference, 'decision', { decision: '', decidedOn: '' });
    assert.equal(none.statusCode, 400);
    assert.match(none.body, /<a href="#decision">/);
    assert.match(none.body, /<input type="radio" id="decision" name="decision"/, 'the link lands on the first choice');
    const future = await post('io@opdc.example', p.reference, 'decision', {
      decision: 'rejected',
      decidedOn: addDays(today, 3),
    });
    assert.equal(future.statusCode, 400);
    assert.match(future.body, /วันที่พิจารณาต้องไม่เป็นวันในอนาคต/);
    const early = await post('io@opdc.example', p.reference, 'decision', {
      decision: 'rejected',
      decidedOn: addDays(filedOn, -1),
    });
    assert.match(early.body, /วันที่พิจารณาต้องไม่ก่อนวันที่ยื่นคำขอ/);
    const hostile = await post('io@opdc.example', p.reference, 'decision', {
      decision: '<script>alert(1)</script>',
      decidedOn: '"><script>alert(1)</script>',
    });
    assert.equal(hostile.statusCode, 400);
    assert.doesNotMatch(hostile.body, /<script>alert/);
    assert.match(hostile.body, /&quot;&gt;&lt;script&gt;/, 'what was typed comes back escaped');
    const noCsrf = await postForm(h.app, jars['io@opdc.example'], `/staff/cases/${p.reference}/permit/decision`, {
      decision: 'approved',
      decidedOn: today,
    });
    assert.equal(noCsrf.statusCode, 403);
    const row = await h.db
      .selectFrom('permit_request')
      .select('decision')
      .where('case_id', '=', p.caseId)
      .executeTakeFirstOrThrow();
    assert.equal(row.decision, null, 'nothing recorded');
  });

  it('refuses a decision on a case that is not a permit request, and an unknown reference', async () => {
    const tip = await submitReport({
      db: h.db,
      kdf: h.config.kdf,
      receiptSalt: h.deps.secrets.receiptSalt,
      draft: newDraft(),
      input: validateReport({ agency: 'OPDC', category: 'bribery', what: 'เบาะแส' }),
      files: [],
      channel: 'web',
    });
    assert.equal((await page('io@opdc.example', tip.reference)).statusCode, 404);
    assert.equal(
      (await post('io@opdc.example', tip.reference, 'decision', { decision: 'approved', decidedOn: today })).statusCode,
      404,
    );
    assert.equal((await post('io@opdc.example', tip.reference, 'delay', { reason: 'ช้า' })).statusCode, 404);
    const unknown = await page('io@opdc.example', '<script>x</script>');
    assert.equal(unknown.statusCode, 404);
    assert.doesNotMatch(unknown.body, /<script>x/);
  });

  it('tells the applicant the reason, records it, then records the decision the applicant sees', async () => {
    const p = await filePermit();
    const empty = await post('io@opdc.example', p.reference, 'delay', { reason: '   ' });
    assert.equal(empty.statusCode, 400);
    assert.match(empty.body, /id="reason-error"/);
    assert.match(empty.body, /<a href="#reason">/);
    assert.match(empty.body, /id="reason"[^>]*aria-invalid="true"/);
    const reason = 'รอผลการตรวจสถานที่จากเทศบาล';
    const told = await post('io@opdc.example', p.reference, 'delay', { reason });
    assert.equal(told.statusCode, 303, told.body);
    assert.equal(told.headers.location, `/staff/cases/${p.reference}/permit?sent=delay`);
    const after1 = await get(h.app, jars['io@opdc.example'], `${told.headers.location}&lang=th`);
    assert.match(after1.body, /role="status">ส่งเหตุแห่งความล่าช้าถึงผู้ยื่นคำขอแล้ว/);
    assert.match(after1.body, /แจ้งเหตุแห่งความล่าช้าแก่ผู้ยื่นคำขอแล้ว/, 'in the notices history');
    assert.doesNotMatch(after1.body, new RegExp(reason), 'the page shows metadata, not the message');

    const decided = await post('sup@opdc.example', p.reference, 'decision', { decision: 'approved', decidedOn: today });
    assert.equal(decided.statusCode, 303, decided.body);
    const after2 = await page('io@opdc.example', p.reference, '?lang=en');
    assert.match(after2.body, /<strong>Approved<\/strong>/);
    assert.match(after2.body, /Decided 10 day\(s\) late/);
    assert.doesNotMatch(after2.body, /permit\/decision|permit\/delay/, 'nothing left to do');
    assert.equal(
      (await post('io@opdc.example', p.reference, 'decision', { decision: 'rejected', decidedOn: today })).statusCode,
      409,
    );

    const jar = newJar();
    const login = await get(h.app, jar, '/followup');
    assert.equal(
      (await postForm(h.app, jar, '/followup', { _csrf: csrfOf(login.body), receipt: p.receipt })).statusCode,
      303,
    );
    const mine = await get(h.app, jar, '/followup/case');
    assert.equal(mine.statusCode, 200);
    assert.match(mine.body, new RegExp(reason), 'the reason reached the applicant');
    assert.match(mine.body, /มาตรา 10/);
    assert.match(mine.body, /หน่วยงานพิจารณาคำขอแล้ว: อนุญาต/);
    assert.doesNotMatch(mine.body, /sup@opdc|io@opdc/, 'no staff names');
  });
});
