// Taking a course (any staff member of the agency): the published courses and where the learner
// stands, the pre-test (one attempt), the lessons, the post-test under the course's attempt rules,
// answers kept question by question, and a submission that happens once however often it is posted.
// An attempt of someone else, or a course of another agency or still in draft, is not found.
import { sql } from 'kysely';
import { recordAudit } from '../audit/record-audit.ts';
import type { Db } from '../db/connection.ts';
import { AppError } from '../errors.ts';
import type { StaffActor } from '../staff/session.ts';
import { notFound } from './courses.ts';
import { lessonsRead, markLessonRead } from './daily.ts';
import { attemptPercent, courseGrade, isPass, markItem, mayStartAttempt, type AttemptRules } from './rules.ts';

export type TestKind = 'pre' | 'post';
export const isTestKind = (v: unknown): v is TestKind => v === 'pre' || v === 'post';

/**
 * One learner's starts and certificates of one course, one at a time (the two-key advisory locks,
 * a key space apart from src/db/locks.ts's single keys).
 */
export async function lockLearner(db: Db, courseId: number, userId: number): Promise<void> {
  await sql`select pg_advisory_xact_lock(${courseId}::int, ${userId}::int)`.execute(db);
}

/** A published course of the actor's agency; not found otherwise. */
export async function publishedCourse(db: Db, actor: StaffActor, courseId: number) {
  if (!Number.isSafeInteger(courseId) || courseId <= 0 || actor.agencyId === null) throw notFound();
  const row = await db.selectFrom('ethics_course').selectAll().where('id', '=', courseId).executeTakeFirst();
  if (!row || row.agency_id !== actor.agencyId || row.state !== 'published') throw notFound();
  return row;
}

export const rulesOf = (c: {
  attempts_allowed: number;
  delay_minutes: number;
  grading: AttemptRules['grading'];
  pass_mark: number;
}): AttemptRules => ({
  attemptsAllowed: c.attempts_allowed,
  delayMinutes: c.delay_minutes,
  grading: c.grading,
  passMark: c.pass_mark,
});

async function attemptsOf(db: Db, userId: number, courseId: number) {
  return db
    .selectFrom('ethics_attempt')
    .select(['id', 'test', 'number', 'submitted_at', 'percent'])
    .where('course_id', '=', courseId)
    .where('user_id', '=', userId)
    .orderBy('number')
    .execute();
}

/** Where the learner stands in a course: the pre-test, the post-test's grade by the course's method, the certificate. */
export async function standing(
  db: Db,
  actor: StaffActor,
  course: Awaited<ReturnType<typeof publishedCourse>>,
  now = new Date(),
) {
  const rules = rulesOf(course);
  const attempts = await attemptsOf(db, actor.id, course.id);
  const done = (t: TestKind) => attempts.filter((a) => a.test === t && a.submitted_at !== null);
  const open = (t: TestKind) => attempts.find((a) => a.test === t && a.submitted_at === null) ?? null;
  const pre = done('pre')[0] ?? null;
  const posts = done('post');
  const grade = courseGrade(
    rules.grading,
    posts.map((a) => Number(a.percent)),
  );
  const certificate = await db
    .selectFrom('ethics_certificate')
    .select(['code', 'issued_at', 'shown_name'])
    .where('course_id', '=', course.id)
    .where('user_id', '=', actor.id)
    .executeTakeFirst();
  return {
    rules,
    pre: pre ? { id: pre.id, percent: Number(pre.percent) } : null,
    openPre: open('pre')?.id ?? null,
    openPost: open('post')?.id ?? null,
    posts: posts.map((a) => ({ id: a.id, number: a.number, percent: Number(a.percent), at: a.submitted_at })),
    grade,
    passed: isPass(grade, rules.passMark),
    mayStartPost: pre
      ? mayStartAttempt(
          rules,
          posts.map((a) => a.submitted_at as Date),
          now,
        )
      : null,
    certificate: certificate ?? null,
  };
}

/** The published courses of the actor's agency, with whether the actor passed each. */
export async function learnerCourses(db: Db, actor: StaffActor) {
  if (actor.agencyId === null) return [];
  const courses = await db
    .selectFrom('ethics_course')
    .selectAll()
    .where('agency_id', '=', actor.agencyId)
    .where('state', '=', 'published')
    .orderBy('id')
    .execute();
  return Promise.all(courses.map(async (c) => ({ course: c, standing: await standing(db, actor, c) })));
}

/** A published course for its learner: lessons (with where each was first read: web, LINE or not yet) and standing. */
export async function learnerCourse(db: Db, actor: StaffActor, courseId: number) {
  const course = await publishedCourse(db, actor, courseId);
  const rows = await db
    .selectFrom('ethics_lesson')
    .select(['id', 'position', 'title_th', 'title_en'])
    .where('course_id', '=', course.id)
    .orderBy('position')
    .execute();
  const read = await lessonsRead(db, actor.id, course.id);
  const lessons = rows.map((l) => ({ ...l, readOn: read.get(l.id) ?? null }));
  return { course, lessons, standing: await standing(db, actor, course) };
}

/** One lesson of a published course (by position); opening it records the first reading. */
export async function learnerLesson(db: Db, actor: StaffActor, courseId: number, position: number) {
  const course = await publishedCourse(db, actor, courseId);
  const lesson = await db
    .selectFrom('ethics_lesson')
    .selectAll()
    .where('course_id', '=', course.id)
    .where('position', '=', Number.isSafeInteger(position) ? position : -1)
    .executeTakeFirst();
  if (!lesson) throw notFound();
  await markLessonRead(db, actor.id, lesson.id, 'web');
  const count = await db
    .selectFrom('ethics_lesson')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('course_id', '=', course.id)
    .executeTakeFirstOrThrow();
  return { course, lesson, lessons: Number(count.n) };
}

