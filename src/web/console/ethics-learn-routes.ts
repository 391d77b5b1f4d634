// Taking an ethics course (any staff member of the agency), built for a phone with JavaScript off:
// the courses offered, a course's page (where the learner stands, the lessons, the tests, the
// certificate), a lesson, a test one question a page (each answer kept by its POST, then a
// redirect), the review and submission (once, however often posted), the result with each option's
// feedback, and the certificate's PDF. Another person's attempt or another agency's course is not found.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { issueCertificate, ownCertificate } from '../../ethics/certificate.ts';
import { AppError } from '../../errors.ts';
import { imageFor, notFound } from '../../ethics/courses.ts';
import { ETHICS_CERTIFICATE_PDF, renderEthicsCertificatePdf } from '../../ethics/certificate-pdf.ts';
import { renderLesson } from '../../ethics/markdown.ts';
import {
  isTestKind,
  learnerCourse,
  learnerCourses,
  learnerLesson,
  ownAttempt,
  saveAnswer,
  startAttempt,
  submitAttempt,
} from '../../ethics/taking.ts';
import { hasRole } from '../../staff/session.ts';
import type { WebDeps } from '../deps.ts';
import { type Form, formOf, postForm } from '../form.ts';
import { pathId } from '../input.ts';
import { sendPage } from '../render.ts';
import { requireStaff, staffOf } from '../staff-auth.ts';
import { ETHICS_PATH } from './ethics-routes.ts';
import { noticeOf, refusedForm, staffFrame } from './staff-page.ts';

const learnHref = (id: number) => `${ETHICS_PATH}/learn/${id}`;
const attemptHref = (id: number) => `${ETHICS_PATH}/attempts/${id}`;
const SENT: Readonly<Record<string, string>> = { certificate: 'ethics.certificate.issued' };
type Refused = Record<string, unknown>;
type Params = { Params: { id: string; n?: string } };

const common = (deps: WebDeps, f: Form) => ({
  notice: noticeOf(f, 'sent', SENT),
  alert: null,
  errors: {},
  form: null,
  ...staffFrame(deps, f),
});

async function homePage(deps: WebDeps, f: Form): Promise<FastifyReply> {
  const actor = staffOf(f.req);
  const courses = await learnerCourses(deps.db, actor);
  const isOfficer = hasRole(actor, 'ethics_officer');
  return sendPage(f.reply, f, 'staff-ethics', { title: f.t('ethics.title'), courses, isOfficer, ...common(deps, f) });
}

async function coursePage(
  deps: WebDeps,
  f: Form,
  id: number,
  refused: Refused = {},
  status = 200,
): Promise<FastifyReply> {
  const data = await learnerCourse(deps.db, staffOf(f.req), id);
  const title = f.lang === 'th' ? data.course.title_th : data.course.title_en;
  return sendPage(
    f.reply,
    f,
    'staff-ethics-learn',
    { title, ...data, href: learnHref(id), shownName: staffOf(f.req).email, ...common(deps, f), ...refused },
    status,
  );
}

async function lessonPage(deps: WebDeps, f: Form, id: number, n: number): Promise<FastifyReply> {
  const data = await learnerLesson(deps.db, staffOf(f.req), id, n);
  const l = data.lesson;
  const html = renderLesson(f.lang === 'th' ? l.body_th : l.body_en);
  return sendPage(f.reply, f, 'staff-ethics-lesson', {
    title: f.lang === 'th' ? l.title_th : l.title_en,
    ...data,
    html,
    href: learnHref(id),
    ...common(deps, f),
  });
}

async function questionPage(
  deps: WebDeps,
  f: Form,
  id: number,
  n: number,
  refused: Refused = {},
  status = 200,
): Promise<FastifyReply> {
  const { attempt, course, items } = await ownAttempt(deps.db, staffOf(f.req), id);
  if (attempt.submitted_at) return f.reply.redirect(attemptHref(id), 303);
  const item = items.find((i) => i.position === n);
  if (!item) throw notFound();
  const data = {
    attempt,
    course,
    item,
    total: items.length,
    chosen: attempt.answers[String(n)] ?? [],
    href: `${attemptHref(id)}/q/${n}`,
  };
  return sendPage(
    f.reply,
    f,
    'staff-ethics-question',
    { title: f.t(`ethics.${attempt.test}`), ...data, ...common(deps, f), ...refused },
    status,
  );
}

async function attemptPage(deps: WebDeps, f: Form, id: number): Promise<FastifyReply> {
  const actor = staffOf(f.req);
  const data = await ownAttempt(deps.db, actor, id);
  // A post-test's correct options show once they can no longer help another attempt.
  const s = (await learnerCourse(deps.db, actor, data.course.id)).standing;
  const reveal =
    data.attempt.test === 'pre' ||
    s.passed ||
    (s.mayStartPost?.ok === false && s.mayStartPost.reason === 'no_attempts_left');
  return sendPage(f.reply, f, 'staff-ethics-attempt', {
    title: f.t(`ethics.${data.attempt.test}`),
    ...data,
    reveal,
    href: attemptHref(id),
    courseHref: learnHref(data.course.id),
    ...common(deps, f),
  });
}

