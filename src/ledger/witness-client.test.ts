import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  cosign,
  formatCheckpointBody,
  generateLogKey,
  generateWitnessKey,
  signCheckpoint,
  verifyCosignature,
  verifyNote,
  type SigningKey,
} from './note.ts';
import { tilePath, type HashTile } from './tiles.ts';
import { consistencyProof, integrate, leafHash, memoryHashSource, treeRoot } from './tree.ts';
import {
  collectCosignatures,
  createCosigner,
  consistencyProofFromTiles,
  cosignWith,
  hasCosignature,
  parseWitnessList,
  requestCosignature,
  withCosignatures,
  WitnessError,
  type ProofFrom,
  type WitnessConfig,
} from './witness-client.ts';
import { createWitness, witnessApp, type Witness } from './witness-server.ts';

const ORIGIN = 'sujarit.example/log';
const log = generateLogKey(ORIGIN);
const leaves = Array.from({ length: 1200 }, (_, i) => leafHash(Buffer.from(`entry ${i}`)));
const src = memoryHashSource(leaves);
const checkpoint = (n: number): string => signCheckpoint(ORIGIN, n, treeRoot(n, src), log.privateKey);
const proofTo = (n: number) => {
  const calls: number[] = [];
  const proofFrom: ProofFrom = (old) => {
    calls.push(old);
    return consistencyProof(old, n, src);
  };
  return { proofFrom, calls };
};

const cleanups: (() => Promise<unknown>)[] = [];
after(() => Promise.all(cleanups.map((c) => c())));

/** A real witness (witnessApp on 127.0.0.1, port 0) with its own state file. */
async function startWitness(name: string): Promise<{ config: WitnessConfig; witness: Witness; key: SigningKey }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'sujarit-wc-'));
  const key = generateWitnessKey(name);
  const witness = await createWitness({
    stateFile: path.join(dir, 'state.json'),
    key,
    logs: [{ origin: ORIGIN, vkey: log.vkey }],
  });
  const app = witnessApp(witness);
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  cleanups.push(async () => {
    await app.close();
    await rm(dir, { recursive: true, force: true });
  });
  return { config: { vkey: key.vkey, url }, witness, key };
}

/** A misbehaving witness: `handler` answers every request. */
async function fakeWitness(
  name: string,
  handler: (req: IncomingMessage, res: ServerResponse, body: string) => void,
): Promise<WitnessConfig & { key: SigningKey }> {
  const key = generateWitnessKey(name);
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => handler(req, res, body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => {
    server.closeAllConnections();
    return new Promise((r) => server.close(r));
  });
  return { vkey: key.vkey, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, key };
}

/** A signature line with the last byte of its signature changed. */
function flipLastByte(line: string): string {
  const [dash, name, b64] = line.trimEnd().split(' ');
  const raw = Buffer.from(b64, 'base64');
  raw[raw.length - 1] ^= 1;
  return `${dash} ${name} ${raw.toString('base64')}\n`;
}

/** Counts requests made through fetch. */
function countingFetch(): { fetchImpl: typeof fetch; count: () => number } {
  let n = 0;
  return { fetchImpl: (input, init) => (n++, fetch(input, init)), count: () => n };
}

describe('witness client against real witnesses', () => {
  let a: Awaited<ReturnType<typeof startWitness>>;
  let b: Awaited<ReturnType<typeof startWitness>>;
  before(async () => {
    a = await startWitness('witness.example/a');
    b = await startWitness('witness.example/b');
  });

  it('collects verified cosignatures from every witness and appends them to the note', async () => {
    const knownSizes = new Map<string, number>();
    for (const size of [10, 300, 1200]) {
      const note = checkpoint(size);
      const { proofFrom, calls } = proofTo(size);
      const counter = countingFetch();
      const r = await collectCosignatures({
        witnesses: [a.config, b.config],
        note,
        proofFrom,
        knownSizes,
        fetchImpl: counter.fetchImpl,
      });
      assert.deepEqual(r.errors, []);
      assert.equal(r.lines.length, 2);
      assert.equal(counter.count(), 2, 'no 409 round trip once the sizes are known');
      assert.equal(calls.length, 1, 'one proof computed for both witnesses');
      const cosigned = withCosignatures(note, r.lines);
      verifyNote(cosigned, log.vkey);
      for (const w of [a, b]) {
        assert.ok(verifyCosignature(cosigned, w.config.vkey).timestamp > 1_700_000_000);
        assert.equal(knownSizes.get(w.config.vkey), size);
        assert.equal(w.witness.state().logs[ORIGIN].size, size);
      }
      const again = await collectCosignatures({
        witnesses: [a.config, b.config],
        note: cosigned,
        proofFrom,
        knownSizes,
      });
      assert.deepEqual([again.lines, again.errors], [[], []], 'witnesses that already cosigned are not asked again');
      assert.equal(withCosignatures(cosigned, r.lines), cosigned, 'a key that already signed is not added twice');
    }
  });

  it('retries once after a 409 with a proof from the size the witness reported', async () => {
    const w = await startWitness('witness.example/c');
    await cosignWith({ witness: w.config, note: checkpoint(10), proofFrom: proofTo(10).proofFrom });
    const { proofFrom, calls } = proofTo(300);
    const counter = countingFetch();
    const r = await cosignWith({
      witness: w.config,
      note: checkpoint(300),
      proofFrom,
      knownSize: 0,
      fetchImpl: counter.fetchImpl,
    });
    assert.deepEqual([calls, counter.count(), r.size], [[0, 10], 2, 300]);
    assert.ok(hasCosignature(checkpoint(300) + r.line, w.config.vkey));
    const direct = await requestCosignature({
      witness: w.config,
      checkpointNote: checkpoint(500),
      oldSize: 7,
      proof: [],
    });
    assert.deepEqual(direct, { status: 'conflict', size: 300 });
  });

  it('reports a witness that has cosigned beyond the checkpoint, and a proof the witness refuses', async () => {
    const w = await startWitness('witness.example/d');
    await cosignWith({ witness: w.config, note: checkpoint(500), proofFrom: proofTo(500).proofFrom });
    await assert.rejects(
      cosignWith({ witness: w.config, note: checkpoint(300), proofFrom: proofTo(300).proofFrom }),
      /has cosigned size 500, beyond this checkpoint's 300/,
    );
    const wrongProof: ProofFrom = (old) => consistencyProof(old, 700, src).reverse();
    await assert.rejects(
      cosignWith({ witness: w.config, note: checkpoint(700), proofFrom: wrongProof, knownSize: 500 }),
      (e: unknown) => e instanceof WitnessError && e.evidence.status === 422,
    );
  });
});

