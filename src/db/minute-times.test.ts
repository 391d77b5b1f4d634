// Migration 0016 on a database written before it: a case's stored times with seconds and
// milliseconds are cut to the minute; the audit trail (hash-chained) is left as it was.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { createTestDatabase, type TestDatabase } from '../../test/support/db.ts';
import { seedAgency } from '../../test/support/app.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { migrate } from './migrate.ts';

const MIGRATION = '0016_minute_times.sql';

describe(`migration ${MIGRATION}`, () => {
  let t: TestDatabase;
  before(async () => {
    t = await createTestDatabase(2);
    await seedAgency(t.db, 'OPDC');
  });
  after(() => t.drop());

  const insertCase = async (kind: 'tip' | 'complaint', outcome: string | null = null) => {
    const agency = await t.db.selectFrom('agency').select('id').where('code', '=', 'OPDC').executeTakeFirstOrThrow();
    const id = randomUUID();
    await t.db
      .insertInto('report_case')
      .values({
        id,
        reference: `OPDC-2569-${id.slice(0, 6)}`,
        agency_id: agency.id,
        category: kind === 'tip' ? 'bribery' : 'service_delay',
        channel: 'web',
        kind,
        status: 'investigating',
        outcome: outcome as never,
        has_identity: false,
        content: Buffer.alloc(1),
        ack_due_at: new Date('2026-01-08T03:04:37.891Z'),
        reply_due_at: new Date('2026-01-16T03:04:37.891Z'),
        feedback_due_at: new Date('2026-04-01T03:04:37.891Z'),
        paused_at: new Date('2026-01-03T10:11:12.131Z'),
        first_reply_at: new Date('2026-01-03T10:11:12.131Z'),
      })
      .execute();
    return { id, agencyId: agency.id };
  };

  it('cuts the stored deadlines and event times of a case to the minute, and leaves the audit trail alone', async () => {
    const c = await insertCase('tip');
    await t.db
      .insertInto('case_event')
      .values({ case_id: c.id, at: new Date('2026-01-02T05:06:07.089Z'), kind: 'status', for_reporter: true })
      .execute();
    await t.db
      .insertInto('permit_request')
      .values({
        case_id: c.id,
        agency_id: c.agencyId,
        filed_on: '2025-12-01',
        manual_due_on: '2025-12-20',
        decision: null,
        decided_on: null,
        next_notice_at: new Date('2026-01-09T01:02:03.456Z'),
      })
      .execute();
    await t.db
      .insertInto('permit_notice')
      .values({ case_id: c.id, kind: 'reason_told', at: new Date('2026-01-02T01:02:03.456Z') })
      .execute();
    await recordAudit(t.db, { actorUserId: null, action: 'cases_exported', detail: { scope: 'agency', rows: 0 } });
    const audit = await t.db.selectFrom('audit_event').select(['id', 'at']).orderBy('id').execute();

    await sql`delete from schema_migration where name = ${MIGRATION}`.execute(t.db);
    assert.deepEqual(await migrate(t.db), [MIGRATION]);

    const row = await t.db
      .selectFrom('report_case')
      .select(['ack_due_at', 'reply_due_at', 'feedback_due_at', 'paused_at', 'first_reply_at'])
      .where('id', '=', c.id)
      .executeTakeFirstOrThrow();
    assert.deepEqual(Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v?.toISOString()])), {
      ack_due_at: '2026-01-08T03:04:00.000Z',
      reply_due_at: '2026-01-16T03:04:00.000Z',
      feedback_due_at: '2026-04-01T03:04:00.000Z',
      paused_at: '2026-01-03T10:11:00.000Z',
      first_reply_at: '2026-01-03T10:11:00.000Z',
    });
    const event = await t.db
      .selectFrom('case_event')
      .select('at')
      .where('case_id', '=', c.id)
      .executeTakeFirstOrThrow();
    assert.equal(event.at.toISOString(), '2026-01-02T05:06:00.000Z');
    const permit = await t.db
      .selectFrom('permit_request')
      .select('next_notice_at')
      .where('case_id', '=', c.id)
      .executeTakeFirstOrThrow();
    assert.equal(permit.next_notice_at?.toISOString(), '2026-01-09T01:02:00.000Z');
    const notice = await t.db
      .selectFrom('permit_notice')
      .select('at')
      .where('case_id', '=', c.id)
      .executeTakeFirstOrThrow();
    assert.equal(notice.at.toISOString(), '2026-01-02T01:02:00.000Z');
    assert.deepEqual(
      await t.db.selectFrom('audit_event').select(['id', 'at']).orderBy('id').execute(),
      audit,
      'the hash-chained audit times are untouched',
    );
  });
});
