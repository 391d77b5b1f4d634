// The case-handling domain end to end on a real database: need-to-know by sealed keys, the
// workflow, assignment with the named-person check, identity escrow, conflict and referral.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createTestDatabase, type TestDatabase } from '../../test/support/db.ts';
import { CHEAP_KDF, TEST_LIMITS, loginCode, PASSWORD, seedAgency, seedStaff } from '../../test/support/app.ts';
import type { StaffRole } from '../db/schema.ts';
import { loadCaseView } from '../intake/case-view.ts';
import { createLoginThrottle } from '../intake/login-throttle.ts';
import { openReporterSession } from '../intake/reporter-session.ts';
import { newDraft, submitReport, type Submitted } from '../intake/submit-report.ts';
import { validateReport } from '../intake/validate-report.ts';
import { resolveStaffSession, staffLogin, type StaffActor } from '../staff/session.ts';
import { loadCaseMeta } from './case-meta.ts';
import { getCase } from './get-case.ts';
import { decideIdentity, pendingIdentityRequests, requestIdentity } from './identity.ts';
import { listCases } from './list-cases.ts';
import { openCaseKeys } from './open-case.ts';
import { postCaseMessage } from './post-case-message.ts';
import { referCase } from './referral.ts';
import { fulfilGrants } from './handover.ts';
import { accessList, assignInvestigator, removeFromCase } from './team-members.ts';
import { transitionCase } from './workflow.ts';

