// Search with the key ring (key-ring.ts): on a fixed corpus, the first search (every key opened from
// its sealed box) and the next ones (keys from the ring) give exactly what the search gave before
// the ring, computed here the old way (sealed box, node:crypto, the same matching and order). Ring
// entries are ciphertext, and one that is damaged, moved to another row or another person, or left
// behind by a re-sealed box is ignored and written again.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createTestDatabase, type TestDatabase } from '../../test/support/db.ts';
import { CHEAP_KDF, seedAgency, seedStaff, signedInActor } from '../../test/support/app.ts';
import { aeadKey, openJson } from '../crypto/aead.ts';
import { openSealed, sealTo } from '../crypto/sealed-box.ts';
import { translator } from '../i18n/messages.ts';
import { contentAad, messageAad } from '../intake/case-keys.ts';
import { newDraft, submitReport } from '../intake/submit-report.ts';
import { validateReport } from '../intake/validate-report.ts';
import type { StaffActor } from '../staff/session.ts';
import { openFromRing, ringKeyOf } from './key-ring.ts';
import { openCaseKeys } from './open-case.ts';
import { postCaseMessage } from './post-case-message.ts';
import { searchCases } from './search.ts';
import { matchTexts, queryWords, snippetAt } from './search-text.ts';

const WHAT = [
  'เจ้าหน้าที่จัดซื้อจัดจ้างของเทศบาลเรียกรับเงินจากผู้รับเหมา 50,000 บาท',
  'The procurement officer asked the Contractor for an invoice of 200,000 baht.',
  'นายสมชาย ใจดี ใช้รถราชการไปธุระส่วนตัวทุกสุดสัปดาห์',
  'ผู้รับเหมาติดตั้งไฟส่องสว่างพลังงานแสงอาทิตย์ไม่ครบตามสัญญา',
  'สินบน สินบน และสินบนอีกครั้งที่ลานจอดรถ',
  'Bribe paid at the district office; the contractor kept the receipt.',
];
const MESSAGES = ['ขอเลขที่ใบแจ้งหนี้ด้วยครับ', 'Please send the invoice number.', 'ผู้รับเหมารายเดิมได้งานอีกแล้ว'];
const NOTES = ['บันทึกภายใน: ตรวจสอบบัญชีธนาคารของภรรยา', 'Internal: ask the legal department (ฝ่ายกฎหมาย)'];
const QUERIES = ['จัดซื้อ', 'ผู้รับเหมา', 'contractor invoice', 'สมชาย', 'ฝ่ายกฎหมาย', 'บัญชีธนาคาร ภรรยา', 'สินบน', 'ไม่มีคำนี้'];
const CATEGORIES = ['procurement_fraud', 'abuse_of_authority'];
const TH = translator('th');
const EN = translator('en');

type Shown = { reference: string; snippet: string };

