// Retention applied: a closed case past its agency's rule is crypto-shredded, and a sealed identity
// past its own rule is erased, by a job that any number of server processes may run at once (each
// case is claimed with FOR UPDATE SKIP LOCKED, so exactly one process shreds it). Shredding deletes
// every key of the case and every sealed item (content, identity, messages, attachments and their
// bytes, witness threads, sealed reasons, ledger openings, LINE contact, rating comment) and keeps a
// content-free tombstone: the report_case row's metadata and case_tombstone (closure, shredding,
// rule). The ledger's entries are commitments and stay: the log still verifies. A legal hold stops it.
import { sql, type Transaction } from 'kysely';
import { CASE_KINDS, type AgencySettings, type CaseKind, type CaseOutcome, type Database } from '../db/schema.ts';
import type { Db } from '../db/connection.ts';
import {
  caseRule,
  DEFAULT_IDENTITY_MONTHS,
  deletionDate,
  identityMonths,
  OUTCOMES_OF,
} from '../agencies/retention-rules.ts';
import { recordAudit, recordAudits } from '../audit/record-audit.ts';

/** Cases looked at per run and kind of erasure: the rest wait for the next run. */
export const RETENTION_BATCH = 500;
export const RETENTION_INTERVAL_MS = 60 * 60_000;

export type RetentionRun = { shredded: string[]; identitiesErased: string[] };

type Candidate = {
  id: string;
  reference: string;
  kind: CaseKind;
  outcome: CaseOutcome | null;
  closed_at: Date;
  settings: AgencySettings | null;
};

/** The platform's default months as a VALUES list SQL joins on (kind, outcome). */
function defaultsTable() {
  const rows = CASE_KINDS.flatMap((kind) =>
    OUTCOMES_OF[kind].map((outcome) => sql`(${kind}, ${outcome}, ${caseRule(null, kind, outcome).months}::int)`),
  );
  return sql`(values ${sql.join(rows)}) as d(kind, outcome, months)`;
}

function identityDefaultsTable() {
  const rows = CASE_KINDS.map((kind) => sql`(${kind}, ${DEFAULT_IDENTITY_MONTHS[kind]}::int)`);
  return sql`(values ${sql.join(rows)}) as d(kind, months)`;
}

/**
 * Closed cases, neither held nor shredded, whose rule has run out by `now` (SQL computes it on
 * UTC's calendar with a day's margin; deletionDate, on Bangkok's, decides).
 */
async function dueCases(db: Db, now: Date, limit: number): Promise<Candidate[]> {
  const { rows } = await sql<Candidate>`
    select c.id, c.reference, c.kind, c.outcome, cl.closed_at, a.settings
    from report_case c
    join agency a on a.id = c.agency_id
    cross join lateral (select max(e.at) as closed_at from case_event e where e.case_id = c.id and e.to_status = 'closed') cl
    left join ${defaultsTable()} on d.kind = c.kind and d.outcome = c.outcome
    where c.status = 'closed'
      and cl.closed_at is not null
      and not exists (select 1 from case_tombstone t where t.case_id = c.id)
      and not exists (select 1 from case_hold h where h.case_id = c.id)
      and cl.closed_at + make_interval(months => coalesce(
            (a.settings -> 'retention' -> 'caseMonths' ->> (c.kind || '.' || c.outcome))::int, d.months, 6))
          <= ${now}::timestamptz + interval '1 day'
    order by cl.closed_at
    limit ${limit}`.execute(db);
  return rows.filter((r) => deletionDate(r.closed_at, caseRule(r.settings, r.kind, r.outcome).months) <= now);
}

async function dueIdentities(db: Db, now: Date, limit: number): Promise<Candidate[]> {
  const { rows } = await sql<Candidate>`
    select c.id, c.reference, c.kind, c.outcome, cl.closed_at, a.settings
    from report_case c
    join agency a on a.id = c.agency_id
    cross join lateral (select max(e.at) as closed_at from case_event e where e.case_id = c.id and e.to_status = 'closed') cl
    join ${identityDefaultsTable()} on d.kind = c.kind
    where c.status = 'closed' and c.identity is not null and cl.closed_at is not null
      and not exists (select 1 from case_hold h where h.case_id = c.id)
      and cl.closed_at + make_interval(months => coalesce(
            (a.settings -> 'retention' -> 'identityMonths' ->> c.kind)::int, d.months))
          <= ${now}::timestamptz + interval '1 day'
    order by cl.closed_at
    limit ${limit}`.execute(db);
  return rows.filter((r) => {
    const months = identityMonths(r.settings, r.kind);
    return months !== null && deletionDate(r.closed_at, months) <= now;
  });
}

/** Deletes the sealed identity and every key that opens it. */
export async function eraseIdentityRows(trx: Transaction<Database>, caseId: string, at: Date): Promise<void> {
  await trx.deleteFrom('case_key').where('case_id', '=', caseId).where('purpose', '=', 'identity').execute();
  await trx.deleteFrom('line_contact').where('case_id', '=', caseId).execute();
  await trx
    .updateTable('identity_request')
    .set({ state: 'refused', decided_at: at })
    .where('case_id', '=', caseId)
    .where('state', '=', 'pending')
    .execute();
  await trx
    .updateTable('report_case')
    .set({ identity: null, identity_erased_at: at })
    .where('id', '=', caseId)
    .execute();
}

/**
 * Deletes every key and sealed item of the cases `caseIds`, in `trx` (their rows locked by the
 * caller), with set-based statements. Exported for the tests; the job goes through shredBatch.
 */
