// The datasets against hand counts of seeded cases in several agencies, the monthly release (files,
// digest in the ledger, refused edits, a quiet edit found), and the attacker on the released files:
// from every published table and the relations the data dictionary states (each group sums to the
// month's total; the permits' total is the cases' kind_permit), no empty cell is recovered.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { createTestApp, seedAgency, type TestApp } from '../../test/support/app.ts';
import { attack, type Relation } from '../../test/support/disclosure-attack.ts';
import { NOW, seedFixture } from '../../test/support/opendata.ts';
import { CASE_GROUPS } from './counts.ts';
import { datasets, registerDataset } from './datasets.ts';
import { THRESHOLD } from './disclosure.ts';
import { listReleases, loadRelease, readReleaseFile, releaseMonth, verifyReleases } from './release.ts';

type Rec = Record<string, string | number | null>;
const recordsOf = async (h: TestApp, id: string): Promise<Rec[]> =>
  (JSON.parse((await loadRelease(h.db, id, '2026-10')).json.toString('utf8')) as { records: Rec[] }).records;

describe('open datasets', () => {
  let h: TestApp;
  let released: string[];
  before(async () => {
    h = await createTestApp();
    for (const code of ['LOCAL1', 'LOCAL2', 'CENT1', 'EMPTY']) await seedAgency(h.db, code);
    await seedFixture(h.db);
    await h.sequence();
    released = await releaseMonth({ db: h.db, now: NOW });
  });
  after(() => h.close());

  it('releases every registered dataset once for the last complete month', async () => {
    assert.deepEqual(
      released.sort(),
      datasets()
        .map((d) => d.id)
        .sort(),
    );
    assert.deepEqual(await releaseMonth({ db: h.db, now: NOW }), [], 'a second run releases nothing');
    await assert.rejects(releaseMonth({ db: h.db, month: '2026-11', now: NOW }), /not over/);
    await assert.rejects(releaseMonth({ db: h.db, month: '2026-13', now: NOW }), /YYYY-MM/);
    assert.equal((await listReleases(h.db)).length, datasets().length);
  });

  it('complaints and tips: the hand counts, with the small counts and their complements left empty', async () => {
    const rows = await recordsOf(h, 'complaints-and-tips');
    const of = (code: string) => rows.find((r) => r.agency_code === code) as Rec;
    assert.equal(rows.length, 3, 'one row per agency and month with cases; the empty agency has none');
    const l1 = of('LOCAL1');
    assert.deepEqual(
      [l1.month, l1.agency_type, l1.province, l1.received, l1.kind_tip, l1.kind_complaint, l1.kind_permit],
      ['2026-10', 'local', 'เชียงใหม่', 20, 8, 12, 0],
    );
    assert.deepEqual([l1.channel_web, l1.channel_line, l1.category_service_delay, l1.category_bribery], [12, 8, 12, 8]);
    assert.deepEqual(
      [l1.state_new, l1.state_in_progress, l1.state_closed_resolved],
      [null, null, 10],
      '2 new: hidden with the 8 in progress',
    );
    assert.deepEqual([l1.ack_on_time, l1.ack_late, l1.ack_waiting, l1.ack_overdue], [10, null, null, 0]);
    assert.deepEqual([l1.reply_on_time, l1.reply_late, l1.reply_waiting, l1.reply_overdue], [10, 0, 10, 0]);
    assert.deepEqual([l1.done_on_time, l1.done_waiting], [10, 10]);
    assert.deepEqual(
      [l1.median_days_ack, l1.median_days_reply, l1.median_days_done],
      [null, 3, 20],
      'no median beside a hidden count',
    );
    const l2 = of('LOCAL2');
    assert.equal(l2.received, null, 'three cases: every count hidden');
    assert.ok(
      Object.entries(l2).every(([k, v]) => !/^(kind|channel|category|state)_/.test(k) || v === null || v === 0),
    );
    const c1 = of('CENT1');
    assert.deepEqual([c1.received, c1.kind_complaint, c1.kind_permit, c1.state_new], [9, null, null, 9]);
  });

  it('late permits and ratings: the hand counts; the permits total shares the cases kind_permit suppression', async () => {
    const permits = await recordsOf(h, 'late-permits');
    assert.deepEqual(
      permits.map((r) => [r.agency_code, r.received, r.approved_on_time, r.pending_late]),
      [['CENT1', null, null, 0]],
    );
    const ratings = await recordsOf(h, 'ratings');
    assert.deepEqual(
      ratings.map((r) => [r.agency_code, r.received, r.score_4, r.score_5, r.score_1]),
      [['LOCAL1', 6, null, null, 0]],
    );
  });

  it('no published count from 1 to 4, and no free text or day in any table', async () => {
    for (const id of ['complaints-and-tips', 'late-permits', 'ratings']) {
      for (const r of await recordsOf(h, id))
        for (const [k, v] of Object.entries(r)) {
          if (typeof v === 'number' && !k.startsWith('median'))
            assert.ok(v === 0 || v >= THRESHOLD, `${id} ${k} = ${v}`);
          if (k === 'month') assert.match(String(v), /^\d{4}-\d{2}$/);
        }
    }
  });

  it('the attacker recovers no empty cell from every table and the relations between them', async () => {
    const cases = await recordsOf(h, 'complaints-and-tips');
    const permits = await recordsOf(h, 'late-permits');
    const ratings = await recordsOf(h, 'ratings');
    const relations: Relation[] = [];
    const cell = (table: string, r: Rec, k: string, coef: number) => ({
      name: `${table}/${r.agency_code}/${r.month}/${k}`,
      value: r[k] as number | null,
      coef,
    });
    for (const r of cases)
      for (const g of CASE_GROUPS)
        relations.push({ cells: [...g.columns.map((c) => cell('cases', r, c, 1)), cell('cases', r, 'received', -1)] });
    for (const r of permits) {
      const cols = [
        'approved_on_time',
        'approved_late',
        'rejected_on_time',
        'rejected_late',
        'pending_in_time',
        'pending_late',
      ];
      relations.push({ cells: [...cols.map((c) => cell('permits', r, c, 1)), cell('permits', r, 'received', -1)] });
      const c = cases.find((x) => x.agency_code === r.agency_code && x.month === r.month) as Rec;
      relations.push({ cells: [cell('permits', r, 'received', 1), cell('cases', c, 'kind_permit', -1)] });
    }
    for (const r of ratings)
      relations.push({
        cells: [1, 2, 3, 4, 5]
          .map((s) => cell('ratings', r, `score_${s}`, 1))
          .concat(cell('ratings', r, 'received', -1)),
      });
    assert.ok(
      relations.some((r) => r.cells.some((c) => c.value === null)),
      'something is hidden',
    );
    assert.deepEqual([...attack(relations)], []);
  });

  it('files: CSV in UTF-8 with a byte order mark and CRLF, JSON records; the digest is in the ledger', async () => {
    const r = await loadRelease(h.db, 'complaints-and-tips');
    assert.equal(r.month, '2026-10');
    assert.deepEqual([...r.csv.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    const text = r.csv.toString('utf8');
    assert.match(text, /^\uFEFFmonth,agency_code,agency_name_th,/);
    assert.match(text, /\r\n2026-10,LOCAL1,หน่วยงาน LOCAL1,Agency LOCAL1,local,กระทรวงมหาดไทย,เชียงใหม่,20,8,12,0,/);
    await h.sequence();
    const checks = await verifyReleases(h.db);
    assert.equal(checks.length, datasets().length);
    assert.ok(
      checks.every((c) => c.inLog),
      'every release is in the log once sequenced',
    );
  });

  it('refuses to rewrite a release, and finds a quiet edit made around the database rule', async () => {
    await assert.rejects(
      h.db
        .updateTable('dataset_release')
        .set({ csv: Buffer.from('x') })
        .where('dataset', '=', 'ratings')
        .execute(),
      /immutable/,
    );
    await assert.rejects(h.db.deleteFrom('dataset_release').where('dataset', '=', 'ratings').execute(), /immutable/);
    await sql`alter table dataset_release disable trigger dataset_release_immutable`.execute(h.db);
    await sql`update dataset_release set csv = convert_to(replace(convert_from(csv, 'UTF8'), ',6,', ',60,'), 'UTF8') where dataset = 'ratings'`.execute(
      h.db,
    );
    await sql`alter table dataset_release enable trigger dataset_release_immutable`.execute(h.db);
    await assert.rejects(verifyReleases(h.db), /ratings 2026-10: the files do not match the ledger entry/);
  });

  it('a module registers its own dataset; a bad or repeated id is refused', () => {
    const def = datasets()[0];
    assert.throws(() => registerDataset({ ...def }), /registered twice/);
    assert.throws(() => registerDataset({ ...def, id: 'Bad Id' }), /lower-case/);
  });
  it('reads a release file in pieces exactly as stored (a national release is larger than one string)', async () => {
    const stored = await h.db
      .selectFrom('dataset_release')
      .select(['csv', 'json', 'sha256'])
      .where('dataset', '=', 'complaints-and-tips')
      .where('month', '=', '2026-10')
      .executeTakeFirstOrThrow();
    for (const chunk of [1, 97, stored.json.length, 1 << 20]) {
      const json = await readReleaseFile(h.db, 'complaints-and-tips', '2026-10', 'json', stored.json.length, chunk);
      assert.ok(json.equals(stored.json), `json in pieces of ${chunk}`);
    }
    const csv = await readReleaseFile(h.db, 'complaints-and-tips', '2026-10', 'csv', stored.csv.length, 1000);
    assert.equal(createHash('sha256').update(csv).digest('hex'), stored.sha256.toString('hex'));
    await assert.rejects(
      readReleaseFile(h.db, 'complaints-and-tips', '1999-01', 'csv', 10, 5),
      /no such dataset release/,
    );
  });
});
