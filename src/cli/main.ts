// `npm run sujarit -- <command>`: administration from the command line.
import { loadConfig } from '../config/load.ts';
import { isAppError } from '../errors.ts';
import { openDatabase } from '../server.ts';
import { agencyAdd, usage as agencyUsage } from './agency-add.ts';
import { userAdd, usage as userUsage } from './user-add.ts';

const HELP = `usage: npm run sujarit -- <command>\n  ${agencyUsage}\n  ${userUsage}`;

const [noun, verb, ...rest] = process.argv.slice(2);
const command = `${noun ?? ''} ${verb ?? ''}`;
if (!['agency add', 'user add'].includes(command)) {
  console.error(HELP);
  process.exit(noun === undefined || noun === 'help' ? 0 : 2);
}
let exitCode = 0;
const config = loadConfig(process.env, []);
const { db, stop } = await openDatabase(config);
try {
  console.log(command === 'agency add' ? await agencyAdd(db, rest) : await userAdd(db, config.kdf, rest));
} catch (e) {
  console.error(`error: ${isAppError(e) ? e.message : (e as Error).message}`);
  exitCode = isAppError(e) ? 1 : 2;
} finally {
  await stop();
}
process.exit(exitCode);
