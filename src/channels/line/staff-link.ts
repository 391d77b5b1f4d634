// A staff account linked to a LINE user, so that the staff member takes the lesson of the day and
// asks ethics questions on LINE. The staff member asks for a one-time code on their account page
// (10 random digits, valid 10 minutes, used once, stored only as an HMAC under the channel key) and
// sends "เชื่อมบัญชี <code>" to the Official Account. The link keeps the LINE user id sealed under
// the channel key and an HMAC of it under a key of its own (ChannelKeys.staffHash), never the
// reporters' user_hash: a stolen database cannot join a staff member to the cases their LINE
// account filed. Linking and unlinking are audited; the audit names the staff member, never the
// LINE user. Wrong codes are limited per sender and in all (brute force).
import { randomInt } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import { recordAudit } from '../../audit/record-audit.ts';
import type { Db } from '../../db/connection.ts';
import type { Database } from '../../db/schema.ts';
import { AppError } from '../../errors.ts';
import type { Lang } from '../../i18n/messages.ts';
import type { StaffActor } from '../../staff/session.ts';
import { openForChannel, sealForChannel, type ChannelKeys } from './channel-key.ts';
import { asciiDigits } from '../../i18n/digits.ts';

/** Digits of a link code: 10^10 codes, against a handful alive at any time and the limits below. */
export const LINK_CODE_DIGITS = 10;
export const LINK_CODE_TTL_MS = 10 * 60_000;
/** Codes a staff member may ask for in an hour. */
export const MAX_CODES_PER_HOUR = 5;
/** Wrong codes one LINE user may send in LINK_FAILURE_WINDOW_MS, and all LINE users together. */
export const MAX_WRONG_CODES = 5;
export const MAX_WRONG_CODES_IN_ALL = 200;
export const LINK_FAILURE_WINDOW_MS = 10 * 60_000;

type Executor = Db | Transaction<Database>;

/** A fresh code: uniformly random digits (crypto.randomInt), as one string. */
export function newLinkCode(): string {
  let code = '';
  for (let i = 0; i < LINK_CODE_DIGITS; i++) code += String(randomInt(10));
  return code;
}

/** Digits only from what was typed (Thai digits, spaces and dashes allowed); null when it cannot be a code. */
export function normalizeLinkCode(typed: string): string | null {
  const digits = asciiDigits(typed).replace(/[\s-]/g, '');
  return /^\d+$/.test(digits) && digits.length === LINK_CODE_DIGITS ? digits : null;
}

/** Where the staff member's link stands: linked since when, or not. */
export async function linkOf(db: Executor, userId: number): Promise<{ linkedAt: Date } | null> {
  const row = await db
    .selectFrom('line_staff_link')
    .select('linked_at')
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row ? { linkedAt: row.linked_at } : null;
}

/**
 * Issues a link code for the signed-in staff member (their earlier unused codes stop working). At
 * most MAX_CODES_PER_HOUR an hour. Audited (never the code).
 */
export async function issueLinkCode(
  db: Db,
  keys: ChannelKeys,
  actor: StaffActor,
  now = new Date(),
): Promise<{ code: string; expiresAt: Date }> {
  return db.transaction().execute(async (trx) => {
    await trx.selectFrom('staff_user').select('id').where('id', '=', actor.id).forUpdate().execute();
    const recent = await trx
      .selectFrom('line_link_code')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('user_id', '=', actor.id)
      .where('created_at', '>', new Date(now.getTime() - 3_600_000))
      .executeTakeFirstOrThrow();
    if (Number(recent.n) >= MAX_CODES_PER_HOUR)
      throw new AppError('too_many_requests', 'too many link codes', 'line.staff.error.codes');
    // Earlier codes stop working (kept an hour, for the count); older rows go.
    await trx
      .updateTable('line_link_code')
      .set({ expires_at: now })
      .where('user_id', '=', actor.id)
      .where('expires_at', '>', now)
      .execute();
    await trx
      .deleteFrom('line_link_code')
      .where('user_id', '=', actor.id)
      .where('created_at', '<', new Date(now.getTime() - 3_600_000))
      .execute();
    const code = newLinkCode();
    const expiresAt = new Date(now.getTime() + LINK_CODE_TTL_MS);
    await trx
      .insertInto('line_link_code')
      .values({ user_id: actor.id, code_hash: keys.codeHash(code), created_at: now, expires_at: expiresAt })
      .execute();
    await recordAudit(trx, { actorUserId: actor.id, action: 'line_link_code_issued', detail: { minutes: 10 } });
    return { code, expiresAt };
  });
}

