// The one-time setup link (an invitation, the first administrator's link, an escrow restore): its
// owner chooses a password. No session: the link is the credential, and add-user.ts checks it.
import type { FastifyInstance } from 'fastify';
import { TEXT_LIMITS } from '../../intake/limits.ts';
import { completeSetup, MIN_PASSWORD_LENGTH, readSetupLink, type SetupLink } from '../../staff/add-user.ts';
import type { WebDeps } from '../deps.ts';
import { type Form, formOf, postForm } from '../form.ts';
import { sendStaffPage, type Shown, unlessMissing } from '../admin/page.ts';

const MAX_NAME = 200;

export function setupRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { config, db } = deps;
  const page = (f: Form, token: string, link: SetupLink, shown: Shown = {}) =>
    sendStaffPage(
      f,
      deps,
      null,
      'account-setup',
      {
        title: f.t(link.purpose === 'first_admin' ? 'setup.first_admin.title' : 'setup.title'),
        action: `/staff/setup/${encodeURIComponent(token)}`,
        link,
        minPassword: MIN_PASSWORD_LENGTH,
        limits: { email: TEXT_LIMITS.email, password: TEXT_LIMITS.password, name: MAX_NAME },
        // What was typed comes back on an error, never the password.
        values: {
          email: link.purpose === 'first_admin' ? f.str('email', TEXT_LIMITS.email) : (link.email ?? ''),
          displayName: f.str('displayName', MAX_NAME),
        },
      },
      { ...shown, params: { min: MIN_PASSWORD_LENGTH } },
    );

  app.get<{ Params: { token: string } }>('/staff/setup/:token', async (req, reply) => {
    const f = formOf(req, reply, config.isSecureCookies);
    return page(f, req.params.token, await readSetupLink(db, req.params.token));
  });

  app.post<{ Params: { token: string } }>('/staff/setup/:token', async (req, reply) => {
    const f = formOf(req, reply, config.isSecureCookies);
    const token = req.params.token;
    const link = await readSetupLink(db, token);
    return postForm(
      f,
      async () => {
        await completeSetup({
          db,
          kdf: config.kdf,
          token,
          password: f.str('password', TEXT_LIMITS.password),
          passwordAgain: f.str('password2', TEXT_LIMITS.password),
          email: link.purpose === 'first_admin' ? f.str('email', TEXT_LIMITS.email) : (link.email ?? ''),
          displayName: f.str('displayName', MAX_NAME),
        });
        return reply.redirect('/staff/login?done=setup', 303);
      },
      // A link used meanwhile (another tab) is gone: its page, not the form again.
      (error, status) => page(f, token, link, unlessMissing({ error, status })),
    );
  });
}
