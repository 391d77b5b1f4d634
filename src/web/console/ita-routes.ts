// ITA: the staff pages of assessment cycles: the list and opening one, and a cycle's overview with
// its settings, publishing and closing. For the agency's administrators and ITA assessors only; a
// cycle of another agency is not found on every address (loadCycle). The OIT self-check is
// ita-oit-routes.ts. Handlers parse, make one domain call and render.
import type { FastifyInstance } from 'fastify';
import { formatDay } from '../../cases/permit-dates.ts';
import { AppError } from '../../errors.ts';
import { parseFormDate } from '../../i18n/form-date.ts';
import { changeCycle, closeCycle, cyclesOverview, MAX_STAFF_COUNT, openCycle } from '../../ita/cycles.ts';
import { listOitItems, oitProgress } from '../../ita/oit.ts';
import { publishResults } from '../../ita/publish.ts';
import { surveyProgress } from '../../ita/sample.ts';
import { hasRole } from '../../staff/session.ts';
import type { WebDeps } from '../deps.ts';
import { formOf, postForm, type Form } from '../form.ts';
import { pathId } from '../input.ts';
import { sendPage } from '../render.ts';
import { requireStaff, staffOf } from '../staff-auth.ts';
import { noticeOf, refusedForm, staffFrame } from './staff-page.ts';
import { asciiDigits } from '../../i18n/digits.ts';

type IdParams = { Params: { id: string } };

/** One-time notices after a redirect (`?sent=`): the notice's text. */
const ITA_SENT: Readonly<Record<string, string>> = {
  opened: 'ita.cycle.done.opened',
  closed: 'ita.cycle.done.closed',
  evidence: 'ita.cycle.done.evidence',
  verdict: 'ita.cycle.done.verdict',
  published: 'ita.publish.done.yes',
  withdrawn: 'ita.publish.done.no',
  settings: 'ita.settings.done',
  carried: 'ita.oit.carried',
};
/** The longest value a refused cycle form gives back (its fields are numbers and dates). */
const MAX_TYPED = 200;

export const cycleHref = (id: number | string): string => `/staff/ita/${id}`;

/** A whole number as typed in a form; anything else is NaN, which the domain refuses with a field error. */
const formInt = (typed: string): number =>
  /^\s*\d{1,9}\s*$/.test(asciiDigits(typed)) ? Number(asciiDigits(typed)) : Number.NaN;

/** An optional date field typed in B.E. (or A.D.): '' is null; what does not read as a date is kept as typed, for the domain to refuse. */
const formDay = (typed: string): string | null => (typed.trim() ? (parseFormDate(typed.trim()) ?? typed.trim()) : null);

/** What every cycle page shows besides its own data: numbers and days in the page language, the notice, the frame. */
export function cyclePageCommon(deps: WebDeps, f: Form) {
  const nf = new Intl.NumberFormat(f.lang === 'th' ? 'th-TH' : 'en-GB');
  return {
    day: (d: string) => formatDay(f.lang, d),
    num: (n: number) => nf.format(n),
    notice: noticeOf(f, 'sent', ITA_SENT),
    alert: null,
    errors: {},
    form: null,
    ...staffFrame(deps, f),
  };
}

/** The agency's cycles and, for its administrators, the form to open one; `refused` shows a refused form again. */
async function listPage(deps: WebDeps, f: Form, refused: Record<string, unknown> = {}, status = 200) {
  const { db } = deps;
  const actor = staffOf(f.req);
  const { cycles, frameworks, proposed } = await cyclesOverview({ db, actor });
  return sendPage(
    f.reply,
    f,
    'staff-ita',
    {
      title: f.t('ita.cycles.title'),
      cycles: cycles.map((cycle) => ({ cycle, href: cycleHref(cycle.id), progress: surveyProgress(cycle) })),
      frameworks: frameworks.map((fw) => ({ ...fw, title: fw.title[f.lang] })),
      canOpen: hasRole(actor, 'agency_admin'),
      maxStaff: MAX_STAFF_COUNT,
      ...cyclePageCommon(deps, f),
      form: {
        fiscalYear: proposed.fiscalYear === null ? '' : String(proposed.fiscalYear),
        framework: proposed.framework,
      },
      ...refused,
    },
    status,
    status === 200,
  );
}

