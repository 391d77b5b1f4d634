// Corruption risk: the registers (list, opening one), a register's page (heat maps, risks, publishing,
// the ledger check, downloads, the independent review and the agency's answers) and its history.
// Risk officers edit, supervisors and auditors read, granted reviewers review; a register of another
// agency is not found at every address (the domain's riskAccess). The risk and action forms are
// risk-item-routes.ts, the signals risk-signal-routes.ts. Handlers parse, make one domain call, render.
import type { FastifyInstance } from 'fastify';
import { bangkokToday } from '../../cases/permit-dates.ts';
import { currentFiscalYear } from '../../cases/figures.ts';
import { formDateValue } from '../../i18n/form-date.ts';
import { heatCells, heatMapSvg, registerCsv } from '../../risk/outputs.ts';
import { publishRegister, verifyRegister } from '../../risk/publish.ts';
import { listRegisters, loadRegister, openRegister, registerForExport, registerHistory } from '../../risk/register.ts';
import { renderRiskPdf, RISK_DOCUMENTS, riskPdfName } from '../../risk/report-pdf.ts';
import { answerReview, checklistHints, REVIEW_CHECKLIST, reviewsOf, saveReview } from '../../risk/review.ts';
import { hasRole } from '../../staff/session.ts';
import type { WebDeps } from '../deps.ts';
import { formOf, postForm, type Form } from '../form.ts';
import { pathId } from '../input.ts';
import { sendPage } from '../render.ts';
import { requireStaff, staffOf } from '../staff-auth.ts';
import { noticeOf, refusedForm, staffFrame } from './staff-page.ts';

type IdParams = { Params: { id: string } };
type Refused = Record<string, unknown>;

export const RISK_PATH = '/staff/risk';
export const registerHref = (id: number) => `${RISK_PATH}/${id}`;
const MAX_TYPED = 4001;

/** One-time notices after a redirect (`?sent=`). */
const RISK_SENT: Readonly<Record<string, string>> = {
  saved: 'risk.saved',
  candidate: 'risk.signals.made',
  flag: 'procurement.risk.made',
  published: 'risk.saved',
  reviewed: 'risk.saved',
  answered: 'risk.saved',
};

/** What every risk page shows besides its own data. */
export function riskPageCommon(deps: WebDeps, f: Form) {
  return {
    notice: noticeOf(f, 'sent', RISK_SENT),
    alert: null,
    errors: {},
    form: null,
    formDate: (d: string) => formDateValue(d, f.lang),
    ...staffFrame(deps, f),
  };
}

async function listPage(deps: WebDeps, f: Form, refused: Refused = {}, status = 200) {
  const actor = staffOf(f.req);
  const registers = await listRegisters({ db: deps.db, actor });
  return sendPage(
    f.reply,
    f,
    'staff-risk',
    {
      title: f.t('risk.title'),
      registers: registers.map((r) => ({ ...r, href: registerHref(r.id) })),
      canOpen: hasRole(actor, 'risk_officer'),
      canSignals: hasRole(actor, 'risk_officer', 'supervisor', 'auditor'),
      thisYear: currentFiscalYear(),
      ...riskPageCommon(deps, f),
      ...refused,
    },
    status,
    status === 200,
  );
}

async function registerPage(deps: WebDeps, f: Form, registerId: number, refused: Refused = {}, status = 200) {
  const { db } = deps;
  const actor = staffOf(f.req);
  const reg = await loadRegister({ db, actor, registerId });
  const [check, reviews] = await Promise.all([verifyRegister({ db, actor, registerId }), reviewsOf(db, reg.id)]);
  const map = (which: 'inherent' | 'residual') => {
    const cells = heatCells(reg.matrix, reg.risks, which);
    const title = `${f.t('risk.heatmap')}: ${f.t(`risk.heatmap.${which}`)}`;
    return {
      which,
      title,
      cells,
      svg: heatMapSvg(cells, { id: `heat-${which}`, title, t: f.t, lang: f.lang }),
    };
  };
  return sendPage(
    f.reply,
    f,
    'staff-risk-register',
    {
      title: `${f.t('risk.title')} ${reg.fiscalYear}`,
      reg,
      href: registerHref(reg.id),
      maps: [map('inherent'), map('residual')],
      check,
      reviews,
      checklist: REVIEW_CHECKLIST,
      hints: checklistHints(reg),
      documents: RISK_DOCUMENTS,
      ...riskPageCommon(deps, f),
      ...refused,
    },
    status,
    status === 200,
  );
}

