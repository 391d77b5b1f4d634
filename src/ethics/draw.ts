// Drawing a course's pre-test and post-test from its blueprint, pure: each blueprint row asks for
// `count` items of a bank (and category, '' for any); both tests get `count` items per row and share
// none, so a learner never meets a pre-test item again in the post-test.
import { AppError } from '../errors.ts';

export type BlueprintRow = { bankId: number; category: string; count: number };
export type BankItem = { id: number; bankId: number; category: string };

/** A uniform random integer in [0, n): the default draws with node:crypto. */
export type Random = (n: number) => number;

/**
 * Draws the two tests. Throws `invalid_input` (`ethics.error.bank_short`) when a row's bank holds
 * fewer than twice its count of unused items: rows are served in order, so an item is never drawn twice.
 */
export function drawTests(
  blueprint: readonly BlueprintRow[],
  items: readonly BankItem[],
  random: Random,
): { pre: number[]; post: number[] } {
  if (blueprint.length === 0)
    throw new AppError('invalid_input', 'an empty blueprint', 'ethics.error.no_blueprint', {
      blueprint: 'ethics.error.no_blueprint',
    });
  const used = new Set<number>();
  const pre: number[] = [];
  const post: number[] = [];
  for (const row of blueprint) {
    const pool = items.filter(
      (i) => i.bankId === row.bankId && (row.category === '' || i.category === row.category) && !used.has(i.id),
    );
    if (pool.length < 2 * row.count)
      throw new AppError(
        'invalid_input',
        `bank ${row.bankId} has ${pool.length} items for ${2 * row.count}`,
        'ethics.error.bank_short',
        {
          blueprint: 'ethics.error.bank_short',
        },
      );
    // a partial Fisher–Yates shuffle: the first 2 × count places
    const ids = pool.map((i) => i.id);
    for (let k = 0; k < 2 * row.count; k++) {
      const j = k + random(ids.length - k);
      [ids[k], ids[j]] = [ids[j] as number, ids[k] as number];
    }
    const chosen = ids.slice(0, 2 * row.count);
    for (const id of chosen) used.add(id);
    pre.push(...chosen.slice(0, row.count));
    post.push(...chosen.slice(row.count));
  }
  return { pre, post };
}
