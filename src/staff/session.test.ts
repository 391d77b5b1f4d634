import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestDatabase, type TestDatabase } from '../../test/support/db.ts';
import {
  CHEAP_KDF,
  TEST_LIMITS,
  loginCode,
  PASSWORD,
  seedAgency,
  seedRecipient,
  TOTP_SECRET,
} from '../../test/support/app.ts';
import { totpCode } from './totp.ts';
import { addStaffUser } from './add-user.ts';
import { enrolTotp } from './second-factor.ts';
import { recoveryCodesLeft, resolveStaffSession, staffLogin, staffLogout } from './session.ts';
import { createLoginLimits } from '../intake/login-throttle.ts';
import { DEFAULT_LOGIN_LIMITS } from '../config/load.ts';

describe('staff accounts and sessions', () => {
  let t: TestDatabase;
  before(async () => {
    t = await createTestDatabase();
    await seedAgency(t.db, 'OPDC');
    await seedRecipient(t.db, 'OPDC', 'a@example.org');
  });
  after(() => t.drop());

  it('stores no password and no private key in the clear', async () => {
    const row = await t.db
      .selectFrom('staff_user')
      .selectAll()
      .where('email', '=', 'a@example.org')
      .executeTakeFirstOrThrow();
    const text = JSON.stringify(row);
    assert.ok(!text.includes(PASSWORD));
    assert.equal(row.public_key?.length, 32);
    assert.ok(row.wrapped_private_key!.length > 32);
    assert.ok(!row.totp_sealed!.includes(TOTP_SECRET), 'the TOTP secret is sealed');
  });

  it('refuses bad input, unknown agencies and duplicate emails', async () => {
    const base = {
      db: t.db,
      kdf: CHEAP_KDF,
      agencyCode: 'OPDC',
      email: 'b@example.org',
      roles: ['investigator'],
      password: PASSWORD,
    };
    await assert.rejects(addStaffUser({ ...base, email: 'not-an-email' }), { code: 'invalid_input' });
    await assert.rejects(addStaffUser({ ...base, roles: ['god'] }), { code: 'invalid_input' });
    await assert.rejects(addStaffUser({ ...base, roles: [] }), { code: 'invalid_input' });
    await assert.rejects(
      addStaffUser({ ...base, roles: ['platform_admin'] }),
      { code: 'invalid_input' },
      'a platform administrator belongs to no agency',
    );
    await assert.rejects(addStaffUser({ ...base, agencyCode: null, roles: ['investigator'] }), {
      code: 'invalid_input',
    });
    await assert.rejects(addStaffUser({ ...base, password: 'short' }), { code: 'invalid_input' });
    await assert.rejects(addStaffUser({ ...base, agencyCode: 'NOPE' }), { code: 'not_found' });
    await assert.rejects(addStaffUser({ ...base, email: 'A@Example.org' }), { code: 'conflict' });
  });

  it('logs in, opens the key pair through the token, and logs out', async () => {
    const { token } = await staffLogin({
      db: t.db,
      kdf: CHEAP_KDF,
      limits: TEST_LIMITS,
      email: ' A@example.org ',
      password: PASSWORD,
      code: loginCode('a@example.org'),
    });
    const actor = await resolveStaffSession({ db: t.db, token });
    assert.equal(actor?.email, 'a@example.org');
    assert.equal(actor?.keys.privateKey.length, 32);
    await staffLogout({ db: t.db, token });
    assert.equal(await resolveStaffSession({ db: t.db, token }), null);
  });

  it('gives the same error for a wrong password and an unknown email', async () => {
    await assert.rejects(
      staffLogin({
        db: t.db,
        kdf: CHEAP_KDF,
        limits: TEST_LIMITS,
        email: 'a@example.org',
        password: 'wrong password!!',
      }),
      { code: 'unauthorized', userMessage: 'error.login_failed' },
    );
    await assert.rejects(
      staffLogin({ db: t.db, kdf: CHEAP_KDF, limits: TEST_LIMITS, email: 'nobody@example.org', password: PASSWORD }),
      { code: 'unauthorized', userMessage: 'error.login_failed' },
    );
  });

  it('requires the second factor once enrolled, and takes a TOTP code only once', async () => {
    const login = (code: string) =>
      staffLogin({ db: t.db, kdf: CHEAP_KDF, limits: TEST_LIMITS, email: 'a@example.org', password: PASSWORD, code });
    // One message for a wrong code and a wrong password (issue 12): was 'error.login_code', which
    // told a guesser that the password was right.
    await assert.rejects(login(''), { code: 'unauthorized', userMessage: 'error.login_failed' });
    await assert.rejects(login('123456'), { code: 'unauthorized', userMessage: 'error.login_failed' });
    const code = totpCode(TOTP_SECRET);
    const byApp = await login(code);
    assert.equal(byApp.isEnrolled, true);
    assert.equal(byApp.factor, 'totp');
    await assert.rejects(
      login(code),
      { code: 'unauthorized', userMessage: 'error.login_failed' },
      'a replayed code is refused',
    );
    const recovery = loginCode('a@example.org');
    const user = await t.db
      .selectFrom('staff_user')
      .select('id')
      .where('email', '=', 'a@example.org')
      .executeTakeFirstOrThrow();
    const left = await recoveryCodesLeft(t.db, user.id);
    const byCode = await login(recovery);
    // Where the user lands says so, with the count of what is left (web/admin/nav.ts landingOf).
    assert.equal(byCode.factor, 'recovery');
    assert.equal(byCode.recoveryCodesLeft, left - 1);
    const roles = await t.db
      .selectFrom('staff_role')
      .select('role')
      .where('user_id', '=', user.id)
      .orderBy('role')
      .execute();
    assert.deepEqual(
      byCode.roles,
      roles.map((r) => r.role),
    );
    await assert.rejects(login(recovery), { code: 'unauthorized' }, 'a recovery code works once');
  });

  it('replaces an enrolled second factor only with the current password', async () => {
    const { token } = await staffLogin({
      db: t.db,
      kdf: CHEAP_KDF,
      limits: TEST_LIMITS,
      email: 'a@example.org',
      password: PASSWORD,
      code: loginCode('a@example.org'),
    });
    const actor = (await resolveStaffSession({ db: t.db, token }))!;
    const seeded = await t.db
      .selectFrom('staff_user')
      .select(['totp_sealed', 'recovery_hashes'])
      .where('id', '=', actor.id)
      .executeTakeFirstOrThrow();
    const secret = Buffer.alloc(20, 7);
    await assert.rejects(
      enrolTotp({ db: t.db, kdf: CHEAP_KDF, limits: TEST_LIMITS, actor, secret, code: totpCode(secret) }),
      { code: 'unauthorized' },
      'a stolen session alone cannot swap the authenticator',
    );
    await assert.rejects(
      enrolTotp({
        db: t.db,
        kdf: CHEAP_KDF,
        limits: TEST_LIMITS,
        actor,
        secret,
        code: totpCode(secret),
        currentPassword: 'wrong password!!',
      }),
      { code: 'unauthorized' },
    );
    const codes = await enrolTotp({
      db: t.db,
      kdf: CHEAP_KDF,
      limits: TEST_LIMITS,
      actor,
      secret,
      code: totpCode(secret),
      currentPassword: PASSWORD,
    });
    assert.equal(codes.length, 10);
    // The seeded second factor back, for the other tests.
    await t.db
      .updateTable('staff_user')
      .set({ totp_sealed: seeded.totp_sealed, recovery_hashes: seeded.recovery_hashes, totp_last_step: null })
      .where('id', '=', actor.id)
      .execute();
  });

  it('lets a user without a second factor in only to enrol one', async () => {
    await addStaffUser({
      db: t.db,
      kdf: CHEAP_KDF,
      agencyCode: 'OPDC',
      email: 'new@example.org',
      roles: ['investigator'],
      password: PASSWORD,
    });
    const s = await staffLogin({
      db: t.db,
      kdf: CHEAP_KDF,
      limits: TEST_LIMITS,
      email: 'new@example.org',
      password: PASSWORD,
    });
    assert.equal(s.isEnrolled, false);
    assert.equal((await resolveStaffSession({ db: t.db, token: s.token }))?.isEnrolled, false);
  });

  it('answers a right password with a wrong code exactly as a wrong password, and audits which factor failed', async () => {
    const failures = () =>
      t.db
        .selectFrom('audit_event')
        .select(['actor_user_id', 'detail'])
        .where('action', '=', 'staff_login_failed')
        .orderBy('id', 'desc')
        .execute();
    const before = (await failures()).length;
    const wrongPassword = await staffLogin({
      db: t.db,
      kdf: CHEAP_KDF,
      limits: TEST_LIMITS,
      email: 'a@example.org',
      password: 'wrong password!!',
      code: '123456',
    }).then(
      () => assert.fail('logged in'),
      (e: Error) => e,
    );
    const wrongCode = await staffLogin({
      db: t.db,
      kdf: CHEAP_KDF,
      limits: TEST_LIMITS,
      email: 'a@example.org',
      password: PASSWORD,
      code: '123456',
    }).then(
      () => assert.fail('logged in'),
      (e: Error) => e,
    );
    assert.deepEqual(
      { ...wrongCode, message: wrongCode.message },
      { ...wrongPassword, message: wrongPassword.message },
    );
    const rows = await failures();
    assert.equal(rows.length, before + 2);
    assert.deepEqual(
      rows.slice(0, 2).map((r) => r.detail),
      [{ factor: 'second' }, { factor: 'password' }],
    );
  });

  it('does the same work for an unknown email as for a wrong password: one derivation and one audit row', async () => {
    // A known email used to fail slower (its audit insert): both now write the same row, the
    // unknown one without an actor, so neither timing nor the audit count tells them apart.
    const count = async () =>
      (
        await t.db
          .selectFrom('audit_event')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .where('action', '=', 'staff_login_failed')
          .executeTakeFirstOrThrow()
      ).n;
    const c0 = Number(await count());
    await assert.rejects(
      staffLogin({
        db: t.db,
        kdf: CHEAP_KDF,
        limits: TEST_LIMITS,
        email: 'a@example.org',
        password: 'wrong password!!',
      }),
    );
    const c1 = Number(await count());
    await assert.rejects(
      staffLogin({
        db: t.db,
        kdf: CHEAP_KDF,
        limits: TEST_LIMITS,
        email: 'nobody@example.org',
        password: 'wrong password!!',
      }),
    );
    const c2 = Number(await count());
    assert.equal(c1 - c0, 1);
    assert.equal(c2 - c1, 1);
    const last = await t.db
      .selectFrom('audit_event')
      .select(['actor_user_id', 'detail'])
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    assert.deepEqual(last, { actor_user_id: null, detail: { factor: 'password' } });
  });

  it('limits wrong passwords per account: the attacked account is refused at once, another still logs in, an unknown email is refused alike', async () => {
    await seedRecipient(t.db, 'OPDC', 'victim@example.org');
    await seedRecipient(t.db, 'OPDC', 'bystander@example.org');
    const limits = createLoginLimits(DEFAULT_LOGIN_LIMITS);
    const burst = DEFAULT_LOGIN_LIMITS.staffAccount.burst;
    const guess = (email: string, password = 'wrong password!!') =>
      staffLogin({ db: t.db, kdf: CHEAP_KDF, limits, email, password, code: loginCode(email) });
    for (let i = 0; i < burst; i++) await assert.rejects(guess('victim@example.org'), { code: 'unauthorized' });
    const audited = await t.db
      .selectFrom('audit_event')
      .select('id')
      .where('action', '=', 'staff_login_failed')
      .execute();
    await assert.rejects(
      guess('victim@example.org', PASSWORD),
      (e: { code: string; retryAfterSeconds: number }) => e.code === 'too_many_requests' && e.retryAfterSeconds > 0,
      'even the right password waits for the account to refill',
    );
    assert.equal(
      (await t.db.selectFrom('audit_event').select('id').where('action', '=', 'staff_login_failed').execute()).length,
      audited.length,
      'a refused attempt derives and writes nothing',
    );
    assert.equal((await guess('bystander@example.org', PASSWORD)).isEnrolled, true, 'another account is not affected');
    // An unknown email is refused after as many failures: a 429 does not reveal that an account exists.
    for (let i = 0; i < burst; i++) await assert.rejects(guess('ghost@example.org'), { code: 'unauthorized' });
    await assert.rejects(guess('ghost@example.org'), { code: 'too_many_requests' });
    // Successful logins give their guess back: an owner who logs in often is never limited.
    for (let i = 0; i < burst + 3; i++) await guess('bystander@example.org', PASSWORD);
  });

  it('limits and audits a wrong current password when the second factor is replaced', async () => {
    const { token } = await staffLogin({
      db: t.db,
      kdf: CHEAP_KDF,
      limits: TEST_LIMITS,
      email: 'a@example.org',
      password: PASSWORD,
      code: loginCode('a@example.org'),
    });
    const actor = (await resolveStaffSession({ db: t.db, token }))!;
    const limits = createLoginLimits(DEFAULT_LOGIN_LIMITS);
    const secret = Buffer.alloc(20, 9);
    const reEnrol = (currentPassword: string) =>
      enrolTotp({ db: t.db, kdf: CHEAP_KDF, limits, actor, secret, code: totpCode(secret), currentPassword });
    const audited = () =>
      t.db
        .selectFrom('audit_event')
        .select('detail')
        .where('action', '=', 'password_check_failed')
        .where('actor_user_id', '=', actor.id)
        .where('id', '>', Number(start.id))
        .execute();
    const start = await t.db.selectFrom('audit_event').select('id').orderBy('id', 'desc').executeTakeFirstOrThrow();
    for (let i = 0; i < DEFAULT_LOGIN_LIMITS.staffAccount.burst; i++)
      await assert.rejects(reEnrol('wrong password!!'), { code: 'unauthorized' });
    await assert.rejects(reEnrol('wrong password!!'), { code: 'too_many_requests' });
    await assert.rejects(
      reEnrol(PASSWORD),
      { code: 'too_many_requests' },
      'a stolen session gets no more guesses than a login',
    );
    const rows = await audited();
    assert.equal(rows.length, DEFAULT_LOGIN_LIMITS.staffAccount.burst);
    assert.deepEqual(rows[0].detail, { purpose: 'second_factor' });
    // The same account's login is limited too: the budget is the account's, not the route's.
    await assert.rejects(
      staffLogin({
        db: t.db,
        kdf: CHEAP_KDF,
        limits,
        email: 'a@example.org',
        password: PASSWORD,
        code: loginCode('a@example.org'),
      }),
      { code: 'too_many_requests' },
    );
  });

  it('refuses forged, altered and expired tokens', async () => {
    const { token } = await staffLogin({
      db: t.db,
      kdf: CHEAP_KDF,
      limits: TEST_LIMITS,
      email: 'a@example.org',
      password: PASSWORD,
      code: loginCode('a@example.org'),
    });
    const raw = Buffer.from(token, 'base64url');
    raw[20] ^= 1; // the session key half: the row is found but the sealed key does not open
    assert.equal(await resolveStaffSession({ db: t.db, token: raw.toString('base64url') }), null);
    assert.equal(await resolveStaffSession({ db: t.db, token: 'A'.repeat(64) }), null);
    assert.equal(await resolveStaffSession({ db: t.db, token: 'short' }), null);
    assert.equal(await resolveStaffSession({ db: t.db, token: undefined }), null);
    await t.db
      .updateTable('staff_session')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .execute();
    assert.equal(await resolveStaffSession({ db: t.db, token }), null);
  });
});
