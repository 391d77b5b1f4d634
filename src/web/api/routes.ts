// The JSON API. Each operation is declared once: the same table registers the Fastify route and
// writes /api/openapi.json. Authentication is by bearer token only (never cookies), so the API
// needs no CSRF token.
import { Ajv } from 'ajv';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { getCase } from '../../cases/get-case.ts';
import { ALL_CATEGORIES } from '../../intake/limits.ts';
import { DUE_FILTERS, INBOX_SCOPES, type CaseFilter, listCases } from '../../cases/list-cases.ts';
import { openCaseKeys } from '../../cases/open-case.ts';
import { postCaseMessage } from '../../cases/post-case-message.ts';
import { transitionCase } from '../../cases/workflow.ts';
import { AppError } from '../../errors.ts';
import { loadOwnThread, replyAsReporter } from '../../intake/reply-as-reporter.ts';
import { loadCaseView, type CaseView, type MessageView } from '../../intake/case-view.ts';
import { MAX_FIELDS_BYTES } from '../../intake/limits.ts';
import {
  issueReporterToken,
  openReporterSession,
  readReporterToken,
  REPORTER_SESSION_MINUTES,
  revokeReporterToken,
  type ReporterSession,
} from '../../intake/reporter-session.ts';
import { newDraft, submitReport } from '../../intake/submit-report.ts';
import { admitFiling } from '../../intake/filing-cost.ts';
import { validateMessage, validateReport } from '../../intake/validate-report.ts';
import { resolveStaffSession, staffLogin, staffLogout, type StaffActor } from '../../staff/session.ts';
import { CASE_KINDS, CASE_STATUSES } from '../../db/schema.ts';
import type { WebDeps } from '../deps.ts';
import type { Side } from '../side.ts';
import { sendCached } from '../http-cache.ts';
import { openApiDocument } from './openapi.ts';
import { openDataOperations } from './opendata-operations.ts';
import { schemas } from './schemas.ts';

type Auth = 'none' | 'reporter' | 'staff';
type Ctx = { req: FastifyRequest; reply: FastifyReply };
/** What a handler is given: the request, and the caller its `auth` resolved (typed, never `!`). */
type Caller = { none: Ctx; reporter: Ctx & { reporter: ReporterSession }; staff: Ctx & { staff: StaffActor } };
type Handled<A extends Auth> = { auth: A; handle: (ctx: Caller[A]) => Promise<unknown> };
export type Operation = {
  id: string;
  method: 'GET' | 'POST' | 'PUT';
  path: string; // OpenAPI form: /cases/{reference}
  summary: string;
  /** The side that serves it (and logs it, or not): the staff's for auth 'staff', else the reporter's unless set. */
  side?: Side;
  body?: keyof typeof schemas;
  query?: Record<string, { type: string; minimum?: number; maximum?: number; enum?: readonly string[] }>;
  status: number;
  /** None for 204 No Content. */
  response?: keyof typeof schemas;
  /** A public, cacheable answer: its Cache-Control, with an ETag and 304 on If-None-Match (http-cache.ts). */
  cache?: string;
} & (Handled<'none'> | Handled<'reporter'> | Handled<'staff'>);

const bodyOf = (ctx: Ctx) => ctx.req.body as Record<string, unknown>;
const referenceOf = (ctx: Ctx) => (ctx.req.params as { reference: string }).reference;

function bearer(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  return h?.startsWith('Bearer ') ? h.slice(7).trim() : undefined;
}

const fileJson = (f: CaseView['attachments'][number]) => ({
  id: f.id,
  name: f.name,
  type: f.type,
  size: f.size,
  uploadedBy: f.uploadedBy,
  unreadable: f.isUnreadable,
});
const messageJson = (m: MessageView, author: (m: MessageView) => string) => ({
  id: m.id,
  author: author(m),
  text: m.text,
  unreadable: m.isUnreadable,
  createdAt: m.createdAt.toISOString(),
  attachments: m.attachments.map(fileJson),
});
/** Staff appear to receipt holders by role only. */
const reporterSideAuthor = (m: MessageView) =>
  m.authorKind === 'staff' ? (m.authorRole ?? 'intake_officer') : m.authorKind;

