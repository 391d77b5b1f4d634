// C2SP signed-note, tlog-checkpoint and tlog-cosignature (cosignature/v1, Ed25519), with node:crypto
// only. Parsing is strict: anything that is not exactly the specified form is refused, because a
// checkpoint is evidence and a lenient reader accepts texts that no honest log wrote.
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';

/** Signature type of an Ed25519 note signature (signed-note). */
export const TYPE_ED25519 = 0x01;
/** Signature type of a timestamped Ed25519 witness cosignature (tlog-cosignature v1). */
export const TYPE_COSIGNATURE_V1 = 0x04;

const SIG_PREFIX = '\u2014 '; // em dash, space
const ED25519_SIG = 64;
const COSIG_HEADER = 'cosignature/v1\n';
const MAX_NOTE_BYTES = 1 << 20;
const MAX_SIGNATURES = 64; // the spec asks verifiers to accept at least 16
const MAX_TIMESTAMP = 2n ** 63n - 1n;

/** The check a NoteError reports as failed. */
export type NoteCheck = 'malformed' | 'bad-key' | 'wrong-origin' | 'no-signature' | 'bad-signature';

/** Why a note, key or cosignature was refused: `check` names the failed check, `evidence` the facts. */
export class NoteError extends Error {
  readonly check: NoteCheck;
  readonly evidence: Readonly<Record<string, unknown>>;
  constructor(check: NoteCheck, message: string, evidence: Record<string, unknown> = {}) {
    super(message);
    this.name = 'NoteError';
    this.check = check;
    this.evidence = evidence;
  }
}

const malformed = (reason: string, evidence: Record<string, unknown> = {}): NoteError =>
  new NoteError('malformed', `malformed note: ${reason}`, { reason, ...evidence });

/** Key names and origins: non-empty, no Unicode spaces, no `+`, no control characters. */
export function isValidName(name: string): boolean {
  return typeof name === 'string' && name.length > 0 && name.isWellFormed() && !/[\s+\p{Cc}]/u.test(name);
}

/** Standard base64 (RFC 4648 §4) in its one canonical spelling, or null. */
function decodeBase64(s: string): Buffer | null {
  if (s.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(s)) return null;
  const b = Buffer.from(s, 'base64');
  // Re-encoding refuses non-zero padding bits, so one byte string has one accepted text.
  return b.toString('base64') === s ? b : null;
}

/** SHA-256(name ‖ 0x0A ‖ type ‖ publicKey)[0:4], the signed-note key ID. */
export function keyId(name: string, type: number, publicKey: Buffer): Buffer {
  return createHash('sha256')
    .update(name, 'utf8')
    .update(Buffer.from([0x0a, type]))
    .update(publicKey)
    .digest()
    .subarray(0, 4);
}

/** The 32 raw bytes of an Ed25519 public (or private) key object. */
export function rawPublicKey(key: KeyObject): Buffer {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  if (pub.asymmetricKeyType !== 'ed25519') throw new NoteError('bad-key', 'not an Ed25519 key');
  return Buffer.from(pub.export({ format: 'jwk' }).x as string, 'base64url');
}

/** `<name>+<key ID hex>+<base64(type ‖ public key)>`. MUST be given a valid name and 32-byte key. */
export function formatVerifierKey(name: string, publicKey: Buffer, type: number = TYPE_ED25519): string {
  if (!isValidName(name)) throw new NoteError('bad-key', `invalid key name ${JSON.stringify(name)}`);
  if (publicKey.length !== 32 || (type !== TYPE_ED25519 && type !== TYPE_COSIGNATURE_V1))
    throw new NoteError('bad-key', 'need a 32-byte Ed25519 key of type 0x01 or 0x04');
  return `${name}+${keyId(name, type, publicKey).toString('hex')}+${Buffer.concat([Buffer.from([type]), publicKey]).toString('base64')}`;
}

/** A parsed verifier key; `key` is the Ed25519 public key object that verifies its signatures. */
export type VerifierKey = { name: string; keyId: Buffer; type: number; publicKey: Buffer; key: KeyObject };

/**
 * Reads a verifier key of type 0x01 (log) or 0x04 (cosignature/v1 witness). Strict: no surrounding
 * whitespace, 8 lowercase hex digits that MUST equal the key ID computed from name and key.
 */
