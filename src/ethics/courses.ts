// Writing courses (ethics officers of the agency): a course with its attempt rules and pass mark,
// its lessons, item banks and their items, the blueprint, and publication, which draws the pre-test
// and the post-test. Every change is audited in its transaction. A course or bank of another agency
// is not found, whoever asks; only ethics officers write.
import { randomInt } from 'node:crypto';
import { recordAudit, type AuditAction } from '../audit/record-audit.ts';
import type { Db } from '../db/connection.ts';
import { AppError, parseAll } from '../errors.ts';
import { hasRole, type StaffActor } from '../staff/session.ts';
import { drawTests } from './draw.ts';
import { MAX_LESSON_CHARS } from './markdown.ts';
import { GRADING_METHODS, type GradingMethod, type ItemKind } from './rules.ts';

export const notFound = () => new AppError('not_found', 'no such course', 'error.not_found');
const invalid = (field: string, key = 'error.field.invalid') =>
  new AppError('invalid_input', `${field} is invalid`, 'error.form', { [field]: key });

/** The actor's agency when they write courses (ethics officers); forbidden otherwise. */
export function writerAgency(actor: StaffActor): number {
  if (!hasRole(actor, 'ethics_officer') || actor.agencyId === null)
    throw new AppError('forbidden', 'ethics officers only', 'error.forbidden');
  return actor.agencyId;
}

/** Text of 1..max characters (0..max when optional), trimmed. */
export function text(raw: unknown, field: string, max: number, optional = false): string {
  const v = typeof raw === 'string' ? raw.replace(/\r\n/g, '\n').trim() : '';
  if (v.length > max) throw invalid(field, 'error.field.too_long');
  if (v === '' && !optional) throw invalid(field, 'error.field.required');
  return v;
}

/** A whole number in [min, max] from a form field. */
export function whole(raw: unknown, field: string, min: number, max: number): number {
  const v = typeof raw === 'string' && /^\d{1,7}$/.test(raw.trim()) ? Number(raw.trim()) : Number.NaN;
  if (!(v >= min && v <= max)) throw invalid(field);
  return v;
}

export async function audit(db: Db, actor: StaffActor, action: AuditAction, detail: Record<string, unknown>) {
  await recordAudit(db, { actorUserId: actor.id, action, detail });
}

export type CourseInput = Record<string, unknown>;

function courseFields(input: CourseInput) {
  return parseAll({
    title_th: () => text(input.titleTh, 'titleTh', 200),
    title_en: () => text(input.titleEn, 'titleEn', 200),
    pass_mark: () => whole(input.passMark, 'passMark', 0, 100),
    attempts_allowed: () => whole(input.attemptsAllowed, 'attemptsAllowed', 0, 20),
    delay_minutes: () => whole(input.delayMinutes, 'delayMinutes', 0, 525_600),
    grading: () => {
      const grading = String(input.grading ?? '');
      if (!(GRADING_METHODS as readonly string[]).includes(grading)) throw invalid('grading');
      return grading as GradingMethod;
    },
  });
}

/** A course of the actor's agency, for its writers: not found otherwise. */
export async function ownCourse(db: Db, actor: StaffActor, courseId: number) {
  const agencyId = writerAgency(actor);
  if (!Number.isSafeInteger(courseId) || courseId <= 0) throw notFound();
  const row = await db.selectFrom('ethics_course').selectAll().where('id', '=', courseId).executeTakeFirst();
  if (!row || row.agency_id !== agencyId) throw notFound();
  return row;
}

/** Creates a course (id) or, with `courseId`, changes its titles and rules. */
export async function saveCourse(db: Db, actor: StaffActor, input: CourseInput, courseId?: number): Promise<number> {
  const agencyId = writerAgency(actor);
  const fields = courseFields(input);
  return db.transaction().execute(async (trx) => {
    let id: number;
    if (courseId === undefined) {
      ({ id } = await trx
        .insertInto('ethics_course')
        .values({ ...fields, agency_id: agencyId, created_by: actor.id })
        .returning('id')
        .executeTakeFirstOrThrow());
    } else {
      id = (await ownCourse(trx, actor, courseId)).id;
      await trx
        .updateTable('ethics_course')
        .set({ ...fields, updated_at: new Date() })
        .where('id', '=', id)
        .execute();
    }
    await audit(trx, actor, 'ethics_course_saved', { course: id });
    return id;
  });
}

