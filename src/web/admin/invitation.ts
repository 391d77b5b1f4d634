// The answer to an invitation or a new setup link, shown by a GET page after the POST redirects
// (so a reload and the language switch keep it): that the link was mailed to its owner, or, where
// no mail server is configured, the link itself for the inviter to hand over. Carried in a sealed
// cookie of that page (account/sealed.ts), bound to the inviter, for INVITATION_MINUTES.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { KeyRole } from '../../db/schema.ts';
import { SETUP_LINK_DAYS } from '../../staff/add-user.ts';
import { resultCookie } from '../account/sealed.ts';
import type { WebDeps } from '../deps.ts';
import { formOf } from '../form.ts';
import { requireRole } from '../staff-auth.ts';
import { homeOf } from './nav.ts';
import { sendStaffPage } from './page.ts';

export const INVITATION_PATH = '/staff/admin/invitation';
/** How long the answer can be shown again: the link itself is a credential. */
export const INVITATION_MINUTES = 15;

/** What the page shows: the account, its setup link (null: mailed), where to go back, the roles awaiting a key holder. */
export type Invitation = { email: string; url: string | null; back: string; pending: KeyRole[] };

function invitationCookie(deps: WebDeps) {
  return resultCookie<Invitation>(deps.secrets.cookieKey, {
    name: 'sj_invitation',
    path: INVITATION_PATH,
    purpose: 'invitation',
    minutes: INVITATION_MINUTES,
    isSecure: deps.config.isSecureCookies,
  });
}

/** After the POST that made a link: to the page that shows what became of it. */
export function redirectToInvitation(
  deps: WebDeps,
  reply: FastifyReply,
  inviterId: number,
  made: { email: string; token: string | null; back: string; pending?: readonly KeyRole[] },
): FastifyReply {
  const url = made.token ? `${deps.config.publicUrl}/staff/setup/${made.token}` : null;
  invitationCookie(deps).set(reply, inviterId, {
    email: made.email,
    url,
    back: made.back,
    pending: [...(made.pending ?? [])],
  });
  return reply.redirect(INVITATION_PATH, 303);
}

export function invitationRoutes(scope: FastifyInstance, deps: WebDeps): void {
  const cookie = invitationCookie(deps);
  scope.get(INVITATION_PATH, async (req, reply) => {
    const actor = requireRole(req, 'platform_admin', 'agency_admin');
    const f = formOf(req, reply, deps.config.isSecureCookies);
    const shown = cookie.read(req, actor.id);
    // Gone (expired, or another person's): nothing to show again; the inviter's own pages.
    if (!shown) return reply.redirect(homeOf(actor), 303);
    return sendStaffPage(f, deps, actor, 'admin-link', {
      title: f.t(shown.url ? 'admin.link.title' : 'admin.link.mailed_title'),
      ...shown,
      days: SETUP_LINK_DAYS,
      minutes: INVITATION_MINUTES,
    });
  });
}
