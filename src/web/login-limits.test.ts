// The login limits as an attacker meets them (issue 12, item 4): a flood of wrong receipts is cut
// to the burst and refused at once with 429 and Retry-After, other scopes and other staff accounts
// are unaffected, and the staff login answers every wrong factor alike.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_LOGIN_LIMITS } from '../config/load.ts';
import { createLoginLimits } from '../intake/login-throttle.ts';
import { createTestApp, loginCode, PASSWORD, seedAgency, seedRecipient, type TestApp } from '../../test/support/app.ts';
import { csrfOf, get, newJar, postForm } from '../../test/support/web.ts';

const d = DEFAULT_LOGIN_LIMITS;
// The production limits, except receipts refill fast enough for a test to wait for one guess.
const LIMIT_ENV = {
  SUJARIT_LIMIT_RECEIPT_PER_MIN: '600',
  SUJARIT_LIMIT_RECEIPT_BURST: String(d.receipt.burst),
  SUJARIT_LIMIT_TRACKING_PER_MIN: String(d.tracking.perMinute),
  SUJARIT_LIMIT_TRACKING_BURST: String(d.tracking.burst),
  SUJARIT_LIMIT_STAFF_PER_MIN: String(d.staff.perMinute),
  SUJARIT_LIMIT_STAFF_BURST: String(d.staff.burst),
  SUJARIT_LIMIT_STAFF_ACCOUNT_PER_MIN: String(d.staffAccount.perMinute),
  SUJARIT_LIMIT_STAFF_ACCOUNT_BURST: String(d.staffAccount.burst),
};
const wrongReceipt = (i: number) => String(1_000_000_000_000_000 + i * 7919).slice(0, 16);