/** A lesson's titles and Markdown bodies from its form, every fault named. */
export function lessonFields(input: CourseInput) {
  return parseAll({
    title_th: () => text(input.titleTh, 'titleTh', 200),
    title_en: () => text(input.titleEn, 'titleEn', 200),
    body_th: () => text(input.bodyTh, 'bodyTh', MAX_LESSON_CHARS),
    body_en: () => text(input.bodyEn, 'bodyEn', MAX_LESSON_CHARS),
  });
}

/** Adds a lesson at the end of the course (its id). */
export async function addLesson(db: Db, actor: StaffActor, courseId: number, input: CourseInput): Promise<number> {
  const values = lessonFields(input);
  return db.transaction().execute(async (trx) => {
    const course = await ownCourse(trx, actor, courseId);
    const last = await trx
      .selectFrom('ethics_lesson')
      .select((eb) => eb.fn.max('position').as('n'))
      .where('course_id', '=', course.id)
      .executeTakeFirst();
    const { id } = await trx
      .insertInto('ethics_lesson')
      .values({ ...values, course_id: course.id, position: Number(last?.n ?? 0) + 1 })
      .returning('id')
      .executeTakeFirstOrThrow();
    await audit(trx, actor, 'ethics_lesson_saved', { course: course.id, lesson: id });
    return id;
  });
}

/** Creates an item bank of the actor's agency (its id). */
export async function addBank(db: Db, actor: StaffActor, input: CourseInput): Promise<number> {
  const agencyId = writerAgency(actor);
  const name = text(input.bankName, 'bankName', 200);
  return db.transaction().execute(async (trx) => {
    const taken = await trx
      .selectFrom('ethics_bank')
      .select('id')
      .where('agency_id', '=', agencyId)
      .where('name', '=', name)
      .executeTakeFirst();
    if (taken)
      throw new AppError('conflict', 'a bank of this name', 'ethics.error.bank_taken', {
        name: 'ethics.error.bank_taken',
      });
    const { id } = await trx
      .insertInto('ethics_bank')
      .values({ agency_id: agencyId, name, created_by: actor.id })
      .returning('id')
      .executeTakeFirstOrThrow();
    await audit(trx, actor, 'ethics_bank_saved', { bank: id });
    return id;
  });
}

/** A bank of the actor's agency, for its writers: not found otherwise. */
export async function ownBank(db: Db, actor: StaffActor, bankId: number) {
  const agencyId = writerAgency(actor);
  const row = Number.isSafeInteger(bankId)
    ? await db.selectFrom('ethics_bank').selectAll().where('id', '=', bankId).executeTakeFirst()
    : undefined;
  if (!row || row.agency_id !== agencyId) throw notFound();
  return row;
}

const lines = (raw: unknown) =>
  typeof raw === 'string'
    ? raw
        .replace(/\r\n/g, '\n')
        .split('\n')
        .map((l) => l.trim())
    : [];

/**
 * An item's options from the form: for true/false, "true" and "false" in both languages; otherwise
 * one option a line in `optionsTh` and `optionsEn` (as many lines in each), per-option feedback a
 * line in `feedbackTh` / `feedbackEn`, and the correct options' numbers in `correct` ("2", "1,3").
 */
export function optionsOf(kind: ItemKind, input: CourseInput) {
  const th = kind === 'truefalse' ? ['จริง', 'เท็จ'] : lines(input.optionsTh).filter((l) => l !== '');
  const en = kind === 'truefalse' ? ['True', 'False'] : lines(input.optionsEn).filter((l) => l !== '');
  if (th.length < 2 || th.length > 10 || th.some((o) => o.length > 500)) throw invalid('optionsTh');
  if (en.length !== th.length || en.some((o) => o.length > 500)) throw invalid('optionsEn');
  const fbTh = lines(input.feedbackTh);
  const fbEn = lines(input.feedbackEn);
  if (fbTh.length > th.length || fbTh.some((o) => o.length > 1000)) throw invalid('feedbackTh');
  if (fbEn.length > th.length || fbEn.some((o) => o.length > 1000)) throw invalid('feedbackEn');
  const correct = String(input.correct ?? '')
    .split(/[,\s]+/)
    .filter((s) => s !== '')
    .map((s) => (/^\d{1,2}$/.test(s) ? Number(s) - 1 : -1));
  const set = new Set(correct);
  if (correct.length === 0 || set.size !== correct.length || correct.some((i) => i < 0 || i >= th.length))
    throw invalid('correct');
  if (kind !== 'multiple' && set.size !== 1) throw invalid('correct');
  return th.map((o, i) => ({
    th: o,
    en: en[i] ?? '',
    correct: set.has(i),
    feedbackTh: fbTh[i] ?? '',
    feedbackEn: fbEn[i] ?? '',
  }));
}

