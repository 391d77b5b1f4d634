// The actions of the case page, each a plain form POST: parse → the domain operation → a redirect
// to the case page with a notice of what was done (to the inbox when the action may take the
// user's access away; removal from a case is case-removal-routes.ts). A refused action shows the
// case again with the error and what was typed; an unknown case or a forged token gets the error
// page.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { openCaseKeys } from '../../cases/open-case.ts';
import { postCaseMessage, postNote } from '../../cases/post-case-message.ts';
import { referCase } from '../../cases/referral.ts';
import { requestIdentity } from '../../cases/identity.ts';
import { setLegalHold } from '../../cases/legal-hold.ts';
import { setCaseUnit } from '../../cases/case-unit.ts';
import type { HandoverMail } from '../../cases/handover.ts';
import { type Assigned, assignInvestigator, removeFromCase } from '../../cases/team-members.ts';
import { inviteWitness, messageWitness } from '../../cases/witnesses.ts';
import { MAX_REASON, transitionCase } from '../../cases/workflow.ts';
import type { Db } from '../../db/connection.ts';
import { addCaseBusiness, MAX_BUSINESS_NAME, removeCaseBusiness } from '../../declarations/case-business.ts';
import type { AppError } from '../../errors.ts';
import { TEXT_LIMITS } from '../../intake/limits.ts';
import { staffMailer } from '../../mail/staff-mail.ts';
import type { StaffActor } from '../../staff/session.ts';
import type { WebDeps } from '../deps.ts';
import { asAppError, replyStatus } from '../errors.ts';
import { type Form, formOf, postForm } from '../form.ts';
import { formId } from '../input.ts';
import { fileParamsOf, readMultipartForm } from '../multipart-form.ts';
import { requireStaff, staffOf } from '../staff-auth.ts';
import { caseHref, sendCasePage } from './case-page.ts';
import { isPageRefusal, typedOf } from './staff-page.ts';

type Ref = { Params: { ref: string } };
/** An action: what it does, and the notice (CASE_NOTICES, or INBOX_NOTICES when `leaves`) that says it was done. */
type Act = (a: { db: Db; f: Form; actor: StaffActor; reference: string; mail: HandoverMail }) => Promise<string>;

const MAX_TEXT = TEXT_LIMITS.message + 1;
const MAX_WHY = MAX_REASON + 1;

/** The notice of an assignment: the investigator can read the case, or waits for a key holder (told by mail or not). */
const assignedNotice = (a: Assigned) =>
  a.access === 'waiting' ? (a.mailed > 0 ? 'assign_mailed' : 'assign_waiting') : `assign_${a.access}`;

/**
 * The url-encoded actions of the case page; the form's name is its path. `leaves`: the user may
 * have lost access to the case, so the inbox answers.
 */
const ACTIONS: Record<string, { run: Act; leaves?: true }> = {
  transition: {
    run: async ({ db, f, actor, reference }) => {
      await transitionCase({
        db,
        actor,
        reference,
        to: f.str('to', 32),
        reason: f.str('reason', MAX_WHY),
        outcome: f.str('outcome', 40) || undefined,
        duplicateOf: f.str('duplicateOf', 64) || undefined,
      });
      return 'transition';
    },
  },
  assign: {
    run: async ({ db, f, actor, reference, mail }) =>
      assignedNotice(
        await assignInvestigator({ db, actor, reference, userId: formId(f.body.userId, 'assignee'), mail }),
      ),
  },
  conflict: {
    run: async ({ db, f, actor, reference }) => {
      await removeFromCase({
        db,
        actor,
        reference,
        userId: actor.id,
        reason: f.str('reason', MAX_WHY),
        isConflict: true,
      });
      return 'conflict';
    },
    leaves: true,
  },
  refer: {
    run: async ({ db, f, actor, reference, mail }) => {
      const mode = f.str('mode', 10);
      const keepAccess = f.body.keepAccess === 'on';
      await referCase({
        db,
        actor,
        reference,
        toAgencyCode: f.str('toAgency', 16),
        mode,
        keepAccess,
        reason: f.str('reason', MAX_WHY),
        mail,
      });
      return 'referred';
    },
    leaves: true,
  },
  'identity-request': {
    run: async ({ db, f, actor, reference }) => {
      await requestIdentity({ db, actor, reference, reason: f.str('reason', MAX_WHY) });
      return 'identity_request';
    },
  },
  notes: {
    run: async ({ db, f, actor, reference }) => {
      await postNote({ db, actor, reference, text: f.str('note', MAX_TEXT) });
      return 'notes';
    },
  },
  businesses: {
    run: async ({ db, f, actor, reference }) => {
      const { changed } = await addCaseBusiness({
        db,
        actor,
        reference,
        juristicId: f.str('juristicId', 40),
        name: f.str('businessName', MAX_BUSINESS_NAME + 1),
      });
      return changed ? 'business_added' : 'business_known';
    },
  },
  'businesses-remove': {
    run: async ({ db, f, actor, reference }) => {
      await removeCaseBusiness({ db, actor, reference, juristicId: f.str('juristicId', 40) });
      return 'business_removed';
    },
  },
  unit: {
    run: async ({ db, f, actor, reference }) => {
      await setCaseUnit({ db, actor, reference, unit: f.str('unit', 12) });
      return 'unit';
    },
  },
  hold: {
    run: async ({ db, f, actor, reference }) => {
      const hold = f.str('hold', 4) === 'set';
      await setLegalHold({ db, actor, reference, hold, reason: f.str('holdReason', MAX_WHY) });
      return hold ? 'hold_set' : 'hold_lifted';
    },
  },
};

