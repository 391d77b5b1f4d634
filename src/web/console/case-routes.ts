// The case page and its files: the page (content for the team, metadata for the agency's
// supervisors, auditors and intake officers), the deliberate opening of the reporter's identity,
// and the downloads of the case's and its witnesses' files. Actions are case-action-routes.ts.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { openCaseFile } from '../../cases/case-files.ts';
import { checkCsrf } from '../csrf.ts';
import type { WebDeps } from '../deps.ts';
import { sendDownload } from '../download.ts';
import { formOf } from '../form.ts';
import { requireStaff, staffOf } from '../staff-auth.ts';
import { sendCasePage } from './case-page.ts';
import { noticeOf } from './staff-page.ts';

type Ref = { Params: { ref: string } };

/** The notice after each action of the case page (the `?sent=` of its redirect). */
const CASE_NOTICES: Record<string, string> = {
  transition: 'console.saved.transition',
  assign_granted: 'console.saved.assign_granted',
  assign_mailed: 'console.saved.assign_mailed',
  assign_waiting: 'console.saved.assign_waiting',
  assign_refused_named: 'console.saved.assign_refused_named',
  remove: 'console.saved.remove',
  identity_request: 'console.saved.identity_request',
  notes: 'console.saved.notes',
  message: 'console.saved.message',
  witness_message: 'console.saved.witness_message',
  business_added: 'case.business.done.added',
  business_known: 'case.business.done.known',
  business_removed: 'case.business.done.removed',
  hold_set: 'hold.done.set',
  hold_lifted: 'hold.done.lifted',
  unit: 'units.case.done',
};
type File = { Params: { ref: string; id: string; wid?: string } };

export function caseRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { config, db } = deps;
  const form = (req: FastifyRequest, reply: FastifyReply) => formOf(req, reply, config.isSecureCookies);

  const download = async (req: FastifyRequest<File>, reply: FastifyReply) => {
    const { ref, id, wid } = req.params;
    const file = await openCaseFile({ db, actor: staffOf(req), reference: ref, attachmentId: id, witnessId: wid });
    return sendDownload(reply, { db, ...file });
  };

  app.register(async (scope) => {
    scope.addHook('preHandler', requireStaff(db));
    scope.get<Ref>('/staff/cases/:ref', async (req, reply) => {
      const f = form(req, reply);
      return sendCasePage(deps, f, req.params.ref, { notice: noticeOf(f, 'sent', CASE_NOTICES) });
    });
    scope.post<Ref>('/staff/cases/:ref/identity', async (req, reply) => {
      checkCsrf(req, (req.body as Record<string, unknown> | undefined)?._csrf);
      return sendCasePage(deps, form(req, reply), req.params.ref, { withIdentity: true });
    });
    scope.get<File>('/staff/cases/:ref/attachments/:id', download);
    scope.get<File>('/staff/cases/:ref/witnesses/:wid/attachments/:id', download);
  });
}