/** An item's kind, category, stems and options from its form, every fault named. */
export function itemFields(input: CourseInput) {
  const kind = String(input.kind ?? '');
  if (kind !== 'single' && kind !== 'multiple' && kind !== 'truefalse') throw invalid('kind');
  return parseAll({
    category: () => text(input.category, 'category', 100, true),
    kind: () => kind as ItemKind,
    stem_th: () => text(input.stemTh, 'stemTh', 4000),
    stem_en: () => text(input.stemEn, 'stemEn', 4000),
    options: () => JSON.stringify(optionsOf(kind as ItemKind, input)),
  });
}

/** Adds an item to a bank of the actor's agency (its id). */
export async function addItem(db: Db, actor: StaffActor, bankId: number, input: CourseInput): Promise<number> {
  const values = itemFields(input);
  return db.transaction().execute(async (trx) => {
    const bank = await ownBank(trx, actor, bankId);
    const { id } = await trx
      .insertInto('ethics_item')
      .values({ ...values, bank_id: bank.id, created_by: actor.id })
      .returning('id')
      .executeTakeFirstOrThrow();
    await audit(trx, actor, 'ethics_item_saved', { bank: bank.id, item: id });
    return id;
  });
}

/** Sets (or, with count 0, removes) one row of a draft course's blueprint. */
export async function setBlueprintRow(db: Db, actor: StaffActor, courseId: number, input: CourseInput): Promise<void> {
  const count = whole(input.count, 'count', 0, 100);
  const category = text(input.category, 'category', 100, true);
  const bankRaw = String(input.bank ?? '');
  await db.transaction().execute(async (trx) => {
    const course = await ownCourse(trx, actor, courseId);
    if (course.state !== 'draft') throw new AppError('conflict', 'published', 'ethics.error.published');
    if (!/^\d{1,9}$/.test(bankRaw)) throw invalid('bank');
    const bank = await ownBank(trx, actor, Number(bankRaw)).catch(() => {
      throw invalid('bank');
    });
    const key = (q: typeof trx) =>
      q
        .deleteFrom('ethics_blueprint')
        .where('course_id', '=', course.id)
        .where('bank_id', '=', bank.id)
        .where('category', '=', category);
    await key(trx).execute();
    if (count > 0)
      await trx
        .insertInto('ethics_blueprint')
        .values({ course_id: course.id, bank_id: bank.id, category, count })
        .execute();
    await audit(trx, actor, 'ethics_blueprint_saved', { course: course.id, bank: bank.id, category, count });
  });
}

/**
 * Publishes a draft course: it needs a lesson, and its blueprint draws a pre-test and a post-test
 * with no item in common (drawTests). Staff of the agency may take it from then on.
 */
export async function publishCourse(db: Db, actor: StaffActor, courseId: number, random = randomInt): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const course = await ownCourse(trx, actor, courseId);
    if (course.state !== 'draft') throw new AppError('conflict', 'published', 'ethics.error.published');
    const lesson = await trx
      .selectFrom('ethics_lesson')
      .select('id')
      .where('course_id', '=', course.id)
      .executeTakeFirst();
    if (!lesson)
      throw new AppError('invalid_input', 'no lesson', 'ethics.error.no_lesson', { publish: 'ethics.error.no_lesson' });
    const blueprint = await trx
      .selectFrom('ethics_blueprint')
      .select(['bank_id as bankId', 'category', 'count'])
      .where('course_id', '=', course.id)
      .orderBy('bank_id')
      .orderBy('category')
      .execute();
    const items = await trx
      .selectFrom('ethics_item')
      .select(['id', 'bank_id as bankId', 'category'])
      .where('bank_id', 'in', blueprint.length ? blueprint.map((b) => b.bankId) : [-1])
      .orderBy('id')
      .execute();
    const { pre, post } = drawTests(blueprint, items, random);
    const rows = [
      ...pre.map((item_id, i) => ({ course_id: course.id, test: 'pre' as const, position: i + 1, item_id })),
      ...post.map((item_id, i) => ({ course_id: course.id, test: 'post' as const, position: i + 1, item_id })),
    ];
    await trx.insertInto('ethics_test_item').values(rows).execute();
    await trx
      .updateTable('ethics_course')
      .set({ state: 'published', published_at: new Date() })
      .where('id', '=', course.id)
      .execute();
    await audit(trx, actor, 'ethics_course_published', { course: course.id, pre: pre.length, post: post.length });
  });
}

