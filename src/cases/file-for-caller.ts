// Staff filing a complaint for a caller (phone, walk-in, the 1111 and 1206 hotlines): the same
// fields as the citizen's form plus the channel it came through. The case and its audit row are one
// transaction; the tracking code is returned once, for the staff member to read out.
import { recordAudit } from '../audit/record-audit.ts';
import type { KdfParams } from '../crypto/kdf.ts';
import type { Db } from '../db/connection.ts';
import type { CaseChannel } from '../db/schema.ts';
import { AppError, isAppError } from '../errors.ts';
import type { AttachmentMeta, StoredFile } from '../intake/attachments.ts';
import { submitReport, type Draft, type Submitted } from '../intake/submit-report.ts';
import { validateComplaint, type ComplaintInput } from '../intake/validate-complaint.ts';
import { hasRole, type StaffActor } from '../staff/session.ts';

/** The channels a complaint reaches staff through when they type it in for the caller. */
export const CALLER_CHANNELS = [
  'phone',
  'walk_in',
  'hotline_1111',
  'hotline_1206',
] as const satisfies readonly CaseChannel[];
export type CallerChannel = (typeof CALLER_CHANNELS)[number];

/** Who files for callers: the agency's intake officers and supervisors. */
export function checkMayFileForCaller(actor: StaffActor): void {
  if (!hasRole(actor, 'intake_officer', 'supervisor'))
    throw new AppError('forbidden', 'needs one of: intake_officer, supervisor', 'error.forbidden');
}

/** The agency the form proposes: the staff member's own (its code), or none for a platform account. */
export async function callerFormAgency(db: Db, actor: StaffActor): Promise<string> {
  checkMayFileForCaller(actor);
  if (actor.agencyId === null) return '';
  const own = await db.selectFrom('agency').select('code').where('id', '=', actor.agencyId).executeTakeFirst();
  return own?.code ?? '';
}

/** Validates the caller's complaint and the channel it came through, naming every field at fault. */
export function validateCallerComplaint(
  fields: Record<string, string>,
  kind: 'complaint' | 'permit',
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

/**
 * Files a caller's complaint (intake officers and supervisors; forbidden otherwise) with the files
 * already stored under `draft`'s key: validated first (invalid_input naming every field), then the
 * case and the audit row complaint_filed_for_caller in one transaction. Resolves after the commit.
 */
export async function fileForCaller({
  db,
  kdf,
  receiptSalt,
  actor,
  draft,
  fields,
  kind,
  files,
}: {
  db: Db;
  kdf: KdfParams;
  receiptSalt: Buffer;
  actor: StaffActor;
  draft: Draft;
  fields: Record<string, string>;
  kind: 'complaint' | 'permit';
  files: { file: StoredFile; meta: AttachmentMeta }[];
}): Promise<Submitted & { channel: CallerChannel }> {
  checkMayFileForCaller(actor);
  const { channel, input } = validateCallerComplaint(fields, kind);
  return db.transaction().execute(async (trx) => {
    const filed = await submitReport({
      db: trx,
      kdf,
      receiptSalt,
      draft,
      input: input.report,
      files,
      channel,
      complaint: input.complaint,
    });
    await recordAudit(trx, {
      actorUserId: actor.id,
      action: 'complaint_filed_for_caller',
      caseId: filed.caseId,
      caseReference: filed.reference,
      detail: { channel, kind, files: files.length },
    });
    return { receipt: filed.receipt, reference: filed.reference, caseId: filed.caseId, channel };
  });
}