/** The learner's pages and forms (every staff member). */
export function ethicsLearnRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { config, db } = deps;
  app.register(async (scope) => {
    scope.addHook('preHandler', requireStaff(db));
    const form = (req: Parameters<typeof formOf>[0], reply: Parameters<typeof formOf>[1]) =>
      formOf(req, reply, config.isSecureCookies);
    scope.get(ETHICS_PATH, async (req, reply) => homePage(deps, form(req, reply)));
    scope.get<Params>(`${ETHICS_PATH}/learn/:id`, async (req, reply) =>
      coursePage(deps, form(req, reply), pathId(req.params.id)),
    );
    scope.get<Params>(`${ETHICS_PATH}/learn/:id/lessons/:n`, async (req, reply) =>
      lessonPage(deps, form(req, reply), pathId(req.params.id), pathId(req.params.n ?? '')),
    );
    scope.get<Params>(`${ETHICS_PATH}/attempts/:id`, async (req, reply) =>
      attemptPage(deps, form(req, reply), pathId(req.params.id)),
    );
    scope.get<Params>(`${ETHICS_PATH}/attempts/:id/q/:n`, async (req, reply) =>
      questionPage(deps, form(req, reply), pathId(req.params.id), pathId(req.params.n ?? '')),
    );
    scope.get<Params>(`${ETHICS_PATH}/images/:id`, async (req, reply) => {
      const image = await imageFor(db, staffOf(req), pathId(req.params.id));
      return reply
        .type(image.mime)
        .header('cache-control', 'private, max-age=3600')
        .header('x-content-type-options', 'nosniff')
        .send(image.data);
    });
    scope.get<Params>(`${ETHICS_PATH}/learn/:id/certificate.pdf`, async (req, reply) => {
      const cert = await ownCertificate(db, staffOf(req), pathId(req.params.id));
      const pdf = await renderEthicsCertificatePdf(cert, config.publicUrl);
      return reply
        .type('application/pdf')
        .header('cache-control', 'no-store')
        .header('content-disposition', `attachment; filename="${ETHICS_CERTIFICATE_PDF}"`)
        .send(pdf);
    });
    learnForms(scope, deps, form);
  });
}

type FormOf = (req: Parameters<typeof formOf>[0], reply: Parameters<typeof formOf>[1]) => Form;

/** Starting a test, answering a question, submitting, asking for the certificate. */
function learnForms(scope: FastifyInstance, deps: WebDeps, form: FormOf): void {
  const { db } = deps;
  const onCourse = (path: string, name: string, act: (f: Form, id: number) => Promise<string>) =>
    scope.post<Params>(`${ETHICS_PATH}/learn/:id/${path}`, async (req, reply) => {
      const f = form(req, reply);
      const id = pathId(req.params.id);
      return postForm(
        f,
        async () => reply.redirect(await act(f, id), 303),
        (error, status) => coursePage(deps, f, id, refusedForm(f, error, name, 200), status),
      );
    });
  onCourse('start', 'start', async (f, id) => {
    const test = f.body.test;
    if (!isTestKind(test)) throw new AppError('invalid_input', 'no such test', 'error.bad_request');
    const attempt = await startAttempt(db, staffOf(f.req), id, test);
    return `${attemptHref(attempt)}/q/1`;
  });
  onCourse('certificate', 'certificate', async (f, id) => {
    await issueCertificate(db, staffOf(f.req), id, f.body.shownName);
    return `${learnHref(id)}?sent=certificate`;
  });
  scope.post<Params>(`${ETHICS_PATH}/attempts/:id/q/:n`, async (req, reply) => {
    const f = form(req, reply);
    const id = pathId(req.params.id);
    const n = pathId(req.params.n ?? '');
    return postForm(
      f,
      async () => {
        await saveAnswer(db, staffOf(req), id, n, f.body.answer);
        const go = f.body.go;
        const to = go === 'prev' ? `q/${Math.max(1, n - 1)}` : go === 'next' ? `q/${n + 1}` : 'review';
        return reply.redirect(`${attemptHref(id)}${to === 'review' ? '' : `/${to}`}`, 303);
      },
      async (error, status) => {
        if (error?.userMessage === 'ethics.error.submitted') return reply.redirect(attemptHref(id), 303);
        return questionPage(deps, f, id, n, refusedForm(f, error, 'answer', 20), status);
      },
    );
  });
  scope.post<Params>(`${ETHICS_PATH}/attempts/:id/submit`, async (req, reply) => {
    const f = form(req, reply);
    const id = pathId(req.params.id);
    return postForm(
      f,
      async () => {
        await submitAttempt(db, staffOf(req), id);
        return reply.redirect(attemptHref(id), 303);
      },
      async (error) => {
        throw error ?? new Error('submit');
      },
    );
  });
}
