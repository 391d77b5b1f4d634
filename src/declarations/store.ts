// Filing and reading declarations. The content (every figure, asset and interest) is sealed under a
// random content key (AEAD, bound to the declaration's id); the key is sealed (libsodium sealed box)
// to the declarant's public key and to each active declaration reviewer of the agency. A reviewer
// added later reads nothing until a reviewer who holds the keys opens the list: their session seals
// the keys it can open to the reviewers who lack them (as a case's key holder hands keys over). An
// administrator or a colleague holds no key and is refused before any key is tried. The checks'
// flag codes are kept in the clear (no figure); conflict alerts' details are sealed with the content key.
import { randomBytes, randomUUID } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import { recordAudit } from '../audit/record-audit.ts';
import { aeadKey, openJson, openRaw, sealJson, sealRaw } from '../crypto/aead.ts';
import { subkey } from '../crypto/kdf.ts';
import { openSealed, sealTo } from '../crypto/sealed-box.ts';
import type { Db } from '../db/connection.ts';
import type { Database } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { bangkokToday } from '../intake/validate-complaint.ts';
import { hasRole, type StaffActor } from '../staff/session.ts';
import { checkDeclaration, type Flag } from './checks.ts';
import {
  type Conflict,
  findCaseConflicts,
  findConflicts,
  handlesBusinessCase,
  handlesCaseWithBusiness,
} from './conflicts.ts';
import { type DeclarationContent, type Occasion, totalsOf } from './content.ts';
import { duesOf, type Due } from './due.ts';
import { policyOf } from './positions.ts';

const contentAad = (id: string) => `declaration/${id}`;
const alertAad = (id: string) => `declaration-alert/${id}`;
const notFound = () => new AppError('not_found', 'no such declaration', 'error.notFound');

/** Active declaration reviewers of the agency with a key pair. */
async function reviewersOf(db: Pick<Db, 'selectFrom'>, agencyId: number) {
  return db
    .selectFrom('staff_user as u')
    .innerJoin('staff_role as r', 'r.user_id', 'u.id')
    .select(['u.id', 'u.public_key'])
    .where('u.agency_id', '=', agencyId)
    .where('u.is_active', '=', true)
    .where('r.role', '=', 'declaration_reviewer')
    .where('u.public_key', 'is not', null)
    .execute();
}

function openKey(actor: StaffActor, sealed: Buffer): Buffer {
  return openSealed(actor.keys, sealed);
}

/** The declarant's own filings and the positions they hold: what is due and what they filed. */
export async function myDeclarations(db: Db, actor: StaffActor) {
  const newAlerts = await refreshCaseAlerts(db, actor);
  const [holdings, filings] = await Promise.all([
    db
      .selectFrom('declaration_holder as h')
      .innerJoin('declaration_position as p', 'p.id', 'h.position_id')
      .select(['p.name', 'p.category', 'p.agency_id', 'h.started_on', 'h.left_on'])
      .where('h.user_id', '=', actor.id)
      .execute(),
    db
      .selectFrom('declaration as d')
      .select((eb) => [
        'd.id',
        'd.occasion',
        'd.flags',
        'd.filed_at',
        eb
          .selectFrom('declaration_alert as a')
          .whereRef('a.declaration_id', '=', 'd.id')
          .where('a.recused_at', 'is', null)
          .select(eb.fn.countAll<string>().as('n'))
          .as('alerts'),
      ])
      .where('d.user_id', '=', actor.id)
      .orderBy('d.filed_at', 'desc')
      .execute(),
  ]);
  const agencyId = holdings[0]?.agency_id ?? actor.agencyId;
  const policy = agencyId === null ? null : await policyOf(db, agencyId);
  const dues: Due[] = policy
    ? duesOf(
        policy,
        holdings.map((h) => ({ startedOn: h.started_on, leftOn: h.left_on })),
        filings.map((f) => ({ occasion: f.occasion, filedOn: bangkokToday(f.filed_at) })),
        bangkokToday(),
      )
    : [];
  return {
    positions: holdings.map((h) => ({
      name: h.name,
      category: h.category,
      startedOn: h.started_on,
      leftOn: h.left_on,
    })),
    dues,
    filings: filings.map((f) => ({
      id: f.id,
      occasion: f.occasion,
      flags: f.flags,
      filedOn: bangkokToday(f.filed_at),
      alerts: Number(f.alerts ?? 0),
    })),
    newAlerts,
  };
}

