// The ITA surveys' domain on real PostgreSQL with the shipped framework: issuing one-time links,
// loading and validating questionnaires, counting answers, and the refusals that must store nothing.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { CHEAP_KDF, TEST_LIMITS, PASSWORD, loginCode, seedAgency, seedStaff } from '../../test/support/app.ts';
import { createTestDatabase, type TestDatabase } from '../../test/support/db.ts';
import { connect, type Db } from '../db/connection.ts';
import { AppError } from '../errors.ts';
import { resolveStaffSession, staffLogin, type StaffActor } from '../staff/session.ts';
import { toAppError } from '../web/errors.ts';
import { closeCycle, openCycle, type Cycle } from './cycles.ts';
import {
  answerOptions,
  fieldOf,
  issueLinks,
  loadEitSurvey,
  loadIitSurvey,
  loadTallies,
  submitEit,
  submitIit,
  surveyOf,
  validateAnswers,
  type Survey,
} from './surveys.ts';

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** Every question answered: `pick(i)` chooses the option index (wrapped to the scale). */
function answersFor(survey: Pick<Survey, 'questions' | 'scales'>, pick: (i: number) => number): Record<string, string> {
  return Object.fromEntries(
    survey.questions.map((q, i) => {
      const opts = answerOptions(survey.scales[q.scale]);
      return [fieldOf(q.id), String(opts[pick(i) % opts.length].value)];
    }),
  );
}

async function rejectsWith(p: Promise<unknown>, code: string, userMessage?: string): Promise<AppError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof AppError, `not an AppError: ${(e as Error).message}`);
    assert.equal(e.code, code, e.message);
    if (userMessage) assert.equal(e.userMessage, userMessage);
    return e;
  }
  assert.fail('did not reject');
}

