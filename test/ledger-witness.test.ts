// End to end: the witness CLI (`witness init`, `witness serve` as a child process) cosigns a
// growing in-memory log through the witness client; killed with -9 and restarted on the same
// state file, it still remembers the size it cosigned.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import {
  generateLogKey,
  parseVerifierKey,
  signCheckpoint,
  TYPE_COSIGNATURE_V1,
  verifyCosignature,
  verifyNote,
} from '../src/ledger/note.ts';
import type { HashTile } from '../src/ledger/tiles.ts';
import { integrate, leafHash, rootFromRightEdge } from '../src/ledger/tree.ts';
import {
  consistencyProofFromTiles,
  cosignWith,
  requestCosignature,
  withCosignatures,
  WitnessError,
  type WitnessConfig,
} from '../src/ledger/witness-client.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const NAME = 'witness.example/e2e';

/** Runs the witness CLI to completion. */
function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['src/cli/witness-main.ts', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

/** Starts `witness serve` and resolves with its URL once it listens. */
async function serve(args: string[]): Promise<{ url: string; child: ChildProcess; exited: Promise<number | null> }> {
  const child = spawn(
    process.execPath,
    ['src/cli/witness-main.ts', 'serve', ...args, '--port', '0', '--host', '127.0.0.1'],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (b: Buffer) => {
      output += b.toString();
      const m = /listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (m) resolve(m[1]);
    });
    child.stderr!.on('data', (b: Buffer) => (output += b.toString()));
    void exited.then((code) => reject(new Error(`witness exited (${code}) before it listened:\n${output}`)));
    setTimeout(() => reject(new Error(`witness not listening after 30 s:\n${output}`)), 30_000).unref();
  });
  return { url, child, exited };
}

/** A log held in memory: tiles keyed by level/index (latest bytes; older widths are prefixes). */
function memoryLog(origin: string) {
  const key = generateLogKey(origin);
  const tiles = new Map<string, Buffer>();
  let size = 0;
  let edge = new Map<number, Buffer>();
  return {
    key,
    get size() {
      return size;
    },
    /** Appends `n` entries and returns the signed checkpoint of the new size. */
    grow(n: number): string {
      const r = integrate(
        size,
        edge,
        Array.from({ length: n }, (_, i) => leafHash(Buffer.from(`event ${size + i}`))),
      );
      for (const t of r.tiles) tiles.set(`${t.level}/${t.index}`, t.hashes);
      ({ size, lastTiles: edge } = r);
      return signCheckpoint(origin, size, rootFromRightEdge(size, edge), key.privateKey);
    },
    proofFrom(old: number): Promise<Buffer[]> {
      return consistencyProofFromTiles(
        old,
        size,
        (t: HashTile) => tiles.get(`${t.level}/${t.index}`)?.subarray(0, t.width * 32) ?? null,
      );
    },
  };
}

describe('witness CLI end to end', () => {
  const children: ChildProcess[] = [];
  let dir = '';
  after(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('init, serve, cosign a growing log, survive kill -9 with its memory, stop on SIGTERM', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'sujarit-witness-e2e-'));
    const keyFile = path.join(dir, 'witness.pem');
    const stateFile = path.join(dir, 'state.json');

    const init = await cli(['init', '--name', NAME, '--key-file', keyFile]);
    assert.equal(init.code, 0, init.stderr);
    const vkey = init.stdout.trim();
    assert.equal(parseVerifierKey(vkey).type, TYPE_COSIGNATURE_V1);
    assert.equal(parseVerifierKey(vkey).name, NAME);
    assert.equal((await stat(keyFile)).mode & 0o777, 0o600);
    const pem = await readFile(keyFile, 'utf8');
    const again = await cli(['init', '--name', NAME, '--key-file', keyFile]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /refusing to overwrite/);
    assert.equal(await readFile(keyFile, 'utf8'), pem, 'the key is untouched');
    assert.equal((await cli(['vkey', '--name', NAME, '--key-file', keyFile])).stdout.trim(), vkey);
    const usage = await cli(['frobnicate']);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /unknown verb[\s\S]*usage:/);

    const ledger = memoryLog('sujarit.example/log');
    const args = ['--name', NAME, '--key-file', keyFile, '--state', stateFile, '--log', ledger.key.vkey];
    let server = await serve(args);
    children.push(server.child);
    let witness: WitnessConfig = { vkey, url: server.url };
    let knownSize = 0;
    const cosignNext = async (n: number): Promise<void> => {
      const note = ledger.grow(n);
      const r = await cosignWith({ witness, note, proofFrom: (old) => ledger.proofFrom(old), knownSize });
      const cosigned = withCosignatures(note, [r.line]);
      verifyNote(cosigned, ledger.key.vkey);
      assert.equal(verifyCosignature(cosigned, vkey).checkpoint.size, ledger.size);
      knownSize = r.size;
    };

    for (const n of [1, 5, 250, 1, 300]) await cosignNext(n);
    assert.equal(knownSize, 557);

    server.child.kill('SIGKILL');
    assert.equal(await server.exited, null);
    server = await serve(args);
    children.push(server.child);
    witness = { vkey, url: server.url };
    const note = ledger.grow(100);
    assert.deepEqual(
      await requestCosignature({ witness, checkpointNote: note, oldSize: 0, proof: [] }),
      { status: 'conflict', size: 557 },
      'it remembers the size it cosigned',
    );
    knownSize = 0; // forget ours too: the 409 teaches it back
    const r = await cosignWith({ witness, note, proofFrom: (old) => ledger.proofFrom(old), knownSize });
    assert.equal(verifyCosignature(note + r.line, vkey).checkpoint.size, 657);
    knownSize = r.size;
    for (const n of [1000, 2]) await cosignNext(n);

    const stranger = memoryLog('stranger.example/log');
    await assert.rejects(
      requestCosignature({ witness, checkpointNote: stranger.grow(3), oldSize: 0, proof: [] }),
      (e: unknown) => e instanceof WitnessError && e.evidence.status === 403,
    );
    assert.deepEqual(JSON.parse(await readFile(stateFile, 'utf8')).logs['sujarit.example/log'].size, 1659);

    server.child.kill('SIGTERM');
    assert.equal(await server.exited, 0, 'SIGTERM stops it cleanly');
  });
});
