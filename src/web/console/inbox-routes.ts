// The inbox (/staff/cases): the cases of the user's views (their team's, those assigned to them,
// the agency's metadata), filtered and paged, and the metadata export of the same filter as CSV.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { dueState } from '../../agencies/deadlines.ts';
import { exportCasesCsv } from '../../cases/export.ts';
import { loadInbox } from '../../cases/inbox.ts';
import { type CaseFilter, DUE_FILTERS, INBOX_SCOPES, PAGE_SIZE, scopesFor } from '../../cases/list-cases.ts';
import { MAX_SPAM_SELECTION } from '../../cases/mark-spam.ts';
import { SPAM_RULE } from '../../cases/workflow.ts';
import { CASE_KINDS, CASE_STATUSES } from '../../db/schema.ts';
import { ALL_CATEGORIES } from '../../intake/limits.ts';
import { hasRole, type StaffActor } from '../../staff/session.ts';
import type { WebDeps } from '../deps.ts';
import { type Form, formOf } from '../form.ts';
import { sendPage } from '../render.ts';
import { requireStaff, staffOf } from '../staff-auth.ts';
import { noticeOf, staffFrame } from './staff-page.ts';

/** The notice after an action that leaves the case (the `?sent=` of its redirect). */
const INBOX_NOTICES = { referred: 'console.saved.referred', conflict: 'console.saved.conflict' };

const pick = <T extends string>(v: string, allowed: readonly T[]): T | undefined =>
  allowed.includes(v as T) ? (v as T) : undefined;

/** The inbox filter of a query string (the export takes the inbox's). */
function filterOf(actor: StaffActor, f: Form): CaseFilter {
  const scopes = scopesFor(actor);
  const asked = pick(f.query('scope', 20), INBOX_SCOPES);
  return {
    scope:
      asked && scopes.includes(asked)
        ? asked
        : scopes.includes('agency') && !hasRole(actor, 'intake_officer', 'investigator')
          ? 'agency'
          : 'mine',
    status: pick(f.query('status', 20), CASE_STATUSES),
    category: pick(f.query('category', 40), ALL_CATEGORIES),
    kind: pick(f.query('kind', 20), CASE_KINDS),
    due: pick(f.query('due', 20), DUE_FILTERS),
  };
}

/** The page number asked for (1 to a million) and the page size (a flood is marked as spam a page at a time). */
function pagingOf(f: Form): { page: number; per: number } {
  const page = Math.max(1, Math.min(1_000_000, Number.parseInt(f.query('page', 10) || '1', 10) || 1));
  return { page, per: f.query('per', 10) === String(MAX_SPAM_SELECTION) ? MAX_SPAM_SELECTION : PAGE_SIZE };
}

export function inboxRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { config, db } = deps;
  const form = (req: FastifyRequest, reply: FastifyReply) => formOf(req, reply, config.isSecureCookies);

  app.register(async (scope) => {
    scope.addHook('preHandler', requireStaff(db));

    scope.get('/staff/cases', async (req, reply) => {
      const f = form(req, reply);
      const actor = staffOf(req);
      const filter = filterOf(actor, f);
      const { page, per } = pagingOf(f);
      const inbox = await loadInbox({ db, actor, filter, page, pageSize: per });
      const p = inbox.cases;
      const query = (extra: Record<string, string | number>) => {
        const u = new URLSearchParams();
        for (const [k, v] of Object.entries({ ...filter, ...(per === PAGE_SIZE ? {} : { per }), ...extra }))
          if (v !== undefined && v !== '') u.set(k, String(v));
        return `?${u.toString()}`;
      };
      const nf = new Intl.NumberFormat(f.lang === 'th' ? 'th-TH' : 'en-GB');
      return sendPage(
        reply,
        f,
        'staff-cases',
        {
          title: f.t('staff.cases'),
          p,
          pages: Math.max(1, Math.ceil(p.total / per), p.page),
          num: (n: number) => nf.format(n),
          filter,
          scopes: scopesFor(actor),
          statuses: CASE_STATUSES,
          categories: ALL_CATEGORIES,
          kinds: CASE_KINDS,
          dues: DUE_FILTERS,
          canFileForCaller: hasRole(actor, 'intake_officer', 'supervisor'),
          canMarkSpam: hasRole(actor, ...SPAM_RULE.roles),
          spamFrom: SPAM_RULE.from,
          maxSpam: MAX_SPAM_SELECTION,
          query,
          now: new Date(),
          dueState,
          pendingRequests: inbox.pendingRequests,
          summaries: inbox.summaries,
          handedOver: inbox.handedOver,
          waiting: inbox.waiting,
          notice: noticeOf(f, 'sent', INBOX_NOTICES),
          vkey: deps.ledgerVkey(),
          ...staffFrame(deps, f),
        },
        200,
        true,
      );
    });

    scope.get('/staff/cases.csv', async (req, reply) => {
      const f = form(req, reply);
      const actor = staffOf(req);
      const csv = await exportCasesCsv({ db, actor, filter: filterOf(actor, f), lang: f.lang });
      const day = new Date().toISOString().slice(0, 10);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="sujarit-cases-${day}.csv"`)
        .send(csv);
    });
  });
}
