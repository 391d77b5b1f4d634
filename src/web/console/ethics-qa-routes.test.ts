// The ethics question service through HTTP: an ethics officer loads the sample knowledge base and
// adds a document; a colleague asks an in-scope question (the passage quoted with its source), an
// out-of-scope one ("I don't know"), sends it anonymously and named; the officer answers; the code
// reads the answer. Hostile use: another agency's knowledge base and questions, a non-officer
// editing, an oversized question, HTML in a question, a forged token, a wrong code, and the
// anonymous question's row checked column by column for any link to its asker.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { createTestApp, seedAgency, seedStaff, signedInActor, type TestApp } from '../../../test/support/app.ts';
import { AppError } from '../../errors.ts';
import { readByCode, sendQuestion } from '../../ethics/questions.ts';
import { itaJars } from '../../../test/support/ita.ts';
import { scanner } from '../../../test/support/leak-scan.ts';
import { logicalDump } from '../../../test/support/logical-dump.ts';
import { csrfOf, get, postForm, type Jar } from '../../../test/support/web.ts';
import { adminNav, homeOf } from '../admin/nav.ts';

const PEOPLE = [
  ['ethics@opdc.example', 'OPDC', ['ethics_officer']],
  ['inv@opdc.example', 'OPDC', ['investigator']],
  ['admin@opdc.example', 'OPDC', ['agency_admin']],
  ['ethics@nacc.example', 'NACC', ['ethics_officer']],
] as const;
const OUT_OF_SCOPE = 'ทำหนังสือเดินทางต้องใช้เอกสารอะไรบ้าง';

