// A witness's one-time invitation: the statement form, then a receipt of their own (the receipt
// page), with which they follow their own thread on the follow-up page. Same rules as every
// reporter page: no request log, nothing about the client, a plain form. A refused statement comes
// back on the invitation's page (form-back.ts).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { giveStatement, openInvitation } from '../../cases/witnesses.ts';
import type { AppError } from '../../errors.ts';
import { TEXT_LIMITS } from '../../intake/limits.ts';
import { validateMessage } from '../../intake/validate-report.ts';
import type { WebDeps } from '../deps.ts';
import { asAppError, statusOf } from '../errors.ts';
import { errorView, formOf, isOwnPost, postForm } from '../form.ts';
import { clearBack, giveBack, takeBack, type BackPlace } from '../form-back.ts';
import { fileParamsOf, readMultipartForm } from '../multipart-form.ts';
import { sendPage } from '../render.ts';
import { redirectToReceipt, revealOf } from './receipt-routes.ts';

type TokenParams = { Params: { token: string } };
/** A statement given back: what was typed, why it was refused, whether files must be chosen again. */
type StatementBack = { error: AppError | null; draft: string; reselect: boolean; status: number };
const FORM_ID = 'statement-form';

export function witnessRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { config, db, secrets } = deps;
  const fileParams = fileParamsOf(config);

  /** The invitation's page, where a refused statement comes back (form-back.ts). */
  const placeOf = (req: FastifyRequest<TokenParams>): BackPlace => {
    const page = `/witness/${encodeURIComponent(req.params.token)}`;
    return { page, path: page, name: page };
  };

  /** The statement form, fresh or given back (`back`) with what was typed and why it was refused. */
  const showForm = async (req: FastifyRequest<TokenParams>, reply: FastifyReply, back?: StatementBack | null) => {
    const f = formOf(req, reply, config.isSecureCookies);
    const data = {
      title: f.t('witness.statement.title'),
      csrf: f.csrf(),
      formId: FORM_ID,
      action: `/witness/${encodeURIComponent(req.params.token)}`,
      maxMessage: TEXT_LIMITS.message,
      fileParams,
      draft: back?.draft ?? '',
      reselect: back?.reselect ?? false,
      ...errorView(f, back?.error ?? null, fileParams),
    };
    return sendPage(reply, f, 'witness-statement', data, back?.status ?? 200, back ? { form: FORM_ID } : undefined);
  };

  app.get<TokenParams>('/witness/:token', async (req, reply) => {
    await openInvitation(db, req.params.token);
    return showForm(req, reply, await takeBack<StatementBack>(req, deps, placeOf(req)));
  });
  const giveFormBack = (
    req: FastifyRequest<TokenParams>,
    reply: FastifyReply,
    back: StatementBack,
    isOwnForm: boolean,
  ) => giveBack(req, reply, deps, { place: placeOf(req), back, isOwnForm, inPlace: () => showForm(req, reply, back) });

  app.post<TokenParams>('/witness/:token', async (req, reply) => {
    const invitation = await openInvitation(db, req.params.token);
    const f = formOf(req, reply, config.isSecureCookies);
    if (f.isLangSwitch) {
      // The text only (url-encoded, files left out): the form again in the other language.
      const draft = f.str('statement', TEXT_LIMITS.message);
      const isOwnForm = isOwnPost(f);
      return postForm(
        f,
        () => reply,
        (error, status) => giveFormBack(req, reply, { error, draft, reselect: false, status }, isOwnForm),
        () => validateMessage(draft, false, 'statement'),
      );
    }
    const form = await readMultipartForm(req, {
      db,
      caseKey: invitation.key,
      maxFileBytes: config.maxFileBytes,
      maxReportBytes: config.maxReportBytes,
    });
    try {
      if (form.error) throw form.error;
      const { revealCookie } = await giveStatement({
        db,
        kdf: config.kdf,
        receiptSalt: secrets.receiptSalt,
        invitation,
        text: form.fields.statement,
        files: form.files,
        reveal: revealOf('witness', invitation.caseId, form.files),
      });
      await clearBack(req, reply, deps, placeOf(req));
      return redirectToReceipt(reply, revealCookie, config.isSecureCookies);
    } catch (e) {
      const error = asAppError(e);
      if (error.code === 'not_found' || error.code === 'internal') throw e;
      const draft = (form.fields.statement ?? '').slice(0, TEXT_LIMITS.message);
      const back = { error, draft, reselect: form.sawFiles, status: statusOf(error) };
      return giveFormBack(req, reply, back, form.isOwnForm);
    }
  });
}