describe('witness client against misbehaving witnesses', () => {
  it('reports garbage, foreign or invalid cosignatures, bad 409s, errors and timeouts, and keeps the good ones', async () => {
    const good = await startWitness('witness.example/good');
    const note = checkpoint(10);
    const body = formatCheckpointBody(ORIGIN, 10, treeRoot(10, src));
    const otherKey = generateWitnessKey('witness.example/other');
    const send =
      (status: number, text: string | Buffer, type = 'text/plain') =>
      (_req: IncomingMessage, res: ServerResponse) =>
        res.writeHead(status, { 'content-type': type }).end(text);
    let conflicts = 0;
    const bad: [
      string,
      (key: SigningKey) => (req: IncomingMessage, res: ServerResponse, body: string) => void,
      RegExp,
    ][] = [
      ['garbage', () => send(200, 'hello\n'), /not signature lines/],
      ['empty 200', () => send(200, ''), /not signature lines/],
      [
        'another key',
        () => send(200, cosign(body, 'witness.example/garbage-2', otherKey.privateKey, 1_750_000_000)),
        /no signature by/,
      ],
      [
        'another checkpoint',
        (k) =>
          send(
            200,
            cosign(
              formatCheckpointBody(ORIGIN, 11, treeRoot(11, src)),
              'witness.example/bad-3',
              k.privateKey,
              1_750_000_000,
            ),
          ),
        /does not verify/,
      ],
      [
        'flipped bit',
        (k) => send(200, flipLastByte(cosign(body, 'witness.example/bad-4', k.privateKey, 1_750_000_000))),
        /does not verify/,
      ],
      ['409 garbage', () => send(409, 'ten\n', 'text/x.tlog.size'), /409 without a tree size/],
      ['409 twice', () => (req, res) => (conflicts++, send(409, '5\n', 'text/x.tlog.size')(req, res)), /409 again/],
      ['500', () => send(500, 'oops'), /answered 500/],
      ['not UTF-8', () => send(200, Buffer.from([0xff, 0xfe, 0x0a])), /not UTF-8/],
      ['too big', () => send(200, Buffer.alloc(100_000, 0x61)), /larger than/],
      ['silent', () => () => {}, /no answer within 300 ms/],
    ];
    const fakes: WitnessConfig[] = [];
    for (const [i, [, make]] of bad.entries()) {
      const name = `witness.example/bad-${i}`;
      let handler: ((req: IncomingMessage, res: ServerResponse, body: string) => void) | null = null;
      const f = await fakeWitness(name, (req, res, b) => handler!(req, res, b));
      handler = make(f.key);
      fakes.push({ vkey: f.vkey, url: f.url });
    }
    const r = await collectCosignatures({
      witnesses: [...fakes, good.config],
      note,
      proofFrom: proofTo(10).proofFrom,
      timeoutMs: 300,
    });
    assert.equal(r.lines.length, 1);
    assert.ok(verifyCosignature(note + r.lines[0], good.config.vkey));
    assert.equal(r.errors.length, bad.length);
    assert.equal(conflicts, 2, 'one retry after a 409, no more');
    for (const [i, [what, , message]] of bad.entries()) {
      const e = r.errors.find((x) => x.witness === fakes[i]);
      assert.ok(e, what);
      assert.ok(e.error instanceof WitnessError, `${what}: ${e.error.message}`);
      assert.match(e.error.message, message, what);
      assert.equal(e.error.witness.startsWith(`witness.example/bad-${i}`), true, what);
    }
  });
});

