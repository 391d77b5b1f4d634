// Full-text search over the cases sealed to a staff member. There is no index: content exists in
// the clear only in the memory of the search that opened it, so each search opens every case the
// actor holds (content key sealed to them), reads it and forgets it. Nothing decrypted is written
// anywhere: no temporary table, no log line, no file; the audit rows name the cases shown and
// count the terms, never name them.
//
// Opening a sealed key is an X25519 operation (~85 µs in libsodium's WebAssembly here): 2,000
// cases are ~170 ms of one core before anything is read. So the opening and reading run in worker
// threads, one per core, each on a share of the cases: the event loop stays free, and the search
// takes the time of its share. Each batch carries its own copy of the key pair (transferred: this
// thread keeps none) and the worker wipes it when done.
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { sql } from 'kysely';
import { recordAudits } from '../audit/record-audit.ts';
import type { Db } from '../db/connection.ts';
import type { CaseStatus } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { translator } from '../i18n/messages.ts';
import type { StaffActor } from '../staff/session.ts';
import type { CaseSummary } from './list-cases.ts';
import { type PackedTask, packTask, type ScanCase, type ScanResult, type ScanRing } from './search-scan.ts';
import { queryWords } from './search-text.ts';

export { MAX_QUERY_CHARS, SNIPPET_CHARS } from './search-text.ts';
export const MAX_SEARCH_RESULTS = 200;
const WORKERS = Math.max(1, Math.min(os.availableParallelism(), 4));
// A case's category is found by its names as staff read them, in either language.
const TH = translator('th');
const EN = translator('en');

export type SearchHit = CaseSummary & { snippet: string };
/** `total`: every case that matched (`items` holds the first `limit`); `scanned`: cases read. */
export type SearchResult = { items: SearchHit[]; total: number; scanned: number };

// ---------------------------------------------------------------- the workers

type PoolWorker = {
  worker: Worker;
  pending: Map<number, { resolve: (r: ScanResult) => void; reject: (e: Error) => void }>;
};
let pool: PoolWorker[] = [];
let nextTask = 0;

/** Starts a worker; one that fails or exits fails its pending batches and is replaced on next use. */
function startWorker(): PoolWorker {
  const w: PoolWorker = { worker: new Worker(new URL('./search-worker.ts', import.meta.url)), pending: new Map() };
  const fail = (e: Error) => {
    pool = pool.filter((x) => x !== w);
    for (const p of w.pending.values()) p.reject(e);
    w.pending.clear();
  };
  w.worker.on('message', (m: { id: number; result?: ScanResult; error?: string }) => {
    const p = w.pending.get(m.id);
    w.pending.delete(m.id);
    if (w.pending.size === 0) w.worker.unref();
    if (m.result) p?.resolve(m.result);
    else p?.reject(new Error(m.error ?? 'search worker failed'));
  });
  w.worker.on('error', fail);
  w.worker.on('exit', (code) => fail(new Error(`search worker exited (${code})`)));
  // Idle workers do not keep the process alive; one with work does (see runBatch). After the
  // listeners: adding a 'message' listener refs the worker's port again.
  w.worker.unref();
  return w;
}

/**
 * Runs a batch on the next worker. Its bytes travel in fresh buffers, transferred, not copied:
 * cloning a Buffer copies its whole backing store, which for small Buffers is a shared pool slab
 * holding whatever else was allocated beside it. The key pair travels in a buffer of its own,
 * transferred too, so this thread keeps no copy; the worker wipes its private key when done.
 */
function runBatch({ task, transfer }: { task: PackedTask; transfer: ArrayBuffer[] }): Promise<ScanResult> {
  while (pool.length < WORKERS) pool.push(startWorker());
  const w = pool[nextTask % pool.length];
  const id = nextTask++;
  return new Promise((resolve, reject) => {
    w.pending.set(id, { resolve, reject });
    w.worker.ref();
    w.worker.postMessage({ id, task }, transfer);
  });
}

// ---------------------------------------------------------------- the search

type CaseRow = {
  id: string;
  number: number;
  reference: string;
  category: string;
  channel: string;
  status: CaseStatus;
  has_identity: boolean;
  created_at: Date;
  updated_at: Date;
  paused_at: Date | null;
  due_at: Date | null;
  content: Buffer;
  sealed_key: Buffer;
  ring_key: Buffer | null;
  team_key: Buffer | null;
  team_ring: Buffer | null;
};