describe('search with the key ring', () => {
  let t: TestDatabase;
  let me: StaffActor;
  let colleague: StaffActor;

  /** The search as it was before the ring: every key from its sealed box, node:crypto, same matching and order. */
  async function reference(actor: StaffActor, query: string): Promise<Shown[]> {
    const words = queryWords(query);
    const rows = await t.db
      .selectFrom('case_key as k')
      .innerJoin('report_case as c', 'c.id', 'k.case_id')
      .leftJoin('case_key as tk', (j) =>
        j.onRef('tk.case_id', '=', 'k.case_id').on('tk.user_id', '=', actor.id).on('tk.purpose', '=', 'team'),
      )
      .select(['c.id', 'c.reference', 'c.number', 'c.category', 'c.created_at', 'c.content', 'k.sealed_key'])
      .select('tk.sealed_key as team_key')
      .where('k.user_id', '=', actor.id)
      .where('k.purpose', '=', 'content')
      .execute();
    const found: (Shown & { hits: number; at: number; number: number })[] = [];
    for (const r of rows) {
      const key = aeadKey(openSealed(actor.keys, r.sealed_key));
      const c = openJson<Record<'what' | 'when' | 'where' | 'who', string>>(key, r.content, contentAad(r.id));
      const texts = [c.what, c.when, c.where, c.who];
      const messages = await t.db
        .selectFrom('case_message')
        .select(['id', 'thread', 'body'])
        .where('case_id', '=', r.id)
        .where('thread', 'in', ['reporter', 'internal'])
        .orderBy('number')
        .execute();
      for (const m of messages.filter((m) => m.thread === 'reporter'))
        texts.push(openJson<{ text: string }>(key, m.body, messageAad(r.id, m.id)).text);
      const notes = messages.filter((m) => m.thread === 'internal');
      if (notes.length > 0 && r.team_key) {
        const team = aeadKey(openSealed(actor.keys, r.team_key));
        for (const m of notes) texts.push(openJson<{ text: string }>(team, m.body, messageAad(r.id, m.id)).text);
      }
      texts.push(`${TH(`category.${r.category}`)} ${EN(`category.${r.category}`)}`);
      const m = matchTexts(words, texts);
      if (m)
        found.push({
          reference: r.reference,
          snippet: snippetAt(texts, m.first),
          hits: m.hits,
          at: r.created_at.getTime(),
          number: r.number,
        });
    }
    found.sort((a, b) => b.hits - a.hits || b.at - a.at || b.number - a.number);
    return found.map(({ reference, snippet }) => ({ reference, snippet }));
  }

  const search = async (actor: StaffActor, query: string): Promise<Shown[]> =>
    (await searchCases({ db: t.db, actor, query, limit: 200 })).items.map(({ reference, snippet }) => ({
      reference,
      snippet,
    }));
  const rings = (userId: number) =>
    t.db
      .selectFrom('case_key')
      .select(['case_id', 'purpose', 'sealed_key', 'ring_key'])
      .where('user_id', '=', userId)
      .orderBy('case_id')
      .orderBy('purpose')
      .execute();

  before(async () => {
    t = await createTestDatabase(4);
    await seedAgency(t.db, 'OPDC');
    await seedStaff(t.db, 'OPDC', 'me@opdc.example', ['intake_officer']);
    await seedStaff(t.db, 'OPDC', 'colleague@opdc.example', ['intake_officer']);
    me = await signedInActor(t.db, 'me@opdc.example');
    colleague = await signedInActor(t.db, 'colleague@opdc.example');
    const salt = randomBytes(16);
    // 24 cases: every report text four times, messages in two of three, notes in one of four.
    for (let i = 0; i < 24; i++) {
      const done = await submitReport({
        db: t.db,
        kdf: CHEAP_KDF,
        receiptSalt: salt,
        draft: newDraft(),
        input: validateReport({
          agency: 'OPDC',
          category: CATEGORIES[i % 2],
          what: WHAT[i % WHAT.length],
          when: 'มีนาคม 2569',
          where: i % 3 === 0 ? 'สำนักงานเขต' : 'ที่ว่าการอำเภอ',
          who: 'หัวหน้าฝ่ายพัสดุ',
        }),
        files: [],
        channel: 'web',
      });
      if (i % 3 === 2 && i % 4 !== 0) continue;
      const opened = await openCaseKeys({ db: t.db, actor: me, reference: done.reference, purpose: 'note_posted' });
      if (i % 3 !== 2)
        await postCaseMessage({ db: t.db, actor: me, opened, text: MESSAGES[i % MESSAGES.length], files: [] });
      if (i % 4 === 0)
        await postCaseMessage({
          db: t.db,
          actor: me,
          opened,
          text: NOTES[i % NOTES.length],
          files: [],
          internal: true,
        });
    }
  });
  after(() => t.drop());

  it('finds what the search found before, on the first search and from the ring after', async () => {
    const expected = await Promise.all(QUERIES.map((q) => reference(me, q)));
    assert.ok(expected.filter((e) => e.length > 0).length >= 6, 'the corpus answers most queries');
    assert.ok(
      (await rings(me.id)).every((r) => r.ring_key === null),
      'no ring before the first search',
    );
    assert.deepEqual(await search(me, QUERIES[0]), expected[0], 'first search, from the sealed boxes');
    const written = await rings(me.id);
    const noted = new Set(
      (await t.db.selectFrom('case_message').select('case_id').where('thread', '=', 'internal').execute()).map(
        (m) => m.case_id,
      ),
    );
    // Every content key; a team key only where there are notes to read (otherwise it is never opened).
    const opened = written.filter((r) => r.purpose === 'content' || noted.has(r.case_id));
    assert.equal(opened.length, 24 + noted.size);
    assert.ok(
      written.every((r) => (r.ring_key !== null) === opened.includes(r)),
      'a ring entry for each key opened, none other',
    );
    for (const r of opened) {
      assert.ok(r.ring_key, `${r.purpose} key of ${r.case_id} in the ring`);
      const key = openSealed(me.keys, r.sealed_key);
      assert.ok(!r.ring_key.includes(key), 'the ring holds no key in the clear');
      const ringKey = ringKeyOf(me.keys.privateKey);
      const slot = { caseId: r.case_id, userId: me.id, purpose: r.purpose, sealedKey: r.sealed_key };
      assert.deepEqual(openFromRing(ringKey, slot, r.ring_key), key);
      assert.equal(openFromRing(ringKeyOf(colleague.keys.privateKey), slot, r.ring_key), null, 'not with another key');
      assert.equal(openFromRing(ringKey, { ...slot, userId: colleague.id }, r.ring_key), null, 'not in another row');
    }
    for (const [i, q] of QUERIES.entries()) {
      assert.deepEqual(await search(me, q), expected[i], q);
      // Fewer shown than found: each worker cuts snippets for its best only; the best of all are among them.
      for (const limit of [1, 3]) {
        const r = await searchCases({ db: t.db, actor: me, query: q, limit });
        assert.deepEqual(
          r.items.map(({ reference, snippet }) => ({ reference, snippet })),
          expected[i].slice(0, limit),
          `${q}, limit ${limit}`,
        );
        assert.equal(r.total, expected[i].length);
      }
    }
    assert.deepEqual(await rings(me.id), written, 'searches from the ring write nothing');
  });

  it('ignores a damaged, moved, foreign or stale ring entry, finds the same, and writes the entry again', async () => {
    await search(me, QUERIES[0]);
    const before = await rings(me.id);
    const content = before.filter((r) => r.purpose === 'content');
    const [damaged, moved, stale] = content;
    const set = (caseId: string, purpose: string, values: { ring_key?: Buffer | null; sealed_key?: Buffer }) =>
      t.db
        .updateTable('case_key')
        .set(values)
        .where('case_id', '=', caseId)
        .where('user_id', '=', me.id)
        .where('purpose', '=', purpose as 'content')
        .execute();
    const flipped = Buffer.from(damaged.ring_key as Buffer);
    flipped[20] ^= 1;
    await set(damaged.case_id, 'content', { ring_key: flipped });
    await set(moved.case_id, 'content', { ring_key: content[3].ring_key });
    // The box sealed anew (same key, new ephemeral key): the old entry names the old box.
    const key = openSealed(me.keys, stale.sealed_key);
    await set(stale.case_id, 'content', { sealed_key: sealTo(me.keys.publicKey, key) });
    // My entry copied into the colleague's row of the same case.
    await t.db
      .updateTable('case_key')
      .set({ ring_key: content[4].ring_key })
      .where('case_id', '=', content[4].case_id)
      .where('user_id', '=', colleague.id)
      .where('purpose', '=', 'content')
      .execute();
    for (const q of QUERIES) {
      assert.deepEqual(await search(me, q), await reference(me, q), q);
      assert.deepEqual(await search(colleague, q), await reference(colleague, q), `colleague: ${q}`);
    }
    assert.equal((await rings(me.id)).filter((r) => r.purpose === 'content' && r.ring_key !== null).length, 24);
    const ringKey = ringKeyOf(me.keys.privateKey);
    for (const r of (await rings(me.id)).filter((r) => r.ring_key !== null)) {
      const slot = { caseId: r.case_id, userId: me.id, purpose: r.purpose, sealedKey: r.sealed_key };
      assert.deepEqual(openFromRing(ringKey, slot, r.ring_key as Buffer), openSealed(me.keys, r.sealed_key), r.case_id);
    }
  });
});
