import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { createTestDatabase, type TestDatabase } from '../../test/support/db.ts';
import { CHEAP_KDF, seedAgency, seedStaff, signedInActor } from '../../test/support/app.ts';
import { verifyAuditChain } from '../ledger/anchor-audit.ts';
import { isAppError } from '../errors.ts';
import { newDraft, submitReport } from '../intake/submit-report.ts';
import { validateReport } from '../intake/validate-report.ts';
import type { StaffActor } from '../staff/session.ts';
import { openCaseKeys } from './open-case.ts';
import { postCaseMessage } from './post-case-message.ts';
import { searchCases } from './search.ts';
import { matchTexts, MAX_QUERY_CHARS, queryWords, SNIPPET_CHARS, snippetAt } from './search-text.ts';

const run = promisify(execFile);

describe('queryWords and matchTexts', () => {
  it('segments Thai and lower-cases, each word once', () => {
    assert.deepEqual(queryWords('  จัดซื้อ  '), ['จัด', 'ซื้อ']);
    assert.deepEqual(queryWords('Contractor, CONTRACTOR!'), ['contractor']);
  });

  it('refuses an empty, blank, word-less or too long query', () => {
    for (const q of ['', '   ', '!!! ...', 'ก'.repeat(MAX_QUERY_CHARS + 1), undefined]) {
      assert.throws(
        () => queryWords(q),
        (e) => isAppError(e) && e.code === 'invalid_input',
        String(q).slice(0, 20),
      );
    }
    assert.doesNotThrow(() => queryWords('ก'.repeat(MAX_QUERY_CHARS)));
  });

  const cases: { name: string; query: string; texts: string[]; hits: number | null }[] = [
    { name: 'a Thai compound by its first part', query: 'จัดซื้อ', texts: ['โครงการจัดซื้อจัดจ้างของเทศบาล'], hits: 3 }, // จัด ×2, ซื้อ ×1
    { name: 'a word prefix', query: 'contract', texts: ['The Contractor paid.'], hits: 1 },
    { name: 'not inside a word', query: 'tractor', texts: ['the contractor'], hits: null },
    { name: 'every word, across texts', query: 'สมชาย bribe', texts: ['นายสมชาย ใจดี', 'asked for a bribe'], hits: 2 },
    { name: 'one word missing', query: 'สมชาย ถนน', texts: ['นายสมชาย ใจดี'], hits: null },
    { name: 'a different normalization form', query: 'café', texts: ['cafe\u0301 owner'], hits: 1 },
  ];
  for (const c of cases) {
    it(`matches ${c.name}`, () => {
      assert.equal(matchTexts(queryWords(c.query), c.texts)?.hits ?? null, c.hits);
    });
  }

  it('cuts a snippet of at most 160 characters around the first hit', () => {
    const long = `${'ก่อนหน้า '.repeat(40)}เรียกรับสินบนจากผู้รับเหมา${' ต่อจากนั้น'.repeat(40)}`;
    const m = matchTexts(queryWords('สินบน'), ['ไม่เกี่ยว', long])!;
    const s = snippetAt(['ไม่เกี่ยว', long], m.first);
    assert.ok(s.length <= SNIPPET_CHARS, `${s.length}`);
    assert.match(s, /^….*สินบน.*…$/);
    assert.doesNotMatch(s, /^…[\u0E31\u0E34-\u0E3A\u0E47-\u0E4E]/, 'never starts with a Thai combining mark');
    assert.equal(snippetAt(['short\n\ntext'], { text: 0, at: 0, length: 5 }), 'short text');
  });
});

