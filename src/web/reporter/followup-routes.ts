// The one page of a code holder: a reporter, a complainant, or a witness with a code of their own.
// The tracking code opens it (/followup; /status, the address complainants and LINE links know),
// then the page shows the status, what happens next and by when, how a complaint ended, the
// history, the conversation with the officers and what was sent, and takes a reply and, once the
// case is closed, a rating. No request is logged, no client address or agent is read; the session
// is a sealed cookie (intake/reporter-session.ts) and every step is a plain form. A refused reply or
// rating comes back on the page after a redirect (form-back.ts).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../errors.ts';
import type { T } from '../../i18n/messages.ts';
import type { MessageView } from '../../intake/case-view.ts';
import { loadFollowup } from '../../intake/followup.ts';
import { TEXT_LIMITS } from '../../intake/limits.ts';
import { rateCase, validateRating } from '../../intake/rate-case.ts';
import { replyAsReporter } from '../../intake/reply-as-reporter.ts';
import {
  checkSessionCaseTag,
  issueReporterToken,
  openReporterSession,
  readReporterToken,
  REPORTER_SESSION_MINUTES,
  revokeReporterToken,
  sessionCaseTag,
  type ReporterSession,
} from '../../intake/reporter-session.ts';
import { validateMessage } from '../../intake/validate-report.ts';
import { checkCsrf } from '../csrf.ts';
import type { WebDeps } from '../deps.ts';
import { sendDownload } from '../download.ts';
import { asAppError, replyStatus, statusOf } from '../errors.ts';
import { errorView, formOf, isOwnPost, postForm, type Form } from '../form.ts';
import { clearBack, giveBack, takeBack, type Back, type BackPlace } from '../form-back.ts';
import { fileParamsOf, readMultipartForm } from '../multipart-form.ts';
import { sendPage, type LangSwitch } from '../render.ts';

export const REPORTER_COOKIE = 'sj_reporter';
export const CASE_PATH = '/followup/case';

/** Staff appear to the reporter by role only. */
export function reporterAuthor(t: T, m: MessageView): string {
  return m.authorKind === 'reporter' ? t('followup.you') : t(`role.${m.authorRole ?? 'intake_officer'}`);
}

/**
 * The two addresses of the code form. `/followup` takes any code, a witness's too; `/status` (the
 * address of the complaint pages and of LINE links, `?code=` included) takes the codes of cases
 * only and spends the tracking-code limit, as it always did.
 */
type Door = { path: '/followup' | '/status'; field: 'receipt' | 'code'; isCaseOnly: boolean };
const DOORS: Door[] = [
  { path: '/followup', field: 'receipt', isCaseOnly: false },
  { path: '/status', field: 'code', isCaseOnly: true },
];

/** A reply or a rating refused, given back on the case page: the error, what was typed, the form's id. */
type FormBack = {
  form: 'reply-form' | 'rating-form';
  error: AppError | null;
  typed: Record<string, string>;
  /** Files came with the refused reply: they must be chosen again. */
  reselect?: boolean;
};

/** A reply or rating given back on the case page after a redirect (form-back.ts), with its status. */
type CaseBack = FormBack & Back;

/** The case page, where a refused reply or rating comes back: the record names the session's case. */
const placeOf = (deps: WebDeps, s: ReporterSession): BackPlace => ({
  page: CASE_PATH,
  path: CASE_PATH,
  name: `${CASE_PATH}#${sessionCaseTag(deps.secrets.cookieKey, s)}`,
});

/** A refused reply or rating: given back on the case page (or in the post's answer; see form-back.ts). */
function giveCaseBack(deps: WebDeps, f: Form, s: ReporterSession, back: CaseBack, isOwnForm: boolean) {
  return giveBack(f.req, f.reply, deps, {
    place: placeOf(deps, s),
    back,
    isOwnForm,
    inPlace: () => showCase(deps, f, s, { back, status: back.status }),
  });
}

const formFor = (deps: WebDeps, req: FastifyRequest, reply: FastifyReply) =>
  formOf(req, reply, deps.config.isSecureCookies);
const sessionOf = (deps: WebDeps, req: FastifyRequest): Promise<ReporterSession | null> =>
  readReporterToken(deps.db, deps.secrets.cookieKey, req.cookies[REPORTER_COOKIE]);

