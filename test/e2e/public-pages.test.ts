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
import { addStaffByCli, closeJourney, runCli } from '../support/journey.ts';
import { CHEAP_KDF_ENV, serverFixture, startServerProcess, type ServerProcess } from '../support/server.ts';

const t = translator('th');
const PAGES = ['/', '/report', '/complaint', '/privacy', '/figures', '/followup', '/status'] as const;

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
    assert.ok((await complaints.evaluate((el) => el.scrollLeft)) > 0, 'the arrow keys scroll the focused table');
    await page.screenshot({ path: path.join(shots, 'figures-scrolled-390.png'), fullPage: true });
  });

  it('loads nothing from another origin, and the favicon from this one', async () => {
    assert.deepEqual(foreignRequests(phone.requests, server.url), []);
    const ico = await phone.page.goto(`${server.url}/favicon.ico`);
    assert.equal(ico?.status(), 200);
    assert.match(ico?.headers()['content-type'] ?? '', /^image\/svg\+xml/);
    assert.equal(new URL(phone.page.url()).pathname, '/static/favicon.svg');
  });
});
