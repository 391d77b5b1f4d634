import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestApp, seedAgency, seedRecipient, type TestApp } from '../../test/support/app.ts';
import { csrfOf, get, newJar, postForm, postMultipart, receiptOf } from '../../test/support/web.ts';
import { contentDigest } from './events.ts';
import { generateLogKey } from './note.ts';
import { verifyCertificate, type FilingCertificate } from './certificate.ts';

describe('filing certificate', () => {
  let t: TestApp;
  let cert: FilingCertificate;
  let receipt = '';
  const content = { what: 'ผู้อำนวยการรับเงินใต้โต๊ะ', when: '1 พ.ย.', where: 'ห้องประชุม', who: 'ผอ.' };
  before(async () => {
    t = await createTestApp();
    await seedAgency(t.db, 'OPDC');
    await seedRecipient(t.db, 'OPDC', 'officer@opdc.example');
  });
  after(() => t.close());

  it('is pending until the entry is in a signed checkpoint, then downloads from the receipt page', async () => {
    const jar = newJar();
    const form = await get(t.app, jar, '/report');
    const res = await postMultipart(t.app, jar, '/report', {
      _csrf: csrfOf(form.body),
      agency: 'OPDC',
      category: 'bribery',
      ...content,
    });
    assert.equal(res.statusCode, 200);
    receipt = receiptOf(res.body);
    const early = await postForm(t.app, jar, '/report/certificate', { _csrf: csrfOf(res.body), receipt });
    assert.equal(early.statusCode, 409);
    assert.match(early.body, /ยังไม่พร้อม/);
    await t.sequence();
    const done = await postForm(t.app, jar, '/report/certificate', {
      _csrf: csrfOf(res.body),
      receipt,
      format: 'json',
    });
    assert.equal(done.statusCode, 200, done.body);
    assert.equal(done.headers['content-disposition'], 'attachment; filename="sujarit-certificate.json"');
    assert.equal(done.headers['cache-control'], 'no-store');
    cert = JSON.parse(done.body) as FilingCertificate;
    assert.ok(!done.body.includes(content.what), 'no content in the certificate');
    const { reference } = await t.db.selectFrom('report_case').select('reference').executeTakeFirstOrThrow();
    assert.ok(!done.body.includes(reference) && !done.body.includes('OPDC-'), 'no reference in the certificate');
  });

  it('verifies offline with the log key and commits to the content digest and minute', () => {
    const v = verifyCertificate(cert, t.ledgerKey.vkey);
    assert.equal(v.contentDigest, contentDigest(content, []).toString('hex'));
    assert.equal(new Date(v.filedAt).getUTCSeconds(), 0);
    assert.equal(v.index, 0);
  });

  it('is also on the follow-up page after a receipt login, and still verifies as the log grows', async () => {
    for (let i = 0; i < 300; i++)
      await t.db
        .insertInto('ledger_outbox')
        .values({ entry: Buffer.from(`filler ${i}`) })
        .execute();
    await t.sequence();
    const jar = newJar();
    const login = await get(t.app, jar, '/followup');
    assert.equal((await postForm(t.app, jar, '/followup', { _csrf: csrfOf(login.body), receipt })).statusCode, 303);
    const page = await get(t.app, jar, '/followup/case');
    assert.match(page.body, /href="\/followup\/case\/certificate"/);
    assert.match(page.body, /href="\/followup\/case\/certificate\.json"/);
    const res = await get(t.app, jar, '/followup/case/certificate.json');
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-disposition'], 'attachment; filename="sujarit-certificate.json"');
    const later = JSON.parse(res.body) as FilingCertificate;
    const v = verifyCertificate(later, t.ledgerKey.vkey);
    const state = await t.db.selectFrom('ledger_state').select('signed_size').executeTakeFirstOrThrow();
    assert.ok(v.size > 300, `size ${v.size}`);
    assert.equal(v.size, Number(state.signed_size), 'against the latest signed checkpoint');
    assert.equal(v.contentDigest, verifyCertificate(cert, t.ledgerKey.vkey).contentDigest);
    assert.equal(
      (await get(t.app, newJar(), '/followup/case/certificate')).statusCode,
      303,
      'no session, no certificate',
    );
  });

  it('fails when any byte of it is altered, or with another key', () => {
    const text = JSON.stringify(cert);
    assert.throws(() => verifyCertificate(cert, generateLogKey(cert.log.origin).vkey));
    const fields: (keyof FilingCertificate)[] = ['entry', 'checkpoint', 'contentDigest', 'filedAt', 'index', 'format'];
    for (const f of fields) {
      const bad = JSON.parse(text) as Record<string, unknown>;
      const v = bad[f];
      bad[f] =
        typeof v === 'number'
          ? v + 1
          : typeof v === 'string'
            ? v.slice(0, 10) + (v[10] === 'A' ? 'B' : 'A') + v.slice(11)
            : v;
      assert.throws(() => verifyCertificate(bad, t.ledgerKey.vkey), `altered ${f}`);
    }
    const badProof = JSON.parse(text) as FilingCertificate;
    badProof.opening = { ...badProof.opening, detailSalt: Buffer.alloc(32).toString('base64') };
    assert.throws(() => verifyCertificate(badProof, t.ledgerKey.vkey), /opening/);
  });
});