/** Two queries in all, in parallel: the cases with the actor's sealed keys, and their messages. */
async function fetchReadable(db: Db, actorId: number): Promise<{ rows: CaseRow[]; cases: ScanCase[] }> {
  const [rows, messages] = await Promise.all([
    db
      .selectFrom('case_key as k')
      .innerJoin('report_case as c', 'c.id', 'k.case_id')
      .leftJoin('case_key as tk', (j) =>
        j.onRef('tk.case_id', '=', 'k.case_id').on('tk.user_id', '=', actorId).on('tk.purpose', '=', 'team'),
      )
      .select([
        'c.id',
        'c.number',
        'c.reference',
        'c.category',
        'c.channel',
        'c.status',
        'c.has_identity',
        'c.created_at',
        'c.updated_at',
        'c.paused_at',
        'c.content',
        'k.sealed_key',
        'k.ring_key',
        'tk.sealed_key as team_key',
        'tk.ring_key as team_ring',
      ])
      .select((eb) => eb.fn<Date | null>('least', ['c.ack_due_at', 'c.reply_due_at', 'c.feedback_due_at']).as('due_at'))
      .where('k.user_id', '=', actorId)
      .where('k.purpose', '=', 'content')
      .execute(),
    db
      .selectFrom('case_key as k')
      .innerJoin('case_message as m', 'm.case_id', 'k.case_id')
      .select(['m.case_id', 'm.id', 'm.thread', 'm.body'])
      .where('k.user_id', '=', actorId)
      .where('k.purpose', '=', 'content')
      .where('m.thread', 'in', ['reporter', 'internal'])
      .orderBy('m.number')
      .execute(),
  ]);
  const byCase = new Map<string, ScanCase['messages']>();
  for (const m of messages) {
    const list = byCase.get(m.case_id) ?? [];
    if (list.length === 0) byCase.set(m.case_id, list);
    list.push({ id: m.id, isNote: m.thread === 'internal', body: m.body });
  }
  // The order of cases with as many hits: newest first.
  const ranks = new Map(
    [...(rows as CaseRow[])]
      .sort((a, b) => b.created_at.getTime() - a.created_at.getTime() || b.number - a.number)
      .map((r, i) => [r.id, i]),
  );
  const cases = (rows as CaseRow[]).map((r) => ({
    id: r.id,
    rank: ranks.get(r.id) as number,
    labels: `${TH(`category.${r.category}`)} ${EN(`category.${r.category}`)}`,
    content: r.content,
    sealedKey: r.sealed_key,
    ring: r.ring_key,
    teamKey: r.team_key,
    teamRing: r.team_ring,
    messages: byCase.get(r.id) ?? [],
  }));
  return { rows: rows as CaseRow[], cases };
}

/**
 * Stores the ring entries (key-ring.ts) of the keys a search opened from their sealed boxes, so that
 * the next search opens them from the ring: one statement. A row deleted meanwhile (access
 * withdrawn) is not brought back: only existing rows are updated.
 */
async function storeRings(db: Db, userId: number, rings: (ScanRing & { caseId: string })[]): Promise<void> {
  if (rings.length === 0) return;
  await sql`
    update case_key k set ring_key = t.ring
    from unnest(${rings.map((g) => g.caseId)}::uuid[], ${rings.map((g) => g.purpose)}::text[],
      ${rings.map((g) => Buffer.from(g.ring.buffer, g.ring.byteOffset, g.ring.byteLength))}::bytea[]) as t(case_id, purpose, ring)
    where k.case_id = t.case_id and k.user_id = ${userId} and k.purpose = t.purpose`.execute(db);
}

/**
 * Searches the report, reporter thread, internal notes and category names of every case whose content key is
 * sealed to the actor (whatever the agency): a case matches when each word of the query starts a
 * word of its texts; most hits first, then newest. MUST NOT write anything decrypted anywhere;
 * records one `cases_searched` audit event per case shown (its id and reference; one without a case
 * when none is shown), each with the number of terms and of results, never the query (it may name a
 * person) nor a snippet. A case whose keys do not open is left out and counted in the
 * audit event as `unreadable`. Throws invalid_input for an empty or too long query.
 */
export async function searchCases({
  db,
  actor,
  query,
  limit = 50,
}: {
  db: Db;
  actor: StaffActor;
  query: string;
  limit?: number;
}): Promise<SearchResult> {
  const words = queryWords(query);
  if (!actor.isEnrolled)
    throw new AppError('forbidden', 'enrol a second factor before searching', 'search.error.not_enrolled');
  const n = Math.max(1, Math.min(MAX_SEARCH_RESULTS, Math.floor(limit) || 1));
  const { rows, cases } = await fetchReadable(db, actor.id);
  // Interleaved shares, one per worker: cases of every age and size in each.
  const k = Math.min(WORKERS, cases.length);
  const shares = Array.from({ length: k }, (_, s) => cases.flatMap((c, i) => (i % k === s ? [{ c, i }] : [])));
  const results = await Promise.all(
    shares.map((share) =>
      runBatch(
        packTask(
          words,
          n,
          actor.id,
          actor.keys,
          share.map((x) => x.c),
        ),
      ).then((r) => ({ r, share })),
    ),
  );
  const found = results.flatMap(({ r, share }) =>
    r.matches.map((m) => ({
      row: rows[share[m.index].i],
      rank: share[m.index].c.rank,
      hits: m.hits,
      snippet: m.snippet,
    })),
  );
  const scanned = results.reduce((n, { r }) => n + r.scanned, 0);
  const unreadable = results.reduce((n, { r }) => n + r.unreadable, 0);
  await storeRings(
    db,
    actor.id,
    results.flatMap(({ r, share }) => r.rings.map((g) => ({ ...g, caseId: rows[share[g.index].i].id }))),
  );
  found.sort((a, b) => b.hits - a.hits || a.rank - b.rank);
  // Each worker cut the snippets of its best n: the best n of all are among them.
  const shown = found.slice(0, n).map((f) => {
    if (f.snippet === null) throw new Error('search: a case shown without its snippet');
    return { ...f, snippet: f.snippet };
  });
  // Snippets are content: one row per case shown, so that each case's trail (and the auditor of
  // every agency holding it) sees that its content was shown, and to whom. No shown case, one row.
  const detail = { terms: words.length, results: found.length, ...(unreadable > 0 ? { unreadable } : {}) };
  const named = shown.length > 0 ? shown.map(({ row }) => ({ caseId: row.id, caseReference: row.reference })) : [{}];
  await recordAudits(
    db,
    named.map((c) => ({ actorUserId: actor.id, action: 'cases_searched', ...c, detail })),
  );
  return {
    items: shown.map(({ row: r, snippet }) => ({
      reference: r.reference,
      category: r.category,
      channel: r.channel,
      status: r.status,
      hasIdentity: r.has_identity,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
      dueAt: r.status === 'closed' ? null : r.due_at,
      isPaused: r.paused_at !== null,
      snippet,
    })),
    total: found.length,
    scanned,
  };
}
