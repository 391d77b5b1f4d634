import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import {
  formatCheckpointBody,
  formatNote,
  generateLogKey,
  generateWitnessKey,
  signCheckpoint,
  signNote,
  verifyCosignature,
  type SigningKey,
} from './note.ts';
import { consistencyProof, leafHash, memoryHashSource, treeRoot } from './tree.ts';
import { createWitness, witnessApp, type Witness, type WitnessResponse } from './witness-server.ts';

const ORIGIN = 'sujarit.example/log';
const OTHER = 'other.example/log';
const log = generateLogKey(ORIGIN);
const other = generateLogKey(OTHER);
const impostor = generateLogKey(ORIGIN); // same name, different key
const wkey = generateWitnessKey('witness.example/w1');
const NOW = 1_750_000_000_000;
const src = memoryHashSource(Array.from({ length: 1000 }, (_, i) => leafHash(Buffer.from(`entry ${i}`))));
const root = (n: number): Buffer => treeRoot(n, src);
const proof = (m: number, n: number): Buffer[] => consistencyProof(m, n, src);
const checkpoint = (n: number, key: SigningKey = log, origin = ORIGIN, r = root(n)): string =>
  signCheckpoint(origin, n, r, key.privateKey);
const request = (old: number | string, p: readonly Buffer[], note: string): string =>
  `old ${old}\n${p.map((h) => `${h.toString('base64')}\n`).join('')}\n${note}`;

const dirs: string[] = [];
after(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));
async function tempDir(): Promise<string> {
  const d = await mkdtemp(path.join(tmpdir(), 'sujarit-witness-'));
  dirs.push(d);
  return d;
}

/** A witness on a fresh state file; when `start` is given it has cosigned checkpoint(start). */
async function fresh(start: number | null = null): Promise<{ witness: Witness; stateFile: string; dir: string }> {
  const dir = await tempDir();
  const stateFile = path.join(dir, 'state.json');
  const witness = await createWitness({
    stateFile,
    key: wkey,
    logs: [
      { origin: ORIGIN, vkey: log.vkey },
      { origin: OTHER, vkey: other.vkey },
    ],
    now: () => NOW,
  });
  if (start !== null) assert.equal((await witness.handleAddCheckpoint(request(0, [], checkpoint(start)))).status, 200);
  return { witness, stateFile, dir };
}

function assertCosigned(r: WitnessResponse, note: string): void {
  assert.equal(r.status, 200, r.body);
  assert.equal(r.contentType, 'text/plain; charset=utf-8');
  assert.equal(verifyCosignature(note + r.body, wkey.vkey).timestamp, NOW / 1000);
}

