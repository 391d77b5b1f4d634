// The agency escrow, two people: an administrator asks, a custodian completes; the member gets the
// same private key back under a new password (their cases stay readable) and enrols again.
import assert from 'node:assert/strict';
import type { StaffMailer } from '../mail/staff-mail.ts';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createTestDatabase, type TestDatabase } from '../../test/support/db.ts';
import { CHEAP_KDF, TEST_LIMITS, loginCode, PASSWORD, seedAgency, seedStaff } from '../../test/support/app.ts';
import { getCase } from '../cases/get-case.ts';
import { newDraft, submitReport } from '../intake/submit-report.ts';
import { validateReport } from '../intake/validate-report.ts';
import { completeSetup, readSetupLink } from './add-user.ts';
import { decideRestore, enableEscrow, pendingRestores, requestRestore } from './escrow.ts';
import { resolveStaffSession, staffLogin, type StaffActor } from './session.ts';

describe('agency escrow', () => {
  let t: TestDatabase;
  const actors: Record<string, StaffActor> = {};
  const ids: Record<string, number> = {};
  const login = async (email: string, password = PASSWORD) => {
    const { token } = await staffLogin({
      db: t.db,
      kdf: CHEAP_KDF,
      limits: TEST_LIMITS,
      email,
      password,
      code: loginCode(email),
    });
    return (await resolveStaffSession({ db: t.db, token }))!;
  };

  const publicUrl = 'https://sujarit.example';
  const sent: { to: string; subject: string; text: string }[] = [];
  const mailer: StaffMailer = async (to, mail) => {
    sent.push({ to, ...mail });
  };

  before(async () => {
    t = await createTestDatabase();
    await seedAgency(t.db, 'OPDC');
    await seedAgency(t.db, 'NACC');
    for (const [name, roles] of [
      ['admin', ['agency_admin']],
      ['keeper', ['identity_custodian']],
      ['keeper2', ['identity_custodian']],
      ['io', ['intake_officer']],
    ] as const) {
      ids[name] = (await seedStaff(t.db, 'OPDC', `${name}@opdc.example`, [...roles])).id;
    }
    ids.other = (await seedStaff(t.db, 'NACC', 'keeper@nacc.example', ['identity_custodian'])).id;
    for (const name of ['admin', 'keeper', 'keeper2']) actors[name] = await login(`${name}@opdc.example`);
    actors.other = await login('keeper@nacc.example');
  });
  after(() => t.drop());

  it('restores a locked-out member with two people, keeping their key', async () => {
    await enableEscrow({ db: t.db, actor: actors.admin });
    const shares = await t.db.selectFrom('escrow_share').select(['user_id', 'share']).execute();
    assert.deepEqual(
      new Set(shares.map((s) => `${s.user_id}:${s.share}`)),
      new Set([`${ids.admin}:1`, `${ids.keeper}:2`, `${ids.keeper2}:2`]),
      'share 1 to administrators, share 2 to custodians',
    );
    await assert.rejects(
      requestRestore({ db: t.db, actor: actors.admin, userId: ids.io, mailer }),
      { code: 'conflict' },
      'not escrowed before a login',
    );
    await assert.rejects(
      requestRestore({ db: t.db, actor: actors.admin, userId: ids.io, mailer: null }),
      { code: 'conflict', userMessage: 'escrow.error.no_mail' },
      'no restore without mail to the member',
    );
    await login('io@opdc.example'); // escrows the key
    const { reference } = await submitReport({
      db: t.db,
      kdf: CHEAP_KDF,
      receiptSalt: randomBytes(16),
      draft: newDraft(),
      input: validateReport({ agency: 'OPDC', category: 'other', what: 'ก่อนล็อก' }),
      files: [],
      channel: 'web',
    });
    const { requestId } = await requestRestore({ db: t.db, actor: actors.admin, userId: ids.io, mailer });
    assert.deepEqual(
      sent.map((m) => m.to),
      ['io@opdc.example'],
      'the member is told of the request at once',
    );
    assert.match(sent[0].text, /admin@opdc\.example/);
    assert.deepEqual(await pendingRestores(t.db, actors.other), [], 'another agency’s custodian sees nothing');
    await assert.rejects(
      decideRestore({ db: t.db, actor: actors.other, requestId, approve: true, mailer, publicUrl }),
      { code: 'not_found' },
    );
    await assert.rejects(
      decideRestore({ db: t.db, actor: actors.admin, requestId, approve: true, mailer, publicUrl }),
      { code: 'forbidden' },
      'the asker is not a custodian',
    );
    assert.equal((await pendingRestores(t.db, actors.keeper)).length, 1);
    const decided = await decideRestore({
      db: t.db,
      actor: actors.keeper,
      requestId,
      approve: true,
      mailer,
      publicUrl,
    });
    assert.deepEqual(decided, { isMailed: true }, 'the custodian never sees the link');
    assert.deepEqual(
      sent.map((m) => m.to),
      ['io@opdc.example', 'io@opdc.example'],
      'the link goes to the member alone',
    );
    const token = /\/staff\/setup\/([A-Za-z0-9_-]+)/.exec(sent[1].text)![1];
    assert.equal((await readSetupLink(t.db, token)).purpose, 'restore');
    const before = await t.db
      .selectFrom('staff_user')
      .select(['public_key'])
      .where('id', '=', ids.io)
      .executeTakeFirstOrThrow();
    await completeSetup({ db: t.db, kdf: CHEAP_KDF, token, password: 'a brand new passphrase' });
    const after = await t.db
      .selectFrom('staff_user')
      .select(['public_key', 'totp_sealed'])
      .where('id', '=', ids.io)
      .executeTakeFirstOrThrow();
    assert.ok(after.public_key!.equals(before.public_key!), 'the same key pair');
    assert.equal(after.totp_sealed, null, 'the second factor is enrolled again');
    await assert.rejects(
      staffLogin({ db: t.db, kdf: CHEAP_KDF, limits: TEST_LIMITS, email: 'io@opdc.example', password: PASSWORD }),
      { code: 'unauthorized' },
    );
    const s = await staffLogin({
      db: t.db,
      kdf: CHEAP_KDF,
      limits: TEST_LIMITS,
      email: 'io@opdc.example',
      password: 'a brand new passphrase',
    });
    const io = (await resolveStaffSession({ db: t.db, token: s.token }))!;
    // Unenrolled, they read nothing until they enrol; the key itself opens the case again.
    await assert.rejects(getCase({ db: t.db, actor: io, reference }), { code: 'not_found' });
    assert.equal((await getCase({ db: t.db, actor: { ...io, isEnrolled: true }, reference })).content.what, 'ก่อนล็อก');
    await assert.rejects(
      completeSetup({ db: t.db, kdf: CHEAP_KDF, token, password: 'a brand new passphrase' }),
      { code: 'not_found' },
      'the link works once',
    );
  });

  it('needs two different people', async () => {
    await login('keeper@opdc.example');
    await assert.rejects(
      requestRestore({ db: t.db, actor: actors.keeper, userId: ids.keeper2, mailer }),
      { code: 'forbidden' },
      'a custodian does not ask',
    );
    const { requestId } = await requestRestore({ db: t.db, actor: actors.admin, userId: ids.keeper, mailer });
    await assert.rejects(
      decideRestore({ db: t.db, actor: actors.keeper, requestId, approve: true, mailer, publicUrl }),
      { code: 'forbidden' },
      'not for one’s own access',
    );
    await decideRestore({ db: t.db, actor: actors.keeper2, requestId, approve: false, mailer, publicUrl });
    assert.match(sent.at(-1)!.subject, /refused/, 'the member is told of a refusal too');
    await assert.rejects(
      requestRestore({ db: t.db, actor: actors.admin, userId: ids.other, mailer }),
      { code: 'not_found' },
      'only the agency’s members',
    );
  });

  it('keeps nothing that opens the escrow key in the database alone', async () => {
    const agency = await t.db
      .selectFrom('agency')
      .select('escrow_public_key')
      .where('code', '=', 'OPDC')
      .executeTakeFirstOrThrow();
    assert.equal(agency.escrow_public_key?.length, 32);
    const columns = await t.db.selectFrom('escrow_share').select('sealed').execute();
    assert.ok(
      columns.every((c) => c.sealed.length === 32 + 48),
      'each share is a sealed box, not the share itself',
    );
  });
});
