// The case page (views/staff-case.eta): what the domain gives (cases/case-page.ts) with what the
// view needs to show it: the clocks' states, who wrote what, the file links, and after a refused
// action which form it was, what was typed, the error summary and the field messages.
import { dueState } from '../../agencies/deadlines.ts';
import { type CasePage, loadCasePage } from '../../cases/case-page.ts';
import { MAX_REASON, type TransitionRule } from '../../cases/workflow.ts';
import { MAX_BUSINESS_NAME } from '../../declarations/case-business.ts';
import { COMPLAINT_OUTCOMES, CONCLUSIONS, SCREENING_OUTCOMES } from '../../db/schema.ts';
import type { AppError } from '../../errors.ts';
import type { MessageView } from '../../intake/case-view.ts';
import { isComplaintCategory, PERMIT_CATEGORY, TEXT_LIMITS } from '../../intake/limits.ts';
import type { WebDeps } from '../deps.ts';
import { errorView, type Form } from '../form.ts';
import { sendPage } from '../render.ts';
import { staffOf } from '../staff-auth.ts';
import { staffFrame } from './staff-page.ts';

/** The page that asks to confirm taking `userId` off the case (case-removal-routes.ts). */
export const removeHref = (ref: string, userId: number) => `${caseHref(ref)}/team/${userId}/remove`;

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

/** The id of a field of a form of the page, where it is not the field's name (the summary links to it). */
const FIELD_IDS: Record<string, Record<string, string>> = {
  notes: { message: 'note' },
  'identity-request': { reason: 'id-reason' },
  conflict: { reason: 'conflict-reason' },
  refer: { reason: 'refer-reason', mode: 'mode-transfer' },
  witnesses: { label: 'w-label' },
  hold: { holdReason: 'hold-reason' },
  businesses: { juristicId: 'business-id', businessName: 'business-name' },
  // the remove buttons post a hidden number: a refusal (a forged one) links to the add form's field
  'businesses-remove': { juristicId: 'business-id' },
  unit: { unit: 'case-unit' },
};

/** The labels of the fields the forms of the page may refuse, as the summary names them. */
function fieldLabels(f: Form, form: string | undefined): Record<string, string> {
  const message =
    form === 'notes' ? 'console.note' : form?.startsWith('witness-') ? 'witness.staff.message' : 'staff.message';
  const reason = form === 'identity-request' ? 'identity.request.reason' : 'console.reason';
  return {
    reason: f.t(reason),
    outcome: f.t('console.outcome'),
    duplicateOf: f.t('console.duplicate_of'),
    message: f.t(message),
    files: f.t('report.files'),
    label: f.t('witness.invite.label'),
    assignee: f.t('console.assign'),
    toAgency: f.t('referral.to'),
    mode: f.t('referral.mode'),
    holdReason: f.t('hold.reason'),
    juristicId: f.t('case.business.id'),
    businessName: f.t('case.business.name'),
    unit: f.t('units.case.title'),
  };
}

/** The sections the page has, in order, for its "on this page" links. */
function jumpsOf(page: CasePage) {
  const team = page.view !== null;
  return [
    { id: 'move', key: 'console.move', on: page.transitions.length > 0 },
    { id: 'reply', key: 'staff.reply', on: team },
    { id: 'notes', key: 'console.notes', on: team },
    { id: 'witnesses', key: 'witness.staff.title', on: team },
    { id: 'team', key: 'console.team', on: true },
    { id: 'unit', key: 'units.case.title', on: page.canSetUnit || page.unit !== null },
    { id: 'businesses', key: 'case.business.title', on: true },
    { id: 'retention', key: 'retention.case.title', on: true },
    { id: 'refer', key: 'referral.title', on: page.isSupervisor && page.meta.status !== 'closed' },
    { id: 'history', key: 'history.title', on: true },
  ].filter((j) => j.on);
}

/** The view's data for a loaded case page; `form` is the refused form, if any. */
function present(f: Form, page: CasePage, form: string | undefined) {
  const { meta, view, names } = page;
  const href = caseHref(meta.reference);
  return {
    title: meta.reference,
    ...page,
    c: view,
    metaKind: view?.kind ?? kindOfCategory(meta.category),
    witnesses: view?.witnesses ?? [],
    screeningOutcomes: SCREENING_OUTCOMES,
    conclusions: CONCLUSIONS,
    complaintOutcomes: COMPLAINT_OUTCOMES,
    clocks: [
      { key: 'ack', due: meta.ackDueAt },
      { key: 'reply', due: meta.replyDueAt },
      { key: 'feedback', due: meta.feedbackDueAt },
    ].map((k) => ({ ...k, state: dueState(k.due, meta.pausedAt, new Date()) })),
    jumps: jumpsOf(page),
    /** A move's button: by what it does (sending a concluded case back is not starting an investigation). */
    moveKey: (tr: TransitionRule) => (meta.status === 'concluded' && tr.to === 'investigating' ? 'back' : tr.to),
    author: (m: MessageView) =>
      m.authorKind === 'reporter' ? f.t('staff.reporter') : f.t(`role.${m.authorRole ?? 'intake_officer'}`),
    who: (userId: number | null) => (userId === null ? '' : (names[userId] ?? f.t('console.someone'))),
    fileHref: (file: { id: string }) => `${href}/attachments/${file.id}`,
    removeHref: (userId: number) => removeHref(meta.reference, userId),
    href,
    fieldId: (name: string) =>
      FIELD_IDS[form ?? '']?.[name] ?? (form?.startsWith('witness-') ? `wm-${form.slice(8)}` : name),
    fieldLabels: fieldLabels(f, form),
    maxMessage: TEXT_LIMITS.message,
    maxReason: MAX_REASON,
    maxBusinessName: MAX_BUSINESS_NAME,
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
      ...present(f, page, extra.form?.name),
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
