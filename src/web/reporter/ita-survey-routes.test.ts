// The ITA survey pages through HTTP, like a browser without JavaScript: staff issue IIT links and see
// the EIT link and its QR code; staff and stakeholders answer; hostile and broken requests get the
// form back (or the one "not valid" page) and store nothing.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import {
  CHEAP_KDF,
  TEST_LIMITS,
  createTestApp,
  loginCode,
  PASSWORD,
  seedAgency,
  seedStaff,
  type TestApp,
} from '../../../test/support/app.ts';
import { cookieHeader, csrfOf, get, newJar, postForm, type Jar } from '../../../test/support/web.ts';
import type { Db } from '../../db/connection.ts';
import { translator } from '../../i18n/messages.ts';
import { closeCycle, openCycle, type Cycle } from '../../ita/cycles.ts';
import { answerOptions, fieldOf, issueLinks, loadEitSurvey, loadIitSurvey, type Survey } from '../../ita/surveys.ts';
import { resolveStaffSession, staffLogin, type StaffActor } from '../../staff/session.ts';
import { buildApp } from '../app.ts';

const th = translator('th');
const en = translator('en');
const esc = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&#34;').replace(/'/g, '&#39;');

function answersFor(survey: Pick<Survey, 'questions' | 'scales'>, pick: (i: number) => number): Record<string, string> {
  return Object.fromEntries(
    survey.questions.map((q, i) => {
      const opts = answerOptions(survey.scales[q.scale]);
      return [fieldOf(q.id), String(opts[pick(i) % opts.length].value)];
    }),
  );
}
const tokenOf = (url: string) => /\/ita\/s\/([A-Za-z0-9_-]{43})$/.exec(url)![1];
const checked = (html: string) =>
  [...html.matchAll(/<input type="radio"[^>]*name="([^"]+)" value="(\d)"[^>]*checked/g)].map((m) => [m[1], m[2]]);

