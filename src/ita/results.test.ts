// Results of a cycle on real PostgreSQL: known answer counts and verdicts give known scores, the
// disclosure threshold withholds a survey's scores (and the total), weakest first, year over year
// with recorded earlier years (seed 004), recording those years, and the CSV.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { itaActors } from '../../test/support/ita.ts';
import { createTestDatabase, type TestDatabase } from '../../test/support/db.ts';
import type { AppError } from '../errors.ts';
import { translator } from '../i18n/messages.ts';
import type { StaffActor } from '../staff/session.ts';
import { cycleOf, type Cycle } from './cycles.ts';
import { cycleResults, loadAnswers, parseScore, recordHistory, resultsCsv, weightedIta, withhold } from './results.ts';
import type { Framework, ScoreResult } from './types.ts';

const code = (want: string) => (e: unknown) => (e as AppError).code === want;
const text = (s: string) => ({ th: s, en: s });

/** A small framework, already in the validated shape (basis points, hundredths), so the expected scores can be worked by hand. */
const TINY: Framework = {
  format: 'sujarit-ita-framework/1',
  fiscalYear: 2566,
  title: text('tiny'),
  instruments: [
    { code: 'IIT', name: text('Internal'), weight: 3000, minSample: { atLeast: 1, share: 0 } },
    { code: 'EIT', name: text('External'), weight: 3000, minSample: { atLeast: 1, share: 0 } },
    { code: 'OIT', name: text('Open data'), weight: 4000 },
  ],
  indicators: [
    { number: 1, instrument: 'IIT', name: text('Duty'), weight: 10000 },
    { number: 2, instrument: 'EIT', name: text('Service'), weight: 10000 },
    { number: 3, instrument: 'OIT', name: text('Disclosure'), weight: 10000 },
  ],
  scales: {
    four: {
      kind: 'levels',
      points: [0, 3333, 6667, 10000],
      labels: [text('none'), text('little'), text('much'), text('most')],
    },
    yesno: { kind: 'yesno', yes: 10000, no: 0, labels: { yes: text('yes'), no: text('no') } },
  },
  questions: [
    { id: 'i1', indicator: 1, scale: 'four', text: text('=HYPERLINK("http://x.example","duty")'), reverse: false },
    { id: 'i2', indicator: 1, scale: 'yesno', text: text('Were you asked for a bribe?'), reverse: true },
    { id: 'e1', indicator: 2, scale: 'four', text: text('Service was fair'), reverse: false },
  ],
  checklist: ['o1', 'o2', 'o3', 'o4'].map((id) => ({ id, indicator: 3, group: text('9.1'), text: text(`item ${id}`) })),
  grades: [
    { grade: 'AA', min: 9500 },
    { grade: 'A', min: 8500 },
    { grade: 'B', min: 7500 },
    { grade: 'C', min: 6500 },
    { grade: 'D', min: 5500 },
    { grade: 'E', min: 5000 },
    { grade: 'F', min: 0 },
  ],
  passMark: 8500,
  disclosureThreshold: 5,
};

/** Answer counts worked by hand: i1 (6×4, 4×3) → 86.67; i2 reverse (1 yes, 9 no) → 90.00; indicator 1 → 88.34 (half up); e1 (3×4, 2×2) → 73.33; OIT 3 of 4 → 75.00; ITA 0.3·88.34 + 0.3·73.33 + 0.4·75 = 78.501 → 78.50, B. */
const TALLIES: [string, number, number][] = [
  ['i1', 4, 6],
  ['i1', 3, 4],
  ['i2', 1, 1],
  ['i2', 0, 9],
  ['e1', 4, 3],
  ['e1', 2, 2],
];

