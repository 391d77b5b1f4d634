// The case page (views/staff-case.eta): what the domain gives (cases/case-page.ts) with what the
// view needs to show it: the clocks' states, who wrote what, the file links, and after a refused
// action which form it was, what was typed, the error summary and the field messages.
import { dueState } from '../../agencies/deadlines.ts';
import { type CasePage, loadCasePage } from '../../cases/case-page.ts';
import { MAX_REASON } from '../../cases/workflow.ts';
import { COMPLAINT_OUTCOMES, CONCLUSIONS, SCREENING_OUTCOMES } from '../../db/schema.ts';
import type { AppError } from '../../errors.ts';
import type { MessageView } from '../../intake/case-view.ts';
import { isComplaintCategory, PERMIT_CATEGORY, TEXT_LIMITS } from '../../intake/limits.ts';
import type { WebDeps } from '../deps.ts';
import { errorView, type Form } from '../form.ts';
import { sendPage } from '../render.ts';
import { staffOf } from '../staff-auth.ts';
import { staffFrame } from './frame.ts';

export const caseHref = (ref: string) => `/staff/cases/${encodeURIComponent(ref)}`;

/** A case's kind from its category, for the metadata view (categories are fixed per kind). */
const kindOfCategory = (category: string) =>
  category === PERMIT_CATEGORY ? 'permit' : isComplaintCategory(category) ? 'complaint' : 'tip';

/** What the page shows besides the case: a refused action (its form's name and what was typed), a notice, a link. */
export type CaseExtra = {
  error?: AppError | null;
  form?: ({ name: string } & Record<string, string>) | null;
  notice?: string | null;
  invitationLink?: string | null;
  /** The summary's text when it needs more than the error's message (the file limits). */
  alert?: string;
};

/** The view's data for a loaded case page. */
function present(f: Form, page: CasePage) {
  const { meta, view, access } = page;
  const href = caseHref(meta.reference);
  return {
    title: meta.reference,
    ...page,
    c: view,
    metaKind: view?.kind ?? kindOfCategory(meta.category),
    witnesses: view?.witnesses ?? [],
    canNote: view !== null,
    screeningOutcomes: SCREENING_OUTCOMES,
    conclusions: CONCLUSIONS,
    complaintOutcomes: COMPLAINT_OUTCOMES,
    clocks: [
      { key: 'ack', due: meta.ackDueAt },
      { key: 'reply', due: meta.replyDueAt },
      { key: 'feedback', due: meta.feedbackDueAt },
    ].map((k) => ({ ...k, state: dueState(k.due, meta.pausedAt, new Date()) })),
    author: (m: MessageView) =>
      m.authorKind === 'reporter' ? f.t('staff.reporter') : f.t(`role.${m.authorRole ?? 'intake_officer'}`),
    who: (userId: number | null) =>
      access.find((a) => a.userId === userId)?.email ?? (userId === null ? '' : `#${userId}`),
    fileHref: (file: { id: string }) => `${href}/attachments/${file.id}`,
    href,
    maxMessage: TEXT_LIMITS.message,
    maxReason: MAX_REASON,
  };
}

/**
 * Loads and sends the case page of `reference`. A page that shows the identity, an error or a
 * one-time link is not offered in the other language (a GET would not show it again).
 */
export async function sendCasePage(
  deps: WebDeps,
  f: Form,
  reference: string,
  opts: { withIdentity?: boolean; status?: number } & CaseExtra = {},
) {
  const { withIdentity = false, status = 200, error = null, ...extra } = opts;
  const page = await loadCasePage({ db: deps.db, actor: staffOf(f.req), reference, withIdentity });
  return sendPage(
    f.reply,
    f,
    'staff-case',
    {
      ...present(f, page),
      ...errorView(f, error),
      form: null,
      notice: null,
      invitationLink: null,
      ...extra,
      ...staffFrame(deps, f),
    },
    status,
    status === 200 && !withIdentity && !extra.invitationLink,
  );
}
