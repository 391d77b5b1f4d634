// Staff filing a complaint for a caller (phone, walk-in, the 1111 and 1206 hotlines): the same
// fields as the citizen's form plus the channel. The case and its audit row are one transaction;
// the tracking code is shown once, on the page that answers the POST, for the staff to read out.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { agenciesForForm } from '../../agencies/list-agencies.ts';
import { recordAudit } from '../../audit/record-audit.ts';
import { formatReceipt } from '../../crypto/receipt.ts';
import type { CaseChannel } from '../../db/schema.ts';
import { AppError, isAppError } from '../../errors.ts';
import { COMPLAINT_CATEGORIES } from '../../intake/limits.ts';
import { newDraft, submitReport } from '../../intake/submit-report.ts';
import { validateComplaint, type ComplaintInput } from '../../intake/validate-complaint.ts';
import { csrfToken } from '../csrf.ts';
import type { WebDeps } from '../deps.ts';
import { statusOf, toAppError } from '../errors.ts';
import { fileParamsOf, formShown, readMultipartForm } from '../multipart-form.ts';
import { pageContext, sendPage, type PageContext } from '../render.ts';
import { adminNav } from '../admin/routes.ts';
import { complaintKindOf, typedValues, COMPLAINT_FIELDS, type ComplaintKind } from '../reporter/complaint-routes.ts';
import { requireRole, requireStaff } from '../staff-auth.ts';

/** The channels a complaint reaches staff through when they type it in for the caller. */
export const CALLER_CHANNELS = [
  'phone',
  'walk_in',
  'hotline_1111',
  'hotline_1206',
] as const satisfies readonly CaseChannel[];
type CallerChannel = (typeof CALLER_CHANNELS)[number];

// TODO(record-audit.ts): 'complaint_filed_for_caller' belongs in AUDIT_ACTIONS; until it is there
// the name is widened here (the column is text, the chain hashes whatever is written).

const PATH = '/staff/complaints/new';

/** Validates the caller's complaint and the channel it came through, naming every field at fault. */
function validateCallerComplaint(
  fields: Record<string, string>,
  kind: ComplaintKind,
): { channel: CallerChannel; input: ComplaintInput } {
  const channel = CALLER_CHANNELS.find((ch) => ch === fields.channel);
  const missing: Record<string, string> = channel ? {} : { channel: 'error.field.required' };
  let input: ComplaintInput;
  try {
    input = validateComplaint(fields, kind, { isNamed: true });
  } catch (e) {
    if (!channel && isAppError(e) && e.code === 'invalid_input')
      throw new AppError('invalid_input', e.message, e.userMessage, { ...missing, ...e.fields });
    throw e;
  }
  if (!channel)
    throw new AppError('invalid_input', 'channel must be one of the caller channels', 'error.form', missing);
  return { channel, input };
}

export function callerComplaintRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { config, db, secrets } = deps;
  const fileParams = fileParamsOf(config);
  const ctx = (req: FastifyRequest, reply: FastifyReply) => pageContext(req, reply);
  const csrf = (req: FastifyRequest, reply: FastifyReply) => csrfToken(req, reply, config.isSecureCookies);

  app.register(async (scope) => {
    scope.addHook('preHandler', requireStaff(db));
    const common = (req: FastifyRequest, reply: FastifyReply) => ({
      csrf: csrf(req, reply),
      staffEmail: req.staff!.email,
      nav: (deps.staffNav ?? adminNav)(req.staff!),
    });

    const showForm = async (
      req: FastifyRequest,
      reply: FastifyReply,
      c: PageContext,
      kind: ComplaintKind,
      values: Record<string, string>,
      error: AppError | null,
      status: number,
      reselect = false,
    ) => {
      const agencies = await agenciesForForm(db, values.agency);
      return sendPage(
        reply,
        c,
        'staff-complaint',
        {
          title: c.t(kind === 'permit' ? 'caller.permit.title' : 'caller.title'),
          kind,
          action: kind === 'permit' ? `${PATH}?type=permit` : PATH,
          channels: CALLER_CHANNELS,
          agencies,
          categories: COMPLAINT_CATEGORIES,
          ...formShown(c.t, fileParams, values, error, reselect),
          isStaff: true,
          ...common(req, reply),
        },
        status,
        status === 200,
      );
    };

    scope.get(PATH, async (req, reply) => {
      const actor = requireRole(req, 'intake_officer', 'supervisor');
      // The staff member's own agency by default; any agency that receives complaints may be chosen.
      const own =
        actor.agencyId === null
          ? undefined
          : await db.selectFrom('agency').select('code').where('id', '=', actor.agencyId).executeTakeFirst();
      return showForm(
        req,
        reply,
        ctx(req, reply),
        complaintKindOf(req.query),
        { agency: own?.code ?? '', channel: 'phone' },
        null,
        200,
      );
    });

    scope.post(PATH, async (req, reply) => {
      const actor = requireRole(req, 'intake_officer', 'supervisor');
      const c = ctx(req, reply);
      const kind = complaintKindOf(req.query);
      const draft = newDraft();
      const form = await readMultipartForm(req, {
        db,
        caseKey: draft.caseKey,
        maxFileBytes: config.maxFileBytes,
        maxReportBytes: config.maxReportBytes,
      });
      const values = typedValues(form.fields, [...COMPLAINT_FIELDS, 'channel']);
      if (form.error) return showForm(req, reply, c, kind, values, form.error, statusOf(form.error), form.sawFiles);
      try {
        const { channel, input } = validateCallerComplaint(form.fields, kind);
        const done = await db.transaction().execute(async (trx) => {
          const filed = await submitReport({
            db: trx,
            kdf: config.kdf,
            receiptSalt: secrets.receiptSalt,
            draft,
            input: input.report,
            files: form.files,
            channel,
            complaint: input.complaint,
          });
          await recordAudit(trx, {
            actorUserId: actor.id,
            action: 'complaint_filed_for_caller',
            caseId: filed.caseId,
            caseReference: filed.reference,
            detail: { channel, kind, files: form.files.length },
          });
          return filed;
        });
        return sendPage(reply, c, 'staff-complaint-done', {
          title: c.t('caller.done.title'),
          receiptFormatted: formatReceipt(done.receipt),
          reference: done.reference,
          kind,
          channel,
          caseHref: `/staff/cases/${encodeURIComponent(done.reference)}`,
          again: kind === 'permit' ? `${PATH}?type=permit` : PATH,
          ...common(req, reply),
        });
      } catch (e) {
        const err = toAppError(e);
        if (!err) req.log.error({ err: { message: (e as Error).message } }, 'complaint for a caller failed');
        return showForm(
          req,
          reply,
          c,
          kind,
          values,
          err ?? new AppError('invalid_input', 'internal', 'error.internal'),
          statusOf(err),
          form.sawFiles,
        );
      }
    });
  });
}
