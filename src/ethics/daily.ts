// The lesson of the day and its practice question (issue 18, taken on LINE): the next lesson a
// learner has not read in the published courses of their agency (the courses they started first),
// and one question drawn from the item banks of that course's blueprint that is in no course's
// pre- or post-test, so that practising never shows a test item or its answer. A lesson read here
// counts as read on the web: one table of first readings, whichever channel (ethics_lesson_read).
import { randomInt } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../db/connection.ts';
import { AppError } from '../errors.ts';
import type { StaffActor } from '../staff/session.ts';
import { markItem } from './rules.ts';

export type Learner = Pick<StaffActor, 'id' | 'agencyId'>;

export type DailyLesson = {
  courseId: number;
  courseTh: string;
  courseEn: string;
  lessonId: number;
  position: number;
  titleTh: string;
  titleEn: string;
  bodyTh: string;
  bodyEn: string;
};

/** Records that a learner read a lesson (the first reading only: later ones change nothing). */
export async function markLessonRead(db: Db, userId: number, lessonId: number, channel: 'web' | 'line'): Promise<void> {
  await db
    .insertInto('ethics_lesson_read')
    .values({ lesson_id: lessonId, user_id: userId, channel })
    .onConflict((oc) => oc.columns(['lesson_id', 'user_id']).doNothing())
    .execute();
}

/** The lessons of a course the learner has read, by lesson id, with the channel of the first reading. */
export async function lessonsRead(db: Db, userId: number, courseId: number): Promise<Map<number, 'web' | 'line'>> {
  const rows = await db
    .selectFrom('ethics_lesson_read as r')
    .innerJoin('ethics_lesson as l', 'l.id', 'r.lesson_id')
    .select(['r.lesson_id', 'r.channel'])
    .where('l.course_id', '=', courseId)
    .where('r.user_id', '=', userId)
    .execute();
  return new Map(rows.map((r) => [r.lesson_id, r.channel]));
}

/**
 * The next unread lesson of the learner's published courses: courses the learner has an attempt
 * in first, then the oldest course, then the lesson's position. Null when every lesson is read.
 */
export async function nextLesson(db: Db, learner: Learner): Promise<DailyLesson | null> {
  if (learner.agencyId === null) return null;
  const row = await db
    .selectFrom('ethics_lesson as l')
    .innerJoin('ethics_course as c', 'c.id', 'l.course_id')
    .select([
      'c.id as courseId',
      'c.title_th as courseTh',
      'c.title_en as courseEn',
      'l.id as lessonId',
      'l.position',
      'l.title_th as titleTh',
      'l.title_en as titleEn',
      'l.body_th as bodyTh',
      'l.body_en as bodyEn',
    ])
    .where('c.agency_id', '=', learner.agencyId)
    .where('c.state', '=', 'published')
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('ethics_lesson_read as r')
            .select('r.lesson_id')
            .whereRef('r.lesson_id', '=', 'l.id')
            .where('r.user_id', '=', learner.id),
        ),
      ),
    )
    .orderBy(
      sql`exists (select 1 from ethics_attempt a where a.course_id = c.id and a.user_id = ${learner.id})`,
      'desc',
    )
    .orderBy('c.id')
    .orderBy('l.position')
    .limit(1)
    .executeTakeFirst();
  return row ?? null;
}

/** The first published course of the learner's agency (a practice question when every lesson is read). */
export async function firstCourse(db: Db, learner: Learner): Promise<number | null> {
  if (learner.agencyId === null) return null;
  const row = await db
    .selectFrom('ethics_course')
    .select('id')
    .where('agency_id', '=', learner.agencyId)
    .where('state', '=', 'published')
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
  return row?.id ?? null;
}

export type PracticeItem = {
  id: number;
  kind: 'single' | 'multiple' | 'truefalse';
  stemTh: string;
  stemEn: string;
  options: { th: string; en: string }[];
};

/** Items a practice question may be: of a bank of the learner's agency, in no test. */
function practicePool(db: Db, agencyId: number) {
  return db
    .selectFrom('ethics_item as i')
    .innerJoin('ethics_bank as b', 'b.id', 'i.bank_id')
    .where('b.agency_id', '=', agencyId)
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom('ethics_test_item as t').select('t.item_id').whereRef('t.item_id', '=', 'i.id'))),
    );
}

