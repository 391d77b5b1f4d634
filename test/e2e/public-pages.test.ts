// The public pages as a reporter sees them: a phone at 390 px with JavaScript off, against the real
// server process. Each of /, /report, /complaint, /privacy and /figures (with figures wide enough
// to scroll) must pass axe (WCAG 2.2 A/AA, on a copy of its HTML in a JavaScript-enabled page of
// the same origin), must not overflow sideways, must link the privacy notice in its footer, and
// must load nothing from another origin. The figures tables scroll inside a region reachable by
// keyboard. Screenshots go under os.tmpdir() (printed at the end).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { bangkokToday } from '../../src/cases/permit-dates.ts';
import { CASE_CHANNELS } from '../../src/db/schema.ts';
import { translator } from '../../src/i18n/messages.ts';
import { foreignRequests, launchBrowser, openContext, type RecordedContext } from '../support/browser.ts';
import { axeViolations } from '../support/axe.ts';
import { addStaffByCli, clickAndLoad, closeJourney, pathOf, runCli } from '../support/journey.ts';
import { openCycle } from '../../src/ita/cycles.ts';
import { issueLinks } from '../../src/ita/surveys.ts';
import { seedStaff, signedInActor } from '../support/app.ts';
import { CHEAP_KDF_ENV, serverFixture, startServerProcess, type ServerProcess } from '../support/server.ts';

const t = translator('th');
const PAGES = ['/', '/report', '/complaint', '/privacy', '/log', '/figures', '/followup', '/status'] as const;

