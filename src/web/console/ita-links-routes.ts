// ITA: the staff page that issues IIT survey links and shows the EIT link and its QR code. The
// surveys themselves are on the reporter side (reporter/ita-survey-routes.ts).
import type { FastifyInstance } from 'fastify';
import type { AppError } from '../../errors.ts';
import { ITA_ROLES, loadCycle } from '../../ita/cycles.ts';
import { surveyProgress } from '../../ita/sample.ts';
import { issueLinks, LINKS_PER_STAFF, linkRoom } from '../../ita/surveys.ts';
import { hasRole } from '../../staff/session.ts';
import type { WebDeps } from '../deps.ts';
import { formOf, postForm, type Form } from '../form.ts';
import { pathId } from '../input.ts';
import { sendPage } from '../render.ts';
import { eitPath, iitPath } from '../reporter/ita-survey-routes.ts';
import { requireStaff, staffOf } from '../staff-auth.ts';
import { refusedForm, staffFrame } from './staff-page.ts';
import { asciiDigits } from '../../i18n/digits.ts';

type CycleParams = { Params: { id: string } };

/** The links page; `urls` are the new links, shown once; `error` a refused count, shown with what was typed. */
async function show(
  deps: WebDeps,
  f: Form,
  cycleId: number,
  urls: string[] | null,
  error: AppError | null = null,
  status = 200,
) {
  const { config, db } = deps;
  const cycle = await loadCycle({ db, actor: staffOf(f.req), cycleId, roles: ITA_ROLES });
  const nf = new Intl.NumberFormat(f.lang === 'th' ? 'th-TH' : 'en-GB');
  return sendPage(
    f.reply,
    f,
    'staff-ita-links',
    {
      title: f.t('ita.links.title', { year: cycle.fiscalYear }),
      cycle,
      progress: surveyProgress(cycle),
      num: (n: number) => nf.format(n),
      room: linkRoom(cycle),
      perStaff: LINKS_PER_STAFF,
      canIssue: hasRole(staffOf(f.req), 'agency_admin'),
      eitUrl: `${config.publicUrl}${eitPath(cycle.publicCode)}`,
      qrHref: `${eitPath(cycle.publicCode)}/qr.svg`,
      urls,
      ...(error ? refusedForm(f, error, 'links', 12) : { alert: null, errors: {}, form: null }),
      ...staffFrame(deps, f),
    },
    status,
    status === 200 && !urls,
  );
}

/** The links page of a cycle, for the ITA roles; issuing links needs agency_admin. MUST be registered on the staff side. */
export function itaLinksRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { config, db } = deps;

  app.register(async (scope) => {
    scope.addHook('preHandler', requireStaff(db));

    scope.get<CycleParams>('/staff/ita/:id/links', async (req, reply) =>
      show(deps, formOf(req, reply, config.isSecureCookies), pathId(req.params.id), null),
    );

    scope.post<CycleParams>('/staff/ita/:id/links', async (req, reply) => {
      const f = formOf(req, reply, config.isSecureCookies);
      const cycleId = pathId(req.params.id);
      return postForm(
        f,
        async () => {
          const raw = asciiDigits(f.str('count', 12).trim());
          const tokens = await issueLinks({
            db,
            actor: staffOf(req),
            cycleId,
            count: /^\d+$/.test(raw) ? Number(raw) : Number.NaN,
          });
          // Shown once, in this response only (never stored, never cached: app.ts sends no-store).
          return show(
            deps,
            f,
            cycleId,
            tokens.map((t) => `${config.publicUrl}${iitPath(t)}`),
          );
        },
        (error, status) => show(deps, f, cycleId, null, error, status),
      );
    });
  });
}
