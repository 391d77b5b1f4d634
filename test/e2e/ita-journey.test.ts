// An agency's ITA cycle end to end in a real browser with JavaScript off, against the real server
// process:
// - the agency administrator opens the cycle and issues one-time links;
// - five staff answer the IIT through their links and five stakeholders answer the EIT through
//   the public link;
// - the assessor completes the OIT self-check, one item found not disclosed;
// - the results page shows the score and grade that the scoring of the answers actually given
//   yields;
// - the administrator writes a measure and its six-month progress, and downloads the monitoring
//   report. Its first page is rendered to PNG (pdftoppm) and its text checked (pdftotext);
// - the administrator closes the cycle and publishes its results, which anyone then reads at /ita.
// Seeding goes through the CLI; the database is checked after the UI acts. Every form of the cycle is
// first sent with a fault: it comes back with the one error pattern (a summary linking to each field,
// marked and described by its message). axe (WCAG 2.2 A/AA) checks every page loaded, at a phone's
// width. Screenshots of the survey on a phone, the results page and the report's first page go to /tmp.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { currentFiscalYear } from '../../src/cases/figures.ts';
import { listFrameworks, loadShippedFramework } from '../../src/ita/framework.ts';
import { formatScore, scoreAnswers } from '../../src/ita/score.ts';
import type { QuestionTally } from '../../src/ita/types.ts';
import { watchAxe } from '../support/axe.ts';
import { foreignRequests, launchBrowser, openContext, type RecordedContext } from '../support/browser.ts';
import { errorSummaryTargets, refusedForm } from '../support/error-summary.ts';
import { addStaffByCli, clickAndLoad, closeJourney, pathOf, runCli, staffPages } from '../support/journey.ts';
import { cliEnvOf, serverFixture, startServerProcess, type ServerProcess } from '../support/server.ts';

const run = promisify(execFile);
const AGENCY_TH = 'ศูนย์คุณธรรม (องค์การมหาชน)';
const PASSWORD = 'a long staff passphrase for the ITA journey';
const STAFF = {
  admin: { email: 'ita-admin@moral.example', role: 'agency_admin', name: 'สมศรี ผู้ดูแล' },
  assessor: { email: 'assessor@moral.example', role: 'ita_assessor', name: 'สมปอง ผู้ประเมิน' },
} as const;
const RESPONDENTS = 5;
const NOT_DISCLOSED = 'o5';
const MEASURE = {
  title: 'ทบทวนคู่มือการใช้ทรัพย์สินของราชการ',
  objective: 'ให้บุคลากรใช้ทรัพย์สินของราชการอย่างถูกต้องและขออนุญาตทุกครั้งที่ยืม',
  steps: 'ประชุมผู้ปฏิบัติงานเพื่อรับฟังความเห็น ปรับปรุงคู่มือ และเผยแพร่บนเว็บไซต์ของหน่วยงาน',
  unit: 'กลุ่มงานบริหารจัดการองค์กร',
  progress: 'ประชุมผู้ปฏิบัติงานแล้วสองครั้ง และยกร่างคู่มือฉบับปรับปรุงเสร็จแล้ว',
};
const NFKC = (s: string) => s.normalize('NFKC').replace(/\s+/g, ' ');
const THAI_DIGITS = (s: string) => s.replace(/[0-9]/g, (d) => String.fromCharCode(0x0e50 + Number(d)));