describe('ITA survey pages', () => {
  let h: TestApp;
  const jars: Record<string, Jar> = {};
  const actors: Record<string, StaffActor> = {};
  let cycle: Cycle;
  let year = 2570;

  const snapshot = async (db: Db, cycleId: number) => ({
    cycle: await db
      .selectFrom('ita_cycle')
      .select(['links_issued', 'iit_responses', 'eit_responses'])
      .where('id', '=', cycleId)
      .executeTakeFirstOrThrow(),
    links: (await db.selectFrom('ita_link').select('token_hash').where('cycle_id', '=', cycleId).execute())
      .map((r) => r.token_hash.toString('hex'))
      .sort(),
    tally: await db
      .selectFrom('ita_tally')
      .selectAll()
      .where('cycle_id', '=', cycleId)
      .orderBy('question_id')
      .orderBy('answer')
      .execute(),
  });
  const open = () =>
    openCycle({ db: h.db, actor: actors.admin, fiscalYear: year++, frameworkName: 'ita-2569.json', staffCount: 40 });
  const links = async (n = 1, c = cycle) => issueLinks({ db: h.db, actor: actors.admin, cycleId: c.id, count: n });
  /** Opens the form like a browser, then posts `fields` (plus the page's CSRF token unless `csrf` is given). */
  const answer = async (url: string, fields: Record<string, string>, csrf?: string) => {
    const jar = newJar();
    const page = await get(h.app, jar, url);
    assert.equal(page.statusCode, 200, page.body);
    return postForm(h.app, jar, url, { _csrf: csrf ?? csrfOf(page.body), ...fields });
  };
  const staffPost = async (who: string, cycleId: number, fields: Record<string, string>) => {
    const csrf = csrfOf((await get(h.app, jars[who], '/staff/cases')).body);
    return postForm(h.app, jars[who], `/staff/ita/${cycleId}/links`, { _csrf: csrf, ...fields });
  };

  before(async () => {
    h = await createTestApp();
    await seedAgency(h.db, 'OPDC');
    await seedAgency(h.db, 'NACC');
    for (const [key, agency, email, roles] of [
      ['admin', 'OPDC', 'admin@opdc.example', ['agency_admin']],
      ['assessor', 'OPDC', 'ita@opdc.example', ['ita_assessor']],
      ['io', 'OPDC', 'io@opdc.example', ['intake_officer']],
      ['nacc', 'NACC', 'admin@nacc.example', ['agency_admin']],
    ] as const) {
      await seedStaff(h.db, agency, email, [...roles]);
      const jar = newJar();
      const page = await get(h.app, jar, '/staff/login');
      const res = await postForm(h.app, jar, '/staff/login', {
        _csrf: csrfOf(page.body),
        email,
        password: PASSWORD,
        code: loginCode(email),
      });
      assert.equal(res.statusCode, 303, res.body);
      jars[key] = jar;
      const { token } = await staffLogin({
        db: h.db,
        kdf: CHEAP_KDF,
        limits: TEST_LIMITS,
        email,
        password: PASSWORD,
        code: loginCode(email),
      });
      actors[key] = (await resolveStaffSession({ db: h.db, token }))!;
    }
    cycle = await open();
  });
  after(() => h.close());

  describe('staff links page', () => {
    it('issues links once, as absolute one-time URLs in a readonly textarea, and stores only their hashes', async () => {
      const page = await get(h.app, jars.admin, `/staff/ita/${cycle.id}/links`);
      assert.equal(page.statusCode, 200, page.body);
      assert.doesNotMatch(page.body, /<script/i);
      assert.ok(page.body.includes(esc(th('ita.links.iit.explain'))));
      assert.ok(page.body.includes(`${h.config.publicUrl}/ita/e/${cycle.publicCode}`), 'the EIT link');
      assert.match(page.body, new RegExp(`<img src="/ita/e/${cycle.publicCode}/qr.svg"`));
      assert.match(page.body, /<form method="post" action="\/staff\/ita\/\d+\/links"[ >]/);
      const res = await staffPost('admin', cycle.id, { count: '3' });
      assert.equal(res.statusCode, 200, res.body);
      const area = /<textarea id="new-links" readonly[^>]*>([^<]*)<\/textarea>/.exec(res.body);
      assert.ok(area, 'the links are in a readonly textarea');
      const urls = area[1].split('\n');
      assert.equal(urls.length, 3);
      for (const u of urls) assert.ok(u.startsWith(`${h.config.publicUrl}/ita/s/`), u);
      assert.ok(res.body.includes(esc(th('ita.links.new.once'))));
      assert.equal(res.headers['cache-control'], 'no-store');
      const s = await snapshot(h.db, cycle.id);
      assert.equal(s.cycle.links_issued, 3);
      for (const u of urls) assert.ok(!JSON.stringify(s).includes(tokenOf(u)));
      // Shown once: the page afterwards does not show them again.
      const again = await get(h.app, jars.admin, `/staff/ita/${cycle.id}/links`);
      for (const u of urls) assert.ok(!again.body.includes(tokenOf(u)));
      assert.match(again.body, /3/);
    });

    it('shows the form back with the error for a bad count, and issues nothing', async () => {
      const before = await snapshot(h.db, cycle.id);
      for (const count of ['0', '1001', 'abc', '', '2.5']) {
        const res = await staffPost('admin', cycle.id, { count });
        assert.equal(res.statusCode, 400, count);
        assert.match(res.body, /id="count-error"/);
        assert.match(res.body, /aria-invalid="true"/);
      }
      const over = await staffPost('admin', cycle.id, { count: '1000' });
      assert.equal(over.statusCode, 400);
      assert.ok(over.body.includes(esc(th('ita.links.error.limit'))));
      assert.deepEqual(await snapshot(h.db, cycle.id), before);
    });

    it('answers 404 to another agency, 403 to an assessor issuing, and lets the assessor view', async () => {
      const before = await snapshot(h.db, cycle.id);
      assert.equal((await get(h.app, jars.nacc, `/staff/ita/${cycle.id}/links`)).statusCode, 404);
      assert.equal((await staffPost('nacc', cycle.id, { count: '1' })).statusCode, 404);
      assert.equal((await get(h.app, jars.io, `/staff/ita/${cycle.id}/links`)).statusCode, 403);
      assert.equal((await staffPost('assessor', cycle.id, { count: '1' })).statusCode, 403);
      const view = await get(h.app, jars.assessor, `/staff/ita/${cycle.id}/links`);
      assert.equal(view.statusCode, 200);
      assert.doesNotMatch(view.body, /action="\/staff\/ita\/\d+\/links"/);
      assert.ok(view.body.includes(esc(th('ita.links.issue.admin_only'))));
      assert.equal((await get(h.app, jars.admin, '/staff/ita/99999/links')).statusCode, 404);
      assert.equal((await get(h.app, jars.admin, '/staff/ita/abc/links')).statusCode, 404);
      assert.equal((await staffPost('admin', cycle.id, { count: '1', _csrf: 'forged' })).statusCode, 403);
      assert.deepEqual(await snapshot(h.db, cycle.id), before);
    });

    it('serves the QR code of the public link as an SVG image', async () => {
      const res = await get(h.app, newJar(), `/ita/e/${cycle.publicCode}/qr.svg`);
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers['content-type']), /^image\/svg\+xml/);
      assert.match(res.body, /^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
      assert.doesNotMatch(res.body, /<script/i);
      assert.equal((await get(h.app, newJar(), '/ita/e/nope/qr.svg')).statusCode, 404);
    });
  });

  describe('IIT through a one-time link', () => {
    it('shows every IIT question as a fieldset of labelled radios, Thai first, with the privacy notice and no script', async () => {
      const [token] = await links();
      const s = await loadIitSurvey(h.db, token);
      const res = await get(h.app, newJar(), `/ita/s/${token}`);
      assert.equal(res.statusCode, 200, res.body);
      assert.match(res.body, /<html lang="th">/);
      assert.doesNotMatch(res.body, /<script/i);
      assert.match(res.body, /<form method="post" action="\/ita\/s\/[A-Za-z0-9_-]{43}" novalidate id="survey-form"/);
      assert.equal((res.body.match(/<fieldset/g) ?? []).length, s.questions.length);
      assert.equal((res.body.match(/<legend>/g) ?? []).length, s.questions.length);
      for (const q of s.questions) assert.ok(res.body.includes(esc(q.text.th)), q.id);
      for (const i of s.indicators) assert.ok(res.body.includes(esc(i.name.th)));
      const four = Object.values(s.scales).find((x) => x.kind === 'levels')!;
      if (four.kind === 'levels') for (const l of four.labels) assert.ok(res.body.includes(esc(l.th)));
      assert.ok(res.body.includes(esc(th('ita.survey.privacy.IIT'))));
      assert.ok(res.body.includes(esc(th('ita.survey.privacy.threshold', { n: s.disclosureThreshold }))));
      assert.match(res.body, /href="\/ita\/s\/[A-Za-z0-9_-]{43}\?lang=en"/);
      const english = await get(h.app, newJar(), `/ita/s/${token}?lang=en`);
      assert.match(english.body, /<html lang="en">/);
      assert.ok(english.body.includes(esc(s.questions[0].text.en)));
      assert.equal(res.headers['set-cookie']?.toString().includes('sj_staff'), false);
    });

    it('counts the answers, thanks after the commit, and refuses the link the second time like an unknown one', async () => {
      const [token] = await links();
      const survey = await loadIitSurvey(h.db, token);
      const before = await snapshot(h.db, cycle.id);
      const res = await answer(
        `/ita/s/${token}`,
        answersFor(survey, (i) => i),
      );
      assert.equal(res.statusCode, 200, res.body);
      assert.ok(res.body.includes(esc(th('ita.survey.done.title'))));
      const after = await snapshot(h.db, cycle.id);
      assert.equal(after.cycle.iit_responses, before.cycle.iit_responses + 1);
      assert.equal(after.links.length, before.links.length - 1);
      const used = await get(h.app, newJar(), `/ita/s/${token}`);
      const unknown = await get(h.app, newJar(), `/ita/s/${'B'.repeat(43)}`);
      const malformed = await get(h.app, newJar(), '/ita/s/not-a-token');
      assert.equal(used.statusCode, 404);
      assert.equal(used.body, unknown.body);
      assert.equal(used.body, malformed.body);
      assert.ok(used.body.includes(esc(th('ita.survey.invalid.title'))));
      const postAgain = await postForm(
        h.app,
        newJar(),
        `/ita/s/${token}`,
        answersFor(survey, () => 0),
      );
      const postUnknown = await postForm(
        h.app,
        newJar(),
        `/ita/s/${'B'.repeat(43)}`,
        answersFor(survey, () => 0),
      );
      assert.equal(postAgain.statusCode, 404);
      assert.equal(postAgain.body, postUnknown.body);
      assert.deepEqual(await snapshot(h.db, cycle.id), after);
    });

    it('gives the form back with each unanswered question linked, the other answers still checked', async () => {
      const [token] = await links();
      const survey = await loadIitSurvey(h.db, token);
      const before = await snapshot(h.db, cycle.id);
      const fields = answersFor(survey, (i) => i + 1);
      const skipped = [survey.questions[0], survey.questions[3]];
      for (const q of skipped) delete fields[fieldOf(q.id)];
      const res = await answer(`/ita/s/${token}`, fields);
      assert.equal(res.statusCode, 400);
      assert.match(res.body, /id="error-summary"/);
      assert.ok(res.body.includes(esc(th('ita.survey.error.form'))));
      assert.match(res.body, /<a href="#q1-1">/);
      assert.match(res.body, /<a href="#q4-1">/);
      assert.match(
        res.body,
        /<fieldset class="field question" id="q1" aria-invalid="true" aria-describedby="q1-error">/,
      );
      assert.match(
        res.body,
        /<fieldset class="field question" id="q4" aria-invalid="true" aria-describedby="q4-error">/,
      );
      assert.equal((res.body.match(/aria-invalid="true"/g) ?? []).length, 2);
      assert.deepEqual(checked(res.body).sort(), Object.entries(fields).sort());
      assert.deepEqual(await snapshot(h.db, cycle.id), before);
      // The link still works: answering everything now counts once.
      const ok = await answer(
        `/ita/s/${token}`,
        answersFor(survey, (i) => i + 1),
      );
      assert.equal(ok.statusCode, 200);
    });

    const hostile: [string, (s: Survey) => Record<string, string> | string, string][] = [
      [
        'a value out of scale',
        (s) => ({ ...answersFor(s, () => 0), [fieldOf(s.questions[1].id)]: '7' }),
        'ita.survey.error.form',
      ],
      ['an unknown question', (s) => ({ ...answersFor(s, () => 0), 'q.x99': '1' }), 'ita.survey.error.unknown'],
      [
        'a duplicated field',
        (s) => `${new URLSearchParams(answersFor(s, () => 0))}&${encodeURIComponent(fieldOf(s.questions[0].id))}=4`,
        'ita.survey.error.form',
      ],
      [
        'an oversized body',
        (s) => ({ ...answersFor(s, () => 0), _pad: 'x'.repeat(20_000) }),
        'ita.survey.error.too_large',
      ],
      ['no CSRF token', (s) => ({ ...answersFor(s, () => 0), _csrf: '' }), 'error.csrf'],
    ];
    for (const [name, make, message] of hostile) {
      it(`refuses ${name} with the form back and stores nothing`, async () => {
        const [token] = await links();
        const survey = await loadIitSurvey(h.db, token);
        const before = await snapshot(h.db, cycle.id);
        const jar = newJar();
        const page = await get(h.app, jar, `/ita/s/${token}`);
        const made = make(survey);
        const payload =
          typeof made === 'string'
            ? `_csrf=${encodeURIComponent(csrfOf(page.body))}&${made}`
            : new URLSearchParams({ _csrf: csrfOf(page.body), ...made }).toString();
        const res = await h.app.inject({
          method: 'POST',
          url: `/ita/s/${token}`,
          headers: { cookie: cookieHeader(jar), 'content-type': 'application/x-www-form-urlencoded' },
          payload,
        });
        assert.equal(res.statusCode, message === 'error.csrf' ? 403 : 400, res.body.slice(0, 300));
        assert.ok(res.body.includes(esc(th(message))), message);
        assert.match(res.body, /<form method="post" action="\/ita\/s\//);
        assert.deepEqual(await snapshot(h.db, cycle.id), before);
      });
    }

    it('answers a link of a closed cycle with the same page as an unknown link', async () => {
      const c = await open();
      const [token] = await links(1, c);
      await closeCycle({ db: h.db, actor: actors.admin, cycleId: c.id });
      const res = await get(h.app, newJar(), `/ita/s/${token}`);
      assert.equal(res.statusCode, 404);
      assert.equal(res.body, (await get(h.app, newJar(), `/ita/s/${'C'.repeat(43)}`)).body);
    });
  });

  describe('EIT through the public link', () => {
    it('counts an answer from anyone, in English too, and sets no cookie but the form token', async () => {
      const survey = await loadEitSurvey(h.db, cycle.publicCode);
      const before = await snapshot(h.db, cycle.id);
      const jar = newJar();
      const page = await get(h.app, jar, `/ita/e/${cycle.publicCode}?lang=en`);
      assert.equal(page.statusCode, 200);
      assert.doesNotMatch(page.body, /<script/i);
      assert.ok(page.body.includes(esc(en('ita.survey.privacy.EIT'))));
      assert.equal((page.body.match(/<fieldset/g) ?? []).length, survey.questions.length);
      assert.deepEqual([...jar.keys()].sort(), ['sj_csrf', 'sj_lang']);
      const res = await postForm(h.app, jar, `/ita/e/${cycle.publicCode}`, {
        _csrf: csrfOf(page.body),
        ...answersFor(survey, (i) => i * 3),
      });
      assert.equal(res.statusCode, 200, res.body);
      assert.ok(res.body.includes(esc(en('ita.survey.done.title'))));
      assert.deepEqual([...jar.keys()].sort(), ['sj_csrf', 'sj_lang']);
      assert.equal((await snapshot(h.db, cycle.id)).cycle.eit_responses, before.cycle.eit_responses + 1);
    });

    it('refuses a missing answer with the form back, 400, nothing stored', async () => {
      const survey = await loadEitSurvey(h.db, cycle.publicCode);
      const before = await snapshot(h.db, cycle.id);
      const fields = answersFor(survey, () => 1);
      delete fields[fieldOf(survey.questions.at(-1)!.id)];
      const res = await answer(`/ita/e/${cycle.publicCode}`, fields);
      assert.equal(res.statusCode, 400);
      assert.deepEqual(checked(res.body).sort(), Object.entries(fields).sort());
      assert.deepEqual(await snapshot(h.db, cycle.id), before);
    });

    it('says the survey is closed once the cycle is, and an unknown code is not found', async () => {
      const c = await open();
      const survey = await loadEitSurvey(h.db, c.publicCode);
      const jar = newJar();
      const page = await get(h.app, jar, `/ita/e/${c.publicCode}`);
      await closeCycle({ db: h.db, actor: actors.admin, cycleId: c.id });
      const late = await postForm(h.app, jar, `/ita/e/${c.publicCode}`, {
        _csrf: csrfOf(page.body),
        ...answersFor(survey, () => 0),
      });
      assert.equal(late.statusCode, 410);
      assert.ok(late.body.includes(esc(th('ita.survey.closed.title'))));
      assert.equal((await get(h.app, newJar(), `/ita/e/${c.publicCode}`)).statusCode, 410);
      assert.equal((await snapshot(h.db, c.id)).cycle.eit_responses, 0);
      assert.equal((await get(h.app, newJar(), '/ita/e/unknown-code')).statusCode, 404);
    });

    it('counts 50 concurrent submissions exactly', async () => {
      const c = await open();
      const survey = await loadEitSurvey(h.db, c.publicCode);
      const jar = newJar();
      const token = csrfOf((await get(h.app, jar, `/ita/e/${c.publicCode}`)).body);
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, n) =>
          postForm(h.app, jar, `/ita/e/${c.publicCode}`, { _csrf: token, ...answersFor(survey, () => n) }),
        ),
      );
      assert.deepEqual(
        results.map((r) => r.statusCode),
        Array(50).fill(200),
      );
      const s = await snapshot(h.db, c.id);
      assert.equal(s.cycle.eit_responses, 50);
      for (const q of survey.questions) {
        const total = s.tally.filter((r) => r.question_id === q.id).reduce((a, r) => a + r.count, 0);
        assert.equal(total, 50, q.id);
      }
    });
  });

  describe('when the database fails', () => {
    let flaky: FastifyInstance;
    before(async () => {
      // Reads work, every transaction fails to connect: the outage strikes between the page and the commit.
      const db = h.db;
      const down = new Proxy(db, {
        get(target, p) {
          if (p === 'transaction')
            return () => ({
              execute: async () => {
                throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
              },
            });
          const v = Reflect.get(target, p);
          return typeof v === 'function' ? v.bind(target) : v;
        },
      });
      flaky = await buildApp({ ...h.deps, db: down });
      await flaky.ready();
    });
    after(() => flaky.close());

    it('answers 503 with the answers kept and stores nothing', async () => {
      const [token] = await links();
      const survey = await loadIitSurvey(h.db, token);
      const before = await snapshot(h.db, cycle.id);
      for (const url of [`/ita/s/${token}`, `/ita/e/${cycle.publicCode}`]) {
        const s = url.includes('/e/') ? await loadEitSurvey(h.db, cycle.publicCode) : survey;
        const jar = newJar();
        const page = await flaky.inject({ method: 'GET', url });
        jar.set('sj_csrf', /sj_csrf=([^;]+)/.exec(String(page.headers['set-cookie']))![1]);
        const fields = answersFor(s, () => 2);
        const res = await flaky.inject({
          method: 'POST',
          url,
          headers: { cookie: cookieHeader(jar), 'content-type': 'application/x-www-form-urlencoded' },
          payload: new URLSearchParams({ _csrf: csrfOf(page.body), ...fields }).toString(),
        });
        assert.equal(res.statusCode, 503, url);
        assert.ok(res.headers['retry-after']);
        assert.ok(res.body.includes(esc(th('ita.survey.error.unavailable'))));
        assert.deepEqual(checked(res.body).sort(), Object.entries(fields).sort());
      }
      assert.deepEqual(await snapshot(h.db, cycle.id), before);
    });
  });
});
