// Writing ethics courses (ethics officers of the agency): the overview of courses and item banks,
// a course's page (titles and attempt rules, lessons, blueprint, publishing), a bank's page (its
// items). Every form redirects after its POST; a refused one shows its page again with the error
// summary and what was typed. A course or bank of another agency is not found; other roles get 403.
// The learner's pages are ethics-learn-routes.ts, the results ethics-results-routes.ts.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { AppError } from '../../errors.ts';
import {
  addBank,
  addImage,
  addItem,
  addLesson,
  authoringOverview,
  bankForEditing,
  courseForEditing,
  imagesOf,
  publishCourse,
  saveCourse,
  setBlueprintRow,
} from '../../ethics/courses.ts';
import { MAX_LESSON_CHARS, renderLesson } from '../../ethics/markdown.ts';
import { GRADING_METHODS } from '../../ethics/rules.ts';
import type { WebDeps } from '../deps.ts';
import { type Form, formOf, postForm } from '../form.ts';
import { pathId } from '../input.ts';
import { ETHICS_PATH, ethicsEditRoutes } from './ethics-edit-routes.ts';
import { readEvidenceForm } from './ita-oit-routes.ts';
import { sendPage } from '../render.ts';
import { requireRole, requireStaff, staffOf } from '../staff-auth.ts';
import { noticeOf, refusedForm, staffFrame } from './staff-page.ts';

export { ETHICS_PATH };
export const MANAGE_PATH = `${ETHICS_PATH}/manage`;
const courseHref = (id: number) => `${ETHICS_PATH}/courses/${id}`;
const bankHref = (id: number) => `${ETHICS_PATH}/banks/${id}`;
type Refused = Record<string, unknown>;
type IdParams = { Params: { id: string } };

const SENT: Readonly<Record<string, string>> = { saved: 'ethics.saved', published: 'ethics.saved' };

/** What every authoring page shows besides its own data. */
function common(deps: WebDeps, f: Form) {
  return {
    notice: noticeOf(f, 'sent', SENT),
    alert: null,
    errors: {},
    form: null,
    grading: GRADING_METHODS,
    ...staffFrame(deps, f),
  };
}

async function overviewPage(deps: WebDeps, f: Form, refused: Refused = {}, status = 200): Promise<FastifyReply> {
  const data = await authoringOverview(deps.db, staffOf(f.req));
  return sendPage(
    f.reply,
    f,
    'staff-ethics-manage',
    { title: f.t('ethics.manage'), ...data, ...common(deps, f), ...refused },
    status,
  );
}

async function coursePage(
  deps: WebDeps,
  f: Form,
  id: number,
  refused: Refused = {},
  status = 200,
): Promise<FastifyReply> {
  const actor = staffOf(f.req);
  const data = await courseForEditing(deps.db, actor, id);
  const [{ banks }, images] = await Promise.all([authoringOverview(deps.db, actor), imagesOf(deps.db, data.course.id)]);
  const lessons = data.lessons.map((l) => ({ ...l, html: renderLesson(f.lang === 'th' ? l.body_th : l.body_en) }));
  return sendPage(
    f.reply,
    f,
    'staff-ethics-course',
    {
      title: f.lang === 'th' ? data.course.title_th : data.course.title_en,
      ...data,
      lessons,
      banks,
      images,
      href: courseHref(id),
      maxLesson: MAX_LESSON_CHARS,
      ...common(deps, f),
      ...refused,
    },
    status,
  );
}

export async function bankPage(
  deps: WebDeps,
  f: Form,
  id: number,
  refused: Refused = {},
  status = 200,
): Promise<FastifyReply> {
  const data = await bankForEditing(deps.db, staffOf(f.req), id);
  return sendPage(
    f.reply,
    f,
    'staff-ethics-bank',
    { title: data.bank.name, ...data, href: bankHref(id), ...common(deps, f), ...refused },
    status,
  );
}

type Page = (deps: WebDeps, f: Form, id: number, refused?: Refused, status?: number) => Promise<FastifyReply>;

