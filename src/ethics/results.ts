// The results of an agency's ethics courses, for its ethics officers (issue 18, item 2's pages):
// completion and pass rates (per agency, and per unit of the staff member: staff/units.ts), learning gain
// per person and per course (post − pre, and the normalised gain (post − pre) / (max − pre) with
// max 100 %), and Moodle's item analysis of each test's items (src/ethics/item-analysis.ts). Scores
// are percentages; the post-test score is the course grade by its grading method. CSV export audited.
import { recordAudit } from '../audit/record-audit.ts';
import { csvField } from '../cases/export.ts';
import type { Db } from '../db/connection.ts';
import { translator } from '../i18n/messages.ts';
import type { StaffActor } from '../staff/session.ts';
import { type Unit, unitsOf } from '../staff/units.ts';
import { writerAgency } from './courses.ts';
import { courseGain, gradedAttempts, type ItemStat, itemAnalysis, learningGain } from './item-analysis.ts';
import { courseGrade, isPass, type GradingMethod } from './rules.ts';

export type PersonResult = {
  userId: number;
  name: string;
  email: string;
  pre: number | null;
  post: number | null;
  attempts: number;
  passed: boolean;
  gain: number | null;
  normalised: number | null;
};

/** Completion and pass rates of the staff of one unit (`unit` null: the staff with no unit). */
export type UnitRates = {
  unit: Pick<Unit, 'id' | 'code' | 'nameTh' | 'nameEn'> | null;
  staff: number;
  completed: number;
  passed: number;
  completionRate: number | null;
  passRate: number | null;
};

export type ItemRow = ItemStat & { test: 'pre' | 'post'; position: number; stemTh: string; stemEn: string };

export type CourseResults = {
  course: { id: number; title_th: string; title_en: string; pass_mark: number; grading: GradingMethod };
  staff: number;
  started: number;
  completed: number;
  passed: number;
  completionRate: number | null;
  passRate: number | null;
  meanPre: number | null;
  meanPost: number | null;
  meanGain: number | null;
  /** Hake's class-average normalised gain: from the mean pre and post scores of those with both. */
  normalisedGain: number | null;
  /** The mean of the people's own normalised gains (those whose pre-test was below 100 %). */
  meanNormalised: number | null;
  /** The rates by the staff member's unit: each unit with staff, in the units' order, then "no unit". */
  units: UnitRates[];
  people: PersonResult[];
  items: ItemRow[];
};

const rate = (n: number, of: number) => (of > 0 ? n / of : null);

/**
 * The completion and pass rates per unit, as the agency's are counted: of the unit's active staff,
 * those who took the post-test, and those who passed. A unit without staff has no row.
 */
export function unitRates(
  people: readonly { id: number; unit_id: number | null }[],
  results: readonly PersonResult[],
  units: readonly Unit[],
): UnitRates[] {
  const byUser = new Map(results.map((r) => [r.userId, r]));
  const of = (unitId: number | null): UnitRates | null => {
    const staff = people.filter((p) => p.unit_id === unitId);
    if (staff.length === 0) return null;
    const mine = staff.flatMap((p) => byUser.get(p.id) ?? []);
    const completed = mine.filter((r) => r.attempts > 0).length;
    const passed = mine.filter((r) => r.passed).length;
    const u = units.find((x) => x.id === unitId);
    return {
      unit: u ? { id: u.id, code: u.code, nameTh: u.nameTh, nameEn: u.nameEn } : null,
      staff: staff.length,
      completed,
      passed,
      completionRate: rate(completed, staff.length),
      passRate: rate(passed, staff.length),
    };
  };
  // a unit id no unit of the list has (none: the schema's keys) would count as "no unit" nowhere
  return [...units.map((u) => of(u.id)), of(null)].filter((r): r is UnitRates => r !== null);
}

function personResults(
  attempts: { user_id: number; test: string; percent: string | null }[],
  people: { id: number; display_name: string; email: string }[],
  grading: GradingMethod,
  passMark: number,
): PersonResult[] {
  return people
    .map((p) => {
      const mine = attempts.filter((a) => a.user_id === p.id);
      const preRow = mine.find((a) => a.test === 'pre');
      const posts = mine.filter((a) => a.test === 'post').map((a) => Number(a.percent));
      const pre = preRow ? Number(preRow.percent) : null;
      const post = courseGrade(grading, posts);
      const g = pre !== null && post !== null ? learningGain(pre, post, 100) : null;
      return {
        userId: p.id,
        name: p.display_name,
        email: p.email,
        pre,
        post,
        attempts: posts.length,
        passed: isPass(post, passMark),
        gain: g?.gain ?? null,
        normalised: g?.normalised ?? null,
      };
    })
    .filter((r) => r.pre !== null || r.attempts > 0);
}

/**
 * Item analysis of each test over the attempts that count, as Moodle's statistics report selects
 * them by the quiz's grading method (gradedAttempts): the one pre-test attempt of each person; of
 * the post-test, each person's attempts that make their grade.
 */
