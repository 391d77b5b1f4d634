// Declarations against a real database: an administrator designates a position; the declarant
// files (twice with the same token: one filing); the content is sealed (a logical dump holds no
// declared figure, description or juristic number); the reviewer of the agency reads it with its
// flags and the conflict alerts from a seeded contract and a seeded case; a colleague, the
// administrator and another agency's reviewer read nothing; a reviewer added later gets the keys when
// a key holder lists; the declarant recuses from the case; reminders go out once, even from two runners.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { seedAgency, seedStaff, signedInActor } from '../../test/support/app.ts';
import { createTestDatabase, type TestDatabase } from '../../test/support/db.ts';
import { scanner } from '../../test/support/leak-scan.ts';
import { logicalDump } from '../../test/support/logical-dump.ts';
import { seedCases } from '../../test/support/risk.ts';
import { seedContract } from '../../test/support/declarations.ts';
import { startSmtp } from '../../test/support/smtp.ts';
import { newTeamKey, teamKeyPair } from '../crypto/team-key.ts';
import { openSealed, sealTo } from '../crypto/sealed-box.ts';
import { createMailTransport } from '../mail/mailer.ts';
import { sendDeclarationReminders } from '../notify/declaration-reminders.ts';
import type { StaffActor } from '../staff/session.ts';
import { recuse } from './conflicts.ts';
import { figuresOf } from './checks.ts';
import type { DeclarationContent } from './content.ts';
import { addPosition, positionsOf, savePolicy, setHolding, DEFAULT_POLICY } from './positions.ts';
import { recheckAgency } from './recheck.ts';
import { fileDeclaration, listForReviewer, myDeclarations, openDeclaration } from './store.ts';
import { openSummary, sealSummary } from './summary.ts';

const SUPPLIER = '0107544000108';
const CASE_BUSINESS = '0107536000102';
const MARKER = 'MRK-declared-land-9f3c1e';
const FIGURE = 7_314_159.27;

const content = (p: Partial<DeclarationContent> = {}): DeclarationContent => ({
  occasion: 'entry',
  income: 120_000,
  assets: [
    { kind: 'land', description: MARKER, value: FIGURE, acquiredOn: '2024-05-01' },
    { kind: 'deposit', description: 'ออมทรัพย์', value: 1_500_000, acquiredOn: null },
    { kind: 'vehicle', description: 'รถยนต์', value: null, acquiredOn: '2025-01-02' },
  ],
  liabilities: [],
  interests: [
    { kind: 'shareholding', juristicId: SUPPLIER, name: 'บริษัทผู้ขาย จำกัด' },
    { kind: 'relative_business', juristicId: CASE_BUSINESS, name: 'ห้างญาติ' },
  ],
  explanation: '',
  ...p,
});