/** The list, opening a register and the register page; downloads and history below. */
export function riskRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { config, db } = deps;
  const form = (req: Parameters<typeof formOf>[0], reply: Parameters<typeof formOf>[1]) =>
    formOf(req, reply, config.isSecureCookies);
  app.register(async (scope) => {
    scope.addHook('preHandler', requireStaff(db));
    scope.get(RISK_PATH, async (req, reply) => listPage(deps, form(req, reply)));
    scope.post(RISK_PATH, async (req, reply) => {
      const f = form(req, reply);
      return postForm(
        f,
        async () => {
          const id = await openRegister({ db, actor: staffOf(req), fiscalYear: f.str('fiscalYear', 20) });
          return reply.redirect(registerHref(id), 303);
        },
        (error, status) => listPage(deps, f, refusedForm(f, error, 'open', 20), status),
      );
    });
    scope.get<IdParams>(`${RISK_PATH}/:id`, async (req, reply) =>
      registerPage(deps, form(req, reply), pathId(req.params.id)),
    );
    registerForms(scope, deps, form);
    downloadRoutes(scope, deps, form);
  });
}

type FormOf = (req: Parameters<typeof formOf>[0], reply: Parameters<typeof formOf>[1]) => Form;

/** The register page's forms: publish, a reviewer's scores, the agency's answer. */
function registerForms(scope: FastifyInstance, deps: WebDeps, form: FormOf): void {
  const { db } = deps;
  const registerForm = (path: string, name: string, act: (f: Form, id: number) => Promise<string>) =>
    scope.post<{ Params: { id: string; rv?: string } }>(`${RISK_PATH}/:id/${path}`, async (req, reply) => {
      const f = form(req, reply);
      const id = pathId(req.params.id);
      return postForm(
        f,
        async () => reply.redirect(`${registerHref(id)}?sent=${await act(f, id)}`, 303),
        (error, status) => registerPage(deps, f, id, refusedForm(f, error, name, MAX_TYPED), status),
      );
    });
  registerForm('publish', 'publish', async (f, registerId) => {
    await publishRegister({ db, actor: staffOf(f.req), registerId });
    return 'published';
  });
  registerForm('reviews', 'review', async (f, registerId) => {
    const scores = Object.fromEntries(REVIEW_CHECKLIST.map((c) => [c.key, f.str(`score.${c.key}`, 2)]));
    await saveReview({ db, actor: staffOf(f.req), registerId, scores, comment: f.str('comment', MAX_TYPED) });
    return 'reviewed';
  });
  registerForm('reviews/:rv/answer', 'answer', async (f) => {
    const rv = pathId((f.req.params as { rv: string }).rv);
    await answerReview({ db, actor: staffOf(f.req), reviewId: rv, answer: f.str('answer', MAX_TYPED) });
    return 'answered';
  });
}

/** CSV and PDFs of a register (audited), and its history. */
function downloadRoutes(scope: FastifyInstance, deps: WebDeps, form: FormOf): void {
  const { db } = deps;
  scope.get<IdParams>(`${RISK_PATH}/:id/register.csv`, async (req, reply) => {
    const f = form(req, reply);
    const reg = await registerForExport({
      db,
      actor: staffOf(req),
      registerId: pathId(req.params.id),
      document: 'csv',
    });
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="risk-register-${reg.fiscalYear}.csv"`)
      .send(registerCsv(reg, f.t, f.lang));
  });
  for (const doc of RISK_DOCUMENTS)
    scope.get<IdParams>(`${RISK_PATH}/:id/${doc}.pdf`, async (req, reply) => {
      const reg = await registerForExport({
        db,
        actor: staffOf(req),
        registerId: pathId(req.params.id),
        document: doc,
      });
      const pdf = await renderRiskPdf(reg, doc, bangkokToday());
      return reply
        .type('application/pdf')
        .header('content-disposition', `attachment; filename="${riskPdfName(reg, doc)}"`)
        .send(pdf);
    });
  scope.get<IdParams>(`${RISK_PATH}/:id/history`, async (req, reply) => {
    const f = form(req, reply);
    const registerId = pathId(req.params.id);
    const history = await registerHistory({ db, actor: staffOf(req), registerId });
    return sendPage(
      reply,
      f,
      'staff-risk-history',
      {
        title: f.t('risk.history'),
        history: history.map((h) => ({ ...h, json: JSON.stringify(h.snapshot, null, 1) })),
        href: registerHref(registerId),
        ...riskPageCommon(deps, f),
      },
      200,
      true,
    );
  });
}
