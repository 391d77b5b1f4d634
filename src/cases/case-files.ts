// A file of a case, for download by its team: the reporter's and the team's files under the
// content key, a witness's under that witness's key. The download is audited once the file is
// known to exist, before any byte is sent.
import { recordAudit } from '../audit/record-audit.ts';
import type { Db } from '../db/connection.ts';
import type { StaffActor } from '../staff/session.ts';
import { openCaseKeys } from './open-case.ts';
import { witnessKey } from './witnesses.ts';

/** What a download needs: the case, the key the file is sealed under, and the audit to write when it is found. */
export type CaseFile = { caseId: string; caseKey: Buffer; attachmentId: string; onFound: () => Promise<void> };

/** Opens the case of `reference` for a file download (not_found, audited, for anyone off the team). */
export async function openCaseFile({
  db,
  actor,
  reference,
  attachmentId,
  witnessId,
}: {
  db: Db;
  actor: StaffActor;
  reference: string;
  attachmentId: string;
  /** The witness whose thread holds the file; absent for the case's own files. */
  witnessId?: string;
}): Promise<CaseFile> {
  const opened = await openCaseKeys({ db, actor, reference, purpose: 'attachment_downloaded' });
  const caseKey = witnessId === undefined ? opened.keys.content : await witnessKey(db, opened, witnessId);
  return {
    caseId: opened.caseId,
    caseKey,
    attachmentId,
    onFound: () =>
      recordAudit(db, {
        actorUserId: actor.id,
        action: 'attachment_downloaded',
        caseId: opened.caseId,
        caseReference: opened.reference,
        detail: { attachment: attachmentId, ...(witnessId === undefined ? {} : { witness: witnessId }) },
      }),
  };
}