const tampered = checkpoint(10).replace(root(10).toString('base64'), root(11).toString('base64'));
type Row = { name: string; start: number | null; body: string | Buffer; status: number; size?: number };
const rows: Row[] = [
  {
    name: 'accepts the first checkpoint of a log (old 0, empty proof)',
    start: null,
    body: request(0, [], checkpoint(10)),
    status: 200,
    size: 10,
  },
  {
    name: 'accepts the empty tree as the first checkpoint',
    start: null,
    body: request(0, [], checkpoint(0)),
    status: 200,
    size: 0,
  },
  {
    name: 'accepts a consistent bigger checkpoint with a valid proof',
    start: 10,
    body: request(10, proof(10, 300), checkpoint(300)),
    status: 200,
    size: 300,
  },
  {
    name: 'accepts a bigger checkpoint from a power-of-two size',
    start: 256,
    body: request(256, proof(256, 999), checkpoint(999)),
    status: 200,
    size: 999,
  },
  {
    name: 'cosigns the recorded checkpoint again (same size and root, empty proof)',
    start: 10,
    body: request(10, [], checkpoint(10)),
    status: 200,
    size: 10,
  },
  {
    name: 'ignores other signatures on the note',
    start: null,
    body: request(
      0,
      [],
      checkpoint(10) +
        signNote(formatCheckpointBody(ORIGIN, 10, root(10)), { name: 'someone', privateKey: other.privateKey }),
    ),
    status: 200,
    size: 10,
  },
  {
    name: '409 with the recorded size when old is 0 but the log is known',
    start: 10,
    body: request(0, [], checkpoint(300)),
    status: 409,
    size: 10,
  },
  {
    name: '409 when old is not the recorded size',
    start: 10,
    body: request(5, proof(5, 300), checkpoint(300)),
    status: 409,
    size: 10,
  },
  {
    name: '409 for a second root at the recorded size (a fork)',
    start: 10,
    body: request(10, [], checkpoint(10, log, ORIGIN, root(11))),
    status: 409,
    size: 10,
  },
  {
    name: '422 for a proof from another size',
    start: 10,
    body: request(10, proof(9, 300), checkpoint(300)),
    status: 422,
    size: 10,
  },
  {
    name: '422 for a proof with one hash changed',
    start: 10,
    body: request(
      10,
      proof(10, 300).map((h, i) => (i === 1 ? root(3) : h)),
      checkpoint(300),
    ),
    status: 422,
    size: 10,
  },
  {
    name: '422 for a truncated proof',
    start: 10,
    body: request(10, proof(10, 300).slice(0, -1), checkpoint(300)),
    status: 422,
    size: 10,
  },
  {
    name: '422 for an empty proof between different sizes',
    start: 10,
    body: request(10, [], checkpoint(300)),
    status: 422,
    size: 10,
  },
  { name: '422 for proof lines with old 0', start: null, body: request(0, [root(1)], checkpoint(10)), status: 422 },
  {
    name: '422 for an empty tree whose root is not the empty hash',
    start: null,
    body: request(0, [], checkpoint(0, log, ORIGIN, root(5))),
    status: 422,
  },
  {
    name: '403 for an unknown log',
    start: null,
    body: request(
      0,
      [],
      signCheckpoint('unknown.example/log', 10, root(10), generateLogKey('unknown.example/log').privateKey),
    ),
    status: 403,
  },
  {
    name: '403 for a checkpoint signed by another key of the same name',
    start: 10,
    body: request(10, proof(10, 300), checkpoint(300, impostor)),
    status: 403,
    size: 10,
  },
  {
    name: '403 for a checkpoint signed by another known log',
    start: null,
    body: request(
      0,
      [],
      formatNote(formatCheckpointBody(ORIGIN, 10, root(10)), [
        signNote(formatCheckpointBody(ORIGIN, 10, root(10)), { name: OTHER, privateKey: other.privateKey }),
      ]),
    ),
    status: 403,
  },
  { name: '403 for a tampered note', start: null, body: request(0, [], tampered), status: 403 },
  { name: '400 for an empty body', start: null, body: '', status: 400 },
  { name: '400 without the old line', start: null, body: `\n${checkpoint(10)}`, status: 400 },
  { name: '400 for old with a leading zero', start: null, body: request('00', [], checkpoint(10)), status: 400 },
  { name: '400 for a negative old', start: null, body: request('-1', [], checkpoint(10)), status: 400 },
  { name: '400 for old beyond 2^53', start: null, body: request('9007199254740993', [], checkpoint(10)), status: 400 },
  {
    name: '400 for a proof line that is not base64',
    start: 10,
    body: `old 10\nnot-a-hash!\n\n${checkpoint(300)}`,
    status: 400,
    size: 10,
  },
  {
    name: '400 for a proof line of 31 bytes',
    start: 10,
    body: `old 10\n${Buffer.alloc(31).toString('base64')}\n\n${checkpoint(300)}`,
    status: 400,
    size: 10,
  },
  {
    name: '400 for 64 proof lines',
    start: 10,
    body: request(
      10,
      Array.from({ length: 64 }, () => root(1)),
      checkpoint(300),
    ),
    status: 400,
    size: 10,
  },
  { name: '400 without the empty line', start: null, body: 'old 0\n', status: 400 },
  {
    name: '400 for a note without signatures',
    start: null,
    body: request(0, [], formatCheckpointBody(ORIGIN, 10, root(10))),
    status: 400,
  },
  {
    name: '400 for a body that is not UTF-8',
    start: null,
    body: Buffer.concat([Buffer.from('old 0\n\n'), Buffer.from([0xff, 0xfe])]),
    status: 400,
  },
  { name: '400 for old beyond the checkpoint size', start: null, body: request(20, [], checkpoint(10)), status: 400 },
  {
    name: 'refuses to go backwards: old = recorded, smaller checkpoint (400)',
    start: 300,
    body: request(300, [], checkpoint(10)),
    status: 400,
    size: 300,
  },
  {
    name: 'refuses to go backwards: old = the smaller size (409)',
    start: 300,
    body: request(10, [], checkpoint(10)),
    status: 409,
    size: 300,
  },
];

