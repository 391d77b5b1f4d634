// The account pages through the app: the first administrator's setup link to a working second
// factor, refused links, TOTP replay and recovery codes, and the password change that keeps the key.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { Secret } from 'otpauth';
import { openSealed, sealTo } from '../../crypto/sealed-box.ts';
import { translator } from '../../i18n/messages.ts';
import { firstAdminLink, inviteStaffUser } from '../../staff/add-user.ts';
import { derivePasswordKeys, unwrapPrivateKey } from '../../staff/password-keys.ts';
import { totpCode } from '../../staff/totp.ts';
import { createTestApp, loginCode, PASSWORD, seedAgency, seedStaff, type TestApp } from '../../../test/support/app.ts';
import { csrfOf, get, newJar, postForm, type Jar } from '../../../test/support/web.ts';
import { ENROL_PATH } from '../staff-auth.ts';

const t = translator('th');
const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

async function login(
  app: FastifyInstance,
  email: string,
  password: string,
  code = '',
): Promise<{ jar: Jar; status: number; location: string | undefined }> {
  const jar = newJar();
  const page = await get(app, jar, '/staff/login');
  const res = await postForm(app, jar, '/staff/login', { _csrf: csrfOf(page.body), email, password, code });
  return { jar, status: res.statusCode, location: res.headers.location as string | undefined };
}

