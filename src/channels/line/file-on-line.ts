// Files the case a LINE user composed, in the transaction that processes their "send it": the case,
// its files and who filed it on LINE commit together with the event, so it is filed exactly once.
import { randomBytes, randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { formatReceipt } from '../../crypto/receipt.ts';
import { isAppError } from '../../errors.ts';
import { translator } from '../../i18n/messages.ts';
import { submitReport } from '../../intake/submit-report.ts';
import type { ReportInput } from '../../intake/validate-report.ts';
import type { Conversation } from './conversation-state.ts';
import type { LineDeps } from './deps.ts';
import { recordLineContact } from './line-contact.ts';
import { menuButtons, text, uriButton, type Message } from './replies.ts';

/** The draft's id and key: made with the first photo, or now. */
export function draftOf(c: Conversation): { caseId: string; caseKey: Buffer } {
  if (!c.draft) c.draft = { caseId: randomUUID(), caseKey: randomBytes(32).toString('base64') };
  return { caseId: c.draft.caseId, caseKey: Buffer.from(c.draft.caseKey, 'base64') };
}

async function displayName(deps: LineDeps, userId: string): Promise<string> {
  try {
    return (await deps.clients.api.getProfile(userId)).displayName.slice(0, 300);
  } catch {
    return ''; // a user who blocked the account, or LINE unreachable: the case is filed without a name
  }
}

/**
 * Files the composed case. A complaint names the LINE user as complainant (sealed content, read
 * by the handling staff); a tip puts the LINE user in the sealed identity, which only the agency's
 * identity custodians open. Returns the messages for the user.
 */
export async function fileOnLine(
  trx: Transaction<Database>,
  deps: LineDeps,
  userId: string,
  c: Conversation,
): Promise<Message[]> {
  const t = translator(c.lang);
  const draft = draftOf(c);
  const name = await displayName(deps, userId);
  const input: ReportInput = {
    agencyCode: c.agency!.code,
    category: c.category as ReportInput['category'],
    what: c.what ?? '',
    when: '',
    where: c.location?.address ?? '',
    who: '',
    identity: c.kind === 'tip' ? { name, contact: `LINE ${userId}` } : null,
  };
  try {
    const done = await submitReport({
      db: trx,
      kdf: deps.config.kdf,
      receiptSalt: deps.secrets.receiptSalt,
      draft,
      input,
      files: c.photos,
      channel: 'line',
      ...(c.kind === 'complaint'
        ? {
            complaint: {
              kind: 'complaint' as const,
              complainant: { name, contact: 'LINE', lineUserId: userId },
              ...(c.location ? { location: c.location } : {}),
            },
          }
        : {}),
    });
    await recordLineContact(trx, deps.keys, { caseId: done.caseId, userId, lang: c.lang, contentKey: draft.caseKey });
    const url = `${deps.config.publicUrl}/status?code=${done.receipt}`;
    return [
      text(t('line.filed', { reference: done.reference, code: formatReceipt(done.receipt), url }), [
        uriButton(t('line.btn.status'), url),
        ...menuButtons(t).slice(0, 2),
      ]),
    ];
  } catch (e) {
    if (isAppError(e) && e.fields.name === 'error.no_custodian')
      return [text(t('line.filed_no_custodian', { url: `${deps.config.publicUrl}/report` }), menuButtons(t))];
    if (isAppError(e) && e.code === 'invalid_input')
      return [text(t('line.error', { message: t(Object.values(e.fields)[0] ?? e.userMessage) }), menuButtons(t))];
    throw e;
  }
}
