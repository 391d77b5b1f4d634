// Taking someone off a case, which cannot be undone by the supervisor alone (the keys are deleted;
// only a key holder's session can hand them over again): the team table links to a page that says
// who and what it means and asks for the reason; only its button removes. Works without JavaScript.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { removalOf, removeFromCase } from '../../cases/team-members.ts';
import { MAX_REASON } from '../../cases/workflow.ts';
import type { AppError } from '../../errors.ts';
import type { WebDeps } from '../deps.ts';
import { errorView, type Form, formOf, postForm } from '../form.ts';
import { formId, pathId } from '../input.ts';
import { sendPage } from '../render.ts';
import { requireStaff, staffOf } from '../staff-auth.ts';
import { caseHref } from './case-page.ts';
import { isPageRefusal, staffFrame } from './staff-page.ts';

export function caseRemovalRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { config, db } = deps;
  const form = (req: FastifyRequest, reply: FastifyReply) => formOf(req, reply, config.isSecureCookies);

  /** The confirmation page; after a refusal, with the error and the reason typed. */
  const page = async (f: Form, reference: string, userId: number, error: AppError | null = null, status = 200) => {
    const removal = await removalOf({ db, actor: staffOf(f.req), reference, userId });
    return sendPage(
      f.reply,
      f,
      'staff-case-remove',
      {
        title: f.t('console.remove.title', { name: removal.name, reference: removal.meta.reference }),
        removal,
        href: caseHref(removal.meta.reference),
        reason: f.str('reason', MAX_REASON),
        maxReason: MAX_REASON,
        ...errorView(f, error),
        ...staffFrame(deps, f),
      },
      status,
      status === 200 && !error,
    );
  };

  app.register(async (scope) => {
    scope.addHook('preHandler', requireStaff(db));
    scope.get<{ Params: { ref: string; uid: string } }>('/staff/cases/:ref/team/:uid/remove', async (req, reply) =>
      page(form(req, reply), req.params.ref, pathId(req.params.uid)),
    );
    scope.post<{ Params: { ref: string } }>('/staff/cases/:ref/remove', async (req, reply) => {
      const f = form(req, reply);
      const reference = req.params.ref;
      return postForm(
        f,
        async () => {
          const userId = formId(f.body.userId, 'userId');
          await removeFromCase({ db, actor: staffOf(req), reference, userId, reason: f.str('reason', MAX_REASON + 1) });
          return reply.redirect(`${caseHref(reference)}?sent=remove`, 303);
        },
        (error: AppError | null, status) => {
          if (error && (isPageRefusal(error) || error.fields.userId)) throw error;
          return page(f, reference, formId(f.body.userId, 'userId'), error, status);
        },
      );
    });
  });
}
