// The staff console's case handling, one file per page group: sign-in, the inbox and its export,
// the case page and its files, the case actions, removal from a case, search, and the identity
// custodian's requests.
// Registered on the staff side (staff-side.ts), which logs its requests; the reporter side's are not.
import type { FastifyInstance } from 'fastify';
import type { WebDeps } from '../deps.ts';
import { caseActionRoutes } from './case-action-routes.ts';
import { caseRemovalRoutes } from './case-removal-routes.ts';
import { caseRoutes } from './case-routes.ts';
import { identityRequestRoutes } from './identity-request-routes.ts';
import { personalDataRoutes } from './personal-data-routes.ts';
import { inboxRoutes } from './inbox-routes.ts';
import { searchRoutes } from './search-routes.ts';
import { signInRoutes } from './sign-in-routes.ts';

export function consoleRoutes(app: FastifyInstance, deps: WebDeps): void {
  signInRoutes(app, deps);
  inboxRoutes(app, deps);
  caseRoutes(app, deps);
  caseActionRoutes(app, deps);
  caseRemovalRoutes(app, deps);
  searchRoutes(app, deps);
  identityRequestRoutes(app, deps);
  personalDataRoutes(app, deps);
}
