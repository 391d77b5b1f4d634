// `npm start`. Argon2id runs in libuv's thread pool; with more threads than cores, derivations
// share cores and each one costs more CPU (measured: 4 threads on 2 cores was 2-30 % slower in
// submissions/s than 2). The pool size must be set before the pool first starts, hence this file
// runs before anything else is imported. An explicit UV_THREADPOOL_SIZE wins.
import { availableParallelism } from 'node:os';

process.env.UV_THREADPOOL_SIZE ??= String(Math.max(2, availableParallelism()));
await import('./start.ts');
