import assert from 'node:assert/strict';
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  NoteError,
  TYPE_COSIGNATURE_V1,
  TYPE_ED25519,
  cosign,
  exportPrivateKey,
  formatCheckpointBody,
  formatNote,
  formatVerifierKey,
  generateLogKey,
  generateWitnessKey,
  keyId,
  loadLogKey,
  loadWitnessKey,
  parseCheckpoint,
  parseVerifierKey,
  rawPublicKey,
  signCheckpoint,
  signNote,
  verifyCosignature,
  verifyNote,
  type NoteCheck,
} from './note.ts';

const ORIGIN = 'sujarit.example/ledger';
const log = generateLogKey(ORIGIN);
const witness = generateWitnessKey('witness.example/w1');
const root = Buffer.alloc(32, 7);
const body = formatCheckpointBody(ORIGIN, 1234, root);
const signed = signCheckpoint(ORIGIN, 1234, root, log.privateKey);
const cosigned = signed + cosign(body, 'witness.example/w1', witness.privateKey, 1_700_000_000);

/** Asserts `f` throws a NoteError whose check is `check`. */
function refuses(f: () => unknown, check: NoteCheck, what: string): void {
  assert.throws(f, (e: unknown) => e instanceof NoteError && e.check === check, what);
}

describe('keys', () => {
  it('match the signed-note known answer (Go sumdb/note PeterNeumann key and signature)', () => {
    const seed = Buffer.from('AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz', 'base64').subarray(1);
    const der = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]);
    const privateKey = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
    assert.equal(
      formatVerifierKey('PeterNeumann', rawPublicKey(privateKey)),
      'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW',
    );
    const text =
      "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
    assert.equal(
      signNote(text, { name: 'PeterNeumann', privateKey }),
      '— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n',
    );
  });

  it('derive key IDs from name, type byte and key, and round-trip verifier keys of both types', () => {
    const fixtureLog = parseVerifierKey(
      'example.test/tlog-verify-selftest+bc6ec918+AUiJwYxVitjDlUyY5K+GO2Rkp8M3AHN7NrnbrmBb/3tK',
    );
    assert.equal(fixtureLog.type, TYPE_ED25519);
    assert.equal(keyId(fixtureLog.name, 0x01, fixtureLog.publicKey).toString('hex'), 'bc6ec918');
    const fixtureWitness = parseVerifierKey(
      'witness.example.test/w1+53814b12+BNECg2NYsvBzOLde1xzKx3VD0ud4BxWXC+zKFG+GSjLS',
    );
    assert.equal(fixtureWitness.type, TYPE_COSIGNATURE_V1);
    assert.equal(keyId(fixtureWitness.name, 0x04, fixtureWitness.publicKey).toString('hex'), '53814b12');
    assert.notDeepEqual(keyId('a', 0x01, fixtureLog.publicKey), keyId('a', 0x04, fixtureLog.publicKey));
    for (const [k, name, type] of [
      [log, ORIGIN, 0x01],
      [witness, 'witness.example/w1', 0x04],
    ] as const) {
      const v = parseVerifierKey(k.vkey);
      assert.deepEqual(
        [v.name, v.type, v.publicKey, v.keyId],
        [name, type, k.publicKey, keyId(name, type, k.publicKey)],
      );
      assert.equal(formatVerifierKey(name, k.publicKey, type), k.vkey);
      assert.match(k.vkey, new RegExp(`^${name}\\+[0-9a-f]{8}\\+`));
    }
  });

  it('refuses malformed verifier keys', () => {
    const [name, hex, b64] = [
      ORIGIN,
      log.vkey.split('+')[1],
      log.vkey.slice(log.vkey.indexOf('+', ORIGIN.length + 1) + 1),
    ];
    const raw = Buffer.from(b64, 'base64');
    const other = (type: number): string => Buffer.concat([Buffer.from([type]), raw.subarray(1)]).toString('base64');
    const bad = [
      `${name}+${hex.toUpperCase()}+${b64}`,
      `${name}+${hex.slice(1)}+${b64}`,
      `${name}+00000000+${b64}`,
      `${name}+${hex}+${b64.slice(0, -4)}`,
      `${name}+${hex}+${Buffer.concat([raw, Buffer.from([0])]).toString('base64')}`,
      `${name}+${hex}+${other(0x02)}`,
      `${name}+${hex}+${other(0x04)}`, // the key ID was computed for type 0x01
      `${name}+${hex}+${b64.slice(0, -1)}-`, // base64url is not base64
      `${name}+${hex}+${b64.slice(0, 20)} ${b64.slice(20)}`,
      `${name}+${hex}+${b64}\n`,
      ` ${name}+${hex}+${b64}`,
      `other.example/log+${hex}+${b64}`,
      `+${hex}+${b64}`,
      `a b+${hex}+${b64}`,
      `${name}+${hex}`,
      name,
      '',
    ];
    for (const v of bad) refuses(() => parseVerifierKey(v), 'bad-key', JSON.stringify(v));
  });

  it('generates keys only for valid names, and saves and loads them as PKCS#8 PEM', () => {
    for (const name of ['', 'a b', 'a+b', 'a\tb', 'a\u00a0b', 'a\nb'])
      refuses(() => generateLogKey(name), 'bad-key', JSON.stringify(name));
    const pem = exportPrivateKey(log.privateKey);
    assert.match(pem, /^-----BEGIN PRIVATE KEY-----\n/);
    const again = loadLogKey(pem, ORIGIN);
    assert.deepEqual([again.publicKey, again.vkey], [log.publicKey, log.vkey]);
    assert.equal(loadWitnessKey(exportPrivateKey(witness.privateKey), 'witness.example/w1').vkey, witness.vkey);
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({
      type: 'pkcs8',
      format: 'pem',
    }) as string;
    refuses(() => loadLogKey(ec, ORIGIN), 'bad-key', 'EC key');
    refuses(() => loadLogKey('not a key', ORIGIN), 'bad-key', 'garbage');
  });
});