describe('witness add-checkpoint', () => {
  for (const row of rows) {
    it(row.name, async () => {
      const { witness } = await fresh(row.start);
      const before = witness.state();
      const r = await witness.handleAddCheckpoint(row.body);
      assert.equal(r.status, row.status, r.body);
      if (r.status === 200) {
        const body = String(row.body);
        assertCosigned(r, body.slice(body.indexOf('\n\n') + 2)); // the note follows the first empty line
      } else {
        assert.doesNotMatch(r.body, /\u2014/, 'no cosignature on refusal');
        assert.deepEqual(witness.state(), before, 'state unchanged on refusal');
      }
      if (r.status === 409) {
        assert.equal(r.contentType, 'text/x.tlog.size');
        assert.equal(r.body, `${row.start ?? 0}\n`);
      }
      if (row.size !== undefined) assert.equal(witness.state().logs[ORIGIN].size, row.size);
      else if (r.status !== 200) assert.equal(witness.state().logs[ORIGIN], undefined);
    });
  }
});

describe('witness state', () => {
  it('survives a restart: a new witness on the same file remembers size and root', async () => {
    const { witness, stateFile } = await fresh(10);
    assertCosigned(await witness.handleAddCheckpoint(request(10, proof(10, 300), checkpoint(300))), checkpoint(300));
    const again = await createWitness({
      stateFile,
      key: wkey,
      logs: [{ origin: ORIGIN, vkey: log.vkey }],
      now: () => NOW,
    });
    assert.deepEqual(again.state(), witness.state());
    const r = await again.handleAddCheckpoint(request(0, [], checkpoint(500)));
    assert.deepEqual([r.status, r.body], [409, '300\n']);
    assert.equal(
      (await again.handleAddCheckpoint(request(300, [], checkpoint(300, log, ORIGIN, root(301))))).status,
      409,
      'fork at the remembered size',
    );
    assertCosigned(await again.handleAddCheckpoint(request(300, proof(300, 500), checkpoint(500))), checkpoint(500));
  });

  it('is replaced atomically: only the state file remains, valid JSON, mode 0600', async () => {
    const { witness, stateFile, dir } = await fresh(1);
    for (const [m, n] of [
      [1, 2],
      [2, 7],
      [7, 256],
      [256, 257],
    ])
      assert.equal((await witness.handleAddCheckpoint(request(m, proof(m, n), checkpoint(n)))).status, 200);
    assert.equal((await witness.handleAddCheckpoint(request(0, [], checkpoint(10, other, OTHER)))).status, 200);
    assert.deepEqual(await readdir(dir), ['state.json']);
    assert.deepEqual(JSON.parse(await readFile(stateFile, 'utf8')), {
      version: 1,
      logs: {
        [ORIGIN]: { size: 257, root: root(257).toString('base64') },
        [OTHER]: { size: 10, root: root(10).toString('base64') },
      },
    });
    assert.equal((await stat(stateFile)).mode & 0o777, 0o600);
  });

  it('cosigns nothing and keeps its state when the state cannot be written', async () => {
    const { witness, dir } = await fresh(10);
    await rm(dir, { recursive: true });
    await assert.rejects(witness.handleAddCheckpoint(request(10, proof(10, 300), checkpoint(300))), /ENOENT/);
    assert.equal(witness.state().logs[ORIGIN].size, 10);
  });

  it('handles concurrent requests one at a time: two extensions of one size, one wins', async () => {
    const { witness } = await fresh(10);
    const [a, b] = await Promise.all([
      witness.handleAddCheckpoint(request(10, proof(10, 300), checkpoint(300))),
      witness.handleAddCheckpoint(request(10, proof(10, 500), checkpoint(500))),
    ]);
    assert.deepEqual([a.status, b.status, b.body], [200, 409, '300\n']);
  });

  it('refuses a state file of an unknown version or shape', async () => {
    const dir = await tempDir();
    const stateFile = path.join(dir, 'state.json');
    const logs = [{ origin: ORIGIN, vkey: log.vkey }];
    for (const [text, why] of [
      ['{"version":2,"logs":{}}', /version 2/],
      ['{"logs":{}}', /version undefined/],
      ['not json', /not JSON/],
      [`{"version":1,"logs":{"${ORIGIN}":{"size":-1,"root":"${root(1).toString('base64')}"}}}`, /no valid size/],
      [`{"version":1,"logs":{"${ORIGIN}":{"size":1,"root":"AAAA"}}}`, /no valid size/],
    ] as const) {
      await writeFile(stateFile, text);
      await assert.rejects(createWitness({ stateFile, key: wkey, logs }), why);
    }
  });

  it('keeps origins such as __proto__ and constructor as plain entries, across a restart', async () => {
    const stateFile = path.join(await tempDir(), 'state.json');
    const keys = ['__proto__', 'constructor'].map((o) => generateLogKey(o));
    const logs = keys.map((k) => ({ origin: k.vkey.split('+')[0], vkey: k.vkey }));
    const w = await createWitness({ stateFile, key: wkey, logs });
    for (const [i, k] of keys.entries()) {
      const origin = logs[i].origin;
      assert.equal(
        (await w.handleAddCheckpoint(request(0, [], signCheckpoint(origin, 10, root(10), k.privateKey)))).status,
        200,
      );
      assert.equal(
        (await w.handleAddCheckpoint(request(0, [], signCheckpoint(origin, 20, root(20), k.privateKey)))).body,
        '10\n',
      );
    }
    const again = await createWitness({ stateFile, key: wkey, logs });
    assert.deepEqual(Object.keys(again.state().logs).sort(), ['__proto__', 'constructor']);
    assert.equal(
      (await again.handleAddCheckpoint(request(0, [], signCheckpoint('__proto__', 20, root(20), keys[0].privateKey))))
        .body,
      '10\n',
    );
  });

  it('refuses a log key not named as its origin, and a witness key that is not cosignature/v1', async () => {
    const stateFile = path.join(await tempDir(), 'state.json');
    await assert.rejects(
      createWitness({ stateFile, key: wkey, logs: [{ origin: OTHER, vkey: log.vkey }] }),
      /not an Ed25519 \(0x01\) key named/,
    );
    await assert.rejects(createWitness({ stateFile, key: log, logs: [] }), /not a cosignature\/v1/);
  });
});