function caseJson(v: CaseView, author: (m: MessageView) => string) {
  return {
    reference: v.reference,
    agency: v.agency.code,
    category: v.category,
    status: v.status,
    createdAt: v.createdAt.toISOString(),
    updatedAt: v.updatedAt.toISOString(),
    content: v.content,
    hasIdentity: v.hasIdentity,
    attachments: v.attachments.map(fileJson),
    messages: v.messages.map((m) => messageJson(m, author)),
    unreadable: v.unreadable.length,
  };
}

/** Filing: a ticket under load, and the report itself. */
function filingOperations(deps: WebDeps): Operation[] {
  const { config, db, secrets } = deps;
  return [
    {
      id: 'getFilingTicket',
      method: 'GET',
      path: '/filing-ticket',
      summary: 'A filing ticket, and what filing costs now (under load: wait or proof of work)',
      auth: 'none',
      status: 200,
      response: 'FilingTicket',
      handle: async () => {
        const cost = await deps.filingGate.cost();
        return { ticket: deps.filingGate.issue(), waitSeconds: cost.waitSeconds, powBits: cost.powBits };
      },
    },
    {
      id: 'submitReport',
      method: 'POST',
      path: '/reports',
      summary: 'File a report; returns the receipt once. Under load it needs a filing ticket (getFilingTicket)',
      auth: 'none',
      body: 'ReportSubmission',
      status: 201,
      response: 'Receipt',
      handle: async (ctx) => {
        const b = bodyOf(ctx);
        const identity = b.identity as { name?: string; contact?: string } | undefined;
        const input = validateReport({ ...b, identityName: identity?.name, identityContact: identity?.contact });
        const admission = admitFiling({
          key: deps.filingGate.key,
          cost: await deps.filingGate.cost(),
          ticket: b.ticket as string | undefined,
          pow: b.pow as string | undefined,
        });
        if (!admission.isAdmitted) {
          ctx.reply.header('retry-after', String(Math.max(1, admission.retryAfterSeconds)));
          throw admission.error;
        }
        const done = await submitReport({
          db,
          kdf: config.kdf,
          receiptSalt: secrets.receiptSalt,
          draft: newDraft(),
          input,
          files: [],
          channel: 'api',
          ticket: admission.use,
        });
        return { receipt: done.receipt, reference: done.reference };
      },
    },
  ];
}

/** The receipt holder: a session from the receipt, the own report and thread, replies. */
function reporterOperations(deps: WebDeps): Operation[] {
  const { config, db, secrets } = deps;
  return [
    {
      id: 'openReporterSession',
      method: 'POST',
      path: '/reporter/session',
      summary: 'Exchange a receipt for a reporter token',
      auth: 'none',
      body: 'ReceiptLogin',
      status: 200,
      response: 'Session',
      handle: async (ctx) => {
        const s = await openReporterSession({
          db,
          kdf: config.kdf,
          receiptSalt: secrets.receiptSalt,
          throttle: deps.limits.receipt,
          receipt: String(bodyOf(ctx).receipt),
        });
        return {
          token: issueReporterToken(secrets.cookieKey, s),
          expiresAt: new Date(Math.ceil(Date.now() / 60_000 + REPORTER_SESSION_MINUTES) * 60_000).toISOString(),
        };
      },
    },
    {
      id: 'getReporterReport',
      method: 'GET',
      path: '/reporter/report',
      summary: 'The reporter’s own report, status and messages',
      auth: 'reporter',
      status: 200,
      response: 'Case',
      handle: async (ctx) => {
        const s = ctx.reporter;
        // A witness's receipt opens their own thread only (GET /reporter/messages), as on the web.
        const v = s.witnessId ? null : await loadCaseView({ db, caseId: s.caseId, keys: s.keys, withIdentity: false });
        if (!v) throw new AppError('not_found', 'no report for this receipt', 'error.not_found');
        return caseJson(v, reporterSideAuthor);
      },
    },
    {
      id: 'listReporterMessages',
      method: 'GET',
      path: '/reporter/messages',
      summary: 'The caller’s own thread (a reporter’s, or a witness’s)',
      auth: 'reporter',
      status: 200,
      response: 'Thread',
      handle: async (ctx) => ({
        messages: (await loadOwnThread({ db, session: ctx.reporter })).map((m) => messageJson(m, reporterSideAuthor)),
      }),
    },
    {
      id: 'postReporterMessage',
      method: 'POST',
      path: '/reporter/messages',
      summary: 'The reporter replies',
      auth: 'reporter',
      body: 'MessageInput',
      status: 201,
      response: 'Created',
      handle: async (ctx) => {
        const text = validateMessage(bodyOf(ctx).text, false);
        const { messageId } = await replyAsReporter({ db, session: ctx.reporter, text, files: [] });
        return { id: messageId };
      },
    },
    {
      id: 'reporterLogout',
      method: 'POST',
      path: '/reporter/logout',
      summary: 'End the reporter session: the token is refused from now on',
      auth: 'reporter',
      status: 204,
      handle: async (ctx) => {
        await revokeReporterToken(db, secrets.cookieKey, bearer(ctx.req));
      },
    },
  ];
}