describe('createCosigner', () => {
  it('remembers sizes, skips witnesses that already cosigned, and backs off from failing ones', async () => {
    const good = await startWitness('witness.example/cosigner');
    let deadCalls = 0;
    const dead = await fakeWitness(
      'witness.example/dead',
      (_req, res) => (deadCalls++, res.writeHead(500).end('down')),
    );
    let t = 1_000_000;
    const counter = countingFetch();
    const cosigner = createCosigner({ witnesses: [good.config, dead], now: () => t, fetchImpl: counter.fetchImpl });
    const first = await cosigner.cosign(checkpoint(10), proofTo(10).proofFrom);
    assert.ok(hasCosignature(first.note, good.config.vkey));
    assert.deepEqual([first.errors.length, first.errors[0] instanceof WitnessError, deadCalls], [1, true, 1]);
    const second = await cosigner.cosign(first.note, proofTo(10).proofFrom);
    assert.deepEqual(
      [second.note, second.errors, deadCalls, counter.count()],
      [first.note, [], 1, 2],
      'nobody asked: one has cosigned, one backs off',
    );
    t += 2001;
    assert.equal((await cosigner.cosign(first.note, proofTo(10).proofFrom)).errors.length, 1);
    assert.equal(deadCalls, 2, 'asked again after 2 s');
    t += 2001;
    await cosigner.cosign(first.note, proofTo(10).proofFrom);
    assert.equal(deadCalls, 2, 'the second back-off is 4 s');
    t += 2000;
    const { proofFrom, calls } = proofTo(300);
    const next = await cosigner.cosign(checkpoint(300), proofFrom);
    assert.deepEqual(
      [deadCalls, calls.sort((a, b) => a - b)],
      [3, [0, 10]],
      'proofs from the size each witness cosigned (the dead one: none)',
    );
    assert.equal(counter.count(), 5, 'no 409 round trip for the good witness');
    assert.ok(hasCosignature(next.note, good.config.vkey));
  });
});

describe('witness list and helpers', () => {
  const w1 = generateWitnessKey('witness.example/one').vkey;
  const w2 = generateWitnessKey('witness.example/two').vkey;

  it('parses entries separated by newlines or commas, skipping blanks and comments', () => {
    assert.deepEqual(
      parseWitnessList(`# witnesses\n${w1} https://w1.example/ , ${w2}   http://127.0.0.1:8081/witness\n\n`),
      [
        { vkey: w1, url: 'https://w1.example' },
        { vkey: w2, url: 'http://127.0.0.1:8081/witness' },
      ],
    );
    assert.deepEqual(parseWitnessList(''), []);
  });

  it('refuses bad entries and lists every problem', () => {
    const cases: [string, RegExp][] = [
      [`${log.vkey} https://w.example`, /not a cosignature\/v1/],
      [`${w1} ftp://w.example`, /not a plain http/],
      [`${w1} https://w.example/?x=1`, /not a plain http/],
      [`${w1}`, /is not "<vkey> <url>"/],
      [`${w1} https://a.example\n${w1} https://b.example`, /listed twice/],
      [`${w1.replace(/\+[0-9a-f]{8}\+/, '+00000000+')} https://w.example`, /key ID/],
      ['x https://a.example, y', /invalid verifier key[\s\S]*"y" is not/],
    ];
    for (const [text, why] of cases) assert.throws(() => parseWitnessList(text), why, text);
  });

  it('computes consistency proofs from tiles exactly as from the whole tree', async () => {
    const tiles = new Map<string, Buffer>(); // `level/index` → latest bytes
    let size = 0;
    let edge = new Map<number, Buffer>();
    for (const n of [1, 254, 3, 300, 642]) {
      const r = integrate(size, edge, leaves.slice(size, size + n));
      for (const t of r.tiles) tiles.set(`${t.level}/${t.index}`, t.hashes);
      ({ size, lastTiles: edge } = r);
    }
    const read: string[] = [];
    const readTile = async (t: HashTile): Promise<Buffer | null> => {
      read.push(tilePath(t));
      return tiles.get(`${t.level}/${t.index}`)?.subarray(0, t.width * 32) ?? null;
    };
    for (const [m, n] of [
      [0, 1200],
      [1, 2],
      [10, 300],
      [255, 257],
      [256, 1200],
      [1199, 1200],
      [513, 1000],
      [1200, 1200],
    ]) {
      read.length = 0;
      assert.deepEqual(await consistencyProofFromTiles(m, n, readTile), consistencyProof(m, n, src), `${m} → ${n}`);
      assert.equal(new Set(read).size, read.length, 'each tile read once');
    }
    await assert.rejects(
      consistencyProofFromTiles(10, 300, () => null),
      /not available/,
    );
  });
});