/**
 * One practice question for a course of the learner's agency: drawn at random from the banks of
 * its blueprint, never an item of any pre- or post-test. Null when there is none to draw.
 */
export async function practiceItem(
  db: Db,
  learner: Learner,
  courseId: number,
  random: (n: number) => number = (n) => randomInt(n),
): Promise<PracticeItem | null> {
  if (learner.agencyId === null) return null;
  const rows = await practicePool(db, learner.agencyId)
    .select(['i.id', 'i.kind', 'i.stem_th', 'i.stem_en', 'i.options'])
    .where('i.bank_id', 'in', (eb) =>
      eb
        .selectFrom('ethics_blueprint as p')
        .innerJoin('ethics_course as c', 'c.id', 'p.course_id')
        .select('p.bank_id')
        .where('p.course_id', '=', courseId)
        .where('c.agency_id', '=', learner.agencyId as number)
        .where('c.state', '=', 'published'),
    )
    .orderBy('i.id')
    .execute();
  return rows.length === 0 ? null : practiceOf(rows[random(rows.length)]);
}

type ItemRow = { id: number; kind: string; stem_th: string; stem_en: string; options: { th: string; en: string }[] };
const practiceOf = (r: ItemRow): PracticeItem => ({
  id: r.id,
  kind: r.kind as PracticeItem['kind'],
  stemTh: r.stem_th,
  stemEn: r.stem_en,
  options: r.options.map((o) => ({ th: o.th, en: o.en })),
});

/** A practice item by id (to show again while several options are being chosen); null when it may not be practised. */
export async function practiceById(db: Db, learner: Learner, itemId: number): Promise<PracticeItem | null> {
  if (learner.agencyId === null || !Number.isSafeInteger(itemId) || itemId <= 0) return null;
  const r = await practicePool(db, learner.agencyId)
    .select(['i.id', 'i.kind', 'i.stem_th', 'i.stem_en', 'i.options'])
    .where('i.id', '=', itemId)
    .executeTakeFirst();
  return r ? practiceOf(r) : null;
}

export type PracticeMark = {
  isCorrect: boolean;
  /** The item's mark from 0 to 1 (a multiple-choice item earns part marks, as in a test). */
  mark: number;
  /** The chosen options' feedback, and the correct options' texts, in both languages. */
  feedbackTh: string;
  feedbackEn: string;
  correct: { th: string; en: string }[];
};

/**
 * Marks the answer to a practice item: one option, or for a multiple-choice item the options chosen
 * together (marked as a test marks them, wrong choices taking away). Refused as not found: an item
 * of another agency, an item of a test (its answer would leak), an option that does not exist, no
 * option, or more than one for an item with one answer.
 */
export async function markPractice(
  db: Db,
  learner: Learner,
  itemId: number,
  chosen: readonly number[],
): Promise<PracticeMark> {
  const notFound = () => new AppError('not_found', 'no such practice item', 'error.not_found');
  if (learner.agencyId === null || !Number.isSafeInteger(itemId) || itemId <= 0) throw notFound();
  const item = await practicePool(db, learner.agencyId)
    .select(['i.kind', 'i.options'])
    .where('i.id', '=', itemId)
    .executeTakeFirst();
  const picked = [...new Set(chosen)].sort((a, b) => a - b);
  if (
    !item ||
    picked.length === 0 ||
    (item.kind !== 'multiple' && picked.length !== 1) ||
    picked.some((i) => !Number.isSafeInteger(i) || i < 0 || i >= item.options.length)
  )
    throw notFound();
  const mark = markItem(
    item.kind,
    item.options.map((o) => o.correct),
    picked,
  );
  const feedback = (lang: 'feedbackTh' | 'feedbackEn') =>
    picked
      .map((i) => item.options[i][lang])
      .filter(Boolean)
      .join('\n');
  return {
    isCorrect: mark === 1,
    mark,
    feedbackTh: feedback('feedbackTh'),
    feedbackEn: feedback('feedbackEn'),
    correct: item.options.filter((o) => o.correct).map((o) => ({ th: o.th, en: o.en })),
  };
}
