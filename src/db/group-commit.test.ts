// groupCommit alone, with a commit function the test releases by hand: who goes into which commit,
// what each caller is answered, and what a failed commit does to its group and the next.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { groupCommit } from './group-commit.ts';

type Call = { groups: number[][]; done: (results?: number[]) => void; fail: (e: Error) => void };

/** A commit function that records each commit and waits until the test ends it. */
function manual() {
  const calls: Call[] = [];
  const commit = (groups: number[][]) =>
    new Promise<number[]>((resolve, reject) => {
      calls.push({
        groups,
        done: (results) => resolve(results ?? groups.map((g) => g.reduce((a, b) => a + b, 0))),
        fail: reject,
      });
    });
  return { calls, commit };
}

const settle = <T>(p: Promise<T>) =>
  p.then(
    (value) => ({ ok: true as const, value }),
    (error: Error) => ({ ok: false as const, error }),
  );
const tick = () => new Promise((r) => setImmediate(r));

describe('groupCommit', () => {
  it('commits a lone caller at once, and gathers the callers that arrive meanwhile into the next commit', async () => {
    const { calls, commit } = manual();
    const g = groupCommit(commit);
    const a = g.submit([1]);
    assert.equal(calls.length, 1, 'no waiting for company');
    assert.deepEqual(calls[0].groups, [[1]]);
    const rest = [g.submit([2, 3]), g.submit([4]), g.submit([5, 6, 7])];
    assert.equal(calls.length, 1, 'one commit in flight at a time');
    assert.deepEqual(g.stats(), { waiting: 3, inFlight: 1, commits: 0, failed: 0 });
    calls[0].done();
    assert.equal(await a, 1);
    await tick();
    assert.equal(calls.length, 2);
    assert.deepEqual(calls[1].groups, [[2, 3], [4], [5, 6, 7]], 'in arrival order, each caller whole');
    calls[1].done();
    assert.deepEqual(await Promise.all(rest), [5, 4, 18], 'each caller its own result');
    assert.deepEqual(g.stats(), { waiting: 0, inFlight: 0, commits: 2, failed: 0 });
  });

  it('keeps a commit under maxItems, never splits a caller, and lets a larger caller go alone', async () => {
    const { calls, commit } = manual();
    const g = groupCommit(commit, { maxItems: 4 });
    const first = g.submit([0]);
    const waiting = [g.submit([1, 1]), g.submit([2, 2]), g.submit([3, 3, 3, 3, 3, 3]), g.submit([4])];
    for (let i = 0; calls.length > i; i++) {
      calls[i].done();
      await tick();
      await tick();
    }
    await first;
    await Promise.all(waiting);
    assert.deepEqual(
      calls.map((c) => c.groups),
      [
        [[0]],
        [
          [1, 1],
          [2, 2],
        ],
        [[3, 3, 3, 3, 3, 3]],
        [[4]],
      ],
    );
  });

  it('fails every caller of a failed commit with its error, and goes on with the next group', async () => {
    const { calls, commit } = manual();
    const g = groupCommit(commit);
    const a = settle(g.submit([1]));
    const group = [settle(g.submit([2])), settle(g.submit([3])), settle(g.submit([4]))];
    calls[0].done();
    await tick();
    const later = settle(g.submit([5]));
    calls[1].fail(new Error('commit refused'));
    for (const r of await Promise.all(group)) assert.deepEqual(r, { ok: false, error: new Error('commit refused') });
    await tick();
    assert.deepEqual(calls[2].groups, [[5]]);
    calls[2].done();
    assert.deepEqual(await a, { ok: true, value: 1 });
    assert.deepEqual(await later, { ok: true, value: 5 });
    assert.deepEqual(g.stats(), { waiting: 0, inFlight: 0, commits: 2, failed: 1 });
  });

  it('fails the group when the commit does not answer each caller', async () => {
    const { calls, commit } = manual();
    const g = groupCommit(commit);
    const a = settle(g.submit([1]));
    calls[0].done([1, 2]);
    const r = await a;
    assert.equal(r.ok, false);
  });

  it('runs up to maxInFlight commits at once', async () => {
    const { calls, commit } = manual();
    const g = groupCommit(commit, { maxInFlight: 2 });
    const all = [g.submit([1]), g.submit([2]), g.submit([3])];
    assert.deepEqual(
      calls.map((c) => c.groups),
      [[[1]], [[2]]],
    );
    calls[1].done();
    await tick();
    assert.deepEqual(calls[2].groups, [[3]]);
    calls[0].done();
    calls[2].done();
    assert.deepEqual(await Promise.all(all), [1, 2, 3]);
  });
});
