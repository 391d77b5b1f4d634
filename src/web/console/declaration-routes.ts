// Interest and asset declarations, the staff's side: a designated person's own page (what is due,
// what they filed), the filing form (works without JavaScript; one-time token so a reload files
// nothing twice), a declaration opened by its declarant or a reviewer (with its flags explained and
// its conflict alerts, recusal for the declarant), and the reviewer's list of the agency's filings.
// Handlers parse, make one domain call, render.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { ASSET_KINDS, INTEREST_KINDS, OCCASIONS, readDeclaration, ROWS, totalsOf } from '../../declarations/content.ts';
import { recuse } from '../../declarations/conflicts.ts';
import { recheckAgency } from '../../declarations/recheck.ts';
import { fileDeclaration, listForReviewer, myDeclarations, openDeclaration } from '../../declarations/store.ts';
import { hasRole } from '../../staff/session.ts';
import { DECLARATIONS_PATH, DECLARATIONS_REVIEW_PATH } from '../admin/nav.ts';
import type { WebDeps } from '../deps.ts';
import { formOf, postForm, type Form } from '../form.ts';
import { sendPage } from '../render.ts';
import { requireStaff, staffOf } from '../staff-auth.ts';
import { noticeOf, refusedForm, staffFrame } from './staff-page.ts';

const SENT: Readonly<Record<string, string>> = {
  filed: 'declarations.filed',
  recused: 'declarations.recused',
  rechecked: 'declarations.rechecked',
};
const MAX_TYPED = 2001;

function common(deps: WebDeps, f: Form) {
  return { notice: noticeOf(f, 'sent', SENT), alert: null, errors: {}, form: null, ...staffFrame(deps, f) };
}

async function minePage(deps: WebDeps, f: Form) {
  const actor = staffOf(f.req);
  const mine = await myDeclarations(deps.db, actor);
  return sendPage(
    f.reply,
    f,
    'staff-declarations',
    {
      title: f.t('declarations.title'),
      ...mine,
      isReviewer: hasRole(actor, 'declaration_reviewer'),
      ...common(deps, f),
    },
    200,
    true,
  );
}

function formPage(deps: WebDeps, f: Form, refused: Record<string, unknown> = {}, status = 200) {
  return sendPage(
    f.reply,
    f,
    'staff-declaration-form',
    {
      title: f.t('declarations.new'),
      token: randomUUID(),
      rows: ROWS,
      assetKinds: ASSET_KINDS,
      interestKinds: INTEREST_KINDS,
      occasions: OCCASIONS,
      occasion: OCCASIONS.includes(f.query('occasion', 10) as never) ? f.query('occasion', 10) : 'yearly',
      ...common(deps, f),
      ...refused,
    },
    status,
    status === 200,
  );
}

async function openedPage(deps: WebDeps, f: Form, id: string) {
  const d = await openDeclaration({ db: deps.db, actor: staffOf(f.req), id });
  return sendPage(
    f.reply,
    f,
    'staff-declaration',
    { title: f.t('declarations.one', { name: d.name }), d, totals: totalsOf(d.content), ...common(deps, f) },
    200,
    true,
  );
}

async function reviewPage(deps: WebDeps, f: Form) {
  const rows = await listForReviewer(deps.db, staffOf(f.req));
  return sendPage(
    f.reply,
    f,
    'staff-declarations-review',
    { title: f.t('declarations.review'), rows, ...common(deps, f) },
    200,
    true,
  );
}

export function declarationRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { config, db } = deps;
  const form = (req: Parameters<typeof formOf>[0], reply: Parameters<typeof formOf>[1]) =>
    formOf(req, reply, config.isSecureCookies);
  app.register(async (scope) => {
    scope.addHook('preHandler', requireStaff(db));
    scope.get(DECLARATIONS_PATH, async (req, reply) => minePage(deps, form(req, reply)));
    scope.get(DECLARATIONS_REVIEW_PATH, async (req, reply) => reviewPage(deps, form(req, reply)));
    scope.post(`${DECLARATIONS_REVIEW_PATH}/recheck`, async (req, reply) =>
      postForm(
        form(req, reply),
        async () => {
          await recheckAgency(db, staffOf(req));
          return reply.redirect(`${DECLARATIONS_REVIEW_PATH}?sent=rechecked`, 303);
        },
        (error) => {
          throw error ?? new Error('no action');
        },
      ),
    );
    scope.get(`${DECLARATIONS_PATH}/new`, async (req, reply) => formPage(deps, form(req, reply)));
    scope.post(`${DECLARATIONS_PATH}/new`, async (req, reply) => {
      const f = form(req, reply);
      return postForm(
        f,
        async () => {
          const content = readDeclaration(f.str);
          const filed = await fileDeclaration({ db, actor: staffOf(req), token: f.str('token', 40), content });
          return reply.redirect(`${DECLARATIONS_PATH}/${filed.id}?sent=filed`, 303);
        },
        (error, status) => formPage(deps, f, refusedForm(f, error, 'declaration', MAX_TYPED), status),
      );
    });
    scope.get<{ Params: { id: string } }>(`${DECLARATIONS_PATH}/:id`, async (req, reply) =>
      openedPage(deps, form(req, reply), req.params.id),
    );
    scope.post<{ Params: { id: string; alert: string } }>(
      `${DECLARATIONS_PATH}/:id/alerts/:alert/recuse`,
      async (req, reply) => {
        const f = form(req, reply);
        return postForm(
          f,
          async () => {
            await recuse({ db, actor: staffOf(req), alertId: req.params.alert });
            return reply.redirect(`${DECLARATIONS_PATH}/${encodeURIComponent(req.params.id)}?sent=recused`, 303);
          },
          (error) => {
            throw error ?? new Error('no action');
          },
        );
      },
    );
  });
}
