// The ledger's sequencer: integrates outbox entries into the tree (integrate) and signs the
// committed tree (sign). Any number of server processes may run it against one database.
//
// Crash safety, step by step:
// - integrate is one transaction under an advisory lock: it reads the tree state, moves a batch
//   from the outbox into ledger_entry, writes the changed tiles and advances the state by
//   compare-and-swap on its size. A crash anywhere before COMMIT leaves nothing; after COMMIT the
//   batch is in the tree and the next run goes on from there.
// - sign reads only a committed tree state and advances the signed checkpoint by compare-and-swap
//   on the signed size. A crash after integrate and before sign leaves a tree larger than its
//   checkpoint; the next sign covers it. Since every size is signed only over its committed (and
//   immutable) root, and Ed25519 is deterministic, no two different checkpoints of one size exist.
import { sql } from 'kysely';
import { anchorAuditHead } from './anchor-audit.ts';
import type { Db } from '../db/connection.ts';
import { LEDGER_SEQUENCER_LOCK } from '../db/locks.ts';
import { signCheckpoint, type SigningKey } from './note.ts';
import { hashesAtLevel, TILE_WIDTH, HASH_SIZE } from './tiles.ts';
import { integrate, leafHash, rootFromRightEdge } from './tree.ts';
import { readTile } from './read-log.ts';
import { consistencyProofFromTiles, type Cosigner, type WitnessError } from './witness-client.ts';

export const LEDGER_FORMAT_VERSION = 1;

export type Faults = { afterIntegrateWrite?: () => void | Promise<void>; beforeSign?: () => void | Promise<void> };

/** The right edge (partial tile of each level) of a tree of `size`, read from the tiles. */
async function readRightEdge(db: Db, size: number): Promise<Map<number, Buffer>> {
  const edge = new Map<number, Buffer>();
  for (let level = 0; hashesAtLevel(size, level) > 0; level++) {
    const width = hashesAtLevel(size, level) % TILE_WIDTH;
    if (width === 0) continue;
    const index = Math.floor(hashesAtLevel(size, level) / TILE_WIDTH);
    const row = await db
      .selectFrom('ledger_tile')
      .select('hashes')
      .where('level', '=', level)
      .where('idx', '=', index)
      .executeTakeFirst();
    if (!row || row.hashes.length < width * HASH_SIZE)
      throw new Error(`ledger: tile ${level}/${index} is missing or short for size ${size}`);
    edge.set(level, row.hashes.subarray(0, width * HASH_SIZE));
  }
  return edge;
}

/**
 * Moves up to `max` outbox entries into the tree. Returns how many were integrated (0 when the
 * outbox is empty or the ledger is not initialised).
 */
