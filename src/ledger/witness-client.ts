// The log's side of C2SP tlog-witness: asks witnesses to cosign a checkpoint (POST
// <url>/add-checkpoint), verifies every cosignature against the witness's key before it is kept,
// and learns a witness's recorded size from a 409 answer. One failing witness never stops the others.
import {
  formatNote,
  NoteError,
  parseCheckpoint,
  parseVerifierKey,
  TYPE_COSIGNATURE_V1,
  verifyCosignature,
  type VerifierKey,
} from './note.ts';
import { tilePath, type HashTile } from './tiles.ts';
import { consistencyProof, tileHashSource, tilesNeeded } from './tree.ts';

/** One witness: its cosignature/v1 verifier key (name+keyid+base64(0x04‖pub)) and base URL. */
export type WitnessConfig = { vkey: string; url: string };
/** The consistency proof from `oldSize` to the checkpoint's size (sync or async). */
export type ProofFrom = (oldSize: number) => Buffer[] | Promise<Buffer[]>;
/** A verified cosignature: the note signature line (ending in a newline) and its timestamp (s). */
export type Cosignature = { line: string; timestamp: number };
/** What one request got: a verified cosignature, or a 409 with the witness's recorded size. */
export type CosignResult = ({ status: 'cosigned' } & Cosignature) | { status: 'conflict'; size: number };

/** A witness that did not cosign: `evidence` holds what it answered (status, body excerpt, reason). */
export class WitnessError extends Error {
  readonly witness: string;
  readonly evidence: Readonly<Record<string, unknown>>;
  constructor(witness: string, message: string, evidence: Record<string, unknown> = {}) {
    super(`witness ${witness}: ${message}`);
    this.name = 'WitnessError';
    this.witness = witness;
    this.evidence = evidence;
  }
}

const MAX_RESPONSE_BYTES = 64 * 1024;
const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * Reads a witness list: entries separated by newlines or commas, each `<vkey> <url>`; blank
 * entries and `#` comments are skipped. Every vkey MUST be a type 0x04 key, every URL http(s)
 * without query or fragment, every witness name distinct. Throws one Error listing every problem.
 */
export function parseWitnessList(text: string): WitnessConfig[] {
  const out: WitnessConfig[] = [];
  const problems: string[] = [];
  const names = new Set<string>();
  for (const raw of text.split(/[\n,]/)) {
    const entry = raw.trim();
    if (entry === '' || entry.startsWith('#')) continue;
    const parts = entry.split(/\s+/);
    if (parts.length !== 2) {
      problems.push(`${JSON.stringify(entry)} is not "<vkey> <url>"`);
      continue;
    }
    const [vkey, url] = parts;
    try {
      const v = parseVerifierKey(vkey);
      if (v.type !== TYPE_COSIGNATURE_V1) throw new Error(`${v.name} is not a cosignature/v1 (0x04) key`);
      if (names.has(v.name)) throw new Error(`witness ${v.name} is listed twice`);
      names.add(v.name);
      const u = new URL(url);
      if (!['http:', 'https:'].includes(u.protocol) || u.search || u.hash || u.username || u.password)
        throw new Error(`${url} is not a plain http(s) URL`);
      out.push({ vkey, url: url.replace(/\/+$/, '') });
    } catch (e) {
      problems.push((e as Error).message);
    }
  }
  if (problems.length > 0) throw new Error(`invalid witness list:\n- ${problems.join('\n- ')}`);
  return out;
}

async function readLimited(res: Response, who: string): Promise<string> {
  const chunks: Uint8Array[] = [];
  let n = 0;
  if (res.body) {
    for await (const chunk of res.body) {
      n += chunk.length;
      if (n > MAX_RESPONSE_BYTES)
        throw new WitnessError(who, `answer larger than ${MAX_RESPONSE_BYTES} bytes`, { status: res.status });
      chunks.push(chunk);
    }
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw new WitnessError(who, 'answer is not UTF-8', { status: res.status });
  }
}

const excerpt = (s: string): string => (s.length > 300 ? `${s.slice(0, 300)}…` : s);

/**
 * Sends one add-checkpoint request. Returns the cosignature only after verifyCosignature accepted
 * it for `witness.vkey` over this checkpoint's body; returns `conflict` with the witness's size on
 * a well-formed 409. Throws WitnessError (with status and body excerpt) for anything else: other
 * statuses, timeouts, network errors, garbage, or a cosignature that does not verify.
 */
