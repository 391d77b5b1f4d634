// Turns what a LINE complainant is to be told (rows the database's triggers add when a case they
// filed changes status or gets a staff reply) into pushes in the outbox, in one transaction.
import type { Transaction } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { aeadKey } from '../../crypto/aead.ts';
import { translator } from '../../i18n/messages.ts';
import { messageView } from '../../intake/case-view.ts';
import type { LineDeps } from './deps.ts';
import { findLineContact, type LineContact } from './line-contact.ts';
import { enqueue } from './outbox.ts';
import { clip, text, type Message } from './replies.ts';
import { rateButtons } from './track-on-line.ts';

async function messagesFor(
  trx: Transaction<Database>,
  contact: LineContact,
  n: { kind: 'status' | 'reply'; ref_id: string },
  publicUrl: string,
): Promise<Message[]> {
  const t = translator(contact.lang);
  const c = await trx
    .selectFrom('report_case')
    .select(['reference', 'status', 'kind', 'outcome'])
    .where('id', '=', contact.caseId)
    .executeTakeFirstOrThrow();
  if (n.kind === 'reply') {
    const m = await trx
      .selectFrom('case_message')
      .selectAll()
      .where('id', '=', n.ref_id)
      .where('case_id', '=', contact.caseId)
      .executeTakeFirst();
    if (!m) return [];
    const reply = messageView(aeadKey(contact.contentKey), contact.caseId, m, []);
    return [
      text(
        `${t('line.push.reply', { reference: c.reference, text: clip(reply.text, 4000) })}\n\n${t('line.push.reply_hint', { url: `${publicUrl}/status` })}`,
      ),
    ];
  }
  const e = await trx
    .selectFrom('case_event as e')
    .leftJoin('agency as g', 'g.id', 'e.agency_id')
    .select(['e.kind', 'e.to_status', 'g.name_th', 'g.name_en'])
    .where('e.id', '=', Number(n.ref_id))
    .where('e.case_id', '=', contact.caseId)
    .executeTakeFirst();
  if (!e) return [];
  const agency = e.name_th ? (contact.lang === 'th' ? e.name_th : e.name_en!) : '';
  // The same words as the status page: a status, or the step the reporter is shown (a referral, a decision).
  const step =
    e.kind === 'status'
      ? t('line.push.status', { reference: c.reference, status: t(`status.${e.to_status ?? c.status}`) })
      : t('line.push.event', { reference: c.reference, text: t(`followup.progress.${e.kind}`, { agency }) });
  // A complaint's closure tells how it ended, as the status page does; a tip's outcome stays the team's.
  const outcome =
    e.to_status === 'closed' && c.kind !== 'tip' && c.outcome
      ? `\n${t('line.outcome', { outcome: t(`outcome.${c.outcome}`) })}`
      : '';
  const messages: Message[] = [text(step + outcome)];
  if (e.to_status === 'closed')
    messages.push(text(t('line.push.rate', { reference: c.reference }), rateButtons(c.reference)));
  return messages;
}

/** Composes up to `limit` pending notices. Returns how many were taken. */
export async function composeNotices(deps: LineDeps, limit = 50): Promise<number> {
  return deps.db.transaction().execute(async (trx) => {
    const rows = await trx
      .selectFrom('complainant_notice')
      .select(['id', 'case_id', 'kind', 'ref_id'])
      .where('done_at', 'is', null)
      .orderBy('id')
      .limit(limit)
      .forUpdate()
      .skipLocked()
      .execute();
    for (const n of rows) {
      const contact = await findLineContact(trx, deps.keys, n.case_id);
      if (contact)
        await enqueue(trx, deps.keys, {
          to: contact.userId,
          replyToken: null,
          messages: await messagesFor(trx, contact, n, deps.config.publicUrl),
        });
    }
    if (rows.length > 0)
      await trx
        .updateTable('complainant_notice')
        .set({ done_at: new Date() })
        .where(
          'id',
          'in',
          rows.map((r) => r.id),
        )
        .execute();
    return rows.length;
  });
}