/** The declarant's previous declaration, opened with their own key (null for the first). */
async function previousOf(db: Db, actor: StaffActor): Promise<DeclarationContent | null> {
  const row = await db
    .selectFrom('declaration as d')
    .innerJoin('declaration_key as k', (j) => j.onRef('k.declaration_id', '=', 'd.id').on('k.user_id', '=', actor.id))
    .select(['d.id', 'd.content', 'k.sealed_key'])
    .where('d.user_id', '=', actor.id)
    .orderBy('d.filed_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!row) return null;
  return openJson<DeclarationContent>(aeadKey(openKey(actor, row.sealed_key)), row.content, contentAad(row.id));
}

/**
 * Raises on one declaration (opened: its content and its content key) the case alerts that the
 * businesses recorded on its declarant's cases call for and that it does not have yet (same case and
 * business); returns how many. Runs in the caller's transaction, the declaration's row locked, so two
 * at once raise each alert once.
 */
async function raiseCaseAlerts(
  trx: Transaction<Database>,
  d: { id: string; userId: number; content: DeclarationContent },
  aead: ReturnType<typeof aeadKey>,
): Promise<number> {
  const found = await findCaseConflicts(trx, { userId: d.userId, interests: d.content.interests });
  if (found.length === 0) return 0;
  const raised = await trx
    .selectFrom('declaration_alert')
    .select('detail')
    .where('declaration_id', '=', d.id)
    .where('kind', '=', 'case')
    .execute();
  const known = new Set(
    raised.map((a) => {
      const c = openJson<Conflict>(aead, a.detail, alertAad(d.id));
      return `${c.caseId}/${c.juristicId}`;
    }),
  );
  const fresh = found.filter((c) => !known.has(`${c.caseId}/${c.juristicId}`));
  if (fresh.length === 0) return 0;
  await trx
    .insertInto('declaration_alert')
    .values(
      fresh.map((c) => ({
        declaration_id: d.id,
        kind: c.kind,
        case_id: c.caseId,
        detail: sealJson(aead, c, alertAad(d.id)),
      })),
    )
    .execute();
  return fresh.length;
}

/**
 * Raises the case alerts that businesses recorded on the declarant's cases since their latest
 * declaration was filed call for (a case team adds them on the case page, declarations/
 * case-business.ts). The declaration is sealed to the declarant and the reviewers only, so the match
 * runs here, in the declarant's own session, when they open their declarations (and in a reviewer's
 * recheck, recheckAgency): the case team never learns what was declared. An alert stays when the
 * business is later removed from the case. Audited when any is raised; returns how many.
 */
export async function refreshCaseAlerts(db: Db, actor: StaffActor): Promise<number> {
  if (!(await handlesCaseWithBusiness(db, actor.id))) return 0;
  return db.transaction().execute(async (trx) => {
    const latest = await trx
      .selectFrom('declaration as d')
      .innerJoin('declaration_key as k', (j) => j.onRef('k.declaration_id', '=', 'd.id').on('k.user_id', '=', actor.id))
      .select(['d.id', 'd.content', 'k.sealed_key'])
      .where('d.user_id', '=', actor.id)
      .orderBy('d.filed_at', 'desc')
      .limit(1)
      .forUpdate('d')
      .executeTakeFirst();
    if (!latest) return 0;
    const key = openKey(actor, latest.sealed_key);
    try {
      const aead = aeadKey(key);
      const content = openJson<DeclarationContent>(aead, latest.content, contentAad(latest.id));
      const n = await raiseCaseAlerts(trx, { id: latest.id, userId: actor.id, content }, aead);
      if (n > 0)
        await recordAudit(trx, {
          actorUserId: actor.id,
          action: 'declaration_alerts_raised',
          detail: { declaration: latest.id, alerts: n },
        });
      return n;
    } finally {
      key.fill(0);
    }
  });
}

export type Filed = { id: string; flags: Flag[]; alerts: number; isRepeat: boolean };

/**
 * Files a declaration of a designated person. `token` is the form's one-time token: filing the same
 * token again (a reload, a second press) files nothing and answers the first filing. The checks run
 * against the declarant's previous declaration; conflicts against the agency's procurement data and
 * the cases the declarant handles. Audited with the occasion and the flags, never a figure.
 */
export async function fileDeclaration({
  db,
  actor,
  token,
  content,
}: {
  db: Db;
  actor: StaffActor;
  token: string;
  content: DeclarationContent;
}): Promise<Filed> {
  if (!/^[0-9a-f-]{36}$/.test(token))
    throw new AppError('invalid_input', 'bad filing token', 'error.form', { token: 'error.field.invalid' });
  const holding = await db
    .selectFrom('declaration_holder as h')
    .innerJoin('declaration_position as p', 'p.id', 'h.position_id')
    .select('p.agency_id')
    .where('h.user_id', '=', actor.id)
    .executeTakeFirst();
  if (!holding) throw new AppError('forbidden', 'not in a designated position', 'error.forbidden');
  const repeat = await db
    .selectFrom('declaration')
    .select(['id', 'flags', 'user_id'])
    .where('filing_token', '=', token)
    .executeTakeFirst();
  if (repeat) {
    if (repeat.user_id !== actor.id) throw new AppError('invalid_input', 'token of another', 'error.form');
    return { id: repeat.id, flags: repeat.flags as Flag[], alerts: 0, isRepeat: true };
  }
  const agencyId = holding.agency_id;
  const [previous, conflicts, reviewers, policy] = await Promise.all([
    previousOf(db, actor),
    findConflicts(db, { agencyId, userId: actor.id, interests: content.interests }),
    reviewersOf(db, agencyId),
    policyOf(db, agencyId),
  ]);
  const flags = checkDeclaration(content, previous);
  const id = randomUUID();
  const key = randomBytes(32);
  const totals = totalsOf(content);
  const inserted = await db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('declaration')
      .values({
        id,
        agency_id: agencyId,
        user_id: actor.id,
        occasion: content.occasion,
        filing_token: token,
        content: sealJson(aeadKey(key), content, contentAad(id)),
        flags,
        public_totals: policy.publicSummary
          ? JSON.stringify({ assets: totals.assets, liabilities: totals.liabilities, income: totals.income })
          : null,
      })
      .onConflict((oc) => oc.column('filing_token').doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!row) return false;
    const holders = new Map<number, Buffer>([[actor.id, actor.keys.publicKey]]);
    for (const r of reviewers) if (r.public_key) holders.set(r.id, r.public_key);
    await trx
      .insertInto('declaration_key')
      .values(
        [...holders].map(([userId, pk]) => ({ declaration_id: id, user_id: userId, sealed_key: sealTo(pk, key) })),
      )
      .execute();
    if (conflicts.length > 0)
      await trx
        .insertInto('declaration_alert')
        .values(
          conflicts.map((c) => ({
            declaration_id: id,
            kind: c.kind,
            case_id: c.caseId,
            detail: sealJson(aeadKey(key), c, alertAad(id)),
          })),
        )
        .execute();
    await recordAudit(trx, {
      actorUserId: actor.id,
      action: 'declaration_filed',
      detail: { declaration: id, occasion: content.occasion, flags, alerts: conflicts.length },
    });
    return true;
  });
  key.fill(0);
  if (!inserted) return fileDeclarationAgain(db, token);
  return { id, flags, alerts: conflicts.length, isRepeat: false };
}

