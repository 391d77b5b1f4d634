// The public ledger's page (/log) through HTTP: what the ledger holds and how far it has grown, in
// Thai and English, linked from every reporter-side footer; the witnesses read from the signed note.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { appendToOutbox } from '../../../test/support/ledger.ts';
import { get, newJar } from '../../../test/support/web.ts';
import { signersOf } from './log-routes.ts';

describe('the public ledger page', () => {
  let h: TestApp;
  before(async () => {
    h = await createTestApp();
  });
  after(async () => {
    await h?.close();
  });

  it('shows in Thai how many entries are signed, the ledger name and the verifier key, and grows with the log', async () => {
    const first = await get(h.app, newJar(), '/log');
    assert.equal(first.statusCode, 200);
    assert.match(first.body, /<html lang="th">/);
    assert.match(first.body, /<h1>บัญชีสาธารณะ/);
    const vkey = (await h.app.inject({ url: '/log/vkey' })).body.trim();
    assert.ok(first.body.includes(vkey), 'the verifier key is on the page');
    const origin = vkey.split('+')[0] as string;
    assert.ok(first.body.includes(`<code class="wrap">${origin}</code>`), 'the ledger name');
    await appendToOutbox(
      h.db,
      Array.from({ length: 1234 }, (_, i) => Buffer.from(`entry ${i}`)),
    );
    await h.sequence();
    const grown = await get(h.app, newJar(), '/log');
    const size = /จำนวนรายการที่ลงนามแล้ว<\/dt><dd>([^<]+)<\/dd>/.exec(grown.body)?.[1];
    assert.equal(size, '1,234');
    const note = (await h.app.inject({ url: '/log/checkpoint' })).body;
    assert.ok(grown.body.includes(note.split('\n')[1] as string), 'the signed checkpoint is shown');
    assert.match(grown.body, /ยังไม่มี \(ตั้งค่าผู้รับรองได้ด้วย SUJARIT_LEDGER_WITNESSES\)/);
    assert.match(grown.body, /href="\/log\/checkpoint"/);
    assert.match(grown.body, /href="\/data\/ledger-checkpoints"/);
    assert.match(grown.body, /href="\/verify-certificate"/);
  });

  it('reads in English, and every reporter-side page links it from the footer', async () => {
    const en = await get(h.app, newJar(), '/log?lang=en');
    assert.equal(en.statusCode, 200);
    assert.match(en.body, /<h1>Public ledger/);
    assert.match(en.body, /Entries signed/);
    for (const url of ['/', '/report', '/complaint', '/followup', '/privacy', '/log']) {
      const res = await get(h.app, newJar(), url);
      assert.match(res.body, /<footer class="foot">.*<a href="\/log">บัญชีสาธารณะ<\/a>/s, url);
    }
  });

  it('keeps the machine-readable addresses as they were: /log/ and unknown paths under it are 404', async () => {
    for (const url of ['/log/', '/log/nothing', '/log/tile/0/x']) {
      const res = await h.app.inject({ url });
      assert.equal(res.statusCode, 404, url);
    }
    assert.equal((await h.app.inject({ url: '/log/checkpoint' })).headers['content-type'], 'text/plain; charset=utf-8');
  });

  it('names the witnesses of a note apart from the log, and nothing from a malformed note', () => {
    const note = [
      'ledger.example/log',
      '5',
      'aGFzaA==',
      '',
      '— ledger.example/log AAAA',
      '— w1.example/w BBBB',
      '— w2.example/w CCCC',
      '',
    ].join('\n');
    assert.deepEqual(signersOf(note), { witnesses: ['w1.example/w', 'w2.example/w'] });
    assert.deepEqual(signersOf('no blank line at all'), { witnesses: [] });
    assert.deepEqual(signersOf('origin\n\n<script>alert(1)</script>'), { witnesses: [] });
  });
});
