// The ITA results, measures and report pages through HTTP, like a browser without JavaScript: the
// disclosure rule on the page and in the CSV, past years, measures and progress, the PDF, and
// hostile requests (other agencies, other roles, no CSRF token, malformed input, foreign ids).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { itaJars } from '../../../test/support/ita.ts';
import { csrfOf, get, postForm, type Jar } from '../../../test/support/web.ts';
import { formatDay } from '../../cases/permit-dates.ts';
import { listFrameworks, loadShippedFramework } from '../../ita/framework.ts';

describe('ITA results pages', () => {
  let h: TestApp;
  const jars: Record<string, Jar> = {};
  const ids: Record<string, number> = {};
  const framework = () => loadShippedFramework(listFrameworks()[0]);
  const eitQuestion = () => {
    const f = framework();
    return f.questions.find((q) => f.indicators.find((i) => i.number === q.indicator)!.instrument === 'EIT')!;
  };

  /** A cycle with every survey question answered at the top of its scale by `iit`/`eit` people, and half of the checklist disclosed. */
  const seedCycle = async (
    agencyId: number,
    openedBy: number,
    fiscalYear: number,
    iit: number,
    eit: number,
  ): Promise<number> => {
    const f = framework();
    const row = await h.db
      .insertInto('ita_cycle')
      .values({
        agency_id: agencyId,
        fiscal_year: fiscalYear,
        framework_name: listFrameworks()[0],
        framework: JSON.stringify(f),
        public_code: `p${agencyId}-${fiscalYear}`,
        staff_count: 40,
        iit_responses: iit,
        eit_responses: eit,
        opened_by: openedBy,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const instrumentOf = new Map(f.indicators.map((i) => [i.number, i.instrument]));
    await h.db
      .insertInto('ita_tally')
      .values(
        f.questions.map((q) => {
          const s = f.scales[q.scale];
          const best = s.kind === 'levels' ? (q.reverse ? 1 : s.points.length) : q.reverse ? 0 : 1;
          return {
            cycle_id: row.id,
            question_id: q.id,
            answer: best,
            count: instrumentOf.get(q.indicator) === 'IIT' ? iit : eit,
          };
        }),
      )
      .execute();
    await h.db
      .insertInto('ita_oit_item')
      .values(
        f.checklist.map((c, i) => ({
          cycle_id: row.id,
          item_id: c.id,
          verdict: i % 2 === 0 ? ('yes' as const) : ('no' as const),
        })),
      )
      .execute();
    return row.id;
  };

  before(async () => {
    h = await createTestApp();
    const { jars: signedIn, ids: users } = await itaJars(h.app, h.db);
    Object.assign(jars, signedIn);
    const agency = async (code: string) =>
      (await h.db.selectFrom('agency').select('id').where('code', '=', code).executeTakeFirstOrThrow()).id;
    const opdc = await agency('OPDC');
    ids.few = await seedCycle(opdc, users['admin@opdc.example'], 2569, 10, 3);
    ids.full = await seedCycle(opdc, users['admin@opdc.example'], 2568, 10, 8);
    ids.nacc = await seedCycle(await agency('NACC'), users['admin@nacc.example'], 2569, 10, 10);
  });
  after(() => h.close());

  const page = (who: string, path: string) => get(h.app, jars[who], path);
  /** Posts a form with the CSRF token of a page the user can open, as the browser would. */
  const post = async (who: string, path: string, fields: Record<string, string>) => {
    const csrf = csrfOf((await get(h.app, jars[who], '/staff/cases')).body);
    return postForm(h.app, jars[who], path, { _csrf: csrf, ...fields });
  };
  const MEASURE = {
    indicator: '4',
    title: 'ควบคุมการยืมทรัพย์สิน',
    objective: 'ลดการใช้ส่วนตัว',
    steps: 'ออกระเบียบ\nตรวจนับ',
    responsibleUnit: 'กลุ่มงานบริหาร',
    startsOn: '2025-10-01',
    endsOn: '2026-09-30',
    budget: '12,500.50',
  };

  it('shows a disclosed cycle: the ITA with its grade, the years table, both charts, indicators, weakest questions and undisclosed items', async () => {
    const res = await page('assessor@opdc.example', `/staff/ita/${ids.full}/results?lang=en`);
    assert.equal(res.statusCode, 200, res.body);
    assert.match(res.body, /ITA score \d+\.\d\d, grade [A-F]{1,2}/);
    assert.match(res.body, /(Passed|Not passed yet) \(pass mark 85\.00\)/);
    assert.equal((res.body.match(/<svg [^>]*role="img"/g) ?? []).length, 2);
    assert.match(res.body, /<desc id="chart-indicators-d">[^<]*1 Duty performance: 100\.00 \(AA\)/);
    assert.match(res.body, /<th scope="col">FY 2568<\/th>/);
    assert.match(res.body, /Questions with the lowest scores/);
    assert.ok(res.body.includes(framework().checklist[1].text.en), 'an item without a yes verdict is listed');
    assert.doesNotMatch(res.body, /<script/i);
  });

  it('withholds a survey below the disclosure threshold on the page and in the CSV', async () => {
    const res = await page('admin@opdc.example', `/staff/ita/${ids.few}/results?lang=en`);
    assert.equal(res.statusCode, 200, res.body);
    assert.match(res.body, /not enough answers yet, 3 of 5 needed/);
    assert.match(res.body, /The ITA score cannot be computed/);
    assert.ok(!res.body.includes(eitQuestion().text.en), 'no EIT question is listed');
    assert.match(res.body, /6 Service quality: not shown yet/);
    const csv = await page('admin@opdc.example', `/staff/ita/${ids.few}/results.csv?lang=en`);
    assert.equal(csv.statusCode, 200);
    assert.match(String(csv.headers['content-type']), /^text\/csv/);
    assert.match(String(csv.headers['content-disposition']), /^attachment; filename="ita-results-2569\.csv"$/);
    assert.match(csv.body, /^\uFEFFlevel,id,name,score,answered,note\r\n/);
    assert.match(csv.body, /\r\nindicator,6,Service quality,,,not enough answers yet: 3 of 5 needed\r\n/);
    assert.ok(!csv.body.includes(`question,${eitQuestion().id},`), 'no EIT question row');
    assert.match(csv.body, /\r\ninstrument,IIT,[^\r]*,100\.00,10,\r\n/);
  });

  it('records a past year (ITA computed when left empty) and shows it in the years table', async () => {
    const res = await post('admin@opdc.example', `/staff/ita/${ids.few}/history`, {
      fiscalYear: '2563',
      iit: '80.79',
      eit: '84.47',
      oit: '97.50',
      ita: '',
    });
    assert.equal(res.statusCode, 303, res.body);
    assert.equal(res.headers.location, `/staff/ita/${ids.few}/results?done=history`);
    const shown = await page('admin@opdc.example', `/staff/ita/${ids.few}/results?done=history&lang=th`);
    assert.match(shown.body, /role="status"/);
    assert.match(shown.body, /<th scope="col">ปี 2563<\/th>/);
    assert.match(shown.body, /<td><strong>88\.58<\/strong><\/td>/);
    assert.match(shown.body, /ปี 2563: IIT 80\.79, EIT 84\.47, OIT 97\.50, ITA 88\.58/, 'the year chart lists them');
  });

  it('shows a refused past year again with the errors and what was typed; the assessor may not record', async () => {
    const bad = await post('admin@opdc.example', `/staff/ita/${ids.few}/history`, {
      fiscalYear: '2563',
      iit: '83.411',
      eit: '"><script>x</script>',
      oit: '',
      ita: '',
    });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /id="iit-error"/);
    assert.match(bad.body, /id="iit"[^>]*value="83.411"[^>]*aria-invalid="true"/);
    assert.match(bad.body, /id="error-summary"[\s\S]*<a href="#iit">/, 'the summary links to the field');
    assert.doesNotMatch(bad.body, /<script>x/);
    assert.match(bad.body, /&quot;&gt;&lt;script&gt;x/);
    const assessor = await post('assessor@opdc.example', `/staff/ita/${ids.few}/history`, {
      fiscalYear: '2562',
      iit: '50',
      eit: '50',
      oit: '50',
      ita: '',
    });
    assert.equal(assessor.statusCode, 403);
    assert.doesNotMatch(
      (await page('assessor@opdc.example', `/staff/ita/${ids.few}/results`)).body,
      /\/history"/,
      'no form for the assessor',
    );
    const noCsrf = await postForm(h.app, jars['admin@opdc.example'], `/staff/ita/${ids.few}/history`, {
      fiscalYear: '2562',
      iit: '50',
      eit: '50',
      oit: '50',
      ita: '',
    });
    assert.equal(noCsrf.statusCode, 403);
    assert.equal(
      await h.db.selectFrom('ita_history').select('fiscal_year').where('fiscal_year', '=', 2562).executeTakeFirst(),
      undefined,
    );
  });

  it('adds a measure, lists it with Buddhist Era dates and baht, edits it and records both rounds', async () => {
    const add = await post('assessor@opdc.example', `/staff/ita/${ids.few}/measures`, MEASURE);
    assert.equal(add.statusCode, 303, add.body);
    const href = add.headers.location!.replace(/\?done=measure$/, '');
    assert.match(href, new RegExp(`^/staff/ita/${ids.few}/measures/\\d+$`));
    const list = await page('assessor@opdc.example', `/staff/ita/${ids.few}/measures?lang=th`);
    assert.ok(list.body.includes(`<a href="${href}">ควบคุมการยืมทรัพย์สิน</a>`));
    assert.ok(list.body.includes(formatDay('th', '2025-10-01')) && list.body.includes('2568'), 'Buddhist Era');
    assert.match(list.body, /12,500\.50/);
    assert.match(list.body, /<select id="indicator" name="indicator"/);
    assert.match(list.body, /maxlength="300"/, 'the limit of the title');
    const edit = await post('admin@opdc.example', href, { ...MEASURE, title: 'ควบคุมการยืม (แก้ไข)' });
    assert.equal(edit.statusCode, 303, edit.body);
    for (const [round, percent] of [
      ['6', '๔๐'], // Thai digits: read as 40
      ['12', '100'],
    ]) {
      const p = await post('admin@opdc.example', `${href}/progress`, {
        round,
        progress: `รอบ ${round}`,
        percent,
        budgetUsed: round === '12' ? '13,000' : '100',
        problems: '',
        suggestions: '',
      });
      assert.equal(p.statusCode, 303, p.body);
    }
    const shown = await page('admin@opdc.example', href);
    assert.match(shown.body, /ควบคุมการยืม \(แก้ไข\)/);
    assert.match(shown.body, /id="percent-6"[^>]*value="40"/);
    assert.match(shown.body, /id="percent-12"[^>]*value="100"/);
    assert.match(shown.body, /class="alert warning"/, 'over budget is flagged');
  });

  it('shows a refused measure again with the field errors and what was typed', async () => {
    const bad = await post('admin@opdc.example', `/staff/ita/${ids.few}/measures`, {
      ...MEASURE,
      title: '<b>ชื่อ</b>',
      startsOn: '2026-05-01',
      endsOn: '2026-04-30',
      budget: '-1',
    });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /id="endsOn-error"/);
    assert.match(bad.body, /id="budget-error"/);
    // a valid day comes back as the form shows days: day/month/B.E. year
    assert.match(bad.body, /id="endsOn"[^>]*value="30\/04\/2569"[^>]*aria-invalid="true"/);
    assert.match(bad.body, /<a href="#endsOn">/);
    assert.match(
      bad.body,
      /id="endsOn"[^>]*aria-describedby="endsOn-hint endsOn-error"/,
      'hint and error, one attribute',
    );
    assert.match(bad.body, /value="&lt;b&gt;ชื่อ&lt;\/b&gt;"/);
    assert.match(bad.body, /value="4" selected/);
    const dates = await post('admin@opdc.example', `/staff/ita/${ids.few}/measures`, {
      ...MEASURE,
      startsOn: '2569-10-01',
      endsOn: 'tomorrow',
    });
    assert.equal(dates.statusCode, 400);
    assert.match(dates.body, /id="startsOn-error"/);
    const measure = (
      await h.db.selectFrom('ita_measure').select('id').where('cycle_id', '=', ids.few).executeTakeFirstOrThrow()
    ).id;
    const progress = await post('admin@opdc.example', `/staff/ita/${ids.few}/measures/${measure}/progress`, {
      round: '12',
      progress: 'x',
      percent: '150',
      budgetUsed: 'abc',
      problems: '',
      suggestions: '',
    });
    assert.equal(progress.statusCode, 400);
    assert.match(progress.body, /id="percent-12"[^>]*value="150"[^>]*aria-invalid="true"/);
    assert.match(progress.body, /<a href="#percent-12">/, 'the summary links to the field of its round');
    assert.doesNotMatch(progress.body, /id="percent-6"[^>]*aria-invalid/);
  });

  it('returns the monitoring report as a PDF, and the form again for bad options', async () => {
    const form = await page('admin@opdc.example', `/staff/ita/${ids.few}/report`);
    assert.equal(form.statusCode, 200);
    assert.match(form.body, /action="\/staff\/ita\/\d+\/report\.pdf"/);
    const pdf = await page('admin@opdc.example', `/staff/ita/${ids.few}/report.pdf?round=6&lang=th&digits=thai`);
    assert.equal(pdf.statusCode, 200, pdf.body.slice(0, 500));
    assert.equal(pdf.headers['content-type'], 'application/pdf');
    assert.equal(pdf.headers['content-disposition'], 'attachment; filename="ita-monitoring-2569-6m.pdf"');
    assert.equal(pdf.rawPayload.subarray(0, 5).toString('latin1'), '%PDF-');
    await page('admin@opdc.example', `/staff/ita/${ids.few}/report?lang=th`);
    const bad = await page('admin@opdc.example', `/staff/ita/${ids.few}/report.pdf?round=7&lang=en&digits=thai`);
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /id="round-error"/);
    assert.match(bad.body, /<a href="#round">/);
    assert.match(bad.body, /<input type="radio" id="round" name="round"/);
    assert.doesNotMatch(String(bad.headers['set-cookie'] ?? ''), /sj_lang/, 'nor is the report’s language remembered');
    assert.match(bad.body, /<html lang="th">/, 'the report’s language does not switch the page’s');
    assert.match(bad.body, /name="lang" value="en" lang="en" checked/, 'what was chosen comes back');
  });

  it('answers 404 for another agency’s cycle and a foreign measure id, and 403 for an investigator, on every route', async () => {
    const theirs = (
      await h.db
        .insertInto('ita_measure')
        .values({
          cycle_id: ids.nacc,
          indicator: 1,
          title: 't',
          objective: 'o',
          steps: 's',
          responsible_unit: 'u',
          starts_on: '2025-10-01',
          ends_on: '2025-10-02',
          created_by: (
            await h.db
              .selectFrom('staff_user')
              .select('id')
              .where('email', '=', 'admin@nacc.example')
              .executeTakeFirstOrThrow()
          ).id,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
    const gets = (c: number, m: number) => [
      `/staff/ita/${c}/results`,
      `/staff/ita/${c}/results.csv`,
      `/staff/ita/${c}/measures`,
      `/staff/ita/${c}/measures/${m}`,
      `/staff/ita/${c}/report`,
      `/staff/ita/${c}/report.pdf?round=6&lang=th&digits=thai`,
    ];
    const posts = (c: number, m: number): [string, Record<string, string>][] => [
      [`/staff/ita/${c}/history`, { fiscalYear: '2560', iit: '50', eit: '', oit: '', ita: '' }],
      [`/staff/ita/${c}/measures`, MEASURE],
      [`/staff/ita/${c}/measures/${m}`, MEASURE],
      [
        `/staff/ita/${c}/measures/${m}/progress`,
        { round: '6', progress: 'x', percent: '1', budgetUsed: '', problems: '', suggestions: '' },
      ],
    ];
    for (const path of [
      ...gets(ids.nacc, theirs),
      ...gets(ids.few, theirs).filter((p) => p.includes('/measures/')),
      '/staff/ita/999999/results',
      '/staff/ita/abc/measures',
    ]) {
      assert.equal((await page('admin@opdc.example', path)).statusCode, 404, path);
    }
    for (const [path, fields] of [...posts(ids.nacc, theirs), ...posts(ids.few, theirs).slice(2)]) {
      assert.equal((await post('admin@opdc.example', path, fields)).statusCode, 404, path);
    }
    // A refused form of another agency's cycle is the same not found, never that agency's form with the errors.
    const bad = {
      fiscalYear: 'x',
      iit: '101',
      eit: '',
      oit: '',
      ita: '',
      indicator: '',
      title: '',
      round: '6',
      percent: '150',
    };
    for (const path of [
      `/staff/ita/${ids.nacc}/history`,
      `/staff/ita/${ids.nacc}/measures`,
      `/staff/ita/${ids.nacc}/measures/${theirs}/progress`,
    ])
      assert.equal((await post('admin@opdc.example', path, bad)).statusCode, 404, `refused ${path}`);
    assert.equal((await page('admin@opdc.example', `/staff/ita/${ids.nacc}/report.pdf?round=7`)).statusCode, 404);
    const mine = (
      await h.db.selectFrom('ita_measure').select('id').where('cycle_id', '=', ids.few).executeTakeFirstOrThrow()
    ).id;
    for (const path of gets(ids.few, mine)) assert.equal((await page('inv@opdc.example', path)).statusCode, 403, path);
    for (const [path, fields] of posts(ids.few, mine))
      assert.equal((await post('inv@opdc.example', path, fields)).statusCode, 403, path);
    const row = await h.db.selectFrom('ita_measure').select('title').where('id', '=', theirs).executeTakeFirstOrThrow();
    assert.equal(row.title, 't', 'nothing changed');
    assert.equal(
      (await h.db.selectFrom('ita_progress').selectAll().where('measure_id', '=', theirs).execute()).length,
      0,
    );
  });

  it('refuses measure and progress posts without a CSRF token', async () => {
    const mine = (
      await h.db.selectFrom('ita_measure').select('id').where('cycle_id', '=', ids.few).executeTakeFirstOrThrow()
    ).id;
    const count = async () =>
      Number(
        (
          await h.db
            .selectFrom('ita_measure')
            .select((e) => e.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const n = await count();
    assert.equal(
      (await postForm(h.app, jars['admin@opdc.example'], `/staff/ita/${ids.few}/measures`, MEASURE)).statusCode,
      403,
    );
    assert.equal(
      (
        await postForm(h.app, jars['admin@opdc.example'], `/staff/ita/${ids.few}/measures/${mine}/progress`, {
          round: '6',
          progress: 'x',
          percent: '1',
        })
      ).statusCode,
      403,
    );
    assert.equal(await count(), n);
  });
});
