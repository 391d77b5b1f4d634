import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createTestDatabase, type TestDatabase } from '../../test/support/db.ts';
import { CHEAP_KDF, seedAgency, seedRecipient, seedStaff, signedInActor } from '../../test/support/app.ts';
import { getCase } from '../cases/get-case.ts';
import { createLoginThrottle } from './login-throttle.ts';
import { loadCaseView } from './case-view.ts';
import { openReporterSession } from './reporter-session.ts';
import { buddhistYear, newDraft, submitReport } from './submit-report.ts';
import { validateReport } from './validate-report.ts';
import { sql } from 'kysely';
import { migrate } from '../db/migrate.ts';

describe('submitReport', () => {
  let t: TestDatabase;
  const salt = randomBytes(16);
  const throttle = createLoginThrottle();
  before(async () => {
    t = await createTestDatabase();
    await seedAgency(t.db, 'OPDC');
    await seedAgency(t.db, 'INTAKE', { isIntakeOffice: true });
    await seedAgency(t.db, 'EMPTY');
    await seedAgency(t.db, 'NOKEEPER');
    await seedStaff(t.db, 'NOKEEPER', 'solo@nokeeper.example', ['intake_officer']);
    await seedStaff(t.db, 'OPDC', 'one@opdc.example', ['intake_officer']);
    await seedStaff(t.db, 'OPDC', 'two@opdc.example', ['intake_officer']);
    await seedStaff(t.db, 'OPDC', 'keeper@opdc.example', ['identity_custodian']);
    await seedStaff(t.db, 'OPDC', 'boss@opdc.example', ['supervisor']);
    await seedRecipient(t.db, 'INTAKE', 'intake@example.org');
  });
  after(() => t.drop());

  const file = (agency: string, extra: Record<string, string> = {}) =>
    submitReport({
      db: t.db,
      kdf: CHEAP_KDF,
      receiptSalt: salt,
      draft: newDraft(),
      input: validateReport({ agency, category: 'bribery', what: 'ข้อความลับ', ...extra }),
      files: [],
      channel: 'web',
    });

  const actor = (email: string) => signedInActor(t.db, email);

  it('seals the case to the intake officers, the identity to the custodians only, and both to the receipt', async () => {
    const done = await file('OPDC', { identityName: 'นายแจ้ง', identityContact: '081' });
    assert.match(done.reference, new RegExp(`^OPDC-${buddhistYear()}-\\d{6}$`));
    const keys = await t.db
      .selectFrom('case_key as k')
      .innerJoin('staff_user as u', 'u.id', 'k.user_id')
      .select(['u.email', 'k.purpose'])
      .where('k.case_id', '=', done.caseId)
      .orderBy('u.email')
      .orderBy('k.purpose')
      .execute();
    assert.deepEqual(
      keys.map((k) => `${k.email}:${k.purpose}`),
      [
        'keeper@opdc.example:identity',
        'one@opdc.example:content',
        'one@opdc.example:team',
        'two@opdc.example:content',
        'two@opdc.example:team',
      ],
    );
    for (const email of ['one@opdc.example', 'two@opdc.example']) {
      const view = await getCase({ db: t.db, actor: await actor(email), reference: done.reference });
      assert.equal(view.content.what, 'ข้อความลับ');
      assert.equal(view.identity, null, 'identity stays sealed until disclosed');
    }
    const tried = await getCase({
      db: t.db,
      actor: await actor('one@opdc.example'),
      reference: done.reference,
      withIdentity: true,
    });
    assert.equal(tried.identity, null, 'an intake officer cannot open the identity');
    for (const email of ['keeper@opdc.example', 'boss@opdc.example']) {
      await assert.rejects(
        getCase({ db: t.db, actor: await actor(email), reference: done.reference }),
        { code: 'not_found' },
        `${email} holds no content key`,
      );
    }
    const session = await openReporterSession({
      db: t.db,
      kdf: CHEAP_KDF,
      receiptSalt: salt,
      throttle,
      receipt: done.receipt,
    });
    const mine = await loadCaseView({ db: t.db, caseId: session.caseId, keys: session.keys, withIdentity: true });
    assert.equal(mine?.content.what, 'ข้อความลับ');
    assert.deepEqual(mine?.identity, { name: 'นายแจ้ง', contact: '081' });
    const audit = await t.db.selectFrom('audit_event').select('action').where('case_id', '=', done.caseId).execute();
    assert.deepEqual(audit.map((a) => a.action).sort(), [
      'case_access_denied',
      'case_access_denied',
      'case_access_denied',
      'case_opened',
      'case_opened',
      'case_opened',
    ]);
    const events = await t.db
      .selectFrom('case_ledger_event')
      .select('event')
      .where('case_id', '=', done.caseId)
      .orderBy('outbox_id')
      .execute();
    assert.deepEqual(
      events.map((e) => e.event),
      ['submission'],
    );
    const c = await t.db
      .selectFrom('report_case')
      .select(['ack_due_at', 'reply_due_at', 'feedback_due_at', 'created_at'])
      .where('id', '=', done.caseId)
      .executeTakeFirstOrThrow();
    assert.equal(
      Math.round((c.ack_due_at!.getTime() - c.created_at.getTime()) / 86_400_000),
      7,
      'acknowledge within 7 days',
    );
    assert.equal(
      Math.round((c.reply_due_at!.getTime() - c.created_at.getTime()) / 86_400_000),
      15,
      'first reply within 15 days',
    );
  });

  it('refuses an identity for an agency without a custodian, keeping nothing', async () => {
    await assert.rejects(file('NOKEEPER', { identityName: 'นายแจ้ง', identityContact: '081' }), {
      code: 'invalid_input',
      fields: { name: 'error.no_custodian' },
    });
  });

  it('sends "I don\'t know" to the intake office', async () => {
    const done = await file('unknown');
    assert.match(done.reference, /^INTAKE-/);
  });

  it('refuses an agency with no recipient and an unknown agency, storing nothing', async () => {
    const before = await t.db
      .selectFrom('report_case')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    await assert.rejects(file('EMPTY'), { code: 'invalid_input' });
    await assert.rejects(file('NOPE'), { code: 'invalid_input' });
    const afterCount = await t.db
      .selectFrom('report_case')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    assert.equal(afterCount.n, before.n);
  });

  it('does not open for the receipt of another case, a wrong receipt or another salt', async () => {
    const a = await file('OPDC');
    const b = await file('OPDC');
    const sa = await openReporterSession({ db: t.db, kdf: CHEAP_KDF, receiptSalt: salt, throttle, receipt: a.receipt });
    assert.equal(sa.caseId, a.caseId);
    assert.notEqual(sa.caseId, b.caseId);
    const wrong = a.receipt.slice(0, 15) + ((Number(a.receipt[15]) + 1) % 10);
    await assert.rejects(
      openReporterSession({ db: t.db, kdf: CHEAP_KDF, receiptSalt: salt, throttle, receipt: wrong }),
      { code: 'unauthorized' },
    );
    await assert.rejects(
      openReporterSession({ db: t.db, kdf: CHEAP_KDF, receiptSalt: randomBytes(16), throttle, receipt: a.receipt }),
      { code: 'unauthorized' },
    );
  });

  it('stores times to the minute only', async () => {
    const done = await file('OPDC');
    const row = await t.db
      .selectFrom('report_case')
      .select(['created_at', 'updated_at'])
      .where('id', '=', done.caseId)
      .executeTakeFirstOrThrow();
    assert.equal(row.created_at.getSeconds() + row.created_at.getMilliseconds(), 0);
    assert.equal(row.updated_at.getSeconds() + row.updated_at.getMilliseconds(), 0);
  });

  it('validates every field and names each one at fault', () => {
    assert.throws(
      () => validateReport({ agency: '', category: 'nope', what: '  ', when: 'x'.repeat(301), who: 5 }),
      (e: { fields: Record<string, string> }) => {
        assert.deepEqual(Object.keys(e.fields).sort(), ['agency', 'category', 'what', 'when', 'who'].sort());
        return true;
      },
    );
  });
});

