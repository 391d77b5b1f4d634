// Marking a flood as spam from the inbox: the inbox's form posts the selection to a confirmation
// page that lists it (nothing changes yet); confirming closes each case as unfounded through the
// workflow (cases/mark-spam.ts) and shows what was marked and what was skipped, and why.
import type { FastifyInstance } from 'fastify';
import { checkMaySpam, markSpam, spamSelection, type SpamResult } from '../../cases/mark-spam.ts';
import { MAX_REASON } from '../../cases/workflow.ts';
import type { WebDeps } from '../deps.ts';
import { formOf, postForm, type Form } from '../form.ts';
import { sendPage } from '../render.ts';
import { requireStaff, staffOf } from '../staff-auth.ts';
import { refusedForm, staffFrame } from './staff-page.ts';

type Shown = { selection?: string[]; result?: SpamResult; reason?: string };

function show(deps: WebDeps, f: Form, shown: Shown & Record<string, unknown>, status = 200) {
  return sendPage(
    f.reply,
    f,
    'staff-spam',
    {
      title: f.t('spam.title'),
      selection: null,
      result: null,
      alert: null,
      errors: {},
      reason: f.t('spam.reason.default'),
      maxReason: MAX_REASON,
      ...staffFrame(deps, f),
      ...shown,
    },
    status,
  );
}

export function spamRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { config, db } = deps;

  app.register(async (scope) => {
    scope.addHook('preHandler', requireStaff(db));

    /**
     * Runs a step; a refused reason shows the confirmation again with the selection and the reason
     * typed, a refused selection shows the error alone; a wrong role is the 403 page.
     */
    const step = (path: string, act: (f: Form) => Promise<Shown>) =>
      scope.post(path, async (req, reply) => {
        const f = formOf(req, reply, config.isSecureCookies);
        return postForm(
          f,
          async () => {
            checkMaySpam(staffOf(req));
            return show(deps, f, await act(f));
          },
          (error, status) => {
            const { alert, errors } = refusedForm(f, error, 'spam', MAX_REASON);
            const isSelection = error?.userMessage.startsWith('spam.') ?? false;
            const selection = isSelection ? undefined : spamSelection(f.body.ref);
            return show(deps, f, { alert, errors, selection, reason: f.str('reason', MAX_REASON) }, status);
          },
        );
      });

    // The inbox's form: `scope=page` takes every markable case of the page, otherwise the ticked ones.
    step('/staff/spam/confirm', async (f) => ({
      selection: spamSelection(f.body.scope === 'page' ? f.body.all : f.body.ref),
    }));
    step('/staff/spam', async (f) => ({
      result: await markSpam({ db, actor: staffOf(f.req), references: f.body.ref, reason: f.body.reason }),
    }));
  });
}