/** The code form, with the code's fault on its field (a code typed is never shown back). */
function loginPage(f: Form, door: Door, error: AppError | null, status: number): FastifyReply {
  const { alert } = errorView(f, error);
  const isOnField = error !== null && (error.code === 'unauthorized' || error.code === 'invalid_input');
  const data = {
    title: f.t('followup.title'),
    csrf: f.csrf(),
    action: door.path,
    field: door.field,
    maxReceipt: TEXT_LIMITS.receipt,
    alert,
    errors: isOnField ? { [door.field]: error.userMessage } : {},
  };
  return sendPage(f.reply, f, 'followup-login', data, status, { href: door.path });
}

/** Opens the case of a code and gives the browser the session cookie. */
async function logIn(deps: WebDeps, reply: FastifyReply, door: Door, code: string): Promise<ReporterSession> {
  const { config, db, secrets } = deps;
  const s = await openReporterSession({
    db,
    kdf: config.kdf,
    receiptSalt: secrets.receiptSalt,
    throttle: door.isCaseOnly ? deps.limits.tracking : deps.limits.receipt,
    receipt: code,
    isCaseOnly: door.isCaseOnly,
  });
  reply.setCookie(REPORTER_COOKIE, issueReporterToken(secrets.cookieKey, s), {
    path: '/followup',
    httpOnly: true,
    sameSite: 'strict',
    secure: config.isSecureCookies,
    maxAge: REPORTER_SESSION_MINUTES * 60,
  });
  return s;
}

/** The one page: the case (or a witness's own thread), with a refused reply or rating given back. */
async function showCase(
  deps: WebDeps,
  f: Form,
  s: ReporterSession,
  { back = null, status = 200, lang }: { back?: FormBack | null; status?: number; lang?: LangSwitch } = {},
): Promise<FastifyReply> {
  const page = await loadFollowup({ db: deps.db, session: s });
  const fileParams = fileParamsOf(deps.config);
  const notice =
    f.query('sent', 1) === '1' ? 'followup.sent' : f.query('rated', 1) === '1' ? 'tracking.rating.thanks' : null;
  const common = {
    csrf: f.csrf(),
    caseTag: sessionCaseTag(deps.secrets.cookieKey, s),
    fileHref: (file: { id: string }) => `${CASE_PATH}/attachments/${file.id}`,
    author: (m: MessageView) => reporterAuthor(f.t, m),
    maxMessage: TEXT_LIMITS.message,
    maxComment: TEXT_LIMITS.ratingComment,
    fileParams,
    notice: notice && f.t(notice),
    back: back && { ...back, reselect: back.reselect ?? false, ...errorView(f, back.error, fileParams) },
  };
  // A refused rating of a case that cannot be rated (not closed, rated already) has no form left to post.
  const hasForm = back?.form === 'reply-form' || (page.kind === 'case' && page.canRate);
  const switchTo = lang ?? (back ? (hasForm ? { form: back.form } : { href: CASE_PATH }) : undefined);
  if (page.kind === 'witness') {
    const data = { title: f.t('witness.title'), messages: page.messages, ...common };
    return sendPage(f.reply, f, 'witness-case', data, status, switchTo);
  }
  const data = { title: `${f.t('followup.case.title')} ${page.view.reference}`, ...page, c: page.view, ...common };
  return sendPage(f.reply, f, 'followup-case', data, status, switchTo);
}

/** The code form at both addresses, and `/status?code=` links. */
function doorRoutes(app: FastifyInstance, deps: WebDeps): void {
  for (const door of DOORS) {
    app.get(door.path, async (req, reply) => {
      const f = formFor(deps, req, reply);
      const code = f.query('code', TEXT_LIMITS.receipt);
      if (!door.isCaseOnly || code === '') return loginPage(f, door, null, 200);
      // A link with the code (sent on LINE): the page at once, from another app too (no redirect
      // that a SameSite cookie would not follow); its language switch goes to the case page.
      try {
        return await showCase(deps, f, await logIn(deps, reply, door, code), { lang: { href: CASE_PATH } });
      } catch (e) {
        const err = asAppError(e);
        if (err.code === 'internal') throw e;
        return loginPage(f, door, err, replyStatus(reply, err));
      }
    });
    app.post(door.path, async (req, reply) => {
      const f = formFor(deps, req, reply);
      return postForm(
        f,
        async () => {
          await logIn(deps, reply, door, f.str(door.field, TEXT_LIMITS.receipt));
          return reply.redirect(CASE_PATH, 303);
        },
        (error, status) => loginPage(f, door, error, error ? replyStatus(reply, error) : status),
      );
    });
  }
}