export type LinkOutcome = 'linked' | 'already' | 'other' | 'wrong' | 'throttled';

/**
 * Links the LINE user who sent `code` to the code's staff account (in the event's transaction). A
 * wrong, expired or used code counts against the sender's limit and the limit of all senders;
 * past either, no code is even looked at. A LINE user linked to another staff account is refused
 * (unlink first); a staff account linked elsewhere moves to this LINE user.
 */
export async function linkByCode(
  trx: Transaction<Database>,
  keys: ChannelKeys,
  lineUserId: string,
  code: string | null,
  now = new Date(),
): Promise<LinkOutcome> {
  const staffHash = keys.staffHash(lineUserId);
  const since = new Date(now.getTime() - LINK_FAILURE_WINDOW_MS);
  const { rows } = await sql<{ mine: string; all: string }>`
    select count(*) filter (where staff_hash = ${staffHash}) as mine, count(*) as all
    from line_link_failure where at > ${since}`.execute(trx);
  if (Number(rows[0]?.mine) >= MAX_WRONG_CODES || Number(rows[0]?.all) >= MAX_WRONG_CODES_IN_ALL) return 'throttled';
  const found = code
    ? await trx
        .updateTable('line_link_code as c')
        .set({ used_at: now })
        .from('staff_user as u')
        .whereRef('u.id', '=', 'c.user_id')
        .where('c.code_hash', '=', keys.codeHash(code))
        .where('c.used_at', 'is', null)
        .where('c.expires_at', '>', now)
        .where('u.is_active', '=', true)
        .returning('c.user_id')
        .executeTakeFirst()
    : undefined;
  if (!found) {
    await trx.insertInto('line_link_failure').values({ staff_hash: staffHash, at: now }).execute();
    return 'wrong';
  }
  const holder = await trx
    .selectFrom('line_staff_link')
    .select('user_id')
    .where('staff_hash', '=', staffHash)
    .executeTakeFirst();
  if (holder) return holder.user_id === found.user_id ? 'already' : 'other';
  const sealed = sealForChannel(keys, linkAad(found.user_id), { u: lineUserId });
  await trx
    .insertInto('line_staff_link')
    .values({ user_id: found.user_id, staff_hash: staffHash, sealed, state: null, linked_at: now })
    .onConflict((oc) =>
      oc.column('user_id').doUpdateSet({ staff_hash: staffHash, sealed, state: null, linked_at: now }),
    )
    .execute();
  await recordAudit(trx, { actorUserId: found.user_id, action: 'line_linked', detail: { via: 'line' } });
  return 'linked';
}

function linkAad(userId: number): string {
  return `line-staff-link/${userId}`;
}
function stateAad(userId: number): string {
  return `line-staff-state/${userId}`;
}

/** Unlinks the signed-in staff member's LINE account (nothing to do when none is linked). Audited. */
export async function unlinkStaff(db: Db, actor: StaffActor): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const gone = await trx.deleteFrom('line_staff_link').where('user_id', '=', actor.id).executeTakeFirst();
    if (Number(gone.numDeletedRows) === 0) return false;
    await recordAudit(trx, { actorUserId: actor.id, action: 'line_unlinked', detail: { via: 'web' } });
    return true;
  });
}

