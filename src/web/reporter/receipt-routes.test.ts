// Reload-safe receipts (issue 13, B.1): a filing answers 303 to /receipt; the receipt page reads a
// one-time record sealed with a key only the filer's browser holds, so a reload shows the same
// receipt and files nothing, and the database alone cannot show the receipt.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { createTestApp, seedAgency, seedRecipient, type TestApp } from '../../../test/support/app.ts';
import {
  cookieHeader,
  csrfOf,
  get,
  keepCookies,
  multipart,
  newJar,
  receiptOf,
  type Jar,
} from '../../../test/support/web.ts';
import { RECEIPT_COOKIE } from './receipt-routes.ts';

describe('the receipt page after a filing', () => {
  let t: TestApp;
  const cases = async () =>
    Number(
      (
        await t.db
          .selectFrom('report_case')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const reveals = async () => t.db.selectFrom('receipt_reveal').selectAll().execute();

  /** POSTs the report form as a browser does, without following the redirect. */
  const file = async (jar: Jar, path: string, fields: Record<string, string>): Promise<LightMyRequestResponse> => {
    const form = await get(t.app, jar, path);
    const { body, contentType } = await multipart({ _csrf: csrfOf(form.body), ...fields });
    const res = await t.app.inject({
      method: 'POST',
      url: path,
      headers: { cookie: cookieHeader(jar), 'content-type': contentType },
      payload: body,
    });
    keepCookies(jar, res);
    return res;
  };
  const REPORT = { agency: 'OPDC', category: 'bribery', what: 'เจ้าหน้าที่เรียกเงินค่าอนุญาต' };

  before(async () => {
    t = await createTestApp();
    await seedAgency(t.db, 'OPDC');
    await seedRecipient(t.db, 'OPDC', 'io@opdc.example');
  });
  after(() => t.close());

  it('redirects after the commit, and a reload shows the same receipt without filing again', async () => {
    const jar = newJar();
    const posted = await file(jar, '/report', REPORT);
    assert.equal(posted.statusCode, 303);
    assert.equal(posted.headers.location, '/receipt');
    const cookie = (posted.cookies as { name: string; path?: string; httpOnly?: boolean; sameSite?: string }[]).find(
      (c) => c.name === RECEIPT_COOKIE,
    )!;
    assert.deepEqual([cookie.path, cookie.httpOnly, cookie.sameSite], ['/receipt', true, 'Strict']);
    assert.equal(await cases(), 1);
    const first = await get(t.app, jar, '/receipt');
    assert.equal(first.statusCode, 200);
    const receipt = receiptOf(first.body);
    for (let i = 0; i < 3; i++)
      assert.equal(receiptOf((await get(t.app, jar, '/receipt')).body), receipt, 'each reload shows the same receipt');
    assert.equal(await cases(), 1, 'and files nothing');
    assert.match(first.body, /OPDC-\d{4}-\d{6}/, 'with the reference');
  });

  it('keeps nothing in the database that shows the receipt without the browser’s cookie', async () => {
    const jar = newJar();
    await file(jar, '/report', REPORT);
    const receipt = receiptOf((await get(t.app, jar, '/receipt')).body);
    const dump = JSON.stringify(
      (await reveals()).map((r) => [r.id_hash.toString('hex'), r.sealed.toString('hex'), r.sealed.toString('latin1')]),
    );
    assert.ok(
      !dump.includes(receipt) && !dump.includes(Buffer.from(receipt).toString('hex')),
      'no receipt in the clear',
    );
    const stranger = await get(t.app, newJar(), '/receipt');
    assert.equal(stranger.statusCode, 410, 'another browser gets no receipt');
    assert.throws(() => receiptOf(stranger.body));
    const forged = newJar();
    forged.set(
      RECEIPT_COOKIE,
      jar.get(RECEIPT_COOKIE)!.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')),
    );
    assert.equal((await get(t.app, forged, '/receipt')).statusCode, 410, 'an altered key opens nothing');
  });

  it('removes the record when asked, and after its time', async () => {
    const jar = newJar();
    await file(jar, '/report', REPORT);
    const page = await get(t.app, jar, '/receipt');
    const before = (await reveals()).length;
    const forgotten = await t.app.inject({
      method: 'POST',
      url: '/receipt/forget',
      headers: { cookie: cookieHeader(jar), 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ _csrf: csrfOf(page.body) }).toString(),
    });
    keepCookies(jar, forgotten);
    assert.equal(forgotten.statusCode, 303);
    assert.equal((await reveals()).length, before - 1);
    const gone = await get(t.app, jar, '/receipt');
    assert.equal(gone.statusCode, 410);
    assert.match(gone.body, /หน้านี้ไม่แสดงรหัสแล้ว/);

    const late = newJar();
    await file(late, '/report', REPORT);
    await sql`update receipt_reveal set expires_at = now() - interval '1 minute'`.execute(t.db);
    assert.equal((await get(t.app, late, '/receipt')).statusCode, 410);
    assert.equal((await reveals()).length, 0, 'expired records are deleted');
  });

  it('writes no record when the filing is refused, and shows the form again', async () => {
    const before = (await reveals()).length;
    const jar = newJar();
    const refused = await file(jar, '/report', { ...REPORT, what: '' });
    assert.equal(refused.statusCode, 303);
    assert.equal(refused.headers.location, '/report', "to the form's own page, not the receipt");
    const shown = await get(t.app, jar, '/report');
    assert.equal(shown.statusCode, 400);
    assert.equal((await reveals()).length, before);
  });

  it('takes the receipt back in a plain text field, typed with dashes, spaces or Thai digits', async () => {
    const jar = newJar();
    await file(jar, '/report', REPORT);
    const receipt = receiptOf((await get(t.app, jar, '/receipt')).body);
    const login = await get(t.app, newJar(), '/followup');
    assert.match(
      login.body,
      /<input id="receipt" name="receipt" type="text"[^>]*aria-describedby="receipt-hint"/,
      'a text field with its hint, not a password field',
    );
    const thai = receipt.replace(/\d/g, (d) => String.fromCharCode(0x0e50 + Number(d)));
    for (const typed of [
      receipt.replace(/(\d{4})(?=\d)/g, '$1-'),
      ` ${receipt.replace(/(\d{4})(?=\d)/g, '$1 ')} `,
      thai,
    ]) {
      const reader = newJar();
      const page = await get(t.app, reader, '/followup');
      const res = await t.app.inject({
        method: 'POST',
        url: '/followup',
        headers: { cookie: cookieHeader(reader), 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ _csrf: csrfOf(page.body), receipt: typed }).toString(),
      });
      assert.equal(res.statusCode, 303, `${typed}: ${res.body.slice(0, 200)}`);
      assert.equal(res.headers.location, '/followup/case');
    }
  });

  it('does the same for a complaint and its tracking code', async () => {
    const jar = newJar();
    const posted = await file(jar, '/complaint', {
      agency: 'OPDC',
      category: 'service_delay',
      what: 'รอใบอนุญาตนานเกินกำหนด',
      identityName: 'สมชาย ใจดี',
      identityContact: '0812345678',
    });
    assert.equal(posted.statusCode, 303, posted.body.slice(0, 400));
    const code = receiptOf((await get(t.app, jar, '/receipt')).body);
    assert.equal(receiptOf((await get(t.app, jar, '/receipt')).body), code);
  });
});
