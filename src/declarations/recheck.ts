// Rechecking an agency's declarations with a reviewer's keys (after the checks or their thresholds
// change). Each declarant's summary (summary.ts) is opened instead of every declaration's content
// when it names exactly the declarant's declarations and the reviewer holds all their keys; otherwise
// their declarations are opened one by one and the summary written anew. Content keys come from the
// reviewer's key ring when it holds them (AEAD, microseconds), else from the sealed boxes (one X25519
// operation each), the ring being written as they are opened.
import { sql } from 'kysely';
import { recordAudit } from '../audit/record-audit.ts';
import { aeadKey, openJson, openRaw, sealRaw } from '../crypto/aead.ts';
import { subkey } from '../crypto/kdf.ts';
import type { Db } from '../db/connection.ts';
import type { StaffActor } from '../staff/session.ts';
import { type Figures, type Flag, figuresOf } from './checks.ts';
import type { DeclarationContent } from './content.ts';
import { handlesBusinessCase } from './conflicts.ts';
import { contentAad, openKey, raiseCaseAlerts, reviewerAgency } from './store.ts';
import { flagsOfChain, openSummary, type SummaryItem, sealSummary } from './summary.ts';

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

/** Declarants read per round trip when rechecking (about twice as many declarations). */
const RECHECK_DECLARANTS = 5000;
/**
 * Writes held back before they are stored: each store joins its rows to the table, and a plan that
 * scans the table once per batch makes a recheck quadratic; a few stores a run keep it linear.
 */
const STORE_AFTER = 50_000;

type Listed = {
  id: string;
  user_id: number;
  flags: string[];
  held: boolean;
  summary: Buffer | null;
  ring_key: Buffer | null;
  sealed_key: Buffer | null;
};

/** What one recheck writes back, gathered per batch. */
type Writes = {
  flags: { id: string; flags: string }[];
  rings: { id: string; ring: Buffer }[];
  summaries: { userId: number; id: string; summary: Buffer }[];
};

type Run = { actor: StaffActor; ring: Buffer; writes: Writes };

/** A content key the reviewer holds, from the ring or the box (the ring then written). */
function keyOf(run: Run, id: string, ringKey: Buffer | null, sealedKey: Buffer | null): Buffer | null {
  const key = ringOpen(run.ring, run.actor.id, id, ringKey);
  if (key) return key;
  if (!sealedKey) return null;
  const opened = openKey(run.actor, sealedKey);
  run.writes.rings.push({ id, ring: sealRaw(run.ring, opened, ringAad(run.actor.id, id)) });
  return opened;
}

/** Stores the flags of each declaration of a chain that differ from those stored. */
function compare(run: Run, rows: readonly { id: string; flags: string[] }[], chain: readonly Figures[]): void {
  const flags = flagsOfChain(chain);
  rows.forEach((r, i) => {
    const now = flags[i] as Flag[];
    if (now.join() !== r.flags.join()) run.writes.flags.push({ id: r.id, flags: `{${now.join(',')}}` });
  });
}

/** A declarant's chain from their summary, when it is whole and the reviewer holds every key; else null. */
function fromSummary(run: Run, rows: Listed[]): Figures[] | null {
  const latest = rows.filter((r) => r.summary !== null);
  if (latest.length !== 1 || rows.some((r) => !r.held)) return null;
  const row = latest[0] as Listed;
  // a ring entry that does not open (moved, forged) and no box fetched: the slow path opens the box
  const key = keyOf(run, row.id, row.ring_key, row.sealed_key);
  if (!key) return null;
  const items = openSummary(key, row.id, row.summary as Buffer);
  key.fill(0);
  if (!items || items.length !== rows.length || items.some((it, i) => it.id !== rows[i]?.id)) return null;
  return items.map((it) => it.figures);
}

/**
 * The declarants whose summary could not serve: each declaration opened, checked, and (when the
 * reviewer holds every key) the summary written anew on the latest one.
 */
async function openEach(db: Db, run: Run, declarants: Listed[][]): Promise<number> {
  const ids = declarants.flatMap((rows) => rows.filter((r) => r.held).map((r) => r.id));
  if (ids.length === 0) return 0;
  // the ids as one array joined by primary key: a list of thousands of parameters can plan badly
  const { rows: opened } = await sql<{ id: string; content: Buffer; sealed_key: Buffer; ring_key: Buffer | null }>`
    select d.id, d.content, k.sealed_key, k.ring_key
    from unnest(${ids}::uuid[]) as u(id)
    join declaration d on d.id = u.id
    join declaration_key k on k.declaration_id = d.id and k.user_id = ${run.actor.id}`.execute(db);
  const byId = new Map(opened.map((o) => [o.id, o]));
  for (const rows of declarants) {
    const held = rows.filter((r) => r.held);
    const items: SummaryItem[] = [];
    let latestKey: Buffer | null = null;
    for (const r of held) {
      const o = byId.get(r.id);
      if (!o) continue;
      const key = keyOf(run, o.id, o.ring_key, o.sealed_key) as Buffer;
      items.push({
        id: o.id,
        figures: figuresOf(openJson<DeclarationContent>(aeadKey(key), o.content, contentAad(o.id))),
      });
      latestKey?.fill(0);
      latestKey = key;
    }
    compare(
      run,
      held.filter((r) => byId.has(r.id)),
      items.map((it) => it.figures),
    );
    const last = items.at(-1);
    if (latestKey && last && held.length === rows.length && items.length === rows.length) {
      const userId = (rows[0] as Listed).user_id;
      run.writes.summaries.push({ userId, id: last.id, summary: sealSummary(latestKey, last.id, items) });
    }
    latestKey?.fill(0);
  }
  return ids.length;
}

