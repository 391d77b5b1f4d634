// A search worker thread (started by search.ts): scans the batches it is sent, one at a time.
import { parentPort } from 'node:worker_threads';
import { type PackedTask, scanCases, unpackTask } from './search-scan.ts';

parentPort!.on('message', ({ id, task }: { id: number; task: PackedTask }) => {
  try {
    parentPort!.postMessage({ id, result: scanCases(unpackTask(task)) });
  } catch (e) {
    // Only the error's name: a message may quote what was being decrypted (JSON.parse does).
    parentPort!.postMessage({ id, error: `search worker failed: ${(e as Error).name}` });
  }
});
