// The recovery codes of a signed-in user. New codes (after enrolment, or made again here) are
// shown by a GET page from a sealed cookie (sealed.ts), so a reload or a change of language keeps
// them; they can be printed from a printable page (no JavaScript needed) or saved as a text file,
// until the user says they have kept them or RECOVERY_SHOW_MINUTES pass. Otherwise the page says
// how many codes are left (after a sign-in with one, `?used=1`) and makes new ones.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { formatDate } from '../../i18n/messages.ts';
import { TEXT_LIMITS } from '../../intake/limits.ts';
import { renewRecoveryCodes } from '../../staff/second-factor.ts';
import { recoveryCodesLeft, type StaffActor } from '../../staff/session.ts';
import type { WebDeps } from '../deps.ts';
import { contentDisposition } from '../download.ts';
import { type Form, formOf } from '../form.ts';
import { requireStaff, staffOf } from '../staff-auth.ts';
import { homeOf, RECOVERY_PATH } from '../admin/nav.ts';
import { formRoute, sendStaffPage, type Shown, pageRoute } from '../admin/page.ts';
import { resultCookie } from './sealed.ts';

/** How long new codes can be shown again: time to print or save them. */
export const RECOVERY_SHOW_MINUTES = 20;
/** At or below this many codes left, the page urges the user to make new ones. */
export const FEW_CODES = 3;

/** New codes, when they were made, and why (a first enrolment, or made again). */
export type NewCodes = { codes: string[]; at: number; kind: 'enrolled' | 'renewed' };
const FILE_NAME = 'sujarit-recovery-codes.txt';

/** "N recovery codes left", with the grammar of none and one. */
export function codesLeftText(t: Form['t'], n: number): string {
  return t(n === 0 ? 'totp.recovery.left_none' : n === 1 ? 'totp.recovery.left_one' : 'totp.recovery.left', { n });
}

/** The cookie that carries new codes from the POST that made them to the recovery page. */
export function recoveryCookie(deps: WebDeps) {
  return resultCookie<NewCodes>(deps.secrets.cookieKey, {
    name: 'sj_recovery',
    path: RECOVERY_PATH,
    purpose: 'recovery-codes',
    minutes: RECOVERY_SHOW_MINUTES,
    isSecure: deps.config.isSecureCookies,
  });
}

/** The text file of the codes: who they are for, when they were made, how to use them. */
function codesText(f: Form, actor: StaffActor, shown: NewCodes): string {
  return [
    `${f.t('app.name')} · ${f.t('totp.recovery.file.title', { email: actor.email })}`,
    f.t('totp.recovery.made', { date: formatDate(f.lang, new Date(shown.at)) }),
    f.t('totp.recovery.file.how'),
    '',
    ...shown.codes.map((c, i) => `${i + 1}. ${c}`),
    '',
  ].join('\r\n');
}

export function recoveryRoutes(app: FastifyInstance, deps: WebDeps): void {
  app.register(async (scope) => {
    scope.addHook('preHandler', requireStaff(deps.db));
    codesRoutes(scope, deps);
    copyRoutes(scope, deps);
  });
}

/** The page of the codes (new ones, or how many are left), making new ones, and being done with them. */
function codesRoutes(scope: FastifyInstance, deps: WebDeps): void {
  const { config, db } = deps;
  const cookie = recoveryCookie(deps);
  const _form = (req: FastifyRequest, reply: FastifyReply) => formOf(req, reply, config.isSecureCookies);

  /** The codes just made, or how many are left with the form that makes new ones. */
  const page = async (f: Form, actor: StaffActor, shown: Shown = {}) => {
    const fresh = shown.error ? null : cookie.read(f.req, actor.id);
    if (fresh)
      return sendStaffPage(f, deps, actor, 'account-recovery', {
        title: f.t('totp.recovery.title'),
        codes: fresh.codes,
        made: new Date(fresh.at),
        kind: fresh.kind,
        minutes: RECOVERY_SHOW_MINUTES,
      });
    const left = await recoveryCodesLeft(db, actor.id);
    return sendStaffPage(
      f,
      deps,
      actor,
      'account-recovery-left',
      {
        title: f.t('totp.recovery.title'),
        left: codesLeftText(f.t, left),
        isFew: left <= FEW_CODES,
        wasUsed: f.query('used', 1) === '1',
        home: homeOf(actor),
        maxPassword: TEXT_LIMITS.password,
      },
      shown,
    );
  };

  pageRoute(scope, deps, RECOVERY_PATH, staffOf, page);

  formRoute(
    scope,
    deps,
    RECOVERY_PATH,
    staffOf,
    async (f, actor) => {
      const codes = await renewRecoveryCodes({
        db,
        kdf: config.kdf,
        limits: deps.limits,
        actor,
        currentPassword: f.str('current', TEXT_LIMITS.password),
      });
      cookie.set(f.reply, actor.id, { codes, at: Date.now(), kind: 'renewed' });
      return f.reply.redirect(RECOVERY_PATH, 303);
    },
    page,
  );

  // Kept: the codes are not shown again, and the user goes on to their home page.
  formRoute(
    scope,
    deps,
    `${RECOVERY_PATH}/done`,
    staffOf,
    (f, actor) => {
      cookie.clear(f.reply);
      return f.reply.redirect(homeOf(actor), 303);
    },
    page,
  );
}

/** New codes as a printable sheet and as a text file, while the page can show them. */
function copyRoutes(scope: FastifyInstance, deps: WebDeps): void {
  const cookie = recoveryCookie(deps);
  const form = (req: FastifyRequest, reply: FastifyReply) => formOf(req, reply, deps.config.isSecureCookies);
  // The printable sheet: a page of its own, the codes and what they are for, no menu.
  scope.get(`${RECOVERY_PATH}/print`, async (req, reply) => {
    const f = form(req, reply);
    const actor = staffOf(req);
    const fresh = cookie.read(req, actor.id);
    if (!fresh) return reply.redirect(RECOVERY_PATH, 303);
    return sendStaffPage(f, deps, actor, 'account-recovery-print', {
      title: f.t('totp.recovery.title'),
      email: actor.email,
      codes: fresh.codes,
      made: new Date(fresh.at),
    });
  });

  scope.get(`${RECOVERY_PATH}/codes.txt`, async (req, reply) => {
    const f = form(req, reply);
    const actor = staffOf(req);
    const fresh = cookie.read(req, actor.id);
    if (!fresh) return reply.redirect(RECOVERY_PATH, 303);
    return reply
      .type('text/plain; charset=utf-8')
      .header('content-disposition', contentDisposition(FILE_NAME))
      .send(`\ufeff${codesText(f, actor, fresh)}`);
  });
}
