// Publishing on real PostgreSQL: who may publish and when, the audit, what the public reads (the same
// scores as the staff results, the disclosure rule, no question-level data, never an unpublished
// or withdrawn cycle), past years, the minute cache and the CSV. Answers go in through the surveys.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestDatabase, type TestDatabase } from '../../test/support/db.ts';
import { itaActors } from '../../test/support/ita.ts';
import type { AppError } from '../errors.ts';
import { translator } from '../i18n/messages.ts';
import type { StaffActor } from '../staff/session.ts';
import { closeCycle, openCycle } from './cycles.ts';
import { listFrameworks, loadShippedFramework } from './framework.ts';
import { PUBLISHED_CACHE_MS, publishedCsv, publishedResults, publishResults } from './publish.ts';
import { cycleResults, recordHistory } from './results.ts';
import {
  answerOptions,
  fieldOf,
  issueLinks,
  loadEitSurvey,
  loadIitSurvey,
  submitEit,
  submitIit,
  type Survey,
} from './surveys.ts';

const code = (want: string) => (e: unknown) => (e as AppError).code === want;
const FRAMEWORK = listFrameworks()[0];

describe('publishing ITA results', () => {
  let t: TestDatabase;
  const who: Record<string, StaffActor> = {};
  const ids: Record<string, number> = {};

  /** Respondent `n`'s answers: every question, the option n steps along its scale, so the scores are not all 100. */
  const fieldsOf = (survey: Survey, n: number) =>
    Object.fromEntries(
      survey.questions.map((q) => {
        const options = answerOptions(survey.scales[q.scale]);
        return [fieldOf(q.id), String(options[n % options.length].value)];
      }),
    );

  /** Opens a cycle of the admin's agency and answers it: `iit` staff through one-time links, `eit` stakeholders through the public code. */
  const answeredCycle = async (admin: string, fiscalYear: number, iit: number, eit: number) => {
    const cycle = await openCycle({
      db: t.db,
      actor: who[admin],
      fiscalYear,
      frameworkName: FRAMEWORK,
      staffCount: 20,
    });
    for (const [n, token] of (
      await issueLinks({ db: t.db, actor: who[admin], cycleId: cycle.id, count: iit })
    ).entries()) {
      await submitIit({
        db: t.db,
        survey: await loadIitSurvey(t.db, token),
        token,
        fields: fieldsOf(await loadIitSurvey(t.db, token), n),
      });
    }
    const eitSurvey = await loadEitSurvey(t.db, cycle.publicCode);
    for (let n = 0; n < eit; n++) await submitEit({ db: t.db, survey: eitSurvey, fields: fieldsOf(eitSurvey, n + 1) });
    return cycle.id;
  };
  const audits = (cycleId: number) =>
    t.db
      .selectFrom('audit_event')
      .select(['action', 'detail', 'actor_user_id'])
      .where('action', '=', 'ita_results_published')
      .orderBy('id')
      .execute()
      .then((rows) => rows.filter((r) => (r.detail as { cycleId: number }).cycleId === cycleId));
  const fresh = () => publishedResults({ db: t.db, now: Date.now() + 10 * PUBLISHED_CACHE_MS });

  before(async () => {
    t = await createTestDatabase(4);
    Object.assign(who, await itaActors(t.db));
    ids.full = await answeredCycle('admin@opdc.example', 2568, 6, 5);
    ids.few = await answeredCycle('admin@opdc.example', 2569, 6, 2);
    ids.unpublished = await answeredCycle('admin@opdc.example', 2567, 5, 5);
    ids.nacc = await answeredCycle('admin@nacc.example', 2568, 5, 5);
    await closeCycle({ db: t.db, actor: who['admin@nacc.example'], cycleId: ids.nacc });
  });
  after(() => t.drop());

  it('publishes only a closed cycle, for an administrator of its agency, audited once per change', async () => {
    await assert.rejects(
      publishResults({ db: t.db, actor: who['admin@opdc.example'], cycleId: ids.full, isPublished: true }),
      code('conflict'),
      'an open cycle',
    );
    await closeCycle({ db: t.db, actor: who['admin@opdc.example'], cycleId: ids.full });
    await assert.rejects(
      publishResults({ db: t.db, actor: who['assessor@opdc.example'], cycleId: ids.full, isPublished: true }),
      code('forbidden'),
    );
    await assert.rejects(
      publishResults({ db: t.db, actor: who['admin@nacc.example'], cycleId: ids.full, isPublished: true }),
      code('not_found'),
    );
    assert.equal(
      await publishResults({ db: t.db, actor: who['admin@opdc.example'], cycleId: ids.full, isPublished: true }),
      true,
    );
    assert.equal(
      await publishResults({ db: t.db, actor: who['admin@opdc.example'], cycleId: ids.full, isPublished: true }),
      false,
      'already published',
    );
    const rows = await audits(ids.full);
    assert.deepEqual(
      rows.map((r) => [r.detail, r.actor_user_id]),
      [[{ cycleId: ids.full, published: true }, who['admin@opdc.example'].id]],
    );
    const row = await t.db
      .selectFrom('ita_cycle')
      .select('published_at')
      .where('id', '=', ids.full)
      .executeTakeFirstOrThrow();
    assert.ok(row.published_at instanceof Date);
  });

  it('shows the public the staff page’s instrument and indicator scores, and nothing question-level', async () => {
    const agencies = await fresh();
    assert.deepEqual(
      agencies.map((a) => a.code),
      ['OPDC'],
      'NACC’s closed but unpublished cycle never appears',
    );
    const [opdc] = agencies;
    assert.deepEqual(
      opdc.years.map((y) => [y.fiscalYear, y.source]),
      [[2568, 'cycle']],
      'the unpublished 2567 and the open 2569 are left out',
    );
    const staff = await cycleResults({ db: t.db, actor: who['assessor@opdc.example'], cycleId: ids.full });
    assert.ok(staff.score.ita !== null);
    assert.deepEqual(
      opdc.latest.instruments,
      staff.score.instruments.map((i) => ({ code: i.code, score: i.score })),
    );
    assert.deepEqual(
      opdc.latest.indicators.map((i) => [i.number, i.score]),
      staff.score.indicators.map((i) => [i.number, i.score]),
    );
    assert.deepEqual(
      [opdc.latest.ita, opdc.latest.grade, opdc.latest.passed],
      [staff.score.ita, staff.score.grade, staff.score.passed],
    );
    const of = (c: string) => staff.score.instruments.find((i) => i.code === c)!.score;
    assert.deepEqual(opdc.years[0], {
      fiscalYear: 2568,
      iit: of('IIT'),
      eit: of('EIT'),
      oit: of('OIT'),
      ita: staff.score.ita,
      grade: staff.score.grade,
      source: 'cycle',
      withheld: [],
    });
    const json = JSON.stringify(agencies);
    const f = loadShippedFramework(FRAMEWORK);
    assert.ok(!f.questions.some((q) => json.includes(q.text.th)), 'no question text');
    assert.doesNotMatch(json, /"(questions|answered|counts|respondents|tallies)"/, 'no question scores or counts');
  });

  it('withholds a survey below the threshold, and the ITA with it, and shows recorded past years once something is published', async () => {
    await recordHistory({
      db: t.db,
      actor: who['admin@opdc.example'],
      input: { fiscalYear: '2563', iit: '80.79', eit: '84.47', oit: '97.50', ita: '' },
    });
    await recordHistory({
      db: t.db,
      actor: who['admin@nacc.example'],
      input: { fiscalYear: '2563', iit: '90', eit: '90', oit: '90', ita: '' },
    });
    await closeCycle({ db: t.db, actor: who['admin@opdc.example'], cycleId: ids.few });
    await publishResults({ db: t.db, actor: who['admin@opdc.example'], cycleId: ids.few, isPublished: true });
    const agencies = await fresh();
    assert.deepEqual(
      agencies.map((a) => a.code),
      ['OPDC'],
      'NACC’s recorded year alone publishes nothing',
    );
    const opdc = agencies[0];
    assert.deepEqual(
      opdc.years.map((y) => [y.fiscalYear, y.source]),
      [
        [2563, 'history'],
        [2568, 'cycle'],
        [2569, 'cycle'],
      ],
    );
    assert.deepEqual(opdc.years[0], {
      fiscalYear: 2563,
      iit: 8079,
      eit: 8447,
      oit: 9750,
      ita: 8858,
      grade: 'A',
      source: 'history',
      withheld: [],
    });
    const few = opdc.years[2];
    assert.deepEqual([few.eit, few.ita, few.grade, few.withheld], [null, null, null, ['EIT']]);
    assert.ok(few.iit !== null, 'the other survey is shown');
    assert.equal(opdc.latest.fiscalYear, 2569);
    assert.deepEqual([opdc.latest.ita, opdc.latest.passed, opdc.latest.withheld], [null, null, ['EIT']]);
    assert.ok(
      opdc.latest.indicators.filter((i) => i.instrument === 'EIT').every((i) => i.score === null && i.grade === null),
    );
  });

  it('drops a withdrawn cycle at once, and otherwise computes at most once a minute', async () => {
    const now = Date.now() + 100 * PUBLISHED_CACHE_MS;
    const first = publishedResults({ db: t.db, now });
    assert.equal(
      publishedResults({ db: t.db, now: now + PUBLISHED_CACHE_MS - 1 }),
      first,
      'the same computation within the minute',
    );
    assert.notEqual(publishedResults({ db: t.db, now: now + PUBLISHED_CACHE_MS }), first, 'a new one after it');
    assert.equal(
      await publishResults({ db: t.db, actor: who['admin@opdc.example'], cycleId: ids.few, isPublished: false }),
      true,
    );
    assert.deepEqual(
      (await audits(ids.few)).map((r) => r.detail),
      [
        { cycleId: ids.few, published: true },
        { cycleId: ids.few, published: false },
      ],
    );
    const after = await publishedResults({ db: t.db, now: now + PUBLISHED_CACHE_MS });
    assert.deepEqual(
      after[0].years.map((y) => y.fiscalYear),
      [2563, 2568],
      'withdrawn: gone, without waiting',
    );
    assert.equal(
      await publishResults({ db: t.db, actor: who['admin@opdc.example'], cycleId: ids.few, isPublished: false }),
      false,
      'withdrawing twice changes nothing',
    );
  });

  it('writes the CSV one row per agency and year, names safe from spreadsheets, withheld surveys noted', async () => {
    await t.db
      .updateTable('agency')
      .set({ name_en: '=HYPERLINK("http://evil.example")' })
      .where('code', '=', 'OPDC')
      .execute();
    await publishResults({ db: t.db, actor: who['admin@opdc.example'], cycleId: ids.few, isPublished: true });
    const csv = publishedCsv(await fresh(), 'en', translator('en'));
    const lines = csv.split('\r\n');
    assert.equal(lines[0], '\uFEFFagency code,agency,fiscal year (B.E.),IIT,EIT,OIT,ITA,grade,source,note');
    assert.equal(
      lines[1],
      `OPDC,"'=HYPERLINK(""http://evil.example"")",2563,80.79,84.47,97.50,88.58,A,As published by NACC,`,
    );
    assert.match(
      lines[3],
      /^OPDC,.*,2569,\d+\.\d\d,,\d+\.\d\d,,,Assessed here,EIT not shown: fewer respondents than the disclosure threshold$/,
    );
    assert.equal(lines.length, 5, 'three rows and the final line break');
  });
});