async function itemRows(db: Db, courseId: number, grading: GradingMethod): Promise<ItemRow[]> {
  const out: ItemRow[] = [];
  for (const test of ['pre', 'post'] as const) {
    const items = await db
      .selectFrom('ethics_test_item as t')
      .innerJoin('ethics_item as i', 'i.id', 't.item_id')
      .select(['t.position', 'i.stem_th', 'i.stem_en'])
      .where('t.course_id', '=', courseId)
      .where('t.test', '=', test)
      .orderBy('t.position')
      .execute();
    const attempts = await db
      .selectFrom('ethics_attempt')
      .select(['user_id', 'item_scores', 'percent'])
      .where('course_id', '=', courseId)
      .where('test', '=', test)
      .where('submitted_at', 'is not', null)
      .orderBy('user_id')
      .orderBy('number')
      .execute();
    const byUser = Map.groupBy(attempts, (a) => a.user_id);
    const counted = [...byUser.values()].flatMap((list) => gradedAttempts(list, (a) => Number(a.percent), grading));
    const maxMarks = items.map(() => 1);
    const stats = counted.length
      ? itemAnalysis(counted.map((a) => ({ itemScores: items.map((_, k) => a.item_scores?.[k] ?? null), maxMarks })))
      : [];
    items.forEach((it, k) => {
      const st = stats[k];
      if (st) out.push({ ...st, test, position: it.position, stemTh: it.stem_th, stemEn: it.stem_en });
    });
  }
  return out;
}

/** The results of every course of the actor's agency (ethics officers). */
export async function courseResults(db: Db, actor: StaffActor): Promise<CourseResults[]> {
  const agencyId = writerAgency(actor);
  const [courses, people, units] = await Promise.all([
    db
      .selectFrom('ethics_course')
      .select(['id', 'title_th', 'title_en', 'pass_mark', 'grading'])
      .where('agency_id', '=', agencyId)
      .where('state', '=', 'published')
      .orderBy('id')
      .execute(),
    db
      .selectFrom('staff_user')
      .select(['id', 'display_name', 'email', 'unit_id'])
      .where('agency_id', '=', agencyId)
      .where('is_active', '=', true)
      .orderBy('id')
      .execute(),
    unitsOf(db, agencyId),
  ]);
  return Promise.all(
    courses.map(async (course) => {
      const attempts = await db
        .selectFrom('ethics_attempt')
        .select(['user_id', 'test', 'percent'])
        .where('course_id', '=', course.id)
        .where('submitted_at', 'is not', null)
        .orderBy('number')
        .execute();
      const rows = personResults(attempts, people, course.grading, course.pass_mark);
      const gain = courseGain(
        rows.flatMap((r) => (r.pre !== null && r.post !== null ? [{ pre: r.pre, post: r.post }] : [])),
        100,
      );
      const completed = rows.filter((r) => r.attempts > 0).length;
      const passed = rows.filter((r) => r.passed).length;
      return {
        course,
        staff: people.length,
        started: rows.length,
        completed,
        passed,
        completionRate: rate(completed, people.length),
        passRate: rate(passed, people.length),
        meanPre: gain.meanPre,
        meanPost: gain.meanPost,
        meanGain: gain.meanGain,
        normalisedGain: gain.classNormalised,
        meanNormalised: gain.meanNormalised,
        units: unitRates(people, rows, units),
        people: rows,
        items: await itemRows(db, course.id, course.grading),
      };
    }),
  );
}

const num = (v: number | null, digits = 2) => (v === null ? '' : v.toFixed(digits));

/** The results as CSV (UTF-8 with a byte order mark, CRLF): one row per person and course, then one per item. Audited. */
export async function resultsCsv(db: Db, actor: StaffActor): Promise<string> {
  const results = await courseResults(db, actor);
  const lines: string[][] = [
    ['course', 'name', 'email', 'pre_percent', 'post_percent', 'post_attempts', 'passed', 'gain', 'normalised_gain'],
  ];
  for (const r of results)
    for (const p of r.people)
      lines.push([
        r.course.title_th,
        p.name,
        p.email,
        num(p.pre),
        num(p.post),
        String(p.attempts),
        p.passed ? 'yes' : 'no',
        num(p.gain),
        num(p.normalised, 4),
      ]);
  lines.push([]);
  lines.push([
    'course',
    'test',
    'position',
    'item',
    'attempts',
    'facility_percent',
    'sd_percent',
    'discrimination_index',
    'discriminative_efficiency',
  ]);
  for (const r of results)
    for (const i of r.items)
      lines.push([
        r.course.title_th,
        i.test,
        String(i.position),
        i.stemTh,
        String(i.attempts),
        num(i.facility === null ? null : i.facility * 100),
        num(i.sd === null ? null : (i.sd / (i.maxMark || 1)) * 100),
        num(i.discriminationIndex),
        num(i.discriminativeEfficiency),
      ]);
  lines.push([]);
  lines.push(['course', 'unit_code', 'unit_name', 'staff', 'completed', 'passed', 'completion_rate', 'pass_rate']);
  for (const r of results)
    for (const u of r.units)
      lines.push([
        r.course.title_th,
        u.unit?.code ?? '',
        u.unit?.nameTh ?? translator('th')('ethics.results.no_unit'),
        String(u.staff),
        String(u.completed),
        String(u.passed),
        num(u.completionRate, 4),
        num(u.passRate, 4),
      ]);
  await recordAudit(db, {
    actorUserId: actor.id,
    action: 'ethics_results_exported',
    detail: { courses: results.length },
  });
  return `\uFEFF${lines.map((l) => l.map(csvField).join(',')).join('\r\n')}\r\n`;
}