describe('ITA surveys', () => {
  let t: TestDatabase;
  let db: Db;
  const actors: Record<string, StaffActor> = {};
  let cycle: Cycle;
  let other: Cycle;
  let year = 2570;

  const state = async (cycleId: number) => ({
    cycle: await db
      .selectFrom('ita_cycle')
      .select(['links_issued', 'iit_responses', 'eit_responses'])
      .where('id', '=', cycleId)
      .executeTakeFirstOrThrow(),
    links: (await db.selectFrom('ita_link').select('token_hash').where('cycle_id', '=', cycleId).execute()).length,
    tally: await db
      .selectFrom('ita_tally')
      .selectAll()
      .where('cycle_id', '=', cycleId)
      .orderBy('question_id')
      .orderBy('answer')
      .execute(),
  });
  const open = async (staffCount = 10, agency = 'OPDC') =>
    openCycle({
      db,
      actor: actors[agency === 'OPDC' ? 'admin' : 'nacc'],
      fiscalYear: year++,
      frameworkName: 'ita-2569.json',
      staffCount,
    });

  before(async () => {
    t = await createTestDatabase();
    db = t.db;
    await seedAgency(db, 'OPDC');
    await seedAgency(db, 'NACC');
    for (const [key, agency, email, roles] of [
      ['admin', 'OPDC', 'admin@opdc.example', ['agency_admin']],
      ['assessor', 'OPDC', 'ita@opdc.example', ['ita_assessor']],
      ['nacc', 'NACC', 'admin@nacc.example', ['agency_admin']],
    ] as const) {
      await seedStaff(db, agency, email, [...roles]);
      const { token } = await staffLogin({
        db,
        kdf: CHEAP_KDF,
        limits: TEST_LIMITS,
        email,
        password: PASSWORD,
        code: loginCode(email),
      });
      actors[key] = (await resolveStaffSession({ db, token }))!;
    }
    cycle = await open(10);
    other = await open(10, 'NACC');
  });
  after(() => t.drop());

  describe('issueLinks', () => {
    it('returns fresh 256-bit tokens once and keeps only their SHA-256, counted and audited without them', async () => {
      const before = await state(cycle.id);
      const tokens = await issueLinks({ db, actor: actors.admin, cycleId: cycle.id, count: 5 });
      assert.equal(tokens.length, 5);
      assert.equal(new Set(tokens).size, 5);
      for (const tk of tokens) assert.match(tk, /^[A-Za-z0-9_-]{43}$/);
      const rows = await db.selectFrom('ita_link').selectAll().where('cycle_id', '=', cycle.id).execute();
      assert.equal(rows.length, before.links + 5);
      const stored = new Set(rows.map((r) => r.token_hash.toString('hex')));
      for (const tk of tokens) assert.ok(stored.has(sha256(tk).toString('hex')));
      assert.equal((await state(cycle.id)).cycle.links_issued, before.cycle.links_issued + 5);
      const audit = await db
        .selectFrom('audit_event')
        .select(['action', 'detail', 'actor_user_id'])
        .where('action', '=', 'ita_links_issued')
        .orderBy('id', 'desc')
        .executeTakeFirstOrThrow();
      assert.deepEqual(audit.detail, { cycleId: cycle.id, count: 5 });
      assert.equal(audit.actor_user_id, actors.admin.id);
      const everything = JSON.stringify(await db.selectFrom('audit_event').selectAll().execute());
      for (const tk of tokens) assert.ok(!everything.includes(tk) && !everything.includes(sha256(tk).toString('hex')));
    });

    it('refuses a count out of range or past twice the staff count, and changes nothing', async () => {
      const small = await open(3);
      for (const count of [0, -1, 1001, 1.5, Number.NaN]) {
        const e = await rejectsWith(issueLinks({ db, actor: actors.admin, cycleId: small.id, count }), 'invalid_input');
        assert.equal(e.fields.count, 'ita.links.error.count', String(count));
      }
      await issueLinks({ db, actor: actors.admin, cycleId: small.id, count: 6 });
      const e = await rejectsWith(
        issueLinks({ db, actor: actors.admin, cycleId: small.id, count: 1 }),
        'invalid_input',
      );
      assert.equal(e.fields.count, 'ita.links.error.limit');
      const s = await state(small.id);
      assert.equal(s.cycle.links_issued, 6);
      assert.equal(s.links, 6);
    });

    it('answers not_found across agencies, forbidden to an assessor, conflict on a closed cycle', async () => {
      const before = await state(cycle.id);
      await rejectsWith(issueLinks({ db, actor: actors.nacc, cycleId: cycle.id, count: 1 }), 'not_found');
      await rejectsWith(issueLinks({ db, actor: actors.assessor, cycleId: cycle.id, count: 1 }), 'forbidden');
      const closed = await open(5);
      await closeCycle({ db, actor: actors.admin, cycleId: closed.id });
      await rejectsWith(
        issueLinks({ db, actor: actors.admin, cycleId: closed.id, count: 1 }),
        'conflict',
        'ita.error.closed',
      );
      assert.deepEqual(await state(cycle.id), before);
      assert.equal((await state(closed.id)).links, 0);
    });
  });

  describe('loadIitSurvey and loadEitSurvey', () => {
    it('give the questions of their own instrument only, grouped under its indicators', async () => {
      const [token] = await issueLinks({ db, actor: actors.admin, cycleId: cycle.id, count: 1 });
      const iit = await loadIitSurvey(db, token);
      const eit = await loadEitSurvey(db, cycle.publicCode);
      assert.equal(iit.cycleId, cycle.id);
      assert.equal(iit.instrument, 'IIT');
      assert.equal(eit.instrument, 'EIT');
      assert.deepEqual(iit, { ...iit, ...surveyOf(cycle.framework, 'IIT') });
      assert.ok(iit.questions.length > 0 && eit.questions.length > 0);
      assert.ok(
        iit.indicators.every((i) => i.instrument === 'IIT') && eit.indicators.every((i) => i.instrument === 'EIT'),
      );
      assert.equal(iit.questions.length + eit.questions.length, cycle.framework.questions.length);
      assert.equal(iit.agencyName.en, 'Agency OPDC');
    });

    it('answer a malformed, unknown, used or closed-cycle link the same way', async () => {
      const closed = await open(5);
      const [onClosed] = await issueLinks({ db, actor: actors.admin, cycleId: closed.id, count: 1 });
      const [used] = await issueLinks({ db, actor: actors.admin, cycleId: cycle.id, count: 1 });
      const survey = await loadIitSurvey(db, used);
      await submitIit({ db, survey, token: used, fields: answersFor(survey, () => 0) });
      // A link row left on a closed cycle (closeCycle deletes them) must still not open.
      await db.updateTable('ita_cycle').set({ state: 'closed' }).where('id', '=', closed.id).execute();
      const errors = [];
      for (const token of [
        '',
        'short',
        `${used}x`,
        'A'.repeat(43),
        used,
        onClosed,
        '../../etc/passwd',
        'ก'.repeat(43),
      ]) {
        const e = await rejectsWith(loadIitSurvey(db, token), 'not_found', 'ita.survey.invalid');
        errors.push([e.message, e.userMessage, e.fields]);
      }
      assert.equal(new Set(errors.map((e) => JSON.stringify(e))).size, 1);
    });

    it('loads the EIT of a closed cycle as closed, and an unknown code as not found', async () => {
      const closed = await open(5);
      await closeCycle({ db, actor: actors.admin, cycleId: closed.id });
      await rejectsWith(loadEitSurvey(db, closed.publicCode), 'conflict', 'ita.error.closed');
      await rejectsWith(loadEitSurvey(db, 'no-such-code'), 'not_found');
      await rejectsWith(loadEitSurvey(db, 'x'.repeat(5000)), 'not_found');
    });
  });

  describe('validateAnswers', () => {
    let survey: Survey;
    before(async () => {
      survey = await loadEitSurvey(db, cycle.publicCode);
    });

    it('accepts every question answered once with a value of its scale', () => {
      const fields: Record<string, string> = { _csrf: 'x', ...answersFor(survey, (i) => i) };
      const answers = validateAnswers(survey, fields);
      assert.equal(answers.size, survey.questions.length);
      for (const q of survey.questions) assert.equal(String(answers.get(q.id)), fields[fieldOf(q.id)]);
    });

    const levels = () => survey.questions.find((q) => survey.scales[q.scale].kind === 'levels')!;
    const yesno = () => survey.questions.find((q) => survey.scales[q.scale].kind === 'yesno');
    const cases: [string, (f: Record<string, unknown>) => void, string, string][] = [
      ['a missing answer', (f) => delete f[fieldOf(levels().id)], 'ita.survey.error.form', 'ita.survey.error.missing'],
      ['an empty answer', (f) => (f[fieldOf(levels().id)] = ''), 'ita.survey.error.form', 'ita.survey.error.missing'],
      [
        'a level above the scale',
        (f) => (f[fieldOf(levels().id)] = '5'),
        'ita.survey.error.form',
        'ita.survey.error.scale',
      ],
      ['level 0', (f) => (f[fieldOf(levels().id)] = '0'), 'ita.survey.error.form', 'ita.survey.error.scale'],
      ['a padded value', (f) => (f[fieldOf(levels().id)] = ' 1'), 'ita.survey.error.form', 'ita.survey.error.scale'],
      ['a decimal value', (f) => (f[fieldOf(levels().id)] = '1.0'), 'ita.survey.error.form', 'ita.survey.error.scale'],
      ['a number, not text', (f) => (f[fieldOf(levels().id)] = 2), 'ita.survey.error.form', 'ita.survey.error.scale'],
      [
        'an object',
        (f) => (f[fieldOf(levels().id)] = { toString: () => '1' }),
        'ita.survey.error.form',
        'ita.survey.error.scale',
      ],
      [
        'a duplicated field',
        (f) => (f[fieldOf(levels().id)] = ['1', '4']),
        'ita.survey.error.form',
        'ita.survey.error.duplicate',
      ],
      ['an unknown question', (f) => (f['q.zz9'] = '1'), 'ita.survey.error.unknown', ''],
      [
        'a question of the other instrument',
        (f) =>
          (f[fieldOf(cycle.framework.questions.find((q) => !survey.questions.some((s) => s.id === q.id))!.id)] = '1'),
        'ita.survey.error.unknown',
        '',
      ],
      [
        'a prototype key',
        (f) => Object.defineProperty(f, '__proto__', { value: '1', enumerable: true }),
        'ita.survey.error.unknown',
        '',
      ],
    ];
    for (const [name, spoil, message, field] of cases) {
      it(`refuses ${name}`, () => {
        const fields: Record<string, unknown> = answersFor(survey, (i) => i);
        spoil(fields);
        try {
          validateAnswers(survey, fields);
          assert.fail('accepted');
        } catch (e) {
          assert.ok(e instanceof AppError);
          assert.equal(e.code, 'invalid_input');
          assert.equal(e.userMessage, message);
          if (field) assert.deepEqual(e.fields, { [levels().id]: field });
        }
      });
    }

    it('refuses 2 on a yes/no question', () => {
      const q = yesno();
      assert.ok(q, 'the framework has a yes/no question in the EIT or the test needs another');
      const fields = { ...answersFor(survey, () => 0), [fieldOf(q.id)]: '2' };
      assert.throws(
        () => validateAnswers(survey, fields),
        (e: AppError) => e.fields[q.id] === 'ita.survey.error.scale',
      );
    });
  });

  describe('submitIit and submitEit', () => {
    it('adds one questionnaire to the counts, deletes the link, and refuses the link a second time', async () => {
      const [token] = await issueLinks({ db, actor: actors.admin, cycleId: cycle.id, count: 1 });
      const survey = await loadIitSurvey(db, token);
      const before = await state(cycle.id);
      const fields = answersFor(survey, (i) => i);
      await submitIit({ db, survey, token, fields });
      const after = await state(cycle.id);
      assert.equal(after.cycle.iit_responses, before.cycle.iit_responses + 1);
      assert.equal(after.links, before.links - 1);
      assert.equal(
        await db.selectFrom('ita_link').select('cycle_id').where('token_hash', '=', sha256(token)).executeTakeFirst(),
        undefined,
      );
      const tallies = await loadTallies(db, cycle.id);
      const was = new Map(before.tally.map((r) => [`${r.question_id}/${r.answer}`, r.count]));
      for (const q of survey.questions) {
        const a = Number(fields[fieldOf(q.id)]);
        assert.equal(tallies.get(q.id)?.get(a), (was.get(`${q.id}/${a}`) ?? 0) + 1, q.id);
      }
      // Every option of every question has a row: which rows exist says nothing about the answers.
      const optionCount = survey.questions.reduce((n, q) => n + answerOptions(survey.scales[q.scale]).length, 0);
      assert.equal(after.tally.filter((r) => survey.questions.some((q) => q.id === r.question_id)).length, optionCount);
      await rejectsWith(submitIit({ db, survey, token, fields }), 'not_found', 'ita.survey.invalid');
      assert.deepEqual(await state(cycle.id), after);
    });

    it('counts a link only in its own cycle', async () => {
      const [theirs] = await issueLinks({ db, actor: actors.nacc, cycleId: other.id, count: 1 });
      const [ours] = await issueLinks({ db, actor: actors.admin, cycleId: cycle.id, count: 1 });
      const mine = await loadIitSurvey(db, ours);
      const before = [await state(cycle.id), await state(other.id)];
      // A survey of one cycle with the token of another: the link is not this cycle's.
      await rejectsWith(
        submitIit({ db, survey: mine, token: theirs, fields: answersFor(mine, () => 1) }),
        'not_found',
        'ita.survey.invalid',
      );
      assert.deepEqual([await state(cycle.id), await state(other.id)], before);
      const survey = await loadIitSurvey(db, theirs);
      assert.equal(survey.cycleId, other.id);
      await submitIit({ db, survey, token: theirs, fields: answersFor(survey, () => 1) });
      assert.deepEqual(await state(cycle.id), before[0]);
      assert.equal((await state(other.id)).cycle.iit_responses, before[1].cycle.iit_responses + 1);
    });

    it('stores nothing for invalid answers', async () => {
      const [token] = await issueLinks({ db, actor: actors.admin, cycleId: cycle.id, count: 1 });
      const survey = await loadIitSurvey(db, token);
      const before = await state(cycle.id);
      const fields = { ...answersFor(survey, () => 0), [fieldOf(survey.questions[0].id)]: '9' };
      await rejectsWith(submitIit({ db, survey, token, fields }), 'invalid_input');
      assert.deepEqual(await state(cycle.id), before);
      await loadIitSurvey(db, token); // still usable
    });

    it('lets exactly one of two concurrent uses of a link through', async () => {
      const [token] = await issueLinks({ db, actor: actors.admin, cycleId: cycle.id, count: 1 });
      const survey = await loadIitSurvey(db, token);
      const before = await state(cycle.id);
      const results = await Promise.allSettled(
        Array.from({ length: 5 }, () => submitIit({ db, survey, token, fields: answersFor(survey, () => 2) })),
      );
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      for (const r of results)
        if (r.status === 'rejected') assert.equal((r.reason as AppError).userMessage, 'ita.survey.invalid');
      assert.equal((await state(cycle.id)).cycle.iit_responses, before.cycle.iit_responses + 1);
    });

    it('counts 50 concurrent EIT questionnaires exactly', async () => {
      const c = await open(10);
      const survey = await loadEitSurvey(db, c.publicCode);
      const results = await Promise.allSettled(
        Array.from({ length: 50 }, (_, n) => submitEit({ db, survey, fields: answersFor(survey, (i) => n + i) })),
      );
      assert.deepEqual(
        results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason.message),
        [],
      );
      const s = await state(c.id);
      assert.equal(s.cycle.eit_responses, 50);
      const tallies = await loadTallies(db, c.id);
      survey.questions.forEach((q, i) => {
        const opts = answerOptions(survey.scales[q.scale]);
        const expected = new Map<number, number>();
        for (let n = 0; n < 50; n++)
          expected.set(opts[(n + i) % opts.length].value, (expected.get(opts[(n + i) % opts.length].value) ?? 0) + 1);
        assert.deepEqual(tallies.get(q.id), expected, q.id);
      });
    });

    it('refuses EIT answers once the cycle is closed', async () => {
      const c = await open(5);
      const survey = await loadEitSurvey(db, c.publicCode);
      await closeCycle({ db, actor: actors.admin, cycleId: c.id });
      await rejectsWith(submitEit({ db, survey, fields: answersFor(survey, () => 0) }), 'conflict', 'ita.error.closed');
      const s = await state(c.id);
      assert.equal(s.cycle.eit_responses, 0);
      assert.deepEqual(s.tally, []);
    });

    it('leaves no dead row of the used link or of the old counts in the table files', async () => {
      // Autovacuum is switched off here so that only the survey's own VACUUM can have removed them.
      await sql`alter table ita_link set (autovacuum_enabled = off)`.execute(db);
      await sql`alter table ita_tally set (autovacuum_enabled = off)`.execute(db);
      await sql`create extension if not exists pageinspect`.execute(db);
      const [token] = await issueLinks({ db, actor: actors.admin, cycleId: cycle.id, count: 1 });
      const survey = await loadIitSurvey(db, token);
      await submitIit({ db, survey, token, fields: answersFor(survey, (i) => i * 5) });
      const items = async (table: string) =>
        (
          await sql<{ t_data: Buffer | null }>`
        select i.t_data from generate_series(0, (pg_relation_size(${table}) / 8192)::int - 1) as p,
        lateral heap_page_items(get_raw_page(${table}, p)) as i`.execute(db)
        ).rows;
      const hash = sha256(token);
      const links = await items('ita_link');
      assert.ok(links.length > 0);
      assert.equal(links.filter((r) => r.t_data?.includes(hash)).length, 0, 'the used link is gone from the heap');
      const live = async (table: 'ita_link' | 'ita_tally') =>
        Number(
          (
            await db
              .selectFrom(table)
              .select((eb) => eb.fn.countAll<number>().as('n'))
              .executeTakeFirstOrThrow()
          ).n,
        );
      // Every tuple still holding data is a live row: no older version of a link or a count is left.
      assert.equal(links.filter((r) => r.t_data !== null).length, await live('ita_link'));
      assert.equal(
        (await items('ita_tally')).filter((r) => r.t_data !== null).length,
        await live('ita_tally'),
        'no superseded count is left',
      );
    });

    it('fails as unavailable when the database is down, storing nothing', async () => {
      const [token] = await issueLinks({ db, actor: actors.admin, cycleId: cycle.id, count: 1 });
      const survey = await loadIitSurvey(db, token);
      const before = await state(cycle.id);
      // Nothing listens on port 1: every query fails to connect, as when PostgreSQL is down.
      const dead = connect('postgres://nobody@127.0.0.1:1/none', 1);
      try {
        for (const p of [
          submitIit({ db: dead, survey, token, fields: answersFor(survey, () => 0) }),
          submitEit({ db: dead, survey: { ...survey, instrument: 'EIT' }, fields: answersFor(survey, () => 0) }),
        ]) {
          const e = await p.then(
            () => null,
            (err: unknown) => err,
          );
          assert.equal(toAppError(e)?.code, 'unavailable');
        }
      } finally {
        await dead.destroy();
      }
      assert.deepEqual(await state(cycle.id), before);
    });
  });
});
