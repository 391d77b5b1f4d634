// Anonymous filing under load (issue 12, item 5): the scanner's flood, replayed against the web
// report form, the complaint form and the API. Under load a post needs a filing ticket old enough
// or with its proof of work; a refused post files nothing and gives the form back with what was
// typed; a ticket files once.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { createTestApp, seedAgency, seedRecipient, type TestApp } from '../../../test/support/app.ts';
import { agedTicket, solve, ticketOf } from '../../../test/support/filing.ts';
import { csrfOf, get, newJar, postMultipart, receiptOf } from '../../../test/support/web.ts';

const THRESHOLD = 3;
const REPORT = {
  agency: 'OPDC',
  category: 'bribery',
  what: 'เจ้าหน้าที่เรียกเงินสองพันบาท',
  when: 'เมื่อวาน',
  where: 'สำนักงานเขต',
  who: 'หัวหน้าฝ่าย',
};

describe('filing under load', () => {
  let t: TestApp;
  const counts = async () => {
    const { rows } = await sql<{ cases: string; outbox: string; uses: string; blobs: string }>`select
      (select count(*) from report_case) as cases, (select count(*) from ledger_outbox) as outbox,
      (select count(*) from filing_ticket_use) as uses, (select count(*) from blob) as blobs`.execute(t.db);
    return Object.fromEntries(Object.entries(rows[0]).map(([k, v]) => [k, Number(v)]));
  };
  const api = (method: 'GET' | 'POST', url: string, payload?: object) =>
    t.app.inject({ method, url: `/api/v1${url}`, ...(payload ? { payload } : {}) });

  before(async () => {
    t = await createTestApp({
      SUJARIT_FILING_THRESHOLD: String(THRESHOLD),
      SUJARIT_FILING_WAIT_S: '60',
      SUJARIT_FILING_POW_BITS: '8',
    });
    await seedAgency(t.db, 'OPDC');
    await seedRecipient(t.db, 'OPDC', 'officer@opdc.example');
  });
  after(() => t.close());

  it('costs nothing under the threshold: no ticket needed, no script, no ticket kept', async () => {
    const jar = newJar();
    const form = await get(t.app, jar, '/report');
    assert.doesNotMatch(form.body, /filing-pow\.js/);
    assert.match(String(form.headers['content-security-policy']), /script-src 'none'/);
    for (let i = 0; i < THRESHOLD; i++) {
      const res = await postMultipart(t.app, jar, '/report', { _csrf: csrfOf(form.body), ...REPORT });
      assert.equal(res.statusCode, 200, res.body);
      receiptOf(res.body);
    }
    assert.equal((await counts()).uses, 0);
  });

  it('refuses a flood of 50 posts without a ticket or with a fresh one: nothing filed, nothing on the ledger, the text kept', async () => {
    const before = await counts();
    const jar = newJar();
    const form = await get(t.app, jar, '/report');
    // Under load the form says so and brings its same-origin script (the only page that may run one).
    assert.match(form.body, /<script src="\/static\/filing-pow\.js" defer><\/script>/);
    assert.match(String(form.headers['content-security-policy']), /script-src 'self'/);
    for (let i = 0; i < 50; i++) {
      const fresh = i % 2 === 0 ? ticketOf((await get(t.app, jar, '/report')).body).ticket : undefined;
      const res = await postMultipart(
        t.app,
        jar,
        '/report',
        { _csrf: csrfOf(form.body), ...(fresh ? { ticket: fresh } : {}), ...REPORT, what: `สแปม ${i}` },
        i % 10 === 0 ? [{ name: 'x.txt', type: 'text/plain', data: Buffer.from('flood') }] : [],
      );
      assert.equal(res.statusCode, 429, res.body);
      assert.ok(Number(res.headers['retry-after']) > 0);
      assert.match(res.body, new RegExp(`สแปม ${i}<`), 'what was typed is given back');
      assert.match(res.body, /กรุณารออีก \d+ วินาที/);
      assert.doesNotMatch(res.body, /\d{4} \d{4} \d{4} \d{4}/, 'no receipt');
    }
    assert.deepEqual(await counts(), before, 'no case, no ledger entry, no ticket use, no stored file');
  });

  it('gives a refused form back with its own ticket, which keeps ageing', async () => {
    const jar = newJar();
    const form = await get(t.app, jar, '/report');
    const { ticket } = ticketOf(form.body);
    const res = await postMultipart(t.app, jar, '/report', { _csrf: csrfOf(form.body), ticket, ...REPORT });
    assert.equal(res.statusCode, 429);
    assert.equal(ticketOf(res.body).ticket, ticket);
    assert.match(res.body, /กรุณารออีก (59|60) วินาที/);
  });

  it('files once with a ticket old enough; a replay is refused with the text kept and a new ticket', async () => {
    const before = await counts();
    const jar = newJar();
    const form = await get(t.app, jar, '/report');
    const ticket = agedTicket(t.deps.secrets.cookieKey, 5 * 60);
    const fields = { _csrf: csrfOf(form.body), ticket, ...REPORT, what: 'ของจริง เขียนมาห้านาที' };
    const ok = await postMultipart(t.app, jar, '/report', fields);
    assert.equal(ok.statusCode, 200, ok.body);
    receiptOf(ok.body);
    const replay = await postMultipart(t.app, jar, '/report', fields);
    assert.equal(replay.statusCode, 409, replay.body);
    assert.match(replay.body, /ของจริง เขียนมาห้านาที</);
    assert.match(replay.body, /แบบฟอร์มนี้ถูกส่งไปแล้วหนึ่งครั้ง/);
    assert.notEqual(ticketOf(replay.body).ticket, ticket);
    assert.doesNotMatch(replay.body, /\d{4} \d{4} \d{4} \d{4}/);
    const now = await counts();
    assert.equal(now.cases, before.cases + 1);
    assert.equal(now.uses, before.uses + 1);
    const kept = await t.db.selectFrom('filing_ticket_use').selectAll().execute();
    assert.ok(
      kept.every((r) => r.expires_at.getTime() % 3_600_000 === 0),
      'no time finer than the hour is kept',
    );
  });

  it('files at once with the proof of work the form asks for (the script path)', async () => {
    const jar = newJar();
    const form = await get(t.app, jar, '/report');
    const { ticket, powBits } = ticketOf(form.body);
    assert.ok(powBits >= 8);
    const res = await postMultipart(t.app, jar, '/report', {
      _csrf: csrfOf(form.body),
      ticket,
      pow: solve(ticket, powBits + 2),
      ...REPORT,
    });
    assert.equal(res.statusCode, 200, res.body);
  });

  it('keeps a valid ticket on a form refused for another reason, so the reporter waits no longer', async () => {
    const jar = newJar();
    const form = await get(t.app, jar, '/report');
    const ticket = agedTicket(t.deps.secrets.cookieKey, 120);
    const res = await postMultipart(t.app, jar, '/report', { _csrf: csrfOf(form.body), ticket, ...REPORT, what: '' });
    assert.equal(res.statusCode, 400);
    assert.equal(ticketOf(res.body).ticket, ticket);
    const again = await postMultipart(t.app, jar, '/report', { _csrf: csrfOf(form.body), ticket, ...REPORT });
    assert.equal(again.statusCode, 200, again.body);
  });

  it('the complaint form pays the same cost', async () => {
    const before = await counts();
    const jar = newJar();
    const form = await get(t.app, jar, '/complaint');
    const fields = {
      _csrf: csrfOf(form.body),
      agency: 'OPDC',
      category: 'service_delay',
      what: 'รอคิวนานมาก',
      identityName: 'สมชาย ใจดี',
      identityContact: '0812345678',
    };
    const refused = await postMultipart(t.app, jar, '/complaint', { ...fields, ticket: ticketOf(form.body).ticket });
    assert.equal(refused.statusCode, 429, refused.body);
    assert.match(refused.body, /รอคิวนานมาก</);
    const ticket = agedTicket(t.deps.secrets.cookieKey, 600);
    assert.equal((await postMultipart(t.app, jar, '/complaint', { ...fields, ticket })).statusCode, 200);
    assert.equal((await postMultipart(t.app, jar, '/complaint', { ...fields, ticket })).statusCode, 409);
    assert.equal((await counts()).cases, before.cases + 1);
  });

  it('the API issues tickets and asks for the same cost, documented in OpenAPI', async () => {
    const before = await counts();
    const issued = await api('GET', '/filing-ticket');
    assert.equal(issued.statusCode, 200);
    const { ticket, waitSeconds, powBits } = issued.json() as { ticket: string; waitSeconds: number; powBits: number };
    assert.ok(waitSeconds >= 60 && powBits >= 8);
    const body = { agency: 'OPDC', category: 'bribery', what: 'ผ่าน API' };
    for (let i = 0; i < 50; i++) {
      const res = await api('POST', '/reports', i % 2 === 0 ? body : { ...body, ticket });
      assert.equal(res.statusCode, 429);
      assert.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8');
      assert.ok(Number(res.headers['retry-after']) > 0);
    }
    assert.deepEqual(await counts(), before);
    assert.equal((await api('POST', '/reports', { ...body, ticket, pow: solve(ticket, powBits + 2) })).statusCode, 201);
    const aged = agedTicket(t.deps.secrets.cookieKey, 3600);
    assert.equal((await api('POST', '/reports', { ...body, ticket: aged })).statusCode, 201);
    const replay = await api('POST', '/reports', { ...body, ticket: aged });
    assert.equal(replay.statusCode, 409);
    // the same ticket sent five times at once: the unique row lets one filing through
    const raced = agedTicket(t.deps.secrets.cookieKey, 3600);
    const races = await Promise.all(
      Array.from({ length: 5 }, () => api('POST', '/reports', { ...body, ticket: raced })),
    );
    assert.deepEqual(races.map((r) => r.statusCode).sort(), [201, 409, 409, 409, 409]);
    assert.equal((await counts()).cases, before.cases + 3);
    const doc = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json() as {
      paths: Record<string, Record<string, { operationId: string; responses: Record<string, unknown> }>>;
    };
    assert.equal(doc.paths['/api/v1/filing-ticket'].get.operationId, 'getFilingTicket');
    assert.ok(doc.paths['/api/v1/reports'].post.responses['429'] && doc.paths['/api/v1/reports'].post.responses['409']);
  });
});