export function parseVerifierKey(vkey: string): VerifierKey {
  const bad = (reason: string): NoteError =>
    new NoteError('bad-key', `invalid verifier key: ${reason}`, { vkey, reason });
  if (typeof vkey !== 'string') throw bad('not a string');
  const m = /^([^+]*)\+([^+]*)\+(.*)$/s.exec(vkey); // the base64 part may itself contain `+`
  if (!m) throw bad('not name+keyid+key');
  const [, name, hex, b64] = m;
  if (!isValidName(name)) throw bad('invalid name');
  if (!/^[0-9a-f]{8}$/.test(hex)) throw bad('key ID is not 8 lowercase hex digits');
  const raw = decodeBase64(b64);
  if (raw?.length !== 33) throw bad('key is not canonical base64 of 33 bytes');
  const type = raw[0];
  if (type !== TYPE_ED25519 && type !== TYPE_COSIGNATURE_V1)
    throw bad(`unsupported signature type 0x${type.toString(16).padStart(2, '0')}`);
  const publicKey = raw.subarray(1);
  const id = keyId(name, type, publicKey);
  if (id.toString('hex') !== hex) throw bad(`key ID ${hex} does not match the key (${id.toString('hex')})`);
  const key = createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: publicKey.toString('base64url') },
    format: 'jwk',
  });
  return { name, keyId: id, type, publicKey, key };
}

/** One signature line: `sig` is what follows the 4-byte key ID (unverified until verifyNote). */
export type NoteSignature = { name: string; keyId: Buffer; sig: Buffer };
/** A parsed checkpoint. `size` is a safe integer; `root` is 32 bytes. */
export type Checkpoint = {
  origin: string;
  size: number;
  root: Buffer;
  extensions: string[];
  /** The signed note text: every body line including the final newline. */
  body: string;
  signatures: NoteSignature[];
};

function noteText(text: string | Buffer): string {
  let s: string;
  if (Buffer.isBuffer(text)) {
    if (text.length > MAX_NOTE_BYTES) throw malformed('too large');
    try {
      s = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(text);
    } catch {
      throw malformed('not valid UTF-8');
    }
  } else {
    if (typeof text !== 'string' || !text.isWellFormed()) throw malformed('not valid UTF-8');
    if (Buffer.byteLength(text) > MAX_NOTE_BYTES) throw malformed('too large');
    s = text;
  }
  const control = /[\u0000-\u0009\u000b-\u001f]/.exec(s);
  if (control) throw malformed('control character', { at: control.index });
  return s;
}

function checkBodyText(body: string): void {
  noteText(body);
  if (!body.endsWith('\n')) throw malformed('text does not end in a newline');
}

/** Reads the three mandatory checkpoint lines and any extension lines; throws NoteError. */
export function parseCheckpointBody(body: string): Omit<Checkpoint, 'signatures'> {
  checkBodyText(body);
  const lines = body.slice(0, -1).split('\n');
  if (lines.length < 3) throw malformed('a checkpoint has at least three lines', { lines: lines.length });
  const empty = lines.indexOf('');
  if (empty >= 0) throw malformed('empty line in the checkpoint body', { line: empty + 1 });
  const [origin, sizeText, rootText] = lines;
  if (!/^(0|[1-9][0-9]*)$/.test(sizeText) || !Number.isSafeInteger(Number(sizeText)))
    throw malformed('tree size is not a decimal below 2^53 without leading zeros', { size: sizeText });
  const root = decodeBase64(rootText);
  if (root?.length !== 32) throw malformed('root hash is not canonical base64 of 32 bytes', { root: rootText });
  return { origin, size: Number(sizeText), root, extensions: lines.slice(3), body };
}

/**
 * Reads a signed checkpoint: body, blank line, then 1 to 64 lines `— <name> <base64(key ID ‖
 * signature)>`. Does NOT check any signature (see verifyNote). Throws NoteError('malformed') on any
 * deviation, including a repeated (name, key ID).
 */
export function parseCheckpoint(text: string | Buffer): Checkpoint {
  const s = noteText(text);
  if (!s.endsWith('\n')) throw malformed('does not end in a newline');
  // The text is separated from the signatures by the last empty line.
  const split = s.lastIndexOf('\n\n');
  if (split < 0) throw malformed('no blank line before the signatures');
  const block = s.slice(split + 2);
  if (block === '') throw malformed('no signature lines');
  const lines = block.slice(0, -1).split('\n');
  if (lines.length > MAX_SIGNATURES) throw malformed('too many signatures', { count: lines.length });
  const signatures: NoteSignature[] = [];
  const seen = new Set<string>();
  for (const [i, line] of lines.entries()) {
    const rest = line.startsWith(SIG_PREFIX) ? line.slice(SIG_PREFIX.length) : null;
    const space = rest === null ? -1 : rest.indexOf(' ');
    if (rest === null || space < 0)
      throw malformed('signature line is not "— <name> <signature>"', { signatureLine: i + 1 });
    const name = rest.slice(0, space);
    const raw = decodeBase64(rest.slice(space + 1));
    if (!isValidName(name)) throw malformed('invalid key name in a signature line', { signatureLine: i + 1 });
    if (!raw || raw.length < 5)
      throw malformed('signature is not canonical base64 of at least 5 bytes', { signatureLine: i + 1 });
    const id = raw.subarray(0, 4);
    const key = `${name}+${id.toString('hex')}`;
    if (seen.has(key)) throw malformed('two signatures by the same key', { key });
    seen.add(key);
    signatures.push({ name, keyId: id, sig: raw.subarray(4) });
  }
  return { ...parseCheckpointBody(s.slice(0, split + 1)), signatures };
}

