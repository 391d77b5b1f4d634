// Procurement red flags in the console: an agency's import (store.ts) listed to its supervisors,
// auditors and administrators, the drill-down to a release, the CSV export (audited), the evidence a
// candidate risk would link, and a risk officer's one action making a candidate risk of a flagged
// process; another agency's staff and roles without the right read nothing.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createTestApp, loginCode, PASSWORD, seedAgency, seedStaff, type TestApp } from '../../../test/support/app.ts';
import { csrfOf, get, newJar, postForm, type Jar } from '../../../test/support/web.ts';
import { flagEvidence, importProcurement, mayReadProcurement } from '../../procurement/store.ts';

const release = (ocid: string, bids: [string, number, string][], title: string) => ({
  ocid,
  buyer: { id: 'B1', name: 'กรมตัวอย่าง' },
  tender: { title, procurementMethod: 'open', numberOfTenderers: bids.length },
  bids: {
    details: bids.map(([id, amount, status]) => ({ status, tenderers: [{ id }], value: { amount, currency: 'THB' } })),
  },
  awards: [{ status: 'active', suppliers: [{ id: bids[0]![0] }] }],
});

describe('procurement red flags in the console', () => {
  let h: TestApp;
  let dir: string;
  let opdcId = 0;
  let dolaId = 0;

  const login = async (email: string): Promise<Jar> => {
    const jar = newJar();
    const page = await get(h.app, jar, '/staff/login');
    const res = await postForm(h.app, jar, '/staff/login', {
      _csrf: csrfOf(page.body),
      email,
      password: PASSWORD,
      code: loginCode(email),
    });
    assert.equal(res.statusCode, 303, res.body);
    return jar;
  };

  before(async () => {
    h = await createTestApp();
    dir = await mkdtemp(path.join(os.tmpdir(), 'sj-procurement-'));
    await seedAgency(h.db, 'OPDC');
    await seedAgency(h.db, 'DOLA');
    await seedStaff(h.db, 'OPDC', 'sup@opdc.example', ['supervisor']);
    await seedStaff(h.db, 'OPDC', 'aud@opdc.example', ['auditor']);
    await seedStaff(h.db, 'OPDC', 'inv@opdc.example', ['investigator']);
    await seedStaff(h.db, 'DOLA', 'sup@dola.example', ['supervisor']);
    await seedStaff(h.db, 'OPDC', 'risk@opdc.example', ['risk_officer' as never]);
    await seedStaff(h.db, 'DOLA', 'risk@dola.example', ['risk_officer' as never]);
    const ids = await h.db.selectFrom('agency').select(['id', 'code']).execute();
    opdcId = ids.find((a) => a.code === 'OPDC')!.id;
    dolaId = ids.find((a) => a.code === 'DOLA')!.id;
    const lines = [
      release(
        'ocds-x-1',
        [
          ['W', 100, 'valid'],
          ['L', 100, 'disqualified'],
        ],
        'ซื้อ <script>alert(1)</script>',
      ),
      release(
        'ocds-x-2',
        [
          ['A', 50, 'valid'],
          ['B', 60, 'valid'],
          ['C', 70, 'valid'],
        ],
        'จ้างทำความสะอาด',
      ),
      '{not json',
    ].map((l) => (typeof l === 'string' ? l : JSON.stringify(l)));
    await writeFile(path.join(dir, 'in.jsonl'), `${lines.join('\n')}\n`);
    const r = await importProcurement({
      db: h.db,
      actorUserId: null,
      agencyId: opdcId,
      file: path.join(dir, 'in.jsonl'),
      source: 'ocds',
      settingsText: '[R018]\n[R028]\n[TH_FEW_BIDDERS]\n',
    });
    assert.equal(r.report.skipped, 1);
    assert.deepEqual(r.report.faults[0]!.line, 3);
    assert.equal(r.flagged, 1);
  });
  after(async () => {
    await h.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('gates reading on one function: supervisors, auditors, administrators, and a risk officer', () => {
    assert.equal(mayReadProcurement({ roles: ['supervisor'] }), true);
    assert.equal(mayReadProcurement({ roles: ['auditor'] }), true);
    assert.equal(mayReadProcurement({ roles: ['agency_admin'] }), true);
    assert.equal(mayReadProcurement({ roles: ['risk_officer' as never] }), true);
    assert.equal(mayReadProcurement({ roles: ['investigator', 'intake_officer'] }), false);
  });

  it('lists the agency’s flagged processes, escaped, and drills down to the release', async () => {
    const jar = await login('sup@opdc.example');
    const page = await get(h.app, jar, '/staff/procurement');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /ocds-x-1/);
    assert.doesNotMatch(page.body, /ocds-x-2/);
    assert.match(page.body, /&lt;script&gt;/);
    assert.doesNotMatch(page.body, /<script>alert/);
    assert.match(page.body, /R028/);
    const drill = await get(h.app, jar, '/staff/procurement/process?ocid=ocds-x-1');
    assert.equal(drill.statusCode, 200);
    assert.match(drill.body, /&quot;ocid&quot;: &quot;ocds-x-1&quot;/);
    assert.match(drill.body, /TH_FEW_BIDDERS/);
  });

  it('exports every flag as CSV, audited', async () => {
    const jar = await login('aud@opdc.example');
    const res = await get(h.app, jar, '/staff/procurement.csv');
    assert.equal(res.statusCode, 200);
    assert.match(res.headers['content-type'] as string, /text\/csv/);
    const lines = res.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    assert.equal(lines[0], 'import,imported_at,group,id,indicator,value,title,buyer');
    assert.ok(lines.some((l) => l.includes(',OCID,ocds-x-1,R028,1,')));
    assert.ok(lines.some((l) => l.includes(',Tenderer,W,R028,1,')));
    const audited = await h.db
      .selectFrom('audit_event')
      .select('action')
      .where('action', '=', 'procurement_exported')
      .execute();
    assert.equal(audited.length, 1);
  });

  it('refuses another agency’s staff: its list is empty and the drill-down is not found', async () => {
    const jar = await login('sup@dola.example');
    const page = await get(h.app, jar, '/staff/procurement');
    assert.equal(page.statusCode, 200);
    assert.doesNotMatch(page.body, /ocds-x-1/);
    const drill = await get(h.app, jar, '/staff/procurement/process?ocid=ocds-x-1');
    assert.equal(drill.statusCode, 404);
    const csv = await get(h.app, jar, '/staff/procurement.csv');
    assert.doesNotMatch(csv.body, /ocds-x-1/);
    assert.equal(await flagEvidence(h.db, dolaId, 'ocds-x-1'), null);
  });

  it('refuses a role without the right, and a forged ocid reads like no process', async () => {
    const jar = await login('inv@opdc.example');
    assert.equal((await get(h.app, jar, '/staff/procurement')).statusCode, 403);
    const sup = await login('sup@opdc.example');
    const forged = await get(h.app, sup, `/staff/procurement/process?ocid=${encodeURIComponent("' or 1=1 --")}`);
    assert.equal(forged.statusCode, 404);
    const long = await get(h.app, sup, `/staff/procurement/process?ocid=${'x'.repeat(5000)}`);
    assert.equal(long.statusCode, 404);
  });

  it('flagEvidence gives what a candidate risk would link', async () => {
    const e = await flagEvidence(h.db, opdcId, 'ocds-x-1');
    assert.ok(e);
    assert.equal(e.title, 'ซื้อ <script>alert(1)</script>');
    assert.equal(e.buyer, 'กรมตัวอย่าง');
    assert.deepEqual(
      e.flags.map((f) => f.code),
      ['R028', 'TH_FEW_BIDDERS'],
    );
    assert.equal((e.release as { ocid: string }).ocid, 'ocds-x-1');
  });

  it('turns a flagged process into a candidate risk in one action (risk officers), once however often sent', async () => {
    const sup = await login('sup@opdc.example');
    const seen = await get(h.app, sup, '/staff/procurement/process?ocid=ocds-x-1');
    assert.doesNotMatch(seen.body, /action="\/staff\/procurement\/process"/, 'no button for a supervisor');
    const refused = await postForm(h.app, sup, '/staff/procurement/process', {
      _csrf: csrfOf(seen.body),
      ocid: 'ocds-x-1',
    });
    assert.equal(refused.statusCode, 403);

    const jar = await login('risk@opdc.example');
    const page = await get(h.app, jar, '/staff/procurement/process?ocid=ocds-x-1');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /สร้างความเสี่ยงจากธงแดงนี้/);
    const csrf = csrfOf(page.body);
    const forged = await postForm(h.app, jar, '/staff/procurement/process', { _csrf: 'forged', ocid: 'ocds-x-1' });
    assert.equal(forged.statusCode, 403);
    const made = await postForm(h.app, jar, '/staff/procurement/process', { _csrf: csrf, ocid: 'ocds-x-1' });
    assert.equal(made.statusCode, 303, made.body);
    const m = /^\/staff\/risk\/(\d+)\/risks\/(\d+)\?sent=flag$/.exec(String(made.headers.location));
    assert.ok(m, String(made.headers.location));
    const again = await postForm(h.app, jar, '/staff/procurement/process', { _csrf: csrf, ocid: 'ocds-x-1' });
    assert.equal(again.headers.location, made.headers.location, 'sent twice: the same risk');
    const risks = await h.db.selectFrom('risk_item').selectAll().execute();
    assert.equal(risks.length, 1);
    const [risk] = risks;
    assert.equal(risk!.area, 'procurement');
    assert.equal(risk!.state, 'candidate');
    assert.match(
      risk!.event,
      /ธงแดงการจัดซื้อจัดจ้าง: ซื้อ <script>alert\(1\)<\/script> \(ราคาเสนอซ้ำกัน, ผู้เสนอราคาน้อยกว่า 3 ราย\)/,
    );
    const evidence = risk!.evidence[0] as Record<string, unknown>;
    assert.equal(evidence.source, 'redflag:R028.TH_FEW_BIDDERS');
    assert.equal(evidence.ocid, 'ocds-x-1');
    assert.equal(evidence.buyer, 'กรมตัวอย่าง');
    assert.deepEqual(
      (evidence.flags as { code: string }[]).map((f) => f.code),
      ['R028', 'TH_FEW_BIDDERS'],
    );
    const shown = await get(h.app, jar, String(made.headers.location));
    assert.equal(shown.statusCode, 200);
    assert.match(shown.body, /สร้างความเสี่ยงที่รอประเมินแล้ว พร้อมหลักฐานจากธงแดง/);
    assert.match(shown.body, /redflag:R028\.TH_FEW_BIDDERS/);
    assert.match(shown.body, /จากธงแดงการจัดซื้อจัดจ้าง: <a href="\/staff\/procurement\/process\?ocid=ocds-x-1">/);
    assert.match(shown.body, /<li>ผู้เสนอราคาน้อยกว่า 3 ราย \(TH_FEW_BIDDERS\)<\/li>/);
    assert.doesNotMatch(shown.body, /<script>alert/);
    const audited = await h.db
      .selectFrom('audit_event')
      .select('action')
      .where('action', '=', 'risk_candidate_made')
      .execute();
    assert.equal(audited.length, 1);

    for (const ocid of ['ocds-x-2', "' or 1=1 --", '', 'x'.repeat(5000)]) {
      const res = await postForm(h.app, jar, '/staff/procurement/process', { _csrf: csrf, ocid });
      assert.equal(res.statusCode, 404, `not flagged or forged: ${ocid.slice(0, 20)}`);
    }
    const dola = await login('risk@dola.example');
    const other = await get(h.app, dola, '/staff/procurement');
    const cross = await postForm(h.app, dola, '/staff/procurement/process', {
      _csrf: csrfOf(other.body),
      ocid: 'ocds-x-1',
    });
    assert.equal(cross.statusCode, 404, 'another agency’s process reads like none');
    assert.equal((await h.db.selectFrom('risk_item').select('id').execute()).length, 1);
  });
});