describe('searchCases', () => {
  let t: TestDatabase;
  let me: StaffActor;
  let colleague: StaffActor;
  const salt = randomBytes(16);
  const refs: Record<string, string> = {};

  const actor = (email: string) => signedInActor(t.db, email);
  // Abuse of authority: a category whose names no search below looks for (names are searched too).
  const file = async (name: string, agency: string, what: string, category = 'abuse_of_authority') => {
    const done = await submitReport({
      db: t.db,
      kdf: CHEAP_KDF,
      receiptSalt: salt,
      draft: newDraft(),
      input: validateReport({
        agency,
        category,
        what,
        when: 'มีนาคม 2569',
        where: 'สำนักงานเขต',
        who: 'หัวหน้าฝ่ายพัสดุ',
      }),
      files: [],
      channel: 'web',
    });
    refs[name] = done.reference;
  };
  const search = (query: string, who = me) => searchCases({ db: t.db, actor: who, query });

  before(async () => {
    t = await createTestDatabase(4);
    await seedAgency(t.db, 'OPDC');
    await seedAgency(t.db, 'NACC');
    await seedStaff(t.db, 'OPDC', 'colleague@opdc.example', ['intake_officer']);
    await seedStaff(t.db, 'NACC', 'nacc@nacc.example', ['intake_officer']);
    // Filed before `me` joined: same agency, never sealed to me.
    await file('before', 'OPDC', 'เจ้าหน้าที่จัดซื้อจัดจ้างรับสินบน ป่าสงวน');
    await file('nacc', 'NACC', 'เจ้าหน้าที่จัดซื้อจัดจ้างรับสินบน ป่าสงวน');
    await seedStaff(t.db, 'OPDC', 'me@opdc.example', ['intake_officer']);
    await file('procurement', 'OPDC', 'เจ้าหน้าที่จัดซื้อจัดจ้างของหน่วยงานเรียกรับเงินจากผู้รับเหมา', 'procurement_fraud');
    await file('english', 'OPDC', 'The procurement officer asked the Contractor for 200,000 baht.');
    await file('bribe1', 'OPDC', 'สินบน ครั้งเดียว');
    await file('bribe3', 'OPDC', 'สินบน สินบน และสินบนอีก');
    await file('bribe1b', 'OPDC', 'สินบน อีกเรื่องหนึ่ง');
    me = await actor('me@opdc.example');
    colleague = await actor('colleague@opdc.example');
    const opened = await openCaseKeys({ db: t.db, actor: me, reference: refs.english, purpose: 'note_posted' });
    await postCaseMessage({
      db: t.db,
      actor: me,
      opened,
      text: 'บันทึกภายใน: ตรวจสอบบัญชีธนาคารของนายสมปอง',
      files: [],
      internal: true,
    });
    await postCaseMessage({ db: t.db, actor: me, opened, text: 'Please send the invoice number.', files: [] });
  });
  after(() => t.drop());

  it('finds a case by its category’s names, in Thai and in English, the text first in the snippet', async () => {
    for (const [query, snippet] of [
      ['ทุจริต', 'การทุจริตจัดซื้อจัดจ้าง Procurement fraud'],
      ['fraud', 'การทุจริตจัดซื้อจัดจ้าง Procurement fraud'],
    ]) {
      const r = await search(query);
      assert.deepEqual(
        r.items.map((i) => [i.reference, i.snippet]),
        [[refs.procurement, snippet]],
        query,
      );
    }
    const both = await search('จัดจ้าง');
    assert.match(both.items[0].snippet, /^เจ้าหน้าที่จัดซื้อจัดจ้าง/, 'a match in the report is quoted, not the category');
  });

  it('finds Thai text by part of a compound, with a snippet', async () => {
    const r = await search('จัดซื้อ');
    assert.deepEqual(
      r.items.map((i) => i.reference),
      [refs.procurement],
    );
    assert.match(r.items[0].snippet, /จัดซื้อจัดจ้าง/);
    assert.equal(r.items[0].category, 'procurement_fraud');
    assert.equal(r.total, 1);
    assert.equal(r.scanned, 5);
  });

  it('finds English regardless of case, by word prefix', async () => {
    assert.deepEqual(
      (await search('CONTRACT')).items.map((i) => i.reference),
      [refs.english],
    );
    assert.deepEqual((await search('tractor')).items, []);
  });

  it('searches the reporter thread and internal notes', async () => {
    assert.deepEqual(
      (await search('invoice')).items.map((i) => i.reference),
      [refs.english],
    );
    const note = await search('สมปอง');
    assert.deepEqual(
      note.items.map((i) => i.reference),
      [refs.english],
    );
    assert.match(note.items[0].snippet, /สมปอง/);
  });

  it('ranks by hits, then newest', async () => {
    assert.deepEqual(
      (await search('สินบน')).items.map((i) => i.reference),
      [refs.bribe3, refs.bribe1b, refs.bribe1],
    );
    const first = await searchCases({ db: t.db, actor: me, query: 'สินบน', limit: 1 });
    assert.deepEqual([first.items.map((i) => i.reference), first.total], [[refs.bribe3], 3]);
  });

  it('never returns a case not sealed to the actor, in another agency or the same one', async () => {
    const r = await search('ป่าสงวน');
    assert.deepEqual(r.items, []);
    assert.deepEqual(
      (await search('ป่าสงวน', colleague)).items.map((i) => i.reference),
      [refs.before],
      'the colleague holds it',
    );
  });

  it('audits each search with counts only, never the words', async () => {
    const query = 'สมปอง invoice';
    const before = await t.db
      .selectFrom('audit_event')
      .select((eb) => eb.fn.max('id').as('id'))
      .executeTakeFirstOrThrow();
    await search(query);
    const rows = await t.db
      .selectFrom('audit_event')
      .selectAll()
      .where('id', '>', Number(before.id ?? 0))
      .execute();
    assert.equal(rows.length, 1);
    assert.equal(rows[0].action, 'cases_searched');
    assert.equal(rows[0].actor_user_id, me.id);
    assert.deepEqual(rows[0].detail, { terms: 2, results: 1 });
    const stored = JSON.stringify(rows[0]);
    for (const w of ['สมปอง', 'invoice']) assert.ok(!stored.includes(w), `audit row holds ${w}`);
  });

  it('names in the audit trail every case whose snippet was shown, never the query or the snippet', async () => {
    const before = await t.db
      .selectFrom('audit_event')
      .select((eb) => eb.fn.max('id').as('id'))
      .executeTakeFirstOrThrow();
    const r = await search('สินบน');
    assert.equal(r.items.length, 3);
    const rows = await t.db
      .selectFrom('audit_event')
      .selectAll()
      .where('id', '>', Number(before.id ?? 0))
      .orderBy('id')
      .execute();
    assert.deepEqual(
      rows.map((a) => [a.action, a.actor_user_id, a.case_reference]),
      r.items.map((i) => ['cases_searched', me.id, i.reference]),
    );
    const ids = await t.db
      .selectFrom('report_case')
      .select(['id', 'reference'])
      .where('reference', 'in', [refs.bribe1, refs.bribe3, refs.bribe1b])
      .execute();
    assert.deepEqual(rows.map((a) => a.case_id).sort(), ids.map((c) => c.id).sort());
    for (const a of rows) assert.deepEqual(a.detail, { terms: 1, results: 3 });
    const stored = JSON.stringify(rows);
    for (const shown of ['สินบน', ...r.items.map((i) => i.snippet)])
      assert.ok(!stored.includes(shown), `audit rows hold ${shown}`);
    await verifyAuditChain({ db: t.db });
  });

  it('leaves out a case whose key does not open, and counts it in the audit row', async () => {
    const c = await t.db
      .selectFrom('report_case')
      .select('id')
      .where('reference', '=', refs.before)
      .executeTakeFirstOrThrow();
    await t.db
      .insertInto('case_key')
      .values({ case_id: c.id, user_id: me.id, purpose: 'content', sealed_key: Buffer.alloc(80, 7) })
      .execute();
    try {
      const r = await search('ป่าสงวน');
      assert.deepEqual(r.items, []);
      assert.equal(r.scanned, 5);
      const row = await t.db
        .selectFrom('audit_event')
        .select('detail')
        .where('action', '=', 'cases_searched')
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirstOrThrow();
      assert.deepEqual(row.detail, { terms: 2, results: 0, unreadable: 1 });
    } finally {
      await t.db.deleteFrom('case_key').where('case_id', '=', c.id).where('user_id', '=', me.id).execute();
    }
  });

  it('lets the process exit when searches are done (idle workers hold nothing)', async () => {
    // One case: one worker works, the other never does. The child must end by itself.
    const root = path.resolve(import.meta.dirname, '../..');
    const code = `
      import { connect } from '${root}/src/db/connection.ts';
      import { CHEAP_KDF, loginCode, PASSWORD, TEST_LIMITS } from '${root}/test/support/app.ts';
      import { resolveStaffSession, staffLogin } from '${root}/src/staff/session.ts';
      import { searchCases } from '${root}/src/cases/search.ts';
      const db = connect(process.env.SEARCH_TEST_DB, 2);
      const email = 'nacc@nacc.example';
      const { token } = await staffLogin({ db, kdf: CHEAP_KDF, limits: TEST_LIMITS, email, password: PASSWORD, code: loginCode(email) });
      const r = await searchCases({ db, actor: await resolveStaffSession({ db, token }), query: 'ป่าสงวน' });
      console.log(r.total, r.scanned);
      await db.destroy();`;
    const dir = await mkdtemp(path.join(tmpdir(), 'sujarit-search-'));
    try {
      await writeFile(path.join(dir, 'child.mjs'), code);
      const { NODE_TEST_CONTEXT: _, ...env } = process.env;
      const { stdout } = await run(process.execPath, [path.join(dir, 'child.mjs')], {
        env: { ...env, SEARCH_TEST_DB: t.url },
        timeout: 30_000,
      });
      assert.equal(stdout.trim(), '1 1');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('loads no Argon2 in its worker threads: a node-addon-api addon in an idle worker can abort the process at exit', async () => {
    // The packages the worker's module graph imports (static imports, followed through relative files).
    const packages = new Set<string>();
    const seen = new Set<string>();
    const visit = async (file: string): Promise<void> => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = await readFile(file, 'utf8');
      for (const m of text.matchAll(
        /^import\s+(?!type\b)[^'"]*?from\s+'([^']+)'|^export\s+[^'"]*?from\s+'([^']+)'/gm,
      )) {
        const spec = (m[1] ?? m[2]) as string;
        if (spec.startsWith('.')) await visit(path.resolve(path.dirname(file), spec));
        else packages.add(spec);
      }
    };
    await visit(path.resolve(import.meta.dirname, 'search-worker.ts'));
    assert.ok(seen.size > 3, `followed the worker's imports: ${[...seen].join(', ')}`);
    assert.ok(packages.has('sodium-native'), 'the reader sees the addon the worker does need');
    assert.ok(!packages.has('argon2'), `the worker imports: ${[...packages].join(', ')}`);
  });

  it('refuses an actor without a second factor and a bad query before opening anything', async () => {
    await assert.rejects(search('สินบน', { ...me, isEnrolled: false }), (e) => isAppError(e) && e.code === 'forbidden');
    await assert.rejects(search(' '), (e) => isAppError(e) && e.code === 'invalid_input');
  });
});