/** One cycle: progress of every instrument, its pages and the administrators' forms. */
async function cyclePage(deps: WebDeps, f: Form, cycleId: number, refused: Record<string, unknown> = {}, status = 200) {
  const { db } = deps;
  const actor = staffOf(f.req);
  const { cycle, items } = await listOitItems({ db, actor, cycleId });
  const isAdmin = hasRole(actor, 'agency_admin');
  return sendPage(
    f.reply,
    f,
    'staff-ita-cycle',
    {
      title: f.t('ita.cycle.title', { year: cycle.fiscalYear }),
      cycle,
      href: cycleHref(cycle.id),
      surveys: surveyProgress(cycle),
      oit: oitProgress(items),
      canClose: cycle.state === 'open' && isAdmin,
      canChange: cycle.state === 'open' && isAdmin,
      canPublish: isAdmin,
      maxStaff: MAX_STAFF_COUNT,
      ...cyclePageCommon(deps, f),
      ...refused,
    },
    status,
    status === 200,
  );
}

/**
 * Registers /staff/ita (list, open) and /staff/ita/:id (overview, settings, publish, close). Every
 * page MUST answer not found for a cycle of another agency; POSTs check the CSRF token before
 * anything is read or stored.
 */
export function itaCycleRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { config, db } = deps;
  const form = (req: Parameters<typeof formOf>[0], reply: Parameters<typeof formOf>[1]) =>
    formOf(req, reply, config.isSecureCookies);

  app.register(async (scope) => {
    scope.addHook('preHandler', requireStaff(db));
    scope.get('/staff/ita', async (req, reply) => listPage(deps, form(req, reply)));
    scope.post('/staff/ita', async (req, reply) => {
      const f = form(req, reply);
      return postForm(
        f,
        async () => {
          const cycle = await openCycle({
            db,
            actor: staffOf(req),
            fiscalYear: formInt(f.str('fiscalYear', 20)),
            frameworkName: f.str('framework', MAX_TYPED),
            staffCount: formInt(f.str('staffCount', 20)),
            oitDueOn: formDay(f.str('oitDueOn', 20)),
          });
          return reply.redirect(`${cycleHref(cycle.id)}?sent=opened`, 303);
        },
        (error, status) => listPage(deps, f, refusedForm(f, error, 'open', MAX_TYPED), status),
      );
    });
    scope.get<IdParams>('/staff/ita/:id', async (req, reply) =>
      cyclePage(deps, form(req, reply), pathId(req.params.id)),
    );

    /** A form of the overview page: `act` returns the notice to redirect with; a refusal shows the page again with what was typed under `name`. */
    const cycleForm = (name: string, act: (f: Form, cycleId: number) => Promise<string>) =>
      scope.post<IdParams>(`/staff/ita/:id/${name}`, async (req, reply) => {
        const f = form(req, reply);
        const cycleId = pathId(req.params.id);
        return postForm(
          f,
          async () => reply.redirect(`${cycleHref(cycleId)}?sent=${await act(f, cycleId)}`, 303),
          (error, status) => cyclePage(deps, f, cycleId, refusedForm(f, error, name, MAX_TYPED), status),
        );
      });

    cycleForm('close', async (f, cycleId) => {
      await closeCycle({ db, actor: staffOf(f.req), cycleId, isConfirmed: f.str('confirm', 3) === 'yes' });
      return 'closed';
    });
    cycleForm('settings', async (f, cycleId) => {
      const settings = { staffCount: formInt(f.str('staffCount', 20)), oitDueOn: formDay(f.str('oitDueOn', 20)) };
      await changeCycle({ db, actor: staffOf(f.req), cycleId, settings });
      return 'settings';
    });
    cycleForm('publish', async (f, cycleId) => {
      const publish = f.str('publish', 3);
      if (publish !== 'yes' && publish !== 'no')
        throw new AppError('invalid_input', 'publish must be yes or no', 'error.bad_request');
      const isPublished = publish === 'yes';
      await publishResults({
        db,
        actor: staffOf(f.req),
        cycleId,
        isPublished,
        isConfirmed: f.str('confirm', 3) === 'yes',
      });
      return isPublished ? 'published' : 'withdrawn';
    });
  });
}
