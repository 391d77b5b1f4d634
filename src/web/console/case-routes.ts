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

type Ref = { Params: { ref: string } };
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
      return sendCasePage(deps, form(req, reply), req.params.ref);
    });
    scope.post<Ref>('/staff/cases/:ref/identity', async (req, reply) => {
      checkCsrf(req, (req.body as Record<string, unknown> | undefined)?._csrf);
      return sendCasePage(deps, form(req, reply), req.params.ref, { withIdentity: true });
    });
    scope.get<File>('/staff/cases/:ref/attachments/:id', download);
    scope.get<File>('/staff/cases/:ref/witnesses/:wid/attachments/:id', download);
  });
}