describe('checkpoints', () => {
  it('are three lines, a blank line and the log signature, which verifies', () => {
    assert.equal(body, `${ORIGIN}\n1234\n${root.toString('base64')}\n`);
    assert.ok(signed.startsWith(`${body}\n— ${ORIGIN} `));
    const cp = verifyNote(signed, log.vkey);
    assert.deepEqual([cp.origin, cp.size, cp.root, cp.extensions, cp.body], [ORIGIN, 1234, root, [], body]);
    assert.equal(cp.signatures.length, 1);
    assert.deepEqual(cp.signatures[0].keyId, parseVerifierKey(log.vkey).keyId);
    assert.equal(cp.signatures[0].sig.length, 64);
    assert.deepEqual(verifyNote(Buffer.from(signed), parseVerifierKey(log.vkey)).root, root);
    assert.equal(verifyNote(signCheckpoint(ORIGIN, 0, root, log.privateKey), log.vkey).size, 0);
  });

  it('ignore signatures by other keys, and carry extension lines', () => {
    const stranger = generateLogKey('stranger.example/x');
    const text = formatNote(body, [
      signNote(body, { name: 'stranger.example/x', privateKey: stranger.privateKey }),
      signNote(body, { name: ORIGIN, privateKey: log.privateKey }),
    ]);
    assert.equal(verifyNote(text, log.vkey).signatures.length, 2);
    const ext = `${body}ext line one\nline two\n`;
    assert.deepEqual(
      verifyNote(formatNote(ext, [signNote(ext, { name: ORIGIN, privateKey: log.privateKey })]), log.vkey).extensions,
      ['ext line one', 'line two'],
    );
  });

  it('fail with evidence: no signature by the key, a bad signature, the wrong origin, a witness key', () => {
    const impostor = generateLogKey(ORIGIN); // same name, other key: its key ID differs, so it is unknown
    refuses(() => verifyNote(signed, impostor.vkey), 'no-signature', 'other key');
    try {
      verifyNote(signed, impostor.vkey);
    } catch (e) {
      assert.ok(e instanceof NoteError);
      assert.deepEqual(e.evidence.found, [`${ORIGIN}+${parseVerifierKey(log.vkey).keyId.toString('hex')}`]);
    }
    const elsewhere = generateLogKey('other.example/ledger');
    refuses(
      () => verifyNote(signCheckpoint('other.example/ledger', 1, root, elsewhere.privateKey), log.vkey),
      'wrong-origin',
      'origin',
    );
    // A signature line with the log's name and key ID whose signature is another body's.
    const otherBody = formatCheckpointBody(ORIGIN, 1235, root);
    refuses(
      () => verifyNote(formatNote(body, [signNote(otherBody, { name: ORIGIN, privateKey: log.privateKey })]), log.vkey),
      'bad-signature',
      'replayed',
    );
    refuses(() => verifyNote(signed, witness.vkey), 'bad-key', 'witness key');
    refuses(() => verifyCosignature(cosigned, log.vkey), 'bad-key', 'log key as witness');
  });

  it('fail when any byte is changed', () => {
    const bytes = Buffer.from(cosigned);
    const [bodyEnd, logLineEnd] = [Buffer.byteLength(body), Buffer.byteLength(signed)];
    for (let i = 0; i < bytes.length; i++) {
      for (const change of [0x01, 0x20, 0x80]) {
        const bad = Buffer.from(bytes);
        bad[i] ^= change;
        // A body byte breaks both signatures; the log's line, the log's; the witness line, the cosignature.
        if (i < logLineEnd) assert.throws(() => verifyNote(bad, log.vkey), NoteError, `byte ${i} ^ ${change}`);
        if (i < bodyEnd || i >= logLineEnd)
          assert.throws(() => verifyCosignature(bad, witness.vkey), NoteError, `byte ${i} ^ ${change}`);
      }
    }
  });

  it('refuse malformed notes', () => {
    const sig = signed.slice(body.length + 1);
    const r = root.toString('base64');
    const table: [string, string | Buffer][] = [
      ['no final newline', signed.slice(0, -1)],
      ['no blank line', body + sig],
      ['no signatures', `${body}\n`],
      ['CRLF', signed.replaceAll('\n', '\r\n')],
      ['tab', signed.replace('\n1234', '\n\t1234')],
      ['leading zero size', signed.replace('\n1234\n', '\n01234\n')],
      ['negative size', signed.replace('\n1234\n', '\n-1\n')],
      ['size beyond 2^53', signed.replace('\n1234\n', '\n9007199254740992\n')],
      ['size with plus', signed.replace('\n1234\n', '\n+1234\n')],
      ['short root', signed.replace(r, Buffer.alloc(31).toString('base64'))],
      ['root without padding', signed.replace(r, r.replace('=', ''))],
      ['root with non-zero padding bits', signed.replace(r, r.replace('c=', 'd='))],
      ['empty origin', signed.replace(ORIGIN, '')],
      ['two body lines', `${ORIGIN}\n1234\n\n${sig}`],
      ['empty line before an extension line', `${body}\next\n\n${sig}`],
      ['hyphen for em dash', signed.replace('— ', '- ')],
      ['two spaces', signed.replace('— ', '—  ')],
      ['no signature text', `${body}\n— ${ORIGIN}\n`],
      ['name with plus', `${body}\n— a+b ${sig.split(' ')[2]}`],
      ['signature under 5 bytes', `${body}\n— ${ORIGIN} AAAAAA==\n`],
      ['signature twice', `${signed}${sig}`],
      ['65 signatures', `${body}\n${Array.from({ length: 65 }, (_, i) => `— k${i} AAAAAAA=\n`).join('')}`],
      [
        'invalid UTF-8',
        Buffer.concat([Buffer.from(signed.slice(0, 5)), Buffer.from([0xff]), Buffer.from(signed.slice(5))]),
      ],
      ['lone surrogate', signed.replace(ORIGIN, `${ORIGIN}\ud800`)],
    ];
    for (const [what, text] of table) {
      refuses(() => parseCheckpoint(text), 'malformed', what);
      refuses(() => verifyNote(text, log.vkey), 'malformed', what);
    }
  });

  it('refuse to format or sign what could not be parsed back', () => {
    refuses(() => formatCheckpointBody('a b', 1, root), 'malformed', 'origin with space');
    refuses(() => formatCheckpointBody('a+b', 1, root), 'malformed', 'origin with plus');
    assert.throws(() => formatCheckpointBody(ORIGIN, -1, root), RangeError);
    assert.throws(() => formatCheckpointBody(ORIGIN, 1, Buffer.alloc(31)), RangeError);
    refuses(() => signNote('no newline', { name: ORIGIN, privateKey: log.privateKey }), 'malformed', 'no newline');
    refuses(() => signNote(body, { name: 'a b', privateKey: log.privateKey }), 'bad-key', 'name');
    refuses(
      () => signNote(body, { name: ORIGIN, privateKey: parseVerifierKey(log.vkey).key }),
      'bad-key',
      'public key',
    );
  });
});

