// Red flags over an OCDS JSON lines file, its parts folded in parallel. A file above SPLIT_ABOVE is
// cut at newlines into one byte range per worker thread (json-lines.ts splitAtLines); each thread
// folds its range into a run of its own (redflags-worker.ts), and the runs are merged in file order
// (merge-runs.ts) before the indicators that need every release are computed, once. The outcome is
// byte for byte what one thread reading the whole file gives (redFlagsOf): the tests compare both.
//
// One thing a part cannot know alone is the run's currency, which Cardinal takes from the first
// priced bid it compares when the settings name none: it is found first, by folding the file's
// releases from the start, with only the indicators that compare bids, until one sets it. That
// costs a few lines on usual data; on a file whose bids never set it, the file is read twice.
import { stat } from 'node:fs/promises';
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import {
  fileChunks,
  type LineOptions,
  type LineReport,
  mergeReport,
  readJsonLines,
  splitAtLines,
} from './json-lines.ts';
import { mergeRun } from './merge-runs.ts';
import { createRun, foldRun, outcomeOf, type RedFlagOutcome, type RedFlagRun, redFlagsOf } from './redflags.ts';
import type { CardinalSettings } from './settings.ts';

/** Files of this many bytes or fewer are read in one thread: the threads' start costs more. */
export const SPLIT_ABOVE = 32 * 1024 * 1024;

export type FileOptions = LineOptions & {
  /** Default SPLIT_ABOVE. */
  splitAbove?: number;
  /** Ranges and threads; default min(os.availableParallelism(), 4). */
  workers?: number;
};

/** What a worker thread is given. */
export type RangeTask = {
  path: string;
  start: number;
  end: number;
  settings: CardinalSettings;
  currency: string | undefined;
  options: LineOptions;
};

/** What a worker thread sends back: its run and the report of its lines, or why it failed. */
export type RangeDone = { run: RedFlagRun; report: LineReport } | { error: string; code?: string };

const FOUND = Symbol('currency found');

/**
 * The currency a run over the whole file compares bids in: the settings', else the first one a
 * sequential run sees (undefined when no indicator compares bids, or no bid sets it).
 */
export async function firstCurrency(
  path: string,
  settings: CardinalSettings,
  options: LineOptions = {},
): Promise<string | undefined> {
  if (settings.currency !== undefined || !(settings.R024 || settings.R058 || settings.R036)) return settings.currency;
  // Only what can set it (foldSecondLowest and foldR036, in the order a full run calls them).
  const run = createRun({
    currency: undefined,
    noPriceComparison: settings.noPriceComparison,
    priceComparison: settings.priceComparison,
    excludeDetails: settings.excludeDetails,
    R024: settings.R024,
    R058: settings.R058,
    R036: settings.R036,
    thai: {},
  });
  try {
    await readJsonLines(
      fileChunks(path),
      (release) => {
        foldRun(run, release);
        if (run.cardinal.currency !== undefined) throw FOUND;
      },
      options,
    );
  } catch (e) {
    if (e !== FOUND) throw e;
  }
  return run.cardinal.currency;
}

function workerError(m: { error: string; code?: string }): Error {
  return Object.assign(new Error(m.error), m.code === undefined ? {} : { code: m.code });
}

/** Folds each range in a worker thread; merges the runs in file order as they arrive. */
function foldRanges(tasks: RangeTask[]): Promise<{ run: RedFlagRun; report: LineReport }> {
  return new Promise((resolve, reject) => {
    const parts: ({ run: RedFlagRun; report: LineReport } | undefined)[] = [];
    const received: boolean[] = [];
    let merged: { run: RedFlagRun; report: LineReport } | undefined;
    let next = 0;
    let failed = false;
    const threads: Worker[] = [];
    const fail = (e: Error) => {
      if (failed) return;
      failed = true;
      for (const t of threads) void t.terminate();
      reject(e);
    };
    const arrived = (i: number, m: RangeDone) => {
      if ('error' in m) return fail(workerError(m));
      received[i] = true;
      parts[i] = m;
      for (; next < tasks.length && parts[next]; next++) {
        const part = parts[next]!;
        parts[next] = undefined;
        if (!merged) merged = part;
        else {
          mergeRun(merged.run, part.run);
          mergeReport(merged.report, part.report);
        }
      }
      if (next === tasks.length && merged) resolve(merged);
    };
    const start = (task: RangeTask, i: number) => {
      const t = new Worker(new URL('./redflags-worker.ts', import.meta.url), { workerData: task });
      threads.push(t);
      t.on('message', (m: RangeDone) => arrived(i, m));
      t.on('error', fail);
      t.on('exit', (code) => {
        if (!received[i]) fail(new Error(`red-flag worker exited (${code}) before its range was read`));
      });
    };
    try {
      tasks.forEach(start);
    } catch (e) {
      fail(e as Error); // the threads started already are stopped
    }
  });
}

/**
 * Red flags over the JSON lines file at `path`: the same outcome as `redFlagsOf(fileChunks(path))`,
 * byte for byte, read in `workers` threads when the file is over `splitAbove` bytes. The file MUST
 * NOT change while it is read (its size is taken once, at the start).
 */
export async function redFlagsOfFile(
  path: string,
  settings: CardinalSettings,
  options: FileOptions = {},
): Promise<RedFlagOutcome> {
  const { splitAbove = SPLIT_ABOVE, workers = Math.min(os.availableParallelism(), 4), ...lineOptions } = options;
  const { size } = await stat(path);
  const ranges = size > splitAbove && workers > 1 ? await splitAtLines(path, size, workers) : [];
  if (ranges.length < 2) return redFlagsOf(fileChunks(path), settings, lineOptions);
  const currency = await firstCurrency(path, settings, lineOptions);
  const { run, report } = await foldRanges(
    ranges.map(({ start, end }) => ({ path, start, end, settings, currency, options: lineOptions })),
  );
  return outcomeOf(run, report);
}
