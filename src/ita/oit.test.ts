// The OIT self-check on real PostgreSQL: the checklist merged with what was recorded, evidence and
// verdicts with their audit, who may do what, hostile addresses and files, and the complaint
// figures filled from real cases.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { CHEAP_KDF, seedRecipient } from '../../test/support/app.ts';
import { itaActors } from '../../test/support/ita.ts';
import { createTestDatabase, type TestDatabase } from '../../test/support/db.ts';
import { currentFiscalYear } from '../cases/figures.ts';
import type { AppError } from '../errors.ts';
import { newDraft, submitReport } from '../intake/submit-report.ts';
import { validateComplaint } from '../intake/validate-complaint.ts';
import { validateReport } from '../intake/validate-report.ts';
import type { StaffActor } from '../staff/session.ts';
import { closeCycle, openCycle, type Cycle } from './cycles.ts';
import { listFrameworks } from './framework.ts';
import {
  checkEvidenceUrl,
  listOitItems,
  loadEvidenceFile,
  missingItems,
  oitComplaintFigures,
  oitProgress,
  saveEvidence,
  saveVerdict,
  servedFileType,
} from './oit.ts';

const PDF = Buffer.from('%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n');
const MAX = 4096;
const code = (want: string) => (e: unknown) => (e as AppError).code === want;

