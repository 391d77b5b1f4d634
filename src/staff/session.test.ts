import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestDatabase, type TestDatabase } from '../../test/support/db.ts';
import { CHEAP_KDF, loginCode, PASSWORD, seedAgency, seedRecipient, TOTP_SECRET } from '../../test/support/app.ts';
import { totpCode } from './totp.ts';
import { addStaffUser } from './add-user.ts';
import { enrolTotp, resolveStaffSession, staffLogin, staffLogout } from './session.ts';

describe('staff accounts and sessions', () => {
  let t: TestDatabase;
  before(async () => {
    t = await createTestDatabase();
    await seedAgency(t.db, 'OPDC');
    await seedRecipient(t.db, 'OPDC', 'a@example.org');
  });
  after(() => t.drop());

  it('stores no password and no private key in the clear', async () => {
    const row = await t.db.selectFrom('staff_user').selectAll().where('email', '=', 'a@example.org').executeTakeFirstOrThrow();
    const text = JSON.stringify(row);
    assert.ok(!text.includes(PASSWORD));
    assert.equal(row.public_key?.length, 32);
    assert.ok(row.wrapped_private_key!.length > 32);
    assert.ok(!row.totp_sealed!.includes(TOTP_SECRET), 'the TOTP secret is sealed');
  });

  it('refuses bad input, unknown agencies and duplicate emails', async () => {
    const base = { db: t.db, kdf: CHEAP_KDF, agencyCode: 'OPDC', email: 'b@example.org', roles: ['investigator'], password: PASSWORD };
    await assert.rejects(addStaffUser({ ...base, email: 'not-an-email' }), { code: 'invalid_input' });
    await assert.rejects(addStaffUser({ ...base, roles: ['god'] }), { code: 'invalid_input' });
    await assert.rejects(addStaffUser({ ...base, roles: [] }), { code: 'invalid_input' });
    await assert.rejects(addStaffUser({ ...base, roles: ['platform_admin'] }), { code: 'invalid_input' }, 'a platform administrator belongs to no agency');
    await assert.rejects(addStaffUser({ ...base, agencyCode: null, roles: ['investigator'] }), { code: 'invalid_input' });
    await assert.rejects(addStaffUser({ ...base, password: 'short' }), { code: 'invalid_input' });
    await assert.rejects(addStaffUser({ ...base, agencyCode: 'NOPE' }), { code: 'not_found' });
    await assert.rejects(addStaffUser({ ...base, email: 'A@Example.org' }), { code: 'conflict' });
  });

  it('logs in, opens the key pair through the token, and logs out', async () => {
    const { token } = await staffLogin({ db: t.db, kdf: CHEAP_KDF, email: ' A@example.org ', password: PASSWORD, code: loginCode('a@example.org') });
    const actor = await resolveStaffSession({ db: t.db, token });
    assert.equal(actor?.email, 'a@example.org');
    assert.equal(actor?.keys.privateKey.length, 32);
    await staffLogout({ db: t.db, token });
    assert.equal(await resolveStaffSession({ db: t.db, token }), null);
  });

  it('gives the same error for a wrong password and an unknown email', async () => {
    await assert.rejects(staffLogin({ db: t.db, kdf: CHEAP_KDF, email: 'a@example.org', password: 'wrong password!!' }), { code: 'unauthorized', userMessage: 'error.login_failed' });
    await assert.rejects(staffLogin({ db: t.db, kdf: CHEAP_KDF, email: 'nobody@example.org', password: PASSWORD }), { code: 'unauthorized', userMessage: 'error.login_failed' });
  });

  it('requires the second factor once enrolled, and takes a TOTP code only once', async () => {
    const login = (code: string) => staffLogin({ db: t.db, kdf: CHEAP_KDF, email: 'a@example.org', password: PASSWORD, code });
    await assert.rejects(login(''), { code: 'unauthorized', userMessage: 'error.login_code' });
    await assert.rejects(login('123456'), { code: 'unauthorized', userMessage: 'error.login_code' });
    const code = totpCode(TOTP_SECRET);
    assert.equal((await login(code)).isEnrolled, true);
    await assert.rejects(login(code), { code: 'unauthorized', userMessage: 'error.login_code' }, 'a replayed code is refused');
    const recovery = loginCode('a@example.org');
    await login(recovery);
    await assert.rejects(login(recovery), { code: 'unauthorized' }, 'a recovery code works once');
  });

  it('replaces an enrolled second factor only with the current password', async () => {
    const { token } = await staffLogin({ db: t.db, kdf: CHEAP_KDF, email: 'a@example.org', password: PASSWORD, code: loginCode('a@example.org') });
    const actor = (await resolveStaffSession({ db: t.db, token }))!;
    const seeded = await t.db.selectFrom('staff_user').select(['totp_sealed', 'recovery_hashes']).where('id', '=', actor.id).executeTakeFirstOrThrow();
    const secret = Buffer.alloc(20, 7);
    await assert.rejects(enrolTotp({ db: t.db, kdf: CHEAP_KDF, actor, secret, code: totpCode(secret) }), { code: 'unauthorized' }, 'a stolen session alone cannot swap the authenticator');
    await assert.rejects(enrolTotp({ db: t.db, kdf: CHEAP_KDF, actor, secret, code: totpCode(secret), currentPassword: 'wrong password!!' }), { code: 'unauthorized' });
    const codes = await enrolTotp({ db: t.db, kdf: CHEAP_KDF, actor, secret, code: totpCode(secret), currentPassword: PASSWORD });
    assert.equal(codes.length, 10);
    // The seeded second factor back, for the other tests.
    await t.db.updateTable('staff_user').set({ totp_sealed: seeded.totp_sealed, recovery_hashes: seeded.recovery_hashes, totp_last_step: null }).where('id', '=', actor.id).execute();
  });

  it('lets a user without a second factor in only to enrol one', async () => {
    await addStaffUser({ db: t.db, kdf: CHEAP_KDF, agencyCode: 'OPDC', email: 'new@example.org', roles: ['investigator'], password: PASSWORD });
    const s = await staffLogin({ db: t.db, kdf: CHEAP_KDF, email: 'new@example.org', password: PASSWORD });
    assert.equal(s.isEnrolled, false);
    assert.equal((await resolveStaffSession({ db: t.db, token: s.token }))?.isEnrolled, false);
  });

  it('refuses forged, altered and expired tokens', async () => {
    const { token } = await staffLogin({ db: t.db, kdf: CHEAP_KDF, email: 'a@example.org', password: PASSWORD, code: loginCode('a@example.org') });
    const raw = Buffer.from(token, 'base64url');
    raw[20] ^= 1; // the session key half: the row is found but the sealed key does not open
    assert.equal(await resolveStaffSession({ db: t.db, token: raw.toString('base64url') }), null);
    assert.equal(await resolveStaffSession({ db: t.db, token: 'A'.repeat(64) }), null);
    assert.equal(await resolveStaffSession({ db: t.db, token: 'short' }), null);
    assert.equal(await resolveStaffSession({ db: t.db, token: undefined }), null);
    await t.db.updateTable('staff_session').set({ expires_at: new Date(Date.now() - 1000) }).execute();
    assert.equal(await resolveStaffSession({ db: t.db, token }), null);
  });
});
