// The identity custodian's page for a data subject's requests (/staff/personal-data): a copy of
// the personal data held with a case, as a JSON download, or its erasure with the request's
// reason. An unknown case, another agency's, or one whose identity key the custodian does not hold
// reads as not found (audited). Works without JavaScript.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { erasePersonalData, exportPersonalData } from '../../cases/personal-data.ts';
import { MAX_REASON } from '../../cases/workflow.ts';
import type { AppError } from '../../errors.ts';
import type { WebDeps } from '../deps.ts';
import { contentDisposition } from '../download.ts';
import { errorView, type Form, formOf, postForm } from '../form.ts';
import { sendPage } from '../render.ts';
import { requireRole, requireStaff, staffOf } from '../staff-auth.ts';
import { isPageRefusal, noticeOf, staffFrame } from './staff-page.ts';

export const PERSONAL_DATA_PATH = '/staff/personal-data';

export function personalDataRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { config, db } = deps;
  const form = (req: FastifyRequest, reply: FastifyReply) => formOf(req, reply, config.isSecureCookies);

  const page = (f: Form, error: AppError | null = null, status = 200) =>
    sendPage(
      f.reply,
      f,
      'staff-personal-data',
      {
        title: f.t('personal.title'),
        reference: f.str('reference', 64),
        reason: f.str('reason', MAX_REASON),
        maxReason: MAX_REASON,
        notice: error ? null : noticeOf(f, 'done', { erased: 'personal.done.erased' }),
        ...errorView(f, error),
        ...staffFrame(deps, f),
      },
      status,
      status === 200 && !error,
    );
  const again = (f: Form) => (error: AppError | null, status: number) => {
    if (error && isPageRefusal(error)) throw error;
    return page(f, error, status);
  };

  app.register(async (scope) => {
    scope.addHook('preHandler', requireStaff(db));
    scope.addHook('preHandler', async (req) => {
      requireRole(req, 'identity_custodian');
    });
    scope.get(PERSONAL_DATA_PATH, async (req, reply) => page(form(req, reply)));
    scope.post(`${PERSONAL_DATA_PATH}/export`, async (req, reply) => {
      const f = form(req, reply);
      return postForm(
        f,
        async () => {
          const copy = await exportPersonalData({ db, actor: staffOf(req), reference: f.str('reference', 64) });
          return reply
            .type('application/json; charset=utf-8')
            .header('content-disposition', contentDisposition(`personal-data-${copy.reference}.json`))
            .header('cache-control', 'no-store')
            .send(`${JSON.stringify(copy, null, 2)}\n`);
        },
        again(f),
      );
    });
    scope.post(`${PERSONAL_DATA_PATH}/erase`, async (req, reply) => {
      const f = form(req, reply);
      return postForm(
        f,
        async () => {
          await erasePersonalData({
            db,
            actor: staffOf(req),
            reference: f.str('reference', 64),
            reason: f.str('reason', MAX_REASON + 1),
          });
          return reply.redirect(`${PERSONAL_DATA_PATH}?done=erased`, 303);
        },
        again(f),
      );
    });
  });
}
