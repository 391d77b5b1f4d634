// Retention on a real database: a closed case past its agency's rule is crypto-shredded (no key
// left anywhere opens what it held, even a copy of its ciphertexts taken before), its ledger entries
// still verify, a held case is kept, each deletion is audited, the job is exactly-once with two
// runners, and one agency can neither set another's rules nor hold another's case.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { CHEAP_KDF, seedAgency, seedStaff, signedInActor, TEST_LIMITS } from '../../test/support/app.ts';
import { createTestDatabase, type TestDatabase } from '../../test/support/db.ts';
import {
  createTestLedger,
  dbReader,
  SignedHistory,
  type TestLedger,
  verifyWholeLog,
} from '../../test/support/ledger.ts';
import { caseRetention } from '../agencies/case-retention.ts';
import { checkRetention, deletionDate } from '../agencies/retention-rules.ts';
import { verifyAuditChain } from '../ledger/anchor-audit.ts';
import { aeadKey, openJson } from '../crypto/aead.ts';
import { deriveReceiptKeys, normalizeReceipt } from '../crypto/receipt.ts';
import { openSealed, type KeyPair } from '../crypto/sealed-box.ts';
import { loadSecrets } from '../crypto/secrets.ts';
import { decryptChunk, payloadKey } from '../crypto/stream.ts';
import { openFromTeam } from '../crypto/team-key.ts';
import type { StaffRole } from '../db/schema.ts';
import { storeUpload } from '../intake/attachments.ts';
import { contentAad, identityAad, messageAad, unwrapForReporter } from '../intake/case-keys.ts';
import { openReporterSession } from '../intake/reporter-session.ts';
import { replyAsReporter } from '../intake/reply-as-reporter.ts';
import { newDraft, submitReport, type Submitted } from '../intake/submit-report.ts';
import { validateReport } from '../intake/validate-report.ts';
import { openingAad } from '../ledger/append.ts';
import { runSequencer } from '../ledger/sequencer.ts';
import type { StaffActor } from '../staff/session.ts';
import { saveRetention } from '../staff/retention-settings.ts';
import { setLegalHold } from './legal-hold.ts';
import { openCaseKeys } from './open-case.ts';
import { postCaseMessage } from './post-case-message.ts';
import { applyRetention } from './retention.ts';
import { SPAM_RULE, transitionCase } from './workflow.ts';

const MONTH = 31 * 86_400_000;

