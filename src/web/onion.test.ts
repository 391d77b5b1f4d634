// The onion address serves the reporter side only: every staff URL (pages, forms, the staff API)
// answers there exactly as an unknown reporter URL does, with or without a staff session, and
// nothing about it is logged. Clearnet reporter pages name the onion address in Onion-Location.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestApp, loginCode, PASSWORD, seedAgency, seedRecipient, type TestApp } from '../../test/support/app.ts';
import { cookieHeader, csrfOf, get, newJar, postForm, type Jar } from '../../test/support/web.ts';

/** The Tor Project's own onion address: a valid v3 address (its checksum holds). */
export const ONION = 'http://2gzyxa5ihm7nsggfxnu52rck2vv4rvmdlkiu3zzui5du4xyclen53wid.onion';
const ONION_HOST = new URL(ONION).host;
const EMAIL = 'officer@opdc.example';

describe('the onion address', () => {
  let h: TestApp;
  let plain: TestApp;
  let staff: Jar;
  const lines: string[] = [];
  /** A request on the onion host with the staff session's cookie; a POST carries a form, or JSON. */
  const onion = (url: string, method: 'GET' | 'POST' = 'GET', host = ONION_HOST, json = false) =>
    h.app.inject({
      method,
      url,
      headers: {
        host,
        cookie: cookieHeader(staff),
        ...(method === 'POST'
          ? { 'content-type': json ? 'application/json' : 'application/x-www-form-urlencoded' }
          : {}),
      },
      ...(method === 'POST' ? { payload: json ? '{}' : 'a=1' } : {}),
    });

  before(async () => {
    h = await createTestApp(
      { SUJARIT_ONION_URL: `${ONION}/`, SUJARIT_LOG_LEVEL: 'info' },
      { logStream: { write: (line) => void lines.push(line) } },
    );
    plain = await createTestApp();
    await seedAgency(h.db, 'OPDC', { isIntakeOffice: true });
    await seedRecipient(h.db, 'OPDC', EMAIL);
    staff = newJar();
    const page = await get(h.app, staff, '/staff/login');
    const res = await postForm(h.app, staff, '/staff/login', {
      _csrf: csrfOf(page.body),
      email: EMAIL,
      password: PASSWORD,
      code: loginCode(EMAIL),
    });
    assert.equal(res.statusCode, 303);
    assert.equal((await get(h.app, staff, '/staff/cases')).statusCode, 200, 'signed in on the clearnet host');
  });
  after(async () => {
    await h.close();
    await plain.close();
  });

  it('answers every staff URL as an unknown reporter URL, signed in or not, whatever the method', async () => {
    const unknown = { GET: await onion('/no-such-page'), POST: await onion('/no-such-page', 'POST') };
    assert.equal(unknown.GET.statusCode, 404);
    assert.match(unknown.GET.body, /<body class="reporter">/);
    const hosts = [ONION_HOST, `${ONION_HOST}:80`, ONION_HOST.toUpperCase(), `${ONION_HOST}.`, 'anything.onion'];
    for (const host of hosts)
      for (const url of [
        '/staff',
        '/staff/login',
        '/staff/cases',
        '/staff/admin/agencies',
        '/staff/no-such',
        '/staff/setup/x',
      ]) {
        for (const method of ['GET', 'POST'] as const) {
          const res = await onion(url, method, host);
          assert.equal(res.statusCode, 404, `${method} ${host}${url}`);
          assert.equal(res.body, unknown[method].body, `${method} ${host}${url} reads like an unknown reporter URL`);
          assert.equal(res.headers['set-cookie'], undefined, `${url}: no staff cookie is set`);
        }
      }
  });

  it('answers the staff API as an unknown API URL', async () => {
    const unknown = await onion('/api/v1/no-such-operation');
    assert.equal(unknown.statusCode, 404);
    assert.equal((await h.app.inject({ url: '/api/v1/cases' })).statusCode, 401, 'the staff API answers on clearnet');
    for (const [method, url] of [
      ['GET', '/api/v1/cases'],
      ['POST', '/api/v1/staff/session'],
      ['POST', '/api/v1/staff/logout'],
      ['GET', '/api/v1/cases/OPDC-0001'],
    ] as const) {
      const res = await onion(url, method, ONION_HOST, true);
      assert.equal(res.statusCode, 404, `${method} ${url}`);
      assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
      assert.equal(res.body, unknown.body, `${method} ${url}`);
    }
  });

  it('serves the reporter side on the onion host, without Onion-Location there', async () => {
    for (const url of ['/', '/report', '/followup', '/log/checkpoint', '/healthz']) {
      const res = await onion(url);
      assert.equal(res.statusCode, 200, url);
      assert.equal(res.headers['onion-location'], undefined, url);
    }
  });

  it('logs nothing of a staff URL refused on the onion host', async () => {
    lines.length = 0;
    await onion('/staff/cases');
    await onion('/staff/login', 'POST');
    assert.deepEqual(
      lines.filter((l) => l.includes('staff request')),
      [],
    );
  });

  it('names the onion address on clearnet reporter pages, path and query kept, not on staff pages', async () => {
    const home = await h.app.inject({ url: '/?lang=en', headers: { host: 'report.example.go.th' } });
    assert.equal(home.headers['onion-location'], `${ONION}/?lang=en`);
    const report = await h.app.inject({ url: '/report', headers: { host: 'report.example.go.th' } });
    assert.equal(report.headers['onion-location'], `${ONION}/report`);
    const login = await h.app.inject({ url: '/staff/login', headers: { host: 'report.example.go.th' } });
    assert.equal(login.statusCode, 200);
    assert.equal(login.headers['onion-location'], undefined);
    const tile = await h.app.inject({ url: '/log/checkpoint', headers: { host: 'report.example.go.th' } });
    assert.equal(tile.headers['onion-location'], undefined, 'only pages, not the log');
  });

  it('without SUJARIT_ONION_URL, sends no Onion-Location and still refuses staff URLs on any .onion host', async () => {
    const home = await plain.app.inject({ url: '/' });
    assert.equal(home.statusCode, 200);
    assert.equal(home.headers['onion-location'], undefined);
    const res = await plain.app.inject({ url: '/staff/login', headers: { host: ONION_HOST } });
    assert.equal(res.statusCode, 404);
    assert.equal((await plain.app.inject({ url: '/staff/login' })).statusCode, 200);
  });
});
