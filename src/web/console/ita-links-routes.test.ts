// The survey links page through HTTP: the count's hint and its field say the limit issueLinks
// applies (issue 13, B.11), a refused count comes back with the error summary linking to the field,
// and once every link is issued the page says so instead of offering a form that cannot succeed.
// Hostile use: a forged token, another agency, a wrong role, an oversized count.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestApp, signedInActor, type TestApp } from '../../../test/support/app.ts';
import { itaJars } from '../../../test/support/ita.ts';
import { csrfOf, get, postForm, type Jar } from '../../../test/support/web.ts';
import { translator } from '../../i18n/messages.ts';
import { openCycle } from '../../ita/cycles.ts';
import { listFrameworks } from '../../ita/framework.ts';
import { MAX_LINKS_PER_CALL } from '../../ita/surveys.ts';

const th = translator('th');
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

describe('ITA survey links page', () => {
  let h: TestApp;
  const jars: Record<string, Jar> = {};
  const page = (who: string, url: string) => get(h.app, jars[who], url);
  const issue = async (who: string, cycleId: number, fields: Record<string, string>) =>
    postForm(h.app, jars[who], `/staff/ita/${cycleId}/links`, {
      _csrf: csrfOf((await page(who, '/staff/cases')).body),
      ...fields,
    });
  const cycleOf = async (staffCount: number, fiscalYear: number) =>
    (
      await openCycle({
        db: h.db,
        actor: await signedInActor(h.db, 'admin@opdc.example'),
        fiscalYear,
        frameworkName: listFrameworks()[0],
        staffCount,
      })
    ).id;
  const issued = async (id: number) =>
    (await h.db.selectFrom('ita_cycle').select('links_issued').where('id', '=', id).executeTakeFirstOrThrow())
      .links_issued;

  before(async () => {
    h = await createTestApp();
    Object.assign(jars, (await itaJars(h.app, h.db)).jars);
  });
  after(() => h.close());

  it('names the limit of this cycle in the hint the field points to, not only the most per call', async () => {
    const id = await cycleOf(5, 2566);
    const res = await page('admin@opdc.example', `/staff/ita/${id}/links`);
    assert.equal(res.statusCode, 200, res.body);
    assert.ok(res.body.includes(esc(th('ita.links.count.hint', { max: '10', left: '10', limit: '10' }))), 'hint');
    // a text field that takes Thai digits (a number field drops them as they are typed), described by the hint
    assert.match(res.body, /id="count"[^>]*type="text" inputmode="numeric"[^>]*aria-describedby="count-hint"/);
    assert.ok(!res.body.includes(MAX_LINKS_PER_CALL.toLocaleString('th-TH')), 'not the per-call maximum');

    const big = await cycleOf(2000, 2567);
    const many = await page('admin@opdc.example', `/staff/ita/${big}/links`);
    assert.ok(many.body.includes(esc(th('ita.links.count.hint', { max: '1,000', left: '4,000', limit: '4,000' }))));
  });

  it('reads a count typed in Thai digits', async () => {
    const id = await cycleOf(5, 2568);
    assert.equal((await issue('admin@opdc.example', id, { count: '๓' })).statusCode, 200);
    assert.equal(await issued(id), 3);
  });

  it('gives a refused count back with the summary linking to the field, the limit in its message', async () => {
    const id = await cycleOf(5, 2565);
    await issue('admin@opdc.example', id, { count: '4' });
    const over = await issue('admin@opdc.example', id, { count: '7' });
    assert.equal(over.statusCode, 400);
    assert.match(over.body, /id="error-summary"[\s\S]*<a href="#count">/);
    assert.match(
      over.body,
      /id="count"[^>]*value="7"[^>]*aria-invalid="true" aria-describedby="count-hint count-error"/,
    );
    const word = await issue('admin@opdc.example', id, { count: 'สิบ' });
    assert.equal(word.statusCode, 400);
    assert.ok(word.body.includes(esc(th('ita.links.error.count', { max: '6' }))), 'the most that can be issued now');
    assert.equal(await issued(id), 4, 'nothing refused was issued');
  });

  it('says every link is issued, with the way to allow more, instead of a form that cannot succeed', async () => {
    const id = await cycleOf(2, 2564);
    assert.equal((await issue('admin@opdc.example', id, { count: '4' })).statusCode, 200);
    const full = await page('admin@opdc.example', `/staff/ita/${id}/links`);
    assert.doesNotMatch(full.body, /action="\/staff\/ita\/\d+\/links"/);
    assert.ok(full.body.includes(esc(th('ita.links.count.none', { limit: '4' }))));
    assert.match(full.body, new RegExp(`href="/staff/ita/${id}#settings-h"`));
    assert.equal((await issue('admin@opdc.example', id, { count: '1' })).statusCode, 400, 'the domain still refuses');
    assert.equal(await issued(id), 4);
  });

  it('refuses a forged token, another agency, a wrong role and an oversized count, issuing nothing', async () => {
    const id = await cycleOf(5, 2563);
    const forged = await postForm(h.app, jars['admin@opdc.example'], `/staff/ita/${id}/links`, {
      _csrf: 'forged',
      count: '1',
    });
    assert.equal(forged.statusCode, 403);
    assert.equal((await issue('admin@nacc.example', id, { count: '1' })).statusCode, 404);
    assert.equal((await issue('assessor@opdc.example', id, { count: '1' })).statusCode, 403);
    assert.equal((await issue('inv@opdc.example', id, { count: '1' })).statusCode, 403);
    const huge = await issue('admin@opdc.example', id, { count: '9'.repeat(5000) });
    assert.equal(huge.statusCode, 400);
    assert.doesNotMatch(huge.body, /9{13}/, 'what was typed comes back cut');
    assert.equal(await issued(id), 0);
  });
});
