// Staff filing a complaint for a caller (phone, walk-in, the 1111 and 1206 hotlines): the same
// form as the citizen's plus the channel (cases/file-for-caller.ts). The tracking code is shown
// once, on the page that answers the POST, for the staff member to read out.
import type { FastifyInstance } from 'fastify';
import { agenciesForForm } from '../../agencies/list-agencies.ts';
import {
  CALLER_CHANNELS,
  callerFormAgency,
  checkMayFileForCaller,
  fileForCaller,
} from '../../cases/file-for-caller.ts';
import { formatReceipt } from '../../crypto/receipt.ts';
import type { AppError } from '../../errors.ts';
import { COMPLAINT_CATEGORIES } from '../../intake/limits.ts';
import { newDraft } from '../../intake/submit-report.ts';
import type { WebDeps } from '../deps.ts';
import { actOnForm, formOf, type Form } from '../form.ts';
import { fileParamsOf, formShown, readMultipartForm } from '../multipart-form.ts';
import { sendPage } from '../render.ts';
import { complaintKindOf, typedValues, COMPLAINT_FIELDS, type ComplaintKind } from '../reporter/complaint-routes.ts';
import { requireStaff, staffOf } from '../staff-auth.ts';
import { staffFrame } from './staff-page.ts';

const PATH = '/staff/complaints/new';
const actionOf = (kind: ComplaintKind) => (kind === 'permit' ? `${PATH}?type=permit` : PATH);

/** The form, with what was typed and, after a refusal, the summary, the field messages and whether files must be chosen again. */
async function showForm(
  deps: WebDeps,
  f: Form,
  kind: ComplaintKind,
  values: Record<string, string>,
  refusal: { error: AppError; status: number; reselect: boolean } | null = null,
) {
  const agencies = await agenciesForForm(deps.db, values.agency);
  return sendPage(
    f.reply,
    f,
    'staff-complaint',
    {
      title: f.t(kind === 'permit' ? 'caller.permit.title' : 'caller.title'),
      kind,
      action: actionOf(kind),
      channels: CALLER_CHANNELS,
      agencies,
      categories: COMPLAINT_CATEGORIES,
      ...formShown(f.t, fileParamsOf(deps.config), values, refusal?.error ?? null, refusal?.reselect ?? false),
      isStaff: true,
      ...staffFrame(deps, f),
    },
    refusal?.status ?? 200,
    refusal === null,
  );
}

export function callerComplaintRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { config, db, secrets } = deps;

  app.register(async (scope) => {
    scope.addHook('preHandler', requireStaff(db));

    // The staff member's own agency by default; any agency that receives complaints may be chosen.
    scope.get(PATH, async (req, reply) => {
      const agency = await callerFormAgency(db, staffOf(req));
      return showForm(deps, formOf(req, reply, config.isSecureCookies), complaintKindOf(req.query), {
        agency,
        channel: 'phone',
      });
    });

    scope.post(PATH, async (req, reply) => {
      const actor = staffOf(req);
      checkMayFileForCaller(actor); // before any file is stored
      const f = formOf(req, reply, config.isSecureCookies);
      const kind = complaintKindOf(req.query);
      const draft = newDraft();
      const form = await readMultipartForm(req, {
        db,
        caseKey: draft.caseKey,
        maxFileBytes: config.maxFileBytes,
        maxReportBytes: config.maxReportBytes,
      });
      const values = typedValues(form.fields, [...COMPLAINT_FIELDS, 'channel']);
      return actOnForm(
        f,
        async () => {
          if (form.error) throw form.error;
          const { receipt, reference, channel } = await fileForCaller({
            db,
            kdf: config.kdf,
            receiptSalt: secrets.receiptSalt,
            actor,
            draft,
            fields: form.fields,
            kind,
            files: form.files,
          });
          return sendPage(reply, f, 'staff-complaint-done', {
            title: f.t('caller.done.title'),
            receiptFormatted: formatReceipt(receipt),
            reference,
            kind,
            channel,
            caseHref: `/staff/cases/${encodeURIComponent(reference)}`,
            again: actionOf(kind),
            ...staffFrame(deps, f),
          });
        },
        (error, status) => showForm(deps, f, kind, values, { error, status, reselect: form.sawFiles }),
      );
    });
  });
}