describe('case handling across roles and agencies', () => {
  let t: TestDatabase;
  const salt = randomBytes(16);
  const people: Record<string, StaffActor> = {};
  let report: Submitted;
  const STAFF: [string, string, StaffRole[], string][] = [
    ['io', 'OPDC', ['intake_officer'], 'Intake Officer'],
    ['inv', 'OPDC', ['investigator'], 'Somsri Honest'],
    ['named', 'OPDC', ['investigator'], 'ประยุทธ์ ทุจริต'],
    ['sup', 'OPDC', ['supervisor'], 'Supervisor'],
    ['keeper', 'OPDC', ['identity_custodian'], 'Keeper'],
    ['aud', 'OPDC', ['auditor'], 'Auditor'],
    ['adm', 'OPDC', ['agency_admin'], 'Admin'],
    ['nio', 'NACC', ['intake_officer'], 'NACC Intake'],
    ['nkeeper', 'NACC', ['identity_custodian'], 'NACC Keeper'],
  ];
  const who = (name: string) => people[name];
  const reasonOf = 'เหตุผลประกอบการดำเนินการ';

  before(async () => {
    t = await createTestDatabase();
    await seedAgency(t.db, 'OPDC');
    await seedAgency(t.db, 'NACC');
    for (const [name, agency, roles, displayName] of STAFF)
      await seedStaff(t.db, agency, `${name}@example.org`, roles, { displayName });
    for (const [name] of STAFF) {
      const email = `${name}@example.org`;
      const { token } = await staffLogin({
        db: t.db,
        kdf: CHEAP_KDF,
        limits: TEST_LIMITS,
        email,
        password: PASSWORD,
        code: loginCode(email),
      });
      people[name] = (await resolveStaffSession({ db: t.db, token }))!;
    }
    const input = validateReport({
      agency: 'OPDC',
      category: 'procurement_fraud',
      what: 'การจัดซื้อจัดจ้างไม่โปร่งใส',
      who: 'นาย ประยุทธ์  ทุจริต หัวหน้าพัสดุ',
      identityName: 'ผู้แจ้ง ลับ',
      identityContact: '0812345678',
    });
    report = await submitReport({
      db: t.db,
      kdf: CHEAP_KDF,
      receiptSalt: salt,
      draft: newDraft(),
      input,
      files: [],
      channel: 'web',
    });
  });
  after(() => t.drop());

  const canRead = async (name: string) => {
    try {
      await getCase({ db: t.db, actor: who(name), reference: report.reference });
      return true;
    } catch (e) {
      assert.equal((e as { code: string }).code, 'not_found');
      return false;
    }
  };

  it('is readable by the intake officers only at first; supervisors and auditors see metadata', async () => {
    const readers = [];
    for (const [name] of STAFF) if (await canRead(name)) readers.push(name);
    assert.deepEqual(readers, ['io']);
    assert.equal((await loadCaseMeta(t.db, who('sup'), report.reference, 'case_opened')).holdsKey, false);
    assert.equal((await loadCaseMeta(t.db, who('aud'), report.reference, 'case_opened')).status, 'new');
    await assert.rejects(
      loadCaseMeta(t.db, who('adm'), report.reference, 'case_opened'),
      { code: 'not_found' },
      'an agency administrator reads nothing',
    );
    await assert.rejects(
      loadCaseMeta(t.db, who('nio'), report.reference, 'case_opened'),
      { code: 'not_found' },
      'another agency sees nothing',
    );
    assert.equal((await listCases({ db: t.db, actor: who('aud'), scope: 'agency' })).total, 1);
    assert.equal((await listCases({ db: t.db, actor: who('inv'), scope: 'mine' })).total, 0);
    const denied = await t.db
      .selectFrom('audit_event')
      .select('actor_user_id')
      .where('case_id', '=', report.caseId)
      .where('action', '=', 'case_access_denied')
      .execute();
    assert.ok(denied.length >= 8, 'every refused attempt is audited');
  });

  it('moves through the workflow by role, with a reason for every move but acknowledging', async () => {
    const move = (name: string, to: string, extra: { outcome?: string; reason?: string } = {}) =>
      transitionCase({
        db: t.db,
        actor: who(name),
        reference: report.reference,
        to,
        reason: extra.reason ?? reasonOf,
        outcome: extra.outcome,
      });
    await assert.rejects(move('io', 'screening'), { code: 'conflict' }, 'acknowledge first');
    await assert.rejects(move('inv', 'acknowledged'), { code: 'not_found' }, 'not on the team');
    await assert.rejects(move('sup', 'acknowledged'), { code: 'conflict' }, 'not a supervisor’s move');
    assert.deepEqual(await move('io', 'acknowledged'), { from: 'new', to: 'acknowledged' });
    await assert.rejects(move('io', 'screening', { reason: '  ' }), { code: 'invalid_input' });
    await move('io', 'screening');
    await move('sup', 'investigating'); // on metadata alone: reason and opening sealed to the team
    const meta = await loadCaseMeta(t.db, who('io'), report.reference, 'case_opened');
    assert.equal(meta.ackDueAt, null, 'acknowledging meets the first clock');
    const view = await getCase({ db: t.db, actor: who('io'), reference: report.reference });
    assert.deepEqual(
      view.history.map((h) => [h.toStatus, h.reason]),
      [
        ['acknowledged', reasonOf],
        ['screening', reasonOf],
        ['investigating', reasonOf],
      ],
    );
    const ledger = await t.db
      .selectFrom('case_ledger_event')
      .select(['event', 'sealing'])
      .where('case_id', '=', report.caseId)
      .orderBy('outbox_id')
      .execute();
    assert.deepEqual(
      ledger.map((e) => `${e.event}/${e.sealing}`),
      ['submission/content', 'acknowledgement/content', 'status_change/content', 'status_change/team'],
    );
  });

  it('hands the key to an assigned investigator through a holder’s session, never to someone named in the report', async () => {
    const first = await assignInvestigator({
      db: t.db,
      actor: who('sup'),
      reference: report.reference,
      userId: who('inv').id,
    });
    assert.deepEqual(first, { access: 'waiting', mailed: 0, failed: 0 }, 'the supervisor holds no key');
    assert.equal(await canRead('inv'), false, 'waiting for a holder');
    await assignInvestigator({ db: t.db, actor: who('sup'), reference: report.reference, userId: who('named').id });
    assert.deepEqual(await fulfilGrants({ db: t.db, actor: who('io') }), { sealed: 1, refused: 1 });
    assert.equal(await canRead('inv'), true);
    assert.equal(await canRead('named'), false, 'named in the report: refused');
    assert.equal((await listCases({ db: t.db, actor: who('inv'), scope: 'assigned' })).total, 1);
    assert.equal((await listCases({ db: t.db, actor: who('named'), scope: 'assigned' })).total, 0);
    await assert.rejects(
      assignInvestigator({ db: t.db, actor: who('io'), reference: report.reference, userId: who('inv').id }),
      { code: 'forbidden' },
    );
    await assert.rejects(
      assignInvestigator({ db: t.db, actor: who('sup'), reference: report.reference, userId: who('nio').id }),
      { code: 'invalid_input' },
      'only the agency’s investigators',
    );
    const access = await accessList(t.db, report.caseId);
    assert.deepEqual(
      access
        .filter((a) => a.purposes.includes('content'))
        .map((a) => a.email)
        .sort(),
      ['inv@example.org', 'io@example.org'],
    );
  });

  it('keeps internal notes from the reporter', async () => {
    const opened = await openCaseKeys({
      db: t.db,
      actor: who('inv'),
      reference: report.reference,
      purpose: 'note_posted',
    });
    await postCaseMessage({ db: t.db, actor: who('inv'), opened, text: 'บันทึกภายในของทีม', files: [], internal: true });
    await postCaseMessage({ db: t.db, actor: who('inv'), opened, text: 'ขอข้อมูลเพิ่มเติม', files: [] });
    const team = await getCase({ db: t.db, actor: who('io'), reference: report.reference });
    assert.deepEqual(
      team.notes.map((n) => n.text),
      ['บันทึกภายในของทีม'],
    );
    const session = await openReporterSession({
      db: t.db,
      kdf: CHEAP_KDF,
      receiptSalt: salt,
      throttle: createLoginThrottle(),
      receipt: report.receipt,
    });
    const mine = (await loadCaseView({ db: t.db, caseId: session.caseId, keys: session.keys, withIdentity: false }))!;
    assert.deepEqual(
      mine.messages.map((m) => [m.text, m.authorRole]),
      [['ขอข้อมูลเพิ่มเติม', 'investigator']],
    );
    assert.equal(mine.notes.length, 0);
    assert.ok(
      mine.history.every((h) => h.reason === null && h.actorUserId === null),
      'the reporter sees no reasons and no names',
    );
    assert.deepEqual(
      mine.history.map((h) => h.toStatus),
      ['acknowledged', 'screening', 'investigating'],
    );
  });

  it('discloses the identity only after a custodian approves, and tells the reporter', async () => {
    const before = await getCase({ db: t.db, actor: who('inv'), reference: report.reference, withIdentity: true });
    assert.equal(before.identity, null);
    await assert.rejects(
      requestIdentity({ db: t.db, actor: who('io'), reference: report.reference, reason: 'x' }),
      { code: 'forbidden' },
      'intake officers do not ask',
    );
    const { requestId } = await requestIdentity({
      db: t.db,
      actor: who('inv'),
      reference: report.reference,
      reason: 'ต้องสอบปากคำผู้แจ้ง',
    });
    assert.deepEqual(
      await pendingIdentityRequests(t.db, who('nkeeper')),
      [],
      'a custodian of another agency does not see it',
    );
    const pending = await pendingIdentityRequests(t.db, who('keeper'));
    assert.equal(pending.length, 1);
    assert.equal(pending[0].reason, 'ต้องสอบปากคำผู้แจ้ง');
    await assert.rejects(decideIdentity({ db: t.db, actor: who('sup'), requestId, approve: true, reason: 'ok' }), {
      code: 'not_found',
    });
    await decideIdentity({ db: t.db, actor: who('keeper'), requestId, approve: true, reason: 'จำเป็นต่อการสอบสวน' });
    await assert.rejects(
      decideIdentity({ db: t.db, actor: who('keeper'), requestId, approve: false, reason: 'again' }),
      { code: 'conflict' },
    );
    const after = await getCase({ db: t.db, actor: who('inv'), reference: report.reference, withIdentity: true });
    assert.deepEqual(after.identity, { name: 'ผู้แจ้ง ลับ', contact: '0812345678' });
    assert.equal(
      (await getCase({ db: t.db, actor: who('io'), reference: report.reference, withIdentity: true })).identity,
      null,
      'only to the requester',
    );
    const session = await openReporterSession({
      db: t.db,
      kdf: CHEAP_KDF,
      receiptSalt: salt,
      throttle: createLoginThrottle(),
      receipt: report.receipt,
    });
    const mine = (await loadCaseView({ db: t.db, caseId: session.caseId, keys: session.keys, withIdentity: false }))!;
    assert.equal(mine.history.at(-1)?.kind, 'identity_disclosed');
  });

  it('takes a staff member who declares a conflict off the case', async () => {
    await assert.rejects(
      removeFromCase({ db: t.db, actor: who('io'), reference: report.reference, userId: who('inv').id, reason: 'x' }),
      { code: 'forbidden' },
    );
    await removeFromCase({
      db: t.db,
      actor: who('io'),
      reference: report.reference,
      userId: who('io').id,
      reason: 'ญาติของผู้ถูกร้อง',
      isConflict: true,
    });
    assert.equal(await canRead('io'), false);
    const keys = await t.db
      .selectFrom('case_key')
      .select('purpose')
      .where('case_id', '=', report.caseId)
      .where('user_id', '=', who('io').id)
      .execute();
    assert.deepEqual(keys, []);
  });

  it('refers the case to another agency: one receipt, one history, the sender gives up access', async () => {
    await assert.rejects(
      referCase({
        db: t.db,
        actor: who('inv'),
        reference: report.reference,
        toAgencyCode: 'NACC',
        mode: 'transfer',
        keepAccess: false,
        reason: 'x',
      }),
      { code: 'forbidden' },
    );
    const r = await referCase({
      db: t.db,
      actor: who('sup'),
      reference: report.reference,
      toAgencyCode: 'NACC',
      mode: 'transfer',
      keepAccess: false,
      reason: 'อยู่ในอำนาจ ป.ป.ช.',
    });
    assert.equal(r.pendingGrants, 2, 'NACC’s intake officer (content) and custodian (identity)');
    assert.equal(await canRead('nio'), false);
    // The investigator holds both keys (the identity was disclosed to them): one session hands both over.
    assert.deepEqual(await fulfilGrants({ db: t.db, actor: who('inv') }), { sealed: 2, refused: 0 });
    assert.equal(await canRead('nio'), true);
    assert.equal(
      await getCase({ db: t.db, actor: who('nkeeper'), reference: report.reference }).catch(() => null),
      null,
      'the custodian holds the identity only',
    );
    const nkeeper = await t.db
      .selectFrom('case_key')
      .select('purpose')
      .where('case_id', '=', report.caseId)
      .where('user_id', '=', who('nkeeper').id)
      .execute();
    assert.deepEqual(
      nkeeper.map((k) => k.purpose),
      ['identity'],
    );
    assert.equal(await canRead('inv'), false, 'every grant sealed: the sender’s keys are gone');
    const left = await t.db
      .selectFrom('case_key as k')
      .innerJoin('staff_user as u', 'u.id', 'k.user_id')
      .select('u.email')
      .where('k.case_id', '=', report.caseId)
      .where('u.agency_id', '<>', who('nio').agencyId)
      .execute();
    assert.deepEqual(left, []);
    const meta = await loadCaseMeta(t.db, who('nio'), report.reference, 'case_opened');
    assert.equal(meta.status, 'referred');
    await assert.rejects(
      loadCaseMeta(t.db, who('sup'), report.reference, 'case_opened'),
      { code: 'not_found' },
      'the sending agency gave up access, metadata included',
    );
    await transitionCase({
      db: t.db,
      actor: who('nio'),
      reference: report.reference,
      to: 'acknowledged',
      reason: 'รับเรื่อง',
    });
    const session = await openReporterSession({
      db: t.db,
      kdf: CHEAP_KDF,
      receiptSalt: salt,
      throttle: createLoginThrottle(),
      receipt: report.receipt,
    });
    const mine = (await loadCaseView({ db: t.db, caseId: session.caseId, keys: session.keys, withIdentity: false }))!;
    assert.equal(mine.agency.code, 'NACC');
    assert.deepEqual(
      mine.history.slice(-2).map((h) => [h.kind, h.agency?.code ?? null, h.toStatus]),
      [
        ['referred', 'NACC', 'referred'],
        ['status', null, 'acknowledged'],
      ],
    );
  });
});
