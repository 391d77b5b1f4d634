// Corruption risk: one risk of a register (a new one, or one to change) with its actions, and the
// forms that save them. Risk officers of the register's agency only; everyone else who may read the
// register sees the page without forms. Handlers parse, make one domain call, render.
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../errors.ts';
import { RISK_AREAS, TREATMENTS } from '../../risk/matrix.ts';
import {
  loadRegister,
  measureChoices,
  saveAction,
  saveRisk,
  type ActionInput,
  type Register,
  type Risk,
  type RiskInput,
} from '../../risk/register.ts';
import type { WebDeps } from '../deps.ts';
import { formOf, postForm, type Form } from '../form.ts';
import { pathId } from '../input.ts';
import { sendPage } from '../render.ts';
import { requireStaff, staffOf } from '../staff-auth.ts';
import { registerHref, riskPageCommon, RISK_PATH } from './risk-routes.ts';
import { refusedForm } from './staff-page.ts';

type RiskParams = { Params: { id: string; rid: string } };
type ActionParams = { Params: { id: string; rid: string; aid: string } };
type Refused = Record<string, unknown>;
const MAX_TYPED = 4001;

const RISK_FIELDS = [
  'area',
  'process',
  'unit',
  'owner',
  'cause',
  'event',
  'consequence',
  'controls',
  'inherentLikelihood',
  'inherentImpact',
  'residualLikelihood',
  'residualImpact',
  'treatment',
  'reviewedOn',
  'nextReviewOn',
] as const;
const ACTION_FIELDS = [
  'title',
  'owner',
  'dueOn',
  'budget',
  'progress6',
  'progress12',
  'doneOn',
  'itaMeasureId',
] as const;

const pick = <K extends string>(f: Form, keys: readonly K[]) =>
  Object.fromEntries(keys.map((k) => [k, f.str(k, MAX_TYPED)])) as Record<K, string>;

/** A saved risk as the form's values. */
function riskValues(r: Risk | null): Record<string, string> {
  if (!r) return { name: 'risk' };
  const n = (v: number | null) => (v === null ? '' : String(v));
  return {
    name: 'risk',
    area: r.area,
    process: r.process,
    unit: r.unit,
    owner: r.owner,
    cause: r.cause,
    event: r.event,
    consequence: r.consequence,
    controls: r.controls,
    inherentLikelihood: n(r.inherent.likelihood),
    inherentImpact: n(r.inherent.impact),
    residualLikelihood: n(r.residual.likelihood),
    residualImpact: n(r.residual.impact),
    treatment: r.treatment ?? '',
    reviewedOn: r.reviewedOn ?? '',
    nextReviewOn: r.nextReviewOn ?? '',
  };
}

function riskOf(reg: Register, riskId: number | null): Risk | null {
  if (riskId === null) return null;
  const risk = reg.risks.find((r) => r.id === riskId);
  if (!risk) throw new AppError('not_found', 'no such risk', 'error.not_found');
  return risk;
}

async function riskPage(
  deps: WebDeps,
  f: Form,
  registerId: number,
  riskId: number | null,
  refused: Refused = {},
  status = 200,
) {
  const reg = await loadRegister({ db: deps.db, actor: staffOf(f.req), registerId });
  const risk = riskOf(reg, riskId);
  return sendPage(
    f.reply,
    f,
    'staff-risk-risk',
    {
      title: risk ? f.t('risk.risk', { number: risk.number }) : f.t('risk.new'),
      reg,
      risk,
      areas: RISK_AREAS,
      treatments: TREATMENTS,
      measures: await measureChoices(deps.db, reg),
      registerHref: registerHref(reg.id),
      action: risk ? `${registerHref(reg.id)}/risks/${risk.id}` : `${registerHref(reg.id)}/risks`,
      ...riskPageCommon(deps, f),
      saved: riskValues(risk),
      ...refused,
    },
    status,
    status === 200,
  );
}

export function riskItemRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { config, db } = deps;
  const form = (req: Parameters<typeof formOf>[0], reply: Parameters<typeof formOf>[1]) =>
    formOf(req, reply, config.isSecureCookies);
  app.register(async (scope) => {
    scope.addHook('preHandler', requireStaff(db));
    scope.get<{ Params: { id: string } }>(`${RISK_PATH}/:id/risks/new`, async (req, reply) =>
      riskPage(deps, form(req, reply), pathId(req.params.id), null),
    );
    scope.get<RiskParams>(`${RISK_PATH}/:id/risks/:rid`, async (req, reply) =>
      riskPage(deps, form(req, reply), pathId(req.params.id), pathId(req.params.rid)),
    );
    const saveRiskRoute = (path: string, existing: (p: Record<string, string>) => number | null) =>
      scope.post<{ Params: Record<string, string> }>(path, async (req, reply) => {
        const f = form(req, reply);
        const registerId = pathId(req.params.id);
        const riskId = existing(req.params);
        return postForm(
          f,
          async () => {
            const input: RiskInput = pick(f, RISK_FIELDS);
            const id = await saveRisk({ db, actor: staffOf(req), registerId, riskId: riskId ?? undefined, input });
            return reply.redirect(`${registerHref(registerId)}/risks/${id}?sent=saved`, 303);
          },
          (error, status) => riskPage(deps, f, registerId, riskId, refusedForm(f, error, 'risk', MAX_TYPED), status),
        );
      });
    saveRiskRoute(`${RISK_PATH}/:id/risks`, () => null);
    saveRiskRoute(`${RISK_PATH}/:id/risks/:rid`, (p) => pathId(p.rid));
    const saveActionRoute = (path: string) =>
      scope.post<ActionParams>(path, async (req, reply) => {
        const f = form(req, reply);
        const registerId = pathId(req.params.id);
        const riskId = pathId(req.params.rid);
        const actionId = req.params.aid ? pathId(req.params.aid) : undefined;
        const name = actionId ? `action-${actionId}` : 'action';
        return postForm(
          f,
          async () => {
            const input: ActionInput = pick(f, ACTION_FIELDS);
            await saveAction({ db, actor: staffOf(req), riskId, actionId, input });
            return reply.redirect(`${registerHref(registerId)}/risks/${riskId}?sent=saved`, 303);
          },
          (error, status) => riskPage(deps, f, registerId, riskId, refusedForm(f, error, name, MAX_TYPED), status),
        );
      });
    saveActionRoute(`${RISK_PATH}/:id/risks/:rid/actions`);
    saveActionRoute(`${RISK_PATH}/:id/risks/:rid/actions/:aid`);
  });
}
