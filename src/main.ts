// `npm start`. Argon2id runs in libuv's thread pool; with more threads than cores, derivations
// share cores and each one costs more CPU (measured: 4 threads on 2 cores was 2-30 % slower in
// submissions/s than 2). The pool size must be set before the pool first starts, hence this file
// runs before anything else is imported. An explicit UV_THREADPOOL_SIZE wins. Under
// SUJARIT_WORKERS=N the workers (which inherit this environment) share the cores: each gets its
// share of threads, at least one.
import { availableParallelism } from 'node:os';

const workers = Math.max(1, Number.parseInt(process.env.SUJARIT_WORKERS ?? '1', 10) || 1);
process.env.UV_THREADPOOL_SIZE ??= String(Math.max(workers > 1 ? 1 : 2, Math.ceil(availableParallelism() / workers)));
await import('./start.ts');