/** `<origin>\n<size>\n<base64 root>\n`. MUST be given a valid origin, a safe size, a 32-byte root. */
export function formatCheckpointBody(origin: string, size: number, root: Buffer): string {
  if (!isValidName(origin)) throw new NoteError('malformed', `invalid origin ${JSON.stringify(origin)}`);
  if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`invalid tree size ${size}`);
  if (root.length !== 32) throw new RangeError('root must be 32 bytes');
  return `${origin}\n${size}\n${root.toString('base64')}\n`;
}

function checkSigner(name: string, privateKey: KeyObject): void {
  if (!isValidName(name)) throw new NoteError('bad-key', `invalid key name ${JSON.stringify(name)}`);
  if (privateKey.type !== 'private' || privateKey.asymmetricKeyType !== 'ed25519')
    throw new NoteError('bad-key', 'need an Ed25519 private key');
}

/**
 * The line `— <name> <base64(key ID ‖ Ed25519 signature of body)>\n` (type 0x01). `body` MUST be
 * note text ending in a newline, without control characters; throws NoteError otherwise.
 */
export function signNote(body: string, signer: { name: string; privateKey: KeyObject }): string {
  checkSigner(signer.name, signer.privateKey);
  checkBodyText(body);
  const id = keyId(signer.name, TYPE_ED25519, rawPublicKey(signer.privateKey));
  const sig = sign(null, Buffer.from(body, 'utf8'), signer.privateKey);
  return `${SIG_PREFIX}${signer.name} ${Buffer.concat([id, sig]).toString('base64')}\n`;
}

/** A full note: body, blank line, signature lines (each as signNote/cosign return them). */
export function formatNote(body: string, signatureLines: readonly string[]): string {
  return `${body}\n${signatureLines.join('')}`;
}

/** A checkpoint signed by the log: the key's name MUST be the origin. */
export function signCheckpoint(origin: string, size: number, root: Buffer, privateKey: KeyObject): string {
  const body = formatCheckpointBody(origin, size, root);
  return formatNote(body, [signNote(body, { name: origin, privateKey })]);
}

function asVerifier(vkey: string | VerifierKey, type: number): VerifierKey {
  const v = typeof vkey === 'string' ? parseVerifierKey(vkey) : vkey;
  if (v.type !== type)
    throw new NoteError('bad-key', `verifier key ${v.name} has type 0x0${v.type}, expected 0x0${type}`);
  return v;
}

function signaturesBy(cp: Checkpoint, v: VerifierKey): NoteSignature[] {
  const mine = cp.signatures.filter((s) => s.name === v.name && s.keyId.equals(v.keyId));
  if (mine.length === 0) {
    throw new NoteError('no-signature', `no signature by ${v.name}+${v.keyId.toString('hex')}`, {
      expected: `${v.name}+${v.keyId.toString('hex')}`,
      found: cp.signatures.map((s) => `${s.name}+${s.keyId.toString('hex')}`),
    });
  }
  return mine;
}

/**
 * Parses a checkpoint and verifies the log's signature with `verifierKey` (type 0x01, its name MUST
 * equal the origin). Other keys' signatures are ignored, as the spec requires. Returns the parsed
 * checkpoint; throws NoteError naming the failed check and its evidence otherwise.
 */
export function verifyNote(text: string | Buffer, verifierKey: string | VerifierKey): Checkpoint {
  const v = asVerifier(verifierKey, TYPE_ED25519);
  const cp = parseCheckpoint(text);
  if (cp.origin !== v.name)
    throw new NoteError(
      'wrong-origin',
      `checkpoint origin ${JSON.stringify(cp.origin)} is not ${JSON.stringify(v.name)}`,
      { origin: cp.origin, expected: v.name },
    );
  const msg = Buffer.from(cp.body, 'utf8');
  for (const s of signaturesBy(cp, v)) {
    if (s.sig.length !== ED25519_SIG || !verify(null, msg, v.key, s.sig)) {
      throw new NoteError('bad-signature', `signature by ${v.name} does not verify`, {
        key: `${v.name}+${v.keyId.toString('hex')}`,
        signature: s.sig.toString('base64'),
        body: cp.body,
      });
    }
  }
  return cp;
}