describe('login limits', () => {
  let t: TestApp;
  let receipt: string;
  // The limits run on the test's own clock: a guess refills only when the test moves it, however
  // loaded the machine (a real clock refilled guesses between two steps on a busy CI run).
  let clock = Date.now();
  before(async () => {
    t = await createTestApp(LIMIT_ENV);
    t.deps.limits = createLoginLimits(t.config.loginLimits, () => clock);
    await seedAgency(t.db, 'OPDC');
    await seedRecipient(t.db, 'OPDC', 'victim@opdc.example');
    await seedRecipient(t.db, 'OPDC', 'bystander@opdc.example');
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/reports',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ agency: 'OPDC', category: 'bribery', what: 'เรียกรับเงิน' }),
    });
    assert.equal(res.statusCode, 201, res.body);
    receipt = (res.json() as { receipt: string }).receipt;
  });
  after(() => t.close());

  const session = (r: string) =>
    t.app.inject({
      method: 'POST',
      url: '/api/v1/reporter/session',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ receipt: r }),
    });
  const staffLogin = (email: string, password: string, code: string) =>
    t.app.inject({
      method: 'POST',
      url: '/api/v1/staff/session',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ email, password, code }),
    });

  it('derives at most the burst of 50 concurrent wrong receipts and refuses the rest at once with 429 and Retry-After', async () => {
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => session(wrongReceipt(i))));
    const derived = answers.filter((a) => a.statusCode === 401);
    const refused = answers.filter((a) => a.statusCode === 429);
    assert.equal(derived.length + refused.length, 50, answers.map((a) => a.statusCode).join(' '));
    assert.ok(derived.length <= d.receipt.burst, `${derived.length} wrong receipts derived`);
    assert.ok(refused.length >= 50 - d.receipt.burst);
    for (const r of refused) {
      assert.match(String(r.headers['content-type']), /^application\/problem\+json/);
      assert.ok(Number(r.headers['retry-after']) >= 1, 'Retry-After in whole seconds');
      assert.equal((r.json() as { title: string }).title, 'too_many_requests');
    }
    // Nothing waited on a timer: with the clock standing still, the refusals are answers, not delays.

    // Other scopes keep their own budget: a status lookup and a staff login are still admitted.
    const lookup = await t.app.inject({ method: 'GET', url: `/status?code=${wrongReceipt(999)}` });
    assert.equal(lookup.statusCode, 401, 'a tracking-code guess is judged, not refused');
    assert.equal(
      (await staffLogin('bystander@opdc.example', PASSWORD, loginCode('bystander@opdc.example'))).statusCode,
      200,
    );

    // The valid receipt gets in as soon as one guess has refilled (0.1 s at 600 a minute), and its
    // success gives the guess back, so the next valid login is admitted too.
    assert.equal(
      (await session(receipt)).statusCode,
      429,
      'the burst is spent: no distinguisher lets a valid receipt jump the queue',
    );
    clock += 150;
    assert.equal((await session(receipt)).statusCode, 200);
    assert.equal((await session(receipt)).statusCode, 200);
  });

  it('shows the follow-up form again with a translated message and Retry-After when receipts are exhausted', async () => {
    await Promise.all(Array.from({ length: 50 }, (_, i) => session(wrongReceipt(100 + i))));
    const jar = newJar();
    const page = await get(t.app, jar, '/followup');
    const res = await postForm(t.app, jar, '/followup', { _csrf: csrfOf(page.body), receipt: wrongReceipt(500) });
    assert.equal(res.statusCode, 429);
    assert.ok(Number(res.headers['retry-after']) >= 1);
    assert.match(res.body, /ขณะนี้มีการลองเข้าสู่ระบบด้วยรหัสที่ผิดมากเกินไป/);
    assert.match(res.body, /name="receipt"/, 'the form is shown again');
    clock += 150;
  });

  it('refuses a flood of wrong tracking codes on the status page with the form and Retry-After, leaving receipt logins alone', async () => {
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        t.app.inject({ method: 'GET', url: `/status?code=${wrongReceipt(700 + i)}` }),
      ),
    );
    assert.ok(answers.filter((a) => a.statusCode === 401).length <= d.tracking.burst);
    const refused = answers.filter((a) => a.statusCode === 429);
    assert.ok(refused.length >= 30 - d.tracking.burst);
    assert.ok(Number(refused[0].headers['retry-after']) >= 1);
    assert.match(refused[0].body, /ขณะนี้มีการลองเข้าสู่ระบบด้วยรหัสที่ผิดมากเกินไป/);
    assert.match(refused[0].body, /name="code"/, 'the lookup form is shown again');
    assert.equal((await session(receipt)).statusCode, 200, 'receipt logins have their own budget');
  });

  it('refuses a brute-forced staff account with 429 while another account still logs in at once', async () => {
    for (let i = 0; i < d.staffAccount.burst; i++)
      assert.equal((await staffLogin('victim@opdc.example', `wrong password ${i}!!`, '000000')).statusCode, 401);
    const refused = await staffLogin('victim@opdc.example', 'wrong password again', '000000');
    assert.equal(refused.statusCode, 429);
    assert.ok(Number(refused.headers['retry-after']) >= 1);
    assert.equal(
      (await staffLogin('bystander@opdc.example', PASSWORD, loginCode('bystander@opdc.example'))).statusCode,
      200,
    );
    // The login page says so, with the form and Retry-After.
    const jar = newJar();
    const page = await get(t.app, jar, '/staff/login');
    const res = await postForm(t.app, jar, '/staff/login', {
      _csrf: csrfOf(page.body),
      email: 'victim@opdc.example',
      password: PASSWORD,
      code: loginCode('victim@opdc.example'),
    });
    assert.equal(res.statusCode, 429);
    assert.ok(Number(res.headers['retry-after']) >= 1);
    assert.match(res.body, /name="password"/);
  });

  it('answers a right password with a wrong code exactly as a wrong password, by API and by page', async () => {
    const wrongPassword = await staffLogin('bystander@opdc.example', 'wrong password!!', '000000');
    const wrongCode = await staffLogin('bystander@opdc.example', PASSWORD, '000000');
    assert.equal(wrongCode.statusCode, 401);
    assert.equal(wrongCode.body, wrongPassword.body);
    const alertOf = async (password: string) => {
      const jar = newJar();
      const page = await get(t.app, jar, '/staff/login');
      const res = await postForm(t.app, jar, '/staff/login', {
        _csrf: csrfOf(page.body),
        email: 'bystander@opdc.example',
        password,
        code: '000000',
      });
      assert.equal(res.statusCode, 401);
      return /role="alert"[^>]*>([^<]*)</.exec(res.body)?.[1] ?? res.body;
    };
    assert.equal(await alertOf(PASSWORD), await alertOf('wrong password!!'));
  });
});
