// A red-flag worker thread (started by redflags-file.ts): folds one byte range of a JSON lines file
// into a run of its own and sends the run back with the report of its lines (line numbers counted
// from the range's first line), then ends.
import { parentPort, workerData } from 'node:worker_threads';
import { fileChunks, readJsonLines } from './json-lines.ts';
import { createRun, foldRun } from './redflags.ts';
import type { RangeDone, RangeTask } from './redflags-file.ts';

const task = workerData as RangeTask;
let done: RangeDone;
try {
  const run = createRun(task.settings, task.currency);
  const report = await readJsonLines(fileChunks(task.path, task), (release) => foldRun(run, release), task.options);
  done = { run, report };
} catch (e) {
  done = { error: (e as Error).message, code: (e as NodeJS.ErrnoException).code };
}
parentPort!.postMessage(done);
