// The corruption-risk pages through HTTP: a risk officer opens a register, reads the signals (counts
// below 5 shown as "<5", no content), turns a row into a candidate risk, rates it, plans an action,
// publishes and downloads the CSV and the PDFs (read back with pdftotext); a granted reviewer scores
// it and the agency answers. Hostile use: a forged token, forged fields, another agency's register,
// roles that may not, an unknown document.
import assert from 'node:assert/strict';
import { execFile as execFileCb } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { createTestApp, seedStaff, signedInActor, type TestApp } from '../../../test/support/app.ts';
import { itaJars } from '../../../test/support/ita.ts';
import { CONTENT_MARKER, seedCases } from '../../../test/support/risk.ts';
import { csrfOf, get, postForm, type Jar } from '../../../test/support/web.ts';
import { currentFiscalYear } from '../../cases/figures.ts';
import { setOversight } from '../../risk/review.ts';

const execFile = promisify(execFileCb);
const PEOPLE = [
  ['risk@opdc.example', 'OPDC', ['risk_officer']],
  ['sup@opdc.example', 'OPDC', ['supervisor']],
  ['inv@opdc.example', 'OPDC', ['investigator']],
  ['risk@nacc.example', 'NACC', ['risk_officer']],
  ['rev@nacc.example', 'NACC', ['risk_reviewer']],
] as const;