/** The authoring pages and their forms (ethics officers only). */
export function ethicsRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { config, db } = deps;
  app.register(async (scope) => {
    scope.addHook('preHandler', requireStaff(db));
    scope.addHook('preHandler', async (req) => {
      requireRole(req, 'ethics_officer');
    });
    const form = (req: Parameters<typeof formOf>[0], reply: Parameters<typeof formOf>[1]) =>
      formOf(req, reply, config.isSecureCookies);
    scope.get(MANAGE_PATH, async (req, reply) => overviewPage(deps, form(req, reply)));
    scope.get<IdParams>(`${ETHICS_PATH}/courses/:id`, async (req, reply) =>
      coursePage(deps, form(req, reply), pathId(req.params.id)),
    );
    scope.get<IdParams>(`${ETHICS_PATH}/banks/:id`, async (req, reply) =>
      bankPage(deps, form(req, reply), pathId(req.params.id)),
    );
    // creating: a course, a bank (refused: the overview again)
    const create = (path: string, name: string, act: (f: Form) => Promise<string>) =>
      scope.post(path, async (req, reply) => {
        const f = form(req, reply);
        return postForm(
          f,
          async () => reply.redirect(`${await act(f)}?sent=saved`, 303),
          (error, status) => overviewPage(deps, f, refusedForm(f, error, name, MAX_LESSON_CHARS), status),
        );
      });
    create(`${ETHICS_PATH}/courses`, 'course', async (f) => courseHref(await saveCourse(db, staffOf(f.req), f.body)));
    create(`${ETHICS_PATH}/banks`, 'bank', async (f) => bankHref(await addBank(db, staffOf(f.req), f.body)));
    // the forms of a course's or a bank's page (refused: that page again)
    const onPage = (
      base: string,
      page: Page,
      path: string,
      name: string,
      act: (f: Form, id: number) => Promise<string>,
    ) =>
      scope.post<IdParams>(`${base}/:id${path}`, async (req, reply) => {
        const f = form(req, reply);
        const id = pathId(req.params.id);
        return postForm(
          f,
          async () => reply.redirect(`${base}/${id}?sent=${await act(f, id)}`, 303),
          (error, status) => page(deps, f, id, refusedForm(f, error, name, MAX_LESSON_CHARS), status),
        );
      });
    const courses = `${ETHICS_PATH}/courses`;
    onPage(courses, coursePage, '', 'course', async (f, id) => {
      await saveCourse(db, staffOf(f.req), f.body, id);
      return 'saved';
    });
    onPage(courses, coursePage, '/lessons', 'lesson', async (f, id) => {
      await addLesson(db, staffOf(f.req), id, f.body);
      return 'saved';
    });
    onPage(courses, coursePage, '/blueprint', 'blueprint', async (f, id) => {
      await setBlueprintRow(db, staffOf(f.req), id, f.body);
      return 'saved';
    });
    onPage(courses, coursePage, '/publish', 'publish', async (f, id) => {
      await publishCourse(db, staffOf(f.req), id);
      return 'published';
    });
    // an image (multipart: the CSRF token first, then the file)
    scope.post<IdParams>(`${courses}/:id/images`, async (req, reply) => {
      const f = form(req, reply);
      const id = pathId(req.params.id);
      try {
        const { file } = await readEvidenceForm(req);
        await addImage(db, staffOf(req), id, file?.bytes ?? null);
        return reply.redirect(`${courseHref(id)}?sent=saved`, 303);
      } catch (e) {
        if (!(e instanceof AppError) || e.code !== 'invalid_input') throw e;
        return coursePage(deps, f, id, refusedForm(f, e, 'image', 0, {}), 400);
      }
    });
    ethicsEditRoutes(scope, deps, { form, bankPage });
    onPage(`${ETHICS_PATH}/banks`, bankPage, '/items', 'item', async (f, id) => {
      await addItem(db, staffOf(f.req), id, f.body);
      return 'saved';
    });
  });
}