/**
 * The batch's declarations (the next RECHECK_DECLARANTS declarants after `after`), each declarant's
 * in filing order; the summary's key only on its row. The declarants' range is found first, so the
 * rows are read by an index range (a join on the list itself planned a scan of the whole table).
 */
async function listBatch(db: Db, agencyId: number, actorId: number, after: number): Promise<Listed[]> {
  const { rows: range } = await sql<{ upto: number | null }>`
    select max(user_id) as upto from (
      select distinct user_id from declaration
      where agency_id = ${agencyId} and user_id > ${after} order by user_id limit ${RECHECK_DECLARANTS}) u`.execute(db);
  const upto = range[0]?.upto;
  if (upto === null || upto === undefined) return [];
  const { rows } = await sql<Listed>`
    select d.id, d.user_id, d.flags, k.held,
      case when k.held then d.summary end as summary,
      case when d.summary is not null then k.ring_key end as ring_key,
      case when d.summary is not null and k.ring_key is null then k.sealed_key end as sealed_key
    from declaration d
    left join lateral (
      select true as held, k.ring_key, k.sealed_key from declaration_key k
      where k.declaration_id = d.id and k.user_id = ${actorId} limit 1) k on true
    where d.agency_id = ${agencyId} and d.user_id > ${after} and d.user_id <= ${upto}
    order by d.user_id, d.filed_at, d.id`.execute(db);
  for (const r of rows) r.held = r.held === true;
  return rows;
}

async function store(db: Db, agencyId: number, actorId: number, w: Writes): Promise<void> {
  if (w.flags.length > 0)
    await sql`update declaration d set flags = u.flags::text[]
      from unnest(${w.flags.map((u) => u.id)}::uuid[], ${w.flags.map((u) => u.flags)}::text[]) as u(id, flags)
      where d.id = u.id`.execute(db);
  if (w.rings.length > 0)
    await sql`update declaration_key k set ring_key = u.ring
      from unnest(${w.rings.map((x) => x.id)}::uuid[], ${w.rings.map((x) => x.ring)}::bytea[]) as u(id, ring)
      where k.declaration_id = u.id and k.user_id = ${actorId}`.execute(db);
  if (w.summaries.length > 0)
    await db.transaction().execute(async (trx) => {
      await sql`update declaration set summary = null
        where agency_id = ${agencyId} and user_id = any(${w.summaries.map((s) => s.userId)}::int[]) and summary is not null`.execute(
        trx,
      );
      await sql`update declaration d set summary = u.summary
        from unnest(${w.summaries.map((s) => s.id)}::uuid[], ${w.summaries.map((s) => s.summary)}::bytea[]) as u(id, summary)
        where d.id = u.id`.execute(trx);
    });
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

/**
 * Runs the checks anew over every declaration of the reviewer's agency that they hold the key of,
 * each against the same declarant's previous one there, and stores the flags that changed. Read a
 * batch of declarants at a time; then raises the case alerts that businesses recorded on cases since
 * call for (raiseCaseAlertsAsReviewer). Audited once with the counts (and how many summaries were written).
 */
export async function recheckAgency(db: Db, actor: StaffActor): Promise<{ checked: number; changed: number }> {
  const agencyId = reviewerAgency(actor);
  const run: Run = { actor, ring: subkey(actor.keys.privateKey, 'declaration-key-ring'), writes: empty() };
  let after = 0;
  let checked = 0;
  let changed = 0;
  let summarised = 0;
  const flush = async () => {
    const w = run.writes;
    changed += w.flags.length;
    summarised += w.summaries.length;
    await store(db, agencyId, actor.id, w);
    run.writes = empty();
  };
  try {
    for (;;) {
      const rows = await listBatch(db, agencyId, actor.id, after);
      if (rows.length === 0) break;
      const slow: Listed[][] = [];
      for (const group of byDeclarant(rows)) {
        const chain = fromSummary(run, group);
        if (chain) {
          compare(run, group, chain);
          checked += group.length;
        } else slow.push(group);
      }
      checked += await openEach(db, run, slow);
      const w = run.writes;
      if (w.flags.length + w.rings.length + w.summaries.length >= STORE_AFTER) await flush();
      after = (rows[rows.length - 1] as Listed).user_id;
    }
    await flush();
    // then the case alerts that businesses recorded on cases since call for
    const raised = await raiseCaseAlertsAsReviewer(db, actor, agencyId, run.ring);
    if (raised.alerts > 0)
      await recordAudit(db, { actorUserId: actor.id, action: 'declaration_alerts_raised', detail: raised });
  } finally {
    run.ring.fill(0);
  }
  await recordAudit(db, {
    actorUserId: actor.id,
    action: 'declarations_rechecked',
    detail: { checked, changed, summarised },
  });
  return { checked, changed };
}

const empty = (): Writes => ({ flags: [], rings: [], summaries: [] });

function byDeclarant(rows: Listed[]): Listed[][] {
  const out: Listed[][] = [];
  for (const r of rows) {
    const last = out.at(-1);
    if (last && (last[0] as Listed).user_id === r.user_id) last.push(r);
    else out.push([r]);
  }
  return out;
}