describe('corruption-risk pages', () => {
  let h: TestApp;
  let dir: string;
  const jars: Record<string, Jar> = {};
  const page = (who: string, url: string) => get(h.app, jars[who], url);
  const post = async (who: string, url: string, fields: Record<string, string>) =>
    postForm(h.app, jars[who], url, { _csrf: csrfOf((await page(who, '/staff/risk')).body), ...fields });
  const year = String(currentFiscalYear());
  let registerId = 0;
  let riskId = 0;

  before(async () => {
    h = await createTestApp();
    dir = await mkdtemp(path.join(tmpdir(), 'risk-web-'));
    Object.assign(jars, (await itaJars(h.app, h.db, PEOPLE)).jars);
    // this fiscal year: 6 bribery tips and 3 abuse-of-authority tips, filed today
    const at = new Date().toISOString();
    await seedCases(h.db, { agency: 'OPDC', count: 6, category: 'bribery', at });
    await seedCases(h.db, { agency: 'OPDC', count: 3, category: 'abuse_of_authority', at });
    await seedStaff(h.db, null, 'root@platform.example', ['platform_admin']);
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
    await h.close();
  });

  it('tells whoever may read but not open a register, before there is one, who opens it', async () => {
    const supervisor = await page('sup@opdc.example', '/staff/risk');
    assert.equal(supervisor.statusCode, 200, supervisor.body);
    assert.match(supervisor.body, /ยังไม่มีทะเบียน/);
    assert.match(supervisor.body, /เจ้าหน้าที่บริหารความเสี่ยงของหน่วยงานเป็นผู้เปิดทะเบียน/, 'not a dead end');
    const officer = await page('risk@opdc.example', '/staff/risk');
    assert.doesNotMatch(officer.body, /เป็นผู้เปิดทะเบียน/, 'the officer has the form instead');
    assert.match(officer.body, /action="\/staff\/risk"/);
  });

  it('shows the signals with counts below 5 hidden and no content, and makes a candidate risk from a row', async () => {
    const res = await page('risk@opdc.example', `/staff/risk/signals?fy=${year}`);
    assert.equal(res.statusCode, 200, res.body);
    assert.ok(!res.body.includes(CONTENT_MARKER));
    assert.match(res.body, /<td>6<\/td>/);
    assert.match(res.body, /<abbr title="[^"]+">&lt;5<\/abbr>/);
    // no clock ran out: the deadline rows count nothing, and offer no risk to make of nothing
    assert.doesNotMatch(res.body, /name="signal" value="deadlines"/);
    const made = await post('risk@opdc.example', '/staff/risk/signals', {
      fy: year,
      signal: 'categories',
      row: 'tip.bribery',
    });
    assert.equal(made.statusCode, 303, made.body);
    const m = /\/staff\/risk\/(\d+)\/risks\/(\d+)\?sent=candidate$/.exec(String(made.headers.location));
    assert.ok(m, String(made.headers.location));
    registerId = Number(m[1]);
    riskId = Number(m[2]);
    const risk = await page('risk@opdc.example', String(made.headers.location));
    assert.match(risk.body, /signal:categories/);
    // the evidence reads as what it is: the signal by name, linked to its page of that year
    assert.match(
      risk.body,
      new RegExp(
        `จากสัญญาณ: <a href="/staff/risk/signals\\?fy=${year}">เรื่องแจ้งเบาะแสและร้องเรียนตามประเภทและหมวด และแนวโน้ม</a>`,
      ),
    );
    // sent again (a double click, a reload of the form): the risk already made
    const again = await post('risk@opdc.example', '/staff/risk/signals', {
      fy: year,
      signal: 'categories',
      row: 'tip.bribery',
    });
    assert.equal(again.headers.location, made.headers.location);
    // a forged row, and roles that read no signals or make no risk
    const forged = await post('risk@opdc.example', '/staff/risk/signals', {
      fy: year,
      signal: 'categories',
      row: 'tip.x',
    });
    assert.equal(forged.statusCode, 404);
    assert.equal((await page('inv@opdc.example', '/staff/risk/signals')).statusCode, 403);
    const sup = await post('sup@opdc.example', '/staff/risk/signals', {
      fy: year,
      signal: 'categories',
      row: 'tip.bribery',
    });
    assert.equal(sup.statusCode, 403);
    const noCsrf = await postForm(h.app, jars['risk@opdc.example'], '/staff/risk/signals', {
      _csrf: 'forged',
      fy: year,
      signal: 'categories',
      row: 'tip.bribery',
    });
    assert.equal(noCsrf.statusCode, 403);
  });

  it('rates the risk, refuses forged fields with the error summary, plans an action and publishes', async () => {
    const url = `/staff/risk/${registerId}/risks/${riskId}`;
    const bad = await post('risk@opdc.example', url, { area: 'weather', event: '', inherentLikelihood: '9' });
    assert.equal(bad.statusCode, 400, bad.body);
    assert.match(bad.body, /id="error-summary"/);
    assert.match(bad.body, /href="#area"/);
    assert.match(bad.body, /id="event"[^>]*aria-invalid="true"/);
    const good = await post('risk@opdc.example', url, {
      area: 'bribery',
      event: 'เรียกรับสินบนในการอนุญาต',
      cause: 'ดุลพินิจสูง',
      controls: 'คู่มือประชาชน',
      inherentLikelihood: '4',
      inherentImpact: '5',
      residualLikelihood: '2',
      residualImpact: '4',
      treatment: 'reduce',
      reviewedOn: '1/12/2569',
    });
    assert.equal(good.statusCode, 303, good.body);
    const action = await post('risk@opdc.example', `${url}/actions`, {
      title: 'เปิดเผยขั้นตอนและระยะเวลาการอนุญาต',
      owner: 'กองช่าง',
      dueOn: '30/9/2569',
      budget: '10,000',
    });
    assert.equal(action.statusCode, 303, action.body);
    const reg = await page('sup@opdc.example', `/staff/risk/${registerId}`);
    assert.equal(reg.statusCode, 200);
    assert.match(reg.body, /เปิดเผยขั้นตอนและระยะเวลาการอนุญาต|เรียกรับสินบนในการอนุญาต/);
    assert.match(reg.body, /<svg[^>]+role="img"/);
    assert.ok(
      !reg.body.includes('action="/staff/risk/' + registerId + '/publish"'),
      'no publish form for a supervisor',
    );
    const pub = await post('risk@opdc.example', `/staff/risk/${registerId}/publish`, {});
    assert.equal(pub.statusCode, 303, pub.body);
    const after = await page('risk@opdc.example', `/staff/risk/${registerId}`);
    assert.match(after.body, /[0-9a-f]{64}/);
  });

  it('downloads the CSV and the two PDFs, audited, with the register in them', async () => {
    const csv = await page('sup@opdc.example', `/staff/risk/${registerId}/register.csv`);
    assert.equal(csv.statusCode, 200);
    assert.match(String(csv.headers['content-type']), /^text\/csv/);
    assert.ok(csv.body.includes('เรียกรับสินบนในการอนุญาต'));
    for (const doc of ['assessment', 'plan']) {
      const pdf = await page('risk@opdc.example', `/staff/risk/${registerId}/${doc}.pdf`);
      assert.equal(pdf.statusCode, 200);
      assert.equal(pdf.headers['content-type'], 'application/pdf');
      const file = path.join(dir, `${doc}.pdf`);
      await writeFile(file, pdf.rawPayload);
      const { stdout } = await execFile('pdftotext', ['-enc', 'UTF-8', file, '-']);
      assert.match(stdout, doc === 'assessment' ? /รายงานผลการประเมินความเสี่ยงการทุจริต/ : /แผนบริหารจัดการความเสี่ยงการทุจริต/);
      assert.match(stdout, doc === 'assessment' ? /ความเสี่ยงที่ 1/ : /เปิดเผยขั้นตอน/);
    }
    assert.equal((await page('risk@opdc.example', `/staff/risk/${registerId}/other.pdf`)).statusCode, 404);
    const audited = await h.db
      .selectFrom('audit_event')
      .select('detail')
      .where('action', '=', 'risk_register_exported')
      .execute();
    assert.equal(audited.length, 3);
  });

  it('shows another agency nothing, and lets a granted reviewer score and the agency answer', async () => {
    for (const url of [
      `/staff/risk/${registerId}`,
      `/staff/risk/${registerId}/register.csv`,
      `/staff/risk/${registerId}/history`,
    ])
      assert.equal((await page('risk@nacc.example', url)).statusCode, 404, url);
    assert.equal((await post('risk@nacc.example', `/staff/risk/${registerId}/publish`, {})).statusCode, 404);
    assert.equal((await page('rev@nacc.example', `/staff/risk/${registerId}`)).statusCode, 404);
    // The reviewer's own agency's register is not theirs to review: not listed, so no link to a 404.
    // (opened with the year typed in Thai digits, as a Thai keyboard types it)
    const thaiYear = year.replace(/\d/g, (d) => String.fromCharCode(0x0e50 + Number(d)));
    const own = await post('risk@nacc.example', '/staff/risk', { fiscalYear: thaiYear });
    assert.equal(own.statusCode, 303, own.body);
    const naccRegister = /\/staff\/risk\/(\d+)/.exec(String(own.headers.location))?.[1];
    assert.ok(naccRegister);
    assert.equal((await page('rev@nacc.example', `/staff/risk/${naccRegister}`)).statusCode, 404);
    const listed = (await page('rev@nacc.example', '/staff/risk')).body;
    assert.ok(!listed.includes(`href="/staff/risk/${naccRegister}"`), 'a register the reviewer may not open');
    await setOversight({
      db: h.db,
      actor: await signedInActor(h.db, 'root@platform.example'),
      reviewerEmail: 'rev@nacc.example',
      agencyCode: 'OPDC',
    });
    const reg = await page('rev@nacc.example', `/staff/risk/${registerId}`);
    assert.equal(reg.statusCode, 200);
    const badScore = await post('rev@nacc.example', `/staff/risk/${registerId}/reviews`, {
      'score.areas_covered': '7',
    });
    assert.equal(badScore.statusCode, 400);
    // the summary names each item at fault, not four times the same words
    for (const item of ['ครอบคลุมทุกด้านความเสี่ยง', 'ใช้หลักฐานจากข้อมูล', 'การดำเนินการตามกำหนดเวลา'])
      assert.match(badScore.body, new RegExp(`<a href="#score\\.[a-z_]+">${item}: `), item);
    const scored = await post('rev@nacc.example', `/staff/risk/${registerId}/reviews`, {
      'score.areas_covered': '1',
      'score.evidence_used': '2',
      'score.controls_actions': '2',
      'score.actions_on_time': '2',
      comment: 'ควรครอบคลุมด้านงบประมาณ',
    });
    assert.equal(scored.statusCode, 303, scored.body);
    const review = await h.db.selectFrom('risk_review').select('id').executeTakeFirstOrThrow();
    assert.equal(
      (await post('rev@nacc.example', `/staff/risk/${registerId}/reviews/${review.id}/answer`, { answer: 'x' }))
        .statusCode,
      403,
    );
    const answered = await post('risk@opdc.example', `/staff/risk/${registerId}/reviews/${review.id}/answer`, {
      answer: 'จะเพิ่มความเสี่ยงด้านงบประมาณ',
    });
    assert.equal(answered.statusCode, 303, answered.body);
    const seen = await page('rev@nacc.example', `/staff/risk/${registerId}`);
    assert.ok(seen.body.includes('จะเพิ่มความเสี่ยงด้านงบประมาณ'));
    assert.ok(seen.body.includes('ควรครอบคลุมด้านงบประมาณ'));
    assert.equal((await page('rev@nacc.example', '/staff/risk/signals')).statusCode, 403);
    const history = await page('risk@opdc.example', `/staff/risk/${registerId}/history`);
    assert.equal(history.statusCode, 200);
    assert.ok(history.body.includes('risk_review_answered') || history.body.includes('ชี้แจงผลการสอบทานความเสี่ยง'));
  });
});
