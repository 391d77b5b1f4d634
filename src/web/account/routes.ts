// A staff member's own account: the one-time setup link (choose a password), the second factor
// (TOTP enrolment and the recovery codes), the password change and the link to LINE. Plain forms, no JavaScript.
import type { FastifyInstance } from 'fastify';
import type { WebDeps } from '../deps.ts';
import { lineAccountRoutes } from './line-routes.ts';
import { passwordRoutes } from './password-routes.ts';
import { recoveryRoutes } from './recovery-routes.ts';
import { setupRoutes } from './setup-routes.ts';
import { totpRoutes } from './totp-routes.ts';

export function accountRoutes(app: FastifyInstance, deps: WebDeps): void {
  setupRoutes(app, deps);
  totpRoutes(app, deps);
  recoveryRoutes(app, deps);
  passwordRoutes(app, deps);
  lineAccountRoutes(app, deps);
}
