// Administration: agencies (platform administrator), the staff and settings of one agency (agency
// administrator) and the agency's audit trail (auditor), one file per page group, all behind the
// staff session. The escrow and the role confirmations have their own files (staff-side.ts).
import type { FastifyInstance } from 'fastify';
import type { WebDeps } from '../deps.ts';
import { requireStaff } from '../staff-auth.ts';
import { agencyRoutes } from './agency-routes.ts';
import { auditRoutes } from './audit-routes.ts';
import { invitationRoutes } from './invitation.ts';
import { riskOversightRoutes } from './risk-oversight-routes.ts';
import { oversightAdminRoutes } from './oversight-admin-routes.ts';
import { settingsRoutes } from './settings-routes.ts';
import { declarationAdminRoutes } from './declaration-admin-routes.ts';
import { retentionRoutes } from './retention-routes.ts';
import { staffRoutes } from './staff-routes.ts';
import { unitRoutes } from './unit-routes.ts';

export { adminNav, homeOf, landingOf, type NavLink } from './nav.ts';

export function adminRoutes(app: FastifyInstance, deps: WebDeps): void {
  app.register(async (scope) => {
    scope.addHook('preHandler', requireStaff(deps.db));
    agencyRoutes(scope, deps);
    staffRoutes(scope, deps);
    unitRoutes(scope, deps);
    invitationRoutes(scope, deps);
    settingsRoutes(scope, deps);
    retentionRoutes(scope, deps);
    declarationAdminRoutes(scope, deps);
    auditRoutes(scope, deps);
    riskOversightRoutes(scope, deps);
    oversightAdminRoutes(scope, deps);
  });
}
