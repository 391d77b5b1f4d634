// Handing a case's keys over. The server never holds a case key, so adding someone to a case is a
// grant that waits for the session of someone who holds the key: the supervisor or intake officer
// doing it (at once), or the next key holder to open their inbox or the case. The session also
// checks, on the decrypted report, that the person added is not named in it. While a grant waits,
// its person sees the case listed as waiting for access, and the key holders are mailed.
import { sql, type Transaction } from 'kysely';
import { recordAudit } from '../audit/record-audit.ts';
import { aeadKey, openJson } from '../crypto/aead.ts';
import { openSealed, sealTo } from '../crypto/sealed-box.ts';
import type { Db } from '../db/connection.ts';
import type { Database } from '../db/schema.ts';
import { contentAad } from '../intake/case-keys.ts';
import { type StaffMailer, staffMail } from '../mail/staff-mail.ts';
import type { StaffActor } from '../staff/session.ts';
import { recordCaseEvent } from './workflow.ts';

/** Letters and digits only, lower case, Thai included: "นาย สมชาย  ใจดี" ~ "นายสมชายใจดี". */
export function nameKey(text: string): string {
  return text
    .normalize('NFC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\p{M}]+/gu, '');
}

/** True when the person's name (at least 4 letters) appears in any field of the report. */
export function isNamedIn(displayName: string, content: Record<string, string>): boolean {
  const name = nameKey(displayName);
  if (name.length < 4) return false;
  return Object.values(content).some((v) => nameKey(v).includes(name));
}

/** One grant the actor's session settled: whose, on which case, and how. */
export type HandedOver = { reference: string; name: string; state: 'sealed' | 'refused_named' };

/**
 * Seals the pending grants of the cases whose keys the actor holds (all of them, or one case).
 * A content grant to someone named in the report is refused. Returns the counts.
 */
export async function fulfilGrants(opts: {
  db: Db;
  actor: StaffActor;
  caseId?: string;
  limit?: number;
}): Promise<{ sealed: number; refused: number }> {
  const done = await handOver(opts);
  return {
    sealed: done.filter((d) => d.state === 'sealed').length,
    refused: done.filter((d) => d.state === 'refused_named').length,
  };
}

/** The same, saying what was settled (cancelled grants of someone gone are left out): the inbox tells the holder. */
export async function handOver({
  db,
  actor,
  caseId,
  limit = 50,
}: {
  db: Db;
  actor: StaffActor;
  caseId?: string;
  limit?: number;
}): Promise<HandedOver[]> {
  if (!actor.isEnrolled) return [];
  const pending = await db
    .selectFrom('case_grant as g')
    .innerJoin('case_key as k', (j) =>
      j.onRef('k.case_id', '=', 'g.case_id').onRef('k.purpose', '=', 'g.purpose').on('k.user_id', '=', actor.id),
    )
    .innerJoin('staff_user as u', 'u.id', 'g.user_id')
    .innerJoin('report_case as c', 'c.id', 'g.case_id')
    .leftJoin('case_key as tk', (j) =>
      j.onRef('tk.case_id', '=', 'g.case_id').on('tk.purpose', '=', 'team').on('tk.user_id', '=', actor.id),
    )
    .select([
      'g.id',
      'g.case_id',
      'g.user_id',
      'g.purpose',
      'g.referral_id',
      'u.public_key',
      'u.display_name',
      'u.email',
      'u.is_active',
      'k.sealed_key',
      'tk.sealed_key as team_key',
      'c.content',
      'c.reference',
      'c.team_public_key',
    ])
    .where('g.state', '=', 'pending')
    .$if(caseId !== undefined, (q) => q.where('g.case_id', '=', caseId!))
    .orderBy('g.requested_at')
    .limit(limit)
    .execute();
  const done: HandedOver[] = [];
  for (const g of pending) {
    const key = openSealed(actor.keys, g.sealed_key);
    let state: 'sealed' | 'refused_named' | 'cancelled' = 'sealed';
    if (!g.is_active || !g.public_key) state = 'cancelled';
    else if (
      g.purpose === 'content' &&
      isNamedIn(g.display_name, openJson<Record<string, string>>(aeadKey(key), g.content, contentAad(g.case_id)))
    )
      state = 'refused_named';
    await db.transaction().execute(async (trx) => {
      const claimed = await trx
        .updateTable('case_grant')
        .set({ state, settled_by: actor.id, settled_at: new Date() })
        .where('id', '=', g.id)
        .where('state', '=', 'pending')
        .executeTakeFirst();
      if (claimed.numUpdatedRows !== 1n) return; // settled by someone else meanwhile
      if (state === 'sealed') {
        const rows: {
          case_id: string;
          user_id: number;
          purpose: 'content' | 'identity' | 'team';
          sealed_key: Buffer;
        }[] = [{ case_id: g.case_id, user_id: g.user_id, purpose: g.purpose, sealed_key: sealTo(g.public_key!, key) }];
        if (g.purpose === 'content' && g.team_key)
          rows.push({
            case_id: g.case_id,
            user_id: g.user_id,
            purpose: 'team',
            sealed_key: sealTo(g.public_key!, openSealed(actor.keys, g.team_key)),
          });
        await trx
          .insertInto('case_key')
          .values(rows)
          .onConflict((oc) => oc.doNothing())
          .execute();
        await recordAudit(trx, {
          actorUserId: actor.id,
          action: 'key_granted',
          caseId: g.case_id,
          caseReference: g.reference,
          detail: { user: g.user_id, purpose: g.purpose },
        });
      } else if (state === 'refused_named') {
        await trx
          .deleteFrom('case_assignment')
          .where('case_id', '=', g.case_id)
          .where('user_id', '=', g.user_id)
          .execute();
        await recordCaseEvent(trx, {
          caseId: g.case_id,
          teamPublicKey: g.team_public_key,
          actor: null,
          kind: 'assignment_refused_named',
          forReporter: false,
        });
        await recordAudit(trx, {
          actorUserId: actor.id,
          action: 'key_grant_refused',
          caseId: g.case_id,
          caseReference: g.reference,
          detail: { user: g.user_id, why: 'named_in_report' },
        });
      }
      if (g.referral_id) await finishReferral(trx, g.referral_id);
    });
    key.fill(0);
    if (state !== 'cancelled') done.push({ reference: g.reference, name: g.display_name || g.email, state });
  }
  return done;
}

/** When every grant of a referral is settled and the sender gives up access, the sender's keys go. */
async function finishReferral(trx: Transaction<Database>, referralId: string): Promise<void> {
  const ref = await trx.selectFrom('case_referral').selectAll().where('id', '=', referralId).executeTakeFirst();
  if (!ref || ref.sender_keeps_access) return;
  const open = await trx
    .selectFrom('case_grant')
    .select('id')
    .where('referral_id', '=', referralId)
    .where('state', '=', 'pending')
    .executeTakeFirst();
  if (open) return;
  const gone = await sql<{
    user_id: number;
  }>`delete from case_key k using staff_user u where u.id = k.user_id and k.case_id = ${ref.case_id} and u.agency_id = ${ref.from_agency_id} returning k.user_id`.execute(
    trx,
  );
  await recordAudit(trx, {
    actorUserId: null,
    action: 'case_member_removed',
    caseId: ref.case_id,
    detail: { referral: referralId, users: [...new Set(gone.rows.map((r) => r.user_id))] },
  });
  await sql`delete from case_assignment a using staff_user u where u.id = a.user_id and a.case_id = ${ref.case_id} and u.agency_id = ${ref.from_agency_id}`.execute(
    trx,
  );
}

/** A case assigned to the actor whose keys no holder has handed over yet. */
export type WaitingCase = { reference: string; category: string; since: Date };

/** The cases waiting for a key holder to hand the actor their content key, oldest first. */
export async function waitingForAccess(db: Db, actor: StaffActor): Promise<WaitingCase[]> {
  const rows = await db
    .selectFrom('case_grant as g')
    .innerJoin('report_case as c', 'c.id', 'g.case_id')
    .select(['c.reference', 'c.category', 'g.requested_at'])
    .where('g.user_id', '=', actor.id)
    .where('g.purpose', '=', 'content')
    .where('g.state', '=', 'pending')
    .orderBy('g.requested_at')
    .limit(200)
    .execute();
  return rows.map((r) => ({ reference: r.reference, category: r.category, since: r.requested_at }));
}

/** How the key holders are told: the mailer when SMTP is configured (else nobody is mailed) and the console's address. */
export type HandoverMail = { mailer: StaffMailer | null; publicUrl: string };

/**
 * Mails every active, enrolled holder of a key someone waits for on the case: who waits, the
 * case's reference and the inbox's address, where their visit hands the keys over. Metadata only,
 * as every mail (mailer.ts). Sent after the grant is committed: a mail that fails leaves the grant
 * waiting for the next visit, and is counted, never thrown.
 */
export async function tellKeyHolders(
  db: Db,
  mail: HandoverMail,
  c: { id: string; reference: string },
): Promise<{ mailed: number; failed: number }> {
  if (!mail.mailer) return { mailed: 0, failed: 0 };
  const rows = await db
    .selectFrom('case_grant as g')
    .innerJoin('case_key as k', (j) => j.onRef('k.case_id', '=', 'g.case_id').onRef('k.purpose', '=', 'g.purpose'))
    .innerJoin('staff_user as h', 'h.id', 'k.user_id')
    .innerJoin('staff_user as w', 'w.id', 'g.user_id')
    .select(['h.email', 'w.display_name', 'w.email as waiting'])
    .where('g.case_id', '=', c.id)
    .where('g.state', '=', 'pending')
    .where('h.is_active', '=', true)
    .where('h.totp_sealed', 'is not', null)
    .execute();
  const holders = new Map<string, Set<string>>();
  for (const r of rows) holders.set(r.email, (holders.get(r.email) ?? new Set()).add(r.display_name || r.waiting));
  let mailed = 0;
  for (const [email, waiting] of holders) {
    const who = [...waiting].join(', ');
    try {
      await mail.mailer(
        email,
        staffMail('handover', { reference: c.reference, who, url: `${mail.publicUrl}/staff/cases` }),
      );
      mailed++;
    } catch {
      // the grant waits for the next visit of any holder; the caller reports the count
    }
  }
  return { mailed, failed: holders.size - mailed };
}
