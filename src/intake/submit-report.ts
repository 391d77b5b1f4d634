import { randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { KdfParams } from '../config/load.ts';
import type { Db } from '../db/connection.ts';
import { aeadKey, sealJson } from '../crypto/aead.ts';
import { deriveReceiptKeys, generateReceipt } from '../crypto/receipt.ts';
import { sealTo } from '../crypto/sealed-box.ts';
import { AppError } from '../errors.ts';
import { sealAttachmentMeta, type AttachmentMeta, type StoredFile } from './attachments.ts';
import { contentAad, identityAad, wrapForReporter } from './case-keys.ts';
import { UNKNOWN_AGENCY, type ReportInput } from './validate-report.ts';

/** A submission in progress: its id and content key exist before the files stream in. */
export type Draft = { caseId: string; caseKey: Buffer };

export function newDraft(): Draft {
  return { caseId: randomUUID(), caseKey: randomBytes(32) };
}

export type Submitted = { receipt: string; reference: string; caseId: string };

/** The Buddhist Era year in Thailand now (2026 CE → 2569). */
export function buddhistYear(date = new Date()): number {
  return Number(new Intl.DateTimeFormat('en-US-u-ca-buddhist', { year: 'numeric', timeZone: 'Asia/Bangkok' }).formatToParts(date).find((p) => p.type === 'year')!.value);
}

/**
 * Files a report: seals its content to every active recipient of the agency and to a key derived
 * from a fresh 16-digit receipt, and commits everything in one transaction. The receipt MUST be
 * shown only after this resolves: then the report is durably stored (synchronous commit).
 */
export async function submitReport({ db, kdf, receiptSalt, draft, input, files, channel }: {
  db: Db;
  kdf: KdfParams;
  receiptSalt: Buffer;
  draft: Draft;
  input: ReportInput;
  files: { file: StoredFile; meta: AttachmentMeta }[];
  channel: 'web' | 'api';
}): Promise<Submitted> {
  const agency = await db
    .selectFrom('agency')
    .select(['id', 'code'])
    .$call((q) => (input.agencyCode === UNKNOWN_AGENCY ? q.where('is_intake_office', '=', true) : q.where('code', '=', input.agencyCode)))
    .executeTakeFirst();
  const recipients = agency
    ? await db.selectFrom('staff_user').select(['id', 'public_key']).where('agency_id', '=', agency.id).where('is_active', '=', true).execute()
    : [];
  if (!agency || recipients.length === 0) {
    throw new AppError('invalid_input', `agency ${input.agencyCode} does not receive reports`, 'error.form', { agency: 'error.agency_unknown' });
  }
  const { caseId, caseKey } = draft;
  const identityKey = input.identity ? randomBytes(32) : null;
  const content = sealJson(aeadKey(caseKey), { what: input.what, when: input.when, where: input.where, who: input.who }, contentAad(caseId));
  const identity = identityKey && input.identity ? sealJson(aeadKey(identityKey), input.identity, identityAad(caseId)) : null;
  const sealedKeys = recipients.flatMap((r) => [
    { case_id: caseId, user_id: r.id, purpose: 'content' as const, sealed_key: sealTo(r.public_key, caseKey) },
    ...(identityKey ? [{ case_id: caseId, user_id: r.id, purpose: 'identity' as const, sealed_key: sealTo(r.public_key, identityKey) }] : []),
  ]);
  for (let attempt = 0; ; attempt++) {
    const receipt = generateReceipt();
    const reporter = await deriveReceiptKeys(receipt, receiptSalt, kdf);
    try {
      const reference = await db.transaction().execute(async (trx) => {
        const { n } = (await sql<{ n: number }>`select nextval('case_number_seq')::int as n`.execute(trx)).rows[0];
        const reference = `${agency.code}-${buddhistYear()}-${String(n).padStart(6, '0')}`;
        await trx
          .insertInto('report_case')
          .values({ id: caseId, number: n, reference, agency_id: agency.id, category: input.category, channel, has_identity: identity !== null, content, identity })
          .execute();
        await trx.insertInto('case_key').values(sealedKeys).execute();
        await trx.insertInto('reporter_access').values({ lookup: reporter.lookup, case_id: caseId, wrapped_keys: wrapForReporter(reporter.key, caseId, { content: caseKey, identity: identityKey }) }).execute();
        if (files.length > 0) {
          await trx
            .insertInto('attachment')
            .values(files.map(({ file, meta }) => ({ id: file.attachmentId, case_id: caseId, blob_id: file.blobId, uploaded_by: 'reporter' as const, meta: sealAttachmentMeta(caseKey, caseId, file.attachmentId, meta) })))
            .execute();
        }
        return reference;
      });
      return { receipt, reference, caseId };
    } catch (e) {
      // Two equal receipts (1 in 10^16) collide on the lookup key: draw again, never check-then-insert.
      const err = e as { code?: string; constraint?: string };
      if (err.code === '23505' && err.constraint === 'reporter_access_pkey' && attempt < 3) continue;
      throw e;
    }
  }
}
