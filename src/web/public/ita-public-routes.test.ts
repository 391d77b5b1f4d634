// The public ITA pages through HTTP, like a browser without JavaScript: nothing before publishing,
// publishing from the cycle page (and who may), the same scores as the staff results page, the
// disclosure rule, no question-level data, escaped names, the CSV, and withdrawing.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestApp, signedInActor, type TestApp } from '../../../test/support/app.ts';
import { itaJars } from '../../../test/support/ita.ts';
import { csrfOf, get, newJar, postForm, type Jar } from '../../../test/support/web.ts';
import { listFrameworks, loadShippedFramework } from '../../ita/framework.ts';
import { issueLinks } from '../../ita/surveys.ts';

const HOSTILE = '<script>alert(1)</script>';

describe('public ITA results', () => {
  let h: TestApp;
  const jars: Record<string, Jar> = {};
  const ids: Record<string, number> = {};
  const framework = () => loadShippedFramework(listFrameworks()[0]);

  const page = (who: string, url: string) => get(h.app, jars[who], url);
  const pub = (url: string) => get(h.app, newJar(), url);
  const post = async (who: string, url: string, fields: Record<string, string>) =>
    postForm(h.app, jars[who], url, { _csrf: csrfOf((await page(who, '/staff/cases')).body), ...fields });
  const publish = (who: string, id: number, publish: string, confirm = 'yes') =>
    post(who, `/staff/ita/${id}/publish`, { publish, confirm });

  /** Answers a survey page `n` times as different people would: respondent i picks the i-th option of every question (wrapping). */
  const answer = async (urls: string[]) => {
    for (const [i, url] of urls.entries()) {
      const jar = newJar();
      const form = (await get(h.app, jar, url)).body;
      const options = new Map<string, string[]>();
      for (const m of form.matchAll(/type="radio" id="[^"]+" name="([^"]+)" value="([^"]+)"/g))
        options.set(m[1], [...(options.get(m[1]) ?? []), m[2]]);
      assert.ok(options.size > 0, url);
      const res = await postForm(h.app, jar, url, {
        _csrf: csrfOf(form),
        ...Object.fromEntries([...options].map(([name, values]) => [name, values[(i + 1) % values.length]])),
      });
      assert.match(res.body, /ได้รับคำตอบแล้ว/, url);
    }
  };
  /** Opens a cycle from the staff form and answers it: `iit` staff through one-time links, `eit` stakeholders through the public address. */
  const cycle = async (admin: string, fiscalYear: number, iit: number, eit: number) => {
    const res = await post(admin, '/staff/ita', {
      fiscalYear: String(fiscalYear),
      framework: listFrameworks()[0],
      staffCount: '10',
    });
    const id = Number(/\/staff\/ita\/(\d+)\?/.exec(String(res.headers.location))?.[1]);
    const tokens = await issueLinks({ db: h.db, actor: await signedInActor(h.db, admin), cycleId: id, count: iit });
    const { public_code: code } = await h.db
      .selectFrom('ita_cycle')
      .select('public_code')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    await answer([...tokens.map((t) => `/ita/s/${t}`), ...Array.from({ length: eit }, () => `/ita/e/${code}`)]);
    return id;
  };
  const close = (admin: string, id: number) => post(admin, `/staff/ita/${id}/close`, { confirm: 'yes' });

  before(async () => {
    h = await createTestApp();
    Object.assign(jars, (await itaJars(h.app, h.db)).jars);
    await h.db.updateTable('agency').set({ name_th: HOSTILE, name_en: HOSTILE }).where('code', '=', 'NACC').execute();
    ids.full = await cycle('admin@opdc.example', 2568, 5, 5);
    ids.few = await cycle('admin@opdc.example', 2569, 5, 2);
    ids.nacc = await cycle('admin@nacc.example', 2568, 5, 5);
    for (const [who, id] of [
      ['admin@opdc.example', ids.full],
      ['admin@nacc.example', ids.nacc],
    ] as const)
      assert.equal((await close(who, id)).statusCode, 303);
  });
  after(() => h.close());

  it('shows a "no data" panel, a 404 for every agency and an empty CSV before anything is published', async () => {
    const list = await pub('/ita');
    assert.equal(list.statusCode, 200);
    assert.match(list.body, /<html lang="th">/);
    assert.match(list.body, /ยังไม่มีหน่วยงานใดเผยแพร่ผลการประเมิน/);
    assert.match(list.body, /href="\/ita\?lang=en"/, 'the language switch');
    for (const code of ['OPDC', 'NACC', 'NOSUCH', '%3Cscript%3E'])
      assert.equal((await pub(`/ita/${code}`)).statusCode, 404, code);
    const csv = await pub('/ita.csv');
    assert.equal(csv.body, '\uFEFFรหัสหน่วยงาน,หน่วยงาน,ปีงบประมาณ (พ.ศ.),IIT,EIT,OIT,ITA,ระดับ,ที่มา,หมายเหตุ\r\n');
    assert.equal((await pub('/ita?fy=25x8')).statusCode, 400);
  });

  it('lets only an administrator of the cycle’s agency publish, with the box ticked, a closed cycle, with the CSRF token', async () => {
    const overview = await page('admin@opdc.example', `/staff/ita/${ids.full}`);
    assert.match(overview.body, new RegExp(`action="/staff/ita/${ids.full}/publish"`));
    assert.match(overview.body, /ยังไม่เผยแพร่/);
    assert.doesNotMatch((await page('assessor@opdc.example', `/staff/ita/${ids.full}`)).body, /\/publish"/);
    assert.doesNotMatch(
      (await page('admin@opdc.example', `/staff/ita/${ids.few}`)).body,
      /\/publish"/,
      'an open cycle has no publish form',
    );
    assert.equal((await publish('assessor@opdc.example', ids.full, 'yes')).statusCode, 403);
    assert.equal((await publish('admin@nacc.example', ids.full, 'yes')).statusCode, 404);
    assert.equal(
      (
        await postForm(h.app, jars['admin@opdc.example'], `/staff/ita/${ids.full}/publish`, {
          publish: 'yes',
          confirm: 'yes',
        })
      ).statusCode,
      403,
      'no CSRF token',
    );
    const unticked = await publish('admin@opdc.example', ids.full, 'yes', '');
    assert.equal(unticked.statusCode, 400);
    assert.match(unticked.body, /id="publishConfirm-error"/);
    assert.match(unticked.body, /href="#publishConfirm"/);
    assert.equal((await publish('admin@opdc.example', ids.few, 'yes')).statusCode, 409, 'still open');
    assert.equal((await publish('admin@opdc.example', ids.full, 'maybe')).statusCode, 400);
    const published = await h.db.selectFrom('ita_cycle').select('id').where('published_at', 'is not', null).execute();
    assert.deepEqual(published, [], 'nothing refused was published');
    assert.equal((await pub('/ita/OPDC')).statusCode, 404);
  });

  it('publishes: the list, the agency page and the CSV show the staff page’s scores, charts and pass mark', async () => {
    const res = await publish('admin@opdc.example', ids.full, 'yes');
    assert.equal(res.statusCode, 303, res.body);
    assert.equal(res.headers.location, `/staff/ita/${ids.full}?sent=published`);
    const overview = await page('admin@opdc.example', `/staff/ita/${ids.full}?sent=published&lang=en`);
    assert.match(overview.body, /The results are published/);
    assert.match(overview.body, /Published on .*2569|Published on .*25\d\d/);
    assert.match(overview.body, /name="publish" value="no"/, 'now the form withdraws');

    const staff = (await page('assessor@opdc.example', `/staff/ita/${ids.full}/results?lang=en`)).body;
    const [, ita, grade] = /ITA score (\d+\.\d\d), grade ([A-F]{1,2})/.exec(staff)!;
    const staffIndicators = /<desc id="chart-indicators-d">([^<]*)<\/desc>/.exec(staff)![1];

    const list = await pub('/ita?lang=en');
    assert.equal(list.statusCode, 200);
    assert.match(
      list.body,
      new RegExp(
        `<th scope="row"><a href="/ita/OPDC">Agency OPDC</a></th><td>2568</td><td>\\d+\\.\\d\\d</td><td>\\d+\\.\\d\\d</td><td>\\d+\\.\\d\\d</td><td><strong>${ita}</strong></td><td>${grade}</td>`,
      ),
    );
    assert.doesNotMatch(list.body, /NACC|&lt;script/, 'NACC’s closed, unpublished cycle does not appear');
    assert.match(list.body, /<option value="2568">Fiscal year B\.E\. 2568<\/option>/);
    assert.match(
      (await pub('/ita?fy=2569&lang=en')).body,
      /No agency has published its results for fiscal year B\.E\. 2569/,
    );

    const agency = await pub('/ita/OPDC?lang=en');
    assert.equal(agency.statusCode, 200);
    assert.ok(agency.body.includes(`ITA score ${ita}, grade ${grade}`));
    assert.match(agency.body, /(Passed|Not passed yet) \(pass mark 85\.00\)/);
    assert.equal(
      (agency.body.match(/<svg [^>]*role="img"/g) ?? []).length,
      2,
      'the year chart and the indicator chart',
    );
    assert.ok(
      agency.body.includes(`<desc id="chart-indicators-d">${staffIndicators}</desc>`),
      'the indicators as on the staff page',
    );
    assert.match(agency.body, /<th scope="col">FY 2568<\/th>/);

    const csv = await pub('/ita.csv?lang=en');
    assert.match(String(csv.headers['content-type']), /^text\/csv/);
    assert.match(String(csv.headers['content-disposition']), /^attachment; filename="sujarit-ita\.csv"$/);
    assert.match(
      csv.body,
      new RegExp(
        `\r\nOPDC,Agency OPDC,2568,\\d+\\.\\d\\d,\\d+\\.\\d\\d,\\d+\\.\\d\\d,${ita},${grade},Assessed here,\r\n$`,
      ),
    );
  });

  it('withholds a survey below the threshold and the ITA with it; shows no question text, answer counts or script', async () => {
    assert.equal((await close('admin@opdc.example', ids.few)).statusCode, 303);
    assert.equal((await publish('admin@opdc.example', ids.few, 'yes')).statusCode, 303);
    const list = await pub('/ita?lang=en');
    assert.match(
      list.body,
      /<a href="\/ita\/OPDC">Agency OPDC<\/a><\/th><td>2569<\/td><td>\d+\.\d\d<\/td><td>not shown yet<\/td><td>\d+\.\d\d<\/td><td><strong>not shown yet<\/strong><\/td><td>–<\/td>/,
      'the latest year',
    );
    const agency = await pub('/ita/OPDC?lang=en');
    assert.match(agency.body, /External.*fewer respondents than the disclosure threshold \(5\)/);
    assert.match(agency.body, /The ITA score of this year is not shown/);
    assert.match(agency.body, /<th scope="col">FY 2568<\/th><th scope="col">FY 2569<\/th>/);
    assert.match(agency.body, /6 [^<:]+<\/th><td>EIT<\/td><td>not shown yet<\/td>/);
    for (const body of [list.body, agency.body, (await pub('/ita/OPDC')).body, (await pub('/ita.csv')).body]) {
      for (const q of framework().questions)
        assert.ok(!body.includes(q.text.th) && !body.includes(q.text.en), `question ${q.id}`);
      assert.doesNotMatch(body, /Number of answers|จำนวนคำตอบ|Respondents|จำนวนผู้ตอบ/);
      assert.doesNotMatch(body, /<script/i);
    }
  });

  it('escapes an agency name, and drops withdrawn results at once', async () => {
    assert.equal((await publish('admin@nacc.example', ids.nacc, 'yes')).statusCode, 303);
    const list = await pub('/ita');
    assert.ok(list.body.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
    assert.doesNotMatch(list.body, /<script/i);
    const agency = await pub('/ita/NACC');
    assert.equal(agency.statusCode, 200);
    assert.doesNotMatch(agency.body, /<script/i);
    assert.ok(agency.body.includes('&lt;script&gt;'));

    for (const id of [ids.full, ids.few]) assert.equal((await publish('admin@opdc.example', id, 'no')).statusCode, 303);
    assert.equal((await pub('/ita/OPDC')).statusCode, 404);
    assert.doesNotMatch((await pub('/ita')).body, /OPDC/);
    assert.doesNotMatch((await pub('/ita.csv')).body, /OPDC/);
    const audit = await h.db
      .selectFrom('audit_event')
      .select('detail')
      .where('action', '=', 'ita_results_published')
      .orderBy('id')
      .execute();
    assert.deepEqual(
      audit.map((a) => a.detail),
      [ids.full, ids.few, ids.nacc, ids.full, ids.few].map((cycleId, i) => ({ cycleId, published: i < 3 })),
    );
  });

  it('is linked from the home page and the figures page', async () => {
    for (const url of ['/', '/figures']) assert.match((await pub(url)).body, /<a href="\/ita">/, url);
  });
});
