import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { sql } from 'kysely';
import { createTestApp, seedAgency, seedRecipient, type TestApp } from '../../test/support/app.ts';
import { anchorAuditHead, verifyAuditChain } from './anchor-audit.ts';
import { recordAudit } from '../audit/record-audit.ts';

describe('audit chain anchored in the ledger', () => {
  let t: TestApp;
  let actor: number;
  before(async () => {
    t = await createTestApp();
    await seedAgency(t.db, 'OPDC');
    actor = (await seedRecipient(t.db, 'OPDC', 'officer@opdc.example')).id;
  });
  after(() => t.close());
  beforeEach(async () => {
    await sql`truncate audit_event, audit_anchor`.execute(t.db);
  });

  const fill = async (n: number) => {
    for (let i = 0; i < n; i++)
      await recordAudit(t.db, {
        actorUserId: actor,
        action: 'case_opened',
        caseReference: `OPDC-${i}`,
        detail: { z: i, a: 'ข้อมูล', nested: { b: 1, a: 2 } },
      });
  };

  it('chains concurrent writers without a fork and anchors the head once per change', async () => {
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        recordAudit(t.db, { actorUserId: actor, action: 'case_opened', detail: { i } }),
      ),
    );
    await t.sequence();
    assert.equal(await anchorAuditHead({ db: t.db }), false, 'nothing new to anchor');
    const check = await verifyAuditChain({ db: t.db });
    assert.deepEqual(check, { rows: 20, anchors: 1, anchorsInLog: 1 });
    await fill(3);
    await t.sequence();
    assert.deepEqual(await verifyAuditChain({ db: t.db }), { rows: 23, anchors: 2, anchorsInLog: 2 });
  });

  it('detects a rewritten row', async () => {
    await fill(5);
    await t.sequence();
    // The application cannot rewrite the trail; the database owner can (after disabling the trigger).
    await assert.rejects(sql`update audit_event set detail = '{}'::jsonb`.execute(t.db), /append-only/);
    await sql`alter table audit_event disable trigger audit_event_append_only`.execute(t.db);
    await sql`update audit_event set detail = '{"z": 99}'::jsonb where id = (select min(id) + 2 from audit_event)`.execute(
      t.db,
    );
    await assert.rejects(verifyAuditChain({ db: t.db }), /rewritten/);
  });

  it('detects a deleted row, in the middle or the anchored head', async () => {
    await fill(5);
    await t.sequence();
    await sql`alter table audit_event disable trigger audit_event_append_only`.execute(t.db);
    await sql`delete from audit_event where id = (select min(id) + 1 from audit_event)`.execute(t.db);
    await assert.rejects(verifyAuditChain({ db: t.db }), /chain broken/);
  });

  it('detects the anchored head deleted with its anchor row kept elsewhere', async () => {
    await fill(4);
    await t.sequence();
    await sql`alter table audit_anchor drop constraint audit_anchor_audit_id_fkey`.execute(t.db);
    await sql`alter table audit_event disable trigger audit_event_append_only`.execute(t.db);
    await sql`delete from audit_event where id = (select max(id) from audit_event)`.execute(t.db);
    await assert.rejects(verifyAuditChain({ db: t.db }), /gone or its hash changed/);
  });
});
