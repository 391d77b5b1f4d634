// Group commit in the application: concurrent callers' items gathered into one transaction. While a
// commit is in flight, new items wait; when it ends, everything that waited goes in the next one.
// A lone caller is committed at once (no timer, no added latency); under load each commit carries
// what arrived during the previous one, so the fixed cost of a commit (a round trip, a WAL flush)
// is shared. Each caller's promise settles only when the commit holding its items has ended: with
// its own result after a durable commit, with the commit's error otherwise (every caller of a
// failed group gets the error, and nothing of the group was committed: one transaction).

/** One caller's items and what it is answered. */
type Waiting<T, R> = { items: T[]; resolve: (r: R) => void; reject: (e: unknown) => void };

export type GroupCommit<T, R> = {
  /** Queues one caller's items (never split between commits); settles after their commit. */
  submit: (items: T[]) => Promise<R>;
  /** Callers waiting for a commit to start, commits in flight, commits made (for tests and metrics). */
  stats: () => { waiting: number; inFlight: number; commits: number; failed: number };
};

/**
 * `commit(groups)` MUST write every group's items in one transaction and return one result per
 * group, in order; if it throws, all of them are answered with its error. A group holds at most
 * `maxItems` items unless a single caller brings more; at most `maxInFlight` commits run at once.
 */
export function groupCommit<T, R>(
  commit: (groups: T[][]) => Promise<R[]>,
  { maxItems = 1000, maxInFlight = 1 }: { maxItems?: number; maxInFlight?: number } = {},
): GroupCommit<T, R> {
  const queue: Waiting<T, R>[] = [];
  let inFlight = 0;
  let commits = 0;
  let failed = 0;

  /** The callers of the next commit: at least one, then as many as fit in maxItems. */
  function take(): Waiting<T, R>[] {
    const group = [queue.shift() as Waiting<T, R>];
    let n = group[0].items.length;
    while (queue.length > 0 && n + queue[0].items.length <= maxItems) {
      const next = queue.shift() as Waiting<T, R>;
      n += next.items.length;
      group.push(next);
    }
    return group;
  }

  async function run(group: Waiting<T, R>[]): Promise<void> {
    try {
      const results = await commit(group.map((w) => w.items));
      if (results.length !== group.length) throw new Error('group commit: one result per caller expected');
      commits++;
      for (const [i, w] of group.entries()) w.resolve(results[i]);
    } catch (e) {
      failed++;
      for (const w of group) w.reject(e);
    }
  }

  function kick(): void {
    while (inFlight < maxInFlight && queue.length > 0) {
      const group = take();
      inFlight++;
      void run(group).finally(() => {
        inFlight--;
        kick();
      });
    }
  }

  return {
    submit: (items) =>
      new Promise<R>((resolve, reject) => {
        queue.push({ items, resolve, reject });
        kick();
      }),
    stats: () => ({ waiting: queue.length, inFlight, commits, failed }),
  };
}
