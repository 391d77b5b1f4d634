// The producer of bench/ledger.ts in a worker thread, so that the sequencer has the main thread to
// itself: inserts entries into the ledger outbox, `rows` per INSERT … SELECT FROM unnest, as fast as
// the database takes them, pausing while the backlog (appended − integrated) is above `cap`.
// Shared counters (Int32Array): [0] integrated so far (the sequencer writes it), [1] appended so far,
// [2] stop when 1, [3] this connection's backend pid once connected.
import { randomBytes } from 'node:crypto';
import { workerData } from 'node:worker_threads';
import { sql } from 'kysely';
import { connect } from '../src/db/connection.ts';
import { ENTRY_BYTES, ENTRY_FORMAT, EVENT_CODES, minuteOf } from '../src/ledger/events.ts';

const {
  url,
  rows,
  cap,
  counters: shared,
} = workerData as { url: string; rows: number; cap: number; counters: SharedArrayBuffer };
const counters = new Int32Array(shared);

/** `n` entries of the shape events.ts makeEntry gives (format, event, minute, two 32-byte commitments). */
function entries(n: number): Buffer[] {
  const raw = randomBytes(ENTRY_BYTES * n); // commitments are uniformly random to anyone without the salts
  const minute = minuteOf(new Date());
  const out: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    const e = raw.subarray(i * ENTRY_BYTES, (i + 1) * ENTRY_BYTES);
    e[0] = ENTRY_FORMAT;
    e[1] = EVENT_CODES.submission;
    e.writeUInt32BE(minute, 2);
    out.push(e);
  }
  return out;
}

const db = connect(url, 1);
try {
  Atomics.store(counters, 3, (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(db)).rows[0].pid);
  let appended = 0;
  while (Atomics.load(counters, 2) === 0) {
    if (appended - Atomics.load(counters, 0) > cap) {
      await new Promise((r) => setTimeout(r, 5));
      continue;
    }
    await sql`insert into ledger_outbox (entry) select e from unnest(${entries(rows)}::bytea[]) as t(e)`.execute(db);
    appended += rows;
    Atomics.store(counters, 1, appended);
  }
} finally {
  await db.destroy();
}
