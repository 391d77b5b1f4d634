// The declaration pages through HTTP: the administrator designates a position and a holder; the
// holder files with one fault (shown beside its field, everything typed kept), fixes it, files, and
// a second post of the same form files nothing new; the reviewer lists and opens it with its flags;
// a colleague, the administrator and another agency's reviewer get nothing. Hostile use: a forged
// CSRF token, forged fields, an oversized body, another agency's position.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { itaJars } from '../../../test/support/ita.ts';
import { csrfOf, get, postForm, type Jar } from '../../../test/support/web.ts';

const PEOPLE = [
  ['admin@opdc.example', 'OPDC', ['agency_admin']],
  ['decl@opdc.example', 'OPDC', ['investigator']],
  ['colleague@opdc.example', 'OPDC', ['investigator']],
  ['rev@opdc.example', 'OPDC', ['declaration_reviewer']],
  ['rev@nacc.example', 'NACC', ['declaration_reviewer']],
  ['admin@nacc.example', 'NACC', ['agency_admin']],
] as const;

const tokenOf = (html: string) => /name="token" value="([0-9a-f-]{36})"/.exec(html)?.[1] ?? '';

describe('declaration pages', () => {
  let h: TestApp;
  const jars: Record<string, Jar> = {};
  let ids: Record<string, number> = {};
  const page = (who: string, url: string) => get(h.app, jars[who], url);
  const post = async (who: string, url: string, fields: Record<string, string>, from = url) =>
    postForm(h.app, jars[who], url, { _csrf: csrfOf((await page(who, from)).body), ...fields });
  let declUrl = '';

  before(async () => {
    h = await createTestApp();
    const seeded = await itaJars(h.app, h.db, PEOPLE);
    Object.assign(jars, seeded.jars);
    ids = seeded.ids;
  });
  after(async () => h.close());

  it('lets the administrator designate a position and its holder, and no one else', async () => {
    const admin = '/staff/admin/declarations';
    assert.equal((await page('admin@opdc.example', admin)).statusCode, 200);
    assert.equal((await page('decl@opdc.example', admin)).statusCode, 403);
    const bad = await post('admin@opdc.example', `${admin}/positions`, { category: 'lottery', name: '' }, admin);
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /id="category-error"/);
    assert.match(bad.body, /id="name-error"/);
    const added = await post(
      'admin@opdc.example',
      `${admin}/positions`,
      { category: 'procurement', name: 'พัสดุ' },
      admin,
    );
    assert.equal(added.statusCode, 303, added.body);
    const positionId = /name="positionId"[^>]*><option value="(\d+)"/.exec(
      (await page('admin@opdc.example', admin)).body,
    )?.[1];
    assert.ok(positionId);
    const forged = await postForm(h.app, jars['admin@opdc.example'], `${admin}/holders`, {
      _csrf: 'forged',
      positionId,
      userId: String(ids['decl@opdc.example']),
      day: '1/12/2569',
    });
    assert.equal(forged.statusCode, 403);
    // NACC's administrator names OPDC's position: not found, as any unknown one
    const other = await post(
      'admin@nacc.example',
      `${admin}/holders`,
      { positionId, userId: String(ids['admin@nacc.example']), day: '1/12/2569' },
      admin,
    );
    assert.equal(other.statusCode, 404);
    const held = await post(
      'admin@opdc.example',
      `${admin}/holders`,
      { positionId, userId: String(ids['decl@opdc.example']), day: '1/12/2569' },
      admin,
    );
    assert.equal(held.statusCode, 303, held.body);
    const policy = await post(
      'admin@opdc.example',
      `${admin}/policy`,
      { entryDays: '30', leavingDays: '30', remindDays: '7', yearlyDue: '31/2' },
      admin,
    );
    assert.equal(policy.statusCode, 400);
    assert.match(policy.body, /id="yearlyDue-error"/);
    assert.match(policy.body, /value="31\/2"/);
    const published = await post(
      'admin@opdc.example',
      `${admin}/policy`,
      { entryDays: '30', leavingDays: '30', remindDays: '7', yearlyDue: '30/10', publicSummary: 'on' },
      admin,
    );
    assert.equal(published.statusCode, 303, published.body);
  });

  it('files with one fault fixed on the way, and a second post of the form files nothing new', async () => {
    const form = await page('decl@opdc.example', '/staff/declarations/new');
    assert.equal(form.statusCode, 200);
    const fields = {
      _csrf: csrfOf(form.body),
      token: tokenOf(form.body),
      occasion: 'entry',
      income: '120,000',
      'asset.0.kind': 'deposit',
      'asset.0.description': 'ออมทรัพย์ MRK-typed',
      'asset.0.value': '2000000',
      'interest.0.kind': 'shareholding',
      'interest.0.juristic': '0107544000109',
      'interest.0.name': 'บริษัทผู้ขาย จำกัด',
    };
    const refused = await postForm(h.app, jars['decl@opdc.example'], '/staff/declarations/new', fields);
    assert.equal(refused.statusCode, 400);
    assert.match(refused.body, /id="interest\.0\.juristic-error"/);
    assert.match(refused.body, /aria-invalid="true"/);
    assert.match(refused.body, /MRK-typed/);
    assert.match(refused.body, new RegExp(`value="${fields.token}"`));
    const fixed = { ...fields, 'interest.0.juristic': '0-1075-44000-10-8' };
    const filed = await postForm(h.app, jars['decl@opdc.example'], '/staff/declarations/new', fixed);
    assert.equal(filed.statusCode, 303, filed.body);
    declUrl = String(filed.headers.location).replace(/\?.*$/, '');
    const again = await postForm(h.app, jars['decl@opdc.example'], '/staff/declarations/new', fixed);
    assert.equal(String(again.headers.location).replace(/\?.*$/, ''), declUrl);
    assert.equal((await h.db.selectFrom('declaration').select('id').execute()).length, 1);
    const own = await page('decl@opdc.example', declUrl);
    assert.equal(own.statusCode, 200);
    assert.match(own.body, /MRK-typed/);
    // a colleague not designated is refused; an oversized field is refused, not stored
    const colleague = await page('colleague@opdc.example', '/staff/declarations/new');
    const refusedColleague = await postForm(h.app, jars['colleague@opdc.example'], '/staff/declarations/new', {
      ...fixed,
      _csrf: csrfOf(colleague.body),
      token: tokenOf(colleague.body),
    });
    assert.equal(refusedColleague.statusCode, 403);
    const huge = await postForm(h.app, jars['decl@opdc.example'], '/staff/declarations/new', {
      ...fixed,
      token: tokenOf(colleague.body),
      'asset.0.description': 'ก'.repeat(5000),
    });
    assert.equal(huge.statusCode, 400);
  });

  it('shows the reviewer the list and the flags; nobody else sees the declaration', async () => {
    const list = await page('rev@opdc.example', '/staff/declarations/review');
    assert.equal(list.statusCode, 200);
    assert.ok(list.body.includes(declUrl));
    const one = await page('rev@opdc.example', declUrl);
    assert.equal(one.statusCode, 200);
    assert.match(one.body, /MRK-typed/);
    assert.match(one.body, /10/); // the cash flag's title
    for (const who of ['colleague@opdc.example', 'admin@opdc.example', 'rev@nacc.example']) {
      const res = await page(who, declUrl);
      assert.equal(res.statusCode, 404, who);
      assert.ok(!res.body.includes('MRK-typed'), who);
    }
    assert.ok(!(await page('rev@nacc.example', '/staff/declarations/review')).body.includes(declUrl));
    assert.equal((await page('colleague@opdc.example', '/staff/declarations/review')).statusCode, 403);
    const rechecked = await post(
      'rev@opdc.example',
      '/staff/declarations/review/recheck',
      {},
      '/staff/declarations/review',
    );
    assert.equal(rechecked.headers.location, '/staff/declarations/review?sent=rechecked');
    const refused = await post(
      'colleague@opdc.example',
      '/staff/declarations/review/recheck',
      {},
      '/staff/declarations',
    );
    assert.equal(refused.statusCode, 403);
  });

  it('publishes the summary (name, position, totals) only where the policy says so, and nothing else', async () => {
    const pub = await h.app.inject({ method: 'GET', url: '/declarations/OPDC' });
    assert.equal(pub.statusCode, 200);
    assert.match(pub.body, /2,000,000|2,000,000/);
    assert.match(pub.body, /พัสดุ/);
    assert.ok(!pub.body.includes('MRK-typed'));
    assert.ok(!pub.body.includes('0107544000108'));
    assert.equal((await h.app.inject({ method: 'GET', url: '/declarations/NACC' })).statusCode, 404);
    assert.equal((await h.app.inject({ method: 'GET', url: '/declarations/NOPE' })).statusCode, 404);
  });
});
