// Opening the next year: the earlier year's OIT evidence carried into the items that continue, on
// real PostgreSQL.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { itaActors } from '../../test/support/ita.ts';
import { createTestDatabase, type TestDatabase } from '../../test/support/db.ts';
import type { AppError } from '../errors.ts';
import type { StaffActor } from '../staff/session.ts';
import { closeCycle, openCycle, type Cycle } from './cycles.ts';
import { listOitItems, saveEvidence, saveVerdict } from './oit.ts';
import { carryOverEvidence, checklistChanges, previousCycle } from './oit-carry-over.ts';

const PDF = Buffer.from('%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n');
const code = (want: string) => (e: unknown) => (e as AppError).code === want;

describe('carryOverEvidence', () => {
  let t: TestDatabase;
  const who: Record<string, StaffActor> = {};
  let y2565: Cycle;
  let y2569: Cycle;

  before(async () => {
    t = await createTestDatabase(4);
    Object.assign(who, await itaActors(t.db));
    const open = (fiscalYear: number, frameworkName: string) =>
      openCycle({ db: t.db, actor: who['admin@opdc.example'], fiscalYear, frameworkName, staffCount: 40 });
    y2565 = await open(2565, 'ita-2565.json');
    y2569 = await open(2569, 'ita-2569.json');
    const save = (cycleId: number, itemId: string, url: string, file: { name: string; bytes: Buffer } | null = null) =>
      saveEvidence({
        db: t.db,
        actor: who['admin@opdc.example'],
        cycleId,
        itemId,
        url,
        note: `note ${itemId}`,
        file,
        maxFileBytes: 4096,
      });
    await save(y2565.id, 'o36', 'https://agency.example/risk-2565', { name: 'risk.pdf', bytes: PDF });
    await save(y2565.id, 'o2', 'https://agency.example/executives');
    await save(y2565.id, 'o1', 'https://agency.example/structure'); // o1 does not continue in the draft
    await save(y2569.id, 'o2', 'https://agency.example/executives-2569'); // already there: kept
    await saveVerdict({
      db: t.db,
      actor: who['assessor@opdc.example'],
      cycleId: y2565.id,
      itemId: 'o36',
      verdict: 'yes',
      comment: '',
    });
    await closeCycle({ db: t.db, actor: who['admin@opdc.example'], cycleId: y2565.id });
  });
  after(() => t.drop());

  it('finds the earlier cycle and what changed', async () => {
    assert.equal((await previousCycle({ db: t.db, cycle: y2569 }))?.id, y2565.id);
    assert.equal(await previousCycle({ db: t.db, cycle: y2565 }), null);
    const changes = checklistChanges(y2565, y2569);
    assert.ok(changes.some((c) => c.kind === 'same' && c.from === 'o36' && c.to === 'o27'));
  });

  it('copies address, note and file into continuing items without evidence, never the verdict, audited', async () => {
    const filled = await carryOverEvidence({
      db: t.db,
      actor: who['assessor@opdc.example'],
      cycleId: y2569.id,
      fromCycleId: y2565.id,
    });
    assert.deepEqual(filled, ['o27']);
    const { items } = await listOitItems({ db: t.db, actor: who['assessor@opdc.example'], cycleId: y2569.id });
    const item = (id: string) => items.find((i) => i.id === id)!;
    assert.equal(item('o27').evidenceUrl, 'https://agency.example/risk-2565');
    assert.equal(item('o27').evidenceNote, 'note o36');
    assert.deepEqual(item('o27').file, { name: 'risk.pdf', type: 'application/pdf', size: PDF.length });
    assert.equal(item('o27').verdict, null, 'the assessor judges the new year');
    assert.equal(item('o2').evidenceUrl, 'https://agency.example/executives-2569', 'evidence already there is kept');
    const audit = await t.db
      .selectFrom('audit_event')
      .select('detail')
      .where('action', '=', 'ita_oit_evidence_carried')
      .execute();
    assert.equal(audit.length, 1);
    assert.deepEqual(audit[0]!.detail, { cycleId: y2569.id, fromCycleId: y2565.id, items: ['o27'] });
    assert.deepEqual(
      await carryOverEvidence({ db: t.db, actor: who['admin@opdc.example'], cycleId: y2569.id, fromCycleId: y2565.id }),
      [],
      'a second run has nothing left to fill',
    );
  });

  it('refuses a later year as the source, a closed target, another agency and other roles', async () => {
    const carry = (email: string, cycleId: number, fromCycleId: number) =>
      carryOverEvidence({ db: t.db, actor: who[email], cycleId, fromCycleId });
    await assert.rejects(carry('admin@opdc.example', y2569.id, y2569.id), code('invalid_input'));
    await assert.rejects(carry('admin@opdc.example', y2565.id, y2569.id), code('conflict'));
    await assert.rejects(carry('admin@nacc.example', y2569.id, y2565.id), code('not_found'));
    await assert.rejects(carry('inv@opdc.example', y2569.id, y2565.id), code('forbidden'));
  });
});
