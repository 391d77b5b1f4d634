// `npm run sujarit -- <command>`: administration from the command line. Each command's modules are
// imported when it runs: the server's alone take ~1.7 s and ~100 MB to load, which `ita score` and
// the other commands without a database do not need.
import { isAppError } from '../errors.ts';

const [noun, verb, ...rest] = process.argv.slice(2);
const withDb = [
  'agency add',
  'user add',
  'ledger init',
  'ledger export',
  'ledger verify-audit',
  'procurement import',
  'opendata release',
  'opendata verify',
];
const command = `${noun ?? ''} ${verb ?? ''}`;

async function help(): Promise<string> {
  const usages = await Promise.all(
    [
      './agency-add.ts',
      './user-add.ts',
      './ledger.ts',
      './verify-certificate.ts',
      './witness.ts',
      './ita-score.ts',
      './backup.ts',
      './redflags.ts',
      './procurement-import.ts',
      './opendata.ts',
    ].map(async (m) => ((await import(m)) as { usage: string }).usage),
  );
  // The Debian package's /usr/bin/sujarit names itself; a checkout runs it through npm.
  return `usage: ${process.env.SUJARIT_CLI_NAME ?? 'npm run sujarit --'} <command>\n  ${usages.join('\n  ')}`;
}

async function run(): Promise<number> {
  if (noun === 'witness') return (await import('./witness.ts')).witnessCommand(process.argv.slice(3)); // no database
  if (command === 'ita score') {
    console.log(await (await import('./ita-score.ts')).itaScoreCommand(rest)); // no database: scores a file
    return 0;
  }
  if (noun === 'redflags') {
    const out = await (await import('./redflags.ts')).redflagsCommand(process.argv.slice(3)); // no database
    console.error(out.stderr);
    // A pipe takes a large result in pieces: wait for it all before process.exit cuts it short.
    await new Promise((resolve) => process.stdout.write(`${out.stdout}\n`, resolve));
    return 0;
  }
  if (noun === 'verify-certificate') {
    console.log(await (await import('./verify-certificate.ts')).verifyCertificateCommand(process.argv.slice(3)));
    return 0;
  }
  if (['recovery-key', 'backup', 'restore'].includes(noun ?? '')) {
    // Each opens what it needs: a backup the running database, a restore an empty one.
    const backup = await import('./backup.ts');
    const args = process.argv.slice(3);
    if (noun === 'recovery-key') console.log(await backup.recoveryKeyCommand(args));
    else {
      const config = (await import('../config/load.ts')).loadConfig(process.env, []);
      console.log(await (noun === 'backup' ? backup.backupCommand : backup.restoreCommand)(args, config));
    }
    return 0;
  }
  if (!withDb.includes(command)) {
    console.error(await help());
    return noun === undefined || noun === 'help' ? 0 : 2;
  }
  const config = (await import('../config/load.ts')).loadConfig(process.env, []);
  const { db, stop } = await (await import('../server.ts')).openDatabase(config);
  try {
    if (command === 'agency add') console.log(await (await import('./agency-add.ts')).agencyAdd(db, rest));
    else if (command === 'user add') console.log(await (await import('./user-add.ts')).userAdd(db, config.kdf, rest));
    else if (command === 'opendata release')
      console.log(await (await import('./opendata.ts')).openDataRelease(db, rest));
    else if (command === 'opendata verify') console.log(await (await import('./opendata.ts')).openDataVerify(db));
    else if (command === 'procurement import') {
      console.log(await (await import('./procurement-import.ts')).procurementImport(db, rest));
    } else {
      const ledger = await import('./ledger.ts');
      if (command === 'ledger init') console.log(await ledger.ledgerInit(db, config));
      else if (command === 'ledger verify-audit') console.log(await ledger.ledgerVerifyAudit(db));
      else console.log(await ledger.ledgerExport(db, rest[0]));
    }
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
