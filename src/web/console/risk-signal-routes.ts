// Corruption risk: the signals of the signed-in user's agency for a fiscal year (risk officers,
// supervisors, auditors), each with how it is computed and its counts below 5 not shown, and the
// one action that turns a row into a candidate risk with its evidence (risk officers).
import type { FastifyInstance } from 'fastify';
import { currentFiscalYear } from '../../cases/figures.ts';
import { formatDay } from '../../cases/permit-dates.ts';
import { agencySignals, candidateFromSignal, rowLabel } from '../../risk/signals.ts';
import { hasRole } from '../../staff/session.ts';
import type { WebDeps } from '../deps.ts';
import { formOf, postForm, type Form } from '../form.ts';
import { sendPage } from '../render.ts';
import { requireStaff, staffOf } from '../staff-auth.ts';
import { registerHref, riskPageCommon, RISK_PATH } from './risk-routes.ts';
import { refusedForm } from './staff-page.ts';

const SIGNALS_PATH = `${RISK_PATH}/signals`;

async function signalsPage(deps: WebDeps, f: Form, year: string, refused: Record<string, unknown> = {}, status = 200) {
  const actor = staffOf(f.req);
  const s = await agencySignals({ db: deps.db, actor, fiscalYear: year });
  const nf = new Intl.NumberFormat(f.lang === 'th' ? 'th-TH' : 'en-GB');
  return sendPage(
    f.reply,
    f,
    'staff-risk-signals',
    {
      title: f.t('risk.signals'),
      s,
      period: f.t('risk.signals.period', {
        year: s.fiscalYear,
        from: formatDay(f.lang, s.from),
        to: formatDay(f.lang, s.to),
      }),
      label: (row: Parameters<typeof rowLabel>[1]) => rowLabel(f.t, row),
      cell: (v: number | null, scores?: boolean) =>
        v === null ? f.t('risk.suppressed') : scores ? (v / 100).toFixed(2) : nf.format(v),
      canMake: hasRole(actor, 'risk_officer'),
      ...riskPageCommon(deps, f),
      ...refused,
    },
    status,
    status === 200,
  );
}

export function riskSignalRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { config, db } = deps;
  const form = (req: Parameters<typeof formOf>[0], reply: Parameters<typeof formOf>[1]) =>
    formOf(req, reply, config.isSecureCookies);
  app.register(async (scope) => {
    scope.addHook('preHandler', requireStaff(db));
    scope.get(SIGNALS_PATH, async (req, reply) => {
      const f = form(req, reply);
      return signalsPage(deps, f, f.query('fy', 8) || String(currentFiscalYear()));
    });
    scope.post(SIGNALS_PATH, async (req, reply) => {
      const f = form(req, reply);
      const year = f.str('fy', 8);
      return postForm(
        f,
        async () => {
          const made = await candidateFromSignal({
            db,
            actor: staffOf(req),
            fiscalYear: year,
            signal: f.str('signal', 40),
            row: f.str('row', 200),
          });
          return reply.redirect(`${registerHref(made.registerId)}/risks/${made.riskId}?sent=candidate`, 303);
        },
        (error, status) => signalsPage(deps, f, year, refusedForm(f, error, 'candidate', 200), status),
      );
    });
  });
}