describe('ethics question service pages', () => {
  let h: TestApp;
  let jars: Record<string, Jar> = {};
  let ids: Record<string, number> = {};
  const page = (who: string, url: string) => get(h.app, jars[who], url);
  const post = async (who: string, url: string, fields: Record<string, string>) =>
    postForm(h.app, jars[who], url, { _csrf: csrfOf((await page(who, '/staff/ethics/ask')).body), ...fields });
  const ask = (who: string, q: string) => page(who, `/staff/ethics/ask?q=${encodeURIComponent(q)}`);

  before(async () => {
    h = await createTestApp();
    ({ jars, ids } = await itaJars(h.app, h.db, PEOPLE));
  });
  after(async () => h.close());

  it('puts the ask page in every agency member’s menu, never as a home; the officer lands on the ethics courses page', () => {
    const hrefs = (roles: Parameters<typeof adminNav>[0]['roles'], agencyId: number | null) =>
      adminNav({ roles, agencyId }).map((n) => n.href);
    assert.ok(hrefs(['investigator'], 1).includes('/staff/ethics/ask'));
    assert.ok(!hrefs(['platform_admin'], null).includes('/staff/ethics/ask'));
    assert.deepEqual(
      hrefs(['ethics_officer'], 1).filter((h) => h.startsWith('/staff/ethics')),
      ['/staff/ethics', '/staff/ethics/knowledge', '/staff/ethics/questions', '/staff/ethics/ask'],
    );
    assert.equal(homeOf({ roles: ['ethics_officer'] }), '/staff/ethics');
    assert.equal(homeOf({ roles: [] }), '/staff/cases');
  });

  it('loads the sample, once, and answers an in-scope question with the passage and its source', async () => {
    const loaded = await post('ethics@opdc.example', '/staff/ethics/knowledge/sample', {});
    assert.equal(loaded.statusCode, 303, loaded.body);
    await post('ethics@opdc.example', '/staff/ethics/knowledge/sample', {});
    const list = await page('ethics@opdc.example', '/staff/ethics/knowledge');
    assert.equal(list.statusCode, 200);
    assert.equal((list.body.match(/href="\/staff\/ethics\/knowledge\/\d+"/g) ?? []).length, 6);
    const res = await ask('inv@opdc.example', 'รับของขวัญจากผู้ที่ไม่ใช่ญาติได้ไม่เกินกี่บาท');
    assert.equal(res.statusCode, 200, res.body);
    assert.match(res.body, /<blockquote[^>]*><p>กรณีที่ 3 รับจากบุคคลที่ไม่ใช่ญาติไม่เกิน 3,000 บาท/);
    assert.match(res.body, /href="http:\/\/pathumthani\.prd\.go\.th\/[^"]+"/);
    assert.ok(!res.body.includes('ethics.qa.'), 'every text translated');
    // a wording read on a page without an address is named, not linked, and shown as unconfirmed
    const s5 = await ask('inv@opdc.example', 'มาตรฐานทางจริยธรรมเรื่องจิตสาธารณะว่าอย่างไร');
    assert.match(s5.body, /<blockquote[^>]*><p>คิดถึงประโยชน์ส่วนรวมมากกว่าประโยชน์ส่วนตัว และมีจิตสาธารณะ<\/p>/);
    assert.match(s5.body, /GitHub: หน้าเว็บสรุปกฎหมาย/);
    assert.ok(!/href="GitHub/.test(s5.body));
    assert.match(s5.body, /ยังไม่ได้ตรวจสอบถ้อยคำกับต้นฉบับทางการ/);
  });

  it('says it does not know an out-of-scope question and sends it on anonymously with a code', async () => {
    const res = await ask('inv@opdc.example', OUT_OF_SCOPE);
    assert.match(res.body, /<h2 id="idk-h">/);
    assert.ok(!res.body.includes('<blockquote'));
    const sent = await post('inv@opdc.example', '/staff/ethics/ask/send', { q: OUT_OF_SCOPE, anonymous: 'yes' });
    assert.equal(sent.statusCode, 200, sent.body);
    const code = /<p class="receipt" id="code"><strong>([\d ]{19})<\/strong>/.exec(sent.body)?.[1];
    assert.ok(code, sent.body);
    // the row holds no link to the asker: no column of it equals or contains the asker's id, e-mail or session
    const rows = await sql<Record<string, unknown>>`select * from ethics_question`.execute(h.db);
    assert.equal(rows.rows.length, 1);
    const row = rows.rows[0];
    assert.equal(row.asker_user_id, null);
    assert.equal(row.asker_sealed_key, null);
    const sessions = await sql<{ token_hash: Buffer }>`select * from staff_session`
      .execute(h.db)
      .catch(() => ({ rows: [] }));
    for (const [column, value] of Object.entries(row)) {
      const text = value instanceof Buffer ? value.toString('hex') : String(value);
      assert.notEqual(value, ids['inv@opdc.example'], column);
      assert.ok(!text.includes('inv@opdc.example'), column);
      for (const s of sessions.rows)
        for (const v of Object.values(s)) if (v instanceof Buffer) assert.ok(!text.includes(v.toString('hex')), column);
      if (value instanceof Date)
        assert.equal(value.getTime() % 86_400_000 === 0 || column === 'asked_on', true, column);
    }
    assert.equal(
      Number(
        (
          await sql<{
            n: string;
          }>`select count(*) as n from audit_event where action like 'ethics%' and (actor_user_id = ${ids['inv@opdc.example']} or action like 'ethics_question%')`.execute(
            h.db,
          )
        ).rows[0].n,
      ),
      0,
      'sending writes no audit event',
    );
    // the officer reads and answers it; the code reads the answer
    const inbox = await page('ethics@opdc.example', '/staff/ethics/questions');
    assert.ok(inbox.body.includes(OUT_OF_SCOPE));
    const id = /action="\/staff\/ethics\/questions\/([0-9a-f-]{36})"/.exec(inbox.body)?.[1] ?? '';
    const csrf = csrfOf(inbox.body);
    const answered = await postForm(h.app, jars['ethics@opdc.example'], `/staff/ethics/questions/${id}`, {
      _csrf: csrf,
      answer: 'ติดต่อกรมการกงสุล',
    });
    assert.equal(answered.statusCode, 303, answered.body);
    const read = await post('admin@opdc.example', '/staff/ethics/answer', { code });
    assert.equal(read.statusCode, 200, read.body);
    assert.match(read.body, /<p class="text" id="answer">ติดต่อกรมการกงสุล<\/p>/);
    // a stolen database shows neither the question, nor the answer, nor the code
    const dump = await logicalDump(h.url);
    const hits = scanner([
      { label: 'question', value: OUT_OF_SCOPE },
      { label: 'answer', value: 'ติดต่อกรมการกงสุล' },
      { label: 'code', value: code.replace(/ /g, '') },
    ]).scan(dump.data, 'database');
    assert.deepEqual(hits, []);
    const wrong = await post('admin@opdc.example', '/staff/ethics/answer', { code: '0000 0000 0000 0000' });
    assert.equal(wrong.statusCode, 400);
    assert.match(wrong.body, /id="error-summary"/);
  });

  it('shows a named question and its answer on the asker’s page', async () => {
    const q = 'ขอใช้รถราชการไปงานส่วนตัวได้ไหม';
    assert.equal((await post('inv@opdc.example', '/staff/ethics/ask/send', { q })).statusCode, 200);
    const inbox = await page('ethics@opdc.example', '/staff/ethics/questions');
    assert.ok(inbox.body.includes('inv@opdc.example'));
    const id = /<h2 id="q-([0-9a-f-]{36})">[^<]*inv@opdc\.example/.exec(inbox.body)?.[1] ?? '';
    await postForm(h.app, jars['ethics@opdc.example'], `/staff/ethics/questions/${id}`, {
      _csrf: csrfOf(inbox.body),
      answer: 'ไม่ได้',
    });
    const mine = await page('inv@opdc.example', '/staff/ethics/ask');
    assert.ok(mine.body.includes(q));
    assert.match(mine.body, /<p class="text">ไม่ได้<\/p>/);
  });

  it('keeps agencies apart: NACC has its own empty knowledge base and cannot read or answer OPDC’s', async () => {
    const docId = /href="\/staff\/ethics\/knowledge\/(\d+)"/.exec(
      (await page('ethics@opdc.example', '/staff/ethics/knowledge')).body,
    )?.[1];
    assert.equal((await page('ethics@nacc.example', `/staff/ethics/knowledge/${docId}`)).statusCode, 404);
    assert.equal((await post('ethics@nacc.example', `/staff/ethics/knowledge/${docId}/remove`, {})).statusCode, 404);
    const none = await page('ethics@nacc.example', '/staff/ethics/ask?q=รับของขวัญได้ไม่เกินกี่บาท');
    assert.match(none.body, /<h2 id="idk-h">/);
    const inbox = await page('ethics@nacc.example', '/staff/ethics/questions');
    assert.ok(!inbox.body.includes(OUT_OF_SCOPE));
    const [q] = (await sql<{ id: string }>`select id from ethics_question limit 1`.execute(h.db)).rows;
    const forged = await post('ethics@nacc.example', `/staff/ethics/questions/${q.id}`, { answer: 'x' });
    assert.equal(forged.statusCode, 404);
  });

  it('refuses non-officers, forged tokens, oversized and malformed input, and escapes HTML', async () => {
    for (const url of ['/staff/ethics/knowledge', '/staff/ethics/questions'])
      assert.equal((await page('inv@opdc.example', url)).statusCode, 403, url);
    const add = await post('inv@opdc.example', '/staff/ethics/knowledge', {
      kind: 'faq',
      title: 't',
      source: 's',
      text: 'x',
    });
    assert.equal(add.statusCode, 403);
    const forged = await postForm(h.app, jars['ethics@opdc.example'], '/staff/ethics/knowledge/sample', {
      _csrf: 'forged',
    });
    assert.equal(forged.statusCode, 403);
    const long = await ask('inv@opdc.example', 'ก'.repeat(501));
    assert.equal(long.statusCode, 400);
    assert.match(long.body, /aria-invalid="true"/);
    const before = Number(
      (await sql<{ n: string }>`select count(*) as n from ethics_question`.execute(h.db)).rows[0].n,
    );
    const longSend = await post('inv@opdc.example', '/staff/ethics/ask/send', { q: 'ก'.repeat(501), anonymous: 'yes' });
    assert.equal(longSend.statusCode, 400);
    const emptySend = await post('inv@opdc.example', '/staff/ethics/ask/send', { q: '   ' });
    assert.equal(emptySend.statusCode, 400);
    assert.equal(
      Number((await sql<{ n: string }>`select count(*) as n from ethics_question`.execute(h.db)).rows[0].n),
      before,
    );
    const html = '<script>alert(1)</script> ของขวัญ';
    const escaped = await ask('inv@opdc.example', html);
    assert.ok(!escaped.body.includes('<script>alert(1)'));
    assert.ok(escaped.body.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
    const bad = await post('ethics@opdc.example', '/staff/ethics/knowledge', {
      kind: 'poem',
      title: '',
      source: 'x'.repeat(1001),
      url: 'javascript:alert(1)',
      text: '',
    });
    assert.equal(bad.statusCode, 400);
    for (const f of ['kind', 'title', 'source', 'url', 'text']) assert.match(bad.body, new RegExp(`href="#${f}"`), f);
    assert.equal((await page('ethics@opdc.example', '/staff/ethics/knowledge/abc')).statusCode, 404);
    assert.equal(
      (await post('ethics@opdc.example', '/staff/ethics/questions/not-a-uuid', { answer: 'x' })).statusCode,
      404,
    );
  });

  it('adds a document split into passages by clause, answers from it, and audits the officer', async () => {
    const text =
      'ข้อ 1 เจ้าหน้าที่ต้องแจ้งการเข้าร่วมสัมมนาที่ผู้รับจ้างจัดเลี้ยงต่อหัวหน้าส่วนราชการ\nข้อ 2 ห้ามใช้รถยนต์ส่วนกลางในกิจธุระส่วนตัว\n\nย่อหน้าท้าย';
    const res = await post('ethics@opdc.example', '/staff/ethics/knowledge', {
      kind: 'code',
      title: 'ประมวลจริยธรรมของสำนักงาน',
      source: 'คำสั่งสำนักงาน ที่ 1/2569',
      url: 'https://opdc.example/code',
      text,
    });
    assert.equal(res.statusCode, 303, res.body);
    const doc = await page('ethics@opdc.example', String(res.headers.location));
    assert.equal((doc.body.match(/<li><(strong|span)/g) ?? []).length, 3);
    const answer = await ask('inv@opdc.example', 'ใช้รถยนต์ส่วนกลางไปธุระส่วนตัวได้ไหม');
    assert.match(answer.body, /<blockquote cite="https:\/\/opdc\.example\/code"><p>ข้อ 2 ห้ามใช้รถยนต์ส่วนกลาง/);
    const actions = (
      await sql<{ action: string }>`select action from audit_event where action like 'ethics_%'`.execute(h.db)
    ).rows.map((r) => r.action);
    for (const a of ['ethics_kb_sample_loaded', 'ethics_questions_read', 'ethics_question_answered', 'ethics_kb_added'])
      assert.ok(actions.includes(a), a);
  });

  it('refuses to send where no ethics officer can read, and spends the guess budget before deriving a code', async () => {
    await seedAgency(h.db, 'PACC');
    await seedStaff(h.db, 'PACC', 'inv@pacc.example', ['investigator']);
    const actor = await signedInActor(h.db, 'inv@pacc.example');
    const codeKeys = { kdf: h.config.kdf, receiptSalt: h.deps.secrets.receiptSalt };
    await assert.rejects(
      sendQuestion({ db: h.db, actor, question: OUT_OF_SCOPE, isAnonymous: true }, codeKeys),
      (e: AppError) => e.userMessage === 'ethics.qa.no_officer',
    );
    let spent = 0;
    const empty = () => {
      spent++;
      throw new AppError('too_many_requests', 'empty bucket', 'error.too_many_requests');
    };
    await assert.rejects(
      readByCode({ db: h.db, code: '1234 5678 9012 3456', throttle: empty }, codeKeys),
      (e: AppError) => e.code === 'too_many_requests',
    );
    assert.equal(spent, 1);
  });
});