/** What the staff side of the LINE conversation keeps between two events (sealed in the link row). */
export type StaffState = {
  lang: Lang;
  /** A question the knowledge base could not answer, waiting for "send it to the ethics officer". */
  pending?: string;
  /** The practice question offered, the only one an answer is marked for. */
  practice?: number;
  /** The options chosen so far of a multiple-choice practice question (0-based), before "send the answer". */
  picked?: number[];
};

/** A LINE user's staff link, with what the staff conversation keeps; null when not linked or inactive. */
export type StaffLink = {
  userId: number;
  agencyId: number | null;
  publicKey: Buffer | null;
  state: StaffState;
};

export async function findStaffLink(
  trx: Transaction<Database>,
  keys: ChannelKeys,
  lineUserId: string,
): Promise<StaffLink | null> {
  const row = await trx
    .selectFrom('line_staff_link as l')
    .innerJoin('staff_user as u', 'u.id', 'l.user_id')
    .select(['l.user_id', 'l.state', 'u.agency_id', 'u.public_key', 'u.is_active'])
    .where('l.staff_hash', '=', keys.staffHash(lineUserId))
    .forUpdate(['l'])
    .executeTakeFirst();
  if (!row?.is_active) return null;
  const state = row.state
    ? openForChannel<StaffState>(keys, stateAad(row.user_id), row.state)
    : ({ lang: 'th' } satisfies StaffState);
  return { userId: row.user_id, agencyId: row.agency_id, publicKey: row.public_key, state };
}

export async function saveStaffState(
  trx: Transaction<Database>,
  keys: ChannelKeys,
  userId: number,
  state: StaffState,
): Promise<void> {
  await trx
    .updateTable('line_staff_link')
    .set({ state: sealForChannel(keys, stateAad(userId), state) })
    .where('user_id', '=', userId)
    .execute();
}

/** Unlinks from LINE (the staff member sent the unlink command). Audited. */
export async function unlinkOnLine(trx: Transaction<Database>, link: StaffLink): Promise<void> {
  await trx.deleteFrom('line_staff_link').where('user_id', '=', link.userId).execute();
  await recordAudit(trx, { actorUserId: link.userId, action: 'line_unlinked', detail: { via: 'line' } });
}

/**
 * Links due for the daily lesson push (not pushed on `today`, a Thailand date), locked: up to
 * `limit`, of active staff, with the LINE user id to push to.
 */
export async function dueForLesson(
  trx: Transaction<Database>,
  keys: ChannelKeys,
  today: string,
  limit: number,
): Promise<{ link: StaffLink; lineUserId: string }[]> {
  const rows = await trx
    .selectFrom('line_staff_link as l')
    .innerJoin('staff_user as u', 'u.id', 'l.user_id')
    .select(['l.user_id', 'l.sealed', 'l.state', 'u.agency_id', 'u.public_key'])
    .where('u.is_active', '=', true)
    .where((eb) => eb.or([eb('l.lesson_pushed_on', 'is', null), eb('l.lesson_pushed_on', '<', today)]))
    .orderBy('l.user_id')
    .limit(limit)
    .forUpdate(['l'])
    .skipLocked()
    .execute();
  return rows.map((r) => ({
    lineUserId: openForChannel<{ u: string }>(keys, linkAad(r.user_id), r.sealed).u,
    link: {
      userId: r.user_id,
      agencyId: r.agency_id,
      publicKey: r.public_key,
      state: r.state ? openForChannel<StaffState>(keys, stateAad(r.user_id), r.state) : { lang: 'th' },
    },
  }));
}

export async function markLessonPushed(trx: Transaction<Database>, userId: number, today: string): Promise<void> {
  await trx.updateTable('line_staff_link').set({ lesson_pushed_on: today }).where('user_id', '=', userId).execute();
}

/** The LINE user id of a staff member's link (to push to them), or null. */
export async function lineUserOf(db: Executor, keys: ChannelKeys, userId: number): Promise<string | null> {
  const row = await db.selectFrom('line_staff_link').select('sealed').where('user_id', '=', userId).executeTakeFirst();
  return row ? openForChannel<{ u: string }>(keys, linkAad(userId), row.sealed).u : null;
}
