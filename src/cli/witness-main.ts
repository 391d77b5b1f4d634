// `node src/cli/witness-main.ts <init|vkey|serve> …`: the witness CLI on its own, without the
// database the main CLI opens (used by test/ledger-witness.test.ts).
import { witnessCommand } from './witness.ts';

process.exit(await witnessCommand(process.argv.slice(2)));
