// Editing what an ethics officer wrote: a lesson (titles, Markdown bodies), an item (kind, category,
// stems, options, correct answers, feedback) and a bank's name. Only ethics officers of the agency
// that owns it; another agency's lesson, item or bank is not found, as one that does not exist.
// Every edit is audited in its transaction.
//
// An item already shown in an attempt (started or submitted) must not change under that attempt:
// Moodle (4.0 and later) keeps every edit as a new version of the question and lets past attempts
// keep the version they were given; here the tests are drawn once, at publication, and attempts
// refer to their items by position, so an answered item's question is frozen instead: its kind,
// stems, options and correct answers cannot change (refused, each changed field named, the page saying how
// many attempts were given it and to add a new item instead), while its category and feedback can (they change no mark).
// See docs/ethics.md, "Editing".
import { sql } from 'kysely';
import type { Db } from '../db/connection.ts';
import { AppError } from '../errors.ts';
import type { StaffActor } from '../staff/session.ts';
import {
  audit,
  type CourseInput,
  itemFields,
  lessonFields,
  notFound,
  ownBank,
  ownCourse,
  text,
  writerAgency,
} from './courses.ts';
import type { ItemKind } from './rules.ts';

type Option = { th: string; en: string; correct: boolean; feedbackTh: string; feedbackEn: string };

const validId = (id: number) => Number.isSafeInteger(id) && id > 0;

/** A lesson of a course of the actor's agency (its course checked as ownCourse does). */
export async function lessonForEditing(db: Db, actor: StaffActor, courseId: number, lessonId: number) {
  const course = await ownCourse(db, actor, courseId);
  const lesson = validId(lessonId)
    ? await db
        .selectFrom('ethics_lesson')
        .selectAll()
        .where('id', '=', lessonId)
        .where('course_id', '=', course.id)
        .executeTakeFirst()
    : undefined;
  if (!lesson) throw notFound();
  return { course, lesson };
}

/** Changes a lesson's titles and bodies (published or not: a lesson is read, never answered). */
export async function editLesson(
  db: Db,
  actor: StaffActor,
  courseId: number,
  lessonId: number,
  input: CourseInput,
): Promise<void> {
  const values = lessonFields(input);
  await db.transaction().execute(async (trx) => {
    const { course, lesson } = await lessonForEditing(trx, actor, courseId, lessonId);
    await trx.updateTable('ethics_lesson').set(values).where('id', '=', lesson.id).execute();
    await audit(trx, actor, 'ethics_lesson_edited', { course: course.id, lesson: lesson.id });
  });
}