describe('ITA results', () => {
  let t: TestDatabase;
  const who: Record<string, StaffActor> = {};

  /** A cycle of `agency` with the tiny framework, the counts above and `eit` completed external questionnaires. */
  const seedCycle = async (agencyEmail: string, fiscalYear: number, eit = 5): Promise<Cycle> => {
    const a = who[agencyEmail];
    const row = await t.db
      .insertInto('ita_cycle')
      .values({
        agency_id: a.agencyId!,
        fiscal_year: fiscalYear,
        framework_name: 'tiny',
        framework: JSON.stringify(TINY),
        public_code: `c${fiscalYear}${a.agencyId}`,
        staff_count: 10,
        iit_responses: 10,
        eit_responses: eit,
        opened_by: a.id,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await t.db
      .insertInto('ita_tally')
      .values(TALLIES.map(([q, answer, count]) => ({ cycle_id: row.id, question_id: q, answer, count })))
      .execute();
    await t.db
      .insertInto('ita_oit_item')
      .values(
        ['o1', 'o2', 'o3', 'o4'].map((id, i) => ({
          cycle_id: row.id,
          item_id: id,
          verdict: i < 3 ? ('yes' as const) : ('no' as const),
        })),
      )
      .execute();
    return cycleOf(row);
  };

  before(async () => {
    t = await createTestDatabase(4);
    Object.assign(who, await itaActors(t.db));
  });
  after(() => t.drop());

  it('reads the answer counts, the respondents and the verdicts of the cycle only', async () => {
    const c = await seedCycle('admin@opdc.example', 2560);
    await seedCycle('admin@nacc.example', 2560);
    const a = await loadAnswers(t.db, c);
    assert.deepEqual([...a.tallies.get('i1')!].sort(), [
      [3, 4],
      [4, 6],
    ]);
    assert.deepEqual(a.respondents, { IIT: 10, EIT: 5 });
    assert.deepEqual([...a.verdicts].sort(), [
      ['o1', true],
      ['o2', true],
      ['o3', true],
      ['o4', false],
    ]);
  });

  it('scores known counts to known scores, weakest first, and lists what is not disclosed', async () => {
    const c = await seedCycle('admin@opdc.example', 2561);
    const r = await cycleResults({ db: t.db, actor: who['assessor@opdc.example'], cycleId: c.id });
    assert.deepEqual(
      r.score.questions.map((q) => [q.id, q.score, q.answered]),
      [
        ['i1', 8667, 10],
        ['i2', 9000, 10],
        ['e1', 7333, 5],
      ],
    );
    assert.deepEqual(
      r.score.indicators.map((i) => i.score),
      [8834, 7333, 7500],
    );
    assert.deepEqual(
      r.score.instruments.map((i) => i.score),
      [8834, 7333, 7500],
    );
    assert.equal(r.score.ita, 7850);
    assert.equal(r.score.grade, 'B');
    assert.equal(r.score.passed, false);
    assert.deepEqual(
      r.weakestIndicators.map((i) => i.number),
      [2, 3, 1],
    );
    assert.deepEqual(
      r.weakestQuestions.map((q) => q.id),
      ['e1', 'i1', 'i2'],
    );
    assert.deepEqual(r.weakestQuestions[0].counts, [
      { answer: 2, count: 2 },
      { answer: 4, count: 3 },
    ]);
    assert.deepEqual(
      r.undisclosedItems.map((i) => i.id),
      ['o4'],
    );
    assert.ok(r.disclosure.every((d) => d.isDisclosed));
  });

  it('withholds a survey below the disclosure threshold: its scores, its questions and the total', async () => {
    const c = await seedCycle('admin@opdc.example', 2562, 4);
    const r = await cycleResults({ db: t.db, actor: who['admin@opdc.example'], cycleId: c.id });
    assert.deepEqual(
      r.disclosure.map((d) => [d.instrument, d.responses, d.threshold, d.isDisclosed]),
      [
        ['IIT', 10, 5, true],
        ['EIT', 4, 5, false],
      ],
    );
    assert.equal(r.score.instruments.find((i) => i.code === 'EIT')!.score, null);
    assert.equal(r.score.indicators.find((i) => i.number === 2)!.score, null);
    assert.deepEqual(
      r.score.questions.map((q) => q.id),
      ['i1', 'i2'],
      'the withheld survey’s questions are left out',
    );
    assert.ok(!r.weakestQuestions.some((q) => q.id === 'e1'));
    assert.deepEqual(
      [r.score.ita, r.score.grade, r.score.passed],
      [null, null, null],
      'a total would give the withheld score away',
    );
    assert.equal(r.score.instruments.find((i) => i.code === 'IIT')!.score, 8834, 'the other survey is still shown');
    const csv = resultsCsv(r, 'en', translator('en'));
    assert.doesNotMatch(csv, /e1|73\.33|78\.50/);
    assert.match(csv, /instrument,EIT,External,,4,not enough answers yet: 4 of 5 needed/);
  });

  it('withhold is pure and leaves a fully disclosed result as it is', () => {
    const s: ScoreResult = {
      questions: [],
      checklist: [],
      indicators: [{ number: 1, instrument: 'IIT', score: 5000 }],
      instruments: [{ code: 'IIT', score: 5000, respondents: 3 }],
      ita: 5000,
      grade: 'E',
      passed: false,
    };
    assert.equal(withhold(TINY, s, new Set()), s);
    const w = withhold(TINY, s, new Set(['IIT']));
    assert.equal(w.indicators[0].score, null);
    assert.equal(s.indicators[0].score, 5000, 'the input is not changed');
  });

  it('builds the year-over-year rows from recorded years and computed cycles, the cycle winning (seed 004)', async () => {
    const admin = who['admin@opdc.example'];
    const y2563 = await recordHistory({
      db: t.db,
      actor: admin,
      input: { fiscalYear: '2563', iit: '80.79', eit: '84.47', oit: '97.50', ita: '' },
    });
    assert.equal(y2563.ita, 8858, 'computed with the newest framework’s weights 0.30/0.30/0.40');
    await recordHistory({
      db: t.db,
      actor: admin,
      input: { fiscalYear: '2564', iit: '83.41', eit: '92.21', oit: '100', ita: '92.69' },
    });
    await recordHistory({
      db: t.db,
      actor: admin,
      input: { fiscalYear: '2566', iit: '1', eit: '1', oit: '1', ita: '1' },
    });
    await recordHistory({
      db: t.db,
      actor: who['admin@nacc.example'],
      input: { fiscalYear: '2559', iit: '50', eit: '50', oit: '50', ita: '' },
    });
    const c = await seedCycle('admin@opdc.example', 2566);
    const r = await cycleResults({ db: t.db, actor: admin, cycleId: c.id });
    const row = (y: number) => r.years.find((x) => x.fiscalYear === y)!;
    const years = r.years.map((y) => y.fiscalYear);
    assert.deepEqual(years, [...years].sort(), 'oldest first');
    assert.deepEqual(
      years.filter((y) => y >= 2563),
      [2563, 2564, 2566],
    );
    assert.ok(!years.includes(2559), 'another agency’s years are not here');
    assert.deepEqual(row(2563), {
      fiscalYear: 2563,
      iit: 8079,
      eit: 8447,
      oit: 9750,
      ita: 8858,
      grade: 'A',
      source: 'history',
    });
    assert.deepEqual(row(2564), {
      fiscalYear: 2564,
      iit: 8341,
      eit: 9221,
      oit: 10000,
      ita: 9269,
      grade: 'A',
      source: 'history',
    });
    assert.deepEqual(row(2566), {
      fiscalYear: 2566,
      iit: 8834,
      eit: 7333,
      oit: 7500,
      ita: 7850,
      grade: 'B',
      source: 'cycle',
    });
    const few = await seedCycle('admin@opdc.example', 2565, 4);
    const again = await cycleResults({ db: t.db, actor: admin, cycleId: c.id });
    assert.deepEqual(
      again.years.find((y) => y.fiscalYear === few.fiscalYear),
      { fiscalYear: 2565, iit: 8834, eit: null, oit: 7500, ita: null, grade: null, source: 'cycle' },
      'a withheld survey stays withheld in another year’s row',
    );
    assert.equal(weightedIta({ IIT: 8341, EIT: 9221, OIT: 10000 }, { IIT: 3000, EIT: 3000, OIT: 4000 }), 9269);
  });

  it('refuses malformed scores and years with every field at fault, and anyone but the agency administrator', async () => {
    const admin = who['admin@opdc.example'];
    await assert.rejects(
      recordHistory({
        db: t.db,
        actor: admin,
        input: { fiscalYear: '2563x', iit: '83.411', eit: '101', oit: '-1', ita: '1e2' },
      }),
      (e: AppError) => {
        assert.deepEqual(Object.keys(e.fields).sort(), ['eit', 'fiscalYear', 'iit', 'ita', 'oit']);
        return e.code === 'invalid_input';
      },
    );
    await assert.rejects(
      recordHistory({ db: t.db, actor: admin, input: { fiscalYear: '2563', iit: '', eit: '', oit: '', ita: '' } }),
      (e: AppError) => e.fields.iit === 'ita.history.error.score_none',
    );
    await assert.rejects(
      recordHistory({ db: t.db, actor: admin, input: { fiscalYear: '1999', iit: '50', eit: '', oit: '', ita: '' } }),
      (e: AppError) => e.fields.fiscalYear === 'ita.error.fiscal_year',
    );
    for (const email of ['assessor@opdc.example', 'inv@opdc.example']) {
      await assert.rejects(
        recordHistory({
          db: t.db,
          actor: who[email],
          input: { fiscalYear: '2550', iit: '50', eit: '50', oit: '50', ita: '' },
        }),
        code('forbidden'),
        email,
      );
    }
    assert.equal(
      await t.db.selectFrom('ita_history').select('fiscal_year').where('fiscal_year', '=', 2550).executeTakeFirst(),
      undefined,
    );
    const audit = await t.db
      .selectFrom('audit_event')
      .select(['action', 'detail'])
      .where('action', '=', 'ita_history_recorded')
      .orderBy('id')
      .execute();
    assert.ok(
      audit.some(
        (a) =>
          (a.detail as Record<string, unknown>).fiscalYear === 2563 &&
          (a.detail as Record<string, unknown>).isItaComputed === true,
      ),
      'audited',
    );
  });

  it('parses scores strictly', () => {
    for (const [raw, want] of [
      ['83.41', 8341],
      [' 100 ', 10000],
      ['0.5', 50],
      ['', null],
      ['100.01', undefined],
      ['83,41', undefined],
      ['+1', undefined],
      ['1e2', undefined],
      ['.5', undefined],
    ] as const) {
      assert.equal(parseScore(raw), want, raw);
    }
    assert.equal(parseScore(83), undefined);
  });

  it('answers not found for a cycle of another agency and forbidden for an investigator', async () => {
    const nacc = await seedCycle('admin@nacc.example', 2567);
    await assert.rejects(
      cycleResults({ db: t.db, actor: who['admin@opdc.example'], cycleId: nacc.id }),
      code('not_found'),
    );
    await assert.rejects(
      cycleResults({ db: t.db, actor: who['inv@opdc.example'], cycleId: nacc.id }),
      code('forbidden'),
    );
  });

  it('exports CSV with scores as 83.41 and formula-like texts neutralised', async () => {
    const c = await seedCycle('admin@opdc.example', 2568);
    const csv = resultsCsv(
      await cycleResults({ db: t.db, actor: who['admin@opdc.example'], cycleId: c.id }),
      'en',
      translator('en'),
    );
    const lines = csv
      .replace(/^\uFEFF/, '')
      .trimEnd()
      .split('\r\n');
    assert.equal(lines[0], 'level,id,name,score,answered,note');
    assert.ok(lines.includes('ita,ITA,"ITA score (weighted, 3 instruments)",78.50,,B'), lines[1]);
    assert.ok(lines.includes('indicator,1,Duty,88.34,,'));
    assert.ok(
      lines.some((l) => l.startsWith(`question,i1,"'=HYPERLINK(`)),
      'a formula is prefixed with a quote',
    );
    assert.ok(!lines.some((l) => /,=HYPERLINK|^=/.test(l)));
  });
});