/** A reply with files (multipart); its language switch posts the text only (url-encoded). */
async function postReply(deps: WebDeps, req: FastifyRequest, reply: FastifyReply, s: ReporterSession) {
  const f = formFor(deps, req, reply);
  if (f.isLangSwitch) {
    const typed = { message: f.str('message', TEXT_LIMITS.message) };
    const isOwnForm = isOwnPost(f);
    return postForm(
      f,
      () => reply,
      (error, status) => giveCaseBack(deps, f, s, { form: 'reply-form', error, typed, status }, isOwnForm),
      () => validateMessage(typed.message, false),
    );
  }
  const { config, db } = deps;
  const posted = await readMultipartForm(req, {
    db,
    caseKey: s.keys.content,
    maxFileBytes: config.maxFileBytes,
    maxReportBytes: config.maxReportBytes,
  });
  try {
    if (posted.error) throw posted.error;
    checkSessionCaseTag(deps.secrets.cookieKey, s, posted.fields._case);
    await replyAsReporter({ db, session: s, text: posted.fields.message, files: posted.files });
    await clearBack(req, reply, deps, placeOf(deps, s));
    return reply.redirect(`${CASE_PATH}?sent=1`, 303);
  } catch (e) {
    const error = asAppError(e);
    if (error.code === 'internal') throw e;
    const typed = { message: (posted.fields.message ?? '').slice(0, TEXT_LIMITS.message) };
    const back: CaseBack = { form: 'reply-form', error, typed, reselect: posted.sawFiles, status: statusOf(error) };
    return giveCaseBack(deps, f, s, back, posted.isOwnForm);
  }
}

/** The rating of a closed case, from its page. */
function postRating(deps: WebDeps, req: FastifyRequest, reply: FastifyReply, s: ReporterSession) {
  if (s.witnessId) throw new AppError('not_found', 'a witness rates nothing', 'error.not_found');
  const f = formFor(deps, req, reply);
  const typed = { score: f.str('score', 2), comment: f.str('comment', TEXT_LIMITS.ratingComment) };
  const isOwnForm = isOwnPost(f);
  return postForm(
    f,
    async () => {
      checkSessionCaseTag(deps.secrets.cookieKey, s, f.body._case);
      await rateCase({ db: deps.db, caseId: s.caseId, score: f.body.score, comment: f.body.comment, channel: 'web' });
      await clearBack(req, reply, deps, placeOf(deps, s));
      return reply.redirect(`${CASE_PATH}?rated=1`, 303);
    },
    (error, status) => giveCaseBack(deps, f, s, { form: 'rating-form', error, typed, status }, isOwnForm),
    () => validateRating(typed.score, typed.comment),
  );
}

/** The case page and what it posts; without a session, every one of them sends to the code form. */
function caseRoutes(app: FastifyInstance, deps: WebDeps): void {
  const withSession =
    (handle: (req: FastifyRequest, reply: FastifyReply, s: ReporterSession) => Promise<FastifyReply> | FastifyReply) =>
    async (req: FastifyRequest, reply: FastifyReply) => {
      const s = await sessionOf(deps, req);
      // An expired session gets the code form: nothing posted is stored anywhere.
      return s ? handle(req, reply, s) : reply.redirect('/followup', 303);
    };
  app.get(
    CASE_PATH,
    withSession(async (req, reply, s) => {
      const back = await takeBack<CaseBack>(req, deps, placeOf(deps, s));
      return showCase(deps, formFor(deps, req, reply), s, back ? { back, status: back.status } : {});
    }),
  );
  app.post(
    `${CASE_PATH}/messages`,
    withSession((req, reply, s) => postReply(deps, req, reply, s)),
  );
  app.post(
    `${CASE_PATH}/rating`,
    withSession((req, reply, s) => postRating(deps, req, reply, s)),
  );
  app.get<{ Params: { id: string } }>(
    `${CASE_PATH}/attachments/:id`,
    withSession((req, reply, s) => {
      const attachmentId = (req.params as { id: string }).id;
      return sendDownload(reply, { db: deps.db, caseId: s.caseId, caseKey: s.keys.content, attachmentId });
    }),
  );
}

export function followupRoutes(app: FastifyInstance, deps: WebDeps): void {
  doorRoutes(app, deps);
  caseRoutes(app, deps);
  app.post('/followup/logout', async (req, reply) => {
    checkCsrf(req, formFor(deps, req, reply).body._csrf);
    // The cookie may have been copied: the token itself is refused from now on, not just forgotten.
    await revokeReporterToken(deps.db, deps.secrets.cookieKey, req.cookies[REPORTER_COOKIE]);
    reply.clearCookie(REPORTER_COOKIE, { path: '/followup' });
    return reply.redirect('/', 303);
  });
}