async function fileDeclarationAgain(db: Db, token: string): Promise<Filed> {
  const row = await db
    .selectFrom('declaration')
    .select(['id', 'flags'])
    .where('filing_token', '=', token)
    .executeTakeFirstOrThrow();
  return { id: row.id, flags: row.flags as Flag[], alerts: 0, isRepeat: true };
}

function reviewerAgency(actor: StaffActor): number {
  if (!hasRole(actor, 'declaration_reviewer') || actor.agencyId === null)
    throw new AppError('forbidden', 'only a declaration reviewer', 'error.forbidden');
  return actor.agencyId;
}

/**
 * Seals the content keys the reviewer holds to the agency's reviewers who lack them (a reviewer
 * added after filings). Returns how many keys were shared; audited when any were.
 */
export async function shareKeys(db: Db, actor: StaffActor): Promise<number> {
  const agencyId = reviewerAgency(actor);
  const reviewers = (await reviewersOf(db, agencyId)).filter((r) => r.id !== actor.id);
  if (reviewers.length === 0) return 0;
  const missing = await sql<{ declaration_id: string; user_id: number; mine: Buffer }>`
    select d.id as declaration_id, r.id as user_id, k.sealed_key as mine
    from declaration d
    join declaration_key k on k.declaration_id = d.id and k.user_id = ${actor.id}
    cross join unnest(${reviewers.map((r) => r.id)}::int[]) as r(id)
    where d.agency_id = ${agencyId}
      and not exists (select 1 from declaration_key o where o.declaration_id = d.id and o.user_id = r.id)`.execute(db);
  if (missing.rows.length === 0) return 0;
  const pk = new Map(reviewers.map((r) => [r.id, r.public_key as Buffer]));
  const rows = missing.rows.map((m) => {
    const key = openKey(actor, m.mine);
    const sealed = sealTo(pk.get(m.user_id) as Buffer, key);
    key.fill(0);
    return { declaration_id: m.declaration_id, user_id: m.user_id, sealed_key: sealed };
  });
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('declaration_key')
      .values(rows)
      .onConflict((oc) => oc.doNothing())
      .execute();
    await recordAudit(trx, {
      actorUserId: actor.id,
      action: 'declaration_keys_shared',
      detail: { users: [...new Set(rows.map((r) => r.user_id))], keys: rows.length },
    });
  });
  return rows.length;
}

