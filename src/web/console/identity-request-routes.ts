// The identity custodian's page: the pending requests to disclose a reporter's identity, each
// decided with a reason. A refused decision shows the page again with the reason typed.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { decideIdentity, pendingIdentityRequests } from '../../cases/identity.ts';
import { MAX_REASON } from '../../cases/workflow.ts';
import type { AppError } from '../../errors.ts';
import type { WebDeps } from '../deps.ts';
import { errorView, type Form, formOf, postForm } from '../form.ts';
import { sendPage } from '../render.ts';
import { requireStaff, staffOf } from '../staff-auth.ts';
import { isPageRefusal, noticeOf, staffFrame } from './staff-page.ts';

const PATH = '/staff/identity-requests';

export function identityRequestRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { config, db } = deps;
  const form = (req: FastifyRequest, reply: FastifyReply) => formOf(req, reply, config.isSecureCookies);

  /** The page; after a refused decision, `draftFor` is the request it was about and `error` why. */
  const page = async (f: Form, error: AppError | null, status: number, draftFor: string | null = null) =>
    sendPage(
      f.reply,
      f,
      'staff-identity-requests',
      {
        title: f.t('identity.requests'),
        requests: await pendingIdentityRequests(db, staffOf(f.req)),
        maxReason: MAX_REASON,
        notice: error
          ? null
          : noticeOf(f, 'sent', { approve: 'identity.decided.approve', refuse: 'identity.decided.refuse' }),
        ...errorView(f, error),
        draftFor,
        draft: f.str('reason', MAX_REASON),
        ...staffFrame(deps, f),
      },
      status,
      status === 200 && !error,
    );

  app.register(async (scope) => {
    scope.addHook('preHandler', requireStaff(db));
    scope.get(PATH, async (req, reply) => page(form(req, reply), null, 200));
    scope.post<{ Params: { id: string } }>(`${PATH}/:id`, async (req, reply) => {
      const f = form(req, reply);
      const approve = f.str('decision', 10) === 'approve';
      return postForm(
        f,
        async () => {
          await decideIdentity({
            db,
            actor: staffOf(req),
            requestId: req.params.id.slice(0, 36),
            approve,
            reason: f.str('reason', MAX_REASON + 1),
          });
          return reply.redirect(`${PATH}?sent=${approve ? 'approve' : 'refuse'}`, 303);
        },
        (error: AppError | null, status) => {
          if (error && isPageRefusal(error)) throw error;
          return page(f, error, status, req.params.id);
        },
      );
    });
  });
}