export async function integrateBatch({
  db,
  max,
  faults = {},
}: {
  db: Db;
  max: number;
  faults?: Faults;
}): Promise<number> {
  return db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(${LEDGER_SEQUENCER_LOCK})`.execute(trx);
    const state = await trx.selectFrom('ledger_state').select(['tree_size', 'format_version']).executeTakeFirst();
    if (!state) return 0;
    if (state.format_version !== LEDGER_FORMAT_VERSION)
      throw new Error(`ledger: stored format ${state.format_version} is not one this version knows`);
    const pending = await trx.selectFrom('ledger_outbox').select(['id', 'entry']).orderBy('id').limit(max).execute();
    if (pending.length === 0) return 0;
    const oldSize = Number(state.tree_size);
    const edge = await readRightEdge(trx as unknown as Db, oldSize);
    const result = integrate(
      oldSize,
      edge,
      pending.map((p) => leafHash(p.entry)),
    );
    const root = rootFromRightEdge(result.size, result.lastTiles);
    // Entries move inside the database (no bytes sent back): measured +18 % integrated/s at 4096.
    const moved =
      await sql`with moved as (delete from ledger_outbox where id = any(${pending.map((p) => p.id)}::bigint[]) returning id, entry)
      insert into ledger_entry (idx, outbox_id, entry)
      select ${oldSize}::bigint + row_number() over (order by id) - 1, id, entry from moved`.execute(trx);
    if (Number(moved.numAffectedRows) !== pending.length)
      throw new Error(`ledger: moved ${moved.numAffectedRows} of ${pending.length} outbox entries`);
    // A tile only ever grows by appending: a stored tile that is not a prefix of the new one means
    // a corrupted store, and nothing is written.
    const written = await sql`insert into ledger_tile (level, idx, hashes)
      select * from unnest(${result.tiles.map((t) => t.level)}::smallint[], ${result.tiles.map((t) => t.index)}::bigint[], ${result.tiles.map((t) => t.hashes)}::bytea[])
      on conflict (level, idx) do update set hashes = excluded.hashes
      where length(excluded.hashes) > length(ledger_tile.hashes) and substring(excluded.hashes from 1 for length(ledger_tile.hashes)) = ledger_tile.hashes
      returning level`.execute(trx);
    if (written.rows.length !== result.tiles.length)
      throw new Error(
        `ledger: ${result.tiles.length - written.rows.length} stored tile(s) are not a prefix of their new contents`,
      );
    await faults.afterIntegrateWrite?.();
    const cas = await trx
      .updateTable('ledger_state')
      .set({ tree_size: result.size, tree_root: root })
      .where('tree_size', '=', oldSize)
      .executeTakeFirst();
    if (Number(cas.numUpdatedRows) !== 1) throw new Error(`ledger: tree moved from ${oldSize} under us`);
    return pending.length;
  });
}

/** Signs the committed tree if it grew since the last checkpoint. Returns the signed size. */
export async function signLatest({
  db,
  key,
  faults = {},
}: {
  db: Db;
  key: SigningKey;
  faults?: Faults;
}): Promise<number> {
  const state = await db
    .selectFrom('ledger_state')
    .select(['origin', 'tree_size', 'tree_root', 'signed_size', 'format_version'])
    .executeTakeFirst();
  if (!state) return 0;
  if (state.format_version !== LEDGER_FORMAT_VERSION)
    throw new Error(`ledger: stored format ${state.format_version} is not one this version knows`);
  if (Number(state.tree_size) === Number(state.signed_size)) return Number(state.signed_size);
  await faults.beforeSign?.();
  const note = signCheckpoint(state.origin, Number(state.tree_size), state.tree_root, key.privateKey);
  const cas = await db
    .updateTable('ledger_state')
    .set({ signed_size: state.tree_size, checkpoint: note })
    .where('signed_size', '=', state.signed_size)
    .where('tree_size', '>=', state.tree_size)
    .executeTakeFirst();
  if (Number(cas.numUpdatedRows) === 1) return Number(state.tree_size);
  // Another process signed meanwhile: report what is signed now, not what this one tried.
  const now = await db.selectFrom('ledger_state').select('signed_size').executeTakeFirstOrThrow();
  return Number(now.signed_size);
}

/** Anchors the audit chain's head, integrates everything pending (in batches of `max`) and signs. */
export async function runSequencer({
  db,
  key,
  max = 4096,
  faults,
}: {
  db: Db;
  key: SigningKey;
  max?: number;
  faults?: Faults;
}): Promise<{ integrated: number; signedSize: number }> {
  await anchorAuditHead({ db });
  let integrated = 0;
  let signedSize = 0;
  for (;;) {
    const n = await integrateBatch({ db, max, faults });
    integrated += n;
    // Signed after every batch, so a backlog never holds back the checkpoint.
    signedSize = await signLatest({ db, key, faults });
    if (n < max) break;
  }
  return { integrated, signedSize };
}

/**
 * Asks the witnesses for cosignatures of the latest signed checkpoint (those that already cosigned
 * it are skipped) and stores the note with every new verified cosignature appended. The update is
 * a compare-and-swap on the note text, so a newer checkpoint signed meanwhile is never replaced by
 * an older one. Returns the witnesses that failed (the note keeps whatever others gave).
 */
export async function cosignLatest({ db, cosigner }: { db: Db; cosigner: Cosigner }): Promise<WitnessError[]> {
  const state = await db.selectFrom('ledger_state').select(['signed_size', 'checkpoint']).executeTakeFirst();
  if (!state) return [];
  const size = Number(state.signed_size);
  const r = await cosigner.cosign(state.checkpoint, (oldSize) =>
    consistencyProofFromTiles(oldSize, size, (t) => readTile(db, t)),
  );
  if (r.note !== state.checkpoint) {
    await db
      .updateTable('ledger_state')
      .set({ checkpoint: r.note })
      .where('signed_size', '=', state.signed_size)
      .where('checkpoint', '=', state.checkpoint)
      .execute();
  }
  return r.errors;
}
