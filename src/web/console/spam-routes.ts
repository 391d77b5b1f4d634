// Marking a flood as spam from the inbox: the inbox's form posts the selection to a confirmation
// page that lists it (nothing changes yet); confirming closes each case as unfounded through the
// workflow (cases/mark-spam.ts) and shows what was marked and what was skipped, and why.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { checkMaySpam, markSpam, spamSelection, type SpamResult } from '../../cases/mark-spam.ts';
import { checkReason, MAX_REASON } from '../../cases/workflow.ts';
import { checkCsrf, csrfToken } from '../csrf.ts';
import type { WebDeps } from '../deps.ts';
import { statusOf, toAppError } from '../errors.ts';
import { pageContext, sendPage } from '../render.ts';
import { adminNav } from '../admin/routes.ts';
import { requireStaff } from '../staff-auth.ts';

type Shown = { selection?: string[]; result?: SpamResult; alert?: string | null; reason?: string };

export function spamRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { config, db } = deps;
  const body = (req: FastifyRequest) => (req.body ?? {}) as Record<string, unknown>;

  app.register(async (scope) => {
    scope.addHook('preHandler', requireStaff(db));

    const show = (req: FastifyRequest, reply: FastifyReply, shown: Shown, status = 200) => {
      const c = pageContext(req, reply);
      return sendPage(
        reply,
        c,
        'staff-spam',
        {
          title: c.t('spam.title'),
          selection: null,
          result: null,
          alert: null,
          reason: c.t('spam.reason.default'),
          maxReason: MAX_REASON,
          csrf: csrfToken(req, reply, config.isSecureCookies),
          staffEmail: req.staff!.email,
          nav: (deps.staffNav ?? adminNav)(req.staff!),
          ...shown,
        },
        status,
      );
    };

    /** Runs a step; a refused selection or reason shows the page again with the error (403 for a wrong role). */
    const step = (path: string, run: (req: FastifyRequest, b: Record<string, unknown>) => Promise<Shown>) =>
      scope.post(path, async (req, reply) => {
        const b = body(req);
        checkCsrf(req, b._csrf);
        checkMaySpam(req.staff!);
        try {
          return show(req, reply, await run(req, b));
        } catch (e) {
          const err = toAppError(e);
          if (!err || err.code === 'forbidden') throw e;
          const c = pageContext(req, reply);
          return show(
            req,
            reply,
            {
              alert: c.t(err.userMessage),
              selection: err.userMessage.startsWith('spam.') ? undefined : spamSelection(b.ref),
              reason: String(b.reason ?? '').slice(0, MAX_REASON),
            },
            statusOf(err),
          );
        }
      });

    // The inbox's form: `scope=page` takes every markable case of the page, otherwise the ticked ones.
    step('/staff/spam/confirm', async (_req, b) => ({ selection: spamSelection(b.scope === 'page' ? b.all : b.ref) }));
    step('/staff/spam', async (req, b) => ({
      result: await markSpam({ db, actor: req.staff!, references: b.ref, reason: checkReason(b.reason) }),
    }));
  });
}
