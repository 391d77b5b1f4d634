import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.ts';

// bigint columns (sequences, counts) come back as JS numbers; every value we keep is far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
// Calendar dates (a permit's dates, a rating's day) stay the 'YYYY-MM-DD' strings they are: a JS
// Date would put them at a UTC midnight, the day before in Bangkok's morning.
pg.types.setTypeParser(pg.types.builtins.DATE, (v) => v);

export type Db = Kysely<Database>;

const pools = new WeakMap<Db, pg.Pool>();

/** The pg pool under `db`, for what Kysely cannot do (COPY streams of a backup). */
export function poolOf(db: Db): pg.Pool {
  const pool = pools.get(db);
  if (!pool) throw new Error('not a database opened by connect()');
  return pool;
}

/** Opens a pool on `url`. MUST be destroyed by the caller (`db.destroy()`). */
export function connect(url: string, poolSize = 16): Db {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 5_000,
  });
  // A client that loses its server emits 'error': on the pool when idle, on the client itself when
  // checked out (mid-transaction). Unheard, the latter kills the process; heard, the next query on
  // that client fails, its transaction rolls back, and the request answers 503.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  pools.set(db, pool);
  return db;
}
