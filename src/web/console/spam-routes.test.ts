// Marking a flood as spam from the inbox, like a browser without JavaScript: tick cases (or take
// the whole page), confirm on a second page, and each case is closed as unfounded through the
// workflow, audited and on the ledger; cases of another agency or past screening are skipped.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  createTestApp,
  loginCode,
  PASSWORD,
  seedAgency,
  seedStaff,
  signedInActor,
  type TestApp,
} from '../../../test/support/app.ts';
import { MAX_REASON, transitionCase } from '../../cases/workflow.ts';
import { cookieHeader, csrfOf, get, keepCookies, newJar, postForm, type Jar } from '../../../test/support/web.ts';

describe('marking spam in bulk', () => {
  let h: TestApp;
  const opdc: string[] = [];
  let dola = '';
  let investigating = '';

  const file = async (agency: string, what: string) => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/reports',
      payload: { agency, category: 'bribery', what },
    });
    assert.equal(res.statusCode, 201, res.body);
    return (res.json() as { reference: string }).reference;
  };
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
    return jar;
  };
  /** A url-encoded post with repeated fields, as a form of checkboxes sends it. */
  const post = async (jar: Jar, url: string, pairs: [string, string][]) => {
    const res = await h.app.inject({
      method: 'POST',
      url,
      headers: { cookie: cookieHeader(jar), 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams(pairs).toString(),
    });
    keepCookies(jar, res);
    return res;
  };
  const statusOf = async (reference: string) =>
    h.db
      .selectFrom('report_case')
      .select(['status', 'outcome'])
      .where('reference', '=', reference)
      .executeTakeFirstOrThrow();

  before(async () => {
    h = await createTestApp();
    await seedAgency(h.db, 'OPDC');
    await seedAgency(h.db, 'DOLA');
    await seedStaff(h.db, 'OPDC', 'io@opdc.example', ['intake_officer']);
    await seedStaff(h.db, 'OPDC', 'sup@opdc.example', ['supervisor']);
    await seedStaff(h.db, 'OPDC', 'inv@opdc.example', ['investigator']);
    await seedStaff(h.db, 'DOLA', 'io@dola.example', ['intake_officer']);
    for (let i = 0; i < 6; i++) opdc.push(await file('OPDC', `สแปมอัตโนมัติ ${i}`));
    dola = await file('DOLA', 'เรื่องของอีกหน่วยงาน');
    investigating = await file('OPDC', 'เรื่องจริงที่กำลังสอบสวน');
    const io = await signedInActor(h.db, 'io@opdc.example');
    for (const to of ['acknowledged', 'screening', 'investigating'])
      await transitionCase({ db: h.db, actor: io, reference: investigating, to, reason: 'ตรวจสอบแล้ว' });
  });
  after(() => h.close());

  it('the inbox offers a checkbox for each case not yet past screening, to intake officers and supervisors only', async () => {
    const page = await get(h.app, await login('io@opdc.example'), '/staff/cases?per=200');
    assert.equal(page.statusCode, 200);
    for (const r of opdc) assert.match(page.body, new RegExp(`name="ref" value="${r}"`));
    assert.doesNotMatch(page.body, new RegExp(`name="ref" value="${investigating}"`));
    assert.match(page.body, /action="\/staff\/spam\/confirm"/);
    const inv = await get(h.app, await login('inv@opdc.example'), '/staff/cases');
    assert.doesNotMatch(inv.body, /\/staff\/spam/);
  });

  it('confirms on a second page listing the selection, and changes nothing yet', async () => {
    const jar = await login('io@opdc.example');
    const inbox = await get(h.app, jar, '/staff/cases');
    const res = await post(jar, '/staff/spam/confirm', [
      ['_csrf', csrfOf(inbox.body)],
      ['scope', 'page'],
      ...opdc.map((r) => ['all', r] as [string, string]),
    ]);
    assert.equal(res.statusCode, 200, res.body);
    for (const r of opdc) assert.match(res.body, new RegExp(`name="ref" value="${r}"`));
    assert.match(res.body, /action="\/staff\/spam"/);
    for (const r of opdc) assert.equal((await statusOf(r)).status, 'new');
  });

  it('refuses a wrong role (403) and a missing CSRF token (403), changing nothing', async () => {
    const inv = await login('inv@opdc.example');
    const page = await get(h.app, inv, '/staff/cases');
    const refs = opdc.map((r) => ['ref', r] as [string, string]);
    assert.equal(
      (await post(inv, '/staff/spam', [['_csrf', csrfOf(page.body)], ['reason', 'spam'], ...refs])).statusCode,
      403,
    );
    assert.equal((await post(inv, '/staff/spam/confirm', [['_csrf', csrfOf(page.body)], ...refs])).statusCode, 403);
    const io = await login('io@opdc.example');
    assert.equal((await post(io, '/staff/spam', [['reason', 'spam'], ...refs])).statusCode, 403);
    assert.equal((await post(io, '/staff/spam', [['_csrf', 'forged'], ['reason', 'spam'], ...refs])).statusCode, 403);
    for (const r of opdc) assert.equal((await statusOf(r)).status, 'new');
  });

  it('refuses more than 200 cases at once, and an empty selection', async () => {
    const jar = await login('io@opdc.example');
    const page = await get(h.app, jar, '/staff/cases');
    const many = Array.from(
      { length: 201 },
      (_, i) => ['ref', `OPDC-2569-${String(i).padStart(6, '0')}`] as [string, string],
    );
    const res = await post(jar, '/staff/spam/confirm', [['_csrf', csrfOf(page.body)], ...many]);
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /ไม่เกิน 200 เรื่อง/);
    assert.equal(
      (
        await post(jar, '/staff/spam/confirm', [
          ['_csrf', csrfOf(page.body)],
          ['scope', 'selected'],
        ])
      ).statusCode,
      400,
    );
  });

  it('gives the confirmation back with the selection and a field error when the reason is empty', async () => {
    const io = await login('io@opdc.example');
    const page = await get(h.app, io, '/staff/cases');
    const refs = opdc.slice(0, 2).map((r) => ['ref', r] as [string, string]);
    const res = await post(io, '/staff/spam', [['_csrf', csrfOf(page.body)], ['reason', '  '], ...refs]);
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /id="error-summary"[\s\S]*<a href="#reason">/);
    assert.match(res.body, /id="reason-error"/);
    assert.match(res.body, /<textarea id="reason"[^>]*aria-invalid="true" aria-describedby="reason-error"/);
    for (const [, r] of refs) assert.match(res.body, new RegExp(`name="ref" value="${r}"`), 'the selection is kept');
    for (const [, r] of refs) assert.equal((await statusOf(r)).status, 'new');
    const long = await post(io, '/staff/spam', [
      ['_csrf', csrfOf(page.body)],
      ['reason', 'ก'.repeat(MAX_REASON + 1)],
      ...refs,
    ]);
    assert.equal(long.statusCode, 400, 'an oversized reason is refused, not cut');
    assert.match(long.body, /<a href="#reason">/);
    for (const [, r] of refs) assert.equal((await statusOf(r)).status, 'new');
  });

  it('closes each selected case as unfounded, audited and on the ledger; skips another agency’s and one past screening', async () => {
    const jar = await login('io@opdc.example');
    const page = await get(h.app, jar, '/staff/cases');
    const chosen = opdc.slice(0, 4);
    const res = await post(jar, '/staff/spam', [
      ['_csrf', csrfOf(page.body)],
      ['reason', 'น้ำท่วมสแปม'],
      ...[...chosen, dola, investigating, 'OPDC-2569-999999'].map((r) => ['ref', r] as [string, string]),
    ]);
    assert.equal(res.statusCode, 200, res.body);
    assert.match(res.body, /ยุติเรื่องในฐานะสแปมแล้ว 4 เรื่อง/);
    assert.match(res.body, /ข้ามไป 3 เรื่อง/);
    for (const r of chosen)
      assert.deepEqual(await statusOf(r), { status: 'closed', outcome: 'unfounded_or_malicious' });
    assert.deepEqual(await statusOf(dola), { status: 'new', outcome: null });
    assert.equal((await statusOf(investigating)).status, 'investigating');
    const audits = await h.db
      .selectFrom('audit_event')
      .select(['case_reference', 'detail'])
      .where('action', '=', 'status_changed')
      .where('case_reference', 'in', chosen)
      .execute();
    assert.equal(audits.length, 4);
    assert.ok(
      audits.every(
        (a) =>
          (a.detail as { spam?: boolean; to?: string }).spam === true && (a.detail as { to: string }).to === 'closed',
      ),
    );
    const ledger = await h.db
      .selectFrom('case_ledger_event as e')
      .innerJoin('report_case as c', 'c.id', 'e.case_id')
      .select('c.reference')
      .where('e.event', '=', 'closure')
      .execute();
    assert.deepEqual(ledger.map((l) => l.reference).sort(), [...chosen].sort());
    // another agency's officer cannot mark this agency's cases
    const other = await login('io@dola.example');
    const otherPage = await get(h.app, other, '/staff/cases');
    const cross = await post(other, '/staff/spam', [
      ['_csrf', csrfOf(otherPage.body)],
      ['reason', 'spam'],
      ['ref', opdc[4]],
    ]);
    assert.equal(cross.statusCode, 200);
    assert.match(cross.body, /ข้ามไป 1 เรื่อง/);
    assert.equal((await statusOf(opdc[4])).status, 'new');
  });

  it('a supervisor of the agency marks too, on metadata alone', async () => {
    const jar = await login('sup@opdc.example');
    const page = await get(h.app, jar, '/staff/cases');
    const res = await post(jar, '/staff/spam', [
      ['_csrf', csrfOf(page.body)],
      ['reason', 'spam'],
      ['ref', opdc[5]],
    ]);
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(await statusOf(opdc[5]), { status: 'closed', outcome: 'unfounded_or_malicious' });
  });
});
