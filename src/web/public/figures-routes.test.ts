// The public figures page and CSV through HTTP: Thai and English, the fiscal-year filter, the SVG
// chart with escaped labels, the "no data" panel, hostile input, and nothing about staff.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createTestApp, seedAgency, seedStaff, type TestApp } from '../../../test/support/app.ts';
import { get, newJar } from '../../../test/support/web.ts';
import { currentFiscalYear } from '../../cases/figures.ts';
import { bangkokToday } from '../../cases/permit-dates.ts';
import type { CaseChannel, CaseKind, CaseStatus } from '../../db/schema.ts';

const HOSTILE = '<script>alert(1)</script> & "Co"';
const FORMULA = '=HYPERLINK("http://evil.example")';

describe('public figures', () => {
  let h: TestApp;
  let n = 0;
  const fy = currentFiscalYear();
  const ids: Record<string, number> = {};

  before(async () => {
    h = await createTestApp();
    for (const code of ['OPDC', 'EVIL', 'EMPTY']) await seedAgency(h.db, code);
    await h.db.updateTable('agency').set({ name_en: HOSTILE, name_th: FORMULA }).where('code', '=', 'EVIL').execute();
    for (const a of await h.db.selectFrom('agency').select(['id', 'code']).execute()) ids[a.code] = a.id;
    await seedStaff(h.db, 'OPDC', 'somchai.officer@opdc.example', ['intake_officer', 'supervisor'], {
      displayName: 'สมชาย เจ้าหน้าที่',
    });
    const add = async (
      agency: string,
      kind: CaseKind,
      channel: CaseChannel,
      status: CaseStatus = 'new',
      createdAt = new Date(),
    ) => {
      const id = randomUUID();
      const category = { tip: 'bribery', complaint: 'service_delay', permit: 'late_permit' }[kind];
      await h.db
        .insertInto('report_case')
        .values({
          id,
          reference: `F-${++n}`,
          agency_id: ids[agency],
          category,
          channel,
          status,
          kind,
          has_identity: false,
          content: Buffer.from('sealed'),
          created_at: createdAt,
        })
        .execute();
      return id;
    };
    await add('OPDC', 'complaint', 'line');
    const resolved = await add('OPDC', 'complaint', 'web', 'closed');
    await h.db.updateTable('report_case').set({ outcome: 'resolved' }).where('id', '=', resolved).execute();
    await add('OPDC', 'tip', 'web');
    await add('OPDC', 'tip', 'web', 'new', new Date(Date.now() - 3 * 366 * 86_400_000)); // three fiscal years ago
    const permit = await add('OPDC', 'permit', 'line');
    await h.db
      .insertInto('permit_request')
      .values({
        case_id: permit,
        agency_id: ids.OPDC,
        filed_on: '2025-01-01',
        manual_due_on: '2025-02-01',
        next_notice_at: null,
      })
      .execute();
    for (const [agency, score] of [
      ['OPDC', 5],
      ['OPDC', 4],
      ['OPDC', 2],
      ['EVIL', 1],
    ] as const) {
      const id = await add(agency, 'complaint', 'web', 'closed');
      await h.db
        .insertInto('case_rating')
        .values({ case_id: id, agency_id: ids[agency], score, channel: 'web', rated_on: bangkokToday() })
        .execute();
    }
  });
  after(() => h.close());

  const page = (url: string) => get(h.app, newJar(), url);

  it('shows the current fiscal year per agency in Thai, with the ratings as an SVG chart and escaped labels', async () => {
    const res = await page('/figures');
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /<html lang="th">/);
    assert.match(res.body, new RegExp(`<option value="${fy}" selected>ปีงบประมาณ พ.ศ. ${fy}</option>`));
    assert.match(res.body, new RegExp(`href="/figures.csv\\?fy=${fy}"`));
    assert.match(
      res.body,
      /<th scope="row">หน่วยงาน OPDC<\/th><td>6<\/td><td>4<\/td>/,
      'complaints: two, a permit and three rated; four closed',
    );
    assert.match(
      res.body,
      /id="outcomes-h">ผลการดำเนินการเรื่องร้องเรียน<\/h2>[\s\S]*?<th scope="col">แก้ไขแล้ว<\/th><th scope="col">แก้ไขได้บางส่วน<\/th><th scope="col">แก้ไขไม่ได้<\/th>[\s\S]*?<th scope="row">หน่วยงาน OPDC<\/th><td>1<\/td><td>0<\/td><td>0<\/td><td>0<\/td><\/tr>/,
      'the closed complaints by outcome',
    );
    assert.match(res.body, /<svg [^>]*role="img"/);
    for (const name of ['เรื่องร้องเรียน', 'เบาะแสการทุจริต', 'ความพึงพอใจต่อการดำเนินการ', 'คำขออนุญาตที่ล่าช้า']) {
      assert.ok(
        res.body.includes(
          `<div class="table-wrap" role="region" tabindex="0" aria-label="ตาราง${name} (เลื่อนไปด้านข้างได้)"><table class="figures">`,
        ),
        `${name}: a focusable, named scrolling region`,
      );
    }
    assert.match(res.body, /<title id="chart-0-t">การกระจายของคะแนนความพึงพอใจ: รวมทุกหน่วยงาน<\/title>/);
    assert.match(res.body, /หน่วยงาน OPDC: คะแนนเฉลี่ย 3.67 จากผู้ประเมิน 3 ราย/);
    assert.doesNotMatch(res.body, /<script/i, 'no script, and the hostile name is escaped');
    assert.ok(res.body.includes('=HYPERLINK(&quot;http://evil.example&quot;)'));
    assert.doesNotMatch(res.body, /somchai|สมชาย/, 'nothing about staff');
    assert.equal(res.headers['content-security-policy']?.toString().includes("script-src 'none'"), true);
  });

  it('shows English, with the hostile English name escaped in the chart', async () => {
    const res = await page('/figures?lang=en');
    assert.match(res.body, /<html lang="en">/);
    assert.match(res.body, /Complaint and satisfaction figures/);
    assert.ok(
      res.body.includes(
        'Distribution of satisfaction ratings: &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Co&quot;',
      ),
    );
    assert.doesNotMatch(res.body, /<script/i);
    assert.match(res.body, /mean 3.67 from 3 rating\(s\)/);
  });

  it('shows a "no data" panel for a year without cases, and every year with fy=all', async () => {
    const empty = await page(`/figures?fy=${fy - 2}`);
    assert.equal(empty.statusCode, 200);
    assert.equal(
      empty.body.match(/ยังไม่มีข้อมูลในช่วงเวลานี้/g)?.length,
      5,
      'one panel per section (complaints, tips, outcomes, ratings, permits)',
    );
    assert.doesNotMatch(empty.body, /<svg/);
    const all = await page('/figures?fy=all&lang=en');
    assert.match(all.body, /<option value="all" selected>All years<\/option>/);
    assert.match(all.body, /All cases received/);
    assert.match(all.body, /<th scope="row">Agency OPDC<\/th><td>2<\/td>/, 'both tips, the old one too');
  });

  it('answers the CSV with a total row, formulas defused', async () => {
    const res = await page(`/figures.csv?fy=${fy}`);
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^text\/csv; charset=utf-8/);
    assert.equal(res.headers['content-disposition'], `attachment; filename="sujarit-figures-fy${fy}.csv"`);
    const lines = res.body
      .replace(/^\uFEFF/, '')
      .trimEnd()
      .split('\r\n');
    assert.equal(lines.length, 5, 'header, three agencies, total');
    assert.deepEqual(
      lines.slice(1).map((l) => l.split(',')[0]),
      ['EMPTY', 'EVIL', 'OPDC', 'ALL'],
    );
    assert.ok(lines[2].startsWith(`EVIL,"'=HYPERLINK(""http://evil.example"")",`), 'a formula is prefixed and quoted');
    assert.ok(lines[4].startsWith('ALL,'));
    assert.doesNotMatch(res.body, /somchai|สมชาย/);
  });

  it('refuses a malformed fiscal year', async () => {
    for (const q of ['abc', '9999', `${fy + 1}`, '2400', "2569' or 1=1 --", '<script>']) {
      const res = await page(`/figures?fy=${encodeURIComponent(q)}`);
      assert.equal(res.statusCode, 400, q);
      assert.match(res.body, /ปีงบประมาณไม่ถูกต้อง/);
      assert.doesNotMatch(res.body, /<script>/);
      assert.equal((await page(`/figures.csv?fy=${encodeURIComponent(q)}`)).statusCode, 400);
    }
  });
});
