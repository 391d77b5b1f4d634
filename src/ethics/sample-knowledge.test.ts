// The shipped sample knowledge base is checked as it is read: unique keys, lengths within the
// service's limits, a place for every wording, and "confirmed" only against an issuing body's own
// address. Forged samples (a confirmation from a copy, a look-alike host, duplicates, oversized
// text) are refused.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { QA_LIMITS } from './qa-limits.ts';
import { isOfficialAddress, type SampleDocument, sampleDocuments, sampleProblems } from './sample-knowledge.ts';

const passage = (over: Record<string, unknown> = {}) => ({
  key: 'p1',
  label: 'มาตรา 1',
  text: 'ข้อความ',
  foundAt: 'https://example.org/copy',
  confirmed: false,
  ...over,
});
const doc = (passages: ReturnType<typeof passage>[], over: Record<string, unknown> = {}) =>
  ({ key: 'd1', kind: 'regulation', title: 'ชื่อ', citation: 'อ้างอิง', url: '', passages, ...over }) as SampleDocument;

describe('the shipped sample', () => {
  it('has no problem, and every section 5 standard and the NACC gift criteria are there', () => {
    const docs = sampleDocuments();
    assert.deepEqual(sampleProblems(docs), []);
    const keys = new Set(docs.flatMap((d) => d.passages.map((p) => p.key)));
    for (const n of [1, 2, 3, 4, 5, 6, 7]) assert.ok(keys.has(`sea2562-s5-${n}`), `section 5 (${n})`);
    for (const k of ['nacc2563-relatives', 'nacc2563-3000', 'nacc2563-report']) assert.ok(keys.has(k), k);
  });

  it('marks nothing confirmed that was not compared with an issuing body’s publication', () => {
    for (const p of sampleDocuments().flatMap((d) => d.passages)) {
      if (p.confirmed) assert.ok(p.confirmedAt && isOfficialAddress(p.confirmedAt), p.key);
      else assert.equal(p.confirmedAt, undefined, p.key);
    }
  });
});

describe('a forged or broken sample', () => {
  it('is refused when a passage claims confirmation without the official address it was compared with', () => {
    assert.match(sampleProblems([doc([passage({ confirmed: true })])]).join(), /confirmed without confirmedAt/);
    assert.match(
      sampleProblems([doc([passage({ confirmedAt: 'https://www.ratchakitcha.soc.go.th/x.pdf' })])]).join(),
      /confirmed without confirmedAt/,
    );
  });

  it('is refused when the confirmation is a copy, a look-alike host or not https', () => {
    for (const at of [
      'https://www.scribd.com/document/605568944/T-0001-11',
      'https://anyflip.com/gupmp/azbq/basic',
      'https://nacc.go.th.evil.example/notice',
      'https://evilnacc.go.th/notice',
      'http://www.ratchakitcha.soc.go.th/DATA/PDF/2562/A/050/T_0001.PDF',
      'javascript:alert(1)',
      'not a url',
    ])
      assert.match(
        sampleProblems([doc([passage({ confirmed: true, confirmedAt: at })])]).join(),
        /not an issuing body/,
        at,
      );
    assert.deepEqual(
      sampleProblems([doc([passage({ confirmed: true, confirmedAt: 'https://www.ratchakitcha.soc.go.th/x.pdf' })])]),
      [],
    );
    assert.ok(isOfficialAddress('https://searchlaw.ocs.go.th/x'));
  });

  it('is refused with duplicate keys, an unknown kind, no place read, a bad second source or oversized text', () => {
    const problems = sampleProblems([
      doc([passage(), passage({ key: 'd1' })]),
      doc([passage({ key: 'p2', foundAt: '' })], { key: 'd2', kind: 'gossip' }),
      doc([passage({ key: 'p3', alsoSeenAt: ['<script>'] })], { key: 'd3' }),
      doc([passage({ key: 'p4', text: 'ก'.repeat(QA_LIMITS.passage + 1) })], { key: 'd4', title: 'x'.repeat(301) }),
      doc([], { key: 'd5' }),
      doc([passage({ key: 'p6', foundAt: `https://example.org/${'a'.repeat(QA_LIMITS.url)}` })], { key: 'd6' }),
    ]).join('\n');
    for (const re of [
      /d1: duplicate key/,
      /d2: unknown kind gossip/,
      /p2: no foundAt/,
      /p3: alsoSeenAt <script> is not an address/,
      /p4: text over 8000/,
      /d4: title, citation or url over the limits/,
      /d5: passage count/,
      /p6: label or foundAt over the limits/,
    ])
      assert.match(problems, re);
  });
});