function cosignedMessage(body: string, timestamp: bigint): Buffer {
  return Buffer.from(`${COSIG_HEADER}time ${timestamp}\n${body}`, 'utf8');
}

/**
 * A cosignature/v1 line over a checkpoint body: `— <witness> <base64(key ID ‖ u64 timestamp ‖
 * Ed25519 signature of "cosignature/v1\ntime <ts>\n" ‖ body)>\n`. `timestamp` is POSIX seconds.
 */
export function cosign(body: string, witnessName: string, witnessPrivateKey: KeyObject, timestamp: number): string {
  checkSigner(witnessName, witnessPrivateKey);
  parseCheckpointBody(body);
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) throw new RangeError(`invalid timestamp ${timestamp}`);
  const ts = Buffer.alloc(8);
  ts.writeBigUInt64BE(BigInt(timestamp));
  const sig = sign(null, cosignedMessage(body, BigInt(timestamp)), witnessPrivateKey);
  const id = keyId(witnessName, TYPE_COSIGNATURE_V1, rawPublicKey(witnessPrivateKey));
  return `${SIG_PREFIX}${witnessName} ${Buffer.concat([id, ts, sig]).toString('base64')}\n`;
}

/**
 * Verifies the cosignature by `witnessVkey` (type 0x04) on a checkpoint. Returns its timestamp and
 * the parsed checkpoint; throws NoteError if there is none, or if it (or another by the same key)
 * does not verify. Does NOT check the log's own signature (use verifyNote for that).
 */
export function verifyCosignature(
  text: string | Buffer,
  witnessVkey: string | VerifierKey,
): { timestamp: number; checkpoint: Checkpoint } {
  const v = asVerifier(witnessVkey, TYPE_COSIGNATURE_V1);
  const cp = parseCheckpoint(text);
  let timestamp = -1;
  for (const s of signaturesBy(cp, v)) {
    const evidence = {
      key: `${v.name}+${v.keyId.toString('hex')}`,
      signature: s.sig.toString('base64'),
      body: cp.body,
    };
    if (s.sig.length !== 8 + ED25519_SIG)
      throw new NoteError('bad-signature', `cosignature by ${v.name} is not 72 bytes`, evidence);
    const ts = s.sig.readBigUInt64BE(0);
    if (ts > MAX_TIMESTAMP || ts > BigInt(Number.MAX_SAFE_INTEGER))
      throw new NoteError('bad-signature', `cosignature timestamp ${ts} out of range`, evidence);
    if (!verify(null, cosignedMessage(cp.body, ts), v.key, s.sig.subarray(8))) {
      throw new NoteError('bad-signature', `cosignature by ${v.name} does not verify`, {
        ...evidence,
        timestamp: ts.toString(),
      });
    }
    if (timestamp < 0) timestamp = Number(ts);
  }
  return { timestamp, checkpoint: cp };
}

/** A private key with its raw public key and verifier key. `privateKey` MUST stay secret. */
export type SigningKey = { privateKey: KeyObject; publicKey: Buffer; vkey: string };

function signingKey(name: string, privateKey: KeyObject, type: number): SigningKey {
  checkSigner(name, privateKey);
  const publicKey = rawPublicKey(privateKey);
  return { privateKey, publicKey, vkey: formatVerifierKey(name, publicKey, type) };
}

/** A fresh Ed25519 log key named after `origin` (MUST be a valid name: no spaces, no `+`). */
export function generateLogKey(origin: string): SigningKey {
  return signingKey(origin, generateKeyPairSync('ed25519').privateKey, TYPE_ED25519);
}

/** A fresh Ed25519 cosignature/v1 witness key; its vkey has type 0x04. */
export function generateWitnessKey(name: string): SigningKey {
  return signingKey(name, generateKeyPairSync('ed25519').privateKey, TYPE_COSIGNATURE_V1);
}

/** PKCS#8 PEM of a private key. The result is a secret: MUST NOT be logged or published. */
export function exportPrivateKey(privateKey: KeyObject): string {
  return privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
}

/** Loads a log key from PKCS#8 PEM; throws NoteError('bad-key') unless it is Ed25519. */
export function loadLogKey(pem: string, origin: string): SigningKey {
  return signingKey(origin, loadEd25519(pem), TYPE_ED25519);
}

/** Loads a witness key from PKCS#8 PEM; throws NoteError('bad-key') unless it is Ed25519. */
export function loadWitnessKey(pem: string, name: string): SigningKey {
  return signingKey(name, loadEd25519(pem), TYPE_COSIGNATURE_V1);
}

function loadEd25519(pem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    throw new NoteError('bad-key', 'not a PEM private key');
  }
  if (key.asymmetricKeyType !== 'ed25519')
    throw new NoteError('bad-key', `not an Ed25519 key (${key.asymmetricKeyType})`);
  return key;
}