describe('witnessApp', () => {
  it('serves POST /add-checkpoint with any content type; other paths and methods are 404; big bodies 413', async () => {
    const { witness } = await fresh();
    const app = witnessApp(witness);
    try {
      for (const type of [undefined, 'text/plain', 'application/octet-stream']) {
        const note = checkpoint(10 + (type?.length ?? 0));
        const old = witness.state().logs[ORIGIN]?.size ?? 0;
        const size = Number(note.split('\n')[1]);
        const res = await app.inject({
          method: 'POST',
          url: '/add-checkpoint',
          headers: type ? { 'content-type': type } : {},
          payload: request(old, proof(old, size), note),
        });
        assert.equal(res.statusCode, 200, res.body);
        assert.equal(res.headers['content-type'], 'text/plain; charset=utf-8');
        verifyCosignature(note + res.body, wkey.vkey);
      }
      const conflict = await app.inject({
        method: 'POST',
        url: '/add-checkpoint',
        payload: request(0, [], checkpoint(30)),
      });
      assert.deepEqual(
        [conflict.statusCode, conflict.headers['content-type'], conflict.body],
        [409, 'text/x.tlog.size', '34\n'],
      );
      assert.equal((await app.inject({ method: 'GET', url: '/add-checkpoint' })).statusCode, 404);
      assert.equal((await app.inject({ method: 'POST', url: '/other', payload: 'x' })).statusCode, 404);
      assert.equal(
        (await app.inject({ method: 'POST', url: '/add-checkpoint', payload: Buffer.alloc(2 << 20, 0x61) })).statusCode,
        413,
      );
    } finally {
      await app.close();
    }
  });
});