describe('public pages on a phone without JavaScript', () => {
  let fixture: Awaited<ReturnType<typeof serverFixture>>;
  let server: ServerProcess;
  let browser: Browser;
  let phone: RecordedContext;
  let axePage: Page;
  let shots = '';
  const contexts: RecordedContext[] = [];

  before(async () => {
    fixture = await serverFixture();
    shots = await mkdtemp(path.join(tmpdir(), 'sujarit-public-shots-'));
    const env = {
      DATABASE_URL: fixture.database.url,
      SUJARIT_DATA: fixture.dataDir,
      SUJARIT_LOG_LEVEL: 'warn',
      ...CHEAP_KDF_ENV,
    };
    assert.match(
      await runCli(
        [
          'agency',
          'add',
          '--code',
          'OPDC',
          '--name-th',
          'สำนักงานคณะกรรมการพัฒนาระบบราชการ',
          '--name-en',
          'Office of the Public Sector Development Commission',
        ],
        env,
      ),
      /agency OPDC added/,
    );
    await addStaffByCli(
      env,
      [{ agency: 'OPDC', email: 'intake@opdc.example', role: 'intake_officer', name: 'สมชาย รับเรื่อง' }],
      'a long staff passphrase for the journey',
    );
    // Figures on every channel, rated and late permits, so that each table is wider than a phone.
    const db = fixture.database.db;
    const { id: agencyId } = await db
      .selectFrom('agency')
      .select('id')
      .where('code', '=', 'OPDC')
      .executeTakeFirstOrThrow();
    let n = 0;
    for (const kind of ['complaint', 'tip', 'permit'] as const) {
      for (const channel of CASE_CHANNELS) {
        const id = randomUUID();
        const category = { tip: 'bribery', complaint: 'service_delay', permit: 'late_permit' }[kind];
        await db
          .insertInto('report_case')
          .values({
            id,
            reference: `PUB-${++n}`,
            agency_id: agencyId,
            category,
            channel,
            status: 'closed',
            kind,
            has_identity: false,
            content: Buffer.from('sealed'),
          })
          .execute();
        if (kind === 'permit')
          await db
            .insertInto('permit_request')
            .values({
              case_id: id,
              agency_id: agencyId,
              filed_on: '2025-01-01',
              manual_due_on: '2025-02-01',
              next_notice_at: null,
            })
            .execute();
        if (kind === 'complaint')
          await db
            .insertInto('case_rating')
            .values({
              case_id: id,
              agency_id: agencyId,
              score: 1 + (n % 5),
              channel: channel === 'line' ? 'line' : 'web',
              rated_on: bangkokToday(),
            })
            .execute();
      }
    }
    server = await startServerProcess({ databaseUrl: fixture.database.url, dataDir: fixture.dataDir });
    browser = await launchBrowser();
    phone = await openContext(browser);
    contexts.push(phone);
    const axe = await openContext(browser, { javaScriptEnabled: true });
    contexts.push(axe);
    axePage = axe.page;
  });

  after(async () => {
    await closeJourney({ contexts, browser, server, fixture });
    if (shots) console.log(`# screenshots in ${shots}`);
  });

  for (const url of PAGES) {
    it(`${url}: no WCAG 2.2 A/AA violation, nothing wider than 390 px, the privacy notice in the footer`, async () => {
      const page = phone.page;
      const res = await page.goto(`${server.url}${url}`);
      assert.equal(res?.status(), 200, await res?.text());
      const wide = await page.evaluate<{ doc: number; body: number }>(
        '({ doc: document.documentElement.scrollWidth, body: document.body.scrollWidth })',
      );
      assert.ok(wide.doc <= 390 && wide.body <= 390, `${url} fits 390 px: ${JSON.stringify(wide)}`);
      assert.deepEqual(await axeViolations(axePage, server.url, await page.content()), [], `axe on ${url}`);
      await page
        .getByRole('contentinfo')
        .getByRole('link', { name: t('nav.privacy') })
        .waitFor();
      await page.screenshot({
        path: path.join(shots, `${url === '/' ? 'home' : url.slice(1)}-390.png`),
        fullPage: true,
      });
    });
  }

  it('scrolls the figures tables by keyboard: each is a named region in the tab order', async () => {
    const page = phone.page;
    await page.goto(`${server.url}/figures`);
    const regions = page.locator('.table-wrap');
    assert.equal(await regions.count(), 4, 'complaints, tips, ratings, permits');
    const table = (part: string) =>
      page.getByRole('region', { name: t('figures.table', { name: t(`figures.${part}`) }), exact: true });
    for (const part of ['complaints', 'tips', 'ratings', 'permits']) {
      const region = table(part);
      assert.equal(await region.getAttribute('tabindex'), '0', part);
    }
    const complaints = table('complaints');
    const box = await complaints.evaluate((el) => ({ client: el.clientWidth, scroll: el.scrollWidth }));
    assert.ok(
      box.scroll > box.client,
      `the complaints table is wider than the phone (${JSON.stringify(box)}), so it scrolls`,
    );
    await complaints.focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    // Chromium animates keyboard scrolling, so the offset grows over a few frames. The page runs no script
    // (JavaScript is off, so timers in evaluate never fire): poll from here, for at most five seconds.
    let scrolled = 0;
    for (const until = Date.now() + 5000; scrolled === 0 && Date.now() < until; ) {
      await page.waitForTimeout(50);
      scrolled = await complaints.evaluate((el) => el.scrollLeft);
    }
    assert.ok(scrolled > 0, 'the arrow keys scroll the focused table');
    await page.screenshot({ path: path.join(shots, 'figures-scrolled-390.png'), fullPage: true });
  });

  it('pages a 30-question IIT survey on a phone without JavaScript, keeps the answers across pages, counts it once', async () => {
    const db = fixture.database.db;
    await seedStaff(db, 'OPDC', 'ita-admin@opdc.example', ['agency_admin']);
    const admin = await signedInActor(db, 'ita-admin@opdc.example');
    const cycle = await openCycle({
      db,
      actor: admin,
      fiscalYear: 2570,
      frameworkName: 'ita-2569.json',
      staffCount: 10,
    });
    const [token] = await issueLinks({ db, actor: admin, cycleId: cycle.id, count: 1 });
    const page = phone.page;
    const url = `${server.url}/ita/s/${token}`;
    assert.equal((await page.goto(url))?.status(), 200);
    assert.deepEqual(await axeViolations(axePage, server.url, await page.content()), [], 'axe on the survey');
    const pages = page.locator('section.page');
    const n = await pages.count();
    assert.equal(n, 5, 'one page for each IIT indicator');
    const shown = async () => {
      const seen: number[] = [];
      for (let i = 1; i <= n; i++) if (await page.locator(`#page-${i}`).isVisible()) seen.push(i);
      return seen;
    };
    let skipped = '';
    for (let i = 1; i <= n; i++) {
      assert.deepEqual(await shown(), [i], `only page ${i} is shown`);
      const current = page.locator(`#page-${i}`);
      await current.getByText(`หน้า ${i} จาก ${n}`, { exact: true }).waitFor();
      assert.equal(await current.getByRole('progressbar').getAttribute('value'), String(i));
      assert.equal(await current.getByRole('progressbar').getAttribute('max'), String(n));
      const questions = current.locator('fieldset.question');
      for (let k = 0; k < (await questions.count()); k++) {
        // The first question of page 2 is left unanswered, to come back to.
        if (i === 2 && k === 0) {
          skipped = (await questions.nth(k).getAttribute('id')) ?? '';
          continue;
        }
        const radios = questions.nth(k).getByRole('radio');
        await radios.nth(k % (await radios.count())).check();
      }
      if (i === 2) await page.screenshot({ path: path.join(shots, 'ita-survey-page2-390.png'), fullPage: true });
      if (i < n) {
        await current.getByRole('link', { name: 'หน้าถัดไป' }).click();
        assert.equal(new URL(page.url()).hash, `#page-${i + 1}`);
      }
    }
    assert.equal(skipped, 'q7');
    await page.getByRole('link', { name: 'หน้าก่อน' }).locator('visible=true').click();
    assert.deepEqual(await shown(), [n - 1], 'back a page');
    await page.goto(`${url}#page-1`);
    assert.deepEqual(await shown(), [1]);
    assert.equal(await page.locator('#q1-1').isChecked(), true, 'the answers stay in the form across pages');
    await page.goto(`${url}#page-${n}`);
    const refused = await clickAndLoad(page, page.getByRole('button', { name: 'ส่งคำตอบ' }));
    assert.equal(refused.status(), 400, 'nothing counted with a question left');
    assert.deepEqual(await shown(), [2], 'the page of the question left is shown');
    const link = page.getByRole('alert').getByRole('link', { name: 'ข้อ 7: ยังไม่ได้ตอบ' });
    assert.equal(await link.getAttribute('href'), '#q7-1');
    assert.equal(await page.locator('#q8-2').isChecked(), true, 'the answers come back checked');
    const english = await clickAndLoad(page, page.getByRole('button', { name: 'English' }));
    assert.equal(english.request().method(), 'POST');
    await page.getByText(`Page 2 of ${n}`, { exact: true }).waitFor();
    assert.equal(await page.locator('#q8-2').isChecked(), true, 'the answers survive the language switch');
    await clickAndLoad(page, page.getByRole('button', { name: 'ไทย' }));
    await page.locator('#q7-3').check();
    await page.goto(`${url}#page-${n}`);
    const before = await db
      .selectFrom('ita_cycle')
      .select('iit_responses')
      .where('id', '=', cycle.id)
      .executeTakeFirstOrThrow();
    const done = await clickAndLoad(page, page.getByRole('button', { name: 'ส่งคำตอบ' }));
    assert.equal(done.status(), 200);
    assert.equal(pathOf(page), '/ita/done/IIT', 'a GET page: a reload does not answer again');
    await page.getByRole('heading', { level: 1, name: 'ได้รับคำตอบแล้ว ขอบคุณ' }).waitFor();
    await page.reload();
    const after = await db
      .selectFrom('ita_cycle')
      .select('iit_responses')
      .where('id', '=', cycle.id)
      .executeTakeFirstOrThrow();
    assert.equal(after.iit_responses, before.iit_responses + 1, 'one answer, counted once');

    const desk = await openContext(browser, {
      viewport: { width: 1280, height: 900 },
      isMobile: false,
      hasTouch: false,
      deviceScaleFactor: 1,
    });
    contexts.push(desk);
    const [other] = await issueLinks({ db, actor: admin, cycleId: cycle.id, count: 1 });
    await desk.page.goto(`${server.url}/ita/s/${other}`);
    for (let i = 1; i <= n; i++)
      assert.ok(await desk.page.locator(`#page-${i}`).isVisible(), `desktop shows page ${i}`);
    assert.equal(await desk.page.getByRole('progressbar').first().isVisible(), false, 'no paging on a wide screen');
    await desk.page.screenshot({ path: path.join(shots, 'ita-survey-1280.png'), fullPage: true });
  });

  it('loads nothing from another origin, and the favicon from this one', async () => {
    assert.deepEqual(foreignRequests(phone.requests, server.url), []);
    const ico = await phone.page.goto(`${server.url}/favicon.ico`);
    assert.equal(ico?.status(), 200);
    assert.match(ico?.headers()['content-type'] ?? '', /^image\/svg\+xml/);
    assert.equal(new URL(phone.page.url()).pathname, '/static/favicon.svg');
  });
});