/** A staff bearer token: login (second factor required) and logout. */
function staffSessionOperations(deps: WebDeps): Operation[] {
  const { config, db } = deps;
  return [
    {
      // A staff login is staff business: in the staff log, like the login form.
      id: 'staffLogin',
      method: 'POST',
      path: '/staff/session',
      summary: 'Staff login; returns a bearer token',
      auth: 'none',
      side: 'staff',
      body: 'StaffLogin',
      status: 200,
      response: 'Session',
      handle: async (ctx) => {
        const b = bodyOf(ctx);
        const s = await staffLogin({
          db,
          kdf: config.kdf,
          limits: deps.limits,
          email: String(b.email),
          password: String(b.password),
          code: String(b.code ?? ''),
        });
        if (!s.isEnrolled)
          throw new AppError('forbidden', 'enrol a second factor in the web console first', 'error.enrol_first');
        return { token: s.token, expiresAt: s.expiresAt.toISOString() };
      },
    },
    {
      id: 'staffLogout',
      method: 'POST',
      path: '/staff/logout',
      summary: 'End the staff session: the token and its sealed key are deleted',
      auth: 'staff',
      status: 204,
      handle: async (ctx) => {
        await staffLogout({ db, token: bearer(ctx.req) });
      },
    },
  ];
}

/** The staff’s cases: the list (metadata) and one case opened (audited). */
function caseReadOperations(deps: WebDeps): Operation[] {
  const { db } = deps;
  return [
    {
      id: 'listCases',
      method: 'GET',
      path: '/cases',
      summary: 'Cases sealed to the caller, newest first (metadata only)',
      auth: 'staff',
      status: 200,
      response: 'CasePage',
      query: {
        page: { type: 'integer', minimum: 1, maximum: 1_000_000 },
        status: { type: 'string', enum: CASE_STATUSES },
        scope: { type: 'string', enum: INBOX_SCOPES },
        category: { type: 'string', enum: ALL_CATEGORIES },
        kind: { type: 'string', enum: CASE_KINDS },
        due: { type: 'string', enum: DUE_FILTERS },
      },
      handle: async (ctx) => {
        const q = ctx.req.query as { page?: number } & CaseFilter;
        const p = await listCases({
          db,
          actor: ctx.staff,
          page: q.page ?? 1,
          status: q.status,
          scope: q.scope,
          category: q.category,
          kind: q.kind,
          due: q.due,
        });
        return {
          ...p,
          items: p.items.map((i) => ({
            ...i,
            createdAt: i.createdAt.toISOString(),
            updatedAt: i.updatedAt.toISOString(),
            dueAt: i.dueAt?.toISOString() ?? null,
          })),
        };
      },
    },
    {
      id: 'getCase',
      method: 'GET',
      path: '/cases/{reference}',
      summary: 'Open a case (audited)',
      auth: 'staff',
      status: 200,
      response: 'Case',
      handle: async (ctx) => {
        const v = await getCase({
          db,
          actor: ctx.staff,
          reference: referenceOf(ctx),
        });
        return caseJson(v, (m) => (m.authorKind === 'reporter' ? 'reporter' : `${m.authorRole}#${m.authorUserId}`));
      },
    },
  ];
}

