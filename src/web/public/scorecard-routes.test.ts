// Scorecards over HTTP: shares computed from the released datasets only (a hidden month is not
// counted), the same-type median, the comparison of two agencies, the embed page's CSP, the
// charts' accessible names, and hostile input (unknown codes, one or five agencies, long queries).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestApp, seedAgency, type TestApp } from '../../../test/support/app.ts';
import { get, newJar } from '../../../test/support/web.ts';
import { NOW, seedFixture } from '../../../test/support/opendata.ts';
import { releaseMonth } from '../../opendata/release.ts';

describe('scorecards', () => {
  let h: TestApp;
  const page = (url: string) => get(h.app, newJar(), url);
  before(async () => {
    h = await createTestApp();
    for (const code of ['LOCAL1', 'LOCAL2', 'CENT1']) await seedAgency(h.db, code);
    await seedFixture(h.db);
    await releaseMonth({ db: h.db, now: NOW });
  });
  after(() => h.close());

  it('lists agencies with a filter by type and name, and boxes to tick for comparing', async () => {
    const all = await page('/scorecards?lang=en');
    assert.equal(all.statusCode, 200);
    assert.match(all.body, /Agencies to compare \(3 found\)/);
    assert.match(all.body, /<input type="checkbox" id="a-LOCAL1" name="a" value="LOCAL1">/);
    const local = await page('/scorecards?lang=en&type=local');
    assert.match(local.body, /\(2 found\)/);
    const named = await page('/scorecards?lang=en&q=cent1');
    assert.match(named.body, /\(1 found\)/);
    const hostile = await page(`/scorecards?type=<script>&q=${'x'.repeat(5000)}&page=-9`);
    assert.equal(hostile.statusCode, 200);
    assert.doesNotMatch(hostile.body, /<script>/);
  });

  it("one agency's card: shares from published months only, the same-type median, charts with names and tables", async () => {
    const res = await page('/scorecards/LOCAL1?lang=en');
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /The 12 months to October 2569 BE/);
    assert.match(
      res.body,
      /id="ack-h">Acknowledged on time[\s\S]*?<th scope="row">Agency LOCAL1<\/th><td>Not enough data yet<\/td><td>0 of 1 months counted<\/td>/,
      'the late acknowledgements are hidden that month, so the month is not counted',
    );
    assert.match(
      res.body,
      /id="reply-h">First reply on time[\s\S]*?<th scope="row">Agency LOCAL1<\/th><td>100%<\/td><td>1 of 1 months counted<\/td>/,
    );
    assert.match(res.body, /<th scope="row">Median of Local government<\/th><td>100%<\/td><td>median<\/td>/);
    assert.match(res.body, /<svg [^>]*role="img" aria-labelledby="sc-1-t sc-1-d"/);
    assert.match(
      res.body,
      /<title id="sc-1-t">First reply on time<\/title><desc id="sc-1-d">Agency LOCAL1: 100%; Median of Local government: 100%<\/desc>/,
    );
    assert.match(res.body, /font-size="16"/);
    assert.match(res.body, /The agency has not published ITA results yet./);
    assert.equal(String(res.headers['content-security-policy']).includes("frame-ancestors 'none'"), true);
    assert.equal((await page('/scorecards/NOPE')).statusCode, 404);
  });

  it('compares two agencies side by side; one, five or unknown agencies go back to the list', async () => {
    const res = await page('/scorecards/compare?a=LOCAL1&a=CENT1&lang=en');
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /Comparison: Agency LOCAL1 · Agency CENT1/);
    assert.match(res.body, /Median of Central government agency/);
    for (const q of ['a=LOCAL1', 'a=LOCAL1&a=NOPE', 'a=LOCAL1&a=LOCAL2&a=CENT1&a=X&a=Y', '']) {
      const r = await h.app.inject({ method: 'GET', url: `/scorecards/compare?${q}` });
      assert.equal(r.statusCode, 303, q);
      assert.equal(r.headers.location, '/scorecards?error=pick');
    }
    assert.match((await page('/scorecards?error=pick&lang=en')).body, /Please tick 2 or 3 agencies/);
  });

  it('the embed page may be framed by any site and has no site menu', async () => {
    const res = await page('/embed/scorecards/LOCAL1');
    assert.equal(res.statusCode, 200);
    const csp = String(res.headers['content-security-policy']);
    assert.match(csp, /frame-ancestors \*/);
    assert.match(csp, /script-src 'none'/);
    assert.equal(res.headers['x-frame-options'], undefined);
    assert.match(res.body, /<base target="_blank">/);
    assert.doesNotMatch(res.body, /class="top"/);
  });
});