/** How many attempts (started or submitted) were given the item in one of their tests. */
export async function attemptsWithItem(db: Pick<Db, 'selectFrom'>, itemId: number): Promise<number> {
  const row = await db
    .selectFrom('ethics_attempt as a')
    .innerJoin('ethics_test_item as t', (j) =>
      j.onRef('t.course_id', '=', 'a.course_id').onRef('t.test', '=', 'a.test'),
    )
    .select(sql<string>`count(*)`.as('n'))
    .where('t.item_id', '=', itemId)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** An item of a bank of the actor's agency, with how many attempts were given it. */
export async function itemForEditing(db: Db, actor: StaffActor, bankId: number, itemId: number) {
  const bank = await ownBank(db, actor, bankId);
  const item = validId(itemId)
    ? await db
        .selectFrom('ethics_item')
        .selectAll()
        .where('id', '=', itemId)
        .where('bank_id', '=', bank.id)
        .executeTakeFirst()
    : undefined;
  if (!item) throw notFound();
  return { bank, item, attempts: await attemptsWithItem(db, item.id) };
}

/** The form's fields of a stored item (one option a line; the correct options' numbers). */
export function itemForm(item: {
  kind: ItemKind;
  category: string;
  stem_th: string;
  stem_en: string;
  options: unknown;
}) {
  const options = item.options as Option[];
  const feedback = (key: 'feedbackTh' | 'feedbackEn') =>
    options
      .map((o) => o[key])
      .join('\n')
      .replace(/\n+$/, '');
  return {
    kind: item.kind,
    category: item.category,
    stemTh: item.stem_th,
    stemEn: item.stem_en,
    optionsTh: options.map((o) => o.th).join('\n'),
    optionsEn: options.map((o) => o.en).join('\n'),
    feedbackTh: feedback('feedbackTh'),
    feedbackEn: feedback('feedbackEn'),
    correct: options.flatMap((o, i) => (o.correct ? [String(i + 1)] : [])).join(','),
  };
}

/** The fields of the question an attempt answered that an edit would change (its feedback and category aside). */
function changedQuestion(
  before: { kind: string; stem_th: string; stem_en: string; options: unknown },
  after: { kind: string; stem_th: string; stem_en: string; options: string },
): string[] {
  const key = (options: Option[]) => JSON.stringify(options.map((o) => [o.th, o.en, o.correct]));
  const was = before.options as Option[];
  const now = JSON.parse(after.options) as Option[];
  const changed: string[] = [];
  if (before.kind !== after.kind) changed.push('kind');
  if (before.stem_th !== after.stem_th) changed.push('stemTh');
  if (before.stem_en !== after.stem_en) changed.push('stemEn');
  if (key(was) !== key(now)) {
    if (JSON.stringify(was.map((o) => o.th)) !== JSON.stringify(now.map((o) => o.th))) changed.push('optionsTh');
    if (JSON.stringify(was.map((o) => o.en)) !== JSON.stringify(now.map((o) => o.en))) changed.push('optionsEn');
    if (JSON.stringify(was.map((o) => o.correct)) !== JSON.stringify(now.map((o) => o.correct)))
      changed.push('correct');
  }
  return changed;
}

/**
 * Changes an item. An item given in any attempt keeps its question (kind, stems, options, correct
 * answers): changing any of them is refused (`conflict`, each changed field named); its category
 * and feedback may change. The item's row is locked, so an attempt started meanwhile is counted.
 */
export async function editItem(
  db: Db,
  actor: StaffActor,
  bankId: number,
  itemId: number,
  input: CourseInput,
): Promise<void> {
  const values = itemFields(input);
  await db.transaction().execute(async (trx) => {
    const { bank, item } = await itemForEditing(trx, actor, bankId, itemId);
    await trx.selectFrom('ethics_item').select('id').where('id', '=', item.id).forUpdate().execute();
    const attempts = await attemptsWithItem(trx, item.id);
    const changed = attempts > 0 ? changedQuestion(item, values) : [];
    if (changed.length > 0)
      throw new AppError(
        'conflict',
        `item ${item.id} was given in ${attempts} attempts`,
        'ethics.error.item_answered',
        Object.fromEntries(changed.map((f) => [f, 'ethics.error.item_answered.field'])),
      );
    await trx.updateTable('ethics_item').set(values).where('id', '=', item.id).execute();
    await audit(trx, actor, 'ethics_item_edited', { bank: bank.id, item: item.id, answered: attempts > 0 });
  });
}

/** Renames a bank of the actor's agency; a name another of its banks has is refused. */
export async function renameBank(db: Db, actor: StaffActor, bankId: number, input: CourseInput): Promise<void> {
  const agencyId = writerAgency(actor);
  const name = text(input.bankName, 'bankName', 200);
  await db.transaction().execute(async (trx) => {
    const bank = await ownBank(trx, actor, bankId);
    const taken = await trx
      .selectFrom('ethics_bank')
      .select('id')
      .where('agency_id', '=', agencyId)
      .where('name', '=', name)
      .where('id', '<>', bank.id)
      .executeTakeFirst();
    if (taken)
      throw new AppError('conflict', 'a bank of this name', 'ethics.error.bank_taken', {
        bankName: 'ethics.error.bank_taken',
      });
    await trx.updateTable('ethics_bank').set({ name }).where('id', '=', bank.id).execute();
    await audit(trx, actor, 'ethics_bank_renamed', { bank: bank.id });
  });
}