/** What staff do on a case through the API, each audited. */
function caseActionOperations(deps: WebDeps): Operation[] {
  const { db } = deps;
  return [
    {
      id: 'postCaseMessage',
      method: 'POST',
      path: '/cases/{reference}/messages',
      summary: 'Reply to the reporter (audited)',
      auth: 'staff',
      body: 'MessageInput',
      status: 201,
      response: 'Created',
      handle: async (ctx) => {
        const text = validateMessage(bodyOf(ctx).text, false);
        const opened = await openCaseKeys({
          db,
          actor: ctx.staff,
          reference: referenceOf(ctx),
          purpose: 'message_posted',
        });
        const { messageId } = await postCaseMessage({ db, actor: ctx.staff, opened, text, files: [] });
        return { id: messageId };
      },
    },
    {
      id: 'transitionCase',
      method: 'POST',
      path: '/cases/{reference}/transitions',
      summary: 'Move a case in the workflow, with a reason (audited)',
      auth: 'staff',
      body: 'TransitionInput',
      status: 200,
      response: 'StatusChange',
      handle: async (ctx) => {
        const b = bodyOf(ctx) as { to: string; reason: string; outcome?: string; duplicateOf?: string };
        return transitionCase({
          db,
          actor: ctx.staff,
          reference: referenceOf(ctx),
          to: b.to,
          reason: b.reason,
          outcome: b.outcome,
          duplicateOf: b.duplicateOf,
        });
      },
    },
  ];
}

/** Every operation of the API, both sides. */
export function apiOperations(deps: WebDeps): Operation[] {
  return [
    ...filingOperations(deps),
    ...reporterOperations(deps),
    ...staffSessionOperations(deps),
    ...caseReadOperations(deps),
    ...caseActionOperations(deps),
    ...openDataOperations(deps),
  ];
}

// Bodies are validated as sent: no property is dropped and no type coerced, so `"what": 42` or an
// unknown property is a 400, not silently accepted. Query strings arrive as text and are coerced.
const bodyAjv = new Ajv({
  allErrors: false,
  coerceTypes: false,
  removeAdditional: false,
  useDefaults: false,
  strict: false,
});
const queryAjv = new Ajv({ coerceTypes: true, removeAdditional: false, strict: false });

/** The side an operation is served on. */
export function sideOfOperation(op: Operation): Side {
  return op.side ?? (op.auth === 'staff' ? 'staff' : 'reporter');
}

/** Resolves the caller the operation's `auth` asks for (unauthorized without one), then runs it. */
async function runOperation(deps: WebDeps, op: Operation, ctx: Ctx): Promise<unknown> {
  if (op.auth === 'none') return op.handle(ctx);
  const token = bearer(ctx.req);
  if (op.auth === 'reporter') {
    const reporter = await readReporterToken(deps.db, deps.secrets.cookieKey, token);
    if (!reporter) throw new AppError('unauthorized', 'a valid reporter token is required', 'error.unauthorized');
    return op.handle({ ...ctx, reporter });
  }
  const staff = await resolveStaffSession({ db: deps.db, token });
  if (!staff) throw new AppError('unauthorized', 'a valid staff token is required', 'error.unauthorized');
  ctx.req.staff = staff; // for the staff log line (staff-side.ts)
  return op.handle({ ...ctx, staff });
}

/**
 * Registers the operations of one side (each side's plugin calls this with its own name). The
 * reporter side also serves /api/openapi.json, which describes every operation of both.
 */
export function apiRoutes(app: FastifyInstance, deps: WebDeps, side: Side): void {
  const all = apiOperations(deps);
  const ops = all.filter((op) => sideOfOperation(op) === side);
  app.register(async (scope) => {
    // Bodies are JSON only: a url-encoded, multipart or text/plain body is what a cross-site <form>
    // can send without a preflight, so any other type is refused with 415 before a handler runs.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('application/json', { parseAs: 'string' }, scope.getDefaultJsonParser('error', 'error'));
    scope.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? bodyAjv : queryAjv).compile(schema));
    for (const op of ops) {
      scope.route({
        method: op.method,
        url: `/api/v1${op.path.replace(/\{(\w+)\}/g, ':$1')}`,
        bodyLimit: MAX_FIELDS_BYTES,
        schema: {
          ...(op.body ? { body: schemas[op.body] } : {}),
          ...(op.query ? { querystring: { type: 'object', properties: op.query } } : {}),
        },
        handler: async (req, reply) => {
          const result = await runOperation(deps, op, { req, reply });
          if (op.cache)
            return sendCached(
              req,
              reply.code(op.status).type('application/json; charset=utf-8'),
              typeof result === 'string' ? result : JSON.stringify(result),
              op.cache,
            );
          return reply.code(op.status).send(result);
        },
      });
    }
    if (side === 'reporter') scope.get('/api/openapi.json', async () => openApiDocument(all));
  });
}