export async function requestCosignature({
  witness,
  checkpointNote,
  oldSize,
  proof,
  fetchImpl = fetch,
  timeoutMs = DEFAULT_TIMEOUT_MS,
}: {
  witness: WitnessConfig;
  checkpointNote: string;
  oldSize: number;
  proof: readonly Buffer[];
  fetchImpl?: typeof fetch;
  timeoutMs?: number;
}): Promise<CosignResult> {
  const v: VerifierKey = parseVerifierKey(witness.vkey);
  const who = `${v.name} (${witness.url})`;
  const cp = parseCheckpoint(checkpointNote);
  const body = `old ${oldSize}\n${proof.map((h) => `${h.toString('base64')}\n`).join('')}\n${checkpointNote}`;
  let res: Response;
  let text: string;
  try {
    res = await fetchImpl(`${witness.url.replace(/\/+$/, '')}/add-checkpoint`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    text = await readLimited(res, who);
  } catch (e) {
    if (e instanceof WitnessError) throw e;
    const err = e as Error;
    const reason = err.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : `request failed: ${err.message}`;
    throw new WitnessError(who, reason, { url: witness.url, cause: err.message });
  }
  const evidence = {
    url: witness.url,
    status: res.status,
    contentType: res.headers.get('content-type'),
    body: excerpt(text),
    oldSize,
    size: cp.size,
  };
  if (res.status === 409) {
    const m = /^(0|[1-9][0-9]*)\n$/.exec(text);
    if (!m || !Number.isSafeInteger(Number(m[1]))) throw new WitnessError(who, '409 without a tree size', evidence);
    return { status: 'conflict', size: Number(m[1]) };
  }
  if (res.status !== 200) throw new WitnessError(who, `answered ${res.status}`, evidence);
  if (!/^(\u2014 [^\n]+\n)+$/.test(text)) throw new WitnessError(who, 'answer is not signature lines', evidence);
  let timestamp: number;
  try {
    timestamp = verifyCosignature(formatNote(cp.body, [text]), v).timestamp;
  } catch (e) {
    const ne = e as NoteError;
    throw new WitnessError(who, `cosignature refused: ${ne.message}`, { ...evidence, check: ne.check, ...ne.evidence });
  }
  const line = text.split(/(?<=\n)/).find((l) => {
    const s = parseCheckpoint(formatNote(cp.body, [l])).signatures[0];
    return s.name === v.name && s.keyId.equals(v.keyId);
  });
  if (!line) throw new WitnessError(who, 'verified cosignature line not found', evidence);
  return { status: 'cosigned', line, timestamp };
}

/**
 * Gets a verified cosignature of `note` from `witness`, starting from `knownSize` (the size it
 * last cosigned; 0 when unknown). After a 409 it retries once from the size the witness reported.
 * Returns the cosignature and the witness's new size (the note's). Throws WitnessError otherwise,
 * also when the witness has cosigned a larger tree than this note.
 */
export async function cosignWith({
  witness,
  note,
  proofFrom,
  knownSize = 0,
  fetchImpl,
  timeoutMs,
}: {
  witness: WitnessConfig;
  note: string;
  proofFrom: ProofFrom;
  knownSize?: number;
  fetchImpl?: typeof fetch;
  timeoutMs?: number;
}): Promise<Cosignature & { size: number }> {
  const { size } = parseCheckpoint(note);
  const name = parseVerifierKey(witness.vkey).name;
  let old = knownSize <= size ? knownSize : 0;
  for (let attempt = 1; ; attempt++) {
    const proof = await proofFrom(old);
    const r = await requestCosignature({ witness, checkpointNote: note, oldSize: old, proof, fetchImpl, timeoutMs });
    if (r.status === 'cosigned') return { line: r.line, timestamp: r.timestamp, size };
    if (r.size > size)
      throw new WitnessError(name, `has cosigned size ${r.size}, beyond this checkpoint's ${size}`, {
        witnessSize: r.size,
        size,
      });
    if (attempt === 2)
      throw new WitnessError(name, `409 again after retrying from size ${old}`, {
        witnessSize: r.size,
        size,
        oldSize: old,
      });
    old = r.size;
  }
}

/** True if `note` carries a cosignature by `vkey` that verifies. */
export function hasCosignature(note: string, vkey: string | VerifierKey): boolean {
  try {
    verifyCosignature(note, vkey);
    return true;
  } catch {
    return false;
  }
}

/**
 * Asks every witness in parallel that has not cosigned `note` yet. Never throws for a witness:
 * `lines` are the new verified cosignature lines (append them with withCosignatures), `errors`
 * the witnesses that failed. `knownSizes` (by vkey) is read and updated with each success.
 * Proofs are computed once per old size.
 */
export async function collectCosignatures({
  witnesses,
  note,
  proofFrom,
  knownSizes = new Map(),
  fetchImpl,
  timeoutMs,
}: {
  witnesses: readonly WitnessConfig[];
  note: string;
  proofFrom: ProofFrom;
  knownSizes?: Map<string, number>;
  fetchImpl?: typeof fetch;
  timeoutMs?: number;
}): Promise<{
  lines: string[];
  cosigned: (Cosignature & { witness: WitnessConfig })[];
  errors: { witness: WitnessConfig; error: Error }[];
}> {
  const proofs = new Map<number, Promise<Buffer[]>>();
  const cachedProof: ProofFrom = (old) => {
    let p = proofs.get(old);
    if (!p) proofs.set(old, (p = Promise.resolve().then(() => proofFrom(old))));
    return p;
  };
  const todo = witnesses.filter((w) => !hasCosignature(note, w.vkey));
  const settled = await Promise.allSettled(
    todo.map((witness) =>
      cosignWith({
        witness,
        note,
        proofFrom: cachedProof,
        knownSize: knownSizes.get(witness.vkey) ?? 0,
        fetchImpl,
        timeoutMs,
      }),
    ),
  );
  const cosigned: (Cosignature & { witness: WitnessConfig })[] = [];
  const errors: { witness: WitnessConfig; error: Error }[] = [];
  settled.forEach((s, i) => {
    const witness = todo[i];
    if (s.status === 'fulfilled') {
      knownSizes.set(witness.vkey, s.value.size);
      cosigned.push({ witness, line: s.value.line, timestamp: s.value.timestamp });
    } else {
      errors.push({ witness, error: s.reason instanceof Error ? s.reason : new Error(String(s.reason)) });
    }
  });
  return { lines: cosigned.map((c) => c.line), cosigned, errors };
}

/** Asks witnesses to cosign notes over time; see createCosigner. */
export type Cosigner = {
  /** `note` plus every new verified cosignature, and the witnesses that failed this time. Never throws for a witness. */
  cosign: (note: string, proofFrom: ProofFrom) => Promise<{ note: string; errors: WitnessError[] }>;
};

/**
 * A Cosigner for a log: it remembers, per witness, the size the witness last cosigned (so proofs
 * start there; after a restart one 409 teaches it back) and backs off after failures (2 s, 4 s, …
 * up to `maxBackoffMs`) so a dead witness is not asked on every tick. `now` gives milliseconds.
 */
export function createCosigner({
  witnesses,
  timeoutMs,
  fetchImpl,
  now = Date.now,
  maxBackoffMs = 300_000,
}: {
  witnesses: readonly WitnessConfig[];
  timeoutMs?: number;
  fetchImpl?: typeof fetch;
  now?: () => number;
  maxBackoffMs?: number;
}): Cosigner {
  const knownSizes = new Map<string, number>();
  const failures = new Map<string, { count: number; retryAt: number }>();
  return {
    cosign: async (note, proofFrom) => {
      const due = witnesses.filter((w) => (failures.get(w.vkey)?.retryAt ?? 0) <= now());
      const r = await collectCosignatures({ witnesses: due, note, proofFrom, knownSizes, fetchImpl, timeoutMs });
      for (const c of r.cosigned) failures.delete(c.witness.vkey);
      const errors = r.errors.map(({ witness, error }) => {
        const count = (failures.get(witness.vkey)?.count ?? 0) + 1;
        failures.set(witness.vkey, { count, retryAt: now() + Math.min(maxBackoffMs, 1000 * 2 ** count) });
        return error instanceof WitnessError
          ? error
          : new WitnessError(parseVerifierKey(witness.vkey).name, error.message, { url: witness.url });
      });
      return { note: withCosignatures(note, r.lines), errors };
    },
  };
}

/** `note` with `lines` appended, skipping any key that already signed it. Throws NoteError if the result is not a valid note. */
export function withCosignatures(note: string, lines: readonly string[]): string {
  const cp = parseCheckpoint(note);
  const have = new Set(cp.signatures.map((s) => `${s.name}+${s.keyId.toString('hex')}`));
  const extra = lines.filter((l) => {
    const s = parseCheckpoint(formatNote(cp.body, [l])).signatures;
    if (s.length !== 1) throw new NoteError('malformed', 'each cosignature must be one signature line');
    const key = `${s[0].name}+${s[0].keyId.toString('hex')}`;
    if (have.has(key)) return false;
    have.add(key);
    return true;
  });
  const out = note + extra.join('');
  parseCheckpoint(out);
  return out;
}

/**
 * The consistency proof from `oldSize` to `size`, read from tiles (e.g. read-log.ts readTile over
 * the database): the needed tiles are fetched once, in parallel. `readTile` MUST return the tile's
 * bytes at `size` (width × 32); null or a wrong length throws. MUST have oldSize ≤ size.
 */
export async function consistencyProofFromTiles(
  oldSize: number,
  size: number,
  readTile: (tile: HashTile) => Buffer | null | Promise<Buffer | null>,
): Promise<Buffer[]> {
  const op = (src: Parameters<typeof consistencyProof>[2]) => consistencyProof(oldSize, size, src);
  const got = new Map<string, Buffer>();
  await Promise.all(
    tilesNeeded(size, op).map(async (t) => {
      const bytes = await readTile(t);
      if (!bytes) throw new Error(`tile ${tilePath(t)} is not available for size ${size}`);
      got.set(tilePath(t), bytes);
    }),
  );
  return op(tileHashSource(size, (t) => got.get(tilePath(t)) ?? Buffer.alloc(0)));
}