/** The courses and banks of the actor's agency, for its writers. */
export async function authoringOverview(db: Db, actor: StaffActor) {
  const agencyId = writerAgency(actor);
  const [courses, banks] = await Promise.all([
    db.selectFrom('ethics_course').selectAll().where('agency_id', '=', agencyId).orderBy('id').execute(),
    db
      .selectFrom('ethics_bank as b')
      .leftJoin('ethics_item as i', 'i.bank_id', 'b.id')
      .select(['b.id', 'b.name', (eb) => eb.fn.count<string>('i.id').as('items')])
      .where('b.agency_id', '=', agencyId)
      .groupBy(['b.id', 'b.name'])
      .orderBy('b.id')
      .execute(),
  ]);
  return { courses, banks: banks.map((b) => ({ ...b, items: Number(b.items) })) };
}

/** A course with its lessons and blueprint, for its writers. */
export async function courseForEditing(db: Db, actor: StaffActor, courseId: number) {
  const course = await ownCourse(db, actor, courseId);
  const [lessons, blueprint] = await Promise.all([
    db.selectFrom('ethics_lesson').selectAll().where('course_id', '=', course.id).orderBy('position').execute(),
    db
      .selectFrom('ethics_blueprint as p')
      .innerJoin('ethics_bank as b', 'b.id', 'p.bank_id')
      .select(['p.bank_id', 'b.name', 'p.category', 'p.count'])
      .where('p.course_id', '=', course.id)
      .orderBy('p.bank_id')
      .execute(),
  ]);
  return { course, lessons, blueprint };
}

/** A bank with its items, for its writers. */
export async function bankForEditing(db: Db, actor: StaffActor, bankId: number) {
  const bank = await ownBank(db, actor, bankId);
  const items = await db.selectFrom('ethics_item').selectAll().where('bank_id', '=', bank.id).orderBy('id').execute();
  return { bank, items };
}

/** The largest lesson image, in bytes (the database checks it too). */
export const MAX_IMAGE_BYTES = 1024 * 1024;

/** PNG or JPEG by their first bytes (never by the name or the type a browser claims); null otherwise. */
export function imageMime(bytes: Buffer): 'image/png' | 'image/jpeg' | null {
  if (bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (bytes.length > 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  return null;
}

/** Adds an image to a course of the actor's agency (its id, for `![text](/staff/ethics/images/<id>)`). */
export async function addImage(db: Db, actor: StaffActor, courseId: number, bytes: Buffer | null): Promise<number> {
  const mime = bytes && bytes.length <= MAX_IMAGE_BYTES ? imageMime(bytes) : null;
  if (!bytes || !mime)
    throw new AppError('invalid_input', 'not an image', 'ethics.error.image', { file: 'ethics.error.image' });
  return db.transaction().execute(async (trx) => {
    const course = await ownCourse(trx, actor, courseId);
    const { id } = await trx
      .insertInto('ethics_image')
      .values({ course_id: course.id, mime, data: bytes, created_by: actor.id })
      .returning('id')
      .executeTakeFirstOrThrow();
    await audit(trx, actor, 'ethics_image_added', { course: course.id, image: id, bytes: bytes.length });
    return id;
  });
}

/** An image of a course of the actor's agency (any staff member: lessons are theirs to read). */
export async function imageFor(db: Db, actor: StaffActor, imageId: number) {
  const row =
    Number.isSafeInteger(imageId) && imageId > 0 && actor.agencyId !== null
      ? await db
          .selectFrom('ethics_image as i')
          .innerJoin('ethics_course as c', 'c.id', 'i.course_id')
          .select(['i.mime', 'i.data', 'c.agency_id'])
          .where('i.id', '=', imageId)
          .executeTakeFirst()
      : undefined;
  if (!row || row.agency_id !== actor.agencyId) throw notFound();
  return { mime: row.mime, data: row.data };
}

/** The ids of a course's images, for its writers. */
export async function imagesOf(db: Db, courseId: number): Promise<number[]> {
  const rows = await db
    .selectFrom('ethics_image')
    .select('id')
    .where('course_id', '=', courseId)
    .orderBy('id')
    .execute();
  return rows.map((r) => r.id);
}