describe('cosignatures (cosignature/v1)', () => {
  it('sign "cosignature/v1\\ntime <ts>\\n" and the body, and verify with the 0x04 key', () => {
    const line = cosign(body, 'witness.example/w1', witness.privateKey, 1_700_000_000);
    const raw = Buffer.from(line.trim().split(' ')[2], 'base64');
    assert.equal(raw.length, 4 + 8 + 64);
    assert.deepEqual(raw.subarray(0, 4), keyId('witness.example/w1', 0x04, witness.publicKey));
    assert.equal(raw.readBigUInt64BE(4), 1_700_000_000n);
    const { timestamp, checkpoint } = verifyCosignature(cosigned, witness.vkey);
    assert.equal(timestamp, 1_700_000_000);
    assert.equal(checkpoint.size, 1234);
    assert.equal(verifyNote(cosigned, log.vkey).signatures.length, 2); // the log's check ignores the witness
    assert.equal(
      verifyCosignature(signed + cosign(body, 'witness.example/w1', witness.privateKey, 0), witness.vkey).timestamp,
      0,
    );
  });

  it('fail without a cosignature, with another witness key, or with a changed timestamp', () => {
    refuses(() => verifyCosignature(signed, witness.vkey), 'no-signature', 'missing');
    refuses(
      () => verifyCosignature(cosigned, generateWitnessKey('witness.example/w1').vkey),
      'no-signature',
      'other key',
    );
    const line = cosign(body, 'witness.example/w1', witness.privateKey, 1_700_000_000);
    const raw = Buffer.from(line.trim().split(' ')[2], 'base64');
    raw.writeBigUInt64BE(1_700_000_001n, 4);
    refuses(
      () => verifyCosignature(`${signed}— witness.example/w1 ${raw.toString('base64')}\n`, witness.vkey),
      'bad-signature',
      'timestamp',
    );
    raw.writeBigUInt64BE(2n ** 63n, 4);
    refuses(
      () => verifyCosignature(`${signed}— witness.example/w1 ${raw.toString('base64')}\n`, witness.vkey),
      'bad-signature',
      'timestamp ≥ 2^63',
    );
    // A log-style (0x01) signature by the witness key does not count as a cosignature.
    const plain = signNote(body, { name: 'witness.example/w1', privateKey: witness.privateKey });
    refuses(() => verifyCosignature(signed + plain, witness.vkey), 'no-signature', 'type 0x01 line');
    assert.throws(() => cosign(body, 'witness.example/w1', witness.privateKey, -1), RangeError);
    refuses(() => cosign('not a checkpoint\n', 'witness.example/w1', witness.privateKey, 1), 'malformed', 'body');
  });
});