describe('account pages', () => {
  let h: TestApp;
  const ADMIN = 'root@platform.example';
  const NEW_PASSWORD = 'a brand new long passphrase';
  let adminSecret: Buffer;
  let recoveryCodes: string[];

  before(async () => {
    h = await createTestApp();
    await seedAgency(h.db, 'OPDC');
  });
  after(() => h.close());

  it('takes the first administrator from the setup link to the inbox through TOTP enrolment', async () => {
    const token = (await firstAdminLink(h.db))!;
    const jar = newJar();
    const form = await get(h.app, jar, `/staff/setup/${token}`);
    assert.equal(form.statusCode, 200);
    assert.match(form.body, /id="email"/);

    // A short password: the form comes back with the email and name, never the password.
    const short = await postForm(h.app, jar, `/staff/setup/${token}`, {
      _csrf: csrfOf(form.body),
      email: ADMIN,
      displayName: 'ผู้ดูแล กลาง',
      password: 'short-pw',
      password2: 'short-pw',
    });
    assert.equal(short.statusCode, 400);
    assert.ok(short.body.includes(`value="${ADMIN}"`));
    assert.ok(short.body.includes('value="ผู้ดูแล กลาง"'));
    assert.ok(!short.body.includes('short-pw'));
    assert.ok(short.body.includes(escapeHtml(t('error.password_length', { min: 12 }))));

    const mismatch = await postForm(h.app, jar, `/staff/setup/${token}`, {
      _csrf: csrfOf(form.body),
      email: ADMIN,
      password: PASSWORD,
      password2: `${PASSWORD}!`,
    });
    assert.equal(mismatch.statusCode, 400);
    assert.match(mismatch.body, /id="password2"[^>]*aria-invalid="true"/);

    const done = await postForm(h.app, jar, `/staff/setup/${token}`, {
      _csrf: csrfOf(form.body),
      email: ADMIN,
      displayName: 'Root',
      password: PASSWORD,
      password2: PASSWORD,
    });
    assert.equal(done.statusCode, 303);
    assert.equal(done.headers.location, '/staff/login?done=setup');

    // Logged in with the password only, the new administrator may do nothing but enrol.
    const session = await login(h.app, ADMIN, PASSWORD);
    assert.equal(session.status, 303);
    assert.equal(session.location, ENROL_PATH);
    const blocked = await get(h.app, session.jar, '/staff/cases');
    assert.equal(blocked.statusCode, 303);
    assert.equal(blocked.headers.location, ENROL_PATH);

    const enrol = await get(h.app, session.jar, ENROL_PATH);
    assert.equal(enrol.statusCode, 200);
    assert.match(enrol.body, /<svg width="232"/);
    const base32 = /<code id="totp-secret"[^>]*>([A-Z2-7 ]+)<\/code>/.exec(enrol.body)![1].replace(/ /g, '');
    adminSecret = Buffer.from(Secret.fromBase32(base32).bytes);
    // The secret is nowhere in the database in clear, and the page carries it only sealed.
    const row = await h.db
      .selectFrom('staff_user')
      .select(['totp_sealed'])
      .where('email', '=', ADMIN)
      .executeTakeFirstOrThrow();
    assert.equal(row.totp_sealed, null);
    const sealed = /name="enrolment" value="([^"]+)"/.exec(enrol.body)![1];
    assert.ok(!Buffer.from(sealed, 'base64url').includes(adminSecret));

    const wrong = await postForm(h.app, session.jar, ENROL_PATH, {
      _csrf: csrfOf(enrol.body),
      enrolment: sealed,
      code: '000000' === totpCode(adminSecret) ? '111111' : '000000',
    });
    assert.equal(wrong.statusCode, 400);
    const forged = await postForm(h.app, session.jar, ENROL_PATH, {
      _csrf: csrfOf(enrol.body),
      enrolment: `${sealed.slice(0, -4)}AAAA`,
      code: totpCode(adminSecret),
    });
    assert.equal(forged.statusCode, 400);
    assert.ok(forged.body.includes(escapeHtml(t('totp.expired'))));

    const enrolled = await postForm(h.app, session.jar, ENROL_PATH, {
      _csrf: csrfOf(enrol.body),
      enrolment: sealed,
      code: totpCode(adminSecret),
    });
    // The codes are shown by a GET page after the redirect: a reload does not lose them.
    assert.equal(enrolled.statusCode, 303);
    assert.equal(enrolled.headers.location, '/staff/account/recovery');
    const shown = await get(h.app, session.jar, '/staff/account/recovery');
    assert.equal(shown.statusCode, 200);
    recoveryCodes = [...shown.body.matchAll(/<li><code>(\d{4}-\d{4}-\d{4}-\d{4})<\/code><\/li>/g)].map((m) => m[1]);
    assert.equal(recoveryCodes.length, 10);
    assert.match(shown.body, /hreflang="en"/, 'the codes page switches language');
    // Kept: the platform administrator goes on to administration, not to an inbox empty by design.
    const kept = await postForm(h.app, session.jar, '/staff/account/recovery/done', { _csrf: csrfOf(shown.body) });
    assert.equal(kept.statusCode, 303);
    assert.equal(kept.headers.location, '/staff/admin/agencies');
    const gone = await get(h.app, session.jar, '/staff/account/recovery');
    assert.equal([...gone.body.matchAll(/\d{4}-\d{4}-\d{4}-\d{4}/g)].length, 0, 'not shown again once kept');
    const inbox = await get(h.app, session.jar, '/staff/cases');
    assert.equal(inbox.statusCode, 200);
    const audit = await h.db
      .selectFrom('audit_event')
      .select('action')
      .where('action', '=', 'second_factor_enrolled')
      .execute();
    assert.equal(audit.length, 1);
  });

  it('refuses a used setup link, and an expired one, with a translated page', async () => {
    const used = await h.db
      .selectFrom('setup_token')
      .select('token_hash')
      .where('purpose', '=', 'first_admin')
      .execute();
    assert.equal(used.length, 0);
    // firstAdminLink makes no new link once there is an administrator.
    assert.equal(await firstAdminLink(h.db), null);
    const jar = newJar();
    const gone = await get(h.app, jar, '/staff/setup/not-a-real-token');
    assert.equal(gone.statusCode, 404);
    assert.ok(gone.body.includes(escapeHtml(t('error.setup_link'))));

    const { token } = await inviteStaffUser({
      db: h.db,
      actorId: null,
      agencyCode: 'OPDC',
      email: 'late@opdc.example',
      roles: ['investigator'],
      displayName: '',
    });
    assert.equal((await get(h.app, jar, `/staff/setup/${token}`)).statusCode, 200);
    await h.db
      .updateTable('setup_token')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .execute();
    const expired = await get(h.app, jar, `/staff/setup/${token}`);
    assert.equal(expired.statusCode, 404);
    assert.ok(expired.body.includes(escapeHtml(t('error.setup_link'))));
    const page = await get(h.app, jar, '/staff/login');
    const post = await postForm(h.app, jar, `/staff/setup/${token}`, {
      _csrf: csrfOf(page.body),
      password: PASSWORD,
      password2: PASSWORD,
    });
    assert.equal(post.statusCode, 404);
    const user = await h.db
      .selectFrom('staff_user')
      .select(['is_active', 'public_key'])
      .where('email', '=', 'late@opdc.example')
      .executeTakeFirstOrThrow();
    assert.deepEqual(user, { is_active: false, public_key: null });
  });

  it('refuses a TOTP code used twice', async () => {
    // The enrolment used the current step: the next step's code is fresh, then spent.
    const code = totpCode(adminSecret, Date.now() + 30_000);
    const first = await login(h.app, ADMIN, PASSWORD, code);
    assert.equal(first.status, 303);
    assert.equal(first.location, '/staff/admin/agencies', 'the platform administrator lands on administration');
    const replay = await login(h.app, ADMIN, PASSWORD, code);
    assert.equal(replay.status, 401);
  });

  it('accepts each recovery code once', async () => {
    const first = await login(h.app, ADMIN, PASSWORD, recoveryCodes[0]);
    assert.equal(first.status, 303);
    assert.equal(first.location, '/staff/account/recovery?used=1', 'a recovery code leads to how many are left');
    const again = await login(h.app, ADMIN, PASSWORD, recoveryCodes[0]);
    assert.equal(again.status, 401);
    const used = await h.db
      .selectFrom('audit_event')
      .select('action')
      .where('action', '=', 'recovery_code_used')
      .execute();
    assert.equal(used.length, 1);
  });

  it('says how many recovery codes are left and makes new ones, with the password, in place of all', async () => {
    const EMAIL = 'codes@opdc.example';
    await seedStaff(h.db, 'OPDC', EMAIL, ['investigator']);
    const used = loginCode(EMAIL);
    const s = await login(h.app, EMAIL, PASSWORD, used);
    assert.equal(s.status, 303);
    const page = await get(h.app, s.jar, '/staff/account/recovery?used=1');
    assert.equal(page.statusCode, 200);
    const left = (
      await h.db
        .selectFrom('staff_user')
        .select((eb) => eb.fn<number>('cardinality', ['recovery_hashes']).as('n'))
        .where('email', '=', EMAIL)
        .executeTakeFirstOrThrow()
    ).n;
    assert.ok(page.body.includes(escapeHtml(t('totp.recovery.left', { n: left }))), `${left} left`);
    assert.ok(page.body.includes(escapeHtml(t('totp.recovery.used'))));
    assert.match(page.body, /href="\/staff\/cases"/, 'and a way on to the inbox');

    const wrong = await postForm(h.app, s.jar, '/staff/account/recovery', {
      _csrf: csrfOf(page.body),
      current: 'not the password',
    });
    assert.equal(wrong.statusCode, 401);
    assert.match(wrong.body, /id="error-summary"[\s\S]*href="#current"/);
    assert.match(wrong.body, /id="current"[^>]*aria-invalid="true" aria-describedby="current-error"/);
    const forged = await postForm(h.app, s.jar, '/staff/account/recovery', { _csrf: 'forged', current: PASSWORD });
    assert.equal(forged.statusCode, 403);
    const made = await postForm(h.app, s.jar, '/staff/account/recovery', {
      _csrf: csrfOf(page.body),
      current: PASSWORD,
    });
    assert.equal(made.statusCode, 303);
    assert.equal(made.headers.location, '/staff/account/recovery');
    const shown = await get(h.app, s.jar, '/staff/account/recovery');
    const codes = [...shown.body.matchAll(/<li><code>(\d{4}-\d{4}-\d{4}-\d{4})<\/code><\/li>/g)].map((m) => m[1]);
    assert.equal(codes.length, 10);
    assert.ok(shown.body.includes(escapeHtml(t('totp.recovery.renewed'))));

    // A text file and a printable sheet of the same codes, while the page can show them.
    const file = await get(h.app, s.jar, '/staff/account/recovery/codes.txt');
    assert.equal(file.statusCode, 200);
    assert.match(String(file.headers['content-type']), /^text\/plain; charset=utf-8/);
    assert.match(String(file.headers['content-disposition']), /^attachment; filename="sujarit-recovery-codes\.txt"/);
    for (const c of codes) assert.ok(file.body.includes(c));
    assert.ok(file.body.includes(EMAIL));
    const sheet = await get(h.app, s.jar, '/staff/account/recovery/print');
    assert.equal(sheet.statusCode, 200);
    for (const c of codes) assert.ok(sheet.body.includes(c));
    assert.doesNotMatch(sheet.body, /<nav/, 'no menu on the printed sheet');

    // Another user's browser, or another user's cookie in this one, shows none of them.
    await seedStaff(h.db, 'OPDC', 'other-codes@opdc.example', ['investigator']);
    const other = await login(h.app, 'other-codes@opdc.example', PASSWORD, loginCode('other-codes@opdc.example'));
    other.jar.set('sj_recovery', s.jar.get('sj_recovery')!);
    const theirs = await get(h.app, other.jar, '/staff/account/recovery');
    assert.equal(theirs.statusCode, 200);
    for (const c of codes) assert.ok(!theirs.body.includes(c));
    assert.equal((await get(h.app, other.jar, '/staff/account/recovery/codes.txt')).statusCode, 303);

    // Forged, signed out, oversized: refused, never a 500, and the codes stay as they are.
    const forgedDone = await postForm(h.app, s.jar, '/staff/account/recovery/done', { _csrf: 'forged' });
    assert.equal(forgedDone.statusCode, 403);
    assert.equal((await get(h.app, s.jar, '/staff/account/recovery/codes.txt')).statusCode, 200, 'still shown');
    for (const url of [
      '/staff/account/recovery',
      '/staff/account/recovery/print',
      '/staff/account/recovery/codes.txt',
    ]) {
      const out = await get(h.app, newJar(), url);
      assert.equal(out.statusCode, 303, url);
      assert.equal(out.headers.location, '/staff/login', url);
    }
    const page2 = await get(h.app, s.jar, '/staff/account/recovery');
    const huge = await postForm(h.app, s.jar, '/staff/account/recovery', {
      _csrf: csrfOf(page2.body),
      current: 'x'.repeat(200_000),
    });
    assert.equal(huge.statusCode, 401);
    const bogus = newJar();
    for (const [k, v] of s.jar) bogus.set(k, v);
    bogus.set('sj_recovery', 'A'.repeat(5000));
    assert.equal(
      (await get(h.app, bogus, '/staff/account/recovery/codes.txt')).statusCode,
      303,
      'a bogus cookie opens nothing',
    );

    // The earlier codes stopped working; a new one works once.
    assert.equal((await login(h.app, EMAIL, PASSWORD, loginCode(EMAIL))).status, 401);
    assert.equal((await login(h.app, EMAIL, PASSWORD, codes[0])).location, '/staff/account/recovery?used=1');
    const audit = await h.db
      .selectFrom('audit_event')
      .select('action')
      .where('action', '=', 'recovery_codes_renewed')
      .execute();
    assert.equal(audit.length, 1);
  });

  it('keeps a user without a second factor out of every page but enrolment', async () => {
    await seedStaff(h.db, 'OPDC', 'fresh@opdc.example', ['agency_admin', 'auditor'], { enrol: false });
    const s = await login(h.app, 'fresh@opdc.example', PASSWORD);
    assert.equal(s.location, ENROL_PATH);
    for (const url of ['/staff/cases', '/staff/admin/users', '/staff/audit', '/staff/account/password']) {
      const res = await get(h.app, s.jar, url);
      assert.equal(res.statusCode, 303, url);
      assert.equal(res.headers.location, ENROL_PATH, url);
    }
    assert.equal((await get(h.app, s.jar, ENROL_PATH)).statusCode, 200);
  });

  it('changes the password under the same key pair and ends the other sessions', async () => {
    const EMAIL = 'changer@opdc.example';
    await seedStaff(h.db, 'OPDC', EMAIL, ['investigator']);
    const before = await h.db
      .selectFrom('staff_user')
      .select(['public_key'])
      .where('email', '=', EMAIL)
      .executeTakeFirstOrThrow();
    const other = await login(h.app, EMAIL, PASSWORD, loginCode(EMAIL));
    const mine = await login(h.app, EMAIL, PASSWORD, loginCode(EMAIL));
    const form = await get(h.app, mine.jar, '/staff/account/password');
    assert.equal(form.statusCode, 200);

    const wrong = await postForm(h.app, mine.jar, '/staff/account/password', {
      _csrf: csrfOf(form.body),
      current: 'not the password',
      password: NEW_PASSWORD,
      password2: NEW_PASSWORD,
    });
    assert.equal(wrong.statusCode, 401);
    assert.match(wrong.body, /id="current"[^>]*aria-invalid="true"/);
    assert.match(wrong.body, /id="error-summary"[\s\S]*href="#current"/);
    const differ = await postForm(h.app, mine.jar, '/staff/account/password', {
      _csrf: csrfOf(form.body),
      current: PASSWORD,
      password: NEW_PASSWORD,
      password2: 'something else entirely',
    });
    assert.equal(differ.statusCode, 400);
    assert.match(differ.body, /id="password2"[^>]*aria-invalid="true"/);

    const done = await postForm(h.app, mine.jar, '/staff/account/password', {
      _csrf: csrfOf(form.body),
      current: PASSWORD,
      password: NEW_PASSWORD,
      password2: NEW_PASSWORD,
    });
    assert.equal(done.statusCode, 303);
    const doneUrl = String(done.headers.location);
    assert.ok((await get(h.app, mine.jar, doneUrl)).body.includes(escapeHtml(t('admin.password.done'))));
    assert.equal((await get(h.app, mine.jar, '/staff/cases')).statusCode, 200);
    const ended = await get(h.app, other.jar, '/staff/cases');
    assert.equal(ended.statusCode, 303);
    assert.equal(ended.headers.location, '/staff/login');

    assert.equal((await login(h.app, EMAIL, PASSWORD, loginCode(EMAIL))).status, 401);
    assert.equal(
      (await login(h.app, EMAIL, NEW_PASSWORD, loginCode(EMAIL))).location,
      '/staff/account/recovery?used=1',
    );

    // The same key pair, now wrapped under the new password: what was sealed to it still opens.
    const row = await h.db
      .selectFrom('staff_user')
      .select(['public_key', 'wrapped_private_key', 'kdf_salt', 'kdf_params', 'email'])
      .where('email', '=', EMAIL)
      .executeTakeFirstOrThrow();
    assert.ok(row.public_key!.equals(before.public_key!));
    const sealed = sealTo(before.public_key!, Buffer.from('ข้อความลับถึงผู้ตรวจสอบ'));
    const keys = await derivePasswordKeys(NEW_PASSWORD, row.kdf_salt!, row.kdf_params!);
    const privateKey = unwrapPrivateKey(keys.wrapKey, row.wrapped_private_key!, row.email);
    assert.equal(openSealed({ publicKey: row.public_key!, privateKey }, sealed).toString(), 'ข้อความลับถึงผู้ตรวจสอบ');
  });
});