/**
 * Starts (or returns the open) attempt of a test: the pre-test once, the post-test after the
 * pre-test and within the attempt rules. Starting twice gives the same open attempt.
 */
export async function startAttempt(
  db: Db,
  actor: StaffActor,
  courseId: number,
  test: TestKind,
  now = new Date(),
): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const course = await publishedCourse(trx, actor, courseId);
    await lockLearner(trx, course.id, actor.id);
    const s = await standing(trx, actor, course, now);
    const open = test === 'pre' ? s.openPre : s.openPost;
    if (open !== null) return open;
    if (test === 'pre' && s.pre) throw new AppError('conflict', 'pre-test done', 'ethics.error.pre_done');
    if (test === 'post') {
      const check = s.mayStartPost;
      if (!check) throw new AppError('conflict', 'pre-test first', 'ethics.error.pre_first');
      if (!check.ok)
        throw new AppError(
          'conflict',
          check.reason,
          check.reason === 'wait' ? 'ethics.error.wait' : 'ethics.error.no_attempts',
        );
    }
    const number = (test === 'pre' ? 0 : s.posts.length) + 1;
    const { id } = await trx
      .insertInto('ethics_attempt')
      .values({ course_id: course.id, user_id: actor.id, test, number })
      .returning('id')
      .executeTakeFirstOrThrow();
    return id;
  });
}

/** An attempt of the actor's, with its course and the items of its test (in order). */
export async function ownAttempt(db: Db, actor: StaffActor, attemptId: number) {
  const attempt =
    Number.isSafeInteger(attemptId) && attemptId > 0
      ? await db.selectFrom('ethics_attempt').selectAll().where('id', '=', attemptId).executeTakeFirst()
      : undefined;
  if (!attempt || attempt.user_id !== actor.id) throw notFound();
  const course = await publishedCourse(db, actor, attempt.course_id);
  const items = await db
    .selectFrom('ethics_test_item as t')
    .innerJoin('ethics_item as i', 'i.id', 't.item_id')
    .select(['t.position', 'i.id', 'i.kind', 'i.stem_th', 'i.stem_en', 'i.options'])
    .where('t.course_id', '=', course.id)
    .where('t.test', '=', attempt.test)
    .orderBy('t.position')
    .execute();
  return { attempt, course, items };
}

/** The option indexes posted for a question: forged values (out of range, not numbers) are refused. */
export function chosenOf(raw: unknown, options: number, multiple: boolean): number[] {
  const list = (Array.isArray(raw) ? raw : raw === undefined || raw === '' ? [] : [raw]).map(String);
  if (list.length > options || (!multiple && list.length > 1))
    throw new AppError('invalid_input', 'too many options', 'error.form', { answer: 'error.field.invalid' });
  const out = list.map((s) => (/^\d{1,2}$/.test(s) ? Number(s) : -1));
  if (out.some((i) => i < 0 || i >= options))
    throw new AppError('invalid_input', 'no such option', 'error.form', { answer: 'error.field.invalid' });
  return [...new Set(out)].sort((a, b) => a - b);
}

/** Keeps the answer to one question of an open attempt. */
export async function saveAnswer(
  db: Db,
  actor: StaffActor,
  attemptId: number,
  position: number,
  raw: unknown,
): Promise<void> {
  const { attempt, items } = await ownAttempt(db, actor, attemptId);
  const item = items.find((i) => i.position === position);
  if (!item) throw notFound();
  const chosen = chosenOf(raw, item.options.length, item.kind === 'multiple');
  const done = await db
    .updateTable('ethics_attempt')
    .set({ answers: sql`answers || ${JSON.stringify({ [String(position)]: chosen })}::jsonb` as never })
    .where('id', '=', attempt.id)
    .where('submitted_at', 'is', null)
    .executeTakeFirst();
  if (Number(done.numUpdatedRows) === 0) throw new AppError('conflict', 'submitted', 'ethics.error.submitted');
}

/**
 * Submits an attempt once: marks each item, keeps the marks and the percentage, and audits it. A
 * second submission (a reload, a double click) changes nothing and is not an error.
 */
export async function submitAttempt(db: Db, actor: StaffActor, attemptId: number): Promise<void> {
  const { attempt, items } = await ownAttempt(db, actor, attemptId);
  await db.transaction().execute(async (trx) => {
    const locked = await trx
      .selectFrom('ethics_attempt')
      .select(['submitted_at', 'answers'])
      .where('id', '=', attempt.id)
      .forUpdate()
      .executeTakeFirstOrThrow();
    if (locked.submitted_at !== null) return;
    const marks = items.map((i) =>
      markItem(
        i.kind,
        i.options.map((o) => o.correct),
        locked.answers[String(i.position)] ?? [],
      ),
    );
    const percent = attemptPercent(marks);
    await trx
      .updateTable('ethics_attempt')
      .set({ submitted_at: new Date(), item_scores: JSON.stringify(marks), percent })
      .where('id', '=', attempt.id)
      .execute();
    await recordAudit(trx, {
      actorUserId: actor.id,
      action: 'ethics_attempt_submitted',
      detail: { course: attempt.course_id, test: attempt.test, attempt: attempt.number, percent },
    });
  });
}