export function caseActionRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { config, db } = deps;
  const form = (req: FastifyRequest, reply: FastifyReply) => formOf(req, reply, config.isSecureCookies);
  const mail: HandoverMail = { mailer: staffMailer(config), publicUrl: config.publicUrl };

  /** The case again after a refused form `name`: the error page for an unknown case or a forged token. */
  const again = (f: Form, reference: string, name: string) => (error: AppError | null, status: number) => {
    if (error && isPageRefusal(error)) throw error;
    return sendCasePage(deps, f, reference, { error, status, form: { name, ...typedOf(f.body, MAX_REASON) } });
  };

  app.register(async (scope) => {
    scope.addHook('preHandler', requireStaff(db));

    for (const [name, { run, leaves }] of Object.entries(ACTIONS))
      scope.post<Ref>(`/staff/cases/:ref/${name}`, async (req, reply) => {
        const f = form(req, reply);
        const reference = req.params.ref;
        return postForm(
          f,
          async () => {
            const sent = await run({ db, f, actor: staffOf(req), reference, mail });
            return reply.redirect(`${leaves ? '/staff/cases' : caseHref(reference)}?sent=${sent}`, 303);
          },
          again(f, reference, name),
        );
      });

    // The invitation link is shown once, on the page that answers the invitation (not after a redirect).
    scope.post<Ref>('/staff/cases/:ref/witnesses', async (req, reply) => {
      const f = form(req, reply);
      const reference = req.params.ref;
      return postForm(
        f,
        async () => {
          const { token } = await inviteWitness({ db, actor: staffOf(req), reference, label: f.str('label', 300) });
          return sendCasePage(deps, f, reference, { invitationLink: `${config.publicUrl}/witness/${token}` });
        },
        again(f, reference, 'witnesses'),
      );
    });

    scope.post<{ Params: { ref: string; wid: string } }>(
      '/staff/cases/:ref/witnesses/:wid/messages',
      async (req, reply) => {
        const f = form(req, reply);
        const { ref, wid } = req.params;
        return postForm(
          f,
          async () => {
            const text = f.str('message', MAX_TEXT);
            await messageWitness({ db, actor: staffOf(req), reference: ref, witnessId: wid.slice(0, 36), text });
            return reply.redirect(`${caseHref(ref)}?sent=witness_message`, 303);
          },
          again(f, ref, `witness-${wid.slice(0, 36)}`),
        );
      },
    );

    scope.post<Ref>('/staff/cases/:ref/messages', messageToReporter(deps));
  });
}

/** A message to the reporter, with files: the case is opened first, its key seals the files as they stream in. */
function messageToReporter(deps: WebDeps) {
  const { config, db } = deps;
  const fileParams = fileParamsOf(config);
  return async (req: FastifyRequest<Ref>, reply: FastifyReply) => {
    const actor = staffOf(req);
    const opened = await openCaseKeys({ db, actor, reference: req.params.ref, purpose: 'message_posted' });
    const upload = await readMultipartForm(req, {
      db,
      caseKey: opened.keys.content,
      maxFileBytes: config.maxFileBytes,
      maxReportBytes: config.maxReportBytes,
    });
    const f = formOf(req, reply, config.isSecureCookies);
    try {
      if (upload.error) throw upload.error;
      const { fields, files } = upload;
      await postCaseMessage({
        db,
        actor,
        opened,
        text: fields.message,
        files,
        awaitReporter: fields.awaitReporter === 'on',
      });
      return reply.redirect(`${caseHref(opened.reference)}?sent=message`, 303);
    } catch (e) {
      const error = asAppError(e);
      if (isPageRefusal(error)) throw e;
      if (error.code === 'internal') req.log.error({ err: { message: (e as Error).message } }, 'form action failed');
      const reselect = upload.sawFiles ? ` ${f.t('error.reselect_files')}` : '';
      return sendCasePage(deps, f, opened.reference, {
        error,
        alert: f.t(error.userMessage, fileParams) + reselect,
        status: replyStatus(reply, error),
        form: { name: 'messages', message: (upload.fields.message ?? '').slice(0, TEXT_LIMITS.message) },
      });
    }
  };
}
