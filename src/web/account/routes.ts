// A staff member's own account: the one-time setup link (choose a password), the second factor
// (TOTP enrolment and its recovery codes) and the password change. Plain forms, no JavaScript.
import { hkdfSync } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { aeadKey, openJson, sealJson } from '../../crypto/aead.ts';
import { AppError } from '../../errors.ts';
import { TEXT_LIMITS } from '../../intake/limits.ts';
import { completeSetup, MIN_PASSWORD_LENGTH, readSetupLink, type SetupLink } from '../../staff/add-user.ts';
import { changePassword, enrolTotp, type StaffActor } from '../../staff/session.ts';
import { enrolmentOf, newTotpSecret } from '../../staff/totp.ts';
import { checkCsrf, csrfToken } from '../csrf.ts';
import type { WebDeps } from '../deps.ts';
import { replyStatus, statusOf, toAppError } from '../errors.ts';
import { pageContext, sendPage } from '../render.ts';
import { ENROL_PATH, requireStaff, STAFF_COOKIE } from '../staff-auth.ts';
import { adminNav } from '../admin/routes.ts';

/** How long the enrolment page's sealed secret stays valid: time to install an app and scan. */
export const ENROLMENT_MINUTES = 20;
const MAX_NAME = 200;

type Enrolment = { s: string; e: number };

