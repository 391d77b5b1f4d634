// Editing ethics content after it was written (ethics officers of the agency): a lesson and an item
// each on a page of its own, prefilled with what is stored; a bank's name on the bank's page. Each
// form redirects after its POST; a refused one shows its page again with the error summary and what
// was typed. An answered item shows how many attempts were given it: its question is frozen, its
// feedback and category are not (src/ethics/editing.ts). Another agency's content is not found.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { editItem, editLesson, itemForEditing, itemForm, lessonForEditing, renameBank } from '../../ethics/editing.ts';
import { MAX_LESSON_CHARS } from '../../ethics/markdown.ts';
import type { WebDeps } from '../deps.ts';
import { type Form, postForm } from '../form.ts';
import { pathId } from '../input.ts';
import { sendPage } from '../render.ts';
import { staffOf } from '../staff-auth.ts';
import { refusedForm, staffFrame } from './staff-page.ts';

type Refused = Record<string, unknown>;
/** A page of the authoring scope (ethics-routes.ts), shown again after a refused form. */
type ScopePage = (deps: WebDeps, f: Form, id: number, refused?: Refused, status?: number) => Promise<FastifyReply>;
/** What the authoring scope lends: how it reads a request, the bank's page. */
export type EditScope = { form: (req: FastifyRequest, reply: FastifyReply) => Form; bankPage: ScopePage };
/** The ethics pages' base path (ethics-routes.ts exports it: this file is imported by that one). */
export const ETHICS_PATH = '/staff/ethics';
type LessonParams = { Params: { id: string; lesson: string } };
type ItemParams = { Params: { id: string; item: string } };

const lessonEditHref = (course: number, lesson: number) => `${ETHICS_PATH}/courses/${course}/lessons/${lesson}/edit`;
const itemEditHref = (bank: number, item: number) => `${ETHICS_PATH}/banks/${bank}/items/${item}/edit`;

const plain = (deps: WebDeps, f: Form) => ({
  notice: null,
  alert: null,
  errors: {},
  form: null,
  ...staffFrame(deps, f),
});

async function lessonEditPage(
  deps: WebDeps,
  f: Form,
  ids: { course: number; lesson: number },
  refused: Refused = {},
  status = 200,
): Promise<FastifyReply> {
  const { course, lesson } = await lessonForEditing(deps.db, staffOf(f.req), ids.course, ids.lesson);
  return sendPage(
    f.reply,
    f,
    'staff-ethics-lesson-edit',
    {
      title: f.t('ethics.edit_lesson.title', { n: lesson.position }),
      courseTitle: f.lang === 'th' ? course.title_th : course.title_en,
      courseHref: `${ETHICS_PATH}/courses/${course.id}`,
      href: lessonEditHref(course.id, lesson.id),
      stored: { titleTh: lesson.title_th, titleEn: lesson.title_en, bodyTh: lesson.body_th, bodyEn: lesson.body_en },
      maxLesson: MAX_LESSON_CHARS,
      ...plain(deps, f),
      ...refused,
    },
    status,
    status === 200,
  );
}

async function itemEditPage(
  deps: WebDeps,
  f: Form,
  ids: { bank: number; item: number },
  refused: Refused = {},
  status = 200,
): Promise<FastifyReply> {
  const { bank, item, attempts } = await itemForEditing(deps.db, staffOf(f.req), ids.bank, ids.item);
  return sendPage(
    f.reply,
    f,
    'staff-ethics-item-edit',
    {
      title: f.t('ethics.edit_item.title'),
      bank,
      attempts,
      bankHref: `${ETHICS_PATH}/banks/${bank.id}`,
      href: itemEditHref(bank.id, item.id),
      stored: itemForm(item),
      ...plain(deps, f),
      ...refused,
    },
    status,
    status === 200,
  );
}

/**
 * The editing pages and their forms, registered in the authoring scope of ethics-routes.ts (staff
 * signed in, ethics officers only).
 */
export function ethicsEditRoutes(scope: FastifyInstance, deps: WebDeps, { form, bankPage }: EditScope): void {
  const { db } = deps;
  const lessonIds = (p: LessonParams['Params']) => ({ course: pathId(p.id), lesson: pathId(p.lesson) });
  const itemIds = (p: ItemParams['Params']) => ({ bank: pathId(p.id), item: pathId(p.item) });
  const lessonPath = `${ETHICS_PATH}/courses/:id/lessons/:lesson/edit`;
  const itemPath = `${ETHICS_PATH}/banks/:id/items/:item/edit`;
  scope.get<LessonParams>(lessonPath, async (req, reply) =>
    lessonEditPage(deps, form(req, reply), lessonIds(req.params)),
  );
  scope.post<LessonParams>(lessonPath, async (req, reply) => {
    const f = form(req, reply);
    const ids = lessonIds(req.params);
    return postForm(
      f,
      async () => {
        await editLesson(db, staffOf(req), ids.course, ids.lesson, f.body);
        return reply.redirect(`${ETHICS_PATH}/courses/${ids.course}?sent=saved#lesson-${ids.lesson}`, 303);
      },
      (error, status) => lessonEditPage(deps, f, ids, refusedForm(f, error, 'lesson', MAX_LESSON_CHARS), status),
    );
  });
  scope.get<ItemParams>(itemPath, async (req, reply) => itemEditPage(deps, form(req, reply), itemIds(req.params)));
  scope.post<ItemParams>(itemPath, async (req, reply) => {
    const f = form(req, reply);
    const ids = itemIds(req.params);
    return postForm(
      f,
      async () => {
        await editItem(db, staffOf(req), ids.bank, ids.item, f.body);
        return reply.redirect(`${ETHICS_PATH}/banks/${ids.bank}?sent=saved`, 303);
      },
      (error, status) => itemEditPage(deps, f, ids, refusedForm(f, error, 'item', 10_000), status),
    );
  });
  scope.post<{ Params: { id: string } }>(`${ETHICS_PATH}/banks/:id/name`, async (req, reply) => {
    const f = form(req, reply);
    const id = pathId(req.params.id);
    return postForm(
      f,
      async () => {
        await renameBank(db, staffOf(req), id, f.body);
        return reply.redirect(`${ETHICS_PATH}/banks/${id}?sent=saved`, 303);
      },
      (error, status) => bankPage(deps, f, id, refusedForm(f, error, 'bank', 200), status),
    );
  });
}
