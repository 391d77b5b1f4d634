// `npm run sujarit -- <command>`: administration from the command line.
import { loadConfig } from '../config/load.ts';
import { isAppError } from '../errors.ts';
import { openDatabase } from '../server.ts';
import { agencyAdd, usage as agencyUsage } from './agency-add.ts';
import { itaScoreCommand, usage as itaScoreUsage } from './ita-score.ts';
import { ledgerExport, ledgerInit, ledgerVerifyAudit, usage as ledgerUsage } from './ledger.ts';
import { userAdd, usage as userUsage } from './user-add.ts';
import { verifyCertificateCommand, usage as verifyUsage } from './verify-certificate.ts';
import { witnessCommand, usage as witnessUsage } from './witness.ts';

const HELP = `usage: npm run sujarit -- <command>\n  ${agencyUsage}\n  ${userUsage}\n  ${ledgerUsage}\n  ${verifyUsage}\n  ${witnessUsage}\n  ${itaScoreUsage}`;

const [noun, verb, ...rest] = process.argv.slice(2);
const withDb = ['agency add', 'user add', 'ledger init', 'ledger export', 'ledger verify-audit'];
const command = `${noun ?? ''} ${verb ?? ''}`;

async function run(): Promise<number> {
  if (noun === 'witness') return witnessCommand(process.argv.slice(3)); // no database
  if (command === 'ita score') {
    console.log(itaScoreCommand(rest)); // no database: scores a file
    return 0;
  }
  if (noun === 'verify-certificate') {
    console.log(await verifyCertificateCommand(process.argv.slice(3)));
    return 0;
  }
  if (!withDb.includes(command)) {
    console.error(HELP);
    return noun === undefined || noun === 'help' ? 0 : 2;
  }
  const config = loadConfig(process.env, []);
  const { db, stop } = await openDatabase(config);
  try {
    if (command === 'agency add') console.log(await agencyAdd(db, rest));
    else if (command === 'user add') console.log(await userAdd(db, config.kdf, rest));
    else if (command === 'ledger init') console.log(await ledgerInit(db, config));
    else if (command === 'ledger verify-audit') console.log(await ledgerVerifyAudit(db));
    else console.log(await ledgerExport(db, rest[0]));
    return 0;
  } finally {
    await stop();
  }
}

let exitCode: number;
try {
  exitCode = await run();
} catch (e) {
  console.error(`error: ${isAppError(e) ? e.message : (e as Error).message}`);
  exitCode = isAppError(e) ? 1 : 2;
}
process.exit(exitCode);