export async function shredCaseRows(trx: Transaction<Database>, caseIds: readonly string[], at: Date): Promise<void> {
  if (caseIds.length === 0) return;
  const ids = [...caseIds];
  const blobs = await trx.deleteFrom('attachment').where('case_id', 'in', ids).returning('blob_id').execute();
  if (blobs.length > 0)
    await trx
      .deleteFrom('blob')
      .where(
        'id',
        'in',
        blobs.map((b) => b.blob_id),
      )
      .execute();
  for (const table of [
    'case_message',
    'case_witness',
    'case_key',
    'reporter_access',
    'identity_request',
    'case_grant',
    'line_contact',
    'complainant_notice',
    'case_ledger_event',
  ] as const)
    await trx.deleteFrom(table).where('case_id', 'in', ids).execute();
  await trx.updateTable('case_rating').set({ comment: null }).where('case_id', 'in', ids).execute();
  await trx
    .updateTable('case_event')
    .set({ reason: null, reason_for_supervisors: null })
    .where('case_id', 'in', ids)
    .execute();
  await trx
    .updateTable('report_case')
    .set({ content: Buffer.alloc(0), identity: null, team_public_key: null, identity_erased_at: at })
    .where('id', 'in', ids)
    .execute();
}

/**
 * Claims the cases of `batch` this process may shred: rows locked (SKIP LOCKED: another runner
 * has them), still closed, then, in a statement of its own after the lock, neither held nor
 * shredded (a hold committed meanwhile is seen).
 */
async function claimBatch(trx: Transaction<Database>, batch: readonly Candidate[]): Promise<Set<string>> {
  const locked = await trx
    .selectFrom('report_case')
    .select('id')
    .where(
      'id',
      'in',
      batch.map((c) => c.id),
    )
    .where('status', '=', 'closed')
    .forUpdate()
    .skipLocked()
    .execute();
  if (locked.length === 0) return new Set();
  const ids = locked.map((r) => r.id);
  const [held, gone] = await Promise.all([
    trx.selectFrom('case_hold').select('case_id').where('case_id', 'in', ids).execute(),
    trx.selectFrom('case_tombstone').select('case_id').where('case_id', 'in', ids).execute(),
  ]);
  const out = new Set(ids);
  for (const r of [...held, ...gone]) out.delete(r.case_id);
  return out;
}

/** Cases shredded in one transaction. */
export const SHRED_CHUNK = 100;

/** Shreds the due cases of `batch` in one transaction; returns those shredded (not those another runner or a hold took). */
async function shredBatch(db: Db, batch: readonly Candidate[], now: Date): Promise<Candidate[]> {
  return db.transaction().execute(async (trx) => {
    const claimed = await claimBatch(trx, batch);
    const cases = batch.filter((c) => claimed.has(c.id));
    if (cases.length === 0) return [];
    await shredCaseRows(
      trx,
      cases.map((c) => c.id),
      now,
    );
    const rules = cases.map((c) => caseRule(c.settings, c.kind, c.outcome));
    await trx
      .insertInto('case_tombstone')
      .values(
        cases.map((c, i) => ({
          case_id: c.id,
          closed_at: c.closed_at,
          shredded_at: now,
          rule: JSON.stringify(rules[i]),
        })),
      )
      .execute();
    await recordAudits(
      trx,
      cases.map((c, i) => ({
        actorUserId: null,
        action: 'case_shredded' as const,
        caseId: c.id,
        caseReference: c.reference,
        detail: {
          kind: c.kind,
          outcome: c.outcome,
          closedAt: c.closed_at.toISOString(),
          months: rules[i].months,
          source: rules[i].source,
        },
      })),
    );
    return cases;
  });
}

async function eraseIdentityOne(db: Db, c: Candidate, now: Date): Promise<boolean> {
  const months = identityMonths(c.settings, c.kind);
  return db.transaction().execute(async (trx) => {
    if (!(await claimBatch(trx, [c])).has(c.id)) return false;
    await eraseIdentityRows(trx, c.id, now);
    await recordAudit(trx, {
      actorUserId: null,
      action: 'identity_erased',
      caseId: c.id,
      caseReference: c.reference,
      detail: { kind: c.kind, closedAt: c.closed_at.toISOString(), months, why: 'retention' },
    });
    return true;
  });
}

/** One run of the job: shreds the cases and erases the identities due at `now` (at most `batch` of each). */
export async function applyRetention({
  db,
  now = new Date(),
  batch = RETENTION_BATCH,
}: {
  db: Db;
  now?: Date;
  batch?: number;
}): Promise<RetentionRun> {
  const run: RetentionRun = { shredded: [], identitiesErased: [] };
  const due = await dueCases(db, now, batch);
  for (let i = 0; i < due.length; i += SHRED_CHUNK)
    for (const c of await shredBatch(db, due.slice(i, i + SHRED_CHUNK), now)) run.shredded.push(c.reference);
  for (const c of await dueIdentities(db, now, batch))
    if (await eraseIdentityOne(db, c, now)) run.identitiesErased.push(c.reference);
  return run;
}

/** Runs applyRetention now and every RETENTION_INTERVAL_MS until stopped; a failed run is logged and retried next time. */
export function startRetention({
  db,
  log,
  intervalMs = RETENTION_INTERVAL_MS,
}: {
  db: Db;
  log: (level: 'info' | 'warn', msg: string) => void;
  intervalMs?: number;
}): { stop: () => Promise<void> } {
  let running: Promise<void> | null = null;
  const tick = () => {
    if (running) return;
    running = applyRetention({ db })
      .then((r) => {
        if (r.shredded.length + r.identitiesErased.length > 0)
          log('info', `retention: ${r.shredded.length} cases shredded, ${r.identitiesErased.length} identities erased`);
      })
      .catch((e: Error) => log('warn', `retention run failed: ${e.message}`))
      .finally(() => {
        running = null;
      });
  };
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  tick();
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
