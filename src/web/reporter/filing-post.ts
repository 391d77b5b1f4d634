// The reporter's filing forms (a report, a complaint, a late permit): the form page, and its POST:
// the filing cost's admission before any file is stored, the multipart form read as it streams in,
// one domain call (fileForm), then the receipt page. A refused or failed post, and the form's
// language switch, show the form again with everything typed; nothing typed is ever stored cut.
// They answer 303 to the form's own page, which shows what was typed and the error from a one-time
// record that only this browser can open (intake/form-return.ts): reloading that page, or going
// back to it after a later filing, shows it again and never asks to send the form again. With the
// database down (no record can be written) the post's own answer gives the form back instead.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { agenciesForForm } from '../../agencies/list-agencies.ts';
import type { AppError } from '../../errors.ts';
import type { T } from '../../i18n/messages.ts';
import { checkForm, fileForm, type FormKind } from '../../intake/file-form.ts';
import { TEXT_LIMITS } from '../../intake/limits.ts';
import { newDraft } from '../../intake/submit-report.ts';
import type { WebDeps } from '../deps.ts';
import { asAppError, statusOf } from '../errors.ts';
import { filingPost, freshFiling, sendFilingHeaders, type FilingGivenBack } from '../filing-form.ts';
import { formOf, isOwnPost, postForm, str } from '../form.ts';
import { clearBack, giveBack, takeBack, type BackPlace } from '../form-back.ts';
import { fileParamsOf, formShown, readMultipartForm } from '../multipart-form.ts';
import { sendPage } from '../render.ts';
import { redirectToReceipt, revealOf } from './receipt-routes.ts';

/** What was typed, each field cut to its longest accepted length (never stored cut: only shown back). */
export function typedValues(fields: Record<string, unknown>, names: readonly string[]): Record<string, string> {
  return Object.fromEntries(names.map((k) => [k, str(fields[k], TEXT_LIMITS.what)]));
}

/** A filing form given back: what was typed, the error (null: none), whether files must be chosen again, the cost. */
export type Shown = {
  values: Record<string, string>;
  error: AppError | null;
  status: number;
  reselect: boolean;
  filing: FilingGivenBack;
};

/**
 * A filing form page: its view, its address (where the form posts, and the page a refused post
 * redirects to), its form's id (for the language switch once it comes back) and its own data.
 */
export type FilingPage = { view: string; action: string; formId: string; data: (t: T) => Record<string, unknown> };

/** Where the page's refused form comes back: the form's own address. */
const placeOf = (page: FilingPage): BackPlace => ({
  page: page.action,
  path: new URL(page.action, 'http://x').pathname,
  name: page.action,
});

/** The form given back after a post (form-back.ts); `isOwnForm`: the post came from this browser's page. */
function giveFormBack(
  req: FastifyRequest,
  reply: FastifyReply,
  deps: WebDeps,
  page: FilingPage,
  shown: Shown,
  isOwnForm: boolean,
): Promise<FastifyReply> {
  return giveBack(req, reply, deps, {
    place: placeOf(page),
    back: shown,
    isOwnForm,
    inPlace: () => showFilingForm(req, reply, deps, page, shown),
  });
}

/** The form, fresh (`shown` absent) or given back after a post with what was typed. */
export async function showFilingForm(
  req: FastifyRequest,
  reply: FastifyReply,
  deps: WebDeps,
  page: FilingPage,
  shown?: Shown,
): Promise<FastifyReply> {
  const f = formOf(req, reply, deps.config.isSecureCookies);
  if (!shown && req.method === 'GET') shown = (await takeBack<Shown>(req, deps, placeOf(page))) ?? undefined;
  if (shown) sendFilingHeaders(reply, shown.filing);
  const values = shown?.values ?? {};
  // With the database down, a returned form still offers the agency the person chose, so that
  // nothing typed is lost; a fresh form needs the list and answers 503.
  const agencies = await agenciesForForm(deps.db, values.agency);
  const fileParams = fileParamsOf(deps.config);
  const { error = null, reselect = false, filing } = shown ?? {};
  return sendPage(
    reply,
    f,
    page.view,
    {
      ...page.data(f.t),
      csrf: f.csrf(),
      formId: page.formId,
      agencies,
      ...formShown(f.t, fileParams, values, error, reselect, filing?.alertParams),
      filing: filing?.filing ?? (await freshFiling(deps.filingGate, reply)),
    },
    shown?.status ?? 200,
    shown ? { form: page.formId } : undefined,
  );
}

export async function postFiling(
  req: FastifyRequest,
  reply: FastifyReply,
  deps: WebDeps,
  { kind, fields, page }: { kind: FormKind; fields: readonly string[]; page: FilingPage },
): Promise<FastifyReply> {
  const { config, db, secrets } = deps;
  const gate = await filingPost(deps.filingGate);
  const f = formOf(req, reply, config.isSecureCookies);
  if (f.isLangSwitch) {
    // The text fields only (url-encoded): the form again in the other language; nothing is filed.
    const typed = typedValues(f.body, fields);
    const isOwnForm = isOwnPost(f);
    const again = (error: AppError | null, status: number) =>
      giveFormBack(
        req,
        reply,
        deps,
        page,
        {
          values: typed,
          error,
          status,
          reselect: false,
          filing: gate.shown({ ticket: str(f.body.ticket, 200) }, error),
        },
        isOwnForm,
      );
    return postForm(
      f,
      () => reply,
      again,
      () => checkForm(kind, typed),
    );
  }
  const draft = newDraft();
  const form = await readMultipartForm(req, {
    db,
    caseKey: draft.caseKey,
    maxFileBytes: config.maxFileBytes,
    maxReportBytes: config.maxReportBytes,
    beforeFiles: gate.beforeFiles,
  });
  const again = (error: AppError) =>
    giveFormBack(
      req,
      reply,
      deps,
      page,
      {
        values: typedValues(form.fields, fields),
        error,
        status: statusOf(error),
        reselect: form.sawFiles,
        filing: gate.shown(form.fields, error),
      },
      form.isOwnForm,
    );
  if (form.error) return again(form.error);
  try {
    const done = await fileForm({
      db,
      kdf: config.kdf,
      receiptSalt: secrets.receiptSalt,
      draft,
      kind,
      fields: form.fields,
      files: form.files,
      channel: 'web',
      ticket: gate.use(),
      reveal: revealOf(kind === 'tip' ? 'report' : 'complaint', draft.caseId, form.files),
    });
    // Committed, with the receipt page's record: only now may the code be shown, and a reload of
    // that page shows it again instead of filing again. The form's own page is fresh again: its
    // record of an earlier refusal goes (it would go by itself within REVEAL_MINUTES).
    await clearBack(req, reply, deps, placeOf(page));
    return redirectToReceipt(reply, done.revealCookie, config.isSecureCookies);
  } catch (e) {
    const err = asAppError(e);
    if (err.code === 'internal') req.log.error({ err: { message: (e as Error).message } }, 'filing failed');
    return again(err);
  }
}
