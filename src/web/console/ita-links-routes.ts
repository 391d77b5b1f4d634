// ITA: the staff page that issues IIT survey links and shows the EIT link and its QR code. The
// surveys themselves are on the reporter side (reporter/ita-survey-routes.ts).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ITA_ROLES, loadCycle } from '../../ita/cycles.ts';
import { surveyProgress } from '../../ita/sample.ts';
import { issueLinks, LINKS_PER_STAFF, MAX_LINKS_PER_CALL } from '../../ita/surveys.ts';
import { hasRole } from '../../staff/session.ts';
import { adminNav } from '../admin/routes.ts';
import { checkCsrf, csrfToken } from '../csrf.ts';
import type { WebDeps } from '../deps.ts';
import { statusOf, toAppError } from '../errors.ts';
import { pathId } from '../input.ts';
import { pageContext, sendPage } from '../render.ts';
import { eitPath, iitPath } from '../reporter/ita-survey-routes.ts';
import { requireStaff } from '../staff-auth.ts';

type CycleParams = { Params: { id: string } };

/** The links page of a cycle, for the ITA roles; issuing links needs agency_admin. MUST be registered on the staff side. */
export function itaLinksRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { config, db } = deps;
  app.register(async (scope) => {
    scope.addHook('preHandler', requireStaff(db));

    /** The links page; `extra` carries the new links once, or a refusal with its field errors. */
    const show = async (
      req: FastifyRequest<CycleParams>,
      reply: FastifyReply,
      extra: Record<string, unknown> = {},
      status = 200,
    ) => {
      const c = pageContext(req, reply);
      const cycle = await loadCycle({ db, actor: req.staff!, cycleId: pathId(req.params.id), roles: ITA_ROLES });
      const nf = new Intl.NumberFormat(c.lang === 'th' ? 'th-TH' : 'en-GB');
      const limit = cycle.staffCount * LINKS_PER_STAFF;
      return sendPage(
        reply,
        c,
        'staff-ita-links',
        {
          title: c.t('ita.links.title', { year: cycle.fiscalYear }),
          cycle,
          progress: surveyProgress(cycle),
          num: (n: number) => nf.format(n),
          limit,
          left: Math.max(0, limit - cycle.linksIssued),
          perStaff: LINKS_PER_STAFF,
          maxPerCall: MAX_LINKS_PER_CALL,
          canIssue: hasRole(req.staff!, 'agency_admin'),
          eitUrl: `${config.publicUrl}${eitPath(cycle.publicCode)}`,
          qrHref: `${eitPath(cycle.publicCode)}/qr.svg`,
          urls: null,
          alert: null,
          errors: null,
          count: '',
          csrf: csrfToken(req, reply, config.isSecureCookies),
          staffEmail: req.staff!.email,
          nav: (deps.staffNav ?? adminNav)(req.staff!),
          ...extra,
        },
        status,
        status === 200 && !extra.urls,
      );
    };

    scope.get<CycleParams>('/staff/ita/:id/links', async (req, reply) => show(req, reply));

    scope.post<CycleParams>('/staff/ita/:id/links', async (req, reply) => {
      const b = (req.body ?? {}) as Record<string, unknown>;
      checkCsrf(req, b._csrf);
      const raw = typeof b.count === 'string' ? b.count.trim().slice(0, 12) : '';
      try {
        const tokens = await issueLinks({
          db,
          actor: req.staff!,
          cycleId: pathId(req.params.id),
          count: /^\d+$/.test(raw) ? Number(raw) : NaN,
        });
        // Shown once, in this response only (never stored, never cached: app.ts sends no-store).
        return show(req, reply, { urls: tokens.map((t) => `${config.publicUrl}${iitPath(t)}`) });
      } catch (e) {
        const err = toAppError(e);
        if (!err || err.code === 'not_found' || err.code === 'forbidden' || err.code === 'unavailable') throw e;
        return show(
          req,
          reply,
          { alert: pageContext(req, reply).t(err.userMessage), errors: err.fields, count: raw },
          statusOf(err),
        );
      }
    });
  });
}
