// The late-permit page of a case (Licensing Facilitation Act B.E. 2558): dates, days late, the §10
// notices, telling the applicant the reason for the delay and recording the decision. Same access
// as the case page: metadata for the agency's supervisors, auditors and intake officers, actions
// for the team or the owning supervisor, not_found (audited) for anyone else.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { formatDay } from '../../cases/permit-dates.ts';
import { loadPermit, PERMIT_DECISIONS, recordPermitDecision, tellPermitDelay } from '../../cases/permits.ts';
import { MAX_REASON } from '../../cases/workflow.ts';
import { checkCsrf, csrfToken } from '../csrf.ts';
import type { WebDeps } from '../deps.ts';
import { statusOf, toAppError } from '../errors.ts';
import { pageContext, sendPage } from '../render.ts';
import { adminNav } from '../admin/routes.ts';
import { requireStaff } from '../staff-auth.ts';

type Params = { Params: { ref: string } };
const DONE = { decision: 'permit.done.decision', delay: 'permit.done.delay' } as const;

export function permitRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { config, db } = deps;
  const str = (v: unknown, max: number) => (typeof v === 'string' ? v.slice(0, max) : '');
  const permitHref = (ref: string) => `/staff/cases/${encodeURIComponent(ref)}/permit`;

  app.register(async (scope) => {
    scope.addHook('preHandler', requireStaff(db));

    /** The page; `extra` carries a refused action's error, field errors and what was typed. */
    const show = async (
      req: FastifyRequest<Params>,
      reply: FastifyReply,
      extra: Record<string, unknown> = {},
      status = 200,
    ) => {
      const c = pageContext(req, reply);
      const permit = await loadPermit({ db, actor: req.staff!, reference: req.params.ref });
      const sent = (req.query as Record<string, unknown>).sent;
      const nf = new Intl.NumberFormat(c.lang === 'th' ? 'th-TH' : 'en-GB');
      return sendPage(
        reply,
        c,
        'staff-permit',
        {
          title: `${c.t('permit.title')} ${permit.reference}`,
          permit,
          decisions: PERMIT_DECISIONS,
          day: (d: string) => formatDay(c.lang, d),
          num: (n: number) => nf.format(n),
          href: permitHref(permit.reference),
          caseHref: `/staff/cases/${encodeURIComponent(permit.reference)}`,
          maxReason: MAX_REASON,
          notice: status === 200 && (sent === 'decision' || sent === 'delay') ? c.t(DONE[sent]) : null,
          alert: null,
          errors: null,
          form: null,
          csrf: csrfToken(req, reply, config.isSecureCookies),
          staffEmail: req.staff!.email,
          nav: (deps.staffNav ?? adminNav)(req.staff!),
          ...extra,
        },
        status,
        status === 200,
      );
    };

    /** A form action: redirect on success; a refusal shows the page again with the error and the text typed. */
    const action = (
      name: 'decision' | 'delay',
      run: (req: FastifyRequest<Params>, b: Record<string, unknown>) => Promise<unknown>,
    ) =>
      scope.post<Params>(`/staff/cases/:ref/permit/${name}`, async (req, reply) => {
        const b = (req.body ?? {}) as Record<string, unknown>;
        checkCsrf(req, b._csrf);
        try {
          await run(req, b);
          return reply.redirect(`${permitHref(req.params.ref)}?sent=${name}`, 303);
        } catch (e) {
          const err = toAppError(e);
          if (!err || err.code === 'not_found') throw e;
          const form = {
            name,
            ...Object.fromEntries(
              Object.entries(b)
                .filter(([k, v]) => k !== '_csrf' && typeof v === 'string')
                .map(([k, v]) => [k, (v as string).slice(0, MAX_REASON)]),
            ),
          };
          return show(
            req,
            reply,
            { alert: pageContext(req, reply).t(err.userMessage), errors: err.fields, form },
            statusOf(err),
          );
        }
      });

    scope.get<Params>('/staff/cases/:ref/permit', async (req, reply) => show(req, reply));
    action('decision', (req, b) =>
      recordPermitDecision({
        db,
        actor: req.staff!,
        reference: req.params.ref,
        decision: str(b.decision, 20),
        decidedOn: str(b.decidedOn, 20),
      }),
    );
    action('delay', (req, b) =>
      tellPermitDelay({ db, actor: req.staff!, reference: req.params.ref, reason: str(b.reason, MAX_REASON + 1) }),
    );
  });
}
