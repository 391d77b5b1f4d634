// A C2SP tlog-witness: POST <url>/add-checkpoint cosigns (cosignature/v1) a checkpoint of a known
// log only if it is consistent with the latest checkpoint this witness cosigned for that log.
// That latest (size, root) per origin is the witness's whole memory: it is written to a JSON file
// atomically (temp file, fsync, rename, fsync of the folder) BEFORE any cosignature leaves, so a
// crash can never make the witness forget a checkpoint it vouched for. Requests are handled one at
// a time. One process per state file: two witnesses sharing a file would not see each other.
import { randomBytes } from 'node:crypto';
import { open, readFile, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import {
  cosign,
  NoteError,
  parseCheckpoint,
  parseVerifierKey,
  TYPE_COSIGNATURE_V1,
  TYPE_ED25519,
  verifyNote,
  type SigningKey,
  type VerifierKey,
} from './note.ts';
import { EMPTY_ROOT, verifyConsistency } from './tree.ts';

/** Version of the state file this code reads and writes; any other is refused. */
export const WITNESS_STATE_VERSION = 1;
/** Most proof lines a request may carry (a proof in a tree below 2^63 has at most 63 hashes). */
export const MAX_PROOF_LINES = 63;
/** Largest request body accepted: a 1 MiB note plus the old size and proof lines. */
export const MAX_BODY_BYTES = (1 << 20) + 4096;

/** The latest checkpoint cosigned for one log: its size and base64 root hash. */
export type LogState = { size: number; root: string };
/** The state file: `{ version: 1, logs: { [origin]: { size, root } } }`. */
export type WitnessState = { version: number; logs: Record<string, LogState> };
/** An HTTP answer: status, body text and Content-Type. */
export type WitnessResponse = { status: number; body: string; contentType: string };
/** A log the witness cosigns for: its origin and its verifier key (type 0x01, named as the origin). */
export type WitnessLog = { origin: string; vkey: string };

/** A running witness: `handleAddCheckpoint` answers one add-checkpoint request body. */
export type Witness = {
  /** The witness's cosignature/v1 verifier key (what logs and monitors configure). */
  vkey: string;
  /**
   * Answers one request body as tlog-witness specifies (200 cosignature lines, 400, 403, 409 with
   * the recorded size, 422). Never throws for bad input; rejects only when the state cannot be
   * persisted (then nothing was cosigned and the recorded state is unchanged).
   */
  handleAddCheckpoint: (body: string | Buffer) => Promise<WitnessResponse>;
  /** A copy of the recorded state (for tests and operators). */
  state: () => WitnessState;
};

const TEXT = 'text/plain; charset=utf-8';
const SIZE_TYPE = 'text/x.tlog.size';
const reply = (status: number, body: string, contentType = TEXT): WitnessResponse => ({
  status,
  body: body.endsWith('\n') ? body : `${body}\n`,
  contentType,
});
const DECIMAL = /^(0|[1-9][0-9]*)$/;

function canonicalHash(s: string): Buffer | null {
  if (!/^[A-Za-z0-9+/]{43}=$/.test(s)) return null;
  const b = Buffer.from(s, 'base64');
  return b.length === 32 && b.toString('base64') === s ? b : null;
}

/** Reads a state file; a missing file is an empty state. Throws on any other version or shape. */
export async function readWitnessState(stateFile: string): Promise<WitnessState> {
  let text: string;
  try {
    text = await readFile(stateFile, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { version: WITNESS_STATE_VERSION, logs: {} };
    throw e;
  }
  const bad = (why: string): Error => new Error(`witness state ${stateFile}: ${why}`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw bad('not JSON');
  }
  const s = raw as { version?: unknown; logs?: unknown };
  if (typeof s !== 'object' || s === null) throw bad('not an object');
  if (s.version !== WITNESS_STATE_VERSION)
    throw bad(`version ${JSON.stringify(s.version)} is not ${WITNESS_STATE_VERSION}; refusing to guess`);
  if (typeof s.logs !== 'object' || s.logs === null || Array.isArray(s.logs)) throw bad('logs is not an object');
  const entries = Object.entries(s.logs as Record<string, { size?: unknown; root?: unknown }>).map(
    ([origin, v]): [string, LogState] => {
      if (
        !Number.isSafeInteger(v?.size) ||
        (v.size as number) < 0 ||
        typeof v.root !== 'string' ||
        !canonicalHash(v.root)
      )
        throw bad(`log ${JSON.stringify(origin)} has no valid size and root`);
      return [origin, { size: v.size as number, root: v.root }];
    },
  );
  const logs: Record<string, LogState> = Object.fromEntries(entries); // own properties only, whatever the origin
  return { version: WITNESS_STATE_VERSION, logs };
}

/** Replaces `file` with `text` atomically and durably: temp file, fsync, rename, fsync of the folder. */
export async function writeFileAtomic(file: string, text: string): Promise<void> {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const fh = await open(tmp, 'wx', 0o600);
  try {
    try {
      await fh.writeFile(text, 'utf8');
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, file);
  } catch (e) {
    await unlink(tmp).catch(() => {});
    throw e;
  }
  const d = await open(dir, 'r');
  try {
    await d.sync();
  } finally {
    await d.close();
  }
}

type Request = { old: number; proof: Buffer[]; note: string };

/** Splits a request body into old size, proof hashes and the note; a string is the reason it is malformed. */
function parseRequest(body: string | Buffer): Request | string {
  let text: string;
  if (Buffer.isBuffer(body)) {
    try {
      text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(body);
    } catch {
      return 'body is not UTF-8';
    }
  } else text = body;
  if (typeof text !== 'string' || text.length > MAX_BODY_BYTES) return 'body too large';
  let at = text.indexOf('\n');
  const first = at < 0 ? '' : text.slice(0, at);
  const m = /^old (\S+)$/.exec(first);
  if (!m || !DECIMAL.test(m[1]) || !Number.isSafeInteger(Number(m[1]))) return 'first line is not "old <size>"';
  const proof: Buffer[] = [];
  for (;;) {
    const end = text.indexOf('\n', at + 1);
    if (end < 0) return 'no empty line before the checkpoint';
    const line = text.slice(at + 1, end);
    at = end;
    if (line === '') break;
    const h = canonicalHash(line);
    if (!h) return `proof line ${proof.length + 1} is not a base64 SHA-256 hash`;
    if (proof.length === MAX_PROOF_LINES) return 'too many proof lines';
    proof.push(h);
  }
  return { old: Number(m[1]), proof, note: text.slice(at + 1) };
}

/**
 * Starts a witness over `stateFile` (created on the first cosignature when absent; an unknown
 * version is refused). `key` MUST be a cosignature/v1 key (its vkey type 0x04 names the witness);
 * every `logs` entry MUST have a type 0x01 vkey named as its origin. `now` gives milliseconds
 * (default Date.now); cosignatures carry it in whole seconds.
 */
export async function createWitness({
  stateFile,
  key,
  logs,
  now = Date.now,
}: {
  stateFile: string;
  key: SigningKey;
  logs: readonly WitnessLog[];
  now?: () => number;
}): Promise<Witness> {
  const me = parseVerifierKey(key.vkey);
  if (me.type !== TYPE_COSIGNATURE_V1) throw new Error(`witness key ${key.vkey} is not a cosignature/v1 (0x04) key`);
  const known = new Map<string, VerifierKey>();
  for (const l of logs) {
    const v = parseVerifierKey(l.vkey);
    if (v.type !== TYPE_ED25519 || v.name !== l.origin)
      throw new Error(`log key ${l.vkey} is not an Ed25519 (0x01) key named ${l.origin}`);
    if (known.has(l.origin)) throw new Error(`log ${l.origin} configured twice`);
    known.set(l.origin, v);
  }
  let state = await readWitnessState(stateFile);
  let queue: Promise<unknown> = Promise.resolve();

  const handle = async (body: string | Buffer): Promise<WitnessResponse> => {
    const req = parseRequest(body);
    if (typeof req === 'string') return reply(400, req);
    let origin: string;
    try {
      origin = parseCheckpoint(req.note).origin;
    } catch (e) {
      return reply(400, `checkpoint: ${(e as Error).message}`);
    }
    const log = known.get(origin);
    if (!log) return reply(403, `unknown log ${JSON.stringify(origin)}`);
    let cp: ReturnType<typeof verifyNote>;
    try {
      cp = verifyNote(req.note, log);
    } catch (e) {
      return reply(
        e instanceof NoteError && e.check === 'malformed' ? 400 : 403,
        `checkpoint: ${(e as Error).message}`,
      );
    }
    if (req.old > cp.size) return reply(400, `old size ${req.old} exceeds the checkpoint size ${cp.size}`);
    const seen = Object.hasOwn(state.logs, origin) ? state.logs[origin] : undefined;
    const recorded = seen ?? { size: 0, root: EMPTY_ROOT.toString('base64') };
    if (req.old !== recorded.size) return reply(409, `${recorded.size}\n`, SIZE_TYPE);
    const oldRoot = Buffer.from(recorded.root, 'base64');
    if (seen && cp.size === seen.size && !oldRoot.equals(cp.root)) {
      // Two roots for one size: the log forked. Refused like a conflict (the body names our size).
      return reply(409, `${recorded.size}\n`, SIZE_TYPE);
    }
    if (!verifyConsistency(recorded.size, cp.size, oldRoot, cp.root, req.proof)) {
      return reply(422, `the proof does not show ${cp.size} extends the cosigned ${recorded.size}`);
    }
    if (!seen || seen.size !== cp.size) {
      const next: WitnessState = {
        version: WITNESS_STATE_VERSION,
        logs: { ...state.logs, [origin]: { size: cp.size, root: cp.root.toString('base64') } },
      };
      await writeFileAtomic(stateFile, `${JSON.stringify(next, null, 2)}\n`);
      state = next;
    }
    return reply(200, cosign(cp.body, me.name, key.privateKey, Math.floor(now() / 1000)));
  };

  return {
    vkey: key.vkey,
    handleAddCheckpoint: (body) => {
      const run = queue.then(() => handle(body));
      queue = run.catch(() => {});
      return run;
    },
    state: () => structuredClone(state),
  };
}

/**
 * A Fastify app serving POST `<prefix>/add-checkpoint` for `witness` (any request Content-Type;
 * bodies over MAX_BODY_BYTES get 413). Other paths and methods are 404. The caller listens and closes.
 */
export function witnessApp(witness: Witness, { prefix = '' }: { prefix?: string } = {}): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: MAX_BODY_BYTES });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  app.post(`${prefix}/add-checkpoint`, async (req, res) => {
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const r = await witness.handleAddCheckpoint(body);
    return res.code(r.status).header('content-type', r.contentType).send(r.body);
  });
  return app;
}