export type Listed = {
  id: string;
  name: string;
  occasion: Occasion;
  flags: Flag[];
  alerts: number;
  filedOn: string;
  canOpen: boolean;
};

/** The agency's declarations for its reviewer (keys shared first); audited. */
export async function listForReviewer(db: Db, actor: StaffActor): Promise<Listed[]> {
  const agencyId = reviewerAgency(actor);
  await shareKeys(db, actor);
  const rows = await db
    .selectFrom('declaration as d')
    .innerJoin('staff_user as u', 'u.id', 'd.user_id')
    .leftJoin('declaration_key as k', (j) => j.onRef('k.declaration_id', '=', 'd.id').on('k.user_id', '=', actor.id))
    .select((eb) => [
      'd.id',
      'd.occasion',
      'd.flags',
      'd.filed_at',
      'u.display_name',
      'u.email',
      'k.user_id as holder',
      eb
        .selectFrom('declaration_alert as a')
        .whereRef('a.declaration_id', '=', 'd.id')
        .select(eb.fn.countAll<string>().as('n'))
        .as('alerts'),
    ])
    .where('d.agency_id', '=', agencyId)
    .orderBy('d.filed_at', 'desc')
    .limit(500)
    .execute();
  await recordAudit(db, { actorUserId: actor.id, action: 'declarations_listed', detail: { rows: rows.length } });
  return rows.map((r) => ({
    id: r.id,
    name: r.display_name || r.email,
    occasion: r.occasion,
    flags: r.flags as Flag[],
    alerts: Number(r.alerts ?? 0),
    filedOn: bangkokToday(r.filed_at),
    canOpen: r.holder !== null,
  }));
}

export type Alert = {
  id: string;
  kind: 'contract' | 'case';
  caseId: string | null;
  recused: boolean;
  detail: Conflict;
};
export type Opened = {
  id: string;
  userId: number;
  name: string;
  filedOn: string;
  flags: Flag[];
  content: DeclarationContent;
  alerts: Alert[];
  isOwn: boolean;
};

/**
 * A declaration opened by its declarant or by a reviewer of its agency who holds its key; anyone
 * else (an administrator, a colleague, another agency's reviewer) gets not found. Audited.
 */
