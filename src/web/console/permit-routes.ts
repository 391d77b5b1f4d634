// The late-permit page of a case (Licensing Facilitation Act B.E. 2558): dates, days late, the §10
// notices, telling the applicant the reason for the delay and recording the decision. Same access
// as the case page: metadata for the agency's supervisors, auditors and intake officers, actions
// for the team or the owning supervisor, not_found (audited) for anyone else.
import type { FastifyInstance } from 'fastify';
import { formatDay } from '../../cases/permit-dates.ts';
import { loadPermit, PERMIT_DECISIONS, recordPermitDecision, tellPermitDelay } from '../../cases/permits.ts';
import { MAX_REASON } from '../../cases/workflow.ts';
import type { WebDeps } from '../deps.ts';
import { formOf, postForm, type Form } from '../form.ts';
import { sendPage } from '../render.ts';
import { requireStaff, staffOf } from '../staff-auth.ts';
import { noticeOf, refusedForm, staffFrame } from './staff-page.ts';

type Params = { Params: { ref: string } };
const SENT = { decision: 'permit.done.decision', delay: 'permit.done.delay' } as const;

const permitHref = (ref: string): string => `/staff/cases/${encodeURIComponent(ref)}/permit`;

/** The page; `refused` carries a refused action's error, field errors and what was typed. */
async function show(deps: WebDeps, f: Form, reference: string, refused: Record<string, unknown> = {}, status = 200) {
  const { db } = deps;
  const permit = await loadPermit({ db, actor: staffOf(f.req), reference });
  const nf = new Intl.NumberFormat(f.lang === 'th' ? 'th-TH' : 'en-GB');
  return sendPage(
    f.reply,
    f,
    'staff-permit',
    {
      title: `${f.t('permit.title')} ${permit.reference}`,
      permit,
      decisions: PERMIT_DECISIONS,
      day: (d: string) => formatDay(f.lang, d),
      num: (n: number) => nf.format(n),
      href: permitHref(permit.reference),
      caseHref: `/staff/cases/${encodeURIComponent(permit.reference)}`,
      maxReason: MAX_REASON,
      notice: status === 200 ? noticeOf(f, 'sent', SENT) : null,
      alert: null,
      errors: {},
      form: null,
      ...staffFrame(deps, f),
      ...refused,
    },
    status,
    status === 200,
  );
}

export function permitRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { config, db } = deps;

  app.register(async (scope) => {
    scope.addHook('preHandler', requireStaff(db));

    /** A form action: redirect on success; a refusal shows the page again with the error and the text typed. */
    const action = (name: keyof typeof SENT, act: (f: Form, reference: string) => Promise<unknown>) =>
      scope.post<Params>(`/staff/cases/:ref/permit/${name}`, async (req, reply) => {
        const f = formOf(req, reply, config.isSecureCookies);
        const reference = req.params.ref;
        return postForm(
          f,
          async () => {
            await act(f, reference);
            return reply.redirect(`${permitHref(reference)}?sent=${name}`, 303);
          },
          (error, status) => show(deps, f, reference, refusedForm(f, error, name, MAX_REASON), status),
        );
      });

    scope.get<Params>('/staff/cases/:ref/permit', async (req, reply) =>
      show(deps, formOf(req, reply, config.isSecureCookies), req.params.ref),
    );
    action('decision', (f, reference) =>
      recordPermitDecision({
        db,
        actor: staffOf(f.req),
        reference,
        decision: f.str('decision', 20),
        decidedOn: f.str('decidedOn', 20),
      }),
    );
    action('delay', (f, reference) =>
      tellPermitDelay({ db, actor: staffOf(f.req), reference, reason: f.str('reason', MAX_REASON + 1) }),
    );
  });
}