describe('OIT self-check', () => {
  let t: TestDatabase;
  const who: Record<string, StaffActor> = {};
  let cycle: Cycle;
  let nacc: Cycle;
  const year = currentFiscalYear();
  const salt = randomBytes(16);

  before(async () => {
    t = await createTestDatabase(4);
    Object.assign(who, await itaActors(t.db));
    // agencies receive reports only with a recipient (the figures test files cases)
    await seedRecipient(t.db, 'OPDC', 'io@opdc.example');
    await seedRecipient(t.db, 'NACC', 'io@nacc.example');
    const framework = listFrameworks()[0];
    cycle = await openCycle({
      db: t.db,
      actor: who['admin@opdc.example'],
      fiscalYear: year,
      frameworkName: framework,
      staffCount: 200,
    });
    nacc = await openCycle({
      db: t.db,
      actor: who['admin@nacc.example'],
      fiscalYear: year,
      frameworkName: framework,
      staffCount: 50,
    });
  });
  after(() => t.drop());

  const first = () => cycle.framework.checklist[0].id;
  const list = (email = 'assessor@opdc.example', id = cycle.id) =>
    listOitItems({ db: t.db, actor: who[email], cycleId: id });
  const evidence = (
    itemId: string,
    fields: { url?: string; note?: string; file?: { name: string; bytes: Buffer } | null; isFileRemoved?: boolean },
    email = 'admin@opdc.example',
    cycleId = cycle.id,
  ) =>
    saveEvidence({
      db: t.db,
      actor: who[email],
      cycleId,
      itemId,
      url: fields.url ?? '',
      note: fields.note ?? '',
      file: fields.file ?? null,
      isFileRemoved: fields.isFileRemoved,
      maxFileBytes: MAX,
    });

  it('lists the framework checklist in order, everything missing before anything is recorded', async () => {
    const { items } = await list();
    assert.deepEqual(
      items.map((i) => i.id),
      cycle.framework.checklist.map((i) => i.id),
    );
    assert.ok(items.length > 0 && items.every((i) => i.isMissing && !i.hasEvidence && i.verdict === null));
    assert.deepEqual(oitProgress(items), {
      total: items.length,
      withEvidence: 0,
      assessed: 0,
      disclosed: 0,
      missing: items.length,
    });
  });

  it('keeps evidence and a verdict, names who and when, and audits both without the file', async () => {
    const id = first();
    await evidence(id, {
      url: ' https://www.opdc.example.go.th/about/structure ',
      note: 'หน้าโครงสร้าง',
      file: { name: 'โครงสร้าง.pdf', bytes: PDF },
    });
    let item = (await list()).items.find((i) => i.id === id)!;
    assert.equal(item.evidenceUrl, 'https://www.opdc.example.go.th/about/structure');
    assert.equal(item.evidenceNote, 'หน้าโครงสร้าง');
    assert.deepEqual(item.file, { name: 'โครงสร้าง.pdf', type: 'application/pdf', size: PDF.length });
    assert.equal(item.updatedBy, 'admin@opdc.example');
    assert.ok(item.updatedAt instanceof Date);
    assert.equal(item.isMissing, false, 'evidence not yet assessed is not missing');

    await saveVerdict({
      db: t.db,
      actor: who['assessor@opdc.example'],
      cycleId: cycle.id,
      itemId: id,
      verdict: 'no',
      comment: 'ลิงก์เสีย',
    });
    item = (await list()).items.find((i) => i.id === id)!;
    assert.equal(item.verdict, 'no');
    assert.equal(item.isMissing, true, 'judged not disclosed is still to do');
    assert.equal(item.assessedBy, 'assessor@opdc.example');
    await saveVerdict({
      db: t.db,
      actor: who['assessor@opdc.example'],
      cycleId: cycle.id,
      itemId: id,
      verdict: 'yes',
      comment: '',
    });
    const { items } = await list();
    item = items.find((i) => i.id === id)!;
    assert.equal(item.verdict, 'yes');
    assert.equal(item.assessorComment, null);
    assert.ok(!missingItems(items).some((i) => i.id === id));
    assert.equal(oitProgress(items).disclosed, 1);

    // a new upload keeps the address and the verdict, but tells the assessor to look again
    await evidence(id, { url: item.evidenceUrl!, note: 'ฉบับปรับปรุง' });
    item = (await list()).items.find((i) => i.id === id)!;
    assert.deepEqual(item.file?.name, 'โครงสร้าง.pdf', 'no new file keeps the stored one');
    assert.equal(item.isChangedSinceVerdict, true);

    const file = await loadEvidenceFile({
      db: t.db,
      actor: who['assessor@opdc.example'],
      cycleId: cycle.id,
      itemId: id,
    });
    assert.deepEqual(file, { name: 'โครงสร้าง.pdf', type: 'application/pdf', bytes: PDF });

    const audit = await t.db
      .selectFrom('audit_event')
      .select(['action', 'actor_user_id', 'detail'])
      .where('action', 'in', ['ita_oit_evidence_saved', 'ita_oit_verdict_saved'])
      .orderBy('id')
      .execute();
    assert.deepEqual(
      audit.map((a) => a.action),
      ['ita_oit_evidence_saved', 'ita_oit_verdict_saved', 'ita_oit_verdict_saved', 'ita_oit_evidence_saved'],
    );
    assert.ok(
      audit.every(
        (a) => (a.detail as { itemId: string }).itemId === id && (a.detail as { cycleId: number }).cycleId === cycle.id,
      ),
    );
    assert.equal(audit[0].actor_user_id, who['admin@opdc.example'].id);
    assert.ok(
      !JSON.stringify(audit).includes('%PDF') && !JSON.stringify(audit).includes(PDF.toString('base64')),
      'never the file contents',
    );

    await evidence(id, { url: item.evidenceUrl!, isFileRemoved: true });
    item = (await list()).items.find((i) => i.id === id)!;
    assert.equal(item.file, null);
    await assert.rejects(
      loadEvidenceFile({ db: t.db, actor: who['assessor@opdc.example'], cycleId: cycle.id, itemId: id }),
      code('not_found'),
    );
  });

  it('refuses verdicts from anyone but an ITA assessor, and everything from other roles', async () => {
    const id = first();
    await assert.rejects(
      saveVerdict({
        db: t.db,
        actor: who['admin@opdc.example'],
        cycleId: cycle.id,
        itemId: id,
        verdict: 'yes',
        comment: '',
      }),
      code('forbidden'),
    );
    await assert.rejects(list('inv@opdc.example'), code('forbidden'));
    await assert.rejects(evidence(id, { url: 'https://x.example' }, 'inv@opdc.example'), code('forbidden'));
    await assert.rejects(
      saveVerdict({
        db: t.db,
        actor: who['assessor@opdc.example'],
        cycleId: cycle.id,
        itemId: id,
        verdict: 'maybe',
        comment: '',
      }),
      (e: AppError) => e.code === 'invalid_input' && e.fields.verdict === 'ita.error.verdict',
    );
    await assert.rejects(evidence('no-such-item', { url: 'https://x.example' }), code('not_found'));
  });

  it('answers not found for a cycle of another agency, whatever the action', async () => {
    const id = nacc.framework.checklist[0].id;
    await evidence(id, { file: { name: 'nacc.pdf', bytes: PDF } }, 'admin@nacc.example', nacc.id);
    await assert.rejects(list('assessor@opdc.example', nacc.id), code('not_found'));
    await assert.rejects(evidence(id, { url: 'https://x.example' }, 'admin@opdc.example', nacc.id), code('not_found'));
    await assert.rejects(
      saveVerdict({
        db: t.db,
        actor: who['assessor@opdc.example'],
        cycleId: nacc.id,
        itemId: id,
        verdict: 'yes',
        comment: '',
      }),
      code('not_found'),
    );
    await assert.rejects(
      loadEvidenceFile({ db: t.db, actor: who['admin@opdc.example'], cycleId: nacc.id, itemId: id }),
      code('not_found'),
    );
    await assert.rejects(list('assessor@opdc.example', 999_999), code('not_found'));
    const row = await t.db
      .selectFrom('ita_oit_item')
      .select(['evidence_url', 'verdict'])
      .where('cycle_id', '=', nacc.id)
      .where('item_id', '=', id)
      .executeTakeFirstOrThrow();
    assert.deepEqual(row, { evidence_url: null, verdict: null });
  });

  it('accepts only http(s) addresses without credentials, at most 2,000 characters', () => {
    const table: [string, string | null][] = [
      ['', null],
      ['https://www.opdc.go.th/ita/o1', null],
      ['http://agency.example/ข้อมูล?a=1#x', null],
      ['javascript:alert(1)', 'ita.error.url'],
      ['JavaScript://%0aalert(1)', 'ita.error.url'],
      ['data:text/html,<script>alert(1)</script>', 'ita.error.url'],
      ['ftp://files.example/x.pdf', 'ita.error.url'],
      ['/relative/path', 'ita.error.url'],
      ['https://exa mple.com', 'ita.error.url'],
      ['https://user:secret@agency.example/', 'ita.error.url_credentials'],
      ['https://user@agency.example/', 'ita.error.url_credentials'],
      [`https://agency.example/${'a'.repeat(2000)}`, 'ita.error.url_too_long'],
    ];
    for (const [url, want] of table) assert.equal(checkEvidenceUrl(url), want, url);
  });

  it('refuses hostile evidence with nothing stored: scripts as addresses, pages as PDFs, oversized files, long notes', async () => {
    const id = cycle.framework.checklist[1].id;
    const refused = async (fields: Parameters<typeof evidence>[1], want: string, field: string) =>
      assert.rejects(evidence(id, fields), (e: AppError) => e.code === want && typeof e.fields[field] === 'string');
    await refused({ url: 'javascript:alert(document.cookie)' }, 'invalid_input', 'url');
    await refused({ url: 'data:text/html;base64,PHNjcmlwdD4=' }, 'invalid_input', 'url');
    await refused(
      { file: { name: 'page.html', bytes: Buffer.from('<script>alert(1)</script>') } },
      'invalid_input',
      'file',
    );
    await refused(
      { file: { name: 'fake.pdf', bytes: Buffer.from('<html><script>alert(1)</script>') } },
      'invalid_input',
      'file',
    );
    await refused(
      { file: { name: 'image.svg', bytes: Buffer.from('<svg onload="alert(1)"/>') } },
      'invalid_input',
      'file',
    );
    await refused({ file: { name: 'big.pdf', bytes: Buffer.concat([PDF, Buffer.alloc(MAX)]) } }, 'too_large', 'file');
    await refused({ note: 'ก'.repeat(2001) }, 'invalid_input', 'note');
    const row = await t.db
      .selectFrom('ita_oit_item')
      .select('item_id')
      .where('cycle_id', '=', cycle.id)
      .where('item_id', '=', id)
      .executeTakeFirst();
    assert.equal(row, undefined);
  });

  it('serves a stored type only when it is on the allow-list', () => {
    assert.equal(servedFileType('application/pdf'), 'application/pdf');
    assert.equal(servedFileType('image/png'), 'image/png');
    for (const bad of ['text/html', 'image/svg+xml', 'application/javascript', 'text/xml', '', null])
      assert.equal(servedFileType(bad), 'application/octet-stream', String(bad));
  });

  it('fills the complaint figures from the agency’s own cases of the fiscal year', async () => {
    const file = async (agency: string, kind: 'complaint' | 'tip', channel: 'web' | 'line') => {
      if (kind === 'tip')
        return submitReport({
          db: t.db,
          kdf: CHEAP_KDF,
          receiptSalt: salt,
          draft: newDraft(),
          input: validateReport({ agency, category: 'bribery', what: 'เบาะแส' }),
          files: [],
          channel,
        });
      const { report, complaint } = validateComplaint(
        { agency, category: 'service_delay', what: 'บริการล่าช้า', identityName: 'ผู้ร้อง', identityContact: '0811111111' },
        'complaint',
      );
      return submitReport({
        db: t.db,
        kdf: CHEAP_KDF,
        receiptSalt: salt,
        draft: newDraft(),
        input: report,
        complaint,
        files: [],
        channel,
      });
    };
    await file('OPDC', 'complaint', 'web');
    await file('OPDC', 'complaint', 'line');
    const handled = await file('OPDC', 'complaint', 'web');
    await t.db.updateTable('report_case').set({ status: 'closed' }).where('id', '=', handled.caseId).execute();
    await file('OPDC', 'tip', 'web');
    await file('NACC', 'complaint', 'web');
    const f = await oitComplaintFigures({ db: t.db, cycle });
    assert.equal(f.fiscalYear, year);
    assert.equal(f.complaints.received, 3);
    assert.equal(f.complaints.handled, 1);
    assert.equal(f.complaints.byChannel.web, 2);
    assert.equal(f.complaints.byChannel.line, 1);
    assert.equal(f.tips.received, 1);
    assert.equal(
      (await oitComplaintFigures({ db: t.db, cycle: nacc })).complaints.received,
      1,
      'another agency counts its own',
    );
  });

  it('refuses changes once the cycle is closed, and still shows what was recorded', async () => {
    const other = await openCycle({
      db: t.db,
      actor: who['admin@opdc.example'],
      fiscalYear: year - 1,
      frameworkName: listFrameworks()[0],
      staffCount: 10,
    });
    const id = other.framework.checklist[0].id;
    await evidence(id, { url: 'https://agency.example/a' }, 'admin@opdc.example', other.id);
    await closeCycle({ db: t.db, actor: who['admin@opdc.example'], cycleId: other.id });
    await assert.rejects(
      evidence(id, { url: 'https://agency.example/b' }, 'admin@opdc.example', other.id),
      (e: AppError) => e.code === 'conflict' && e.userMessage === 'ita.error.closed',
    );
    await assert.rejects(
      saveVerdict({
        db: t.db,
        actor: who['assessor@opdc.example'],
        cycleId: other.id,
        itemId: id,
        verdict: 'yes',
        comment: '',
      }),
      code('conflict'),
    );
    const { items } = await list('assessor@opdc.example', other.id);
    assert.equal(items.find((i) => i.id === id)!.evidenceUrl, 'https://agency.example/a');
  });
});