describe('an ITA cycle from opening to the monitoring report, in a browser without JavaScript', () => {
  const framework = loadShippedFramework('ita-2569.json');
  // The cycle is of the framework's own year: the form proposes no year no framework is for (B.11).
  const fiscalYear = framework.fiscalYear;
  const tallies = new Map<string, QuestionTally>();
  const verdicts = new Map<string, boolean>();
  let fixture: Awaited<ReturnType<typeof serverFixture>>;
  let server: ServerProcess;
  let browser: Browser;
  let work: string;
  const contexts: RecordedContext[] = [];
  let cycleHref = '';
  let links: string[] = [];
  let eitUrl = '';
  let axe: ReturnType<typeof watchAxe>;

  /** A staff member's page; axe watches every page their context loads from then on. */
  const as = staffPages({ browser: () => browser, baseUrl: () => server.url, contexts }, STAFF, PASSWORD, (page) =>
    axe.watch(page.context()),
  );
  /** The server runs on a port chosen at start, so its public address (SUJARIT_PUBLIC_URL) is not this one: keep the path. */
  const here = (absolute: string) => new URL(new URL(absolute).pathname, server.url).href;
  const go = async (page: Page, href: string) => assert.equal((await page.goto(`${server.url}${href}`))?.status(), 200);

  /** A table region named `name` (in part) is focusable, wider than a phone, and the arrow keys scroll it. */
  const scrollsByKeyboard = async (page: Page, name: string) => {
    const region = page.getByRole('region', { name });
    assert.equal(await region.getAttribute('tabindex'), '0', `${name}: in the tab order`);
    const box = await region.evaluate((el) => ({ client: el.clientWidth, scroll: el.scrollWidth }));
    assert.ok(box.scroll > box.client, `${name}: wider than the phone (${JSON.stringify(box)}), so it scrolls`);
    await region.focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    // The browser may animate the scroll: wait for it, up to two seconds.
    let left = 0;
    for (let i = 0; i < 20 && left === 0; i++) {
      left = await region.evaluate((el) => el.scrollLeft);
      if (left === 0) await page.waitForTimeout(100);
    }
    assert.ok(left > 0, `${name}: the arrow keys scroll it`);
  };

  /** Answers every question of the survey on `page`: respondent `r` picks option (r + k) mod n of question k. */
  const answerSurvey = async (page: Page, r: number) => {
    const questions = page.locator('fieldset.question');
    const count = await questions.count();
    assert.ok(count > 0, 'the survey shows its questions');
    for (let k = 0; k < count; k++) {
      // On a phone the survey is paged (one indicator a page): the next page holds the next questions.
      if (!(await questions.nth(k).isVisible())) {
        await page.getByRole('link', { name: 'หน้าถัดไป' }).locator('visible=true').click();
        await questions.nth(k).waitFor();
      }
      const radios = questions.nth(k).locator('input[type=radio]');
      const chosen = radios.nth((r + k) % (await radios.count()));
      await chosen.check();
      const id = ((await chosen.getAttribute('name')) ?? '').replace(/^q\./, '');
      const value = Number(await chosen.getAttribute('value'));
      const tally = tallies.get(id) ?? new Map<number, number>();
      tally.set(value, (tally.get(value) ?? 0) + 1);
      tallies.set(id, tally);
    }
    const done = await clickAndLoad(page, page.getByRole('button', { name: 'ส่งคำตอบ', exact: true }));
    assert.equal(done.status(), 200, await done.text());
    await page.getByRole('heading', { level: 1, name: 'ได้รับคำตอบแล้ว ขอบคุณ' }).waitFor();
    return count;
  };

  before(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'sujarit-ita-journey-'));
    fixture = await serverFixture();
    const env = cliEnvOf(fixture);
    assert.match(
      await runCli(
        ['agency', 'add', '--code', 'MORAL', '--name-th', AGENCY_TH, '--name-en', 'Moral Promotion Centre'],
        env,
      ),
      /agency MORAL added/,
    );
    await addStaffByCli(
      env,
      Object.values(STAFF).map((s) => ({ ...s, agency: 'MORAL' })),
      PASSWORD,
    );
    server = await startServerProcess({ databaseUrl: fixture.database.url, dataDir: fixture.dataDir });
    browser = await launchBrowser();
    // axe reads each page at a phone's width: a table that scrolls there must be reachable by keyboard.
    const checker = await openContext(browser, { javaScriptEnabled: true });
    contexts.push(checker);
    axe = watchAxe(checker.page, server.url);
  });

  after(async () => {
    await closeJourney({ contexts, browser, server, fixture });
    await rm(work, { recursive: true, force: true });
  });

  it('the agency administrator opens the cycle from the menu and issues one-time links', async () => {
    const page = await as('admin');
    const list = await clickAndLoad(page, page.getByRole('link', { name: 'การประเมิน ITA', exact: true }));
    assert.equal(list.status(), 200);
    assert.equal(pathOf(page), '/staff/ita');
    // B.11: a fiscal year is proposed only with a framework for it, and the hint says which years have one.
    const proposed = await page.getByLabel('ปีงบประมาณ (พ.ศ.)').inputValue();
    const chosen = await page.getByLabel('กรอบการประเมิน').inputValue();
    assert.ok(
      proposed === '' || proposed === String(loadShippedFramework(chosen).fiscalYear),
      `proposed ${proposed} with ${chosen}`,
    );
    const shipped = listFrameworks().map((f) => loadShippedFramework(f).fiscalYear);
    assert.equal(proposed === '', !shipped.includes(currentFiscalYear()), 'the current year when its framework ships');
    assert.ok(((await page.locator('#fiscalYear-hint').textContent()) ?? '').includes(String(framework.fiscalYear)));
    // B.8: sent without the staff count, the form comes back with the summary linking to the field.
    const open = page.getByRole('button', { name: 'เปิดรอบการประเมิน', exact: true });
    await page.getByLabel('ปีงบประมาณ (พ.ศ.)').fill(String(fiscalYear));
    assert.deepEqual(await refusedForm(page, open), ['staffCount']);
    assert.equal(await page.getByLabel('ปีงบประมาณ (พ.ศ.)').inputValue(), String(fiscalYear), 'what was typed is kept');
    await page.getByLabel('จำนวนบุคลากรของหน่วยงาน').fill(String(RESPONDENTS));
    const opened = await clickAndLoad(page, open);
    assert.equal(opened.status(), 200, await opened.text());
    await page.getByRole('heading', { level: 1, name: `การประเมิน ITA ปีงบประมาณ พ.ศ. ${fiscalYear}` }).waitFor();
    cycleHref = new URL(page.url()).pathname;
    assert.match(cycleHref, /^\/staff\/ita\/\d+$/);

    const linksPage = await clickAndLoad(page, page.getByRole('link', { name: 'ลิงก์แบบสำรวจ IIT และ EIT' }));
    assert.equal(linksPage.status(), 200);
    // B.11: the hint names this cycle's limit (2 links per staff member), not only the most per call.
    const hint = (await page.locator('#count-hint').textContent()) ?? '';
    assert.ok(hint.includes(`1–${2 * RESPONDENTS} `) && !hint.includes('1,000'), hint);
    // a numeric text field described by that hint: a number field would drop Thai digits as they are typed
    assert.equal(await page.getByLabel('จำนวนลิงก์').getAttribute('inputmode'), 'numeric');
    assert.match((await page.getByLabel('จำนวนลิงก์').getAttribute('aria-describedby')) ?? '', /\bcount-hint\b/);
    const issue = page.getByRole('button', { name: 'ออกลิงก์', exact: true });
    await page.getByLabel('จำนวนลิงก์').fill(String(2 * RESPONDENTS + 1));
    assert.deepEqual(await refusedForm(page, issue), ['count']);
    // typed in Thai digits, as a Thai keyboard types them
    await page
      .getByLabel('จำนวนลิงก์')
      .fill(String(RESPONDENTS).replace(/[0-9]/g, (d) => String.fromCharCode(0x0e50 + Number(d))));
    const issued = await clickAndLoad(page, issue);
    assert.equal(issued.status(), 200, await issued.text());
    links = (await page.locator('#new-links').inputValue()).split('\n').filter(Boolean);
    assert.equal(links.length, RESPONDENTS);
    assert.equal(new Set(links).size, RESPONDENTS);
    eitUrl = here((await page.locator('a[href*="/ita/e/"]').first().getAttribute('href')) ?? '');
    assert.match(eitUrl, /\/ita\/e\/[A-Za-z0-9_-]+$/);
    const qr = await page.context().request.get(`${eitUrl}/qr.svg`);
    assert.equal(qr.status(), 200);
    assert.match(qr.headers()['content-type'] ?? '', /^image\/svg\+xml/);
    // The links are shown once: the database keeps only their hashes.
    const stored = await fixture.database.db.selectFrom('ita_link').select('token_hash').execute();
    assert.equal(stored.length, RESPONDENTS);
    for (const l of links) assert.ok(!stored.some((s) => s.token_hash.toString('utf8').includes(l.split('/').pop()!)));
    await page.screenshot({ path: path.join(tmpdir(), 'sujarit-e2e-ita-links.png'), fullPage: true });
    await axe.check();
  });

  it('five staff answer the IIT through their own links on a phone; a link works once', async () => {
    for (const [r, link] of links.entries()) {
      const person = await openContext(browser);
      contexts.push(person);
      person.context.setDefaultTimeout(10_000);
      const form = await person.page.goto(here(link));
      assert.equal(form?.status(), 200);
      assert.equal(await person.page.locator('script').count(), 0);
      if (r === 0) await person.page.screenshot({ path: path.join(tmpdir(), 'sujarit-e2e-ita-survey.png') });
      const asked = await answerSurvey(person.page, r);
      assert.equal(
        asked,
        framework.questions.filter(
          (q) => framework.indicators.find((i) => i.number === q.indicator)?.instrument === 'IIT',
        ).length,
      );
      assert.deepEqual(foreignRequests(person.requests, server.url), []);
      const again = await person.page.goto(here(link));
      assert.equal(again?.status(), 404);
      await person.page.getByRole('heading', { level: 1, name: 'ลิงก์ใช้ไม่ได้' }).waitFor();
    }
    const cycle = await fixture.database.db
      .selectFrom('ita_cycle')
      .select(['iit_responses', 'eit_responses'])
      .executeTakeFirstOrThrow();
    assert.deepEqual(cycle, { iit_responses: RESPONDENTS, eit_responses: 0 });
    assert.equal(
      (await fixture.database.db.selectFrom('ita_link').select('token_hash').execute()).length,
      0,
      'every used link is gone',
    );
  });

  it('five outside stakeholders answer the EIT through the public link', async () => {
    for (let r = 0; r < RESPONDENTS; r++) {
      const person = await openContext(browser);
      contexts.push(person);
      person.context.setDefaultTimeout(10_000);
      assert.equal((await person.page.goto(eitUrl))?.status(), 200);
      // The first one sends the form with a question left out: it comes back with the choices kept.
      if (r === 0) {
        await person.page.locator('fieldset.question').first().locator('input[type=radio]').first().check();
        // The answer is sent from the last page (one indicator a page on a phone).
        const next = person.page.getByRole('link', { name: 'หน้าถัดไป' }).locator('visible=true');
        while ((await next.count()) > 0) await next.click();
        const refused = await clickAndLoad(
          person.page,
          person.page.getByRole('button', { name: 'ส่งคำตอบ', exact: true }),
        );
        assert.equal(refused.status(), 400);
        assert.ok(
          await person.page.locator('fieldset.question').first().locator('input[type=radio]').first().isChecked(),
        );
        assert.ok((await person.page.locator('fieldset.question[aria-invalid="true"]').count()) > 0);
      }
      await answerSurvey(person.page, r + 1);
    }
    const cycle = await fixture.database.db
      .selectFrom('ita_cycle')
      .select(['iit_responses', 'eit_responses'])
      .executeTakeFirstOrThrow();
    assert.deepEqual(cycle, { iit_responses: RESPONDENTS, eit_responses: RESPONDENTS });
  });

  it('the assessor completes the OIT self-check: evidence for every item, a verdict on each', async () => {
    const page = await as('assessor');
    await go(page, `${cycleHref}/oit`);
    // B.8: a script address as evidence, and a verdict sent without a choice, come back on their item.
    const first = framework.checklist.find((i) => i.source !== 'complaint-figures')!;
    await page.locator(`#url-${first.id}`).fill('javascript:alert(1)');
    const evidence = page.locator(`#evidence-${first.id}`).getByRole('button', { name: 'บันทึกหลักฐาน' });
    assert.deepEqual(await refusedForm(page, evidence), [`url-${first.id}`]);
    assert.equal(await page.locator(`#url-${first.id}`).inputValue(), 'javascript:alert(1)', 'what was typed is kept');
    const verdict = page.locator('form', { has: page.locator(`#verdict-${first.id}`) });
    const judge = verdict.getByRole('button', { name: 'บันทึกผลการตรวจ' });
    assert.deepEqual(await refusedForm(page, judge), [`verdict-${first.id}-yes`]);
    await axe.check();
    // The other 50-odd saves are the same page with one more item done: axe reads the page once
    // more at the end, not after every save (each read of this long page takes seconds).
    const bulk = await browser.newContext({ storageState: await page.context().storageState() });
    bulk.setDefaultTimeout(10_000);
    const assessor = await bulk.newPage();
    await go(assessor, `${cycleHref}/oit`);
    for (const item of framework.checklist) {
      if (item.source === 'complaint-figures') {
        // The complaint statistics come from Sujarit's own cases: the public figures page is the evidence.
        await clickAndLoad(
          assessor,
          assessor.locator(`#item-${item.id}`).getByRole('button', { name: 'ใช้หน้าสถิติสาธารณะเป็นลิงก์หลักฐาน' }),
        );
        assert.match(
          await assessor.locator(`#url-${item.id}`).inputValue(),
          new RegExp(`/figures\\?fy=${fiscalYear}$`),
        );
      } else {
        await assessor.locator(`#url-${item.id}`).fill(`https://moral.example/ita/${fiscalYear}/${item.id}`);
      }
      const saved = await clickAndLoad(
        assessor,
        assessor.locator(`#evidence-${item.id}`).getByRole('button', { name: 'บันทึกหลักฐาน' }),
      );
      assert.equal(saved.status(), 200, await saved.text());
      const isDisclosed = item.id !== NOT_DISCLOSED;
      const form = assessor.locator('form', { has: assessor.locator(`#verdict-${item.id}`) });
      await form.locator(`input[name=verdict][value=${isDisclosed ? 'yes' : 'no'}]`).check();
      if (!isDisclosed) await form.getByLabel('ความเห็นผู้ตรวจประเมิน').fill('ยังไม่พบแผนการจัดซื้อจัดจ้างบนเว็บไซต์');
      const judged = await clickAndLoad(assessor, form.getByRole('button', { name: 'บันทึกผลการตรวจ' }));
      assert.equal(judged.status(), 200, await judged.text());
      verdicts.set(item.id, isDisclosed);
    }
    await bulk.close();
    await go(page, `${cycleHref}/oit`);
    await page.getByRole('heading', { name: 'รายการที่ยังต้องทำ (1)' }).waitFor();
    await axe.check();
    const rows = await fixture.database.db.selectFrom('ita_oit_item').select(['item_id', 'verdict']).execute();
    assert.equal(rows.length, framework.checklist.length);
    assert.deepEqual(
      rows.filter((r) => r.verdict === 'no').map((r) => r.item_id),
      [NOT_DISCLOSED],
    );
  });

  it('the results page shows the score and grade that the answers given yield', async () => {
    const expected = scoreAnswers(framework, {
      tallies,
      respondents: { IIT: RESPONDENTS, EIT: RESPONDENTS },
      verdicts,
    });
    assert.ok(expected.ita !== null && expected.grade !== null);
    const page = await as('admin');
    await go(page, cycleHref);
    const results = await clickAndLoad(page, page.getByRole('link', { name: 'ผลการประเมิน', exact: true }));
    assert.equal(results.status(), 200, await results.text());
    await page.getByText(`คะแนน ITA ${formatScore(expected.ita!)} ระดับ ${expected.grade}`).waitFor();
    const text = (await page.locator('main').textContent()) ?? '';
    for (const ins of expected.instruments)
      assert.ok(text.includes(formatScore(ins.score!)), `${ins.code} ${formatScore(ins.score!)} shown`);
    assert.ok((await page.locator('svg[role=img]').count()) >= 1, 'a chart');
    await page.screenshot({ path: path.join(tmpdir(), 'sujarit-e2e-ita-results.png'), fullPage: true });
    assert.equal(await page.locator('script').count(), 0);
    const csv = await page.context().request.get(`${server.url}${cycleHref}/results.csv`);
    assert.equal(csv.status(), 200);
    assert.ok((await csv.text()).includes(formatScore(expected.ita!)));
    // B.8: a past year's scores with a year that is no year, and a score over 100.
    const history = page.locator('form', { has: page.locator('#iit') });
    await history.locator('#fiscalYear').fill('๒๕x');
    await history.locator('#iit').fill('101');
    assert.deepEqual(await refusedForm(page, history.getByRole('button', { name: 'บันทึกคะแนน' })), [
      'fiscalYear',
      'iit',
    ]);
    await axe.check();
  });

  it('the administrator writes a measure, records its six-month progress and downloads the monitoring report', async () => {
    const page = await as('admin');
    await go(page, cycleHref);
    const plan = await clickAndLoad(
      page,
      page.getByRole('link', { name: 'มาตรการส่งเสริมคุณธรรมและความโปร่งใส', exact: true }),
    );
    assert.equal(plan.status(), 200);
    // B.8: the measure sent empty names every required field in the summary, in the form's order.
    const add = page.getByRole('button', { name: 'เพิ่มมาตรการ', exact: true });
    assert.deepEqual(await refusedForm(page, add), [
      'indicator',
      'title',
      'objective',
      'steps',
      'responsibleUnit',
      'startsOn',
      'endsOn',
    ]);
    await page.getByLabel('ตัวชี้วัด', { exact: false }).first().selectOption('4');
    await page.locator('#title').fill(MEASURE.title);
    await page.locator('#objective').fill(MEASURE.objective);
    await page.locator('#steps').fill(MEASURE.steps);
    await page.locator('#responsibleUnit').fill(MEASURE.unit);
    const ce = fiscalYear - 543;
    await page.locator('#startsOn').fill(`01/10/${ce - 1 + 543}`); // typed in the Buddhist Era, as Thai staff write dates
    await page.locator('#endsOn').fill(`30/09/${ce + 543}`);
    await page.locator('#budget').fill('12,500');
    const added = await clickAndLoad(page, add);
    assert.equal(added.status(), 200, await added.text());
    if (!(await page.locator('#progress-6').count()))
      await clickAndLoad(page, page.getByRole('link', { name: MEASURE.title }).first());
    await page.locator('#progress-6').fill(MEASURE.progress);
    await page.locator('#percent-6').fill('140');
    const six = page.getByRole('button', { name: 'บันทึกความก้าวหน้ารอบ 6 เดือน' });
    assert.deepEqual(await refusedForm(page, six), ['percent-6'], 'the link goes to the field of its round');
    await page.locator('#percent-6').fill('40');
    await page.locator('#budgetUsed-6').fill('3000');
    const recorded = await clickAndLoad(page, six);
    assert.equal(recorded.status(), 200, await recorded.text());
    const stored = await fixture.database.db
      .selectFrom('ita_progress')
      .innerJoin('ita_measure', 'ita_measure.id', 'ita_progress.measure_id')
      .select(['title', 'percent', 'budget', 'budget_used', 'round'])
      .execute();
    assert.deepEqual(stored, [
      { title: MEASURE.title, percent: 40, budget: '12500.00', budget_used: '3000.00', round: 6 },
    ]);

    await go(page, cycleHref);
    const form = await clickAndLoad(page, page.getByRole('link', { name: 'รายงานการติดตามผล', exact: true }));
    assert.equal(form.status(), 200);
    // B.8: a report asked for with a round the form does not offer (an edited address) comes back on the form.
    assert.equal((await page.goto(`${server.url}${cycleHref}/report.pdf?round=7&lang=th&digits=thai`))?.status(), 400);
    assert.deepEqual(await errorSummaryTargets(page), ['round']);
    await page.getByRole('radio', { name: 'รอบ 6 เดือน', exact: true }).check();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'ดาวน์โหลดรายงาน PDF' }).click(),
    ]);
    assert.match(download.suggestedFilename(), new RegExp(`^ita-monitoring-${fiscalYear}-6m\\.pdf$`));
    const pdf = path.join(work, 'report.pdf');
    await download.saveAs(pdf);

    await run('pdftoppm', ['-r', '60', '-png', '-f', '1', '-l', '1', '-singlefile', pdf, path.join(work, 'page1')]);
    const png = path.join(work, 'page1.png');
    const meta = await sharp(png).metadata();
    assert.ok(
      meta.width && meta.height && Math.abs(meta.height / meta.width - 297 / 210) < 0.01,
      `A4 page, got ${meta.width}×${meta.height}`,
    );
    const stats = await sharp(png).stats();
    assert.ok(stats.channels[0]!.min < 100, 'the page has dark text on it');
    await writeFile(path.join(tmpdir(), 'sujarit-e2e-ita-report-page1.png'), await sharp(png).toBuffer());

    const { stdout } = await run('pdftotext', ['-f', '1', '-l', '1', '-layout', pdf, '-']);
    const text = NFKC(stdout);
    for (const s of [
      'รายงานการกำกับติดตาม',
      AGENCY_TH,
      `พ.ศ. ${THAI_DIGITS(String(fiscalYear))}`,
      'รอบ ๖ เดือน',
      MEASURE.title,
    ])
      assert.ok(text.includes(NFKC(s)), `page 1 holds "${s}":\n${text}`);
    const expected = scoreAnswers(framework, {
      tallies,
      respondents: { IIT: RESPONDENTS, EIT: RESPONDENTS },
      verdicts,
    });
    assert.ok(text.includes(THAI_DIGITS(formatScore(expected.ita!))), `the ITA score in Thai digits:\n${text}`);
  });

  it('the administrator closes the cycle and publishes its results; anyone reads them on a phone', async () => {
    const page = await as('admin');
    await go(page, cycleHref);
    // B.8: a staff count of none, then closing and publishing without ticking their confirmation box.
    const settings = page.locator('form', { has: page.locator('#staffCount') });
    await settings.locator('#staffCount').fill('0');
    assert.deepEqual(await refusedForm(page, settings.getByRole('button', { name: 'บันทึกการตั้งค่า' })), ['staffCount']);
    const close = page.getByRole('button', { name: 'ปิดรอบการประเมิน', exact: true });
    assert.deepEqual(await refusedForm(page, close), ['confirm']);
    await page.getByLabel(`ยืนยันปิดรอบการประเมินปีงบประมาณ พ.ศ. ${fiscalYear}`).check();
    const closed = await clickAndLoad(page, close);
    assert.equal(closed.status(), 200, await closed.text());
    const publish = page.getByRole('button', { name: 'เผยแพร่ผลการประเมิน', exact: true });
    assert.deepEqual(await refusedForm(page, publish), ['publishConfirm']);
    await page.getByLabel(`ยืนยันเผยแพร่ผลการประเมินปีงบประมาณ พ.ศ. ${fiscalYear} ต่อสาธารณะ`).check();
    const published = await clickAndLoad(page, publish);
    assert.equal(published.status(), 200, await published.text());
    await page.screenshot({ path: path.join(tmpdir(), 'sujarit-e2e-ita-cycle.png'), fullPage: true });

    const expected = scoreAnswers(framework, {
      tallies,
      respondents: { IIT: RESPONDENTS, EIT: RESPONDENTS },
      verdicts,
    });
    const reader = await openContext(browser);
    contexts.push(reader);
    axe.watch(reader.context);
    reader.context.setDefaultTimeout(10_000);
    assert.equal((await reader.page.goto(`${server.url}/figures`))?.status(), 200);
    const list = await clickAndLoad(reader.page, reader.page.locator('a[href="/ita"]').first());
    assert.equal(list.status(), 200);
    // B.12: the table is wider than the phone: it scrolls inside a named region reachable by keyboard.
    await scrollsByKeyboard(reader.page, 'ผลการประเมินคุณธรรมและความโปร่งใส');
    await reader.page.screenshot({ path: path.join(tmpdir(), 'sujarit-e2e-ita-public-390.png'), fullPage: true });
    const agency = await clickAndLoad(reader.page, reader.page.getByRole('link', { name: AGENCY_TH }).first());
    assert.equal(agency.status(), 200, await agency.text());
    const text = (await reader.page.locator('main').textContent()) ?? '';
    assert.ok(
      text.includes(formatScore(expected.ita!)) && text.includes(expected.grade!),
      `the public page shows ${formatScore(expected.ita!)} ${expected.grade}`,
    );
    // Instrument and indicator scores only: no question is public.
    assert.ok(!framework.questions.some((q) => text.includes(q.text.th)));
    assert.equal(await reader.page.locator('script').count(), 0);
    for (const region of await reader.page.locator('.table-wrap').all())
      assert.equal(await region.getAttribute('tabindex'), '0', 'every table region is in the tab order');
    await reader.page.screenshot({ path: path.join(tmpdir(), 'sujarit-e2e-ita-agency-390.png'), fullPage: true });
    assert.deepEqual(foreignRequests(reader.requests, server.url), []);
    await axe.check();
    assert.ok(axe.checked > 20, `axe looked at ${axe.checked} pages`);
  });
});
