// Staff sign-in and sign-out. A refused sign-in shows the form again with the email typed (never
// the password), the error summary and the field messages.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppError } from '../../errors.ts';
import { TEXT_LIMITS } from '../../intake/limits.ts';
import { STAFF_SESSION_HOURS, staffLogin, staffLogout } from '../../staff/session.ts';
import { checkCsrf } from '../csrf.ts';
import type { WebDeps } from '../deps.ts';
import { errorView, type Form, formOf, postForm } from '../form.ts';
import { sendPage } from '../render.ts';
import { homeOf, landingOf } from '../admin/nav.ts';
import { requireStaff, STAFF_COOKIE, staffOf } from '../staff-auth.ts';

export function signInRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { config, db } = deps;
  const form = (req: FastifyRequest, reply: FastifyReply) => formOf(req, reply, config.isSecureCookies);

  const loginPage = (f: Form, error: AppError | null, status: number) =>
    sendPage(
      f.reply,
      f,
      'staff-login',
      {
        title: f.t('staff.login'),
        csrf: f.csrf(),
        email: f.str('email', TEXT_LIMITS.email),
        notice: f.query('done', 20) === 'setup' && !error ? f.t('setup.done') : null,
        ...errorView(f, error),
      },
      status,
      status === 200,
    );

  // Each person's home: the inbox for those who handle or oversee cases, administration for the rest.
  app.get('/staff', { preHandler: requireStaff(db) }, async (req, reply) => reply.redirect(homeOf(staffOf(req)), 303));
  app.get('/staff/login', async (req, reply) => loginPage(form(req, reply), null, 200));
  app.post('/staff/login', async (req, reply) => {
    const f = form(req, reply);
    return postForm(
      f,
      async () => {
        const login = await staffLogin({
          db,
          kdf: config.kdf,
          limits: deps.limits,
          email: f.str('email', TEXT_LIMITS.email),
          password: f.str('password', TEXT_LIMITS.password),
          code: f.str('code', 40),
        });
        reply.setCookie(STAFF_COOKIE, login.token, {
          path: '/staff',
          httpOnly: true,
          sameSite: 'strict',
          secure: config.isSecureCookies,
          maxAge: STAFF_SESSION_HOURS * 3600,
        });
        return reply.redirect(landingOf(login), 303);
      },
      (error: AppError | null, status) => loginPage(f, error, status),
    );
  });
  app.post('/staff/logout', async (req, reply) => {
    checkCsrf(req, (req.body as Record<string, unknown> | undefined)?._csrf);
    await staffLogout({ db, token: req.cookies[STAFF_COOKIE] });
    reply.clearCookie(STAFF_COOKIE, { path: '/staff' });
    return reply.redirect('/staff/login', 303);
  });
}
