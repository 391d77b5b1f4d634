// The auditor's pages: the agency's audit trail (metadata only; the viewing is audited too) and the
// check that the chain was not altered.
import type { FastifyInstance } from 'fastify';
import { checkAuditChain, listAgencyAudit } from '../../staff/admin.ts';
import type { WebDeps } from '../deps.ts';
import { formOf, postForm } from '../form.ts';
import { requireRole } from '../staff-auth.ts';
import { sendStaffPage } from './page.ts';

export function auditRoutes(scope: FastifyInstance, deps: WebDeps): void {
  const { config, db } = deps;
  scope.get('/staff/audit', async (req, reply) => {
    const actor = requireRole(req, 'auditor');
    const f = formOf(req, reply, config.isSecureCookies);
    const p = await listAgencyAudit({ db, actor, page: Number.parseInt(f.query('page', 7), 10) || 1 });
    return sendStaffPage(f, deps, actor, 'admin-audit', {
      title: f.t('audit.title'),
      p,
      json: (d: unknown) => JSON.stringify(d),
    });
  });

  scope.post('/staff/audit/verify', async (req, reply) => {
    const actor = requireRole(req, 'auditor');
    const f = formOf(req, reply, config.isSecureCookies);
    return postForm(
      f,
      async () =>
        sendStaffPage(f, deps, actor, 'admin-chain', {
          title: f.t('audit.chain.title'),
          check: await checkAuditChain({ db, actor }),
        }),
      (error) => {
        throw error;
      },
    );
  });
}
