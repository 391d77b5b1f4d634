// Citizen complaints on the web, reporter side: the named complaint and late-permit forms. Same
// rules as the report form: no request is logged, no client address or agent is read, every step
// is a plain form (JavaScript off), and a refused or failed submission gives the form back with
// everything typed. The complaint is then followed on the follow-up page (followup-routes.ts).
import type { FastifyInstance } from 'fastify';
import { COMPLAINT_CATEGORIES } from '../../intake/limits.ts';
import type { WebDeps } from '../deps.ts';
import { postFiling, showFilingForm, typedValues, type FilingPage } from './filing-post.ts';

export { typedValues };

/** Every field of the complaint forms, given back as typed when the form comes back. */
export const COMPLAINT_FIELDS = [
  'agency',
  'category',
  'what',
  'when',
  'where',
  'identityName',
  'identityContact',
  'permitReference',
  'filedOn',
  'manualDueOn',
] as const;

export type ComplaintKind = 'complaint' | 'permit';

/** The form asked for by `?type=`: the late-permit form, or the service complaint form. */
export function complaintKindOf(query: unknown): ComplaintKind {
  return (query as Record<string, unknown> | undefined)?.type === 'permit' ? 'permit' : 'complaint';
}

/** The form of `?type=`: a service complaint or a late permit. */
function pageOf(kind: ComplaintKind): FilingPage {
  const action = kind === 'permit' ? '/complaint?type=permit' : '/complaint';
  return {
    view: 'complaint',
    action,
    formId: 'complaint-form',
    data: (t) => ({
      title: t(kind === 'permit' ? 'complaint.permit.title' : 'complaint.title'),
      kind,
      action,
      categories: COMPLAINT_CATEGORIES,
      isStaff: false,
    }),
  };
}

export function complaintRoutes(app: FastifyInstance, deps: WebDeps): void {
  app.get('/complaint', async (req, reply) => showFilingForm(req, reply, deps, pageOf(complaintKindOf(req.query))));

  app.post('/complaint', async (req, reply) => {
    const kind = complaintKindOf(req.query);
    return postFiling(req, reply, deps, { kind, fields: COMPLAINT_FIELDS, page: pageOf(kind) });
  });
}