describe('retention and legal hold', () => {
  let t: TestDatabase;
  let ledger: TestLedger;
  let dataDir: string;
  const salt = randomBytes(16);
  const people: Record<string, StaffActor> = {};
  const STAFF: [string, string, StaffRole[]][] = [
    ['io', 'OPDC', ['intake_officer']],
    ['keeper', 'OPDC', ['identity_custodian']],
    ['sup', 'OPDC', ['supervisor']],
    ['adm', 'OPDC', ['agency_admin']],
    ['nio', 'NACC', ['intake_officer']],
    ['nkeeper', 'NACC', ['identity_custodian']],
    ['nsup', 'NACC', ['supervisor']],
    ['nadm', 'NACC', ['agency_admin']],
  ];
  const cases: Record<string, Submitted> = {};
  const closedAt = new Date('2026-01-10T03:00:00Z');

  const file = async (agency: string, what: string, withIdentity: boolean) => {
    const draft = newDraft();
    const stored = await storeUpload({
      db: t.db,
      caseKey: draft.caseKey,
      stream: Readable.from([Buffer.from(`file of ${what}`)]),
      fileName: `${what}.txt`,
      maxBytes: 1_000_000,
    });
    return submitReport({
      db: t.db,
      kdf: CHEAP_KDF,
      receiptSalt: salt,
      draft,
      input: validateReport({
        agency,
        category: 'procurement_fraud',
        what,
        who: 'ผู้ถูกกล่าวหา',
        ...(withIdentity ? { identityName: `ชื่อ ${what}`, identityContact: '0812345678' } : {}),
      }),
      files: [stored],
      channel: 'web',
    });
  };
  const session = (receipt: string) =>
    openReporterSession({
      db: t.db,
      kdf: CHEAP_KDF,
      receiptSalt: salt,
      throttle: TEST_LIMITS.tracking,
      receipt,
    });
  /** A staff message and a reporter reply on the case, then closed as unfounded at `closedAt`. */
  const converseAndClose = async (name: string, io: string, at = closedAt) => {
    const c = cases[name];
    const opened = await openCaseKeys({ db: t.db, actor: people[io], reference: c.reference, purpose: 'case_opened' });
    await postCaseMessage({ db: t.db, actor: people[io], opened, text: `staff says ${name}`, files: [] });
    await replyAsReporter({ db: t.db, session: await session(c.receipt), text: `reporter says ${name}`, files: [] });
    await transitionCase({
      db: t.db,
      actor: people[io],
      reference: c.reference,
      to: 'closed',
      outcome: 'unfounded_or_malicious',
      reason: `closing ${name}`,
      rules: [SPAM_RULE],
      now: at,
    });
  };

  before(async () => {
    t = await createTestDatabase();
    dataDir = await mkdtemp(path.join(tmpdir(), 'sujarit-retention-'));
    await loadSecrets(dataDir); // the data folder's secrets, tried as keys below
    ledger = await createTestLedger(t.db);
    await seedAgency(t.db, 'OPDC');
    await seedAgency(t.db, 'NACC');
    for (const [name, agency, roles] of STAFF) await seedStaff(t.db, agency, `${name}@example.org`, roles);
    for (const [name] of STAFF) people[name] = await signedInActor(t.db, `${name}@example.org`);
    cases.shred = await file('OPDC', 'SHREDME-what', true);
    cases.held = await file('OPDC', 'HELD-what', true);
    cases.open = await file('OPDC', 'OPEN-what', false);
    cases.recent = await file('OPDC', 'RECENT-what', false);
    cases.nacc = await file('NACC', 'NACC-what', true);
    await converseAndClose('shred', 'io');
    await converseAndClose('held', 'io');
    await converseAndClose('recent', 'io', new Date('2026-06-01T03:00:00Z'));
    await converseAndClose('nacc', 'nio');
    await runSequencer({ db: t.db, key: ledger.key });
  });
  after(async () => {
    await ledger.cleanup();
    await rm(dataDir, { recursive: true, force: true });
    await t.drop();
  });

  const idOf = (name: string) => cases[name].caseId;

  /** Every sealed item of a case as stored now: a copy an attacker might have kept. */
  const captureSealed = async (caseId: string) => {
    const c = await t.db
      .selectFrom('report_case')
      .select(['content', 'identity'])
      .where('id', '=', caseId)
      .executeTakeFirstOrThrow();
    const messages = await t.db
      .selectFrom('case_message')
      .select(['id', 'body', 'thread'])
      .where('case_id', '=', caseId)
      .execute();
    const attachments = await t.db
      .selectFrom('attachment as a')
      .innerJoin('blob_chunk as b', 'b.blob_id', 'a.blob_id')
      .select(['a.id', 'a.meta', 'b.data'])
      .where('a.case_id', '=', caseId)
      .execute();
    const openings = await t.db
      .selectFrom('case_ledger_event')
      .select(['id', 'opening', 'sealing'])
      .where('case_id', '=', caseId)
      .execute();
    const reasons = await t.db
      .selectFrom('case_event')
      .select('reason')
      .where('case_id', '=', caseId)
      .where('reason', 'is not', null)
      .execute();
    assert.ok(messages.length >= 2 && attachments.length >= 1 && openings.length >= 2 && reasons.length >= 1);
    assert.ok(c.identity, 'the case was filed with an identity');
    return { content: c.content, identity: c.identity, messages, attachments, openings, reasons };
  };
  type Sealed = Awaited<ReturnType<typeof captureSealed>>;

  /** Every key left in the database and the data folder, opened as far as anyone could. */
  const remainingKeys = async (receipts: string[]) => {
    const pairs: KeyPair[] = Object.values(people).map((p) => p.keys);
    const symmetric: Buffer[] = [];
    const secrets = await loadSecrets(dataDir);
    symmetric.push(secrets.receiptSalt, secrets.cookieKey, secrets.channelKey);
    for (const r of await t.db.selectFrom('case_key').select('sealed_key').execute())
      for (const kp of pairs) {
        try {
          symmetric.push(openSealed(kp, r.sealed_key));
        } catch {}
      }
    const access = await t.db.selectFrom('reporter_access').select(['case_id', 'wrapped_keys']).execute();
    for (const receipt of receipts) {
      const derived = await deriveReceiptKeys(normalizeReceipt(receipt) ?? receipt, salt, CHEAP_KDF);
      symmetric.push(derived.key);
      for (const a of access) {
        try {
          const k = unwrapForReporter(derived.key, a.case_id, a.wrapped_keys);
          symmetric.push(k.content, ...(k.identity ? [k.identity] : []));
        } catch {}
      }
    }
    return { pairs, symmetric };
  };

  /** What of `sealed` opens with any of the keys: a list of labels (empty when nothing does). */
  const whatOpens = (caseId: string, sealed: Sealed, keys: { pairs: KeyPair[]; symmetric: Buffer[] }) => {
    const opened = new Set<string>();
    const attempt = (label: string, fn: () => unknown) => {
      try {
        fn();
        opened.add(label);
      } catch {}
    };
    for (const k of keys.symmetric) {
      if (k.length !== 32) continue; // a salt, not a key
      const key = aeadKey(k);
      attempt('content', () => openJson(key, sealed.content, contentAad(caseId)));
      attempt('identity', () => openJson(key, sealed.identity, identityAad(caseId)));
      for (const m of sealed.messages) {
        attempt('message', () => openJson(key, m.body, messageAad(caseId, m.id)));
      }
      for (const a of sealed.attachments) {
        attempt('attachment meta', () => openJson(key, a.meta, `attachment-meta/${caseId}/${a.id}`));
        const meta = (() => {
          try {
            return openJson<{ salt: string }>(key, a.meta, `attachment-meta/${caseId}/${a.id}`);
          } catch {
            return null;
          }
        })();
        if (meta)
          attempt('attachment', () =>
            decryptChunk(payloadKey(k, Buffer.from(meta.salt, 'base64'), a.id), 0, a.data, true),
          );
      }
      for (const o of sealed.openings) {
        attempt('opening', () => openJson(key, o.opening, openingAad(caseId, o.id)));
        attempt('opening', () => openFromTeam(k, openingAad(caseId, o.id), o.opening));
      }
      for (const r of sealed.reasons)
        attempt('reason', () => openFromTeam(k, `case-event-reason/${caseId}`, r.reason as Buffer));
    }
    for (const kp of keys.pairs) {
      for (const o of sealed.openings) attempt('opening', () => openSealed(kp, o.opening));
      for (const r of sealed.reasons) attempt('reason', () => openSealed(kp, r.reason as Buffer));
    }
    return [...opened].sort();
  };

  it('schedules a closed case by its rule and keeps an open one', async () => {
    const r = await caseRetention(t.db, idOf('shred'));
    assert.equal(r.state, 'scheduled');
    assert.deepEqual(r.state === 'scheduled' && r.on, deletionDate(closedAt, 6));
    assert.equal(r.state === 'scheduled' && r.rule.source, 'platform');
    assert.deepEqual(await caseRetention(t.db, idOf('open')), { state: 'open' });
  });

  it('refuses a hold from another agency, from a non-supervisor and without a reason', async () => {
    const hold = (who: string, reason: unknown = 'คดีอยู่ระหว่างการพิจารณาของศาล') =>
      setLegalHold({ db: t.db, actor: people[who], reference: cases.held.reference, hold: true, reason });
    await assert.rejects(hold('nsup'), { code: 'not_found' }, 'another agency’s supervisor');
    await assert.rejects(hold('io'), { code: 'not_found' }, 'an intake officer is not a supervisor');
    await assert.rejects(hold('adm'), { code: 'not_found' }, 'an administrator reads nothing');
    await assert.rejects(hold('sup', '   '), { code: 'invalid_input' });
    assert.deepEqual(await hold('sup'), { held: true });
    await assert.rejects(hold('sup'), { code: 'conflict' }, 'already held');
    assert.deepEqual(await caseRetention(t.db, idOf('held')), { state: 'held' });
  });

  it('refuses retention rules from another role and keeps each agency’s own', async () => {
    await assert.rejects(
      saveRetention({ db: t.db, actor: people.sup, input: { 'case.tip.unfounded_or_malicious': '1' } }),
      { code: 'forbidden' },
    );
    await saveRetention({
      db: t.db,
      actor: people.nadm,
      input: { 'case.tip.unfounded_or_malicious': '12', 'identity.tip': '1' },
    });
    const opdc = await t.db
      .selectFrom('agency')
      .select('settings')
      .where('code', '=', 'OPDC')
      .executeTakeFirstOrThrow();
    assert.equal(opdc.settings.retention, undefined, 'NACC’s administrator changed only NACC');
    const audit = await t.db
      .selectFrom('audit_event')
      .select(['actor_user_id', 'detail'])
      .where('action', '=', 'retention_changed')
      .execute();
    assert.deepEqual(
      audit.map((a) => a.actor_user_id),
      [people.nadm.id],
    );
  });

  it('refuses negative, huge, fractional, non-numeric and repeated periods, naming each field', () => {
    const bad = {
      'case.tip.unfounded_or_malicious': '-1',
      'case.tip.substantiated': '99999',
      'case.complaint.resolved': 'สิบ',
      'case.permit.resolved': '1.5',
      'identity.tip': ['1', '2'],
      'identity.complaint': '601',
      'case.tip.duplicate': '0',
    };
    assert.throws(
      () => checkRetention(bad),
      (e: { code: string; fields: Record<string, string> }) => {
        assert.equal(e.code, 'invalid_input');
        assert.deepEqual(Object.keys(e.fields).sort(), Object.keys(bad).sort());
        assert.ok(Object.values(e.fields).every((v) => v === 'retention.error.months'));
        return true;
      },
    );
    assert.deepEqual(checkRetention({ 'case.tip.duplicate': ' 3 ', 'identity.tip': '', nonsense: '5' }), {
      caseMonths: { 'tip.duplicate': 3 },
      identityMonths: {},
    });
  });

  it('shreds the case past its rule: no key left opens what it held; held, recent and open cases stay', async () => {
    const before = await captureSealed(idOf('shred'));
    const receipts = Object.values(cases).map((c) => c.receipt);
    // The same keys opened everything before: the check below can tell.
    assert.deepEqual(whatOpens(idOf('shred'), before, await remainingKeys(receipts)), [
      'attachment',
      'attachment meta',
      'content',
      'identity',
      'message',
      'opening',
      'reason',
    ]);
    const heldBefore = await captureSealed(idOf('held'));
    const now = new Date(closedAt.getTime() + 7 * MONTH);
    const run = await applyRetention({ db: t.db, now });
    // NACC erases tip identities a month after closure (set above); its case is kept 12 months.
    assert.deepEqual(run, { shredded: [cases.shred.reference], identitiesErased: [cases.nacc.reference] });
    assert.deepEqual(
      whatOpens(idOf('shred'), before, await remainingKeys(receipts)),
      [],
      'nothing of it opens any more',
    );
    // The held case still opens with what remains.
    assert.ok(whatOpens(idOf('held'), heldBefore, await remainingKeys(receipts)).includes('content'));
    const row = await t.db
      .selectFrom('report_case')
      .select(['reference', 'kind', 'status', 'outcome', 'content', 'identity', 'team_public_key'])
      .where('id', '=', idOf('shred'))
      .executeTakeFirstOrThrow();
    assert.deepEqual(
      { ...row, content: row.content.length },
      {
        reference: cases.shred.reference,
        kind: 'tip',
        status: 'closed',
        outcome: 'unfounded_or_malicious',
        content: 0,
        identity: null,
        team_public_key: null,
      },
    );
    for (const table of [
      'case_key',
      'reporter_access',
      'case_message',
      'attachment',
      'case_ledger_event',
      'case_witness',
    ] as const) {
      const left = await t.db.selectFrom(table).select('case_id').where('case_id', '=', idOf('shred')).execute();
      assert.equal(left.length, 0, `${table} keeps nothing of the case`);
    }
    const tomb = await t.db
      .selectFrom('case_tombstone')
      .selectAll()
      .where('case_id', '=', idOf('shred'))
      .executeTakeFirstOrThrow();
    assert.deepEqual(tomb.rule, { kind: 'tip', outcome: 'unfounded_or_malicious', months: 6, source: 'platform' });
    assert.deepEqual(tomb.closed_at, closedAt);
    assert.equal((await caseRetention(t.db, idOf('shred'))).state, 'shredded');
    await assert.rejects(session(cases.shred.receipt), { code: 'unauthorized' }, 'the receipt opens nothing');
    for (const name of ['held', 'open', 'recent']) {
      const c = await t.db
        .selectFrom('report_case')
        .select('content')
        .where('id', '=', idOf(name))
        .executeTakeFirstOrThrow();
      assert.ok(c.content.length > 0, `${name} keeps its content`);
    }
  });

  it('audits every deletion, keeps the audit chain and the ledger verifying', async () => {
    const rows = await t.db
      .selectFrom('audit_event')
      .select(['action', 'case_reference', 'actor_user_id', 'detail'])
      .where('action', 'in', ['case_shredded', 'identity_erased'])
      .orderBy('id')
      .execute();
    assert.deepEqual(
      rows.map((r) => [r.action, r.case_reference, r.actor_user_id]),
      [
        ['case_shredded', cases.shred.reference, null],
        ['identity_erased', cases.nacc.reference, null],
      ],
    );
    assert.equal(rows[0].detail.months, 6);
    await runSequencer({ db: t.db, key: ledger.key });
    const report = await verifyWholeLog(dbReader(t.db), {
      vkey: ledger.key.vkey,
      history: new SignedHistory(),
      inclusion: 'all',
    });
    assert.ok(report.size > 10, 'the log holds every case event and the audit anchors');
    const chain = await verifyAuditChain({ db: t.db });
    assert.ok(chain.rows > 0);
  });

  it('erased the identity past its own rule and kept the case (NACC: tip identities after 1 month)', async () => {
    const run = await applyRetention({ db: t.db, now: new Date(closedAt.getTime() + 8 * MONTH) });
    assert.deepEqual(run, { shredded: [], identitiesErased: [] }, 'nothing twice');
    const c = await t.db
      .selectFrom('report_case')
      .select(['identity', 'content', 'identity_erased_at'])
      .where('id', '=', idOf('nacc'))
      .executeTakeFirstOrThrow();
    assert.equal(c.identity, null);
    assert.ok(c.content.length > 0 && c.identity_erased_at);
    const keys = await t.db.selectFrom('case_key').select('purpose').where('case_id', '=', idOf('nacc')).execute();
    assert.ok(!keys.some((k) => k.purpose === 'identity'), 'no identity key left');
  });

  it('shreds a case once with two runners at once, and a lifted hold lets it go', async () => {
    await setLegalHold({
      db: t.db,
      actor: people.sup,
      reference: cases.held.reference,
      hold: false,
      reason: 'ศาลมีคำพิพากษาแล้ว',
    });
    const now = new Date(closedAt.getTime() + 7 * MONTH);
    const runs = await Promise.all([applyRetention({ db: t.db, now }), applyRetention({ db: t.db, now })]);
    assert.deepEqual(
      runs.flatMap((r) => r.shredded),
      [cases.held.reference],
    );
    const audited = await t.db
      .selectFrom('audit_event')
      .select('id')
      .where('action', '=', 'case_shredded')
      .where('case_reference', '=', cases.held.reference)
      .execute();
    assert.equal(audited.length, 1);
    const holds = await t.db
      .selectFrom('audit_event')
      .select('action')
      .where('action', 'in', ['case_hold_set', 'case_hold_lifted'])
      .execute();
    assert.deepEqual(holds.map((h) => h.action).sort(), ['case_hold_lifted', 'case_hold_set']);
    await assert.rejects(
      setLegalHold({ db: t.db, actor: people.sup, reference: cases.held.reference, hold: true, reason: 'สายเกินไป' }),
      { code: 'conflict' },
      'a shredded case cannot be held',
    );
  });
});