describe('declarations', () => {
  let t: TestDatabase;
  const who: Record<string, StaffActor> = {};
  let caseRef = '';
  let caseId = '';
  let firstId = '';
  let secondId = '';
  /** A declaration's content key, opened with the holder's own key. */
  const contentKey = async (holder: StaffActor, id: string) => {
    const k = await t.db
      .selectFrom('declaration_key')
      .select('sealed_key')
      .where('declaration_id', '=', id)
      .where('user_id', '=', holder.id)
      .executeTakeFirstOrThrow();
    return openSealed(holder.keys, k.sealed_key);
  };
  const summaryOn = async () =>
    (await t.db.selectFrom('declaration').select(['id', 'summary']).orderBy('filed_at').execute()).map(
      (r) => r.summary !== null,
    );

  before(async () => {
    t = await createTestDatabase();
    await seedAgency(t.db, 'OPDC');
    await seedAgency(t.db, 'NACC');
    const people: [string, string, Parameters<typeof seedStaff>[3]][] = [
      ['admin@opdc.example', 'OPDC', ['agency_admin']],
      ['decl@opdc.example', 'OPDC', ['investigator']],
      ['colleague@opdc.example', 'OPDC', ['investigator']],
      ['rev@opdc.example', 'OPDC', ['declaration_reviewer']],
      ['rev@nacc.example', 'NACC', ['declaration_reviewer']],
    ];
    for (const [email, agency, roles] of people) await seedStaff(t.db, agency, email, roles);
    for (const [email] of people) who[email] = await signedInActor(t.db, email);
    // a contract of the agency won by the declared supplier, and one of another agency
    for (const [agencyCode, ocid] of [
      ['OPDC', 'ocds-test-opdc-1'],
      ['NACC', 'ocds-test-nacc-1'],
    ] as const)
      await seedContract(t.db, { agencyCode, ocid, title: 'จ้างซ่อมถนน', supplierId: SUPPLIER, supplierName: 'x' });
    // a case the declarant handles that the case team recorded as concerning the relative's business
    await seedCases(t.db, { agency: 'OPDC', count: 1, category: 'bribery', at: new Date().toISOString() });
    const c = await t.db.selectFrom('report_case').select(['id', 'reference']).executeTakeFirstOrThrow();
    caseRef = c.reference;
    caseId = c.id;
    const teamKey = newTeamKey();
    await t.db
      .updateTable('report_case')
      .set({ team_public_key: teamKeyPair(teamKey).publicKey })
      .where('id', '=', caseId)
      .execute();
    const decl = who['decl@opdc.example'];
    await t.db
      .insertInto('case_key')
      .values({
        case_id: caseId,
        user_id: decl.id,
        purpose: 'content',
        sealed_key: sealTo(decl.keys.publicKey, teamKey),
      })
      .execute();
    await t.db.insertInto('case_assignment').values({ case_id: caseId, user_id: decl.id, assigned_by: null }).execute();
    await t.db
      .insertInto('case_business')
      .values({ case_id: caseId, juristic_id: CASE_BUSINESS, added_by: null })
      .execute();
  });
  after(async () => t.drop());

  it('lets only the agency administrator designate positions and holders', async () => {
    const admin = who['admin@opdc.example'];
    await addPosition({ db: t.db, actor: admin, category: 'procurement', name: 'เจ้าหน้าที่พัสดุ' });
    await assert.rejects(addPosition({ db: t.db, actor: admin, category: 'procurement', name: 'เจ้าหน้าที่พัสดุ' }), {
      code: 'invalid_input',
    });
    await assert.rejects(addPosition({ db: t.db, actor: admin, category: 'lottery', name: 'x' }), {
      code: 'invalid_input',
    });
    await assert.rejects(addPosition({ db: t.db, actor: who['decl@opdc.example'], category: 'finance', name: 'x' }), {
      code: 'forbidden',
    });
    const { positions } = await positionsOf(t.db, admin);
    const pos = positions[0];
    await setHolding({
      db: t.db,
      actor: admin,
      positionId: pos.id,
      userId: who['decl@opdc.example'].id,
      day: '1/12/2569',
      leaving: false,
    });
    // another agency's staff member, and another agency's position
    await assert.rejects(
      setHolding({
        db: t.db,
        actor: admin,
        positionId: pos.id,
        userId: who['rev@nacc.example'].id,
        day: '1/12/2569',
        leaving: false,
      }),
      { code: 'invalid_input' },
    );
    await assert.rejects(
      setHolding({
        db: t.db,
        actor: admin,
        positionId: pos.id,
        userId: who['decl@opdc.example'].id,
        day: '31/2/2569',
        leaving: false,
      }),
      { code: 'invalid_input' },
    );
    await savePolicy({ db: t.db, actor: admin, policy: { ...DEFAULT_POLICY, entryDays: 15 } });
    const mine = await myDeclarations(t.db, who['decl@opdc.example']);
    assert.deepEqual(mine.dues[0], { occasion: 'entry', dueOn: '2026-12-16', isFiled: false });
  });

  it('files once per token, with its flags and a conflict alert from the contract and from the case', async () => {
    const decl = who['decl@opdc.example'];
    const token = randomUUID();
    const filed = await fileDeclaration({ db: t.db, actor: decl, token, content: content() });
    assert.deepEqual(filed.flags, ['cash_10x_income', 'asset_without_value']);
    assert.equal(filed.alerts, 2);
    const again = await fileDeclaration({ db: t.db, actor: decl, token, content: content() });
    assert.deepEqual([again.id, again.isRepeat], [filed.id, true]);
    assert.equal((await t.db.selectFrom('declaration').select('id').execute()).length, 1);
    firstId = filed.id;
    // a colleague not designated may not file, and a forged token is refused
    await assert.rejects(
      fileDeclaration({ db: t.db, actor: who['colleague@opdc.example'], token: randomUUID(), content: content() }),
      {
        code: 'forbidden',
      },
    );
    await assert.rejects(fileDeclaration({ db: t.db, actor: decl, token: "x' or 1=1 --", content: content() }), {
      code: 'invalid_input',
    });
  });

  it('shows the reviewer of the agency the flags and the alerts; nobody else reads anything', async () => {
    const rev = who['rev@opdc.example'];
    const list = await listForReviewer(t.db, rev);
    assert.equal(list.length, 1);
    assert.deepEqual([list[0].alerts, list[0].canOpen], [2, true]);
    const d = await openDeclaration({ db: t.db, actor: rev, id: firstId });
    assert.equal(d.content.assets[0].value, FIGURE);
    assert.deepEqual(
      d.alerts.map((a) => [a.kind, a.detail.juristicId, a.detail.ocid ?? a.detail.reference]),
      [
        ['contract', SUPPLIER, 'ocds-test-opdc-1'],
        ['case', CASE_BUSINESS, caseRef],
      ],
    );
    for (const email of ['colleague@opdc.example', 'admin@opdc.example', 'rev@nacc.example'])
      await assert.rejects(openDeclaration({ db: t.db, actor: who[email], id: firstId }), { code: 'not_found' }, email);
    await assert.rejects(listForReviewer(t.db, who['admin@opdc.example']), { code: 'forbidden' });
    assert.deepEqual(await listForReviewer(t.db, who['rev@nacc.example']), []);
    await assert.rejects(openDeclaration({ db: t.db, actor: rev, id: 'not-a-uuid' }), { code: 'not_found' });
    await assert.rejects(openDeclaration({ db: t.db, actor: rev, id: randomUUID() }), { code: 'not_found' });
  });

  it('gives a reviewer added later the keys once a key holder lists', async () => {
    await seedStaff(t.db, 'OPDC', 'rev2@opdc.example', ['declaration_reviewer']);
    const rev2 = await signedInActor(t.db, 'rev2@opdc.example');
    assert.deepEqual(
      (await listForReviewer(t.db, rev2)).map((r) => r.canOpen),
      [false],
    );
    await assert.rejects(openDeclaration({ db: t.db, actor: rev2, id: firstId }), { code: 'forbidden' });
    await listForReviewer(t.db, who['rev@opdc.example']);
    assert.equal((await openDeclaration({ db: t.db, actor: rev2, id: firstId })).content.income, 120_000);
  });

  it('flags a yearly declaration against the previous one, which the declarant opens with their own key', async () => {
    const decl = who['decl@opdc.example'];
    const base = content();
    const next = content({
      occasion: 'yearly',
      assets: [
        ...base.assets.slice(0, 2),
        { kind: 'building', description: 'คอนโด', value: 4_000_000, acquiredOn: '2026-06-01' },
      ],
    });
    const filed = await fileDeclaration({ db: t.db, actor: decl, token: randomUUID(), content: next });
    assert.deepEqual(filed.flags, ['net_worth_growth', 'cash_10x_income', 'change_unexplained']);
    secondId = filed.id;
    // the summary for the checks is on the latest declaration only, and names both in filing order
    const rows = await t.db.selectFrom('declaration').select(['id', 'summary']).orderBy('filed_at').execute();
    assert.deepEqual(
      rows.map((r) => [r.id, r.summary !== null]),
      [
        [firstId, false],
        [secondId, true],
      ],
    );
    const items = openSummary(await contentKey(decl, secondId), secondId, rows[1]?.summary as Buffer);
    assert.deepEqual(items, [
      { id: firstId, figures: figuresOf(base) },
      { id: secondId, figures: figuresOf(next) },
    ]);
  });

  it('checks the agency’s declarations anew with the reviewer’s keys, restoring flags that changed', async () => {
    const rev = who['rev@opdc.example'];
    assert.deepEqual(await recheckAgency(t.db, rev), { checked: 2, changed: 0 });
    await t.db.updateTable('declaration').set({ flags: [] }).where('id', '=', firstId).execute();
    assert.deepEqual(await recheckAgency(t.db, rev), { checked: 2, changed: 1 });
    const row = await t.db
      .selectFrom('declaration')
      .select('flags')
      .where('id', '=', firstId)
      .executeTakeFirstOrThrow();
    assert.deepEqual(row.flags, ['cash_10x_income', 'asset_without_value']);
    // the second run opened the summary on the latest declaration from the reviewer's key ring
    // (written by the first), not the sealed boxes, and no other declaration's key
    const ringed = await t.db
      .selectFrom('declaration_key')
      .select('declaration_id')
      .where('user_id', '=', rev.id)
      .where('ring_key', 'is not', null)
      .execute();
    assert.deepEqual(
      ringed.map((k) => k.declaration_id),
      [secondId],
    );
    await t.db
      .updateTable('declaration_key')
      .set({ ring_key: Buffer.alloc(60) })
      .where('user_id', '=', rev.id)
      .execute();
    assert.deepEqual(await recheckAgency(t.db, rev), { checked: 2, changed: 0 }, 'a forged ring falls back to the box');
    await assert.rejects(recheckAgency(t.db, who['admin@opdc.example']), { code: 'forbidden' });
    assert.deepEqual(await recheckAgency(t.db, who['rev@nacc.example']), { checked: 0, changed: 0 });
  });

  it('writes a declarant’s summary anew when it is missing, moved, stale or forged, and trusts only a whole one', async () => {
    const rev = who['rev@opdc.example'];
    const decl = who['decl@opdc.example'];
    const summarised = async () => {
      const a = await t.db
        .selectFrom('audit_event')
        .select('detail')
        .where('action', '=', 'declarations_rechecked')
        .orderBy('id', 'desc')
        .executeTakeFirstOrThrow();
      return (a.detail as { summarised: number }).summarised;
    };
    const rechecked = async (label: string) => {
      await t.db.updateTable('declaration').set({ flags: [] }).execute();
      assert.deepEqual(await recheckAgency(t.db, rev), { checked: 2, changed: 2 }, label);
      assert.deepEqual(await summaryOn(), [false, true], label);
      assert.equal(await summarised(), 1, label);
      const flags = await t.db.selectFrom('declaration').select('flags').orderBy('filed_at').execute();
      assert.deepEqual(
        flags.map((f) => f.flags),
        [
          ['cash_10x_income', 'asset_without_value'],
          ['net_worth_growth', 'cash_10x_income', 'change_unexplained'],
        ],
        label,
      );
    };
    // missing, as on declarations filed before summaries
    await t.db.updateTable('declaration').set({ summary: null }).execute();
    await rechecked('missing');
    assert.deepEqual(await recheckAgency(t.db, rev), { checked: 2, changed: 0 });
    assert.equal(await summarised(), 0, 'a whole summary is trusted and not written again');
    // moved to the other declaration's row: it does not open there
    const latest = await t.db
      .selectFrom('declaration')
      .select('summary')
      .where('id', '=', secondId)
      .executeTakeFirstOrThrow();
    await t.db.updateTable('declaration').set({ summary: null }).execute();
    await t.db.updateTable('declaration').set({ summary: latest.summary }).where('id', '=', firstId).execute();
    await rechecked('moved');
    // stale: a summary naming the latest declaration only (as two filings at once could leave)
    const key = await contentKey(decl, secondId);
    const stale = sealSummary(key, secondId, [{ id: secondId, figures: figuresOf(content()) }]);
    await t.db.updateTable('declaration').set({ summary: stale }).where('id', '=', secondId).execute();
    await rechecked('stale');
    // two summaries for one declarant, and garbage
    await t.db.updateTable('declaration').set({ summary: latest.summary }).execute();
    await rechecked('two');
    await t.db
      .updateTable('declaration')
      .set({ summary: Buffer.alloc(80, 7) })
      .where('id', '=', secondId)
      .execute();
    await rechecked('garbage');
    // a reviewer without every key neither trusts nor writes a summary
    const rev2 = await signedInActor(t.db, 'rev2@opdc.example');
    await t.db
      .deleteFrom('declaration_key')
      .where('user_id', '=', rev2.id)
      .where('declaration_id', '=', firstId)
      .execute();
    await t.db.updateTable('declaration').set({ flags: [] }).execute();
    assert.deepEqual(await recheckAgency(t.db, rev2), { checked: 1, changed: 1 });
    assert.equal(await summarised(), 0);
    assert.deepEqual(await summaryOn(), [false, true]);
    assert.deepEqual(await recheckAgency(t.db, rev), { checked: 2, changed: 2 });
  });

  it('lets the declarant recuse from the case of an alert, audited, and nobody else', async () => {
    const decl = who['decl@opdc.example'];
    const d = await openDeclaration({ db: t.db, actor: decl, id: firstId });
    const caseAlert = d.alerts.find((a) => a.kind === 'case');
    const contractAlert = d.alerts.find((a) => a.kind === 'contract');
    assert.ok(caseAlert && contractAlert);
    await assert.rejects(recuse({ db: t.db, actor: who['rev@opdc.example'], alertId: caseAlert.id }), {
      code: 'not_found',
    });
    await assert.rejects(recuse({ db: t.db, actor: decl, alertId: contractAlert.id }), { code: 'not_found' });
    await assert.rejects(recuse({ db: t.db, actor: decl, alertId: '1; drop table x' }), { code: 'not_found' });
    await recuse({ db: t.db, actor: decl, alertId: caseAlert.id });
    assert.equal(
      (await t.db.selectFrom('case_key').select('user_id').where('case_id', '=', caseId).execute()).length,
      0,
    );
    assert.equal(
      (await t.db.selectFrom('case_assignment').select('user_id').where('case_id', '=', caseId).execute()).length,
      0,
    );
    const audit = await t.db.selectFrom('audit_event').select('action').orderBy('id').execute();
    const actions = audit.map((a) => a.action);
    assert.ok(actions.includes('conflict_declared') && actions.includes('declaration_recused'));
    assert.ok(
      (await openDeclaration({ db: t.db, actor: decl, id: firstId })).alerts.find((a) => a.kind === 'case')?.recused,
    );
  });

  it('keeps no declared figure, description or juristic number in the clear', async () => {
    const dump = await logicalDump(t.url);
    const secrets = [
      { label: 'marker', value: MARKER },
      { label: 'figure', value: String(FIGURE) },
      { label: 'figure-digits', value: '7314159' },
      // the summary's totals: assets of the first declaration, and of the second
      { label: 'total-assets', value: '8814159' },
      { label: 'total-assets-2', value: '12814159' },
      { label: 'supplier-name', value: 'บริษัทผู้ขาย' },
      { label: 'case-business-name', value: 'ห้างญาติ' },
    ];
    const hits = scanner(secrets).scan(dump.data, 'dump');
    assert.deepEqual(hits, []);
    // the canary: the same scan finds what is in the clear (the procurement data's supplier number)
    assert.ok(scanner([{ label: 'public', value: `TH-DBD-${SUPPLIER}` }]).scan(dump.data, 'dump').length > 0);
  });

  it('mails a reminder once per deadline, even from two runners, with no figure', async () => {
    const smtp = await startSmtp();
    try {
      await savePolicy({ db: t.db, actor: who['admin@opdc.example'], policy: { ...DEFAULT_POLICY, entryDays: 15 } });
      // a second holder who has filed nothing: entry due 2026-12-16, reminded from 2026-12-09
      await seedStaff(t.db, 'OPDC', 'new@opdc.example', ['investigator']);
      const newbie = await signedInActor(t.db, 'new@opdc.example');
      const { positions } = await positionsOf(t.db, who['admin@opdc.example']);
      await setHolding({
        db: t.db,
        actor: who['admin@opdc.example'],
        positionId: positions[0].id,
        userId: newbie.id,
        day: '1/12/2569',
        leaving: false,
      });
      const run = (day: string) =>
        sendDeclarationReminders({
          db: t.db,
          transport: createMailTransport(smtp.url),
          from: 'sujarit@example.go.th',
          publicUrl: 'https://sujarit.example.go.th',
          now: new Date(`${day}T03:00:00Z`),
        });
      assert.equal((await run('2026-12-08')).mails, 0);
      const [a, b] = await Promise.all([run('2026-12-10'), run('2026-12-10')]);
      assert.equal(a.mails + b.mails, 1, JSON.stringify([a, b]));
      assert.equal((await run('2026-12-11')).mails, 0);
      assert.equal(smtp.received.length, 1);
      assert.deepEqual(smtp.received[0].to, ['new@opdc.example']);
      assert.match(smtp.received[0].text, /\/staff\/declarations/);
      assert.ok(!smtp.received[0].text.includes('7314159'));
    } finally {
      await smtp.close();
    }
  });
});
