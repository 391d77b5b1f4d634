// The privacy notice, contact and about page through HTTP: Thai and English, the operator as
// configured or plainly "not configured yet", the agencies, the durations the code enforces; the
// footer link on every reporter-side page and the notice by the complaint form's name and contact;
// the favicon.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestApp, seedAgency, seedStaff, type TestApp } from '../../../test/support/app.ts';
import { get, newJar } from '../../../test/support/web.ts';
import { REVEAL_MINUTES } from '../../intake/receipt-reveal.ts';

const HOSTILE = '<script>alert(1)</script> & "Co"';
const FOOTER_LINK = /<footer class="foot">.*<a href="\/privacy">/s;

describe('privacy notice', () => {
  let h: TestApp;
  let configured: TestApp;

  before(async () => {
    h = await createTestApp();
    configured = await createTestApp({
      SUJARIT_OPERATOR_NAME_TH: 'สำนักงาน ก.พ.ร.',
      SUJARIT_OPERATOR_NAME_EN: 'Office of the Public Sector Development Commission',
      SUJARIT_OPERATOR_CONTACT: `privacy@opdc.example\n${HOSTILE}`,
    });
    for (const t of [h, configured]) {
      for (const code of ['OPDC', 'QUIET']) await seedAgency(t.db, code);
      await seedStaff(t.db, 'OPDC', 'intake@opdc.example', ['intake_officer']);
    }
  });
  after(async () => {
    await h?.close();
    await configured?.close();
  });

  it('says in Thai that the operator is not configured yet, lists the agencies that receive reports and says how long each agency keeps cases', async () => {
    const res = await get(h.app, newJar(), '/privacy');
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /<html lang="th">/);
    assert.match(res.body, /<h1>ความเป็นส่วนตัว การติดต่อ และเกี่ยวกับระบบ<\/h1>/);
    assert.match(res.body, /ยังไม่ได้ตั้งค่า: [^<]*SUJARIT_OPERATOR_NAME_TH/);
    assert.match(res.body, /<li>หน่วยงาน OPDC<\/li>/);
    assert.doesNotMatch(res.body, /หน่วยงาน QUIET/, 'an agency nobody reads for is not offered');
    assert.match(res.body, /พ้นระยะเวลาของหน่วยงาน/);
    assert.match(res.body, /<summary>หน่วยงาน OPDC \(ค่าเริ่มต้นของระบบ/);
    assert.match(res.body, /เบาะแสการทุจริต · ไม่มีมูลหรือกลั่นแกล้ง<\/th><td>6 เดือน<\/td>/);
    assert.match(res.body, new RegExp(`ภายใน ${REVEAL_MINUTES} นาที`));
    assert.match(res.body, /มาตรา 30/);
    assert.match(res.body, /มาตรา 131 และ 133/);
    assert.doesNotMatch(res.body, /privacy\.[a-z]/, 'every text is translated');
    assert.doesNotMatch(res.body, /\{[a-z]+\}/, 'every duration is filled in');
    assert.match(res.body, /href="\/privacy\?lang=en"/);
  });

  it('names the configured operator in English, escaped, with the contact on its lines', async () => {
    const res = await get(configured.app, newJar(), '/privacy?lang=en');
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /<html lang="en">/);
    assert.match(res.body, /<dt>Operator<\/dt><dd>Office of the Public Sector Development Commission<\/dd>/);
    assert.match(
      res.body,
      /<dd class="text">privacy@opdc.example\n&lt;script&gt;alert\(1\)&lt;\/script&gt; &amp; &quot;Co&quot;<\/dd>/,
    );
    assert.doesNotMatch(res.body, /<script/);
    assert.doesNotMatch(res.body, /Not configured yet/);
    assert.match(res.body, /<li>Agency OPDC<\/li>/);
    assert.match(res.body, /the platform destroys its keys and sealed content automatically/);
    assert.match(res.body, /Corruption report · Substantiated<\/th><td>120 months<\/td>/);
    assert.match(res.body, /within 30 days \(§30\)/);
    const th = await get(configured.app, newJar(), '/privacy');
    assert.match(th.body, /<dd>สำนักงาน ก.พ.ร.<\/dd>/);
  });

  it('is linked from the footer of every reporter-side page, and not from the staff side', async () => {
    for (const url of [
      '/',
      '/report',
      '/complaint',
      '/complaint?type=permit',
      '/status',
      '/followup',
      '/figures',
      '/ita',
      '/privacy',
      '/no-such-page',
    ]) {
      const res = await get(h.app, newJar(), url);
      assert.match(res.body, FOOTER_LINK, url);
      assert.match(res.body, /<link rel="icon" href="\/static\/favicon.svg" type="image\/svg\+xml">/, url);
    }
    const staff = await get(h.app, newJar(), '/staff/login');
    assert.doesNotMatch(staff.body, FOOTER_LINK);
  });

  it('tells the complainant, next to the name and contact, who reads them, with a link that keeps the form', async () => {
    for (const [url, words] of [
      ['/complaint', 'อ่านได้เฉพาะเจ้าหน้าที่ที่ดูแลเรื่องของคุณ'],
      ['/complaint?type=permit&lang=en', 'Only the officers handling your complaint can read them.'],
    ] as const) {
      const res = await get(h.app, newJar(), url);
      const you = res.body.split('id="identityName"')[0].split('<fieldset class="field">').at(-1)!;
      assert.ok(you.includes(words), url);
      assert.match(you, /<a href="\/privacy#kept" target="_blank" rel="noopener">/, url);
    }
    const report = await get(h.app, newJar(), '/report');
    assert.match(report.body.split('id="identityName"')[0], /<a href="\/privacy#kept" target="_blank" rel="noopener">/);
  });

  it('serves the favicon as SVG from the same origin, and sends /favicon.ico to it', async () => {
    const svg = await h.app.inject({ method: 'GET', url: '/static/favicon.svg' });
    assert.equal(svg.statusCode, 200);
    assert.match(String(svg.headers['content-type']), /^image\/svg\+xml/);
    assert.match(svg.body, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.doesNotMatch(svg.body, /<script|href=/i, 'nothing runs, nothing is fetched');
    const ico = await h.app.inject({ method: 'GET', url: '/favicon.ico' });
    assert.equal(ico.statusCode, 301);
    assert.equal(ico.headers.location, '/static/favicon.svg');
  });
});