export async function openDeclaration({ db, actor, id }: { db: Db; actor: StaffActor; id: string }): Promise<Opened> {
  if (!/^[0-9a-f-]{36}$/.test(id)) throw notFound();
  const row = await db
    .selectFrom('declaration as d')
    .innerJoin('staff_user as u', 'u.id', 'd.user_id')
    .leftJoin('declaration_key as k', (j) => j.onRef('k.declaration_id', '=', 'd.id').on('k.user_id', '=', actor.id))
    .select([
      'd.id',
      'd.user_id',
      'd.agency_id',
      'd.content',
      'd.flags',
      'd.filed_at',
      'u.display_name',
      'u.email',
      'k.sealed_key',
    ])
    .where('d.id', '=', id)
    .executeTakeFirst();
  const isOwn = row?.user_id === actor.id;
  const isReviewer = hasRole(actor, 'declaration_reviewer') && row?.agency_id === actor.agencyId;
  if (!row || !(isOwn || isReviewer)) throw notFound();
  if (!row.sealed_key) throw new AppError('forbidden', 'no key yet', 'declarations.error.noKey');
  if (isOwn) await refreshCaseAlerts(db, actor);
  const key = aeadKey(openKey(actor, row.sealed_key));
  const content = openJson<DeclarationContent>(key, row.content, contentAad(row.id));
  const alerts = await db
    .selectFrom('declaration_alert')
    .selectAll()
    .where('declaration_id', '=', row.id)
    .orderBy('id')
    .execute();
  await recordAudit(db, {
    actorUserId: actor.id,
    action: 'declaration_opened',
    detail: { declaration: row.id, user: row.user_id },
  });
  return {
    id: row.id,
    userId: row.user_id,
    name: row.display_name || row.email,
    filedOn: bangkokToday(row.filed_at),
    flags: row.flags as Flag[],
    content,
    isOwn,
    alerts: alerts.map((a) => ({
      id: String(a.id),
      kind: a.kind,
      caseId: a.case_id,
      recused: a.recused_at !== null,
      detail: openJson<Conflict>(key, a.detail, alertAad(row.id)),
    })),
  };
}

/**
 * A reviewer's key ring (as cases/key-ring.ts): each content key they hold, wrapped once more under
 * a key derived from their own private key, bound to the declaration and the holder. It adds no way
 * in (whoever derives the ring key opens the sealed boxes anyway) and nothing readable is stored.
 */
const ringAad = (userId: number, declarationId: string) => `declaration-key-ring/${declarationId}/${userId}`;

function ringOpen(ring: Buffer, userId: number, declarationId: string, wrapped: Buffer | null): Buffer | null {
  if (!wrapped) return null;
  try {
    const key = openRaw(ring, wrapped, ringAad(userId, declarationId));
    return key.length === 32 ? key : null;
  } catch {
    return null;
  }
}

/**
 * The reviewer's part of the case alerts (recheckAgency): each declarant's latest declaration, when
 * the declarant handles a case that names a business and the reviewer holds its key, is opened with
 * the reviewer's key ring and gets the case alerts it lacks, as the declarant's own session would
 * raise them (refreshCaseAlerts). Returns the declarations touched and the alerts raised.
 */
async function raiseCaseAlertsAsReviewer(db: Db, actor: StaffActor, agencyId: number, ring: Buffer) {
  const latest = await sql<{ id: string; user_id: number }>`
    select l.id, l.user_id from (
      select distinct on (d.user_id) d.id, d.user_id from declaration d
      where d.agency_id = ${agencyId} order by d.user_id, d.filed_at desc
    ) l
    where exists (select 1 from declaration_key k where k.declaration_id = l.id and k.user_id = ${actor.id})
      and ${handlesBusinessCase(sql.ref('l.user_id'))}`.execute(db);
  let alerts = 0;
  let declarations = 0;
  for (const l of latest.rows) {
    const n = await db.transaction().execute(async (trx) => {
      const row = await trx
        .selectFrom('declaration as d')
        .innerJoin('declaration_key as k', (j) =>
          j.onRef('k.declaration_id', '=', 'd.id').on('k.user_id', '=', actor.id),
        )
        .select(['d.content', 'k.sealed_key', 'k.ring_key'])
        .where('d.id', '=', l.id)
        .forUpdate('d')
        .executeTakeFirstOrThrow();
      const key = ringOpen(ring, actor.id, l.id, row.ring_key) ?? openKey(actor, row.sealed_key);
      try {
        const aead = aeadKey(key);
        const content = openJson<DeclarationContent>(aead, row.content, contentAad(l.id));
        return await raiseCaseAlerts(trx, { id: l.id, userId: l.user_id, content }, aead);
      } finally {
        key.fill(0);
      }
    });
    if (n > 0) declarations++;
    alerts += n;
  }
  return { declarations, alerts };
}

