// Enrolling the second factor: the QR code of a fresh TOTP secret, then the code the app shows. The
// secret travels to the POST sealed in the form (sealed.ts), never stored in clear; on success the
// recovery codes go to the recovery page (recovery-routes.ts), which a reload shows again.
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../errors.ts';
import { TEXT_LIMITS } from '../../intake/limits.ts';
import { enrolTotp } from '../../staff/second-factor.ts';
import { recoveryCodesLeft, type StaffActor } from '../../staff/session.ts';
import { enrolmentOf, newTotpSecret } from '../../staff/totp.ts';
import type { WebDeps } from '../deps.ts';
import { type Form, formOf, postForm } from '../form.ts';
import { ENROL_PATH, requireStaff, staffOf } from '../staff-auth.ts';
import { RECOVERY_PATH } from '../admin/nav.ts';
import { sendStaffPage, type Shown } from '../admin/page.ts';
import { codesLeftText, recoveryCookie } from './recovery-routes.ts';
import { sealerOf } from './sealed.ts';

/** How long the enrolment page's sealed secret stays valid: time to install an app and scan. */
export const ENROLMENT_MINUTES = 20;

export function totpRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { config, db } = deps;
  const enrolment = sealerOf<string>(deps.secrets.cookieKey, 'totp-enrolment', ENROLMENT_MINUTES, 400);
  const recovery = recoveryCookie(deps);

  const page = async (f: Form, actor: StaffActor, secret: Buffer, shown: Shown = {}) => {
    const e = await enrolmentOf(secret, actor.email);
    return sendStaffPage(
      f,
      deps,
      actor,
      'account-totp',
      {
        title: f.t('totp.title'),
        // Inline SVG (paths only, no script or style) needs no CSP exception, unlike a data: image.
        qrSvg: e.qrSvg.replace('<svg ', '<svg width="232" height="232" aria-hidden="true" focusable="false" '),
        base32: e.base32.replace(/(.{4})(?=.)/g, '$1 '),
        sealed: enrolment.seal(actor.id, secret.toString('base64')),
        isEnrolled: actor.isEnrolled,
        codesLeft: actor.isEnrolled ? codesLeftText(f.t, await recoveryCodesLeft(db, actor.id)) : null,
      },
      shown,
    );
  };
  /** The page with a fresh secret (the first visit, or an enrolment that expired). */
  const fresh = async (f: Form, actor: StaffActor, shown: Shown = {}) => {
    const secret = newTotpSecret();
    try {
      return await page(f, actor, secret, shown);
    } finally {
      secret.fill(0);
    }
  };

  app.register(async (scope) => {
    scope.addHook('preHandler', requireStaff(db, { allowUnenrolled: true }));

    scope.get(ENROL_PATH, async (req, reply) => fresh(formOf(req, reply, config.isSecureCookies), staffOf(req)));

    scope.post(ENROL_PATH, async (req, reply) => {
      const f = formOf(req, reply, config.isSecureCookies);
      const actor = staffOf(req);
      const sealed = enrolment.open(actor.id, f.body.enrolment);
      const secret = sealed === null ? null : Buffer.from(sealed, 'base64');
      try {
        return await postForm(
          f,
          async () => {
            if (!secret) throw new AppError('invalid_input', 'the enrolment page expired', 'totp.expired');
            const codes = await enrolTotp({
              db,
              kdf: config.kdf,
              limits: deps.limits,
              actor,
              secret,
              code: f.str('code', 20),
              currentPassword: f.str('current', TEXT_LIMITS.password),
            });
            recovery.set(reply, actor.id, { codes, at: Date.now(), kind: 'enrolled' });
            return reply.redirect(RECOVERY_PATH, 303);
          },
          (error, status) => (secret ? page(f, actor, secret, { error, status }) : fresh(f, actor, { error, status })),
        );
      } finally {
        secret?.fill(0);
      }
    });
  });
}
