// A refused form given back on its own page (issue 13, B.1): a report, a complaint, a reply on the
// follow-up page, a witness statement. The post answers 303 to the form's page, which shows what was typed and the error from a one-time record sealed with a key
// only the filer's browser holds. A reload shows it again, the back button after a later filing
// finds a fresh form, and neither sends anything again. Hostile cases: another browser, an altered
// cookie, another form's record, a post from another site, an expired record, a stolen database.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { createTestApp, seedAgency, seedRecipient, type TestApp } from '../../../test/support/app.ts';
import { signedInActor } from '../../../test/support/app.ts';
import { rowCount } from '../../../test/support/db.ts';
import {
  caseFormOf,
  cookieHeader,
  csrfOf,
  get,
  keepCookies,
  multipart,
  newJar,
  postForm,
  receiptOf,
  type Jar,
} from '../../../test/support/web.ts';
import { inviteWitness } from '../../cases/witnesses.ts';
import { translator } from '../../i18n/messages.ts';
import { FORM_COOKIE } from '../form-back.ts';

describe('a refused filing form given back on its own page', () => {
  let t: TestApp;
  const count = (table: 'report_case' | 'form_return') => rowCount(t.db, table);
  /** Posts a multipart form to `action` as a browser does, without following the answer. */
  const send = async (jar: Jar, action: string, fields: Record<string, string>): Promise<LightMyRequestResponse> => {
    const { body, contentType } = await multipart(fields);
    const res = await t.app.inject({
      method: 'POST',
      url: action,
      headers: { cookie: cookieHeader(jar), 'content-type': contentType },
      payload: body,
    });
    keepCookies(jar, res);
    return res;
  };
  /** Opens `path`, then posts its form as a browser does, without following the answer. */
  const post = async (jar: Jar, path: string, fields: Record<string, string>): Promise<LightMyRequestResponse> =>
    send(jar, path, { _csrf: csrfOf((await get(t.app, jar, path)).body), ...fields });
  /** A reporter signed in on the follow-up page of a new report: the jar, and the case's reference. */
  const reporter = async (jar = newJar()): Promise<{ jar: Jar; reference: string }> => {
    await post(jar, '/report', REPORT);
    const receipt = receiptOf((await get(t.app, jar, '/receipt')).body);
    const login = await get(t.app, jar, '/followup');
    await postForm(t.app, jar, '/followup', { _csrf: csrfOf(login.body), receipt });
    const page = await get(t.app, jar, '/followup/case');
    return { jar, reference: /\b(OPDC-\d{4}-\d{6})\b/.exec(page.body)?.[1] ?? '' };
  };
  const setCookieOf = (res: LightMyRequestResponse) =>
    [res.headers['set-cookie'] ?? []].flat().find((c) => c.startsWith(`${FORM_COOKIE}=`)) ?? '';
  const REPORT = { agency: 'OPDC', category: 'bribery', what: 'เจ้าหน้าที่เรียกเงินค่าอนุญาตก่อสร้าง' };
  const WHEN = 'วันจันทร์ที่แล้ว ช่วงบ่าย';
  const th = translator('th');

  before(async () => {
    t = await createTestApp();
    await seedAgency(t.db, 'OPDC');
    await seedRecipient(t.db, 'OPDC', 'io@opdc.example');
  });
  after(() => t.close());

  it('answers 303 to the form, whose page shows what was typed and the error, reload after reload, filing nothing', async () => {
    const jar = newJar();
    const before = await count('report_case');
    const refused = await post(jar, '/report', { ...REPORT, what: '', when: WHEN });
    assert.equal(refused.statusCode, 303);
    assert.equal(refused.headers.location, '/report');
    const cookie = setCookieOf(refused);
    assert.match(cookie, /; Max-Age=1800/);
    assert.match(cookie, /; Path=\/report/);
    assert.match(cookie, /; HttpOnly/);
    assert.match(cookie, /; SameSite=Strict/);
    for (let i = 0; i < 3; i++) {
      const page = await get(t.app, jar, '/report');
      assert.equal(page.statusCode, 400, 'the refusal, as the post would have answered');
      assert.match(page.body, new RegExp(`value="${WHEN}"`), 'what was typed');
      assert.match(page.body, new RegExp(`<a href="#what">${th('report.what')}: ${th('error.field.required')}</a>`));
      assert.equal(page.headers['cache-control'], 'no-store');
    }
    const en = await get(t.app, jar, '/report?lang=en');
    assert.match(en.body, /<html lang="en">/);
    assert.match(en.body, new RegExp(`value="${WHEN}"`), 'the language switch keeps it too');
    assert.equal(await count('report_case'), before);
  });

  it('is gone once the form is filed: its page is fresh again, its record deleted', async () => {
    const jar = newJar();
    await post(jar, '/report', { ...REPORT, what: '', when: WHEN });
    const rows = await count('form_return');
    const filed = await post(jar, '/report', { ...REPORT, when: WHEN });
    assert.equal(filed.statusCode, 303);
    assert.equal(filed.headers.location, '/receipt');
    assert.match(setCookieOf(filed), /^sj_form=;/, 'the cookie is cleared');
    assert.equal(await count('form_return'), rows - 1);
    const back = await get(t.app, jar, '/report');
    assert.equal(back.statusCode, 200, 'the back button finds a fresh form');
    assert.doesNotMatch(back.body, new RegExp(WHEN));
  });

  it('keeps one record per browser: a second refusal replaces the first', async () => {
    const jar = newJar();
    await post(jar, '/report', { ...REPORT, what: '' });
    const rows = await count('form_return');
    await post(jar, '/report', { ...REPORT, what: '', when: WHEN });
    assert.equal(await count('form_return'), rows);
    assert.match((await get(t.app, jar, '/report')).body, new RegExp(`value="${WHEN}"`), 'the latest');
  });

  it('shows a record to its own browser and form only', async () => {
    const jar = newJar();
    await post(jar, '/complaint?type=permit', { agency: 'OPDC', what: WHEN });
    assert.equal((await get(t.app, jar, '/complaint?type=permit')).statusCode, 400);
    const other = await get(t.app, jar, '/complaint');
    assert.equal(other.statusCode, 200, "the complaint form does not show the permit form's record");
    assert.doesNotMatch(other.body, new RegExp(WHEN));

    const stranger = newJar();
    stranger.set(FORM_COOKIE, 'A'.repeat(64));
    assert.equal((await get(t.app, stranger, '/complaint?type=permit')).statusCode, 200);
    const value = jar.get(FORM_COOKIE) ?? '';
    const altered = `${value.slice(0, 40)}${value[40] === 'A' ? 'B' : 'A'}${value.slice(41)}`;
    for (const forged of [altered, `${value}x`, 'not-a-cookie']) {
      const j = newJar();
      j.set(FORM_COOKIE, forged);
      const page = await get(t.app, j, '/complaint?type=permit');
      assert.equal(page.statusCode, 200, forged);
      assert.doesNotMatch(page.body, new RegExp(WHEN));
    }
  });

  it("leaves nothing for a post that is not its own page's: no token, a forged one", async () => {
    const rows = await count('form_return');
    for (const token of [null, 'forged']) {
      const jar = newJar();
      await get(t.app, jar, '/report');
      const { body, contentType } = await multipart({ ...(token ? { _csrf: token } : {}), ...REPORT, what: '' });
      const res = await t.app.inject({
        method: 'POST',
        url: '/report',
        headers: { cookie: cookieHeader(jar), 'content-type': contentType },
        payload: body,
      });
      assert.equal(res.statusCode, 403, 'answered in place, as before');
      assert.equal(setCookieOf(res), '');
    }
    assert.equal(await count('form_return'), rows);
  });

  it('shows a fresh form once the record has expired, and deletes it', async () => {
    const jar = newJar();
    await post(jar, '/report', { ...REPORT, what: '', when: WHEN });
    await sql`update form_return set expires_at = now() - interval '1 minute'`.execute(t.db);
    const page = await get(t.app, jar, '/report');
    assert.equal(page.statusCode, 200);
    assert.doesNotMatch(page.body, new RegExp(WHEN));
    assert.equal(await count('form_return'), 0);
  });

  it('gives a stolen database no typed text, and no key to open it', async () => {
    const jar = newJar();
    const secret = 'ชื่อผู้แจ้งลับมาก สมศรี';
    await post(jar, '/report', { ...REPORT, what: '', who: secret, identityName: secret });
    const rows = await t.db.selectFrom('form_return').select(['id_hash', 'sealed']).execute();
    const cookie = Buffer.from(jar.get(FORM_COOKIE) ?? '', 'base64url');
    assert.equal(cookie.length, 48);
    for (const r of rows) {
      assert.equal(r.sealed.includes(Buffer.from(secret)), false);
      assert.equal(r.sealed.includes(Buffer.from('สมศรี')), false);
      assert.equal(r.sealed.includes(cookie.subarray(16)), false, 'the key');
      assert.equal(r.id_hash.equals(cookie.subarray(0, 16)), false, 'the id is stored hashed');
    }
  });

  it('gives a refused reply back on the case page, to that case only, and a sent one clears it', async () => {
    const { jar } = await reporter();
    const page = await get(t.app, jar, '/followup/case');
    const refused = await send(jar, '/followup/case/messages', { ...caseFormOf(page.body), message: '' });
    assert.equal(refused.statusCode, 303);
    assert.equal(refused.headers.location, '/followup/case');
    assert.match(setCookieOf(refused), /; Path=\/followup\/case/);
    const shown = await get(t.app, jar, '/followup/case');
    assert.equal(shown.statusCode, 400);
    assert.match(shown.body, /role="alert"/);
    assert.equal((await get(t.app, jar, '/followup/case')).statusCode, 400, 'a reload shows it again');

    // The same browser opens another case: the reply refused on the first is not its page's.
    const other = await reporter(jar);
    assert.equal((await get(t.app, other.jar, '/followup/case')).statusCode, 200);

    const again = await get(t.app, jar, '/followup/case');
    const sent = await send(jar, '/followup/case/messages', { ...caseFormOf(again.body), message: 'เพิ่มเติมครับ' });
    assert.equal(sent.statusCode, 303);
    assert.equal(sent.headers.location, '/followup/case?sent=1');
  });

  it('gives a refused witness statement back on the invitation page; the statement clears it', async () => {
    const { reference } = await reporter();
    const actor = await signedInActor(t.db, 'io@opdc.example');
    const { token } = await inviteWitness({ db: t.db, actor, reference, label: 'พยาน' });
    const jar = newJar();
    const path = `/witness/${token}`;
    const refused = await post(jar, path, { statement: '' });
    assert.equal(refused.statusCode, 303);
    assert.equal(refused.headers.location, path);
    const shown = await get(t.app, jar, path);
    assert.equal(shown.statusCode, 400);
    assert.match(shown.body, /role="alert"/);
    assert.equal((await get(t.app, newJar(), path)).statusCode, 200, 'another browser: a fresh form');
    const given = await post(jar, path, { statement: 'ผมเห็นการรับเงินในวันนั้น' });
    assert.equal(given.statusCode, 303);
    assert.equal(given.headers.location, '/receipt');
    assert.match(setCookieOf(given), /^sj_form=;/);
  });
});
