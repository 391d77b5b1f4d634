import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { createTestApp, loginCode, PASSWORD, seedAgency, seedRecipient, type TestApp } from '../../test/support/app.ts';
import { csrfOf, get, newJar, postForm, type Jar } from '../../test/support/web.ts';

const STAFF_EMAIL = 'officer@opdc.example';
type LogLine = { msg: string; method?: string; path?: string; status?: number; user?: number };

/** The Set-Cookie of `name` in a response, with its attributes. */
const setCookieOf = (res: LightMyRequestResponse, name: string) =>
  (res.cookies as { name: string; path?: string }[]).find((c) => c.name === name);

describe('the reporter side and the staff side', () => {
  let h: TestApp;
  let lines: LogLine[] = [];
  let staffId: number;
  let staff: Jar;

  before(async () => {
    h = await createTestApp(
      { SUJARIT_LOG_LEVEL: 'info' },
      { logStream: { write: (line) => void lines.push(JSON.parse(line) as LogLine) } },
    );
    await seedAgency(h.db, 'OPDC', { isIntakeOffice: true });
    staffId = (await seedRecipient(h.db, 'OPDC', STAFF_EMAIL)).id;
    staff = newJar();
    const page = await get(h.app, staff, '/staff/login');
    const res = await postForm(h.app, staff, '/staff/login', {
      _csrf: csrfOf(page.body),
      email: STAFF_EMAIL,
      password: PASSWORD,
      code: loginCode(STAFF_EMAIL),
    });
    assert.equal(res.statusCode, 303);
  });
  after(() => h.close());
  beforeEach(() => {
    lines = [];
  });

  describe('not found', () => {
    it('answers an unknown /staff/ URL with the staff page: the menu for a signed-in user, a link to the inbox', async () => {
      const res = await get(h.app, staff, '/staff/no-such-page');
      assert.equal(res.statusCode, 404);
      assert.match(String(res.headers['content-type']), /^text\/html/);
      assert.match(res.body, /<body class="staff">/);
      assert.match(res.body, /<nav class="staff-nav"/);
      assert.match(res.body, new RegExp(`<span class="who">${STAFF_EMAIL}</span>`));
      assert.match(res.body, /<p><a href="\/staff\/cases">/);
    });

    it('answers an unknown /staff/ URL without a session with the staff page and no menu', async () => {
      const res = await get(h.app, newJar(), '/staff/no-such-page');
      assert.equal(res.statusCode, 404);
      assert.match(res.body, /<body class="staff">/);
      assert.doesNotMatch(res.body, /staff-nav|class="who"/);
      assert.match(res.body, /<p><a href="\/staff\/cases">/);
    });

    it('answers any other unknown URL with the reporter page, even for a signed-in staff member', async () => {
      for (const url of ['/no-such-page', '/staffroom', '/static/no-such-file.css']) {
        const res = await get(h.app, staff, url);
        assert.equal(res.statusCode, 404, url);
        assert.match(res.body, /<body class="reporter">/, url);
        assert.doesNotMatch(res.body, /\/staff/, url);
        assert.match(res.body, /<p><a href="\/">/, url);
      }
    });

    it('answers an unknown /api/ URL with problem+json on either side', async () => {
      for (const url of ['/api/no-such-thing', '/api/v1/staff/no-such-thing', '/api/v1/cases/x/no-such-thing']) {
        const res = await h.app.inject({ method: 'GET', url });
        assert.equal(res.statusCode, 404, url);
        assert.match(String(res.headers['content-type']), /^application\/problem\+json/, url);
        assert.equal(res.json().status, 404);
      }
    });
  });

  describe('logging', () => {
    it('writes one staff line per staff page, and per staff API call, with its user', async () => {
      await get(h.app, staff, '/staff/cases');
      const login = await h.app.inject({
        method: 'POST',
        url: '/api/v1/staff/session',
        payload: { email: STAFF_EMAIL, password: PASSWORD, code: loginCode(STAFF_EMAIL) },
      });
      assert.equal(login.statusCode, 200);
      const list = await h.app.inject({
        method: 'GET',
        url: '/api/v1/cases?page=1',
        headers: { authorization: `Bearer ${login.json().token}` },
      });
      assert.equal(list.statusCode, 200);
      assert.deepEqual(
        lines.map(({ msg, method, path, status, user }) => ({ msg, method, path, status, user })),
        [
          { msg: 'staff request', method: 'GET', path: '/staff/cases', status: 200, user: staffId },
          { msg: 'staff request', method: 'POST', path: '/api/v1/staff/session', status: 200, user: undefined },
          { msg: 'staff request', method: 'GET', path: '/api/v1/cases', status: 200, user: staffId },
        ],
      );
    });

    it('writes nothing at all for reporter pages, reporter API calls and public pages', async () => {
      const jar = newJar();
      for (const url of [
        '/',
        '/report',
        '/followup',
        '/complaint',
        '/figures',
        '/ita',
        '/healthz',
        '/static/app.css',
        '/api/openapi.json',
        '/no-such-page',
        '/api/no-such-thing',
      ]) {
        const res = await get(h.app, jar, url);
        assert.ok(res.statusCode < 500, `${url}: ${res.statusCode}`);
      }
      const page = await get(h.app, jar, '/followup');
      assert.equal(
        (await postForm(h.app, jar, '/followup', { _csrf: csrfOf(page.body), receipt: '0000000000000000' })).statusCode,
        401,
      );
      assert.equal((await h.app.inject({ method: 'GET', url: '/api/v1/filing-ticket' })).statusCode, 200);
      assert.equal(
        (
          await h.app.inject({
            method: 'POST',
            url: '/api/v1/reporter/session',
            payload: { receipt: '0000000000000000' },
          })
        ).statusCode,
        401,
      );
      assert.equal(
        (
          await h.app.inject({
            method: 'GET',
            url: '/api/v1/reporter/report',
            headers: { authorization: 'Bearer nope' },
          })
        ).statusCode,
        401,
      );
      assert.deepEqual(lines, []);
    });
  });

  describe('CSRF cookies', () => {
    it('gives each side its own cookie, the staff one sent to /staff only', async () => {
      const reporter = await h.app.inject({ method: 'GET', url: '/followup' });
      const staffPage = await h.app.inject({ method: 'GET', url: '/staff/login' });
      assert.equal(setCookieOf(reporter, 'sj_csrf')?.path, '/');
      assert.equal(setCookieOf(reporter, 'sj_staff_csrf'), undefined);
      assert.equal(setCookieOf(staffPage, 'sj_staff_csrf')?.path, '/staff');
      assert.equal(setCookieOf(staffPage, 'sj_csrf'), undefined);
    });

    it('refuses a reporter page’s token and cookie on a staff form', async () => {
      const jar = newJar();
      const page = await get(h.app, jar, '/followup');
      const res = await postForm(h.app, jar, '/staff/login', {
        _csrf: csrfOf(page.body),
        email: STAFF_EMAIL,
        password: PASSWORD,
        code: loginCode(STAFF_EMAIL),
      });
      assert.equal(res.statusCode, 403);
      assert.equal(jar.has('sj_staff'), false);
    });

    it('refuses a staff page’s token and cookie on a reporter form', async () => {
      const jar = newJar();
      const page = await get(h.app, jar, '/staff/login');
      const res = await postForm(h.app, jar, '/followup', { _csrf: csrfOf(page.body), receipt: '0000000000000000' });
      assert.equal(res.statusCode, 403);
    });
  });
});