describe('case references', () => {
  let t: TestDatabase;
  const salt = randomBytes(16);
  // 23:59 and 00:00 on New Year's Eve in Bangkok (UTC+7): Buddhist Era 2569, then 2570.
  const LAST_MINUTE_2569 = new Date('2026-12-31T16:59:00Z');
  const FIRST_MINUTE_2570 = new Date('2026-12-31T17:00:00Z');
  before(async () => {
    t = await createTestDatabase();
    for (const code of ['AGA', 'AGB', 'PAR', 'YEAR', 'OLD']) {
      await seedAgency(t.db, code);
      await seedRecipient(t.db, code, `io@${code.toLowerCase()}.example`);
    }
  });
  after(() => t.drop());

  const file = (agency: string, now = LAST_MINUTE_2569) =>
    submitReport({
      db: t.db,
      kdf: CHEAP_KDF,
      receiptSalt: salt,
      draft: newDraft(),
      input: validateReport({ agency, category: 'bribery', what: 'เรื่อง' }),
      files: [],
      channel: 'web',
      now,
    });

  it('numbers each agency from 1, whatever the other agencies file', async () => {
    const order = ['AGA', 'AGB', 'AGB', 'AGA', 'AGB', 'AGA'];
    const refs: string[] = [];
    for (const agency of order) refs.push((await file(agency)).reference);
    assert.deepEqual(refs, [
      'AGA-2569-000001',
      'AGB-2569-000001',
      'AGB-2569-000002',
      'AGA-2569-000002',
      'AGB-2569-000003',
      'AGA-2569-000003',
    ]);
  });

  it('gives 20 parallel filings in one agency 20 distinct, consecutive numbers', async () => {
    const done = await Promise.all(Array.from({ length: 20 }, () => file('PAR')));
    const numbers = done.map((d) => Number(/^PAR-2569-(\d{6})$/.exec(d.reference)![1])).sort((a, b) => a - b);
    assert.deepEqual(
      numbers,
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
  });

  it('starts again at 1 in a new Buddhist Era year', async () => {
    assert.equal((await file('YEAR', LAST_MINUTE_2569)).reference, 'YEAR-2569-000001');
    assert.equal((await file('YEAR', LAST_MINUTE_2569)).reference, 'YEAR-2569-000002');
    assert.equal((await file('YEAR', FIRST_MINUTE_2570)).reference, 'YEAR-2570-000001');
    assert.equal(
      (await file('YEAR', LAST_MINUTE_2569)).reference,
      'YEAR-2569-000003',
      'a late filing of the old year goes on from that year',
    );
  });

  it('continues after the stored references of the global numbering, so none is given twice', async () => {
    // A database from before 0015: OLD holds a case numbered 873 by the global sequence.
    const old = await file('OLD');
    await t.db.updateTable('report_case').set({ reference: 'OLD-2569-000873' }).where('id', '=', old.caseId).execute();
    await sql`drop table revoked_reporter_token, case_counter; delete from schema_migration where name = '0015_sessions_refs.sql'`.execute(
      t.db,
    );
    assert.deepEqual(await migrate(t.db), ['0015_sessions_refs.sql']);
    assert.equal((await file('OLD')).reference, 'OLD-2569-000874');
    assert.equal((await file('AGA')).reference, 'AGA-2569-000004', 'AGA went on from its own references');
    assert.equal((await file('OLD', FIRST_MINUTE_2570)).reference, 'OLD-2570-000001');
  });
});
