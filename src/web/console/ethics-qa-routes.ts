// The ethics question service for every staff member of an agency: asking (a GET form, so it works
// with JavaScript off and the answer page can be linked), sending a question the knowledge base
// could not answer to the ethics officers (named or anonymous), and reading an anonymous answer
// with its code. Handlers parse, make one domain call, render.
import type { FastifyInstance } from 'fastify';
import { formatReceipt } from '../../crypto/receipt.ts';
import { QA_LIMITS } from '../../ethics/qa-limits.ts';
import { askQuestion, type Answer } from '../../ethics/qa-search.ts';
import { myQuestions, readByCode, sendQuestion } from '../../ethics/questions.ts';
import { ETHICS_ASK_PATH } from '../admin/nav.ts';
import type { WebDeps } from '../deps.ts';
import { asAppError } from '../errors.ts';
import { type Form, formOf, postForm } from '../form.ts';
import { sendPage } from '../render.ts';
import { requireStaff, staffOf } from '../staff-auth.ts';
import { refusedForm, staffFrame } from './staff-page.ts';

export const ETHICS_CODE_PATH = '/staff/ethics/answer';
type Refused = Record<string, unknown>;

/** What every page of the service shows besides its own data. */
export function ethicsCommon(deps: WebDeps, f: Form) {
  return { notice: null, alert: null, errors: {}, form: null, limits: QA_LIMITS, ...staffFrame(deps, f) };
}

async function askPage(deps: WebDeps, f: Form, refused: Refused = {}, status = 200) {
  const actor = staffOf(f.req);
  const q = f.query('q', QA_LIMITS.question + 1);
  let answer: Answer | null = null;
  let fault: Refused = {};
  if (q !== '' && !refused.alert) {
    try {
      answer = await askQuestion({ db: deps.db, actor, question: q });
    } catch (e) {
      fault = refusedForm(f, asAppError(e), 'ask', QA_LIMITS.question + 1, { q });
      status = 400;
    }
  }
  const mine = await myQuestions({ db: deps.db, actor });
  return sendPage(
    f.reply,
    f,
    'staff-ethics-ask',
    { title: f.t('ethics.qa.ask.title'), q, answer, mine, ...ethicsCommon(deps, f), ...fault, ...refused },
    status,
    status === 200,
  );
}

async function codePage(deps: WebDeps, f: Form, shown: Refused = {}, status = 200) {
  return sendPage(
    f.reply,
    f,
    'staff-ethics-code',
    { title: f.t('ethics.qa.code.title'), read: null, ...ethicsCommon(deps, f), ...shown },
    status,
    status === 200,
  );
}

/** The ask page, sending a question on, and reading an answer with a code. */
export function ethicsQaRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { config, db, secrets } = deps;
  const codeKeys = { kdf: config.kdf, receiptSalt: secrets.receiptSalt };
  const form = (req: Parameters<typeof formOf>[0], reply: Parameters<typeof formOf>[1]) =>
    formOf(req, reply, config.isSecureCookies);
  app.register(async (scope) => {
    scope.addHook('preHandler', requireStaff(db));
    scope.get(ETHICS_ASK_PATH, async (req, reply) => askPage(deps, form(req, reply)));
    scope.post(`${ETHICS_ASK_PATH}/send`, async (req, reply) => {
      const f = form(req, reply);
      const question = f.str('q', QA_LIMITS.question + 1);
      return postForm(
        f,
        async () => {
          const isAnonymous = f.str('anonymous', 3) === 'yes';
          const { code } = await sendQuestion({ db, actor: staffOf(req), question, isAnonymous }, codeKeys);
          return sendPage(reply, f, 'staff-ethics-sent', {
            title: f.t('ethics.qa.sent.title'),
            code: code ? formatReceipt(code) : null,
            ...ethicsCommon(deps, f),
          });
        },
        (error, status) => askPage(deps, f, refusedForm(f, error, 'send', QA_LIMITS.question + 1), status),
      );
    });
    scope.get(ETHICS_CODE_PATH, async (req, reply) => codePage(deps, form(req, reply)));
    scope.post(ETHICS_CODE_PATH, async (req, reply) => {
      const f = form(req, reply);
      return postForm(
        f,
        async () => {
          // Wrong codes spend the reader's own budget of wrong guesses (the per-account staff limit).
          const throttle = () => deps.limits.staffAccount.reserve(`ethics-code:${staffOf(req).id}`);
          const read = await readByCode({ db, code: f.str('code', QA_LIMITS.code), throttle }, codeKeys);
          return codePage(deps, f, { read });
        },
        (error, status) => codePage(deps, f, refusedForm(f, error, 'code', 0), status),
      );
    });
  });
}
