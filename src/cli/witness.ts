// `npm run sujarit -- witness <init|vkey|serve>`: a standalone C2SP tlog-witness for the ledger (or
// any log with an Ed25519 key). Needs no database: its key is a PEM file, its memory a JSON file.
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import {
  exportPrivateKey,
  generateWitnessKey,
  isValidName,
  loadWitnessKey,
  parseVerifierKey,
  TYPE_ED25519,
  type SigningKey,
} from '../ledger/note.ts';
import { createWitness, witnessApp } from '../ledger/witness-server.ts';

/** One line per verb, for the CLI's help text. */
export const usage = [
  'witness init --name NAME --key-file FILE',
  'witness vkey --name NAME --key-file FILE',
  'witness serve --name NAME --key-file FILE --state FILE --log "<log vkey>" [--log …] [--port 8081] [--host 127.0.0.1]',
].join('\n  ');

class UsageError extends Error {}

const OPTIONS = {
  name: { type: 'string' },
  'key-file': { type: 'string' },
  state: { type: 'string' },
  log: { type: 'string', multiple: true },
  port: { type: 'string' },
  host: { type: 'string' },
} as const;

function need(value: string | undefined, flag: string): string {
  if (!value) throw new UsageError(`missing --${flag}`);
  return value;
}

function checkName(name: string): string {
  if (!isValidName(name))
    throw new UsageError(`--name ${JSON.stringify(name)} is not a valid key name (no spaces, no +)`);
  return name;
}

async function loadKey(file: string, name: string): Promise<SigningKey> {
  return loadWitnessKey(await readFile(file, 'utf8'), name);
}

/** Creates the key file (0600, never overwritten) and returns the witness's vkey. */
async function init(name: string, file: string): Promise<string> {
  if (existsSync(file)) throw new Error(`${file} exists; refusing to overwrite a witness key`);
  const key = generateWitnessKey(name);
  await writeFile(file, exportPrivateKey(key.privateKey), { mode: 0o600, flag: 'wx' });
  return key.vkey;
}

/** Serves until SIGINT or SIGTERM, then closes (in-flight requests finish first). */
async function serve(values: {
  name?: string;
  'key-file'?: string;
  state?: string;
  log?: string[];
  port?: string;
  host?: string;
}): Promise<void> {
  const name = checkName(need(values.name, 'name'));
  const key = await loadKey(need(values['key-file'], 'key-file'), name);
  const logs = (values.log ?? []).map((vkey) => {
    const v = parseVerifierKey(vkey);
    if (v.type !== TYPE_ED25519) throw new UsageError(`--log ${vkey} is not an Ed25519 (0x01) log key`);
    return { origin: v.name, vkey };
  });
  if (logs.length === 0) throw new UsageError('give at least one --log "<log vkey>"');
  const port = Number(values.port ?? '8081');
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port ${values.port} is not a port`);
  const witness = await createWitness({ stateFile: need(values.state, 'state'), key, logs });
  const app = witnessApp(witness);
  const url = await app.listen({ port, host: values.host ?? '127.0.0.1' });
  console.log(`witness ${key.vkey} listening at ${url} for ${logs.map((l) => l.origin).join(', ')}`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await app.close();
}

/**
 * Runs `witness <verb> …` (`args` start at the verb). Prints results to stdout and errors to
 * stderr; returns the exit code: 0 done, 1 refused (e.g. the key file exists), 2 usage error.
 */
export async function witnessCommand(args: string[]): Promise<number> {
  const [verb, ...rest] = args;
  try {
    const { values } = parseArgs({ args: rest, options: OPTIONS, allowPositionals: false });
    switch (verb) {
      case 'init':
        console.log(await init(checkName(need(values.name, 'name')), need(values['key-file'], 'key-file')));
        return 0;
      case 'vkey':
        console.log((await loadKey(need(values['key-file'], 'key-file'), checkName(need(values.name, 'name')))).vkey);
        return 0;
      case 'serve':
        await serve(values);
        return 0;
      default:
        throw new UsageError(verb === undefined ? 'missing verb' : `unknown verb ${JSON.stringify(verb)}`);
    }
  } catch (e) {
    const usageError = e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    console.error(`error: ${(e as Error).message}${usageError ? `\nusage:\n  ${usage}` : ''}`);
    return usageError ? 2 : 1;
  }
}
