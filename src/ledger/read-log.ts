// Reading the published log: the latest checkpoint, tiles and entry bundles, as the C2SP
// tlog-tiles read API serves them. Only what the latest signed checkpoint covers is served.
import type { Db } from '../db/connection.ts';
import { encodeBundle, hashesAtLevel, HASH_SIZE, TILE_WIDTH, type TileAddress } from './tiles.ts';

export async function readCheckpoint(db: Db): Promise<{ size: number; note: string; origin: string } | null> {
  const s = await db.selectFrom('ledger_state').select(['signed_size', 'checkpoint', 'origin']).executeTakeFirst();
  return s ? { size: Number(s.signed_size), note: s.checkpoint, origin: s.origin } : null;
}

/**
 * The bytes of a tile or bundle, or null when the latest checkpoint does not cover it. A partial
 * tile of width W is served for every W the log has passed (a prefix of the stored tile), so the
 * partial tiles of every signed size stay available, also after the tile is full.
 */
export async function readTile(db: Db, t: TileAddress): Promise<Buffer | null> {
  const cp = await readCheckpoint(db);
  if (!cp) return null;
  const level = t.level === 'entries' ? 0 : t.level;
  const covered = hashesAtLevel(cp.size, level); // hashes at this level under the signed size
  if (t.index * TILE_WIDTH + t.width > covered) return null;
  if (t.level === 'entries') {
    const rows = await db
      .selectFrom('ledger_entry')
      .select('entry')
      .where('idx', '>=', t.index * TILE_WIDTH)
      .where('idx', '<', t.index * TILE_WIDTH + t.width)
      .orderBy('idx')
      .execute();
    return rows.length === t.width ? encodeBundle(rows.map((r) => r.entry)) : null;
  }
  const row = await db
    .selectFrom('ledger_tile')
    .select('hashes')
    .where('level', '=', t.level)
    .where('idx', '=', t.index)
    .executeTakeFirst();
  if (!row || row.hashes.length < t.width * HASH_SIZE) return null;
  return row.hashes.subarray(0, t.width * HASH_SIZE);
}
