// The LINE link page through the app: the code shown once on the answer to the POST, the hourly
// limit shown as an error, a forged CSRF token refused, unlinking, and the page without a LINE channel.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { createTestApp, loginCode, PASSWORD, seedAgency, seedStaff, type TestApp } from '../../../test/support/app.ts';
import { csrfOf, get, newJar, postForm, type Jar } from '../../../test/support/web.ts';
import { channelKeys } from '../../channels/line/channel-key.ts';
import { MAX_CODES_PER_HOUR } from '../../channels/line/staff-link.ts';
import { LINE_ACCOUNT_PATH } from './line-routes.ts';

async function signIn(app: FastifyInstance, email: string): Promise<Jar> {
  const jar = newJar();
  const page = await get(app, jar, '/staff/login');
  const res = await postForm(app, jar, '/staff/login', {
    _csrf: csrfOf(page.body),
    email,
    password: PASSWORD,
    code: loginCode(email),
  });
  assert.equal(res.statusCode, 303, res.body);
  return jar;
}

describe('the LINE link page', () => {
  let h: TestApp;
  let off: TestApp;
  let jar: Jar;

  before(async () => {
    h = await createTestApp({
      LINE_CHANNEL_SECRET: '0123456789abcdef0123456789abcdef',
      LINE_CHANNEL_ACCESS_TOKEN: 'test-access-token',
      LINE_API_BASE: 'http://127.0.0.1:9',
    });
    off = await createTestApp();
    for (const t of [h, off]) {
      await seedAgency(t.db, 'OPDC');
      await seedStaff(t.db, 'OPDC', 'clerk@opdc.example', ['intake_officer']);
    }
    jar = await signIn(h.app, 'clerk@opdc.example');
  });
  after(async () => {
    await h.close();
    await off.close();
  });

  it('is in the menu, says not linked, and shows a code once, stored only as its HMAC', async () => {
    const page = await get(h.app, jar, LINE_ACCOUNT_PATH);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /href="\/staff\/account\/line"/);
    assert.match(page.body, /ยังไม่ได้เชื่อมกับ LINE/);
    const res = await postForm(h.app, jar, `${LINE_ACCOUNT_PATH}/code`, { _csrf: csrfOf(page.body) });
    assert.equal(res.statusCode, 200);
    const code = /id="link-code">(\d{10})</.exec(res.body)?.[1];
    assert.ok(code, res.body);
    const row = await h.db.selectFrom('line_link_code').select('code_hash').executeTakeFirstOrThrow();
    assert.ok(row.code_hash.equals(channelKeys(h.deps.secrets.channelKey).codeHash(code)));
    const again = await get(h.app, jar, LINE_ACCOUNT_PATH);
    assert.ok(!again.body.includes(code), 'the code is not shown again');
  });

  it('refuses a forged CSRF token and, past the hourly limit, shows why', async () => {
    const forged = await postForm(h.app, jar, `${LINE_ACCOUNT_PATH}/code`, { _csrf: 'forged' });
    assert.equal(forged.statusCode, 403);
    let last = forged;
    for (let i = 1; i < MAX_CODES_PER_HOUR + 1; i++) {
      const page = await get(h.app, jar, LINE_ACCOUNT_PATH);
      last = await postForm(h.app, jar, `${LINE_ACCOUNT_PATH}/code`, { _csrf: csrfOf(page.body) });
    }
    assert.equal(last.statusCode, 429);
    assert.match(last.body, /ขอรหัสเชื่อมบัญชีบ่อยเกินไป/);
    assert.ok(!/id="link-code"/.test(last.body));
  });

  it('unlinks (audited when something was linked)', async () => {
    const user = await h.db
      .selectFrom('staff_user')
      .select('id')
      .where('email', '=', 'clerk@opdc.example')
      .executeTakeFirstOrThrow();
    await h.db
      .insertInto('line_staff_link')
      .values({ user_id: user.id, staff_hash: Buffer.alloc(32, 1), sealed: Buffer.alloc(40, 2), state: null })
      .execute();
    const page = await get(h.app, jar, LINE_ACCOUNT_PATH);
    assert.match(page.body, /เชื่อมกับ LINE แล้ว/);
    const res = await postForm(h.app, jar, `${LINE_ACCOUNT_PATH}/unlink`, { _csrf: csrfOf(page.body) });
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, `${LINE_ACCOUNT_PATH}?done=unlinked`);
    assert.equal((await h.db.selectFrom('line_staff_link').select('user_id').execute()).length, 0);
    const audit = await h.db.selectFrom('audit_event').select('action').where('action', '=', 'line_unlinked').execute();
    assert.equal(audit.length, 1);
  });

  it('without a LINE channel says so and issues no code', async () => {
    const offJar = await signIn(off.app, 'clerk@opdc.example');
    const page = await get(off.app, offJar, LINE_ACCOUNT_PATH);
    assert.match(page.body, /ยังไม่ได้เปิดช่องทาง LINE/);
    const res = await postForm(off.app, offJar, `${LINE_ACCOUNT_PATH}/code`, { _csrf: csrfOf(page.body) });
    assert.equal(res.statusCode, 200);
    assert.equal((await off.db.selectFrom('line_link_code').select('id').execute()).length, 0);
  });
});
