// The published risk register's PDFs offered as evidence of the matching ITA open-data items
// (issue 16, item 5): the OIT page of a cycle offers, on the items about the corruption-risk
// assessment and its management, to attach the PDF of the register the agency published for that
// fiscal year; one action stores it as the item's file (audited), the address and note kept.
// Hostile use: a register changed since published, an item no register answers, another agency's
// cycle, a risk officer (not an ITA editor), a forged token.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestApp, signedInActor, type TestApp } from '../../../test/support/app.ts';
import { itaJars } from '../../../test/support/ita.ts';
import { csrfOf, get, postForm, type Jar } from '../../../test/support/web.ts';
import { currentFiscalYear } from '../../cases/figures.ts';
import { openCycle } from '../../ita/cycles.ts';
import { publishRegister } from '../../risk/publish.ts';
import { openRegister, saveRisk } from '../../risk/register.ts';

const PEOPLE = [
  ['admin@opdc.example', 'OPDC', ['agency_admin']],
  ['risk@opdc.example', 'OPDC', ['risk_officer']],
  ['admin@nacc.example', 'NACC', ['agency_admin']],
] as const;
const EVENT = 'เจ้าหน้าที่เรียกรับเงินเพื่อเร่งออกใบอนุญาต';

describe('the risk register as ITA evidence', () => {
  let h: TestApp;
  const jars: Record<string, Jar> = {};
  const year = currentFiscalYear();
  let cycleId = 0;
  let naccCycle = 0;
  let registerId = 0;
  const page = (who: string, url: string) => get(h.app, jars[who], url);
  const attach = async (who: string, item: string, cycle = cycleId, csrf?: string) =>
    postForm(h.app, jars[who], `/staff/ita/${cycle}/oit/${item}/risk-evidence`, {
      _csrf: csrf ?? csrfOf((await page(who, '/staff/risk')).body),
    });

  before(async () => {
    h = await createTestApp();
    Object.assign(jars, (await itaJars(h.app, h.db, PEOPLE)).jars);
    const admin = await signedInActor(h.db, 'admin@opdc.example');
    const open = (actor: typeof admin) =>
      openCycle({ db: h.db, actor, fiscalYear: year, frameworkName: 'ita-2565.json', staffCount: 10 });
    cycleId = (await open(admin)).id;
    naccCycle = (await open(await signedInActor(h.db, 'admin@nacc.example'))).id;
    const officer = await signedInActor(h.db, 'risk@opdc.example');
    registerId = await openRegister({ db: h.db, actor: officer, fiscalYear: String(year) });
    await saveRisk({
      db: h.db,
      actor: officer,
      registerId,
      input: { area: 'bribery', event: EVENT, inherentLikelihood: '4', inherentImpact: '5' },
    });
  });
  after(async () => h.close());

  it('offers nothing before the register is published', async () => {
    const oit = await page('admin@opdc.example', `/staff/ita/${cycleId}/oit`);
    assert.equal(oit.statusCode, 200);
    assert.doesNotMatch(oit.body, /risk-evidence/);
    assert.equal((await attach('admin@opdc.example', 'o36')).statusCode, 404);
  });

  it('attaches the assessment report to O36 and the plan to O37 in one action each, audited', async () => {
    await publishRegister({ db: h.db, actor: await signedInActor(h.db, 'risk@opdc.example'), registerId });
    const oit = await page('admin@opdc.example', `/staff/ita/${cycleId}/oit`);
    assert.match(oit.body, new RegExp(`action="/staff/ita/${cycleId}/oit/o36/risk-evidence"`));
    assert.match(oit.body, new RegExp(`action="/staff/ita/${cycleId}/oit/o37/risk-evidence"`));
    assert.equal((oit.body.match(/\/risk-evidence"/g) ?? []).length, 2, 'two items only');
    assert.match(oit.body, /แนบรายงานผลการประเมินความเสี่ยงการทุจริต \(PDF\)/);
    const csrf = csrfOf(oit.body);
    const done = await attach('admin@opdc.example', 'o36', cycleId, csrf);
    assert.equal(done.statusCode, 303, done.body);
    assert.equal(done.headers.location, `/staff/ita/${cycleId}/oit?sent=evidence#item-o36`);
    assert.equal((await attach('admin@opdc.example', 'o37', cycleId, csrf)).statusCode, 303);
    const file = await page('admin@opdc.example', `/staff/ita/${cycleId}/oit/o36/file`);
    assert.equal(file.statusCode, 200);
    assert.match(String(file.headers['content-type']), /application\/pdf/);
    assert.equal(file.rawPayload.subarray(0, 5).toString('latin1'), '%PDF-');
    const rows = await h.db.selectFrom('ita_oit_item').select(['item_id', 'file_name']).orderBy('item_id').execute();
    assert.deepEqual(rows, [
      { item_id: 'o36', file_name: `risk-assessment-OPDC-${year}.pdf` },
      { item_id: 'o37', file_name: `risk-plan-OPDC-${year}.pdf` },
    ]);
    const audited = await h.db
      .selectFrom('audit_event')
      .select('action')
      .where('action', '=', 'ita_oit_evidence_saved')
      .execute();
    assert.equal(audited.length, 2);
  });

  it('refuses a register changed since it was published, an item it does not answer, and anyone else', async () => {
    await saveRisk({
      db: h.db,
      actor: await signedInActor(h.db, 'risk@opdc.example'),
      registerId,
      input: { area: 'bribery', event: `${EVENT} (แก้ไข)` },
    });
    const changed = await attach('admin@opdc.example', 'o36');
    assert.equal(changed.statusCode, 400);
    assert.match(changed.body, /ทะเบียนความเสี่ยงมีการแก้ไขหลังเผยแพร่ครั้งล่าสุด/);
    assert.match(changed.body, /href="#risk-o36"/, 'the summary links to the button');
    assert.equal((await attach('admin@opdc.example', 'o1')).statusCode, 404);
    assert.equal((await attach('admin@opdc.example', '..%2Fo36')).statusCode, 404);
    assert.equal((await attach('admin@nacc.example', 'o36', cycleId)).statusCode, 404, 'another agency’s cycle');
    assert.equal((await attach('admin@nacc.example', 'o36', naccCycle)).statusCode, 404, 'NACC published nothing');
    assert.equal((await attach('risk@opdc.example', 'o36')).statusCode, 403, 'not an ITA editor');
    assert.equal((await attach('admin@opdc.example', 'o36', cycleId, 'forged')).statusCode, 403);
  });
});
