// The ethics officer's pages of the question service: the agency's knowledge base (documents,
// adding one, removing one, loading the shipped sample) and the inbox of questions sent on, with
// the answer form. Ethics officers of the agency only; another agency's document is not found.
import { channelKeys } from '../../channels/line/channel-key.ts';
import { lineAnswerDeliverer } from '../../channels/line/ethics-answer.ts';
import type { FastifyInstance } from 'fastify';
import { addDocument, listDocuments, loadDocument, loadSample, removeDocument } from '../../ethics/knowledge.ts';
import { officerAgency } from '../../ethics/qa-access.ts';
import { QA_LIMITS } from '../../ethics/qa-limits.ts';
import { answerQuestion, questionInbox } from '../../ethics/questions.ts';
import { KNOWLEDGE_KINDS } from '../../ethics/sample-knowledge.ts';
import type { WebDeps } from '../deps.ts';
import { type Form, formOf, postForm } from '../form.ts';
import { pathId } from '../input.ts';
import { sendPage } from '../render.ts';
import { requireStaff, staffOf } from '../staff-auth.ts';
import { ethicsCommon } from './ethics-qa-routes.ts';
import { noticeOf, refusedForm } from './staff-page.ts';

export const KNOWLEDGE_PATH = '/staff/ethics/knowledge';
export const QUESTIONS_PATH = '/staff/ethics/questions';
type Refused = Record<string, unknown>;
type FormOf = (req: Parameters<typeof formOf>[0], reply: Parameters<typeof formOf>[1]) => Form;

const KB_SENT: Readonly<Record<string, string>> = {
  sample: 'ethics.qa.kb.sample.done',
  added: 'ethics.qa.kb.added',
  removed: 'ethics.qa.kb.removed',
  answered: 'ethics.qa.inbox.answered',
};

async function knowledgePage(deps: WebDeps, f: Form, refused: Refused = {}, status = 200) {
  const documents = await listDocuments({ db: deps.db, actor: staffOf(f.req) });
  return sendPage(
    f.reply,
    f,
    'staff-ethics-knowledge',
    {
      title: f.t('ethics.qa.kb.title'),
      documents,
      kinds: KNOWLEDGE_KINDS,
      ...ethicsCommon(deps, f),
      notice: noticeOf(f, 'sent', KB_SENT),
      ...refused,
    },
    status,
    status === 200,
  );
}

async function documentPage(deps: WebDeps, f: Form, id: number) {
  const doc = await loadDocument({ db: deps.db, actor: staffOf(f.req), documentId: id });
  return sendPage(f.reply, f, 'staff-ethics-document', { title: doc.title, doc, ...ethicsCommon(deps, f) }, 200, true);
}

async function inboxPage(deps: WebDeps, f: Form, refused: Refused = {}, status = 200) {
  const inbox = await questionInbox({ db: deps.db, actor: staffOf(f.req) });
  return sendPage(
    f.reply,
    f,
    'staff-ethics-inbox',
    {
      title: f.t('ethics.qa.inbox.title'),
      ...inbox,
      ...ethicsCommon(deps, f),
      notice: noticeOf(f, 'sent', KB_SENT),
      ...refused,
    },
    status,
    status === 200,
  );
}

/** The knowledge base's pages and forms. */
function knowledgeRoutes(scope: FastifyInstance, deps: WebDeps, form: FormOf): void {
  const { db } = deps;
  scope.get(KNOWLEDGE_PATH, async (req, reply) => knowledgePage(deps, form(req, reply)));
  scope.post(KNOWLEDGE_PATH, async (req, reply) => {
    const f = form(req, reply);
    const draft = {
      kind: f.str('kind', 20),
      title: f.str('title', QA_LIMITS.title + 1),
      source: f.str('source', QA_LIMITS.source + 1),
      url: f.str('url', QA_LIMITS.url + 1).trim(),
      text: f.str('text', QA_LIMITS.text + 1),
    };
    return postForm(
      f,
      async () => {
        const id = await addDocument({ db, actor: staffOf(req), draft });
        return reply.redirect(`${KNOWLEDGE_PATH}/${id}?sent=added`, 303);
      },
      (error, status) => knowledgePage(deps, f, refusedForm(f, error, 'add', QA_LIMITS.text + 1), status),
    );
  });
  scope.post(`${KNOWLEDGE_PATH}/sample`, async (req, reply) => {
    const f = form(req, reply);
    return postForm(
      f,
      async () => {
        await loadSample({ db, actor: staffOf(req) });
        return reply.redirect(`${KNOWLEDGE_PATH}?sent=sample`, 303);
      },
      (error, status) => knowledgePage(deps, f, refusedForm(f, error, 'sample', 0), status),
    );
  });
  scope.get<{ Params: { id: string } }>(`${KNOWLEDGE_PATH}/:id`, async (req, reply) =>
    documentPage(deps, form(req, reply), pathId(req.params.id)),
  );
  scope.post<{ Params: { id: string } }>(`${KNOWLEDGE_PATH}/:id/remove`, async (req, reply) => {
    const f = form(req, reply);
    return postForm(
      f,
      async () => {
        await removeDocument({ db, actor: staffOf(req), documentId: pathId(req.params.id) });
        return reply.redirect(`${KNOWLEDGE_PATH}?sent=removed`, 303);
      },
      (error) => {
        throw error;
      },
    );
  });
}

/** The ethics officer's pages: the knowledge base and the inbox. */
export function ethicsKbRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { config, db } = deps;
  const form: FormOf = (req, reply) => formOf(req, reply, config.isSecureCookies);
  app.register(async (scope) => {
    scope.addHook('preHandler', requireStaff(db));
    // Ethics officers only, refused before anything is read.
    scope.addHook('preHandler', async (req) => {
      officerAgency(staffOf(req));
    });
    knowledgeRoutes(scope, deps, form);
    scope.get(QUESTIONS_PATH, async (req, reply) => inboxPage(deps, form(req, reply)));
    scope.post<{ Params: { id: string } }>(`${QUESTIONS_PATH}/:id`, async (req, reply) => {
      const f = form(req, reply);
      return postForm(
        f,
        async () => {
          const questionId = req.params.id.slice(0, 40);
          await answerQuestion({
            db,
            actor: staffOf(req),
            questionId,
            answer: f.str('answer', QA_LIMITS.answer + 1),
            deliver: config.line ? lineAnswerDeliverer(channelKeys(deps.secrets.channelKey)) : undefined,
          });
          return reply.redirect(`${QUESTIONS_PATH}?sent=answered`, 303);
        },
        (error, status) =>
          inboxPage(
            deps,
            f,
            { ...refusedForm(f, error, `answer-${req.params.id.slice(0, 40)}`, QA_LIMITS.answer + 1) },
            status,
          ),
      );
    });
  });
}