/** Declarations read per round trip when rechecking. */
const RECHECK_BATCH = 5000;

/**
 * Runs the checks anew over every declaration of the reviewer's agency that they hold the key of
 * (after the checks or their thresholds change), each against the same declarant's previous one,
 * and stores the flags that changed. Read in batches in (declarant, filing time) order, so a
 * declarant's previous declaration is the one read just before. Then raises the case alerts that
 * businesses recorded on cases since call for (raiseCaseAlertsAsReviewer). Audited with the counts.
 */
export async function recheckAgency(db: Db, actor: StaffActor): Promise<{ checked: number; changed: number }> {
  const agencyId = reviewerAgency(actor);
  type Cursor = { userId: number; filedAt: string; id: string };
  let after = null as Cursor | null;
  let previous: { userId: number; content: DeclarationContent } | null = null;
  let checked = 0;
  let changed = 0;
  const ring = subkey(actor.keys.privateKey, 'declaration-key-ring');
  for (;;) {
    const cursor: Cursor | null = after;
    const rows = await db
      .selectFrom('declaration as d')
      .innerJoin('declaration_key as k', (j) => j.onRef('k.declaration_id', '=', 'd.id').on('k.user_id', '=', actor.id))
      .select(['d.id', 'd.user_id', 'd.content', 'd.flags', 'k.sealed_key', 'k.ring_key'])
      // the filing time as PostgreSQL writes it: a Date would drop its microseconds
      .select(sql<string>`d.filed_at::text`.as('filed_key'))
      .where('d.agency_id', '=', agencyId)
      .where(
        cursor
          ? sql<boolean>`(d.user_id, d.filed_at, d.id) > (${cursor.userId}, ${cursor.filedAt}::timestamptz, ${cursor.id}::uuid)`
          : sql<boolean>`true`,
      )
      .orderBy('d.user_id')
      .orderBy('d.filed_at')
      .orderBy('d.id')
      .limit(RECHECK_BATCH)
      .execute();
    if (rows.length === 0) break;
    const updates: { id: string; flags: string }[] = [];
    const rings: { id: string; ring: Buffer }[] = [];
    for (const r of rows) {
      const key = ringOpen(ring, actor.id, r.id, r.ring_key);
      const opened = key ?? openKey(actor, r.sealed_key);
      if (!key) rings.push({ id: r.id, ring: sealRaw(ring, opened, ringAad(actor.id, r.id)) });
      const content = openJson<DeclarationContent>(aeadKey(opened), r.content, contentAad(r.id));
      opened.fill(0);
      const before: DeclarationContent | null = previous && previous.userId === r.user_id ? previous.content : null;
      const flags = checkDeclaration(content, before);
      if (flags.join() !== (r.flags as string[]).join()) updates.push({ id: r.id, flags: `{${flags.join(',')}}` });
      previous = { userId: r.user_id, content };
    }
    if (updates.length > 0)
      await sql`update declaration d set flags = u.flags::text[]
        from unnest(${updates.map((u) => u.id)}::uuid[], ${updates.map((u) => u.flags)}::text[]) as u(id, flags)
        where d.id = u.id`.execute(db);
    if (rings.length > 0)
      await sql`update declaration_key k set ring_key = u.ring
        from unnest(${rings.map((x) => x.id)}::uuid[], ${rings.map((x) => x.ring)}::bytea[]) as u(id, ring)
        where k.declaration_id = u.id and k.user_id = ${actor.id}`.execute(db);
    checked += rows.length;
    changed += updates.length;
    const last = rows[rows.length - 1] as (typeof rows)[number];
    after = { userId: last.user_id, filedAt: last.filed_key, id: last.id };
    if (rows.length < RECHECK_BATCH) break;
  }
  const raised = await raiseCaseAlertsAsReviewer(db, actor, agencyId, ring);
  ring.fill(0);
  if (raised.alerts > 0)
    await recordAudit(db, { actorUserId: actor.id, action: 'declaration_alerts_raised', detail: raised });
  await recordAudit(db, { actorUserId: actor.id, action: 'declarations_rechecked', detail: { checked, changed } });
  return { checked, changed };
}
