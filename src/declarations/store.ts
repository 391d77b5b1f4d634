// Filing and reading declarations. The content (every figure, asset and interest) is sealed under a
// random content key (AEAD, bound to the declaration's id); the key is sealed (libsodium sealed box)
// to the declarant's public key and to each active declaration reviewer of the agency. A reviewer
// added later reads nothing until a reviewer who holds the keys opens the list: their session seals
// the keys it can open to the reviewers who lack them (as a case's key holder hands keys over). An
// administrator or a colleague holds no key and is refused before any key is tried. The checks'
// flag codes are kept in the clear (no figure); conflict alerts' details are sealed with the content key,
// and so is the declarant's summary of figures for the checks (summary.ts) on their latest declaration.
import { randomBytes, randomUUID } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import { recordAudit } from '../audit/record-audit.ts';
import { aeadKey, openJson, sealJson } from '../crypto/aead.ts';
import { openSealed, sealTo } from '../crypto/sealed-box.ts';
import type { Db } from '../db/connection.ts';
import type { Database } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { bangkokToday } from '../intake/validate-complaint.ts';
import { hasRole, type StaffActor } from '../staff/session.ts';
import { checkDeclaration, figuresOf, type Flag } from './checks.ts';
import { type Conflict, findCaseConflicts, findConflicts, handlesCaseWithBusiness } from './conflicts.ts';
import { type DeclarationContent, type Occasion, totalsOf } from './content.ts';
import { duesOf, type Due } from './due.ts';
import { policyOf } from './positions.ts';
import { type SummaryItem, sealSummary } from './summary.ts';

export const contentAad = (id: string) => `declaration/${id}`;
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

export function openKey(actor: StaffActor, sealed: Buffer): Buffer {
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

/**
 * The declarant's own declarations, each opened with their own key, oldest first: the last is the
 * previous declaration the checks compare with (null for the first), and those of `agencyId` make
 * the summary the new filing carries (summary.ts).
 */
async function ownDeclarations(db: Db, actor: StaffActor, agencyId: number) {
  const rows = await db
    .selectFrom('declaration as d')
    .innerJoin('declaration_key as k', (j) => j.onRef('k.declaration_id', '=', 'd.id').on('k.user_id', '=', actor.id))
    .select(['d.id', 'd.agency_id', 'd.content', 'k.sealed_key'])
    .where('d.user_id', '=', actor.id)
    .orderBy('d.filed_at')
    .orderBy('d.id')
    .execute();
  let previous: DeclarationContent | null = null;
  const chain: SummaryItem[] = [];
  for (const row of rows) {
    const key = openKey(actor, row.sealed_key);
    previous = openJson<DeclarationContent>(aeadKey(key), row.content, contentAad(row.id));
    key.fill(0);
    if (row.agency_id === agencyId) chain.push({ id: row.id, figures: figuresOf(previous) });
  }
  return { previous, chain };
}

/**
 * Raises on one declaration (opened: its content and its content key) the case alerts that the
 * businesses recorded on its declarant's cases call for and that it does not have yet (same case and
 * business); returns how many. Runs in the caller's transaction, the declaration's row locked, so two
 * at once raise each alert once.
 */
export async function raiseCaseAlerts(
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
  const [{ previous, chain }, conflicts, reviewers, policy] = await Promise.all([
    ownDeclarations(db, actor, agencyId),
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
        summary: sealSummary(key, id, [...chain, { id, figures: figuresOf(content) }]),
        flags,
        public_totals: policy.publicSummary
          ? JSON.stringify({ assets: totals.assets, liabilities: totals.liabilities, income: totals.income })
          : null,
      })
      .onConflict((oc) => oc.column('filing_token').doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!row) return false;
    // one summary per declarant and agency: on the latest declaration only
    await trx
      .updateTable('declaration')
      .set({ summary: null })
      .where('user_id', '=', actor.id)
      .where('agency_id', '=', agencyId)
      .where('id', '<>', id)
      .where('summary', 'is not', null)
      .execute();
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

export function reviewerAgency(actor: StaffActor): number {
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