export function accountRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { config, db } = deps;
  // The TOTP secret travels between the enrolment page and its POST sealed under a key of its own
  // (HKDF from the platform's cookie key), bound to the user: never stored in clear anywhere.
  const enrolmentKey = aeadKey(
    Buffer.from(hkdfSync('sha256', deps.secrets.cookieKey, Buffer.alloc(0), 'sujarit/v1/totp-enrolment', 32)),
  );
  const csrf = (req: FastifyRequest, reply: FastifyReply) => csrfToken(req, reply, config.isSecureCookies);
  const ctx = (req: FastifyRequest, reply: FastifyReply) => pageContext(req, reply);
  const body = (req: FastifyRequest) => (req.body ?? {}) as Record<string, unknown>;
  const str = (v: unknown, max: number) => (typeof v === 'string' ? v.slice(0, max) : '');
  const common = (req: FastifyRequest, reply: FastifyReply) => {
    const actor = req.staff!;
    return {
      csrf: csrf(req, reply),
      staffEmail: actor.email,
      nav: actor.isEnrolled ? (deps.staffNav ?? adminNav)(actor) : [],
    };
  };
  /** An AppError the form can show again; anything else goes to the error page. */
  const formError = (e: unknown): AppError => {
    const err = toAppError(e);
    if (!err || err.code === 'not_found' || err.code === 'forbidden' || err.code === 'unavailable') throw e;
    return err;
  };

  // --- The one-time setup link -------------------------------------------------------------------

  const setupPage = (
    req: FastifyRequest,
    reply: FastifyReply,
    token: string,
    link: SetupLink,
    extra: { alert?: string | null; errors?: Record<string, string>; values?: Record<string, string> } = {},
    status = 200,
  ) => {
    const c = ctx(req, reply);
    return sendPage(
      reply,
      c,
      'account-setup',
      {
        title: c.t(link.purpose === 'first_admin' ? 'setup.first_admin.title' : 'setup.title'),
        csrf: csrf(req, reply),
        action: `/staff/setup/${encodeURIComponent(token)}`,
        link,
        minPassword: MIN_PASSWORD_LENGTH,
        limits: { email: TEXT_LIMITS.email, password: TEXT_LIMITS.password, name: MAX_NAME },
        alert: extra.alert ?? null,
        errors: extra.errors ?? {},
        values: extra.values ?? {},
      },
      status,
      status === 200,
    );
  };

  app.get<{ Params: { token: string } }>('/staff/setup/:token', async (req, reply) => {
    const link = await readSetupLink(db, req.params.token);
    return setupPage(req, reply, req.params.token, link);
  });

  app.post<{ Params: { token: string } }>('/staff/setup/:token', async (req, reply) => {
    const b = body(req);
    checkCsrf(req, b._csrf);
    const token = req.params.token;
    const link = await readSetupLink(db, token);
    // What was typed comes back on an error, never the password.
    const values = {
      email: link.purpose === 'first_admin' ? str(b.email, TEXT_LIMITS.email) : (link.email ?? ''),
      displayName: str(b.displayName, MAX_NAME),
    };
    const password = str(b.password, TEXT_LIMITS.password);
    try {
      if (password !== str(b.password2, TEXT_LIMITS.password))
        throw new AppError('invalid_input', 'the passwords differ', 'error.password_mismatch', {
          password2: 'error.password_mismatch',
        });
      await completeSetup({
        db,
        kdf: config.kdf,
        token,
        password,
        email: values.email,
        displayName: values.displayName,
      });
      return reply.redirect('/staff/login?done=setup', 303);
    } catch (e) {
      const err = formError(e);
      return setupPage(
        req,
        reply,
        token,
        link,
        { alert: ctx(req, reply).t(err.userMessage, { min: MIN_PASSWORD_LENGTH }), errors: { ...err.fields }, values },
        statusOf(err),
      );
    }
  });

  // --- Pages of a signed-in user -----------------------------------------------------------------

  const sealEnrolment = (actor: StaffActor, secret: Buffer) =>
    sealJson(
      enrolmentKey,
      { s: secret.toString('base64'), e: Date.now() + ENROLMENT_MINUTES * 60_000 } satisfies Enrolment,
      `totp-enrolment/${actor.id}`,
    ).toString('base64url');
  const openEnrolment = (actor: StaffActor, sealed: unknown): Buffer | null => {
    if (typeof sealed !== 'string' || sealed.length > 400 || !/^[A-Za-z0-9_-]+$/.test(sealed)) return null;
    try {
      const v = openJson<Enrolment>(enrolmentKey, Buffer.from(sealed, 'base64url'), `totp-enrolment/${actor.id}`);
      return v.e > Date.now() ? Buffer.from(v.s, 'base64') : null;
    } catch {
      return null;
    }
  };

  const totpPage = async (
    req: FastifyRequest,
    reply: FastifyReply,
    secret: Buffer,
    alert: string | null,
    status = 200,
  ) => {
    const c = ctx(req, reply);
    const actor = req.staff!;
    const e = await enrolmentOf(secret, actor.email);
    return sendPage(
      reply,
      c,
      'account-totp',
      {
        title: c.t('totp.title'),
        // Inline SVG (paths only, no script or style) needs no CSP exception, unlike a data: image.
        qrSvg: e.qrSvg.replace('<svg ', '<svg width="232" height="232" aria-hidden="true" focusable="false" '),
        base32: e.base32.replace(/(.{4})(?=.)/g, '$1 '),
        sealed: sealEnrolment(actor, secret),
        isEnrolled: actor.isEnrolled,
        alert,
        ...common(req, reply),
      },
      status,
      status === 200 && alert === null,
    );
  };

  app.register(async (scope) => {
    scope.addHook('preHandler', requireStaff(db, { allowUnenrolled: true }));

    scope.get(ENROL_PATH, async (req, reply) => {
      const secret = newTotpSecret();
      try {
        return await totpPage(req, reply, secret, null);
      } finally {
        secret.fill(0);
      }
    });

    scope.post(ENROL_PATH, async (req, reply) => {
      const b = body(req);
      checkCsrf(req, b._csrf);
      const actor = req.staff!;
      const c = ctx(req, reply);
      const secret = openEnrolment(actor, b.enrolment);
      if (!secret) {
        const fresh = newTotpSecret();
        try {
          return await totpPage(req, reply, fresh, c.t('totp.expired'), 400);
        } finally {
          fresh.fill(0);
        }
      }
      try {
        const codes = await enrolTotp({
          db,
          kdf: config.kdf,
          limits: deps.limits,
          actor,
          secret,
          code: str(b.code, 20),
          currentPassword: str(b.current, TEXT_LIMITS.password),
        });
        return sendPage(reply, c, 'account-recovery', {
          title: c.t('totp.recovery.title'),
          codes,
          ...common(req, reply),
          nav: [],
        });
      } catch (e) {
        const err = formError(e);
        return await totpPage(req, reply, secret, c.t(err.userMessage), replyStatus(reply, err));
      } finally {
        secret.fill(0);
      }
    });
  });

  app.register(async (scope) => {
    scope.addHook('preHandler', requireStaff(db));

    const passwordPage = (
      req: FastifyRequest,
      reply: FastifyReply,
      extra: { alert?: string | null; notice?: string | null; errors?: Record<string, string> } = {},
      status = 200,
    ) => {
      const c = ctx(req, reply);
      return sendPage(
        reply,
        c,
        'account-password',
        {
          title: c.t('admin.password.title'),
          minPassword: MIN_PASSWORD_LENGTH,
          maxPassword: TEXT_LIMITS.password,
          alert: extra.alert ?? null,
          notice: extra.notice ?? null,
          errors: extra.errors ?? {},
          ...common(req, reply),
        },
        status,
        status === 200 && !extra.notice,
      );
    };

    scope.get('/staff/account/password', async (req, reply) => passwordPage(req, reply));

    scope.post('/staff/account/password', async (req, reply) => {
      const b = body(req);
      checkCsrf(req, b._csrf);
      const c = ctx(req, reply);
      const next = str(b.next, TEXT_LIMITS.password);
      try {
        if (next !== str(b.next2, TEXT_LIMITS.password))
          throw new AppError('invalid_input', 'the passwords differ', 'error.password_mismatch', {
            next2: 'error.password_mismatch',
          });
        await changePassword({
          db,
          kdf: config.kdf,
          limits: deps.limits,
          actor: req.staff!,
          current: str(b.current, TEXT_LIMITS.password),
          next,
          token: req.cookies[STAFF_COOKIE],
        });
        return passwordPage(req, reply, { notice: c.t('admin.password.done') });
      } catch (e) {
        const err = formError(e);
        // The domain names the new password `password` and the current one `current`.
        if (err.code === 'unauthorized')
          return passwordPage(
            req,
            reply,
            { alert: c.t('admin.password.wrong_current'), errors: { current: 'admin.password.wrong_current' } },
            statusOf(err),
          );
        const errors = Object.fromEntries(
          Object.entries(err.fields).map(([k, v]) => [k === 'password' ? 'next' : k, v]),
        );
        return passwordPage(
          req,
          reply,
          { alert: c.t(err.userMessage, { min: MIN_PASSWORD_LENGTH }), errors },
          replyStatus(reply, err),
        );
      }
    });
  });
}
